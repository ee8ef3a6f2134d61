//! Output types of billing; each wraps its entity row. A document's amounts are `Money` in
//! its own currency; statuses and kinds are the entities' enums mapped one to one.

use async_graphql::{Context, Enum, Result, SimpleObject};
use chrono::{DateTime, Utc};
use entities::billing::invoice::{self, InvoiceKind as StoredKind, InvoiceStatus as StoredStatus};
use entities::billing::{invoice_line, invoice_tax, payment, payment_allocation};
use entities::finance::{journal, journal_entry};
use entities::master::{customer, product};

use crate::auth::tokens::LinkedDocument;
use crate::documents::link::{self, DocumentLink};
use crate::graphql::fields::fields;
use crate::graphql::scalars::{Date, Decimal, Money};
use crate::kit::children::Children;
use crate::modules::finance::graphql::types::{Journal, JournalEntry};
use crate::modules::master::graphql::types::{Customer, Product, money};
use crate::money::MICRO_SCALE;

/// Invoice or credit note.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceKind {
    /// What the customer owes.
    Invoice,
    /// A correction of an invoice, with the reverse postings.
    CreditNote,
}

impl From<StoredKind> for InvoiceKind {
    fn from(k: StoredKind) -> Self {
        match k {
            StoredKind::Invoice => Self::Invoice,
            StoredKind::CreditNote => Self::CreditNote,
        }
    }
}

impl From<InvoiceKind> for StoredKind {
    fn from(k: InvoiceKind) -> Self {
        match k {
            InvoiceKind::Invoice => Self::Invoice,
            InvoiceKind::CreditNote => Self::CreditNote,
        }
    }
}

/// Where a document is in its life.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum InvoiceStatus {
    /// Being prepared: no number, not in the ledger, may be deleted.
    Draft,
    /// Numbered and in the ledger, nothing settled yet.
    Posted,
    /// Partly settled by payments or credit notes.
    PartiallyPaid,
    /// Settled in full.
    Paid,
}

impl From<StoredStatus> for InvoiceStatus {
    fn from(s: StoredStatus) -> Self {
        match s {
            StoredStatus::Draft => Self::Draft,
            StoredStatus::Posted => Self::Posted,
            StoredStatus::PartiallyPaid => Self::PartiallyPaid,
            StoredStatus::Paid => Self::Paid,
        }
    }
}

impl From<InvoiceStatus> for StoredStatus {
    fn from(s: InvoiceStatus) -> Self {
        match s {
            InvoiceStatus::Draft => Self::Draft,
            InvoiceStatus::Posted => Self::Posted,
            InvoiceStatus::PartiallyPaid => Self::PartiallyPaid,
            InvoiceStatus::Paid => Self::Paid,
        }
    }
}

/// `Invoice.lines`: a document's lines in order.
pub const INVOICE_LINES: Children<invoice_line::Entity> = Children {
    fk: invoice_line::Column::InvoiceId,
    sort: None,
};

/// `Invoice.taxes`: a document's taxes per code.
pub const INVOICE_TAXES: Children<invoice_tax::Entity> = Children {
    fk: invoice_tax::Column::InvoiceId,
    sort: None,
};

/// `Invoice.payments`: what settled an invoice (payments and credit notes), in order.
pub const INVOICE_PAYMENTS: Children<payment_allocation::Entity> = Children {
    fk: payment_allocation::Column::InvoiceId,
    sort: None,
};

/// `Payment.allocations`: the invoices a payment settled.
pub const PAYMENT_ALLOCATIONS: Children<payment_allocation::Entity> = Children {
    fk: payment_allocation::Column::PaymentId,
    sort: None,
};

/// A customer invoice or credit note.
#[derive(Clone)]
pub struct Invoice(pub invoice::Model);

