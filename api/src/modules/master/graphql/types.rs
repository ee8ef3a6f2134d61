//! Output types of master data; each wraps its entity row.

use async_graphql::{Context, Enum, Result};
use chrono::{DateTime, Utc};
use entities::identity::user_account;
use entities::master::{
    contact, currency, customer, exchange_rate, payment_term, product, product_category, tax_rate,
    unit_of_measure,
};

use crate::authz::catalog::PRODUCT_COST_READ;
use crate::authz::require_field;
use crate::graphql::connection::Sort;
use crate::graphql::context::ContextExt;
use crate::graphql::fields::fields;
use crate::graphql::scalars::{Date, Decimal, Money};
use crate::kit::children::Children;
use crate::kit::read::{reference, relation};
use crate::modules::crm::graphql::types::Opportunity;
use crate::modules::identity::graphql::types::User;
use crate::modules::master::graphql::setup::{PaymentTerm, ProductCategory};
use crate::modules::master::seed::iso_minor_digits;
use crate::money::MICRO_SCALE;

/// The money value of `minor` in `currency`, with its digits: fixed for the seeded ISO
/// currencies (`seed::iso_minor_digits`), from the tenant's cached currencies
/// (`kit::read::reference`) for any other code. The first read of a tenant then runs no
/// currency query.
pub async fn money(ctx: &Context<'_>, minor: i64, currency: &str) -> Result<Money> {
    let digits = match iso_minor_digits(currency) {
        Some(digits) => digits,
        None => reference::<currency::Entity>(ctx)
            .await?
            .iter()
            .find(|c| c.code == currency)
            .map_or(2, |c| u32::try_from(c.minor_digits).unwrap_or(2)),
    };
    Ok(Money::new(minor, currency, digits))
}

/// [`money`] without a future, for a field `field` of type `Money` (a
/// [`Now`](crate::graphql::rows::Now) function's answer): the seeded ISO currencies only.
pub fn money_now(
    field: &async_graphql::Positioned<async_graphql::parser::types::Field>,
    minor: i64,
    currency: &str,
) -> Option<async_graphql::Value> {
    use async_graphql::ScalarType;
    let money = Money::new(minor, currency, iso_minor_digits(currency)?);
    crate::graphql::rows::leaves(field, "Money", |name| match name {
        "amount" => Some(money.amount.to_value()),
        "currency" => Some(async_graphql::Value::String(money.currency.clone())),
        _ => None,
    })
}

/// The user `id`, under the user resource's rules (`kit::read::relation`): `FORBIDDEN`
/// without `identity.user.read`, `null` outside the caller's scope.
pub async fn user(ctx: &Context<'_>, id: Option<uuid::Uuid>) -> Result<Option<User>> {
    Ok(relation::<user_account::Entity>(ctx, id).await?.map(User))
}

/// A currency.
pub struct Currency(pub currency::Model);

fields! {
    /// A currency.
    impl Currency(currency::Model) {
        /// ISO 4217 code.
        text code;
        /// Name.
        text name;
        /// Decimals of the minor unit (2 for USD, 0 for JPY, 3 for KWD).
        value minor_digits: i32;
    }
}

/// An exchange rate of a currency into the tenant's base currency.
pub struct ExchangeRate(pub exchange_rate::Model);

fields! {
    /// An exchange rate of a currency into the tenant's base currency.
    impl ExchangeRate(exchange_rate::Model) {
        /// Stable id.
        id id;
        /// The currency.
        text currency;
        /// Units of the base currency per unit of the currency.
        async fn rate(&self) -> Decimal {
            Decimal::trimmed(self.0.rate_micros, MICRO_SCALE)
        }
        /// The rate applies from this date until the next rate's date.
        async fn valid_from(&self) -> Date {
            Date(self.0.valid_from)
        }
    }
}

/// A unit products are counted in.
pub struct UnitOfMeasure(pub unit_of_measure::Model);

fields! {
    /// A unit products are counted in.
    impl UnitOfMeasure(unit_of_measure::Model) {
        /// Code, e.g. `kg`.
        text code;
        /// Name.
        text name;
    }
}

/// A tax rate.
#[derive(Clone)]
pub struct TaxRate(pub tax_rate::Model);

fields! {
    /// A tax rate.
    impl TaxRate(tax_rate::Model) {
        /// Stable id.
        id id;
        /// Unique code, e.g. `VAT20`.
        text code;
        /// Name.
        text name;
        /// Percentage, e.g. `20` or `7.5`.
        async fn rate(&self) -> Decimal {
            Decimal::trimmed(self.0.rate_micros, MICRO_SCALE)
        }
        /// Whether prices with this tax include it.
        value inclusive: bool;
        /// First day of validity.
        async fn valid_from(&self) -> Date {
            Date(self.0.valid_from)
        }
        /// Last day of validity.
        async fn valid_to(&self) -> Option<Date> {
            self.0.valid_to.map(Date)
        }
        /// Standard, zero-rated or exempt.
        into kind: TaxKind;
        /// Levied on the price plus the line's earlier taxes.
        value compound: bool;
    }
}

/// What kind of supply a tax rate taxes.
#[derive(async_graphql::Enum, Clone, Copy, PartialEq, Eq)]
pub enum TaxKind {
    /// Taxed at the rate.
    Standard,
    /// Taxable at 0 %, reported as a zero-rated supply.
    ZeroRated,
    /// Outside the tax, reported as an exempt supply.
    Exempt,
}

