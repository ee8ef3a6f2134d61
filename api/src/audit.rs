//! The audit trail: every change of state writes an [`audit_entry`] row in the same
//! transaction as the change: who (user or API key), when, request id, entity, id, action, and
//! the changed fields before and after. Secrets are recorded only as `"[redacted]"`. There is
//! no code path that updates or deletes audit rows.

use chrono::Utc;
use entities::identity::audit_entry;
use sea_orm::{ActiveModelTrait, ConnectionTrait, Set};
use serde::Serialize;
use serde_json::{Map, Value, json};
use uuid::Uuid;

use crate::auth::Actor;
use crate::error::{AppError, current_request_id};

/// Who an audit entry names.
#[derive(Clone, Copy, Debug)]
pub struct AuditActor(pub Option<Actor>);

impl AuditActor {
    fn kind_and_id(self) -> (&'static str, Option<Uuid>) {
        match self.0 {
            Some(Actor::User(id)) => ("user", Some(id)),
            Some(Actor::ApiKey(id)) => ("api_key", Some(id)),
            None => ("system", None),
        }
    }
}

/// Changed fields: `{ field: { "before": …, "after": … } }`.
#[derive(Default, Debug, PartialEq)]
pub struct Changes(Map<String, Value>);

impl Changes {
    /// No changes recorded yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records `field` going from `before` to `after` (left out when equal).
    pub fn field(mut self, name: &str, before: impl Serialize, after: impl Serialize) -> Self {
        let (before, after) = (json!(before), json!(after));
        if before != after {
            self.0
                .insert(name.into(), json!({ "before": before, "after": after }));
        }
        self
    }

    /// Records that a secret changed without recording it.
    pub fn secret(mut self, name: &str) -> Self {
        self.0.insert(
            name.into(),
            json!({ "before": "[redacted]", "after": "[redacted]" }),
        );
        self
    }

    /// Whether nothing changed.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// Writes one audit entry.
pub async fn record<C: ConnectionTrait>(
    db: &C,
    actor: AuditActor,
    entity: &str,
    entity_id: Uuid,
    action: &str,
    changes: Changes,
) -> Result<(), AppError> {
    entry(actor, entity, entity_id, action, changes)
        .insert(db)
        .await?;
    Ok(())
}

/// Writes one audit entry for something an operator did on the command line (`erp user
/// reset-password`): actor type `operator`, no actor id, because no user or API key of the
/// tenant acted.
pub async fn record_operator<C: ConnectionTrait>(
    db: &C,
    entity: &str,
    entity_id: Uuid,
    action: &str,
    changes: Changes,
) -> Result<(), AppError> {
    row("operator", None, entity, entity_id, action, changes)
        .insert(db)
        .await?;
    Ok(())
}

/// The audit entry [`record`] writes, for a caller that writes it itself (on PostgreSQL,
/// `kit::write` writes a new row and its entry in one statement).
pub fn entry(
    actor: AuditActor,
    entity: &str,
    entity_id: Uuid,
    action: &str,
    changes: Changes,
) -> audit_entry::ActiveModel {
    let (actor_type, actor_id) = actor.kind_and_id();
    row(actor_type, actor_id, entity, entity_id, action, changes)
}

fn row(
    actor_type: &str,
    actor_id: Option<Uuid>,
    entity: &str,
    entity_id: Uuid,
    action: &str,
    changes: Changes,
) -> audit_entry::ActiveModel {
    audit_entry::ActiveModel {
        id: Set(Uuid::now_v7()),
        at: Set(Utc::now()),
        actor_type: Set(actor_type.to_owned()),
        actor_id: Set(actor_id),
        request_id: Set(current_request_id()),
        entity: Set(entity.to_owned()),
        entity_id: Set(entity_id),
        action: Set(action.to_owned()),
        changes: Set(Value::Object(changes.0).to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unchanged_fields_are_left_out_and_secrets_redacted() {
        let c = Changes::new()
            .field("name", "a", "a")
            .field("email", "a@x.test", "b@x.test")
            .secret("password");
        let text = Value::Object(c.0).to_string();
        assert!(!text.contains("name"));
        assert!(text.contains("b@x.test"));
        assert!(text.contains("[redacted]"));
    }
}
