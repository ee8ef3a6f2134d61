//! Leads: NEW → CONTACTED → QUALIFIED → CONVERTED, or DISQUALIFIED from any open status.
//! Conversion itself is in `conversion.rs`.
//!
//! The status is the entity's [`LeadStatus`] from the column to the schema; its transitions
//! are the pure [`LeadLifecycle::after`]. Writes go through the kit: an idempotent create
//! (every column compared on a replay), patches and transitions as versioned updates audited
//! as row diffs under the action's name (`contact`, `qualify`, `disqualify`, `convert`).

use chrono::Utc;
use entities::crm::lead::{self, LeadStatus};
use sea_orm::{ColumnTrait, QueryFilter, QueryTrait, Select, Set};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::LEAD_WRITE;
use crate::error::AppError;
use crate::kit::resource::{new_owner, visible as scoped};
use crate::kit::{Write, write};
use crate::modules::common::{contains, optional_email, optional_text, text};
use crate::modules::crm::service::rule;
use crate::modules::identity::service::references::require_active_user;

/// What happens to a lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Record a first contact.
    Contact,
    /// Judge it worth pursuing.
    Qualify,
    /// Judge it not worth pursuing.
    Disqualify,
    /// Turn it into a customer and an opportunity (`conversion.rs`).
    Convert,
}

impl Action {
    /// The name of the action in the audit log and domain events.
    pub fn name(self) -> &'static str {
        match self {
            Self::Contact => "contact",
            Self::Qualify => "qualify",
            Self::Disqualify => "disqualify",
            Self::Convert => "convert",
        }
    }
}

/// The lead state machine, on the stored status.
pub trait LeadLifecycle: Sized {
    /// The status after `action`, or the rule it breaks (`BUSINESS_RULE`).
    fn after(self, action: Action) -> Result<Self, AppError>;
}

impl LeadLifecycle for LeadStatus {
    fn after(self, action: Action) -> Result<Self, AppError> {
        use Action::*;
        use LeadStatus::*;
        ensure_open(self)?;
        match (self, action) {
            (New, Contact) => Ok(Contacted),
            (New | Contacted, Qualify) => Ok(Qualified),
            (_, Disqualify) => Ok(Disqualified),
            (_, Convert) => Ok(Converted),
            (from, action) => Err(rule(
                "crm.lead_status",
                format!(
                    "a {} lead cannot be {}ed",
                    format!("{from:?}").to_lowercase(),
                    action.name()
                ),
            )),
        }
    }
}

/// `BUSINESS_RULE` for a converted or disqualified lead: nothing changes it any more.
pub fn ensure_open(status: LeadStatus) -> Result<(), AppError> {
    match status {
        LeadStatus::Converted => Err(rule("crm.lead_converted", "the lead is already converted")),
        LeadStatus::Disqualified => Err(rule("crm.lead_disqualified", "the lead is disqualified")),
        LeadStatus::New | LeadStatus::Contacted | LeadStatus::Qualified => Ok(()),
    }
}

/// A change of a lead: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct LeadPatch {
    /// What the lead is about.
    pub title: Option<String>,
    /// Company.
    pub company_name: Option<Option<String>>,
    /// Person.
    pub contact_name: Option<String>,
    /// Email.
    pub email: Option<Option<String>>,
    /// Phone.
    pub phone: Option<Option<String>>,
    /// Tax id of the company.
    pub tax_id: Option<Option<String>>,
    /// Where it came from.
    pub source: Option<Option<String>>,
    /// Owner (cleared: the caller).
    pub owner_id: Option<Option<Uuid>>,
}

/// Filter of the lead list.
#[derive(Debug, Default)]
pub struct LeadFilter {
    /// Statuses to include.
    pub status: Vec<LeadStatus>,
    /// Part of the title, company, contact or email.
    pub search: Option<String>,
    /// One owner's leads.
    pub owner_id: Option<Uuid>,
}

/// Leads `access` may see (scope applied), filtered.
pub fn visible(access: &Access, filter: &LeadFilter) -> Result<Select<lead::Entity>, AppError> {
    let mut query = scoped::<lead::Entity>(access)?;
    if !filter.status.is_empty() {
        query = query.filter(lead::Column::Status.is_in(filter.status.iter().copied()));
    }
    if let Some(owner) = filter.owner_id {
        query = query.filter(lead::Column::OwnerId.eq(owner));
    }
    query = query.apply_if(
        contains(
            filter.search.as_deref(),
            &[
                lead::Column::Title,
                lead::Column::CompanyName,
                lead::Column::ContactName,
                lead::Column::Email,
            ],
        ),
        QueryFilter::filter,
    );
    Ok(query)
}

