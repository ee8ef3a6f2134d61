//! Opportunities: a possible sale, moving through stages while `OPEN`, then `WON` or `LOST`.

use chrono::{NaiveDate, Utc};
use entities::crm::{opportunity, pipeline_stage};
use entities::master::customer;
use sea_orm::{
    ActiveModelTrait, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    Select, Set,
};
use uuid::Uuid;

use crate::audit::{self, AuditActor, Changes};
use crate::authz::Access;
use crate::authz::catalog::{OPPORTUNITY_READ, OPPORTUNITY_WRITE};
use crate::db::begin_write;
use crate::error::AppError;
use crate::modules::common::{create_with_client_id, optional_text, save_versioned, text};
use crate::modules::crm::service::{in_scope, new_owner, scope_condition, stages};
use crate::modules::identity::service::references::require_active_user;
use crate::modules::master::service::reference::currency_digits;
use crate::money::Dec;

/// Open, won or lost.
pub const OPEN: &str = "OPEN";
/// Won.
pub const WON: &str = "WON";
/// Lost.
pub const LOST: &str = "LOST";

/// An opportunity's content.
#[derive(Debug, Clone)]
pub struct OpportunityInput {
    /// Title.
    pub title: String,
    /// The customer.
    pub customer_id: Uuid,
    /// Amount, decimal text in `currency`.
    pub amount: String,
    /// Currency.
    pub currency: String,
    /// Stage (default: the first).
    pub stage_id: Option<Uuid>,
    /// Owner (default: the creator).
    pub owner_id: Option<Uuid>,
    /// Expected close date.
    pub expected_close_date: Option<NaiveDate>,
}

/// Filter of the opportunity list.
#[derive(Debug, Default)]
pub struct OpportunityFilter {
    /// `OPEN`, `WON`, `LOST`.
    pub status: Vec<String>,
    /// One stage.
    pub stage_id: Option<Uuid>,
    /// One owner.
    pub owner_id: Option<Uuid>,
    /// One customer.
    pub customer_id: Option<Uuid>,
}

/// Opportunities `access` may see (scope applied), filtered.
pub fn visible(
    access: &Access,
    filter: &OpportunityFilter,
) -> Result<Select<opportunity::Entity>, AppError> {
    let mut query = opportunity::Entity::find().filter(scope_condition(
        access,
        OPPORTUNITY_READ,
        &[opportunity::Column::OwnerId],
    )?);
    if !filter.status.is_empty() {
        query = query.filter(opportunity::Column::Status.is_in(filter.status.iter().cloned()));
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
    Ok(query)
}

/// One visible opportunity.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    id: Uuid,
) -> Result<Option<opportunity::Model>, AppError> {
    Ok(visible(access, &OpportunityFilter::default())?
        .filter(opportunity::Column::Id.eq(id))
        .one(db)
        .await?)
}

struct Clean {
    title: String,
    amount_minor: i64,
    currency: String,
    stage_id: Uuid,
}

async fn clean<C: ConnectionTrait>(db: &C, input: &OpportunityInput) -> Result<Clean, AppError> {
    let title = text(&input.title, "input.title", 200)?;
    customer::Entity::find_by_id(input.customer_id)
        .one(db)
        .await?
        .ok_or_else(|| AppError::validation("input.customerId", "no such customer"))?;
    let (currency, digits) = currency_digits(db, &input.currency, "input.amount.currency").await?;
    let amount_minor = Dec::parse(&input.amount)
        .and_then(|d| d.to_scaled(digits))
        .map_err(|e| AppError::validation("input.amount", e))?;
    if amount_minor < 0 {
        return Err(AppError::validation(
            "input.amount",
            "an amount is not negative",
        ));
    }
    let stage_id = match input.stage_id {
        Some(id) => {
            pipeline_stage::Entity::find_by_id(id)
                .one(db)
                .await?
                .ok_or_else(|| AppError::validation("input.stageId", "no such stage"))?;
            id
        }
        None => stages::first(db).await?.id,
    };
    Ok(Clean {
        title,
        amount_minor,
        currency,
        stage_id,
    })
}

/// Creates an opportunity (idempotent with a client-chosen `id`).
pub async fn create(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Option<Uuid>,
    input: OpportunityInput,
) -> Result<opportunity::Model, AppError> {
    create_with_client_id(id, "opportunity", || async {
        let txn = begin_write(db).await?;
        new_owner(access, OPPORTUNITY_WRITE, input.owner_id)?;
        require_active_user(&txn, input.owner_id, "input.ownerId").await?;
        let row = create_in(&txn, access, actor, id, input.clone(), None).await?;
        txn.commit().await?;
        Ok(row)
    })
    .await
}

