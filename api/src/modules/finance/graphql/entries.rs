//! `journalEntries`, `journalEntry`, `createJournalEntry`, `postJournalEntry`,
//! `reverseJournalEntry`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use entities::finance::journal_entry;

use crate::authz::Require;
use crate::authz::catalog::{ENTRY_POST, ENTRY_READ, ENTRY_WRITE};
use crate::error::{AppError, GqlResult};
use crate::graphql::context::ContextExt;
use crate::graphql::edit::filter_input;
use crate::graphql::resolve::{by_id, list, mutations, queries, write};
use crate::graphql::scalars::{Date, Decimal, MoneyInput};
use crate::graphql::{parse_id, parse_opt_id};
use crate::modules::finance::graphql::types::{JournalEntry, JournalEntryStatus};
use crate::modules::finance::service::ledger::{self, EntryFilter};
use crate::modules::finance::service::manual::{self, ManualEntry, ManualForeign, ManualLine};
use crate::money::Money;

/// Journal entry queries.
#[derive(Default)]
pub struct EntriesQuery;

queries! { EntriesQuery, guard = "Require(ENTRY_READ)";
    /// Journal entries, drafts and posted, in creation order.
    list journal_entries(
        #[graphql(desc = "Which entries.")] filter: Option<JournalEntryFilterInput>,
    ) -> JournalEntry |ctx, args| {
        let req = ctx.request()?;
        let filter = JournalEntryFilterInput::service(filter).gql()?;
        let query = ledger::visible(req.access().gql()?, &filter);
        list(ctx, query, args, JournalEntry).await
    }

    /// One journal entry, or `null`.
    field journal_entry(
        #[graphql(desc = "The entry's id.")] id: ID,
    ) -> Option<JournalEntry> |ctx| {
        Ok(by_id::<journal_entry::Entity>(ctx, &id).await?.map(JournalEntry))
    }
}

filter_input! {
    /// Which entries `journalEntries` lists.
    JournalEntryFilterInput => EntryFilter;
    /// Only these statuses.
    any status: JournalEntryStatus;
    /// One journal.
    one journal_id: ID;
    /// Dated on or after.
    one date_from: Date;
    /// Dated on or before.
    one date_to: Date;
    /// Posted by one source document (an invoice's id, …).
    one source_id: ID;
}

/// A line's amount in a foreign currency.
#[derive(InputObject)]
pub struct ForeignAmountInput {
    /// The amount in its currency. Alone (no `debit` or `credit` on the line) its sign is the
    /// side: positive debits, negative credits, converted at `rate`.
    pub amount: MoneyInput,
    /// Company currency per unit (omitted: the currency's rate on the entry's date).
    pub rate: Option<Decimal>,
}

/// A line of `createJournalEntry`: a debit or a credit.
#[derive(InputObject)]
pub struct JournalLineInput {
    /// An active account that takes postings (no group).
    pub account_id: ID,
    /// Debit in the company currency, e.g. `"100.00"`.
    pub debit: Option<Decimal>,
    /// Credit in the company currency.
    pub credit: Option<Decimal>,
    /// The foreign amount the line came from.
    pub foreign: Option<ForeignAmountInput>,
    /// The customer it concerns.
    pub customer_id: Option<ID>,
    /// The supplier it concerns.
    pub supplier_id: Option<ID>,
    /// What it is for (at most 200 characters).
    pub label: Option<String>,
}

/// Input of `createJournalEntry`.
#[derive(InputObject)]
pub struct CreateJournalEntryInput {
    /// Your id for the new entry (UUID), to repeat the call safely.
    pub id: Option<ID>,
    /// The journal (omitted: the general journal).
    pub journal_id: Option<ID>,
    /// The accounting date.
    pub date: Date,
    /// A reference (at most 200 characters).
    pub reference: Option<String>,
    /// A note (at most 2,000 characters).
    pub memo: Option<String>,
    /// Two lines or more (at most 500), debits equal to credits.
    pub lines: Vec<JournalLineInput>,
}

