//! The demo's books: a year of believable postings, so the trial balance, profit and loss,
//! balance sheet and receivables aging show a small trading company. Sales go through
//! billing (invoices posted, payments recorded and allocated); the rest through
//! `ledger::post`.
//!
//! Over the twelve months up to today: the owners pay in the share capital and a loan on the
//! first day; then, every month, goods are bought on credit (inventory and input VAT against
//! payables) and paid later, sold on credit to the demo's customers (receivables against
//! sales and output VAT, with their cost moved from inventory to cost of goods sold), most
//! invoices are collected into the bank, and rent, salaries, utilities and bank charges go
//! out. Every amount is in the company currency; each document or entry is one write,
//! numbered in date order.

use chrono::{Days, NaiveDate, Utc};
use entities::billing::invoice;
use entities::finance::journal::JournalKind;
use entities::master::tax_rate::TaxKind;
use uuid::Uuid;

use super::{Ctx, internal};
use crate::error::AppError;
use crate::modules::billing::service::invoices::{
    self as billing, NewInvoice, NewLine as NewInvoiceLine,
};
use crate::modules::billing::service::payments::{self, Allocation, Method, NewPayment};
use crate::modules::billing::service::posting;
use crate::modules::finance::seed::role;
use crate::modules::finance::service::accounts;
use crate::modules::finance::service::ledger::{self, NewEntry, NewLine};
use crate::modules::master::service::reference::{self, NewTaxRate, base_currency};
use crate::money::{Money, format_trimmed};

/// The accounts the demo posts to, found by role or code.
struct Books {
    bank: Uuid,
    inventory: Uuid,
    vat_input: Uuid,
    payable: Uuid,
    capital: Uuid,
    loan: Uuid,
    cogs: Uuid,
    salaries: Uuid,
    rent: Uuid,
    utilities: Uuid,
    bank_charges: Uuid,
    journals: [Uuid; 3],
}

/// A debit line.
fn dr(account: Uuid, minor: i64, label: &str) -> NewLine {
    NewLine {
        account_id: account,
        debit_minor: minor,
        label: Some(label.to_owned()),
        ..Default::default()
    }
}

/// A credit line.
fn cr(account: Uuid, minor: i64, label: &str) -> NewLine {
    NewLine {
        account_id: account,
        credit_minor: minor,
        label: Some(label.to_owned()),
        ..Default::default()
    }
}

/// One dated posting, before it is written.
struct Posting {
    date: NaiveDate,
    journal: usize,
    reference: String,
    lines: Vec<NewLine>,
}

const PURCHASES: usize = 0;
const BANK: usize = 1;
const GENERAL: usize = 2;

/// 20 % VAT of `net`, rounded half up.
fn vat(net: i64) -> i64 {
    (net * 20 + 50) / 100
}

