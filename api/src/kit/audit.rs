//! Audit entries derived from rows, and audit entries read back under field permissions.
//!
//! A write helper records the difference between the row before and after, column by column,
//! so a new column is audited without anyone remembering to add it. Bookkeeping columns
//! (`version`, timestamps, the id the entry already names) are left out and secret columns
//! are recorded only as changed. Reading the log ([`redact`]) removes every recorded field the
//! reader may not read on the entity itself.

use chrono::SecondsFormat;
use sea_orm::sea_query::sea_value_to_json_value;
use sea_orm::{IdenStatic, Iterable, ModelTrait, Value};
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
    between::<R>(before, Some(after))
}

/// What a deleted row held: every column going from its value to nothing.
pub fn removal<R: Resource>(before: &R::Model) -> Changes {
    between::<R>(Some(before), None)
}

/// What a new row holding `row`'s values records: [`diff`] from nothing, read from the values
/// about to be inserted (`None` when a column is not set).
pub fn creation<R>(row: &R::ActiveModel) -> Option<Changes>
where
    R: Resource,
    R::ActiveModel: sea_orm::ActiveModelTrait<Entity = R>,
{
    use sea_orm::ActiveModelTrait;
    let mut values = Vec::new();
    for col in R::Column::iter() {
        values.push(row.get(col).into_value()?);
    }
    let mut values = values.into_iter();
    Some(changes_of::<R>(|_| None, |_| values.next()))
}

fn between<R: Resource>(before: Option<&R::Model>, after: Option<&R::Model>) -> Changes {
    changes_of::<R>(
        |col| before.map(|row| row.get(col)),
        |col| after.map(|row| row.get(col)),
    )
}

/// The changes from the values `before` gives to those `after` gives, column by column in
/// declaration order (each is called once per column; `None`: no row).
fn changes_of<R: Resource>(
    mut before: impl FnMut(R::Column) -> Option<Value>,
    mut after: impl FnMut(R::Column) -> Option<Value>,
) -> Changes {
    let mut changes = Changes::new();
    for col in R::Column::iter() {
        let name = col.as_str();
        let old = before(col).map_or(Json::Null, |v| json_of(&v));
        let new = after(col).map_or(Json::Null, |v| json_of(&v));
        if is_bookkeeping::<R>(name) || old == new {
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

/// A column value as the audit records it. Dates and times as ISO 8601 text, as the API shows
/// them (sea-query's own conversion gives them as SQL literals, quotes included).
pub fn json_of(value: &Value) -> Json {
    match value {
        Value::ChronoDate(Some(d)) => Json::String(d.to_string()),
        Value::ChronoTime(Some(t)) => Json::String(t.to_string()),
        Value::ChronoDateTime(Some(t)) => {
            Json::String(t.format("%Y-%m-%dT%H:%M:%S%.f").to_string())
        }
        Value::ChronoDateTimeUtc(Some(t)) => {
            Json::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        }
        Value::ChronoDateTimeLocal(Some(t)) => {
            Json::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        }
        Value::ChronoDateTimeWithTimeZone(Some(t)) => {
            Json::String(t.to_rfc3339_opts(SecondsFormat::AutoSi, true))
        }
        other => sea_value_to_json_value(other),
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_audited_as_iso_text_without_sql_quotes() {
        let date = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).unwrap();
        assert_eq!(json_of(&Value::ChronoDate(Some(date))), "2026-05-01");
        let at = date.and_hms_opt(9, 30, 0).unwrap().and_utc();
        assert_eq!(
            json_of(&Value::ChronoDateTimeUtc(Some(at))),
            "2026-05-01T09:30:00Z"
        );
        assert_eq!(json_of(&Value::ChronoDate(None)), Json::Null);
        assert_eq!(json_of(&Value::Int(Some(3))), 3);
    }
}
