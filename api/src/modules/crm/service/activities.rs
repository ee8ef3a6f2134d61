//! Activities: calls, meetings, tasks and notes about a lead, an opportunity or a customer.
//! With scope `OWN` a caller sees the activities they own or are assigned to.

use chrono::{DateTime, Utc};
use entities::crm::{activity, lead, opportunity};
use entities::master::customer;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter, Select, Set,
};
use uuid::Uuid;

use crate::audit::{self, AuditActor, Changes};
use crate::authz::Access;
use crate::authz::catalog::{ACTIVITY_READ, ACTIVITY_WRITE};
use crate::db::begin_write;
use crate::error::AppError;
use crate::modules::common::{optional_text, save_versioned, text};
use crate::modules::crm::service::{in_scope, scope_condition};
use crate::modules::identity::service::references::require_active_user;

/// Call, meeting, task or note.
pub const KINDS: &[&str] = &["CALL", "MEETING", "TASK", "NOTE"];

/// A new activity.
#[derive(Debug, Clone, Default)]
pub struct ActivityInput {
    /// One of [`KINDS`].
    pub kind: String,
    /// Subject.
    pub subject: String,
    /// Notes.
    pub notes: Option<String>,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Who is to do it.
    pub assignee_id: Option<Uuid>,
    /// The lead it is about.
    pub lead_id: Option<Uuid>,
    /// The opportunity it is about.
    pub opportunity_id: Option<Uuid>,
    /// The customer it is about.
    pub customer_id: Option<Uuid>,
}

/// Filter of the activity list.
#[derive(Debug, Default)]
pub struct ActivityFilter {
    /// Done (true) or open (false) only.
    pub done: Option<bool>,
    /// One assignee's.
    pub assignee_id: Option<Uuid>,
    /// One opportunity's.
    pub opportunity_id: Option<Uuid>,
    /// One lead's.
    pub lead_id: Option<Uuid>,
}

/// Activities `access` may see (scope applied), filtered.
pub fn visible(
    access: &Access,
    filter: &ActivityFilter,
) -> Result<Select<activity::Entity>, AppError> {
    let mut query = activity::Entity::find().filter(scope_condition(
        access,
        ACTIVITY_READ,
        &[activity::Column::OwnerId, activity::Column::AssigneeId],
    )?);
    if let Some(done) = filter.done {
        query = query.filter(activity::Column::Done.eq(done));
    }
    if let Some(id) = filter.assignee_id {
        query = query.filter(activity::Column::AssigneeId.eq(id));
    }
    if let Some(id) = filter.opportunity_id {
        query = query.filter(activity::Column::OpportunityId.eq(id));
    }
    if let Some(id) = filter.lead_id {
        query = query.filter(activity::Column::LeadId.eq(id));
    }
    Ok(query)
}

/// Whether `access` may see activity `row`.
pub fn can_see(access: &Access, row: &activity::Model) -> bool {
    in_scope(access, ACTIVITY_READ, &[row.owner_id, row.assignee_id])
}

/// Creates an activity about a lead, an opportunity or a customer.
pub async fn create(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    input: ActivityInput,
) -> Result<activity::Model, AppError> {
    access.require(ACTIVITY_WRITE)?;
    let kind = input.kind.trim().to_uppercase();
    if !KINDS.contains(&kind.as_str()) {
        return Err(AppError::validation(
            "input.kind",
            "CALL, MEETING, TASK or NOTE",
        ));
    }
    let subject = text(&input.subject, "input.subject", 200)?;
    let notes = optional_text(input.notes.as_deref(), "input.notes", 5000)?;
    if input.lead_id.is_none() && input.opportunity_id.is_none() && input.customer_id.is_none() {
        return Err(AppError::validation(
            "input",
            "link the activity to a lead, an opportunity or a customer",
        ));
    }
    let txn = begin_write(db).await?;
    if let Some(id) = input.lead_id
        && lead::Entity::find_by_id(id).one(&txn).await?.is_none()
    {
        return Err(AppError::validation("input.leadId", "no such lead"));
    }
    if let Some(id) = input.opportunity_id
        && opportunity::Entity::find_by_id(id)
            .one(&txn)
            .await?
            .is_none()
    {
        return Err(AppError::validation(
            "input.opportunityId",
            "no such opportunity",
        ));
    }
    if let Some(id) = input.customer_id
        && customer::Entity::find_by_id(id).one(&txn).await?.is_none()
    {
        return Err(AppError::validation("input.customerId", "no such customer"));
    }
    require_active_user(&txn, input.assignee_id, "input.assigneeId").await?;
    let now = Utc::now();
    let row = activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(kind),
        subject: Set(subject),
        notes: Set(notes),
        due_at: Set(input.due_at),
        done: Set(false),
        done_at: Set(None),
        owner_id: Set(access.user_id()),
        assignee_id: Set(input.assignee_id.or(access.user_id())),
        lead_id: Set(input.lead_id),
        opportunity_id: Set(input.opportunity_id),
        customer_id: Set(input.customer_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        "activity",
        row.id,
        "create",
        Changes::new()
            .field("kind", None::<String>, &row.kind)
            .field("subject", None::<String>, &row.subject)
            .field("assigneeId", None::<Uuid>, row.assignee_id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Marks an activity done.
pub async fn complete(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
) -> Result<activity::Model, AppError> {
    access.require(ACTIVITY_WRITE)?;
    let txn = begin_write(db).await?;
    let before = activity::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .filter(|a| {
            can_see(access, a) && in_scope(access, ACTIVITY_WRITE, &[a.owner_id, a.assignee_id])
        })
        .ok_or(AppError::NotFound { entity: "activity" })?;
    if before.done {
        return Ok(before);
    }
    let mut row: activity::ActiveModel = before.clone().into();
    row.done = Set(true);
    row.done_at = Set(Some(Utc::now()));
    row.version = Set(before.version + 1);
    row.updated_at = Set(Utc::now());
    save_versioned(
        &txn,
        row,
        id,
        activity::Column::Id,
        activity::Column::Version,
        before.version,
        "activity",
    )
    .await?;
    audit::record(
        &txn,
        actor,
        "activity",
        id,
        "complete",
        Changes::new().field("done", false, true),
    )
    .await?;
    txn.commit().await?;
    activity::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound { entity: "activity" })
}