impl Ctx<'_> {
    async fn books(&self) -> Result<Books, AppError> {
        let w = self.write().await?;
        let by_role = |r: &'static str| {
            let w = &w;
            async move { Ok::<_, AppError>(accounts::for_role(w, r).await?.id) }
        };
        let by_code = |code: &'static str| {
            let w = &w;
            async move {
                use entities::finance::account;
                use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
                account::Entity::find()
                    .filter(account::Column::Code.eq(code))
                    .one(w.tx().await?)
                    .await?
                    .map(|a| a.id)
                    .ok_or_else(|| internal(&format!("account {code} is missing")))
            }
        };
        let mut journals = [Uuid::nil(); 3];
        for (slot, kind) in journals.iter_mut().zip([
            JournalKind::Purchases,
            JournalKind::Bank,
            JournalKind::General,
        ]) {
            *slot = ledger::journal_of(&w, kind).await?.id;
        }
        Ok(Books {
            bank: by_role(role::BANK).await?,
            inventory: by_role(role::INVENTORY).await?,
            vat_input: by_role(role::VAT_INPUT).await?,
            payable: by_role(role::PAYABLE).await?,
            capital: by_code("3000").await?,
            loan: by_code("2500").await?,
            cogs: by_role(role::COGS).await?,
            salaries: by_code("6000").await?,
            rent: by_code("6100").await?,
            utilities: by_code("6200").await?,
            bank_charges: by_code("6500").await?,
            journals,
        })
    }

    /// A year of postings (see the module header), invoices to `customers`.
    pub(super) async fn ledger(&mut self, customers: &[Uuid]) -> Result<(), AppError> {
        let b = self.books().await?;
        let today = Utc::now().date_naive();
        let start = today
            .checked_sub_days(Days::new(364))
            .ok_or_else(|| internal("demo start date"))?;
        let vat20 = self.vat20().await?;
        let company = {
            let w = self.write().await?;
            base_currency(w.tx().await?).await?
        };
        let mut sales: Vec<Sale> = Vec::new();
        let mut items = vec![(
            start,
            Item::Entry(Posting {
                date: start,
                journal: BANK,
                reference: "Share capital and loan".into(),
                lines: vec![
                    dr(b.bank, 15_000_000, "Paid in by the owners"),
                    cr(b.capital, 10_000_000, "Share capital"),
                    cr(b.loan, 5_000_000, "Bank loan, 5 years"),
                ],
            }),
        )];
        let mut bill = 0;
        for month in 0..12u64 {
            let first = start
                .checked_add_days(Days::new(month * 30))
                .ok_or_else(|| internal("demo month"))?;
            let day = |d: u64| first.checked_add_days(Days::new(d)).unwrap_or(first);
            // Stock bought on 30 days' credit, paid 25 days later.
            for _ in 0..2 {
                bill += 1;
                let net = self.rng.range(800_000, 2_000_000);
                let (date, paid) = (day(self.rng.range(0, 4) as u64), day(27));
                let reference = format!("BILL-{bill:04}");
                items.push((
                    date,
                    Item::Entry(Posting {
                        date,
                        journal: PURCHASES,
                        reference: reference.clone(),
                        lines: vec![
                            dr(b.inventory, net, "Goods received"),
                            dr(b.vat_input, vat(net), "Input VAT 20 %"),
                            cr(b.payable, net + vat(net), "Supplier bill"),
                        ],
                    }),
                ));
                items.push((
                    paid,
                    Item::Entry(Posting {
                        date: paid,
                        journal: BANK,
                        reference: format!("Payment of {reference}"),
                        lines: vec![
                            dr(b.payable, net + vat(net), "Supplier paid"),
                            cr(b.bank, net + vat(net), "Bank transfer"),
                        ],
                    }),
                ));
            }
            // Invoices to the demo's customers (through billing: numbered, taxed, posted); the
            // cost of the goods moved from inventory to cost of goods sold by a journal entry
            // until inventory posts it; four in five collected within the month.
            for _ in 0..self.rng.range(12, 20) {
                let net = self.rng.range(40_000, 400_000);
                let cost = net * self.rng.range(55, 70) / 100;
                let service = self.rng.chance(20);
                let customer = *self.rng.pick(customers);
                let date = day(self.rng.range(1, 26) as u64);
                let receipt = self.rng.chance(80).then(|| {
                    let cash = self.rng.chance(10);
                    let paid = date
                        .checked_add_days(Days::new(self.rng.range(3, 20) as u64))
                        .unwrap_or(date);
                    (paid, cash)
                });
                let sale = sales.len();
                sales.push(Sale {
                    customer,
                    net,
                    service,
                });
                items.push((date, Item::Invoice(sale)));
                if !service {
                    items.push((
                        date,
                        Item::Entry(Posting {
                            date,
                            journal: GENERAL,
                            reference: "Goods delivered".into(),
                            lines: vec![
                                dr(b.cogs, cost, "Cost of goods sold"),
                                cr(b.inventory, cost, "Goods delivered"),
                            ],
                        }),
                    ));
                }
                if let Some((paid, cash)) = receipt {
                    items.push((paid, Item::Receipt(sale, cash)));
                }
            }
            let month_name = day(0).format("%B %Y").to_string();
            for (account, minor, label) in [
                (b.rent, 250_000, "Rent"),
                (b.salaries, self.rng.range(600_000, 700_000), "Salaries"),
                (b.utilities, self.rng.range(30_000, 60_000), "Utilities"),
                (b.bank_charges, self.rng.range(1_500, 4_000), "Bank charges"),
            ] {
                items.push((
                    day(28),
                    Item::Entry(Posting {
                        date: day(28),
                        journal: if label == "Salaries" { GENERAL } else { BANK },
                        reference: format!("{label}, {month_name}"),
                        lines: vec![dr(account, minor, label), cr(b.bank, minor, label)],
                    }),
                ));
            }
        }
        // In date order, so numbers follow the calendar (a stable sort keeps an invoice before
        // its goods' entry); nothing after today.
        items.retain(|(date, _)| *date <= today);
        items.sort_by_key(|(date, _)| *date);
        let mut invoices: Vec<Option<invoice::Model>> = vec![None; sales.len()];
        for (date, item) in items {
            let w = self.write().await?;
            let (invoiced, paid) = match item {
                Item::Entry(p) => {
                    let entry = NewEntry {
                        journal_id: b.journals[p.journal],
                        date: p.date,
                        reference: Some(p.reference),
                        source: None,
                        memo: None,
                        lines: p.lines,
                    };
                    ledger::post(&w, None, &entry).await?;
                    (0, 0)
                }
                Item::Invoice(n) => {
                    let sale = &sales[n];
                    let draft = billing::create(
                        &w,
                        None,
                        NewInvoice {
                            customer_id: sale.customer,
                            date,
                            currency: Some(company.clone()),
                            lines: vec![NewInvoiceLine {
                                description: Some(
                                    if sale.service { "Services" } else { "Goods" }.into(),
                                ),
                                quantity: "1".into(),
                                unit_price: Some(format_trimmed(sale.net, 2)),
                                tax_rate_ids: Some(vec![vat20]),
                                ..Default::default()
                            }],
                            ..Default::default()
                        },
                    )
                    .await?;
                    invoices[n] = Some(posting::post(&w, draft.id).await?);
                    (1, 0)
                }
                Item::Receipt(n, cash) => {
                    let Some(invoice) = &invoices[n] else {
                        return Err(internal("a receipt before its invoice"));
                    };
                    let total = format_trimmed(invoice.total_minor, 2);
                    payments::record(
                        &w,
                        None,
                        NewPayment {
                            customer_id: invoice.customer_id,
                            method: if cash { Method::Cash } else { Method::Bank },
                            date,
                            amount: Money {
                                amount: total.clone(),
                                currency: company.clone(),
                            },
                            allocations: vec![Allocation {
                                invoice_id: invoice.id,
                                amount: total,
                            }],
                            ..Default::default()
                        },
                    )
                    .await?;
                    (0, 1)
                }
            };
            w.commit().await?;
            self.counts.journal_entries += 1;
            self.counts.invoices += invoiced;
            self.counts.payments += paid;
        }
        Ok(())
    }

    /// The demo's 20 % VAT rate.
    async fn vat20(&self) -> Result<Uuid, AppError> {
        let w = self.write().await?;
        let rate = reference::create_tax_rate(
            &w,
            NewTaxRate {
                code: "VAT20".into(),
                name: "VAT 20 %".into(),
                rate: "20".into(),
                inclusive: false,
                valid_from: NaiveDate::from_ymd_opt(2020, 1, 1)
                    .ok_or_else(|| internal("rate date"))?,
                valid_to: None,
                kind: TaxKind::Standard,
                compound: false,
            },
        )
        .await?;
        w.commit().await?;
        Ok(rate.id)
    }
}

/// A sale the year holds: invoiced on its date, maybe collected later.
struct Sale {
    customer: Uuid,
    /// Net, in cents of the company currency.
    net: i64,
    service: bool,
}

/// What happens on a day of the demo's year.
enum Item {
    /// A journal entry.
    Entry(Posting),
    /// Sale `n` invoiced and posted.
    Invoice(usize),
    /// Sale `n` collected in full, in cash or into the bank.
    Receipt(usize, bool),
}
