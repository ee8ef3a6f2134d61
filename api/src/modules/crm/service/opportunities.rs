//! Opportunities: a possible sale, moving through stages while `OPEN`, then `WON` or `LOST`.
//!
//! The status is the entity's [`OpportunityStatus`] from the column to the schema; its
//! transitions are the pure [`OpportunityLifecycle::after`] (editing is allowed only while
//! open). Writes go through the kit: an idempotent create (every column compared on a replay),
//! patches, `win` and `lose` as versioned updates audited as row diffs.

use chrono::{NaiveDate, Utc};
use entities::crm::opportunity::{self, OpportunityStatus};
use entities::master::customer;
use sea_orm::{ColumnTrait, QueryFilter, Select, Set};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::OPPORTUNITY_WRITE;
use crate::error::AppError;
use crate::kit::resource::{new_owner, visible as scoped};
use crate::kit::{Write, write};
use crate::modules::common::{optional_text, text};
use crate::modules::crm::service::{rule, stages};
use crate::modules::identity::service::references::require_active_user;
use crate::modules::master::service::reference::currency_digits;
use crate::modules::notifications::service as notifications;
use crate::money::{Dec, Money};

/// What happens to an opportunity.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Change its content (amount, stage, owner…).
    Update,
    /// Close it as a sale.
    Win,
    /// Close it without a sale.
    Lose,
    /// Take a closed one out of the lists' default view (`isActive: false`).
    Archive,
}

impl Action {
    /// The name of the action in the audit log and domain events.
    pub fn name(self) -> &'static str {
        match self {
            Self::Update => "update",
            Self::Win => "win",
            Self::Lose => "lose",
            Self::Archive => "archive",
        }
    }
}

/// The opportunity state machine, on the stored status.
pub trait OpportunityLifecycle: Sized {
    /// The status after `action`, or the rule it breaks (`BUSINESS_RULE`
    /// `crm.opportunity_closed`: a won or lost opportunity does not change any more, but for
    /// being archived; `crm.opportunity_open`: an open one is won or lost before it is
    /// archived, so no live deal drops out of the pipeline unnoticed).
    fn after(self, action: Action) -> Result<Self, AppError>;
}

impl OpportunityLifecycle for OpportunityStatus {
    fn after(self, action: Action) -> Result<Self, AppError> {
        use OpportunityStatus::*;
        match (self, action) {
            (Open, Action::Update) => Ok(Open),
            (Open, Action::Win) => Ok(Won),
            (Open, Action::Lose) => Ok(Lost),
            (Open, Action::Archive) => Err(rule(
                "crm.opportunity_open",
                "win or lose the opportunity before archiving it",
            )),
            (closed, Action::Archive) => Ok(closed),
            (Won, _) => Err(rule("crm.opportunity_closed", "the opportunity is won")),
            (Lost, _) => Err(rule("crm.opportunity_closed", "the opportunity is lost")),
        }
    }
}

/// A change of an opportunity: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct OpportunityPatch {
    /// Title.
    pub title: Option<String>,
    /// The customer.
    pub customer_id: Option<Uuid>,
    /// Amount.
    pub amount: Option<Money>,
    /// Stage (none on a new opportunity: the first).
    pub stage_id: Option<Uuid>,
    /// Owner (cleared: the caller).
    pub owner_id: Option<Option<Uuid>>,
    /// Expected close date.
    pub expected_close_date: Option<Option<NaiveDate>>,
}

/// Filter of the opportunity list.
#[derive(Debug, Default)]
pub struct OpportunityFilter {
    /// Statuses to include.
    pub status: Vec<OpportunityStatus>,
    /// One stage.
    pub stage_id: Option<Uuid>,
    /// One owner.
    pub owner_id: Option<Uuid>,
    /// One customer.
    pub customer_id: Option<Uuid>,
    /// Active (true) or archived (false) only.
    pub is_active: Option<bool>,
}

