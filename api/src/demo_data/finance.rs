//! The demo's books: a year of believable postings through `ledger::post`, so the trial
//! balance, profit and loss and balance sheet show a small trading company.
//!
//! Over the twelve months up to today: the owners pay in the share capital and a loan on the
//! first day; then, every month, goods are bought on credit (inventory and input VAT against
//! payables) and paid later, sold on credit to the demo's customers (receivables against
//! sales and output VAT, with their cost moved from inventory to cost of goods sold), most
//! invoices are collected into the bank, and rent, salaries, utilities and bank charges go
//! out. Every amount is in the company currency; each entry is one write, numbered in date
//! order.

use chrono::{Days, NaiveDate, Utc};
use entities::finance::journal::JournalKind;
use uuid::Uuid;

use super::{Ctx, internal};
use crate::error::AppError;
use crate::modules::finance::seed::role;
use crate::modules::finance::service::accounts;
use crate::modules::finance::service::ledger::{self, NewEntry, NewLine};

/// The accounts the demo posts to, found by role or code.
struct Books {
    cash: Uuid,
    bank: Uuid,
    receivable: Uuid,
    inventory: Uuid,
    vat_input: Uuid,
    payable: Uuid,
    vat_output: Uuid,
    capital: Uuid,
    loan: Uuid,
    sales: Uuid,
    services: Uuid,
    cogs: Uuid,
    salaries: Uuid,
    rent: Uuid,
    utilities: Uuid,
    bank_charges: Uuid,
    journals: [Uuid; 5],
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

const SALES: usize = 0;
const PURCHASES: usize = 1;
const BANK: usize = 2;
const CASH: usize = 3;
const GENERAL: usize = 4;

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
        let mut journals = [Uuid::nil(); 5];
        for (slot, kind) in journals.iter_mut().zip([
            JournalKind::Sales,
            JournalKind::Purchases,
            JournalKind::Bank,
            JournalKind::Cash,
            JournalKind::General,
        ]) {
            *slot = ledger::journal_of(&w, kind).await?.id;
        }
        Ok(Books {
            cash: by_role(role::CASH).await?,
            bank: by_role(role::BANK).await?,
            receivable: by_role(role::RECEIVABLE).await?,
            inventory: by_role(role::INVENTORY).await?,
            vat_input: by_role(role::VAT_INPUT).await?,
            payable: by_role(role::PAYABLE).await?,
            vat_output: by_role(role::VAT_OUTPUT).await?,
            capital: by_code("3000").await?,
            loan: by_code("2500").await?,
            sales: by_role(role::SALES).await?,
            services: by_code("4100").await?,
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
        let mut postings = vec![Posting {
            date: start,
            journal: BANK,
            reference: "Share capital and loan".into(),
            lines: vec![
                dr(b.bank, 15_000_000, "Paid in by the owners"),
                cr(b.capital, 10_000_000, "Share capital"),
                cr(b.loan, 5_000_000, "Bank loan, 5 years"),
            ],
        }];
        let mut bill = 0;
        let mut invoice = 0;
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
                postings.push(Posting {
                    date,
                    journal: PURCHASES,
                    reference: reference.clone(),
                    lines: vec![
                        dr(b.inventory, net, "Goods received"),
                        dr(b.vat_input, vat(net), "Input VAT 20 %"),
                        cr(b.payable, net + vat(net), "Supplier bill"),
                    ],
                });
                postings.push(Posting {
                    date: paid,
                    journal: BANK,
                    reference: format!("Payment of {reference}"),
                    lines: vec![
                        dr(b.payable, net + vat(net), "Supplier paid"),
                        cr(b.bank, net + vat(net), "Bank transfer"),
                    ],
                });
            }
            // Sales on credit to the demo's customers; four in five collected within the month.
            for _ in 0..self.rng.range(12, 20) {
                invoice += 1;
                let net = self.rng.range(40_000, 400_000);
                let cost = net * self.rng.range(55, 70) / 100;
                let service = self.rng.chance(20);
                let customer = *self.rng.pick(customers);
                let date = day(self.rng.range(1, 26) as u64);
                let reference = format!("INV-{invoice:05}");
                let mut lines = vec![
                    NewLine {
                        customer_id: Some(customer),
                        ..dr(b.receivable, net + vat(net), "Invoice")
                    },
                    cr(if service { b.services } else { b.sales }, net, "Sale"),
                    cr(b.vat_output, vat(net), "Output VAT 20 %"),
                ];
                if !service {
                    lines.push(dr(b.cogs, cost, "Cost of goods sold"));
                    lines.push(cr(b.inventory, cost, "Goods delivered"));
                }
                postings.push(Posting {
                    date,
                    journal: SALES,
                    reference: reference.clone(),
                    lines,
                });
                if self.rng.chance(80) {
                    let cash = self.rng.chance(10);
                    postings.push(Posting {
                        date: date
                            .checked_add_days(Days::new(self.rng.range(3, 20) as u64))
                            .unwrap_or(date),
                        journal: if cash { CASH } else { BANK },
                        reference: format!("Receipt for {reference}"),
                        lines: vec![
                            dr(
                                if cash { b.cash } else { b.bank },
                                net + vat(net),
                                "Customer paid",
                            ),
                            NewLine {
                                customer_id: Some(customer),
                                ..cr(b.receivable, net + vat(net), "Invoice settled")
                            },
                        ],
                    });
                }
            }
            let month_name = day(0).format("%B %Y").to_string();
            for (account, minor, label) in [
                (b.rent, 250_000, "Rent"),
                (b.salaries, self.rng.range(600_000, 700_000), "Salaries"),
                (b.utilities, self.rng.range(30_000, 60_000), "Utilities"),
                (b.bank_charges, self.rng.range(1_500, 4_000), "Bank charges"),
            ] {
                postings.push(Posting {
                    date: day(28),
                    journal: if label == "Salaries" { GENERAL } else { BANK },
                    reference: format!("{label}, {month_name}"),
                    lines: vec![dr(account, minor, label), cr(b.bank, minor, label)],
                });
            }
        }
        // In date order, so numbers follow the calendar; nothing after today.
        postings.retain(|p| p.date <= today);
        postings.sort_by_key(|p| p.date);
        for p in postings {
            let w = self.write().await?;
            let entry = NewEntry {
                journal_id: b.journals[p.journal],
                date: p.date,
                reference: Some(p.reference),
                source: None,
                memo: None,
                lines: p.lines,
            };
            ledger::post(&w, None, &entry).await?;
            w.commit().await?;
            self.counts.journal_entries += 1;
        }
        Ok(())
    }
}
