//! Transactions that write.
//!
//! On SQLite (WAL) a transaction that reads and then writes fails at once with `SQLITE_BUSY`
//! when another writer committed in between, instead of waiting: two concurrent optimistic
//! updates would then answer `INTERNAL` where the loser should see `CONFLICT`. Writing
//! transactions therefore begin `IMMEDIATE`, taking the write lock up front (waiting for it up
//! to the busy timeout), so writers queue and the version check decides. PostgreSQL ignores
//! the option.

use sea_orm::{
    DatabaseConnection, DatabaseTransaction, DbErr, SqliteTransactionMode, TransactionOptions,
    TransactionTrait,
};

/// Begins a transaction that will write. `BEGIN` and the [`commit`] count as statements of the
/// request (`extensions.sqlStatements`): they are round trips like any other.
pub async fn begin_write(db: &DatabaseConnection) -> Result<DatabaseTransaction, DbErr> {
    crate::metrics::count_request_statement();
    db.begin_with_options(TransactionOptions {
        sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
        ..Default::default()
    })
    .await
}

/// Commits a transaction of [`begin_write`].
pub async fn commit(tx: DatabaseTransaction) -> Result<(), DbErr> {
    crate::metrics::count_request_statement();
    tx.commit().await
}