/// Opportunities `access` may see (scope applied), filtered.
pub fn visible(
    access: &Access,
    filter: &OpportunityFilter,
) -> Result<Select<opportunity::Entity>, AppError> {
    let mut query = scoped::<opportunity::Entity>(access)?;
    if !filter.status.is_empty() {
        query = query.filter(opportunity::Column::Status.is_in(filter.status.iter().copied()));
    }
    if let Some(id) = filter.stage_id {
        query = query.filter(opportunity::Column::StageId.eq(id));
    }
    if let Some(id) = filter.owner_id {
        query = query.filter(opportunity::Column::OwnerId.eq(id));
    }
    if let Some(id) = filter.customer_id {
        query = query.filter(opportunity::Column::CustomerId.eq(id));
    }
    if let Some(active) = filter.is_active {
        query = query.filter(opportunity::Column::IsActive.eq(active));
    }
    Ok(query)
}

/// Validates the fields `patch` gives and sets them on `row`; `stored` is the row before
/// (none: a new opportunity).
async fn apply(
    w: &Write<'_>,
    patch: OpportunityPatch,
    stored: Option<&opportunity::Model>,
    row: &mut opportunity::ActiveModel,
) -> Result<(), AppError> {
    if let Some(v) = &patch.title {
        row.title = Set(text(v, "input.title", 200)?);
    }
    if let Some(id) = patch.customer_id {
        write::require_reference::<customer::Entity>(w, Some(id), "input.customerId").await?;
        row.customer_id = Set(id);
    }
    match &patch.amount {
        Some(amount) => {
            let field = "input.amount.currency";
            let (currency, digits) = currency_digits(w, &amount.currency, field).await?;
            let minor = Dec::parse(&amount.amount)
                .and_then(|d| d.to_scaled(digits))
                .map_err(|e| AppError::validation("input.amount", e))?;
            if minor < 0 {
                return Err(AppError::validation(
                    "input.amount",
                    "an amount is not negative",
                ));
            }
            row.amount_minor = Set(minor);
            row.currency = Set(currency);
        }
        None if stored.is_none() => return Err(AppError::validation("input.amount", "required")),
        None => {}
    }
    match patch.stage_id {
        // Stages are the pipeline's configuration, the same for every reader of opportunities:
        // the foreign key alone checks one (the kit answers "no such stage").
        Some(id) => row.stage_id = Set(id),
        None if stored.is_none() => row.stage_id = Set(stages::first(w).await?.id),
        None => {}
    }
    if let Some(owner) = patch.owner_id {
        let owner = new_owner::<opportunity::Entity>(w.access(), owner)?;
        require_active_user(w, owner, "input.ownerId").await?;
        row.owner_id = Set(owner);
    }
    if let Some(date) = patch.expected_close_date {
        row.expected_close_date = Set(date);
    }
    Ok(())
}

/// Opens an opportunity (idempotent with a client-chosen `id`) inside a larger write;
/// `lead_id`: the lead it was converted from.
pub async fn create(
    w: &Write<'_>,
    id: Option<Uuid>,
    input: OpportunityPatch,
    lead_id: Option<Uuid>,
) -> Result<opportunity::Model, AppError> {
    let row = new_row(w, id, input, lead_id).await?;
    write::insert::<opportunity::Entity>(w, row, id.is_some()).await
}

/// [`create`] as the whole of a mutation's write (`createOpportunity`): its last statement,
/// so on PostgreSQL the opportunity and its audit entry are one statement without a
/// transaction ([`write::insert_last`]).
pub async fn create_alone(
    w: &Write<'_>,
    id: Option<Uuid>,
    input: OpportunityPatch,
) -> Result<opportunity::Model, AppError> {
    let row = new_row(w, id, input, None).await?;
    write::insert_last::<opportunity::Entity>(w, row, id.is_some()).await
}

