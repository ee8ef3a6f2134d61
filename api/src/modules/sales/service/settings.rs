//! The sales settings: one row, added by the seed, changed by `updateSalesSettings`.
//!
//! - `invoice_policy`: an order line is invoiced up to what was `ORDERED` (the default) or
//!   up to what was `DELIVERED`.
//! - `quotation_validity_days`: how long a new quotation is valid unless told (30).

use chrono::Utc;
use entities::sales::sales_setting;
use sea_orm::{ConnectionTrait, EntityTrait, Set};
use uuid::Uuid;

use crate::error::AppError;
use crate::kit::{Write, write};

/// Invoice up to the ordered quantity.
pub const ORDERED: &str = "ORDERED";
/// Invoice up to the delivered quantity.
pub const DELIVERED: &str = "DELIVERED";

/// Adds the settings row when a tenant has none (provisioning, `erp migrate`).
pub async fn seed<C: ConnectionTrait>(db: &C) -> Result<(), AppError> {
    if sales_setting::Entity::find().one(db).await?.is_none() {
        sales_setting::Entity::insert(sales_setting::ActiveModel {
            id: Set(Uuid::now_v7()),
            invoice_policy: Set(ORDERED.into()),
            quotation_validity_days: Set(30),
            version: Set(1),
            updated_at: Set(Utc::now()),
        })
        .exec_without_returning(db)
        .await?;
    }
    Ok(())
}

/// The settings row.
pub async fn current<C: ConnectionTrait>(db: &C) -> Result<sales_setting::Model, AppError> {
    sales_setting::Entity::find()
        .one(db)
        .await?
        .ok_or_else(|| AppError::Internal("sales has no settings row".into()))
}

/// A change of the settings: `None` leaves a field as it is.
#[derive(Clone, Debug, Default)]
pub struct SettingsPatch {
    /// `ORDERED` or `DELIVERED`.
    pub invoice_policy: Option<&'static str>,
    /// 1 to 3650.
    pub quotation_validity_days: Option<i32>,
}

/// `updateSalesSettings`, if `expected_version` is current.
pub async fn update(
    w: &Write<'_>,
    patch: SettingsPatch,
    expected_version: i32,
) -> Result<sales_setting::Model, AppError> {
    w.access()
        .require(crate::authz::catalog::SALES_SETTINGS_WRITE)?;
    let before = current(w.tx().await?).await?;
    let mut row = sales_setting::ActiveModel::default();
    if let Some(policy) = patch.invoice_policy {
        row.invoice_policy = Set(policy.to_owned());
    }
    if let Some(days) = patch.quotation_validity_days {
        if !(1..=3650).contains(&days) {
            return Err(AppError::validation(
                "input.quotationValidityDays",
                "a quotation is valid 1 to 3650 days",
            ));
        }
        row.quotation_validity_days = Set(days);
    }
    write::update::<sales_setting::Entity>(w, &before, row, expected_version, "update").await
}
