//! The general ledger: journal entries and their lines, and the one way money gets in.
//!
//! [`post`] is the service other modules call inside their own write (an invoice posts its
//! receivable, income and tax in the invoice's transaction); `createJournalEntry`,
//! `postJournalEntry`, `reverseJournalEntry` and `deleteJournalEntry` are the same steps for
//! people. Every entry passes [`check`] (`service::checks`: lines, accounts, the balance)
//! before it is written; the database checks the balance again.
//!
//! Posting (draft → `POSTED`) checks the lock dates (`ledger.period_locked`), draws the
//! entry's gapless number (`service::numbering`) and writes the status; posted entries are
//! immutable (`ledger.posted_immutable`, in the service and in the database) and corrected
//! only by a reversal: a new posted entry with every line's side swapped, naming the entry
//! it reverses (at most one reversal per entry).

use chrono::{NaiveDate, Utc};
use entities::finance::journal_entry::{self, EntryStatus};
use entities::finance::{journal, journal_line, ledger_setting};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, Set};
use uuid::Uuid;

use crate::authz::catalog::{ENTRY_POST, ENTRY_WRITE};
use crate::error::AppError;
use crate::kit::{Write, write};
use crate::modules::common::optional_text;
use crate::modules::finance::service::checks::line_field;
pub use crate::modules::finance::service::checks::{MAX_LINES, check, company_digits};
use crate::modules::finance::service::{numbering, periods, rule};

/// The series of journal entry numbers (`JE-2026-000123`).
pub const SERIES: &str = "JE";

/// A line's amount in a foreign currency and the rate it was converted at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Foreign {
    /// The currency's code.
    pub currency: String,
    /// Signed minor units of `currency`: positive on a debit line, negative on a credit.
    pub amount_minor: i64,
    /// Company currency per unit of `currency`, × 10^6.
    pub rate_micros: i64,
}

/// One line of a new entry. Exactly one of `debit_minor` and `credit_minor` is positive.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewLine {
    /// A non-group, active account.
    pub account_id: Uuid,
    /// Minor units of the company currency.
    pub debit_minor: i64,
    /// Minor units of the company currency.
    pub credit_minor: i64,
    /// The foreign amount the line came from, if any.
    pub foreign: Option<Foreign>,
    /// The customer the line concerns (receivables).
    pub customer_id: Option<Uuid>,
    /// The supplier the line concerns (payables).
    pub supplier_id: Option<Uuid>,
    /// What the line is for.
    pub label: Option<String>,
}

/// A new journal entry.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct NewEntry {
    /// The journal it is kept in.
    pub journal_id: Uuid,
    /// Its accounting date.
    pub date: NaiveDate,
    /// The source document's number or a free reference.
    pub reference: Option<String>,
    /// The source document (`("invoice", id)`), when a module posts it.
    pub source: Option<(String, Uuid)>,
    /// A note.
    pub memo: Option<String>,
    /// Two lines or more.
    pub lines: Vec<NewLine>,
}

