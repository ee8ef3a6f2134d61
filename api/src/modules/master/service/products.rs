//! Products: unique SKU, exact prices (`*_micros` per unit), a cost price that only holders of
//! `master.product.cost.read` see, archived rather than deleted.
//!
//! Built on the module kit (`crate::kit`): reads start from `kit::resource::visible`, writes
//! go through `kit::write` (idempotent create with every column compared, a SKU taken
//! concurrently answered `CONFLICT`, versioned update and archive audited as row diffs, the
//! cost price shown in the audit log only to those who may read it). Updates are patches: an
//! omitted field is unchanged (a role that cannot see the cost price does not wipe it by
//! saving a product), an explicit `null` clears it.

use entities::master::product;
use sea_orm::{ColumnTrait, QueryFilter, QueryTrait, Select, Set};
use uuid::Uuid;

use crate::authz::Access;
use crate::error::AppError;
use crate::kit::Write;
use crate::kit::edit::Editable;
use crate::kit::resource::visible as scoped;
use crate::modules::common::{contains, text};
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

/// A change of a product: `None` leaves a field as it is, `Some(None)` clears it.
#[derive(Debug, Clone, Default)]
pub struct ProductPatch {
    /// Unique SKU.
    pub sku: Option<String>,
    /// Name.
    pub name: Option<String>,
    /// Goods or service.
    pub kind: Option<Kind>,
    /// Unit code.
    pub unit: Option<String>,
    /// Price currency.
    pub currency: Option<String>,
    /// Sale price per unit, decimal text.
    pub sale_price: Option<String>,
    /// Cost price per unit, decimal text.
    pub cost_price: Option<Option<String>>,
    /// Tax rate.
    pub tax_rate_id: Option<Option<Uuid>>,
    /// Category.
    pub category_id: Option<Option<Uuid>>,
    /// Serial numbers tracked per unit.
    pub serial_tracked: Option<bool>,
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
    let mut query = scoped::<product::Entity>(access)?;
    if let Some(active) = filter.is_active {
        query = query.filter(product::Column::IsActive.eq(active));
    }
    query = query.apply_if(
        contains(
            filter.search.as_deref(),
            &[product::Column::Sku, product::Column::Name],
        ),
        QueryFilter::filter,
    );
    Ok(query)
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

impl Editable for product::Entity {
    type Patch = ProductPatch;

    /// Validates the fields `patch` gives and sets them on `row`; `stored` is the row before (none:
    /// a new product, every field required).
    async fn apply(
        w: &Write<'_>,
        patch: ProductPatch,
        stored: Option<&product::Model>,
        row: &mut product::ActiveModel,
    ) -> Result<(), AppError> {
        let required = |field: &str| AppError::validation(field, "required");
        match (&patch.sku, stored) {
            (Some(sku), _) => {
                // A SKU another product holds: the unique index, answered by the kit.
                row.sku = Set(text(sku, "input.sku", 64)?);
            }
            (None, Some(_)) => {}
            (None, None) => return Err(required("input.sku")),
        }
        match (&patch.name, stored) {
            (Some(name), _) => row.name = Set(text(name, "input.name", 200)?),
            (None, Some(_)) => {}
            (None, None) => return Err(required("input.name")),
        }
        match (patch.kind, stored) {
            (Some(kind), _) => row.kind = Set(kind.as_str().to_owned()),
            (None, Some(_)) => {}
            (None, None) => return Err(required("input.kind")),
        }
        match (&patch.unit, stored) {
            (Some(unit), _) => {
                row.unit = Set(unit.trim().to_owned());
            }
            (None, Some(_)) => {}
            (None, None) => return Err(required("input.unit")),
        }
        match (&patch.currency, stored) {
            (Some(code), _) => {
                let (currency, _) = currency_digits(w, code, "input.currency").await?;
                row.currency = Set(currency);
            }
            (None, Some(_)) => {}
            (None, None) => return Err(required("input.currency")),
        }
        match (&patch.sale_price, stored) {
            (Some(p), _) => row.sale_price_micros = Set(price(p, "input.salePrice")?),
            (None, Some(_)) => {}
            (None, None) => return Err(required("input.salePrice")),
        }
        if let Some(cost) = &patch.cost_price {
            row.cost_price_micros = Set(cost
                .as_deref()
                .map(|p| price(p, "input.costPrice"))
                .transpose()?);
        }
        // The foreign keys check the unit, tax rate and category (the kit answers "no such …").
        if let Some(rate) = patch.tax_rate_id {
            row.tax_rate_id = Set(rate);
        }
        if let Some(category) = patch.category_id {
            row.category_id = Set(category);
        }
        match (patch.serial_tracked, stored) {
            (Some(tracked), _) => row.serial_tracked = Set(tracked),
            (None, Some(_)) => {}
            (None, None) => row.serial_tracked = Set(false),
        }
        Ok(())
    }
}
