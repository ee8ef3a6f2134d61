//! Finance core: the chart of `account`s (a tree; only non-group accounts take postings),
//! `journal`s, `journal_entry` with its `journal_line`s, the gapless `number_counter` per
//! (series, fiscal year) and the one `ledger_setting` row (fiscal year start, lock dates, the
//! tax rounding policy).
//!
//! The database keeps the ledger's invariants itself, whatever code writes the rows:
//!
//! - **Balance.** A `POSTED` entry has at least two lines and `Σ debit = Σ credit`. The
//!   service writes an entry as a draft, adds its lines, then posts it with an `UPDATE` of
//!   its status. On PostgreSQL a deferred constraint trigger checks every entry a
//!   transaction touched when it commits, however its rows were written; on SQLite (no
//!   deferred triggers) an entry cannot be inserted as `POSTED`, and the `UPDATE` that posts
//!   it is checked against its lines by a trigger at that moment.
//! - **Immutability.** A posted entry is never updated or deleted, and its lines are never
//!   added to, updated or deleted (both backends): corrections are reversing entries.
//! - **One reversal.** `reversal_of_id` is unique: an entry is reversed at most once.
//! - **Line dates.** A line repeats its entry's date (`entry_date`), so the statements sum
//!   lines without joining every one to its entry; a posted entry whose lines carry another
//!   date is refused like an unbalanced one.
//!
//! Trigger errors start with the business rule they enforce (`ledger.unbalanced`,
//! `ledger.posted_immutable`), which the service never reaches: it checks the same first.