impl From<tax_rate::TaxKind> for TaxKind {
    fn from(k: tax_rate::TaxKind) -> Self {
        match k {
            tax_rate::TaxKind::Standard => Self::Standard,
            tax_rate::TaxKind::ZeroRated => Self::ZeroRated,
            tax_rate::TaxKind::Exempt => Self::Exempt,
        }
    }
}

impl From<TaxKind> for tax_rate::TaxKind {
    fn from(k: TaxKind) -> Self {
        match k {
            TaxKind::Standard => Self::Standard,
            TaxKind::ZeroRated => Self::ZeroRated,
            TaxKind::Exempt => Self::Exempt,
        }
    }
}

/// `Customer.contacts`: a customer's contacts by name.
pub const CUSTOMER_CONTACTS: Children<contact::Entity> = Children {
    fk: contact::Column::CustomerId,
    sort: Some(Sort {
        column: contact::Column::Name,
        key: contact_name,
    }),
};

fn contact_name(contact: &contact::Model) -> String {
    contact.name.clone()
}

/// `Customer.opportunities`: a customer's opportunities, oldest first.
pub const CUSTOMER_OPPORTUNITIES: Children<entities::crm::opportunity::Entity> = Children {
    fk: entities::crm::opportunity::Column::CustomerId,
    sort: None,
};

/// A customer.
#[derive(Clone)]
pub struct Customer(pub customer::Model);

fields! {
    /// A customer.
    impl Customer(customer::Model) {
        /// Stable id.
        id id;
        /// Legal name.
        text name;
        /// Tax id.
        opt_text tax_id;
        /// Email.
        opt_text email;
        /// Phone.
        opt_text phone;
        /// Billing address.
        opt_text billing_address;
        /// Shipping address.
        opt_text shipping_address;
        /// The customer's currency.
        text currency;
        /// Credit limit in the customer's currency.
        async fn credit_limit(&self, ctx: &Context<'_>) -> Result<Option<Money>> {
            match self.0.credit_limit_minor {
                Some(minor) => Ok(Some(money(ctx, minor, &self.0.currency).await?)),
                None => Ok(None),
            }
        }
        /// The user responsible for the customer.
        one owner -> User = user_account::Entity, owner_id;
        /// People at the customer, by name (`null` and `FORBIDDEN` without `master.customer.read`).
        children contacts -> Contact = CUSTOMER_CONTACTS;
        /// Payment terms of the customer's invoices.
        async fn payment_term(&self, ctx: &Context<'_>) -> Result<Option<PaymentTerm>> {
            Ok(
                relation::<payment_term::Entity>(ctx, self.0.payment_term_id)
                    .await?
                    .map(PaymentTerm),
            )
        }
        /// The customer's opportunities that you may see, oldest first (`null` and `FORBIDDEN`
        /// without `crm.opportunity.read`).
        children opportunities -> Opportunity = CUSTOMER_OPPORTUNITIES;
        /// Archived customers stay for their documents but leave active lists.
        value is_active: bool;
        /// Optimistic-locking version: pass it as `expectedVersion` when updating.
        value version: i32;
        /// When the customer was created.
        value created_at: DateTime<Utc>;
    }
}

/// A person at a customer.
pub struct Contact(pub contact::Model);

fields! {
    /// A person at a customer.
    impl Contact(contact::Model) {
        /// Stable id.
        id id;
        /// Name.
        text name;
        /// Email.
        opt_text email;
        /// Phone.
        opt_text phone;
        /// Job title.
        opt_text job_title;
        /// The customer the contact works at.
        one customer -> Customer = customer::Entity, customer_id;
        /// Optimistic-locking version.
        value version: i32;
    }
}

/// Goods or service.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ProductKind {
    /// Stocked goods.
    Goods,
    /// A service (not stocked).
    Service,
}

/// Something the tenant sells or buys.
pub struct Product(pub product::Model);

fn cost_visible(ctx: &Context<'_>) -> bool {
    ctx.request()
        .ok()
        .and_then(|r| r.access().ok())
        .is_some_and(|a| a.scope(PRODUCT_COST_READ).is_some())
}

fields! {
    /// Something the tenant sells or buys.
    impl Product(product::Model) {
        /// Stable id.
        id id;
        /// Stock-keeping unit, unique.
        text sku;
        /// Name.
        text name;
        /// Goods or service.
        async fn kind(&self) -> ProductKind {
            if self.0.kind == "SERVICE" {
                ProductKind::Service
            } else {
                ProductKind::Goods
            }
        }
        /// Unit code.
        text unit;
        /// Currency of the prices.
        text currency;
        /// Sale price per unit.
        async fn sale_price(&self) -> Decimal {
            Decimal::trimmed(self.0.sale_price_micros, MICRO_SCALE)
        }
        /// Cost price per unit. Needs `master.product.cost.read`.
        #[graphql(visible = "cost_visible")]
        async fn cost_price(&self, ctx: &Context<'_>) -> Result<Option<Decimal>> {
            require_field(ctx, PRODUCT_COST_READ, None)?;
            Ok(self
                .0
                .cost_price_micros
                .map(|c| Decimal::trimmed(c, MICRO_SCALE)))
        }
        /// Tax rate of sales.
        one tax_rate -> TaxRate = tax_rate::Entity, tax_rate_id;
        /// Category.
        async fn category(&self, ctx: &Context<'_>) -> Result<Option<ProductCategory>> {
            Ok(
                relation::<product_category::Entity>(ctx, self.0.category_id)
                    .await?
                    .map(ProductCategory),
            )
        }
        /// Whether each unit has a serial number.
        value serial_tracked: bool;
        /// Archived products stay for their documents but leave active lists.
        value is_active: bool;
        /// Optimistic-locking version.
        value version: i32;
    }
}