/// Validates the fields `patch` gives and sets them on `row`.
async fn apply(
    w: &Write<'_>,
    patch: LeadPatch,
    row: &mut lead::ActiveModel,
) -> Result<(), AppError> {
    if let Some(v) = &patch.title {
        row.title = Set(text(v, "input.title", 200)?);
    }
    if let Some(v) = &patch.company_name {
        row.company_name = Set(optional_text(v.as_deref(), "input.companyName", 200)?);
    }
    if let Some(v) = &patch.contact_name {
        row.contact_name = Set(text(v, "input.contactName", 200)?);
    }
    if let Some(v) = &patch.email {
        row.email = Set(optional_email(v.as_deref(), "input.email")?);
    }
    if let Some(v) = &patch.phone {
        row.phone = Set(optional_text(v.as_deref(), "input.phone", 40)?);
    }
    if let Some(v) = &patch.tax_id {
        row.tax_id = Set(optional_text(v.as_deref(), "input.taxId", 50)?);
    }
    if let Some(v) = &patch.source {
        row.source = Set(optional_text(v.as_deref(), "input.source", 100)?);
    }
    if let Some(owner) = patch.owner_id {
        let owner = new_owner::<lead::Entity>(w.access(), owner)?;
        require_active_user(w, owner, "input.ownerId").await?;
        row.owner_id = Set(owner);
    }
    Ok(())
}

/// Creates a `NEW` lead (idempotent with a client-chosen `id`).
pub async fn create(
    w: &Write<'_>,
    id: Option<Uuid>,
    input: LeadPatch,
) -> Result<lead::Model, AppError> {
    w.access().require(LEAD_WRITE)?;
    let now = Utc::now();
    let mut row = lead::ActiveModel {
        id: Set(id.unwrap_or_else(Uuid::now_v7)),
        status: Set(LeadStatus::New),
        disqualified_reason: Set(None),
        customer_id: Set(None),
        opportunity_id: Set(None),
        converted_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
        ..Default::default()
    };
    apply(w, input, &mut row).await?;
    write::insert::<lead::Entity>(w, row, id.is_some()).await
}

/// Changes the fields `patch` gives of a lead that is not converted or disqualified, if
/// `expected_version` is current.
pub async fn update(
    w: &Write<'_>,
    id: Uuid,
    patch: LeadPatch,
    expected_version: i32,
) -> Result<lead::Model, AppError> {
    let before = write::find_for_write::<lead::Entity>(w, id).await?;
    ensure_open(before.status)?;
    let mut row = lead::ActiveModel::default();
    apply(w, patch, &mut row).await?;
    write::update::<lead::Entity>(w, &before, row, expected_version, "update").await
}

/// Moves a lead by `action` (contact, qualify, disqualify with `reason`); conversion is
/// [`convert`](crate::modules::crm::service::conversion::convert).
pub async fn advance(
    w: &Write<'_>,
    id: Uuid,
    action: Action,
    reason: Option<String>,
) -> Result<lead::Model, AppError> {
    if action == Action::Convert {
        return Err(AppError::Internal(
            "a lead is converted by conversion::convert".into(),
        ));
    }
    let before = write::find_for_write::<lead::Entity>(w, id).await?;
    let mut row = lead::ActiveModel {
        status: Set(before.status.after(action)?),
        ..Default::default()
    };
    if action == Action::Disqualify {
        row.disqualified_reason = Set(optional_text(reason.as_deref(), "reason", 500)?);
    }
    write::update::<lead::Entity>(w, &before, row, before.version, action.name()).await
}

#[cfg(test)]
mod tests {
    use super::*;
    use sea_orm::{ActiveEnum, Iterable};

    #[test]
    fn the_lead_state_machine_allows_only_its_transitions() {
        use Action::*;
        use LeadStatus::*;
        assert_eq!(New.after(Contact).unwrap(), Contacted);
        assert_eq!(Contacted.after(Qualify).unwrap(), Qualified);
        assert_eq!(New.after(Qualify).unwrap(), Qualified);
        for s in [New, Contacted, Qualified] {
            assert_eq!(s.after(Convert).unwrap(), Converted);
            assert_eq!(s.after(Disqualify).unwrap(), Disqualified);
        }
        assert!(Qualified.after(Contact).is_err());
        for a in [Contact, Qualify, Disqualify, Convert] {
            assert!(matches!(
                Converted.after(a),
                Err(AppError::BusinessRule {
                    rule: "crm.lead_converted",
                    ..
                })
            ));
            assert!(Disqualified.after(a).is_err());
        }
    }

    #[test]
    fn lead_statuses_are_stored_as_before_and_unknown_ones_are_refused() {
        let stored: Vec<String> = LeadStatus::iter().map(|s| s.to_value()).collect();
        assert_eq!(
            stored,
            ["NEW", "CONTACTED", "QUALIFIED", "CONVERTED", "DISQUALIFIED"]
        );
        assert!(LeadStatus::try_from_value(&"LOST".to_owned()).is_err());
    }
}