use sea_orm_migration::sea_orm::DbBackend;
use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Account {
    Table,
    Id,
    Code,
    Name,
    Kind,
    ParentId,
    Role,
    IsGroup,
    IsActive,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Journal {
    Table,
    Id,
    Code,
    Name,
    Kind,
    CreatedAt,
}

#[derive(DeriveIden)]
enum JournalEntry {
    Table,
    Id,
    Number,
    JournalId,
    EntryDate,
    FiscalYear,
    Status,
    Reference,
    SourceEntity,
    SourceId,
    Memo,
    ReversalOfId,
    TotalMinor,
    PostedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum JournalLine {
    Table,
    Id,
    EntryId,
    EntryDate,
    LineNo,
    AccountId,
    DebitMinor,
    CreditMinor,
    Currency,
    AmountCurrencyMinor,
    RateMicros,
    CustomerId,
    SupplierId,
    Label,
}

#[derive(DeriveIden)]
enum NumberCounter {
    Table,
    Series,
    FiscalYear,
    LastNumber,
}

#[derive(DeriveIden)]
enum LedgerSetting {
    Table,
    Id,
    FiscalYearStartMonth,
    LockDate,
    UserLockDate,
    TaxRounding,
    RoundingMode,
    CashIncrementMinor,
    Version,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Currency {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum Customer {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Supplier {
    Table,
    Id,
}

/// A foreign key `fk_<table>_<column>` (the kit's naming), `ON DELETE RESTRICT`.
fn key(
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
    name: &str,
    parent: impl IntoIden + 'static,
    parent_key: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(table, column)
        .to(parent, parent_key)
        .on_delete(ForeignKeyAction::Restrict)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Account::Table)
                    .col(pk_uuid(Account::Id))
                    .col(string(Account::Code).unique_key())
                    .col(string(Account::Name))
                    .col(string(Account::Kind))
                    .col(uuid_null(Account::ParentId))
                    .col(string_null(Account::Role).unique_key())
                    .col(boolean(Account::IsGroup))
                    .col(boolean(Account::IsActive))
                    .col(integer(Account::Version))
                    .col(timestamp_with_time_zone(Account::CreatedAt))
                    .col(timestamp_with_time_zone(Account::UpdatedAt))
                    .foreign_key(&mut key(
                        Account::Table,
                        Account::ParentId,
                        "fk_account_parent_id",
                        Account::Table,
                        Account::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Journal::Table)
                    .col(pk_uuid(Journal::Id))
                    .col(string(Journal::Code).unique_key())
                    .col(string(Journal::Name))
                    .col(string(Journal::Kind))
                    .col(timestamp_with_time_zone(Journal::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JournalEntry::Table)
                    .col(pk_uuid(JournalEntry::Id))
                    .col(string_null(JournalEntry::Number).unique_key())
                    .col(uuid(JournalEntry::JournalId))
                    .col(date(JournalEntry::EntryDate))
                    .col(integer_null(JournalEntry::FiscalYear))
                    .col(string(JournalEntry::Status))
                    .col(string_null(JournalEntry::Reference))
                    .col(string_null(JournalEntry::SourceEntity))
                    .col(uuid_null(JournalEntry::SourceId))
                    .col(string_null(JournalEntry::Memo))
                    .col(uuid_null(JournalEntry::ReversalOfId).unique_key())
                    .col(big_integer(JournalEntry::TotalMinor))
                    .col(timestamp_with_time_zone_null(JournalEntry::PostedAt))
                    .col(integer(JournalEntry::Version))
                    .col(timestamp_with_time_zone(JournalEntry::CreatedAt))
                    .col(timestamp_with_time_zone(JournalEntry::UpdatedAt))
                    .foreign_key(&mut key(
                        JournalEntry::Table,
                        JournalEntry::JournalId,
                        "fk_journal_entry_journal_id",
                        Journal::Table,
                        Journal::Id,
                    ))
                    .foreign_key(&mut key(
                        JournalEntry::Table,
                        JournalEntry::ReversalOfId,
                        "fk_journal_entry_reversal_of_id",
                        JournalEntry::Table,
                        JournalEntry::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(JournalLine::Table)
                    .col(pk_uuid(JournalLine::Id))
                    .col(uuid(JournalLine::EntryId))
                    .col(date(JournalLine::EntryDate))
                    .col(integer(JournalLine::LineNo))
                    .col(uuid(JournalLine::AccountId))
                    .col(big_integer(JournalLine::DebitMinor))
                    .col(big_integer(JournalLine::CreditMinor))
                    .col(string_null(JournalLine::Currency))
                    .col(big_integer_null(JournalLine::AmountCurrencyMinor))
                    .col(big_integer_null(JournalLine::RateMicros))
                    .col(uuid_null(JournalLine::CustomerId))
                    .col(uuid_null(JournalLine::SupplierId))
                    .col(string_null(JournalLine::Label))
                    // One side per line, never negative: a line is a debit or a credit.
                    .check(Expr::cust(
                        "debit_minor >= 0 AND credit_minor >= 0 \
                         AND (debit_minor = 0 OR credit_minor = 0)",
                    ))
                    .foreign_key(
                        &mut key(
                            JournalLine::Table,
                            JournalLine::EntryId,
                            "fk_journal_line_entry_id",
                            JournalEntry::Table,
                            JournalEntry::Id,
                        )
                        // A draft's lines go with it; a posted entry cannot be deleted at all.
                        .on_delete(ForeignKeyAction::Cascade)
                        .to_owned(),
                    )
                    .foreign_key(&mut key(
                        JournalLine::Table,
                        JournalLine::AccountId,
                        "fk_journal_line_account_id",
                        Account::Table,
                        Account::Id,
                    ))
                    .foreign_key(&mut key(
                        JournalLine::Table,
                        JournalLine::Currency,
                        "fk_journal_line_currency",
                        Currency::Table,
                        Currency::Code,
                    ))
                    .foreign_key(&mut key(
                        JournalLine::Table,
                        JournalLine::CustomerId,
                        "fk_journal_line_customer_id",
                        Customer::Table,
                        Customer::Id,
                    ))
                    .foreign_key(&mut key(
                        JournalLine::Table,
                        JournalLine::SupplierId,
                        "fk_journal_line_supplier_id",
                        Supplier::Table,
                        Supplier::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(NumberCounter::Table)
                    .col(string(NumberCounter::Series))
                    .col(integer(NumberCounter::FiscalYear))
                    .col(big_integer(NumberCounter::LastNumber))
                    .primary_key(
                        Index::create()
                            .col(NumberCounter::Series)
                            .col(NumberCounter::FiscalYear),
                    )
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(LedgerSetting::Table)
                    .col(pk_uuid(LedgerSetting::Id))
                    .col(integer(LedgerSetting::FiscalYearStartMonth))
                    .col(date_null(LedgerSetting::LockDate))
                    .col(date_null(LedgerSetting::UserLockDate))
                    .col(string(LedgerSetting::TaxRounding))
                    .col(string(LedgerSetting::RoundingMode))
                    .col(big_integer(LedgerSetting::CashIncrementMinor))
                    .col(integer(LedgerSetting::Version))
                    .col(timestamp_with_time_zone(LedgerSetting::UpdatedAt))
                    .check(Expr::cust("fiscal_year_start_month BETWEEN 1 AND 12"))
                    .to_owned(),
            )
            .await?;

        let db = manager.get_connection();
        // Lines of an entry in order; an account's lines by date (the general ledger and
        // opening balances read a range of it); entries by status and date (drafts, which
        // the statements leave out, are found through it).
        for sql in [
            "CREATE INDEX ix_journal_line_entry ON journal_line (entry_id, line_no)",
            "CREATE INDEX ix_journal_line_account ON journal_line (account_id, entry_date)",
            "CREATE INDEX ix_journal_entry_date ON journal_entry (status, entry_date)",
            "CREATE INDEX ix_account_parent ON account (parent_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        let triggers = match manager.get_database_backend() {
            DbBackend::Postgres => POSTGRES_TRIGGERS,
            _ => SQLITE_TRIGGERS,
        };
        for sql in triggers {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        if manager.get_database_backend() == DbBackend::Postgres {
            for sql in [
                "DROP FUNCTION IF EXISTS ledger_check_balanced() CASCADE",
                "DROP FUNCTION IF EXISTS ledger_refuse_posted_change() CASCADE",
            ] {
                db.execute_unprepared(sql).await?;
            }
        } else {
            // SQLite empties a table before dropping it, and a row still named by a
            // `RESTRICT` key of its own table (an account's parent, a reversed entry) stops
            // that: the triggers go first, then the references within each table.
            let names = SQLITE_TRIGGERS.iter().filter_map(|sql| {
                sql.strip_prefix("CREATE TRIGGER ")?
                    .split_whitespace()
                    .next()
            });
            for name in names {
                db.execute_unprepared(&format!("DROP TRIGGER IF EXISTS {name}"))
                    .await?;
            }
            for sql in [
                "DELETE FROM journal_line",
                "UPDATE journal_entry SET reversal_of_id = NULL",
                "UPDATE account SET parent_id = NULL",
            ] {
                db.execute_unprepared(sql).await?;
            }
        }
        for table in [
            JournalLine::Table.into_iden(),
            JournalEntry::Table.into_iden(),
            Journal::Table.into_iden(),
            Account::Table.into_iden(),
            NumberCounter::Table.into_iden(),
            LedgerSetting::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// PostgreSQL: the balance at commit (deferred constraint triggers on both tables), posted
/// rows never changed.
const POSTGRES_TRIGGERS: &[&str] = &[
    r#"CREATE FUNCTION ledger_check_balanced() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    entry uuid;
    lines bigint;
    misdated bigint;
    debit numeric;
    credit numeric;
BEGIN
    IF TG_TABLE_NAME = 'journal_entry' THEN
        entry := NEW.id;
    ELSIF TG_OP = 'DELETE' THEN
        entry := OLD.entry_id;
    ELSE
        entry := NEW.entry_id;
    END IF;
    IF EXISTS (SELECT 1 FROM journal_entry WHERE id = entry AND status = 'POSTED') THEN
        SELECT count(*), coalesce(sum(l.debit_minor), 0), coalesce(sum(l.credit_minor), 0),
               count(*) FILTER (WHERE l.entry_date <> e.entry_date)
          INTO lines, debit, credit, misdated
          FROM journal_line l JOIN journal_entry e ON e.id = l.entry_id WHERE l.entry_id = entry;
        IF lines < 2 OR debit <> credit THEN
            RAISE EXCEPTION 'ledger.unbalanced: posted journal entry % has % lines, debit % and credit %',
                entry, lines, debit, credit USING ERRCODE = 'check_violation';
        END IF;
        IF misdated > 0 THEN
            RAISE EXCEPTION 'ledger.unbalanced: % lines of posted journal entry % carry another date than the entry',
                misdated, entry USING ERRCODE = 'check_violation';
        END IF;
    END IF;
    RETURN NULL;
END $$"#,
    "CREATE CONSTRAINT TRIGGER journal_entry_balanced AFTER INSERT OR UPDATE ON journal_entry \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()",
    "CREATE CONSTRAINT TRIGGER journal_line_balanced AFTER INSERT OR UPDATE OR DELETE ON journal_line \
     DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced()",
    r#"CREATE FUNCTION ledger_refuse_posted_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'journal_entry' THEN
        IF OLD.status = 'POSTED' THEN
            RAISE EXCEPTION 'ledger.posted_immutable: journal entry % is posted', OLD.id
                USING ERRCODE = 'check_violation';
        END IF;
    ELSIF TG_OP <> 'INSERT'
          AND EXISTS (SELECT 1 FROM journal_entry WHERE id = OLD.entry_id AND status = 'POSTED') THEN
        RAISE EXCEPTION 'ledger.posted_immutable: journal entry % is posted', OLD.entry_id
            USING ERRCODE = 'check_violation';
    ELSIF TG_OP <> 'DELETE'
          AND EXISTS (SELECT 1 FROM journal_entry WHERE id = NEW.entry_id AND status = 'POSTED') THEN
        RAISE EXCEPTION 'ledger.posted_immutable: journal entry % is posted', NEW.entry_id
            USING ERRCODE = 'check_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END $$"#,
    "CREATE TRIGGER journal_entry_immutable BEFORE UPDATE OR DELETE ON journal_entry \
     FOR EACH ROW EXECUTE FUNCTION ledger_refuse_posted_change()",
    "CREATE TRIGGER journal_line_immutable BEFORE INSERT OR UPDATE OR DELETE ON journal_line \
     FOR EACH ROW EXECUTE FUNCTION ledger_refuse_posted_change()",
];

/// SQLite has no deferred triggers: an entry is inserted as a draft, its lines added, and
/// the `UPDATE` that posts it is checked against them; posted rows never change.
const SQLITE_TRIGGERS: &[&str] = &[
    "CREATE TRIGGER journal_entry_inserted_posted BEFORE INSERT ON journal_entry \
     WHEN NEW.status = 'POSTED' BEGIN \
       SELECT RAISE(ABORT, 'ledger.unbalanced: an entry is inserted as a draft and posted with its lines'); \
     END",
    "CREATE TRIGGER journal_entry_balanced BEFORE UPDATE ON journal_entry \
     WHEN OLD.status <> 'POSTED' AND NEW.status = 'POSTED' \
       AND ((SELECT count(*) FROM journal_line WHERE entry_id = NEW.id) < 2 \
         OR (SELECT coalesce(sum(debit_minor), 0) - coalesce(sum(credit_minor), 0) \
             FROM journal_line WHERE entry_id = NEW.id) <> 0 \
         OR EXISTS (SELECT 1 FROM journal_line WHERE entry_id = NEW.id \
             AND entry_date <> NEW.entry_date)) BEGIN \
       SELECT RAISE(ABORT, 'ledger.unbalanced: a posted entry has two lines or more, balances, and its lines carry its date'); \
     END",
    "CREATE TRIGGER journal_entry_immutable BEFORE UPDATE ON journal_entry \
     WHEN OLD.status = 'POSTED' BEGIN \
       SELECT RAISE(ABORT, 'ledger.posted_immutable: the journal entry is posted'); \
     END",
    "CREATE TRIGGER journal_entry_undeletable BEFORE DELETE ON journal_entry \
     WHEN OLD.status = 'POSTED' BEGIN \
       SELECT RAISE(ABORT, 'ledger.posted_immutable: the journal entry is posted'); \
     END",
    "CREATE TRIGGER journal_line_insert_posted BEFORE INSERT ON journal_line \
     WHEN (SELECT status FROM journal_entry WHERE id = NEW.entry_id) = 'POSTED' BEGIN \
       SELECT RAISE(ABORT, 'ledger.posted_immutable: the journal entry is posted'); \
     END",
    "CREATE TRIGGER journal_line_update_posted BEFORE UPDATE ON journal_line \
     WHEN (SELECT status FROM journal_entry WHERE id = OLD.entry_id) = 'POSTED' \
       OR (SELECT status FROM journal_entry WHERE id = NEW.entry_id) = 'POSTED' BEGIN \
       SELECT RAISE(ABORT, 'ledger.posted_immutable: the journal entry is posted'); \
     END",
    "CREATE TRIGGER journal_line_delete_posted BEFORE DELETE ON journal_line \
     WHEN (SELECT status FROM journal_entry WHERE id = OLD.entry_id) = 'POSTED' BEGIN \
       SELECT RAISE(ABORT, 'ledger.posted_immutable: the journal entry is posted'); \
     END",
];
