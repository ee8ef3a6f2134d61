//! Demo data: a believable data set for the demo tenant, so the GraphQL playground shows
//! something real right after `erp serve` provisions it.
//!
//! Everything is created as the demo admin through the same service functions the GraphQL
//! API calls, so each row is validated and audited exactly like a user's change (no raw SQL).
//! [`seed`] creates:
//!
//! - 4 users: 3 sales reps (`olivia.hart@demo.test`, `noah.brooks@demo.test`,
//!   `mia.patel@demo.test`, role `sales_rep`) and a manager (`lucas.meyer@demo.test`, role
//!   `manager`), all with the password [`DEMO_USER_PASSWORD`];
//! - EUR and GBP exchange rates valid from 2026-01-01, so the forecast converts their deals;
//! - 200 customers in USD, EUR or GBP, each with 1-2 contacts;
//! - 50 products: 40 goods and 10 services;
//! - 300 leads from various sources: new, contacted, qualified or disqualified, and 20 of them
//!   converted (each conversion adds a customer, a contact and an opportunity);
//! - 150 opportunities on those customers, each with 1-4 calls, meetings, tasks or notes
//!   (some done); 15 are won and 15 lost, the rest stay open in the pipeline;
//! - a year of the books up to today (`finance.rs`): a VAT 20 % rate; about 190 invoices to
//!   those customers, posted through billing (numbered `INV-…`), four in five paid
//!   (`PAY-…`); purchases, supplier payments and monthly costs as journal entries: about 630
//!   posted entries in all;
//! - the last two months of sales (`sales.rs`): 36 quotations (drafts, sent, rejected and
//!   accepted) and 21 confirmed orders, some delivered in part or in full, 3 invoiced from
//!   the order.
//!
//! Leads, customers and opportunities are spread over the admin and the three reps, so a
//! rep signing in sees only their share (row scope `OWN`).
//!
//! Deterministic: names, amounts, dates and outcomes come from a small PRNG with a fixed seed,
//! so every run creates the same data set (only ids and timestamps differ). No floats: amounts
//! are integer minor units formatted as decimal text.

use std::sync::Arc;

use chrono::{DateTime, Days, NaiveDate, TimeDelta, Utc};
use entities::identity::role;
use entities::master::{customer, product};
use sea_orm::{ColumnTrait, DatabaseConnection, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::audit::AuditActor;
use crate::auth::{Actor, Principal};
use crate::authz::{Access, load_access};
use crate::demo::DEMO_EMAIL;
use crate::error::AppError;
use crate::kit::Write;
use crate::kit::edit;
use crate::modules::crm::service::activities::{self, ActivityInput};
use crate::modules::crm::service::conversion::{self, ConvertInput};
use crate::modules::crm::service::leads::{self, Action, LeadPatch};
use crate::modules::crm::service::opportunities::{self, OpportunityPatch};
use crate::modules::crm::service::stages;
use crate::modules::identity::service::users::{self, NewUser};
use crate::modules::master::service::contacts::{self, ContactPatch};
use crate::modules::master::service::customers::CustomerPatch;
use crate::modules::master::service::party::PartyPatch;
use crate::modules::master::service::products::{Kind, ProductPatch};
use crate::modules::master::service::reference;
use crate::money::Money;
use crate::state::AppState;
use crate::tenancy::cache::TenantCache;

mod crm;
mod finance;
mod sales;
mod words;

use words::*;

/// The password of the demo users [`seed`] creates (the reps and the manager; the admin's
/// password is chosen at provisioning).
pub const DEMO_USER_PASSWORD: &str = "demo-password-123";

/// How many rows [`seed`] created.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    /// Users (sales reps and manager).
    pub users: u32,
    /// Exchange rates set.
    pub exchange_rates: u32,
    /// Customers, including those created by lead conversion.
    pub customers: u32,
    /// Contacts, including those created by lead conversion.
    pub contacts: u32,
    /// Products.
    pub products: u32,
    /// Leads, including the converted ones.
    pub leads: u32,
    /// Leads converted into a customer and an opportunity.
    pub converted_leads: u32,
    /// Opportunities, including those created by lead conversion.
    pub opportunities: u32,
    /// Opportunities closed as won.
    pub won: u32,
    /// Opportunities closed as lost.
    pub lost: u32,
    /// Activities.
    pub activities: u32,
    /// Activities marked done.
    pub completed_activities: u32,
    /// Posted journal entries (a year of the books), the invoices' and payments' included.
    pub journal_entries: u32,
    /// Posted customer invoices.
    pub invoices: u32,
    /// Customer payments recorded.
    pub payments: u32,
    /// Quotations.
    pub quotations: u32,
    /// Sales orders (from accepted quotations and taken directly).
    pub sales_orders: u32,
}

