//! Customers (their contacts are in `contacts.rs`).
//!
//! The patterns every module copies: a create with an optional client-chosen id is
//! idempotent (same id and content: the existing row; other content: `CONFLICT`); updates carry
//! `expectedVersion` (stale: `CONFLICT`); customers are archived, not deleted, because
//! documents refer to them; each change writes an audit entry in its transaction.

use chrono::Utc;
use entities::master::customer;
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, Select, Set,
};
use uuid::Uuid;

use crate::audit::{self, AuditActor, Changes};
use crate::authz::Access;
use crate::authz::catalog::{CUSTOMER_READ, CUSTOMER_WRITE};
use crate::db::begin_write;
use crate::error::AppError;
use crate::modules::common::escape_like;
use crate::modules::common::{
    create_with_client_id, optional_email, optional_text, save_versioned, text,
};
use crate::modules::identity::service::references::require_active_user;
use crate::modules::master::service::reference::currency_digits;
use crate::money::Dec;

/// A customer's content, as given by a client.
#[derive(Debug, Clone, Default)]
pub struct CustomerInput {
    /// Legal name.
    pub name: String,
    /// Tax id.
    pub tax_id: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Billing address.
    pub billing_address: Option<String>,
    /// Shipping address.
    pub shipping_address: Option<String>,
    /// Currency code.
    pub currency: String,
    /// Credit limit as decimal text in `currency`.
    pub credit_limit: Option<String>,
    /// Responsible user (default: the creator).
    pub owner_id: Option<Uuid>,
    /// Payment terms.
    pub payment_term_id: Option<Uuid>,
}

/// Filter of the customer list.
#[derive(Debug, Default)]
pub struct CustomerFilter {
    /// Part of the name, email or tax id, any case.
    pub search: Option<String>,
    /// Active (true) or archived (false) only.
    pub is_active: Option<bool>,
    /// One owner's customers.
    pub owner_id: Option<Uuid>,
}

/// Customers `access` may see, filtered.
pub fn visible(
    access: &Access,
    filter: &CustomerFilter,
) -> Result<Select<customer::Entity>, AppError> {
    access.require(CUSTOMER_READ)?;
    let mut query = customer::Entity::find();
    if let Some(active) = filter.is_active {
        query = query.filter(customer::Column::IsActive.eq(active));
    }
    if let Some(owner) = filter.owner_id {
        query = query.filter(customer::Column::OwnerId.eq(owner));
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
                .add(Expr::expr(Func::lower(Expr::col(customer::Column::Name))).like(like()))
                .add(Expr::expr(Func::lower(Expr::col(customer::Column::Email))).like(like()))
                .add(Expr::expr(Func::lower(Expr::col(customer::Column::TaxId))).like(like())),
        );
    }
    Ok(query)
}

/// One customer.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    id: Uuid,
) -> Result<Option<customer::Model>, AppError> {
    access.require(CUSTOMER_READ)?;
    Ok(customer::Entity::find_by_id(id).one(db).await?)
}

/// Validated content, ready to store.
struct Clean {
    name: String,
    tax_id: Option<String>,
    email: Option<String>,
    phone: Option<String>,
    billing_address: Option<String>,
    shipping_address: Option<String>,
    currency: String,
    credit_limit_minor: Option<i64>,
}

async fn clean<C: ConnectionTrait>(db: &C, input: &CustomerInput) -> Result<Clean, AppError> {
    let (currency, digits) = currency_digits(db, &input.currency, "input.currency").await?;
    if let Some(id) = input.payment_term_id
        && entities::master::payment_term::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_none()
    {
        return Err(AppError::validation(
            "input.paymentTermId",
            "no such payment term",
        ));
    }
    let credit_limit_minor = match &input.credit_limit {
        None => None,
        Some(text) => {
            let minor = Dec::parse(text)
                .and_then(|d| d.to_scaled(digits))
                .map_err(|e| AppError::validation("input.creditLimit", e))?;
            if minor < 0 {
                return Err(AppError::validation(
                    "input.creditLimit",
                    "a credit limit is not negative",
                ));
            }
            Some(minor)
        }
    };
    Ok(Clean {
        name: text(&input.name, "input.name", 200)?,
        tax_id: optional_text(input.tax_id.as_deref(), "input.taxId", 50)?,
        email: optional_email(input.email.as_deref(), "input.email")?,
        phone: optional_text(input.phone.as_deref(), "input.phone", 40)?,
        billing_address: optional_text(
            input.billing_address.as_deref(),
            "input.billingAddress",
            1000,
        )?,
        shipping_address: optional_text(
            input.shipping_address.as_deref(),
            "input.shippingAddress",
            1000,
        )?,
        currency,
        credit_limit_minor,
    })
}

fn same_content(row: &customer::Model, c: &Clean, owner: Option<Uuid>) -> bool {
    row.name == c.name
        && row.tax_id == c.tax_id
        && row.email == c.email
        && row.phone == c.phone
        && row.billing_address == c.billing_address
        && row.shipping_address == c.shipping_address
        && row.currency == c.currency
        && row.credit_limit_minor == c.credit_limit_minor
        && row.owner_id == owner
}