fields! {
    /// A customer invoice or credit note: a draft until posted, then numbered, in the ledger
    /// and immutable, settled by payments and credit notes.
    impl Invoice(invoice::Model) {
        /// Stable id.
        id id;
        /// Invoice or credit note.
        into kind: InvoiceKind;
        /// The gapless legal number (`INV-2026-000123`, `CN-2026-000004`), given when
        /// posted; `null` for a draft.
        opt_text number;
        /// Draft, posted, partially paid or paid.
        into status: InvoiceStatus;
        /// The customer (`null` when you may not see it).
        one customer -> Customer = customer::Entity, customer_id;
        /// The document date.
        async fn date(&self) -> Date {
            Date(self.0.invoice_date)
        }
        /// When it falls due.
        async fn due_date(&self) -> Date {
            Date(self.0.due_date)
        }
        /// Its currency.
        text currency;
        /// Company currency per unit of its currency (1 in the company currency).
        async fn rate(&self) -> Decimal {
            Decimal::trimmed(self.0.rate_micros, MICRO_SCALE)
        }
        /// The discount on the whole document, spread over its lines.
        money discount = discount_minor, currency;
        /// Σ line net, after discounts.
        money subtotal = subtotal_minor, currency;
        /// Σ tax.
        money tax_total = tax_minor, currency;
        /// What rounding added or took: `subtotal + taxTotal + rounding = total`, exactly.
        money rounding = rounding_minor, currency;
        /// What the document comes to.
        money total = total_minor, currency;
        /// Settled so far by payments and credit notes (a credit note: allocated to its
        /// invoice).
        money amount_paid = paid_minor, currency;
        /// What is still open: total − amount paid (zero for a draft, which owes nothing
        /// yet, is the total once posted).
        async fn amount_due(&self, ctx: &Context<'_>) -> Result<Money> {
            let due = if self.0.status == StoredStatus::Draft {
                0
            } else {
                self.0.total_minor - self.0.paid_minor
            };
            money(ctx, due, &self.0.currency).await
        }
        /// The invoice a credit note corrects.
        one credited_invoice -> Invoice = invoice::Entity, credited_invoice_id;
        /// The journal entry it posted (`FORBIDDEN` without `finance.entry.read`).
        one journal_entry -> JournalEntry = journal_entry::Entity, journal_entry_id;
        /// The fiscal year of its number, once posted.
        value fiscal_year: Option<i32>;
        /// A note printed on it.
        opt_text memo;
        /// When it was posted.
        value posted_at: Option<DateTime<Utc>>;
        /// Its lines, in order.
        children lines -> InvoiceLine = INVOICE_LINES;
        /// Its taxes per code, with the rate each used.
        children taxes -> InvoiceTax = INVOICE_TAXES;
        /// The payments and credit notes that settled it.
        children payments -> PaymentAllocation = INVOICE_PAYMENTS;
        /// A signed link to its PDF, valid for ten minutes, for you alone.
        async fn pdf(&self, ctx: &Context<'_>) -> Result<DocumentLink> {
            link::issue(ctx, LinkedDocument::Invoice, self.0.id)
        }
        /// Optimistic-locking version.
        value version: i32;
    }
}

/// A line of an invoice or credit note.
#[derive(Clone)]
pub struct InvoiceLine(pub invoice_line::Model);

fields! {
    /// One line of a document, with its amounts as the tax engine computed them.
    impl InvoiceLine(invoice_line::Model) {
        /// Stable id.
        id id;
        /// 1-based position.
        value line_no: i32;
        /// The product sold, if any (`null` when you may not see it).
        one product -> Product = product::Entity, product_id;
        /// What is sold.
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
        /// Net after the line's and its share of the document's discount, in minor units
        /// of the document's currency.
        value net_minor: i64;
        /// Its taxes, in minor units of the document's currency.
        value tax_minor: i64;
        /// Net plus taxes, in minor units of the document's currency.
        value total_minor: i64;
    }
}

/// A document's tax for one code.
#[derive(Clone)]
pub struct InvoiceTax(pub invoice_tax::Model);

fields! {
    /// A document's tax for one code, with the rate it used.
    impl InvoiceTax(invoice_tax::Model) {
        /// The tax code, e.g. `VAT20`.
        text code;
        /// `STANDARD`, `ZERO_RATED` or `EXEMPT`.
        text kind;
        /// The rate in percent.
        async fn rate(&self) -> Decimal {
            Decimal::trimmed(self.0.rate_micros, MICRO_SCALE)
        }
        /// What it was levied on, in minor units of the document's currency.
        value base_minor: i64;
        /// The tax, in minor units of the document's currency.
        value amount_minor: i64;
    }
}

/// Part of a payment or credit note settling an invoice.
#[derive(Clone)]
pub struct PaymentAllocation(pub payment_allocation::Model);