const CUSTOMERS: usize = 200;
const GOODS_PER_NOUN: usize = 4;
const LEADS: usize = 300;
const OPPORTUNITIES: usize = 150;
const SEED: u64 = 0x00DE_0DA7_A5EE_D001;

const REPS: [(&str, &str); 3] = [
    ("olivia.hart@demo.test", "Olivia Hart"),
    ("noah.brooks@demo.test", "Noah Brooks"),
    ("mia.patel@demo.test", "Mia Patel"),
];
const MANAGER: (&str, &str) = ("lucas.meyer@demo.test", "Lucas Meyer");

/// A small deterministic PRNG (SplitMix64): the same seed gives the same sequence.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n` > 0).
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }

    /// A number in `lo..=hi`.
    fn range(&mut self, lo: i64, hi: i64) -> i64 {
        lo + (self.next() % (hi - lo + 1).max(1) as u64) as i64
    }

    /// True `percent` times out of 100.
    fn chance(&mut self, percent: u64) -> bool {
        self.next() % 100 < percent
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }

    /// The numbers `0..n` in a random order (Fisher-Yates).
    fn permutation(&mut self, n: usize) -> Vec<usize> {
        let mut all: Vec<usize> = (0..n).collect();
        for i in (1..n).rev() {
            let j = self.below(i + 1);
            all.swap(i, j);
        }
        all
    }
}

/// Cents as decimal text with 2 decimals (`1234` → `"12.34"`).
fn money(cents: i64) -> String {
    format!("{}.{:02}", cents / 100, cents % 100)
}

/// A name as a domain label: lowercase letters and digits only.
fn domain(name: &str) -> String {
    name.chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect()
}

fn internal(what: &str) -> AppError {
    AppError::Internal(format!("demo data: {what}"))
}

/// A customer as the seeder remembers it.
struct Customer {
    id: Uuid,
    currency: &'static str,
    owner: Uuid,
}

/// The admin's session: connection, grants and audit actor.
struct Ctx<'a> {
    db: &'a DatabaseConnection,
    /// The tenant's cache: the demo's writes read reference tables through it and drop what
    /// they change, like a request's.
    cache: Arc<TenantCache>,
    access: Access,
    actor: AuditActor,
    rng: Rng,
    counts: Counts,
}

/// Seeds the demo data set (see the module header) into tenant `tenant_id` as its admin
/// [`DEMO_EMAIL`]; the numbers created. Run once, right after provisioning: running it again
/// fails on the demo users that already exist.
pub async fn seed(state: &AppState, tenant_id: Uuid) -> Result<Counts, AppError> {
    let tenant = state.tenancy().tenant_db(tenant_id).await?;
    let db = tenant.conn();
    let admin = users::find_by_email(db, DEMO_EMAIL)
        .await?
        .ok_or_else(|| internal("the demo admin is missing"))?;
    let principal = Principal {
        tenant_id,
        actor: Actor::User(admin.id),
        session_id: None,
    };
    let access = load_access(db, &principal).await?;
    let mut ctx = Ctx {
        db,
        cache: tenant.cache().clone(),
        access,
        actor: AuditActor(Some(Actor::User(admin.id))),
        rng: Rng(SEED),
        counts: Counts::default(),
    };
    let reps = ctx.users(state).await?;
    // Sellers: the admin and the three reps.
    let sellers = [admin.id, reps[0], reps[1], reps[2]];
    ctx.exchange_rates().await?;
    let customers = ctx.customers(&sellers).await?;
    let product_names = ctx.products().await?;
    let stage_ids: Vec<Uuid> = stages::list(db, &ctx.access)
        .await?
        .into_iter()
        .map(|s| s.id)
        .collect();
    if stage_ids.is_empty() {
        return Err(internal("the pipeline has no stages"));
    }
    ctx.leads(&sellers, &product_names, &stage_ids).await?;
    ctx.opportunities(&customers, &product_names, &stage_ids)
        .await?;
    let customer_ids: Vec<Uuid> = customers.iter().map(|c| c.id).collect();
    ctx.ledger(&customer_ids).await?;
    ctx.sales(&customers).await?;
    Ok(ctx.counts)
}