/// [`create`] inside the caller's transaction (`convertLead`), optionally from a lead.
pub async fn create_in<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    actor: AuditActor,
    id: Option<Uuid>,
    input: OpportunityInput,
    lead_id: Option<Uuid>,
) -> Result<opportunity::Model, AppError> {
    let owner = new_owner(access, OPPORTUNITY_WRITE, input.owner_id)?;
    let c = clean(db, &input).await?;
    if let Some(id) = id
        && let Some(existing) = opportunity::Entity::find_by_id(id).one(db).await?
    {
        let same = existing.title == c.title
            && existing.customer_id == input.customer_id
            && existing.amount_minor == c.amount_minor
            && existing.currency == c.currency
            && existing.owner_id == owner;
        return if same {
            Ok(existing)
        } else {
            Err(AppError::Conflict(format!(
                "another opportunity already has id {id}"
            )))
        };
    }
    let now = Utc::now();
    let row = opportunity::ActiveModel {
        id: Set(id.unwrap_or_else(Uuid::now_v7)),
        title: Set(c.title),
        customer_id: Set(input.customer_id),
        amount_minor: Set(c.amount_minor),
        currency: Set(c.currency),
        stage_id: Set(c.stage_id),
        owner_id: Set(owner),
        expected_close_date: Set(input.expected_close_date),
        status: Set(OPEN.to_owned()),
        lost_reason: Set(None),
        closed_at: Set(None),
        lead_id: Set(lead_id),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        actor,
        "opportunity",
        row.id,
        "create",
        Changes::new()
            .field("title", None::<String>, &row.title)
            .field("customerId", None::<Uuid>, Some(row.customer_id))
            .field("amountMinor", None::<i64>, Some(row.amount_minor))
            .field("currency", None::<String>, &row.currency)
            .field("stageId", None::<Uuid>, Some(row.stage_id)),
    )
    .await?;
    Ok(row)
}

/// The opportunity `id` if `access` may change it, or `NOT_FOUND`.
async fn writable<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    id: Uuid,
) -> Result<opportunity::Model, AppError> {
    access.require(OPPORTUNITY_WRITE)?;
    opportunity::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|o| {
            in_scope(access, OPPORTUNITY_READ, &[o.owner_id])
                && in_scope(access, OPPORTUNITY_WRITE, &[o.owner_id])
        })
        .ok_or(AppError::NotFound {
            entity: "opportunity",
        })
}

fn ensure_open(row: &opportunity::Model) -> Result<(), AppError> {
    if row.status != OPEN {
        return Err(AppError::BusinessRule {
            rule: "crm.opportunity_closed",
            message: format!("the opportunity is {}", row.status.to_lowercase()),
        });
    }
    Ok(())
}

/// Replaces an open opportunity's content (moving it between stages) if `expected_version`
/// is current.
pub async fn update(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
    input: OpportunityInput,
    expected_version: i32,
) -> Result<opportunity::Model, AppError> {
    let txn = begin_write(db).await?;
    let before = writable(&txn, access, id).await?;
    ensure_open(&before)?;
    let c = clean(&txn, &input).await?;
    let mut row: opportunity::ActiveModel = before.clone().into();
    row.title = Set(c.title);
    row.customer_id = Set(input.customer_id);
    row.amount_minor = Set(c.amount_minor);
    row.currency = Set(c.currency);
    row.stage_id = Set(c.stage_id);
    if let Some(owner) = input.owner_id {
        row.owner_id = Set(new_owner(access, OPPORTUNITY_WRITE, Some(owner))?);
        require_active_user(&txn, Some(owner), "input.ownerId").await?;
    }
    row.expected_close_date = Set(input.expected_close_date);
    row.version = Set(expected_version + 1);
    row.updated_at = Set(Utc::now());
    save_versioned(
        &txn,
        row,
        id,
        opportunity::Column::Id,
        opportunity::Column::Version,
        expected_version,
        "opportunity",
    )
    .await?;
    let after = opportunity::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound {
            entity: "opportunity",
        })?;
    audit::record(
        &txn,
        actor,
        "opportunity",
        id,
        "update",
        Changes::new()
            .field("title", &before.title, &after.title)
            .field("amountMinor", before.amount_minor, after.amount_minor)
            .field("currency", &before.currency, &after.currency)
            .field("stageId", before.stage_id, after.stage_id)
            .field("ownerId", before.owner_id, after.owner_id),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Closes an open opportunity as won, or lost with a reason.
pub async fn close(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
    won: bool,
    reason: Option<String>,
) -> Result<opportunity::Model, AppError> {
    let txn = begin_write(db).await?;
    let before = writable(&txn, access, id).await?;
    ensure_open(&before)?;
    let status = if won { WON } else { LOST };
    let mut row: opportunity::ActiveModel = before.clone().into();
    row.status = Set(status.to_owned());
    if !won {
        row.lost_reason = Set(optional_text(reason.as_deref(), "reason", 500)?);
    }
    row.closed_at = Set(Some(Utc::now()));
    row.version = Set(before.version + 1);
    row.updated_at = Set(Utc::now());
    save_versioned(
        &txn,
        row,
        id,
        opportunity::Column::Id,
        opportunity::Column::Version,
        before.version,
        "opportunity",
    )
    .await?;
    audit::record(
        &txn,
        actor,
        "opportunity",
        id,
        if won { "win" } else { "lose" },
        Changes::new().field("status", OPEN, status),
    )
    .await?;
    txn.commit().await?;
    opportunity::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound {
            entity: "opportunity",
        })
}