/// A new open opportunity from `input`, checked.
async fn new_row(
    w: &Write<'_>,
    id: Option<Uuid>,
    input: OpportunityPatch,
    lead_id: Option<Uuid>,
) -> Result<opportunity::ActiveModel, AppError> {
    w.access().require(OPPORTUNITY_WRITE)?;
    let now = Utc::now();
    let mut row = opportunity::ActiveModel {
        id: Set(id.unwrap_or_else(Uuid::now_v7)),
        status: Set(OpportunityStatus::Open),
        lost_reason: Set(None),
        closed_at: Set(None),
        lead_id: Set(lead_id),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(w, input, None, &mut row).await?;
    Ok(row)
}

/// Changes the fields `patch` gives of an open opportunity (moving it between stages) if
/// `expected_version` is current.
pub async fn update(
    w: &Write<'_>,
    id: Uuid,
    patch: OpportunityPatch,
    expected_version: i32,
) -> Result<opportunity::Model, AppError> {
    let before = write::find_for_write::<opportunity::Entity>(w, id).await?;
    before.status.after(Action::Update)?;
    let mut row = opportunity::ActiveModel::default();
    apply(w, patch, Some(&before), &mut row).await?;
    write::update::<opportunity::Entity>(w, &before, row, expected_version, Action::Update.name())
        .await
}

/// Closes an open opportunity as won.
pub async fn win(w: &Write<'_>, id: Uuid) -> Result<opportunity::Model, AppError> {
    close(w, id, Action::Win, None).await
}

/// Closes an open opportunity as lost, with a reason.
pub async fn lose(
    w: &Write<'_>,
    id: Uuid,
    reason: Option<String>,
) -> Result<opportunity::Model, AppError> {
    close(w, id, Action::Lose, reason).await
}

/// Archives a won or lost opportunity (an open one is a `BUSINESS_RULE` error).
pub async fn archive(w: &Write<'_>, id: Uuid) -> Result<opportunity::Model, AppError> {
    let before = write::find_for_write::<opportunity::Entity>(w, id).await?;
    before.status.after(Action::Archive)?;
    write::archive::<opportunity::Entity>(w, before).await
}

async fn close(
    w: &Write<'_>,
    id: Uuid,
    action: Action,
    reason: Option<String>,
) -> Result<opportunity::Model, AppError> {
    let before = write::find_for_write::<opportunity::Entity>(w, id).await?;
    let mut row = opportunity::ActiveModel {
        status: Set(before.status.after(action)?),
        closed_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    if action == Action::Lose {
        row.lost_reason = Set(optional_text(reason.as_deref(), "reason", 500)?);
    }
    let after =
        write::update::<opportunity::Entity>(w, &before, row, before.version, action.name())
            .await?;
    let (kind, outcome) = match action {
        Action::Win => (notifications::OPPORTUNITY_WON, "won"),
        _ => (notifications::OPPORTUNITY_LOST, "lost"),
    };
    let mut recipients: Vec<Uuid> = after.owner_id.into_iter().collect();
    recipients.extend(notifications::managers(w.tx().await?).await?);
    let notice = notifications::Notice {
        kind,
        title: format!("Opportunity {outcome}: {}", after.title),
        body: match &after.lost_reason {
            Some(reason) if action == Action::Lose => format!("{} was lost: {reason}", after.title),
            _ => format!("{} was {outcome}.", after.title),
        },
        link: Some(("opportunity", after.id)),
        dedup: None,
    };
    notifications::send(w, &recipients, &notice).await?;
    Ok(after)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    #[test]
    fn only_an_open_opportunity_changes_and_it_closes_once() {
        use OpportunityStatus::*;
        assert_eq!(Open.after(Action::Update).unwrap(), Open);
        assert_eq!(Open.after(Action::Win).unwrap(), Won);
        assert_eq!(Open.after(Action::Lose).unwrap(), Lost);
        assert!(matches!(
            Open.after(Action::Archive),
            Err(AppError::BusinessRule {
                rule: "crm.opportunity_open",
                ..
            })
        ));
        for closed in [Won, Lost] {
            assert_eq!(closed.after(Action::Archive).unwrap(), closed);
            for action in [Action::Update, Action::Win, Action::Lose] {
                assert!(matches!(
                    closed.after(action),
                    Err(AppError::BusinessRule {
                        rule: "crm.opportunity_closed",
                        ..
                    })
                ));
            }
        }
    }

    #[test]
    fn opportunity_statuses_are_stored_as_before_and_unknown_ones_are_refused() {
        let stored: Vec<String> = OpportunityStatus::iter().map(|s| s.to_value()).collect();
        assert_eq!(stored, ["OPEN", "WON", "LOST"]);
        assert!(OpportunityStatus::try_from_value(&"open".to_owned()).is_err());
    }
}