impl CreateJournalEntryInput {
    /// The service's entry.
    fn into_service(self) -> Result<(Option<uuid::Uuid>, ManualEntry), AppError> {
        let id = parse_opt_id(self.id.as_ref(), "input.id")?;
        let lines = self
            .lines
            .into_iter()
            .enumerate()
            .map(|(i, l)| {
                let at = |name: &str| format!("input.lines[{i}].{name}");
                Ok(ManualLine {
                    account_id: parse_id(&l.account_id, &at("accountId"))?,
                    debit: l.debit.map(|d| d.as_str().to_owned()),
                    credit: l.credit.map(|d| d.as_str().to_owned()),
                    foreign: l.foreign.map(|f| ManualForeign {
                        amount: Money {
                            amount: f.amount.amount.as_str().to_owned(),
                            currency: f.amount.currency,
                        },
                        rate: f.rate.map(|r| r.as_str().to_owned()),
                    }),
                    customer_id: parse_opt_id(l.customer_id.as_ref(), &at("customerId"))?,
                    supplier_id: parse_opt_id(l.supplier_id.as_ref(), &at("supplierId"))?,
                    label: l.label,
                })
            })
            .collect::<Result<_, AppError>>()?;
        Ok((
            id,
            ManualEntry {
                journal_id: parse_opt_id(self.journal_id.as_ref(), "input.journalId")?,
                date: self.date.0,
                reference: self.reference,
                memo: self.memo,
                lines,
            },
        ))
    }
}

/// Journal entry mutations.
#[derive(Default)]
pub struct EntriesMutation;

#[Object]
impl EntriesMutation {
    /// Prepares a manual journal entry as a draft (no number, in no report). Its lines are
    /// checked now: two or more, each a debit or a credit on an active account that takes
    /// postings, and `Σ debit = Σ credit` (`BUSINESS_RULE ledger.unbalanced`). Repeating it
    /// with the same `id` and content returns the same draft.
    #[graphql(guard = "Require(ENTRY_WRITE)")]
    async fn create_journal_entry(
        &self,
        ctx: &Context<'_>,
        input: CreateJournalEntryInput,
    ) -> Result<JournalEntry> {
        let (id, input) = input.into_service().gql()?;
        let row = write(ctx, |w| {
            Box::pin(async move {
                let entry = manual::entry(w, input).await?;
                ledger::create_draft(w, id, entry).await
            })
        })
        .await?;
        Ok(JournalEntry(row))
    }
}

/// Deleting drafts.
#[derive(Default)]
pub struct DraftMutation;

mutations! { DraftMutation => JournalEntry, guard = "Require(ENTRY_WRITE)", id = "The entry's id.";
    /// Deletes a draft with its lines (audited as `delete`); returns it as it was. A posted
    /// entry is a `BUSINESS_RULE` error (`ledger.posted_immutable`): reverse it instead.
    by_id delete_journal_entry() |w, id| ledger::delete_draft(w, id);
}

/// Posting and reversing.
#[derive(Default)]
pub struct PostingMutation;

mutations! { PostingMutation => JournalEntry, guard = "Require(ENTRY_POST)", id = "The entry's id.";
    /// Posts a draft (audited as `post`): checks its lines again and the lock dates
    /// (`ledger.period_locked`), gives it the next gapless number of its fiscal year
    /// (`JE-2026-000123`) and makes it immutable. A posted entry is a `BUSINESS_RULE` error
    /// (`ledger.posted_immutable`).
    by_id post_journal_entry() |w, id| ledger::post_draft(w, id);
    /// Posts the reversal of a posted entry: a new entry, every line's side swapped, naming
    /// the one it reverses (`reversalOf`). An entry is reversed once
    /// (`ledger.already_reversed`).
    by_id reverse_journal_entry(
        #[graphql(desc = "The reversal's date (omitted: the original's).")] date: Option<Date>,
        #[graphql(desc = "A note on the reversal.")] memo: Option<String>
    ) |w, id| ledger::reverse(w, id, date.map(|d| d.0), memo);
}