/// Writes `entry` as a draft with its lines (`id`: chosen by the client, idempotent: a
/// replay with the same content returns the stored entry, other content is `CONFLICT`).
async fn insert_draft(
    w: &Write<'_>,
    id: Option<Uuid>,
    entry: &NewEntry,
    total_minor: i64,
    reversal_of: Option<Uuid>,
) -> Result<journal_entry::Model, AppError> {
    let now = Utc::now();
    let (source_entity, source_id) = match &entry.source {
        Some((entity, id)) => (Some(entity.clone()), Some(*id)),
        None => (None, None),
    };
    let row = journal_entry::ActiveModel {
        id: Set(id.unwrap_or_else(Uuid::now_v7)),
        number: Set(None),
        journal_id: Set(entry.journal_id),
        entry_date: Set(entry.date),
        fiscal_year: Set(None),
        status: Set(EntryStatus::Draft),
        reference: Set(optional_text(
            entry.reference.as_deref(),
            "input.reference",
            200,
        )?),
        source_entity: Set(source_entity),
        source_id: Set(source_id),
        memo: Set(optional_text(entry.memo.as_deref(), "input.memo", 2000)?),
        reversal_of_id: Set(reversal_of),
        total_minor: Set(total_minor),
        posted_at: Set(None),
        version: Set(1),
        created_at: Set(now),
        updated_at: Set(now),
    };
    let stored = write::insert::<journal_entry::Entity>(w, row, id.is_some()).await?;
    let lines = line_rows(stored.id, entry.date, &entry.lines)?;
    if id.is_some() {
        // A client-chosen id may be a replay the kit matched column by column (a stored
        // entry always has its lines, written in its own transaction): they must match too.
        let stored_lines = lines_of(w, stored.id).await?;
        if !stored_lines.is_empty() {
            let same = stored_lines.len() == lines.len()
                && stored_lines
                    .iter()
                    .zip(&lines)
                    .all(|(a, b)| same_line(a, b));
            if !same {
                return Err(AppError::Conflict(
                    "a journal entry with this id exists with other lines".into(),
                ));
            }
            return Ok(stored);
        }
    }
    journal_line::Entity::insert_many(lines.into_iter().map(journal_line::ActiveModel::from))
        .exec_without_returning(w.tx().await?)
        .await?;
    Ok(stored)
}

/// The rows of `lines` for entry `entry_id` dated `date`, with their labels checked.
fn line_rows(
    entry_id: Uuid,
    date: NaiveDate,
    lines: &[NewLine],
) -> Result<Vec<journal_line::Model>, AppError> {
    lines
        .iter()
        .enumerate()
        .map(|(i, l)| {
            Ok(journal_line::Model {
                id: Uuid::now_v7(),
                entry_id,
                entry_date: date,
                line_no: i32::try_from(i + 1).unwrap_or(i32::MAX),
                account_id: l.account_id,
                debit_minor: l.debit_minor,
                credit_minor: l.credit_minor,
                currency: l.foreign.as_ref().map(|f| f.currency.clone()),
                amount_currency_minor: l.foreign.as_ref().map(|f| f.amount_minor),
                rate_micros: l.foreign.as_ref().map(|f| f.rate_micros),
                customer_id: l.customer_id,
                supplier_id: l.supplier_id,
                label: optional_text(l.label.as_deref(), &line_field(i, "label"), 200)?,
            })
        })
        .collect()
}

/// Two lines with the same content (ids aside).
fn same_line(a: &journal_line::Model, b: &journal_line::Model) -> bool {
    journal_line::Model {
        id: b.id,
        entry_id: b.entry_id,
        ..a.clone()
    } == *b
}

/// The lines of entry `id`, in order.
pub async fn lines_of(w: &Write<'_>, id: Uuid) -> Result<Vec<journal_line::Model>, AppError> {
    Ok(journal_line::Entity::find()
        .filter(journal_line::Column::EntryId.eq(id))
        .order_by_asc(journal_line::Column::LineNo)
        .all(w.tx().await?)
        .await?)
}

/// Posts the draft `before`: lock dates, accounts still usable, the number, the status.
async fn post_draft_row(
    w: &Write<'_>,
    before: journal_entry::Model,
    settings: &ledger_setting::Model,
) -> Result<journal_entry::Model, AppError> {
    if before.status == EntryStatus::Posted {
        return Err(rule(
            "ledger.posted_immutable",
            format!(
                "journal entry {} is posted already",
                before.number.as_deref().unwrap_or_default()
            ),
        ));
    }
    periods::check_open(w, settings, before.entry_date)?;
    let year = periods::fiscal_year(settings, before.entry_date);
    let n = numbering::next(w.tx().await?, SERIES, year).await?;
    let row = journal_entry::ActiveModel {
        status: Set(EntryStatus::Posted),
        number: Set(Some(numbering::format(SERIES, year, n))),
        fiscal_year: Set(Some(year)),
        posted_at: Set(Some(Utc::now())),
        ..Default::default()
    };
    write::update::<journal_entry::Entity>(w, &before, row, before.version, "post").await
}