/// Creates a customer (idempotent with a client-chosen `id`).
pub async fn create(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Option<Uuid>,
    input: CustomerInput,
) -> Result<customer::Model, AppError> {
    create_with_client_id(id, "customer", || async {
        let txn = begin_write(db).await?;
        require_active_user(&txn, input.owner_id, "input.ownerId").await?;
        let row = create_in(&txn, access, actor, id, input.clone()).await?;
        txn.commit().await?;
        Ok(row)
    })
    .await
}

/// [`create`] inside the caller's transaction (used by `convertLead`).
pub async fn create_in<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    actor: AuditActor,
    id: Option<Uuid>,
    input: CustomerInput,
) -> Result<customer::Model, AppError> {
    access.require(CUSTOMER_WRITE)?;
    let c = clean(db, &input).await?;
    let owner = input.owner_id.or(access.user_id());
    if let Some(id) = id
        && let Some(existing) = customer::Entity::find_by_id(id).one(db).await?
    {
        return if same_content(&existing, &c, owner) {
            Ok(existing)
        } else {
            Err(AppError::Conflict(format!(
                "another customer already has id {id}"
            )))
        };
    }
    let now = Utc::now();
    let row = customer::ActiveModel {
        id: Set(id.unwrap_or_else(Uuid::now_v7)),
        name: Set(c.name),
        tax_id: Set(c.tax_id),
        email: Set(c.email),
        phone: Set(c.phone),
        billing_address: Set(c.billing_address),
        shipping_address: Set(c.shipping_address),
        payment_term_id: Set(input.payment_term_id),
        currency: Set(c.currency),
        credit_limit_minor: Set(c.credit_limit_minor),
        owner_id: Set(owner),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        actor,
        "customer",
        row.id,
        "create",
        Changes::new()
            .field("name", None::<String>, &row.name)
            .field("taxId", None::<String>, &row.tax_id)
            .field("email", None::<String>, &row.email)
            .field("currency", None::<String>, &row.currency)
            .field("creditLimitMinor", None::<i64>, row.credit_limit_minor)
            .field("ownerId", None::<Uuid>, row.owner_id),
    )
    .await?;
    Ok(row)
}

/// Replaces a customer's content if `expected_version` is current.
pub async fn update(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
    input: CustomerInput,
    expected_version: i32,
) -> Result<customer::Model, AppError> {
    access.require(CUSTOMER_WRITE)?;
    let txn = begin_write(db).await?;
    let before = customer::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "customer" })?;
    let c = clean(&txn, &input).await?;
    require_active_user(&txn, input.owner_id, "input.ownerId").await?;
    let mut row: customer::ActiveModel = before.clone().into();
    row.name = Set(c.name);
    row.tax_id = Set(c.tax_id);
    row.email = Set(c.email);
    row.phone = Set(c.phone);
    row.billing_address = Set(c.billing_address);
    row.shipping_address = Set(c.shipping_address);
    row.currency = Set(c.currency);
    row.credit_limit_minor = Set(c.credit_limit_minor);
    row.payment_term_id = Set(input.payment_term_id);
    if let Some(owner) = input.owner_id {
        row.owner_id = Set(Some(owner));
    }
    row.version = Set(expected_version + 1);
    row.updated_at = Set(Utc::now());
    save_versioned(
        &txn,
        row,
        id,
        customer::Column::Id,
        customer::Column::Version,
        expected_version,
        "customer",
    )
    .await?;
    let after = customer::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "customer" })?;
    audit::record(
        &txn,
        actor,
        "customer",
        id,
        "update",
        changes(&before, &after),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Archives a customer: it stays for the documents that refer to it, but leaves lists of
/// active customers.
pub async fn archive(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
) -> Result<customer::Model, AppError> {
    access.require(CUSTOMER_WRITE)?;
    let txn = begin_write(db).await?;
    let before = customer::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "customer" })?;
    if !before.is_active {
        return Ok(before);
    }
    let mut row: customer::ActiveModel = before.clone().into();
    row.is_active = Set(false);
    row.version = Set(before.version + 1);
    row.updated_at = Set(Utc::now());
    save_versioned(
        &txn,
        row,
        id,
        customer::Column::Id,
        customer::Column::Version,
        before.version,
        "customer",
    )
    .await?;
    audit::record(
        &txn,
        actor,
        "customer",
        id,
        "archive",
        Changes::new().field("isActive", true, false),
    )
    .await?;
    txn.commit().await?;
    customer::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound { entity: "customer" })
}

fn changes(before: &customer::Model, after: &customer::Model) -> Changes {
    Changes::new()
        .field("name", &before.name, &after.name)
        .field("taxId", &before.tax_id, &after.tax_id)
        .field("email", &before.email, &after.email)
        .field("phone", &before.phone, &after.phone)
        .field(
            "billingAddress",
            &before.billing_address,
            &after.billing_address,
        )
        .field(
            "shippingAddress",
            &before.shipping_address,
            &after.shipping_address,
        )
        .field("currency", &before.currency, &after.currency)
        .field(
            "creditLimitMinor",
            before.credit_limit_minor,
            after.credit_limit_minor,
        )
        .field("ownerId", before.owner_id, after.owner_id)
        .field(
            "paymentTermId",
            before.payment_term_id,
            after.payment_term_id,
        )
}
