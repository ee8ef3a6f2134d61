//! Leads: NEW → CONTACTED → QUALIFIED → CONVERTED, or DISQUALIFIED from any open status.
//! Conversion itself is in `conversion.rs`.

use chrono::Utc;
use entities::crm::lead;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, Select, Set,
};
use uuid::Uuid;

use crate::audit::{self, AuditActor, Changes};
use crate::authz::Access;
use crate::authz::catalog::{LEAD_READ, LEAD_WRITE};
use crate::db::begin_write;
use crate::error::AppError;
use crate::modules::common::{
    create_with_client_id, escape_like, optional_email, optional_text, save_versioned, text,
};
use crate::modules::crm::service::{in_scope, new_owner, scope_condition};
use crate::modules::identity::service::references::require_active_user;

/// Where a lead is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Status {
    /// Just in.
    New,
    /// Someone talked to them.
    Contacted,
    /// Worth pursuing.
    Qualified,
    /// Became a customer and an opportunity.
    Converted,
    /// Not worth pursuing.
    Disqualified,
}

/// What happens to a lead.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// Record a first contact.
    Contact,
    /// Judge it worth pursuing.
    Qualify,
    /// Judge it not worth pursuing.
    Disqualify,
    /// Turn it into a customer and an opportunity.
    Convert,
}

impl Status {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::New => "NEW",
            Self::Contacted => "CONTACTED",
            Self::Qualified => "QUALIFIED",
            Self::Converted => "CONVERTED",
            Self::Disqualified => "DISQUALIFIED",
        }
    }

    /// Parses the stored form.
    pub fn parse(raw: &str) -> Option<Self> {
        [
            Self::New,
            Self::Contacted,
            Self::Qualified,
            Self::Converted,
            Self::Disqualified,
        ]
        .into_iter()
        .find(|s| s.as_str() == raw)
    }

    /// The status after `action`, or the rule it breaks.
    pub fn after(self, action: Action) -> Result<Self, AppError> {
        use Action::*;
        use Status::*;
        match (self, action) {
            (Converted, _) => Err(rule("crm.lead_converted", "the lead is already converted")),
            (Disqualified, _) => Err(rule("crm.lead_disqualified", "the lead is disqualified")),
            (New, Contact) => Ok(Contacted),
            (New | Contacted, Qualify) => Ok(Qualified),
            (_, Disqualify) => Ok(Disqualified),
            (_, Convert) => Ok(Converted),
            (from, action) => Err(rule(
                "crm.lead_status",
                &format!(
                    "a {} lead cannot be {action:?}ed",
                    from.as_str().to_lowercase()
                ),
            )),
        }
    }
}

fn rule(rule: &'static str, message: &str) -> AppError {
    AppError::BusinessRule {
        rule,
        message: message.to_owned(),
    }
}

/// A lead's content.
#[derive(Debug, Clone, Default)]
pub struct LeadInput {
    /// What the lead is about.
    pub title: String,
    /// Company.
    pub company_name: Option<String>,
    /// Person.
    pub contact_name: String,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Tax id of the company.
    pub tax_id: Option<String>,
    /// Where it came from.
    pub source: Option<String>,
    /// Owner (default: the creator).
    pub owner_id: Option<Uuid>,
}

/// Filter of the lead list.
#[derive(Debug, Default)]
pub struct LeadFilter {
    /// Statuses to include.
    pub status: Vec<Status>,
    /// Part of the title, company, contact or email.
    pub search: Option<String>,
    /// One owner's leads.
    pub owner_id: Option<Uuid>,
}

/// Leads `access` may see (scope applied), filtered.
pub fn visible(access: &Access, filter: &LeadFilter) -> Result<Select<lead::Entity>, AppError> {
    let mut query = lead::Entity::find().filter(scope_condition(
        access,
        LEAD_READ,
        &[lead::Column::OwnerId],
    )?);
    if !filter.status.is_empty() {
        query = query.filter(lead::Column::Status.is_in(filter.status.iter().map(|s| s.as_str())));
    }
    if let Some(owner) = filter.owner_id {
        query = query.filter(lead::Column::OwnerId.eq(owner));
    }
    if let Some(search) = filter
        .search
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let pattern = format!("%{}%", escape_like(&search.to_lowercase()));
        let like = || LikeExpr::new(pattern.as_str()).escape('\\');
        query = query.filter(
            Condition::any()
                .add(Expr::expr(Func::lower(Expr::col(lead::Column::Title))).like(like()))
                .add(Expr::expr(Func::lower(Expr::col(lead::Column::CompanyName))).like(like()))
                .add(Expr::expr(Func::lower(Expr::col(lead::Column::ContactName))).like(like()))
                .add(Expr::expr(Func::lower(Expr::col(lead::Column::Email))).like(like())),
        );
    }
    Ok(query)
}

