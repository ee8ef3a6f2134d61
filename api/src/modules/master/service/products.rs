//! Products: unique SKU, exact prices (`*_micros` per unit), a cost price that only holders of
//! `master.product.cost.read` see, archived rather than deleted.

use chrono::Utc;
use entities::master::{product, tax_rate, unit_of_measure};
use sea_orm::sea_query::{Expr, ExprTrait, Func, LikeExpr};
use sea_orm::{
    ActiveModelTrait, ColumnTrait, Condition, ConnectionTrait, DatabaseConnection, EntityTrait,
    QueryFilter, Select, Set,
};
use uuid::Uuid;

use crate::audit::{self, AuditActor, Changes};
use crate::authz::Access;
use crate::authz::catalog::{PRODUCT_READ, PRODUCT_WRITE};
use crate::db::begin_write;
use crate::error::AppError;
use crate::modules::common::{
    create_with_client_id, escape_like, save_versioned, text, unique_conflict,
};
use crate::modules::master::service::reference::currency_digits;
use crate::money::{Dec, MICRO_SCALE};

/// Goods are stocked; services are not.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Stocked goods.
    Goods,
    /// A service.
    Service,
}

impl Kind {
    /// The stored form.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Goods => "GOODS",
            Self::Service => "SERVICE",
        }
    }
}

/// A product's content.
#[derive(Debug, Clone)]
pub struct ProductInput {
    /// Unique SKU.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Goods or service.
    pub kind: Kind,
    /// Unit code.
    pub unit: String,
    /// Price currency.
    pub currency: String,
    /// Sale price per unit, decimal text.
    pub sale_price: String,
    /// Cost price per unit, decimal text.
    pub cost_price: Option<String>,
    /// Tax rate.
    pub tax_rate_id: Option<Uuid>,
    /// Category.
    pub category_id: Option<Uuid>,
    /// Serial numbers tracked per unit.
    pub serial_tracked: bool,
}

/// Filter of the product list.
#[derive(Debug, Default)]
pub struct ProductFilter {
    /// Part of the SKU or name, any case.
    pub search: Option<String>,
    /// Active (true) or archived (false) only.
    pub is_active: Option<bool>,
}

/// Products `access` may see.
pub fn visible(
    access: &Access,
    filter: &ProductFilter,
) -> Result<Select<product::Entity>, AppError> {
    access.require(PRODUCT_READ)?;
    let mut query = product::Entity::find();
    if let Some(active) = filter.is_active {
        query = query.filter(product::Column::IsActive.eq(active));
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
                .add(Expr::expr(Func::lower(Expr::col(product::Column::Sku))).like(like()))
                .add(Expr::expr(Func::lower(Expr::col(product::Column::Name))).like(like())),
        );
    }
    Ok(query)
}

/// One product.
pub async fn get<C: ConnectionTrait>(
    db: &C,
    access: &Access,
    id: Uuid,
) -> Result<Option<product::Model>, AppError> {
    access.require(PRODUCT_READ)?;
    Ok(product::Entity::find_by_id(id).one(db).await?)
}

fn price(text: &str, field: &str) -> Result<i64, AppError> {
    let micros = Dec::parse(text)
        .and_then(|d| d.to_scaled(MICRO_SCALE))
        .map_err(|e| AppError::validation(field, e))?;
    if micros < 0 {
        return Err(AppError::validation(field, "a price is not negative"));
    }
    Ok(micros)
}

struct Clean {
    sku: String,
    name: String,
    unit: String,
    currency: String,
    sale_price_micros: i64,
    cost_price_micros: Option<i64>,
}

async fn clean<C: ConnectionTrait>(db: &C, input: &ProductInput) -> Result<Clean, AppError> {
    let sku = text(&input.sku, "input.sku", 64)?;
    let (currency, _) = currency_digits(db, &input.currency, "input.currency").await?;
    let unit = input.unit.trim().to_owned();
    if unit_of_measure::Entity::find_by_id(unit.clone())
        .one(db)
        .await?
        .is_none()
    {
        return Err(AppError::validation(
            "input.unit",
            format!("`{unit}` is not a unit of measure"),
        ));
    }
    if let Some(id) = input.tax_rate_id
        && tax_rate::Entity::find_by_id(id).one(db).await?.is_none()
    {
        return Err(AppError::validation("input.taxRateId", "no such tax rate"));
    }
    if let Some(id) = input.category_id
        && entities::master::product_category::Entity::find_by_id(id)
            .one(db)
            .await?
            .is_none()
    {
        return Err(AppError::validation("input.categoryId", "no such category"));
    }
    Ok(Clean {
        sku,
        name: text(&input.name, "input.name", 200)?,
        unit,
        currency,
        sale_price_micros: price(&input.sale_price, "input.salePrice")?,
        cost_price_micros: input
            .cost_price
            .as_deref()
            .map(|p| price(p, "input.costPrice"))
            .transpose()?,
    })
}

async fn ensure_sku_free<C: ConnectionTrait>(
    db: &C,
    sku: &str,
    except: Option<Uuid>,
) -> Result<(), AppError> {
    let mut query = product::Entity::find().filter(product::Column::Sku.eq(sku));
    if let Some(id) = except {
        query = query.filter(product::Column::Id.ne(id));
    }
    if query.one(db).await?.is_some() {
        return Err(AppError::Conflict(format!(
            "a product with SKU {sku} already exists"
        )));
    }
    Ok(())
}