impl Ctx<'_> {
    /// One write (one transaction) as the admin.
    async fn write(&self) -> Result<Write<'_>, AppError> {
        Ok(Write::begin(self.db, &self.access, self.actor, None).with_cache(self.cache.clone()))
    }

    /// The three sales reps (ids) and the manager.
    async fn users(&mut self, state: &AppState) -> Result<[Uuid; 3], AppError> {
        let rep_role = self.role_id("sales_rep").await?;
        let manager_role = self.role_id("manager").await?;
        let mut reps = [Uuid::nil(); 3];
        for (slot, (email, name)) in reps.iter_mut().zip(REPS) {
            *slot = self.user(state, email, name, rep_role).await?;
        }
        self.user(state, MANAGER.0, MANAGER.1, manager_role).await?;
        Ok(reps)
    }

    async fn role_id(&self, name: &str) -> Result<Uuid, AppError> {
        Ok(role::Entity::find()
            .filter(role::Column::Name.eq(name))
            .one(self.db)
            .await?
            .ok_or_else(|| internal(&format!("role {name} is missing")))?
            .id)
    }

    async fn user(
        &mut self,
        state: &AppState,
        email: &str,
        name: &str,
        role_id: Uuid,
    ) -> Result<Uuid, AppError> {
        let phone = format!("+1 555 010 {:04}", self.rng.range(1000, 9999));
        let hash = users::hash_password(state.passwords(), DEMO_USER_PASSWORD).await?;
        let w =
            Write::begin(self.db, &self.access, self.actor, None).with_cache(self.cache.clone());
        let new = NewUser {
            id: None,
            email: email.to_owned(),
            display_name: name.to_owned(),
            phone: Some(phone),
            password: DEMO_USER_PASSWORD.to_owned(),
            role_ids: vec![role_id],
        };
        let user = users::create(&w, new, hash).await?;
        w.commit().await?;
        self.counts.users += 1;
        Ok(user.id)
    }

    async fn exchange_rates(&mut self) -> Result<(), AppError> {
        let from = NaiveDate::from_ymd_opt(2026, 1, 1).ok_or_else(|| internal("rate date"))?;
        for (currency, rate) in [("EUR", "1.08"), ("GBP", "1.27")] {
            let w = Write::begin(self.db, &self.access, self.actor, None)
                .with_cache(self.cache.clone());
            reference::set_exchange_rate(&w, currency, rate, from).await?;
            w.commit().await?;
            self.counts.exchange_rates += 1;
        }
        Ok(())
    }

    /// 200 customers with 1-2 contacts each, every one in a transaction with its contacts.
    async fn customers(&mut self, sellers: &[Uuid; 4]) -> Result<Vec<Customer>, AppError> {
        // Distinct names: a shuffle of every prefix × trade pair.
        let names = self.rng.permutation(COMPANY_PREFIXES.len() * TRADES.len());
        let mut created = Vec::with_capacity(CUSTOMERS);
        for (i, pair) in names.into_iter().take(CUSTOMERS).enumerate() {
            let roll = self.rng.below(100);
            let region = &REGIONS[if roll < 60 {
                0
            } else if roll < 85 {
                1
            } else {
                2
            }];
            let base = format!(
                "{} {}",
                COMPANY_PREFIXES[pair / TRADES.len()],
                TRADES[pair % TRADES.len()]
            );
            let name = format!("{base} {}", self.rng.pick(region.suffixes));
            let site = format!("{}.example", domain(&base));
            let address = format!(
                "{} {}, {}",
                self.rng.range(1, 250),
                self.rng.pick(STREETS),
                self.rng.pick(region.cities)
            );
            let owner = *self.rng.pick(sellers);
            let input = CustomerPatch {
                party: PartyPatch {
                    name: Some(name),
                    tax_id: Some(Some(format!(
                        "{}{:06}{i:03}",
                        region.tax_prefix,
                        self.rng.range(100_000, 999_999)
                    ))),
                    email: Some(Some(format!("accounts@{site}"))),
                    phone: Some(Some(format!(
                        "{} {:03} {:04}",
                        region.phone,
                        self.rng.range(100, 999),
                        self.rng.range(0, 9999)
                    ))),
                    owner_id: Some(Some(owner)),
                    payment_term_id: None,
                },
                billing_address: Some(Some(address.clone())),
                shipping_address: Some(Some(address)),
                currency: Some(region.currency.to_owned()),
                credit_limit: Some(Some(Money {
                    amount: money(self.rng.range(5, 100) * 100_000),
                    currency: region.currency.to_owned(),
                })),
            };
            let contacts: Vec<ContactPatch> = (0..1 + self.rng.below(2))
                .map(|_| self.contact(&site))
                .collect();
            let w = Write::begin(self.db, &self.access, self.actor, None)
                .with_cache(self.cache.clone());
            let customer = edit::create::<customer::Entity>(&w, None, input).await?;
            for contact in contacts {
                contacts::create_contact(&w, customer.id, contact).await?;
                self.counts.contacts += 1;
            }
            w.commit().await?;
            self.counts.customers += 1;
            created.push(Customer {
                id: customer.id,
                currency: region.currency,
                owner,
            });
        }
        Ok(created)
    }

    fn contact(&mut self, site: &str) -> ContactPatch {
        let first = *self.rng.pick(FIRST_NAMES);
        let last = *self.rng.pick(LAST_NAMES);
        ContactPatch {
            name: Some(format!("{first} {last}")),
            email: Some(Some(format!(
                "{}.{}@{site}",
                first.to_lowercase(),
                last.to_lowercase()
            ))),
            phone: Some(Some(format!(
                "+1 555 02{:02} {:04}",
                self.rng.range(0, 99),
                self.rng.range(0, 9999)
            ))),
            job_title: Some(Some((*self.rng.pick(JOB_TITLES)).to_owned())),
        }
    }

    /// 40 goods (every good in every variant) and 10 services; their names.
    async fn products(&mut self) -> Result<Vec<String>, AppError> {
        let mut items = Vec::new();
        for (n, (good, unit, cents)) in GOODS.iter().enumerate() {
            for (v, (variant, percent)) in VARIANTS.iter().enumerate() {
                let sku = format!("GD-{}", 1001 + n * GOODS_PER_NOUN + v);
                items.push((
                    sku,
                    format!("{good} {variant}"),
                    Kind::Goods,
                    *unit,
                    cents * percent / 100,
                ));
            }
        }
        for (n, (service, unit, cents)) in SERVICES.iter().enumerate() {
            let sku = format!("SV-{}", 2001 + n);
            items.push((sku, (*service).to_owned(), Kind::Service, *unit, *cents));
        }
        let mut names = Vec::with_capacity(items.len());
        for (sku, name, kind, unit, cents) in items {
            // Most prices in USD, some in EUR; costs are 55-80 % of the price.
            let currency = if self.rng.chance(80) { "USD" } else { "EUR" };
            let cost = cents * self.rng.range(55, 80) / 100;
            let w = Write::begin(self.db, &self.access, self.actor, None)
                .with_cache(self.cache.clone());
            edit::create::<product::Entity>(
                &w,
                None,
                ProductPatch {
                    sku: Some(sku),
                    name: Some(name.clone()),
                    kind: Some(kind),
                    unit: Some(unit.to_owned()),
                    currency: Some(currency.to_owned()),
                    sale_price: Some(money(cents)),
                    cost_price: Some(Some(money(cost))),
                    ..Default::default()
                },
            )
            .await?;
            w.commit().await?;
            self.counts.products += 1;
            names.push(name);
        }
        Ok(names)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_prng_is_deterministic_and_in_range() {
        let run = || {
            let mut rng = Rng(SEED);
            (0..1000)
                .map(|_| (rng.range(-5, 5), rng.below(7)))
                .collect::<Vec<_>>()
        };
        let first = run();
        assert_eq!(first, run());
        assert!(first.iter().all(|(r, b)| (-5..=5).contains(r) && *b < 7));
        let mut p = Rng(SEED).permutation(50);
        p.sort_unstable();
        assert_eq!(p, (0..50).collect::<Vec<_>>());
    }

    #[test]
    fn money_has_two_decimals() {
        assert_eq!(money(0), "0.00");
        assert_eq!(money(5), "0.05");
        assert_eq!(money(123_456), "1234.56");
    }

    #[test]
    fn a_domain_is_lowercase_alphanumerics() {
        assert_eq!(domain("Northwind Logistics"), "northwindlogistics");
    }
}