/// One visible lead.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    id: Uuid,
) -> Result<Option<lead::Model>, AppError> {
    Ok(visible(access, &LeadFilter::default())?
        .filter(lead::Column::Id.eq(id))
        .one(db)
        .await?)
}

/// The lead `id` if `access` may change it, or `NOT_FOUND`.
pub(super) async fn writable<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    id: Uuid,
) -> Result<lead::Model, AppError> {
    access.require(LEAD_WRITE)?;
    lead::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|l| {
            in_scope(access, LEAD_READ, &[l.owner_id])
                && in_scope(access, LEAD_WRITE, &[l.owner_id])
        })
        .ok_or(AppError::NotFound { entity: "lead" })
}

/// Creates a lead (idempotent with a client-chosen `id`, also under concurrent replays).
pub async fn create(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Option<Uuid>,
    input: LeadInput,
) -> Result<lead::Model, AppError> {
    create_with_client_id(id, "lead", || {
        create_once(db, access, actor, id, input.clone())
    })
    .await
}

// One attempt of `create` (see `create_with_client_id`).
async fn create_once(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Option<Uuid>,
    input: LeadInput,
) -> Result<lead::Model, AppError> {
    let owner = new_owner(access, LEAD_WRITE, input.owner_id)?;
    let title = text(&input.title, "input.title", 200)?;
    let contact_name = text(&input.contact_name, "input.contactName", 200)?;
    let company_name = optional_text(input.company_name.as_deref(), "input.companyName", 200)?;
    let email = optional_email(input.email.as_deref(), "input.email")?;
    let phone = optional_text(input.phone.as_deref(), "input.phone", 40)?;
    let tax_id = optional_text(input.tax_id.as_deref(), "input.taxId", 50)?;
    let source = optional_text(input.source.as_deref(), "input.source", 100)?;
    let txn = begin_write(db).await?;
    require_active_user(&txn, input.owner_id, "input.ownerId").await?;
    if let Some(id) = id
        && let Some(existing) = lead::Entity::find_by_id(id).one(&txn).await?
    {
        let same = existing.title == title
            && existing.contact_name == contact_name
            && existing.company_name == company_name
            && existing.email == email
            && existing.owner_id == owner;
        return if same {
            Ok(existing)
        } else {
            Err(AppError::Conflict(format!(
                "another lead already has id {id}"
            )))
        };
    }
    let now = Utc::now();
    let row = lead::ActiveModel {
        id: Set(id.unwrap_or_else(Uuid::now_v7)),
        title: Set(title),
        company_name: Set(company_name),
        contact_name: Set(contact_name),
        email: Set(email),
        phone: Set(phone),
        tax_id: Set(tax_id),
        source: Set(source),
        status: Set(Status::New.as_str().to_owned()),
        disqualified_reason: Set(None),
        owner_id: Set(owner),
        customer_id: Set(None),
        opportunity_id: Set(None),
        converted_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await?;
    audit::record(
        &txn,
        actor,
        "lead",
        row.id,
        "create",
        Changes::new()
            .field("title", None::<String>, &row.title)
            .field("contactName", None::<String>, &row.contact_name)
            .field("ownerId", None::<Uuid>, row.owner_id),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Moves a lead by `action` (contact, qualify, disqualify with `reason`).
pub async fn advance(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
    action: Action,
    reason: Option<String>,
) -> Result<lead::Model, AppError> {
    let txn = begin_write(db).await?;
    let before = writable(&txn, access, id).await?;
    let from = Status::parse(&before.status)
        .ok_or_else(|| AppError::Internal("unknown lead status".into()))?;
    let to = from.after(action)?;
    let mut row: lead::ActiveModel = before.clone().into();
    row.status = Set(to.as_str().to_owned());
    if action == Action::Disqualify {
        row.disqualified_reason = Set(optional_text(reason.as_deref(), "reason", 500)?);
    }
    row.version = Set(before.version + 1);
    row.updated_at = Set(Utc::now());
    save_versioned(
        &txn,
        row,
        id,
        lead::Column::Id,
        lead::Column::Version,
        before.version,
        "lead",
    )
    .await?;
    audit::record(
        &txn,
        actor,
        "lead",
        id,
        &format!("{action:?}").to_lowercase(),
        Changes::new().field("status", from.as_str(), to.as_str()),
    )
    .await?;
    txn.commit().await?;
    lead::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound { entity: "lead" })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lead_state_machine_allows_only_its_transitions() {
        use Action::*;
        use Status::*;
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
        for s in [New, Contacted, Qualified, Converted, Disqualified] {
            assert_eq!(Status::parse(s.as_str()), Some(s));
        }
    }
}