/// Creates a product (idempotent with a client-chosen `id`, also under concurrent replays).
pub async fn create(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Option<Uuid>,
    input: ProductInput,
) -> Result<product::Model, AppError> {
    create_with_client_id(id, "product", || {
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
    input: ProductInput,
) -> Result<product::Model, AppError> {
    access.require(PRODUCT_WRITE)?;
    let txn = begin_write(db).await?;
    let c = clean(&txn, &input).await?;
    if let Some(id) = id
        && let Some(existing) = product::Entity::find_by_id(id).one(&txn).await?
    {
        let same = existing.sku == c.sku
            && existing.name == c.name
            && existing.kind == input.kind.as_str()
            && existing.unit == c.unit
            && existing.currency == c.currency
            && existing.sale_price_micros == c.sale_price_micros
            && existing.cost_price_micros == c.cost_price_micros
            && existing.tax_rate_id == input.tax_rate_id
            && existing.category_id == input.category_id
            && existing.serial_tracked == input.serial_tracked;
        return if same {
            Ok(existing)
        } else {
            Err(AppError::Conflict(format!(
                "another product already has id {id}"
            )))
        };
    }
    ensure_sku_free(&txn, &c.sku, None).await?;
    let now = Utc::now();
    let row = product::ActiveModel {
        id: Set(id.unwrap_or_else(Uuid::now_v7)),
        sku: Set(c.sku),
        name: Set(c.name),
        kind: Set(input.kind.as_str().to_owned()),
        unit: Set(c.unit),
        category_id: Set(input.category_id),
        currency: Set(c.currency),
        sale_price_micros: Set(c.sale_price_micros),
        cost_price_micros: Set(c.cost_price_micros),
        tax_rate_id: Set(input.tax_rate_id),
        serial_tracked: Set(input.serial_tracked),
        is_active: Set(true),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    }
    .insert(&txn)
    .await
    .map_err(|e| unique_conflict(e, "product"))?;
    audit::record(
        &txn,
        actor,
        "product",
        row.id,
        "create",
        Changes::new()
            .field("sku", None::<String>, &row.sku)
            .field("name", None::<String>, &row.name)
            .field("salePriceMicros", None::<i64>, row.sale_price_micros)
            .field("costPriceMicros", None::<i64>, row.cost_price_micros),
    )
    .await?;
    txn.commit().await?;
    Ok(row)
}

/// Replaces a product's content if `expected_version` is current.
pub async fn update(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
    input: ProductInput,
    expected_version: i32,
) -> Result<product::Model, AppError> {
    access.require(PRODUCT_WRITE)?;
    let txn = begin_write(db).await?;
    let before = product::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "product" })?;
    let c = clean(&txn, &input).await?;
    ensure_sku_free(&txn, &c.sku, Some(id)).await?;
    let mut row: product::ActiveModel = before.clone().into();
    row.sku = Set(c.sku);
    row.name = Set(c.name);
    row.kind = Set(input.kind.as_str().to_owned());
    row.unit = Set(c.unit);
    row.currency = Set(c.currency);
    row.sale_price_micros = Set(c.sale_price_micros);
    row.cost_price_micros = Set(c.cost_price_micros);
    row.tax_rate_id = Set(input.tax_rate_id);
    row.category_id = Set(input.category_id);
    row.serial_tracked = Set(input.serial_tracked);
    row.version = Set(expected_version + 1);
    row.updated_at = Set(Utc::now());
    save_versioned(
        &txn,
        row,
        id,
        product::Column::Id,
        product::Column::Version,
        expected_version,
        "product",
    )
    .await?;
    let after = product::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "product" })?;
    audit::record(
        &txn,
        actor,
        "product",
        id,
        "update",
        Changes::new()
            .field("sku", &before.sku, &after.sku)
            .field("name", &before.name, &after.name)
            .field(
                "salePriceMicros",
                before.sale_price_micros,
                after.sale_price_micros,
            )
            .field(
                "costPriceMicros",
                before.cost_price_micros,
                after.cost_price_micros,
            ),
    )
    .await?;
    txn.commit().await?;
    Ok(after)
}

/// Archives a product.
pub async fn archive(
    db: &DatabaseConnection,
    access: &Access,
    actor: AuditActor,
    id: Uuid,
) -> Result<product::Model, AppError> {
    access.require(PRODUCT_WRITE)?;
    let txn = begin_write(db).await?;
    let before = product::Entity::find_by_id(id)
        .one(&txn)
        .await?
        .ok_or(AppError::NotFound { entity: "product" })?;
    if !before.is_active {
        return Ok(before);
    }
    let mut row: product::ActiveModel = before.clone().into();
    row.is_active = Set(false);
    row.version = Set(before.version + 1);
    row.updated_at = Set(Utc::now());
    save_versioned(
        &txn,
        row,
        id,
        product::Column::Id,
        product::Column::Version,
        before.version,
        "product",
    )
    .await?;
    audit::record(
        &txn,
        actor,
        "product",
        id,
        "archive",
        Changes::new().field("isActive", true, false),
    )
    .await?;
    txn.commit().await?;
    product::Entity::find_by_id(id)
        .one(db)
        .await?
        .ok_or(AppError::NotFound { entity: "product" })
}
