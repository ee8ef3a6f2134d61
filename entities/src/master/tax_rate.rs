//! `tax_rate`: A tax rate. Documents copy the rate they used, so changing it never changes them.

use sea_orm::entity::prelude::*;

/// What kind of supply a rate taxes. Zero-rated and exempt supplies both carry no tax but are
/// reported apart on a tax return. Stored as its upper-case name.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "String(StringLen::None)")]
pub enum TaxKind {
    /// Taxed at the rate.
    #[sea_orm(string_value = "STANDARD")]
    Standard,
    /// Taxable at 0 %.
    #[sea_orm(string_value = "ZERO_RATED")]
    ZeroRated,
    /// Outside the tax.
    #[sea_orm(string_value = "EXEMPT")]
    Exempt,
}

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "tax_rate")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub code: String,
    pub name: String,
    /// Percentage × 10^6 (20 % → 20_000_000).
    pub rate_micros: i64,
    /// Whether prices with this tax include it.
    pub inclusive: bool,
    pub valid_from: Date,
    pub valid_to: Option<Date>,
    pub kind: TaxKind,
    /// Levied on the price plus the line's earlier taxes.
    pub compound: bool,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
