//! Output types of sales; each wraps its entity row. Amounts are `Money` in the document's
//! currency; statuses are the entities' enums mapped one to one.

use async_graphql::{Context, Enum, Result};
use chrono::{DateTime, Utc};
use entities::crm::opportunity;
use entities::master::{customer, product};
use entities::sales::quotation::{self, QuotationStatus as StoredQuotationStatus};
use entities::sales::sales_order::{self, OrderStatus as StoredOrderStatus};
use entities::sales::{quotation_line, sales_order_line, sales_setting};

use crate::auth::tokens::LinkedDocument;
use crate::documents::link::{self, DocumentLink};
use crate::graphql::fields::fields;
use crate::graphql::scalars::{Date, Decimal};
use crate::kit::children::Children;
use crate::modules::crm::graphql::types::Opportunity;
use crate::modules::master::graphql::types::{Customer, Product};
use crate::money::MICRO_SCALE;

macro_rules! mirror_enum {
    ($(#[doc = $doc:tt])* $name:ident <=> $stored:ident { $($(#[doc = $vdoc:tt])* $variant:ident),* $(,)? }) => {
        $(#[doc = $doc])*
        #[derive(Enum, Clone, Copy, PartialEq, Eq)]
        pub enum $name {
            $($(#[doc = $vdoc])* $variant,)*
        }

        impl From<$stored> for $name {
            fn from(s: $stored) -> Self {
                match s {
                    $($stored::$variant => Self::$variant,)*
                }
            }
        }

        impl From<$name> for $stored {
            fn from(s: $name) -> Self {
                match s {
                    $($name::$variant => Self::$variant,)*
                }
            }
        }
    };
}

mirror_enum! {
    /// Where a quotation is in its life.
    QuotationStatus <=> StoredQuotationStatus {
        /// Being prepared: no number, may be deleted.
        Draft,
        /// Numbered and sent to the customer.
        Sent,
        /// Accepted: its sales order exists.
        Accepted,
        /// Turned down by the customer.
        Rejected,
        /// Not accepted by its `validUntil`.
        Expired,
    }
}

mirror_enum! {
    /// Where a sales order is in its life.
    SalesOrderStatus <=> StoredOrderStatus {
        /// Being prepared: no number, no credit used.
        Draft,
        /// Confirmed: numbered, counts against the customer's credit limit.
        Confirmed,
        /// Some of it delivered.
        PartiallyDelivered,
        /// All of it delivered.
        Delivered,
        /// All of it invoiced.
        Invoiced,
        /// Done: nothing more is delivered or invoiced.
        Closed,
        /// Called off before anything was delivered or invoiced.
        Cancelled,
    }
}

/// What an order line is invoiced up to.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum InvoicePolicy {
    /// The ordered quantity.
    Ordered,
    /// The delivered quantity.
    Delivered,
}

impl InvoicePolicy {
    /// As stored.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Ordered => crate::modules::sales::service::settings::ORDERED,
            Self::Delivered => crate::modules::sales::service::settings::DELIVERED,
        }
    }
}

/// `Quotation.lines`.
pub const QUOTATION_LINES: Children<quotation_line::Entity> = Children {
    fk: quotation_line::Column::QuotationId,
    sort: None,
};

/// `SalesOrder.lines`.
pub const ORDER_LINES: Children<sales_order_line::Entity> = Children {
    fk: sales_order_line::Column::OrderId,
    sort: None,
};

/// A quotation.
#[derive(Clone)]
pub struct Quotation(pub quotation::Model);

fields! {
    /// An offer to a customer: a draft until sent, then accepted (its sales order is made),
    /// rejected or expired.
    impl Quotation(quotation::Model) {
        /// Stable id.
        id id;
        /// `SQ-2026-000012`, given when sent; `null` for a draft.
        opt_text number;
        /// Draft, sent, accepted, rejected or expired.
        into status: QuotationStatus;
        /// The customer (`null` when you may not see it).
        one customer -> Customer = customer::Entity, customer_id;
        /// The opportunity it was made for (`null` when none, or you may not see it).
        one opportunity -> Opportunity = opportunity::Entity, opportunity_id;
        /// Its date.
        async fn date(&self) -> Date {
            Date(self.0.quotation_date)
        }
        /// The last day it may be accepted.
        async fn valid_until(&self) -> Date {
            Date(self.0.valid_until)
        }
        /// Its currency.
        text currency;
        /// Company currency per unit of its currency.
        async fn rate(&self) -> Decimal {
            Decimal::trimmed(self.0.rate_micros, MICRO_SCALE)
        }
        /// Σ line net, after discounts.
        money subtotal = subtotal_minor, currency;
        /// Σ tax.
        money tax_total = tax_minor, currency;
        /// What rounding added or took: `subtotal + taxTotal + rounding = total`.
        money rounding = rounding_minor, currency;
        /// What it comes to.
        money total = total_minor, currency;
        /// The order made when it was accepted (`null` before, or when you may not see it).
        one sales_order -> SalesOrder = sales_order::Entity, sales_order_id;
        /// A note printed on it.
        opt_text memo;
        /// When it was sent.
        value sent_at: Option<DateTime<Utc>>;
        /// Its lines, in order.
        children lines -> QuotationLine = QUOTATION_LINES;
        /// A signed link to its PDF, valid for ten minutes, for you alone.
        async fn pdf(&self, ctx: &Context<'_>) -> Result<DocumentLink> {
            link::issue(ctx, LinkedDocument::Quotation, self.0.id)
        }
        /// Optimistic-locking version.
        value version: i32;
    }
}

/// A line of a quotation.
#[derive(Clone)]
pub struct QuotationLine(pub quotation_line::Model);

fields! {
    /// One line of a quotation, with its amounts as the tax engine computed them.
    impl QuotationLine(quotation_line::Model) {
        /// Stable id.
        id id;
        /// 1-based position.
        value line_no: i32;
        /// The product, if any (`null` when you may not see it).
        one product -> Product = product::Entity, product_id;
        /// What is offered.
        text description;
        /// Quantity.
        async fn quantity(&self) -> Decimal {
            Decimal::trimmed(self.0.quantity_micros, MICRO_SCALE)
        }
        /// Price per unit in the document's currency.
        async fn unit_price(&self) -> Decimal {
            Decimal::trimmed(self.0.unit_price_micros, MICRO_SCALE)
        }
        /// Discount in percent.
        async fn discount(&self) -> Decimal {
            Decimal::trimmed(self.0.discount_micros, MICRO_SCALE)
        }
        /// The tax rates applied, in order.
        async fn tax_rate_ids(&self) -> Vec<async_graphql::ID> {
            crate::modules::sales::service::rate_ids(&self.0.tax_rate_ids)
                .iter()
                .map(|id| async_graphql::ID(id.to_string()))
                .collect()
        }
        /// Net after discount, in minor units of the document's currency.
        value net_minor: i64;
        /// Its taxes, in minor units of the document's currency.
        value tax_minor: i64;
        /// Net plus taxes, in minor units of the document's currency.
        value total_minor: i64;
    }
}

/// A sales order.
#[derive(Clone)]
pub struct SalesOrder(pub sales_order::Model);

fields! {
    /// What a customer ordered: confirmed after the credit check, then delivered and
    /// invoiced line by line.
    impl SalesOrder(sales_order::Model) {
        /// Stable id.
        id id;
        /// `SO-2026-000042`, given when confirmed; `null` for a draft.
        opt_text number;
        /// Where it is in its life.
        into status: SalesOrderStatus;
        /// The customer (`null` when you may not see it).
        one customer -> Customer = customer::Entity, customer_id;
        /// The order date.
        async fn date(&self) -> Date {
            Date(self.0.order_date)
        }
        /// Its currency.
        text currency;
        /// Company currency per unit of its currency.
        async fn rate(&self) -> Decimal {
            Decimal::trimmed(self.0.rate_micros, MICRO_SCALE)
        }
        /// Σ line net, after discounts.
        money subtotal = subtotal_minor, currency;
        /// Σ tax.
        money tax_total = tax_minor, currency;
        /// What rounding added or took: `subtotal + taxTotal + rounding = total`.
        money rounding = rounding_minor, currency;
        /// What it comes to.
        money total = total_minor, currency;
        /// Σ total of the posted invoices made from it.
        money invoiced = invoiced_minor, currency;
        /// Who confirmed it over the customer's credit limit (`null` when it was within).
        opt_id over_limit_approved_by;
        /// A note printed on it.
        opt_text memo;
        /// When it was confirmed.
        value confirmed_at: Option<DateTime<Utc>>;
        /// Its lines, in order, with what was delivered and invoiced.
        children lines -> SalesOrderLine = ORDER_LINES;
        /// Optimistic-locking version.
        value version: i32;
    }
}

/// A line of a sales order.
#[derive(Clone)]
pub struct SalesOrderLine(pub sales_order_line::Model);

fields! {
    /// One line of a sales order, with how much of it was delivered and invoiced.
    impl SalesOrderLine(sales_order_line::Model) {
        /// Stable id (what `deliverSalesOrder` and `createInvoiceFromOrder` name).
        id id;
        /// 1-based position.
        value line_no: i32;
        /// The product, if any (`null` when you may not see it).
        one product -> Product = product::Entity, product_id;
        /// What is sold.
        text description;
        /// Quantity ordered.
        async fn quantity(&self) -> Decimal {
            Decimal::trimmed(self.0.quantity_micros, MICRO_SCALE)
        }
        /// Quantity delivered.
        async fn delivered(&self) -> Decimal {
            Decimal::trimmed(self.0.delivered_micros, MICRO_SCALE)
        }
        /// Quantity on posted invoices.
        async fn invoiced(&self) -> Decimal {
            Decimal::trimmed(self.0.invoiced_micros, MICRO_SCALE)
        }
        /// Price per unit in the document's currency.
        async fn unit_price(&self) -> Decimal {
            Decimal::trimmed(self.0.unit_price_micros, MICRO_SCALE)
        }
        /// Discount in percent.
        async fn discount(&self) -> Decimal {
            Decimal::trimmed(self.0.discount_micros, MICRO_SCALE)
        }
        /// The tax rates applied, in order.
        async fn tax_rate_ids(&self) -> Vec<async_graphql::ID> {
            crate::modules::sales::service::rate_ids(&self.0.tax_rate_ids)
                .iter()
                .map(|id| async_graphql::ID(id.to_string()))
                .collect()
        }
        /// Net after discount, in minor units of the document's currency.
        value net_minor: i64;
        /// Its taxes, in minor units of the document's currency.
        value tax_minor: i64;
        /// Net plus taxes, in minor units of the document's currency.
        value total_minor: i64;
    }
}

/// The sales settings.
#[derive(Clone)]
pub struct SalesSettings(pub sales_setting::Model);

fields! {
    /// How sales documents behave in this tenant.
    impl SalesSettings(sales_setting::Model) {
        /// What an order line is invoiced up to.
        async fn invoice_policy(&self) -> InvoicePolicy {
            if self.0.invoice_policy == crate::modules::sales::service::settings::DELIVERED {
                InvoicePolicy::Delivered
            } else {
                InvoicePolicy::Ordered
            }
        }
        /// How many days a new quotation is valid unless told.
        value quotation_validity_days: i32;
        /// Optimistic-locking version.
        value version: i32;
    }
}
