//! Finance tables of a tenant: the chart of accounts, journals, journal entries and their
//! lines, the gapless number counters and the ledger's settings (fiscal year, lock dates).

pub mod account;
pub mod journal;
pub mod journal_entry;
pub mod journal_line;
pub mod ledger_setting;
pub mod number_counter;