/// Checks and posts `entry` in the caller's write: the service other modules call (their
/// own permission was checked; the lock dates apply to their caller like to anyone).
/// `id`: the entry's id when the caller chooses it.
pub async fn post(
    w: &Write<'_>,
    id: Option<Uuid>,
    entry: &NewEntry,
) -> Result<journal_entry::Model, AppError> {
    let total = check(w, entry).await?;
    // The lock is checked before anything is written, so a refused posting costs little.
    let settings = periods::settings_for_posting(w).await?;
    periods::check_open(w, &settings, entry.date)?;
    let draft = insert_draft(w, id, entry, total, None).await?;
    if draft.status == EntryStatus::Posted {
        return Ok(draft);
    }
    post_draft_row(w, draft, &settings).await
}

/// `createJournalEntry`: a checked, balanced draft (no number yet).
pub async fn create_draft(
    w: &Write<'_>,
    id: Option<Uuid>,
    entry: NewEntry,
) -> Result<journal_entry::Model, AppError> {
    w.access().require(ENTRY_WRITE)?;
    let total = check(w, &entry).await?;
    insert_draft(w, id, &entry, total, None).await
}

/// Entry `id` for a holder of `finance.entry.post` (who may post drafts others prepared
/// without holding `finance.entry.write`); `NOT_FOUND` when there is none. The books have no
/// row scope, so there is nothing else to check.
async fn for_posting(w: &Write<'_>, id: Uuid) -> Result<journal_entry::Model, AppError> {
    w.access().require(ENTRY_POST)?;
    journal_entry::Entity::find_by_id(id)
        .one(w.tx().await?)
        .await?
        .ok_or(AppError::NotFound {
            entity: "journal entry",
        })
}

/// `postJournalEntry`: posts a draft, checking its lines again (an account may have been
/// archived since).
pub async fn post_draft(w: &Write<'_>, id: Uuid) -> Result<journal_entry::Model, AppError> {
    let before = for_posting(w, id).await?;
    if before.status == EntryStatus::Draft {
        let lines = lines_of(w, id).await?;
        check(w, &entry_of(&before, &lines)).await?;
    }
    let settings = periods::settings_for_posting(w).await?;
    post_draft_row(w, before, &settings).await
}

/// `deleteJournalEntry`: removes a draft and its lines (audited as `delete` with every field
/// it held). A posted entry stays (`ledger.posted_immutable`): it is reversed instead.
pub async fn delete_draft(w: &Write<'_>, id: Uuid) -> Result<journal_entry::Model, AppError> {
    let before = write::find_for_write::<journal_entry::Entity>(w, id).await?;
    if before.status == EntryStatus::Posted {
        return Err(rule(
            "ledger.posted_immutable",
            format!(
                "journal entry {} is posted; reverse it instead",
                before.number.as_deref().unwrap_or_default()
            ),
        ));
    }
    write::delete::<journal_entry::Entity>(w, &before).await?;
    Ok(before)
}

