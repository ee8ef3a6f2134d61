//! Audit entries derived from rows, and audit entries read back under field permissions.
//!
//! A write helper records the difference between the row before and after, column by column,
//! so a new column is audited without anyone remembering to add it. Bookkeeping columns
//! (`version`, timestamps, the id the entry already names) are left out and secret columns
//! are recorded only as changed. Reading the log ([`redact`]) removes every recorded field the
//! reader may not read on the entity itself.

use sea_orm::sea_query::sea_value_to_json_value;
use sea_orm::{IdenStatic, Iterable, ModelTrait};
use serde_json::Value as Json;

use crate::audit::Changes;
use crate::authz::Access;
use crate::kit::resource::{Resource, ResourceInfo, camel_case, id_column};

/// Columns the audit never records: the entry itself says when, and which row.
pub const BOOKKEEPING: &[&str] = &["version", "created_at", "updated_at"];

/// Whether the audit (and idempotency comparisons) skip `column` of `R`.
pub fn is_bookkeeping<R: Resource>(column: &str) -> bool {
    BOOKKEEPING.contains(&column) || column == id_column::<R>().as_str()
}

/// What changed from `before` (none: the row is new) to `after`, every column compared.
pub fn diff<R: Resource>(before: Option<&R::Model>, after: &R::Model) -> Changes {
    let mut changes = Changes::new();
    for col in R::Column::iter() {
        let name = col.as_str();
        if is_bookkeeping::<R>(name) {
            continue;
        }
        let old = before.map_or(Json::Null, |row| sea_value_to_json_value(&row.get(col)));
        let new = sea_value_to_json_value(&after.get(col));
        if old == new {
            continue;
        }
        changes = if R::INFO.secret.contains(&name) {
            changes.secret(&camel_case(name))
        } else {
            changes.field(&camel_case(name), old, new)
        };
    }
    changes
}

/// The recorded `changes` of an entry about resource `info`, without the fields `access` may
/// not read (its sensitive fields whose permission the reader lacks).
pub fn redact(access: &Access, info: Option<&ResourceInfo>, changes: &str) -> String {
    let Some(info) = info else {
        return changes.to_owned();
    };
    let Ok(Json::Object(mut fields)) = serde_json::from_str::<Json>(changes) else {
        return changes.to_owned();
    };
    fields.retain(|field, _| {
        info.sensitive_permission(field)
            .is_none_or(|permission| access.scope(permission).is_some())
    });
    Json::Object(fields).to_string()
}
