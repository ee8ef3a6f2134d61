//! Activities: calls, meetings, tasks and notes about a lead, an opportunity or a customer.
//! With scope `OWN` a caller sees the activities they own or are assigned to.
//!
//! The lead, opportunity or customer an activity is about must be one the caller may read:
//! one they may not see answers exactly as one that does not exist (`VALIDATION` "no such
//! lead"), so an activity cannot be hung on another rep's lead or used to probe for it.

use chrono::{DateTime, Utc};
use entities::crm::activity::{self, ActivityKind};
use entities::crm::{lead, opportunity};
use entities::master::customer;
use sea_orm::{ColumnTrait, QueryFilter, Select, Set};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::ACTIVITY_WRITE;
use crate::error::AppError;
use crate::kit::resource::visible as scoped;
use crate::kit::{Write, write};
use crate::modules::common::{optional_text, text};
use crate::modules::identity::service::references::require_active_user;

/// A new activity.
#[derive(Debug, Clone)]
pub struct ActivityInput {
    /// Call, meeting, task or note.
    pub kind: ActivityKind,
    /// Subject.
    pub subject: String,
    /// Notes.
    pub notes: Option<String>,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Who is to do it (default: the creator).
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
    let mut query = scoped::<activity::Entity>(access)?;
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

/// Creates an activity about a lead, an opportunity or a customer the caller may read.
pub async fn create(w: &Write<'_>, input: ActivityInput) -> Result<activity::Model, AppError> {
    w.access().require(ACTIVITY_WRITE)?;
    let subject = text(&input.subject, "input.subject", 200)?;
    let notes = optional_text(input.notes.as_deref(), "input.notes", 5000)?;
    if input.lead_id.is_none() && input.opportunity_id.is_none() && input.customer_id.is_none() {
        return Err(AppError::validation(
            "input",
            "link the activity to a lead, an opportunity or a customer",
        ));
    }
    write::require_reference::<lead::Entity>(w, input.lead_id, "input.leadId").await?;
    write::require_reference::<opportunity::Entity>(w, input.opportunity_id, "input.opportunityId")
        .await?;
    write::require_reference::<customer::Entity>(w, input.customer_id, "input.customerId").await?;
    require_active_user(w, input.assignee_id, "input.assigneeId").await?;
    let me = w.access().user_id();
    let now = Utc::now();
    let row = activity::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(input.kind),
        subject: Set(subject),
        notes: Set(notes),
        due_at: Set(input.due_at),
        done: Set(false),
        done_at: Set(None),
        owner_id: Set(me),
        assignee_id: Set(input.assignee_id.or(me)),
        lead_id: Set(input.lead_id),
        opportunity_id: Set(input.opportunity_id),
        customer_id: Set(input.customer_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    write::insert::<activity::Entity>(w, row, false).await
}

/// Marks an activity done (a done one is returned as it is), audited as `complete`.
pub async fn complete(w: &Write<'_>, id: Uuid) -> Result<activity::Model, AppError> {
    let before = write::find_for_write::<activity::Entity>(w, id).await?;
    if before.done {
        return Ok(before);
    }
    let row = activity::ActiveModel {
        done: Set(true),
        done_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    write::update::<activity::Entity>(w, &before, row, before.version, "complete").await
}