/// `reverseJournalEntry`: posts the reversal of posted entry `id`, dated `date` (none: the
/// original's date), every line's side swapped.
pub async fn reverse(
    w: &Write<'_>,
    id: Uuid,
    date: Option<NaiveDate>,
    memo: Option<String>,
) -> Result<journal_entry::Model, AppError> {
    let original = for_posting(w, id).await?;
    let number = original.number.clone().unwrap_or_default();
    if original.status != EntryStatus::Posted {
        return Err(rule(
            "ledger.not_posted",
            "a draft is not reversed; delete it instead (`deleteJournalEntry`)",
        ));
    }
    let reversed = journal_entry::Entity::find()
        .filter(journal_entry::Column::ReversalOfId.eq(id))
        .one(w.tx().await?)
        .await?;
    if let Some(reversal) = reversed {
        return Err(rule(
            "ledger.already_reversed",
            format!(
                "journal entry {number} is reversed already by {}",
                reversal.number.as_deref().unwrap_or_default()
            ),
        ));
    }
    let lines = lines_of(w, id).await?;
    let mut entry = entry_of(&original, &lines);
    for line in &mut entry.lines {
        std::mem::swap(&mut line.debit_minor, &mut line.credit_minor);
        if let Some(foreign) = &mut line.foreign {
            foreign.amount_minor = -foreign.amount_minor;
        }
    }
    entry.date = date.unwrap_or(original.entry_date);
    entry.reference = Some(format!("Reversal of {number}"));
    entry.memo = memo;
    let total = check(w, &entry).await?;
    let settings = periods::settings_for_posting(w).await?;
    periods::check_open(w, &settings, entry.date)?;
    let draft = insert_draft(w, None, &entry, total, Some(id)).await?;
    post_draft_row(w, draft, &settings).await
}

/// The entry `row` with `lines`, as a [`NewEntry`] (to check it again or reverse it).
fn entry_of(row: &journal_entry::Model, lines: &[journal_line::Model]) -> NewEntry {
    NewEntry {
        journal_id: row.journal_id,
        date: row.entry_date,
        reference: row.reference.clone(),
        source: row.source_entity.clone().zip(row.source_id),
        memo: row.memo.clone(),
        lines: lines
            .iter()
            .map(|l| NewLine {
                account_id: l.account_id,
                debit_minor: l.debit_minor,
                credit_minor: l.credit_minor,
                foreign: match (&l.currency, l.amount_currency_minor, l.rate_micros) {
                    (Some(currency), Some(amount), Some(rate)) => Some(Foreign {
                        currency: currency.clone(),
                        amount_minor: amount,
                        rate_micros: rate,
                    }),
                    _ => None,
                },
                customer_id: l.customer_id,
                supplier_id: l.supplier_id,
                label: l.label.clone(),
            })
            .collect(),
    }
}

/// The first journal of `kind` (the seed gives every tenant one of each).
pub async fn journal_of(
    w: &Write<'_>,
    kind: journal::JournalKind,
) -> Result<journal::Model, AppError> {
    journal::Entity::find()
        .filter(journal::Column::Kind.eq(kind))
        .order_by_asc(journal::Column::CreatedAt)
        .one(w.tx().await?)
        .await?
        .ok_or_else(|| AppError::Internal(format!("the tenant has no {kind:?} journal")))
}

/// Filter of the journal entry list.
#[derive(Debug, Default)]
pub struct EntryFilter {
    /// These statuses only.
    pub status: Vec<EntryStatus>,
    /// One journal.
    pub journal_id: Option<Uuid>,
    /// Dated on or after.
    pub date_from: Option<NaiveDate>,
    /// Dated on or before.
    pub date_to: Option<NaiveDate>,
    /// Posted by one source document.
    pub source_id: Option<Uuid>,
}

/// Journal entries `access` may see, filtered.
pub fn visible(
    access: &crate::authz::Access,
    filter: &EntryFilter,
) -> Result<sea_orm::Select<journal_entry::Entity>, AppError> {
    let mut query = crate::kit::resource::visible::<journal_entry::Entity>(access)?;
    if !filter.status.is_empty() {
        query = query.filter(journal_entry::Column::Status.is_in(filter.status.iter().copied()));
    }
    if let Some(id) = filter.journal_id {
        query = query.filter(journal_entry::Column::JournalId.eq(id));
    }
    if let Some(date) = filter.date_from {
        query = query.filter(journal_entry::Column::EntryDate.gte(date));
    }
    if let Some(date) = filter.date_to {
        query = query.filter(journal_entry::Column::EntryDate.lte(date));
    }
    if let Some(id) = filter.source_id {
        query = query.filter(journal_entry::Column::SourceId.eq(id));
    }
    Ok(query)
}