fields! {
    /// Part of a payment (or of a credit note) settling an invoice.
    impl PaymentAllocation(payment_allocation::Model) {
        /// Stable id.
        id id;
        /// The payment (`null` for a credit note, or when you may not see payments).
        one payment -> Payment = payment::Entity, payment_id;
        /// The credit note's id (`null` for a payment); read it with `invoice(id:)`.
        opt_id credit_note_id;
        /// The invoice settled.
        one invoice -> Invoice = invoice::Entity, invoice_id;
        /// The date it counts from (the payment's or credit note's date).
        async fn date(&self) -> Date {
            Date(self.0.allocated_on)
        }
        /// How much, in minor units of the invoice's currency.
        value amount_minor: i64;
    }
}

/// A customer payment.
#[derive(Clone)]
pub struct Payment(pub payment::Model);

fields! {
    /// Money a customer paid, posted when recorded and allocated to invoices.
    impl Payment(payment::Model) {
        /// Stable id.
        id id;
        /// The gapless number (`PAY-2026-000012`).
        opt_text number;
        /// Who paid (`null` when you may not see the customer).
        one customer -> Customer = customer::Entity, customer_id;
        /// The bank or cash journal (`FORBIDDEN` without `finance.account.read`).
        one journal -> Journal = journal::Entity, journal_id;
        /// When the money came in.
        async fn date(&self) -> Date {
            Date(self.0.payment_date)
        }
        /// How much.
        money amount = amount_minor, currency;
        /// Company currency per unit of its currency.
        async fn rate(&self) -> Decimal {
            Decimal::trimmed(self.0.rate_micros, MICRO_SCALE)
        }
        /// How much of it settles invoices.
        money allocated = allocated_minor, currency;
        /// What is left as the customer's credit.
        async fn unallocated(&self, ctx: &Context<'_>) -> Result<Money> {
            money(
                ctx,
                self.0.amount_minor - self.0.allocated_minor,
                &self.0.currency,
            )
            .await
        }
        /// The journal entry it posted (`FORBIDDEN` without `finance.entry.read`).
        one journal_entry -> JournalEntry = journal_entry::Entity, journal_entry_id;
        /// The bank's reference.
        opt_text reference;
        /// A note.
        opt_text memo;
        /// The invoices it settled.
        children allocations -> PaymentAllocation = PAYMENT_ALLOCATIONS;
        /// Optimistic-locking version.
        value version: i32;
    }
}

/// One customer's line of the receivables aging, in the company currency.
#[derive(SimpleObject)]
pub struct CustomerAging {
    /// The customer (`null` when you may not see it).
    pub customer: Option<Customer>,
    /// Not yet due.
    pub current: Money,
    /// 1 to 30 days past due.
    pub days1_to30: Money,
    /// 31 to 60 days past due.
    pub days31_to60: Money,
    /// 61 to 90 days past due.
    pub days61_to90: Money,
    /// More than 90 days past due.
    pub over90: Money,
    /// Unallocated payments and credit notes.
    pub credit: Money,
    /// Open invoices less credit: what the customer owes.
    pub balance: Money,
    /// How many invoices are open.
    pub open_invoices: i64,
}

/// The receivables aging as of a date.
#[derive(SimpleObject)]
pub struct ReceivablesAging {
    /// The date it is taken on.
    pub as_of: Date,
    /// Per customer with something open or a credit, by name.
    pub customers: Vec<CustomerAging>,
    /// Every customer together.
    pub total: CustomerAging,
}

/// A customer's statement over a range: the lines the ledger's receivable account holds for
/// them, in the company currency.
#[derive(SimpleObject)]
pub struct CustomerStatement {
    /// The customer (`null` when you may not see it).
    pub customer: Option<Customer>,
    /// First day.
    pub from: Date,
    /// Last day.
    pub to: Date,
    /// What the customer owed before `from` (positive: they owe; negative: their credit).
    pub opening_balance: Money,
    /// Invoices (debit), credit notes, payments and realised exchange differences, in date
    /// and number order, each with what the customer owes after it (at most 10,000 lines).
    pub lines: Vec<crate::modules::finance::graphql::reports::GeneralLedgerLine>,
    /// What the customer owes after `to`.
    pub closing_balance: Money,
}
