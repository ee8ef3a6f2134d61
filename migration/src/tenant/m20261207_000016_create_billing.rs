//! Billing: customer `invoice`s and credit notes (one table, told apart by `kind`) with their
//! `invoice_line`s, the tax rates each line applies (`invoice_line_tax`) and the document's
//! taxes per code (`invoice_tax`); customer `payment`s and their `payment_allocation`s to
//! invoices (a credit note is allocated to its invoice the same way).
//!
//! The database keeps what a document's numbers must satisfy, whatever writes them:
//! `subtotal + tax + rounding = total` on every invoice, `0 ≤ paid ≤ total`, and on every
//! payment `0 ≤ allocated ≤ amount`; an allocation is positive and names either a payment
//! or a credit note.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// The columns are `invoice_date` and `payment_date`: the iden names the column.
#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden)]
enum Invoice {
    Table,
    Id,
    Kind,
    Number,
    CustomerId,
    OwnerId,
    Status,
    InvoiceDate,
    DueDate,
    Currency,
    RateMicros,
    DiscountMinor,
    SubtotalMinor,
    TaxMinor,
    RoundingMinor,
    TotalMinor,
    PaidMinor,
    CreditedInvoiceId,
    JournalEntryId,
    FiscalYear,
    Memo,
    PostedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum InvoiceLine {
    Table,
    Id,
    InvoiceId,
    LineNo,
    ProductId,
    Description,
    QuantityMicros,
    UnitPriceMicros,
    DiscountMicros,
    NetMinor,
    TaxMinor,
    TotalMinor,
}

#[derive(DeriveIden)]
enum InvoiceLineTax {
    Table,
    Id,
    LineId,
    Position,
    TaxRateId,
}

#[derive(DeriveIden)]
enum InvoiceTax {
    Table,
    Id,
    InvoiceId,
    Position,
    TaxRateId,
    Code,
    Kind,
    RateMicros,
    BaseMinor,
    AmountMinor,
}

#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden)]
enum Payment {
    Table,
    Id,
    Number,
    CustomerId,
    OwnerId,
    JournalId,
    PaymentDate,
    Currency,
    AmountMinor,
    RateMicros,
    AllocatedMinor,
    JournalEntryId,
    Reference,
    Memo,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum PaymentAllocation {
    Table,
    Id,
    PaymentId,
    CreditNoteId,
    InvoiceId,
    AllocatedOn,
    AmountMinor,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Customer {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum UserAccount {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Currency {
    Table,
    Code,
}

#[derive(DeriveIden)]
enum Product {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum TaxRate {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum JournalEntry {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum Journal {
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

/// [`key`], with the rows going when their document goes (a draft's lines).
fn owned_by(
    table: impl IntoIden + 'static,
    column: impl IntoIden + 'static,
    name: &str,
    parent: impl IntoIden + 'static,
    parent_key: impl IntoIden + 'static,
) -> ForeignKeyCreateStatement {
    key(table, column, name, parent, parent_key)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Invoice::Table)
                    .col(pk_uuid(Invoice::Id))
                    .col(string(Invoice::Kind))
                    .col(string_null(Invoice::Number).unique_key())
                    .col(uuid(Invoice::CustomerId))
                    .col(uuid_null(Invoice::OwnerId))
                    .col(string(Invoice::Status))
                    .col(date(Invoice::InvoiceDate))
                    .col(date(Invoice::DueDate))
                    .col(string(Invoice::Currency))
                    .col(big_integer(Invoice::RateMicros))
                    .col(big_integer(Invoice::DiscountMinor))
                    .col(big_integer(Invoice::SubtotalMinor))
                    .col(big_integer(Invoice::TaxMinor))
                    .col(big_integer(Invoice::RoundingMinor))
                    .col(big_integer(Invoice::TotalMinor))
                    .col(big_integer(Invoice::PaidMinor))
                    .col(uuid_null(Invoice::CreditedInvoiceId))
                    .col(uuid_null(Invoice::JournalEntryId).unique_key())
                    .col(integer_null(Invoice::FiscalYear))
                    .col(string_null(Invoice::Memo))
                    .col(timestamp_with_time_zone_null(Invoice::PostedAt))
                    .col(integer(Invoice::Version))
                    .col(timestamp_with_time_zone(Invoice::CreatedAt))
                    .col(timestamp_with_time_zone(Invoice::UpdatedAt))
                    .check(Expr::cust(
                        "subtotal_minor + tax_minor + rounding_minor = total_minor \
                         AND paid_minor >= 0 AND paid_minor <= total_minor AND rate_micros > 0",
                    ))
                    .foreign_key(&mut key(
                        Invoice::Table,
                        Invoice::CustomerId,
                        "fk_invoice_customer_id",
                        Customer::Table,
                        Customer::Id,
                    ))
                    .foreign_key(&mut key(
                        Invoice::Table,
                        Invoice::OwnerId,
                        "fk_invoice_owner_id",
                        UserAccount::Table,
                        UserAccount::Id,
                    ))
                    .foreign_key(&mut key(
                        Invoice::Table,
                        Invoice::Currency,
                        "fk_invoice_currency",
                        Currency::Table,
                        Currency::Code,
                    ))
                    .foreign_key(&mut key(
                        Invoice::Table,
                        Invoice::CreditedInvoiceId,
                        "fk_invoice_credited_invoice_id",
                        Invoice::Table,
                        Invoice::Id,
                    ))
                    .foreign_key(&mut key(
                        Invoice::Table,
                        Invoice::JournalEntryId,
                        "fk_invoice_journal_entry_id",
                        JournalEntry::Table,
                        JournalEntry::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InvoiceLine::Table)
                    .col(pk_uuid(InvoiceLine::Id))
                    .col(uuid(InvoiceLine::InvoiceId))
                    .col(integer(InvoiceLine::LineNo))
                    .col(uuid_null(InvoiceLine::ProductId))
                    .col(string(InvoiceLine::Description))
                    .col(big_integer(InvoiceLine::QuantityMicros))
                    .col(big_integer(InvoiceLine::UnitPriceMicros))
                    .col(big_integer(InvoiceLine::DiscountMicros))
                    .col(big_integer(InvoiceLine::NetMinor))
                    .col(big_integer(InvoiceLine::TaxMinor))
                    .col(big_integer(InvoiceLine::TotalMinor))
                    .check(Expr::cust(
                        "quantity_micros > 0 AND unit_price_micros >= 0 \
                         AND discount_micros >= 0 AND discount_micros <= 100000000",
                    ))
                    .foreign_key(&mut owned_by(
                        InvoiceLine::Table,
                        InvoiceLine::InvoiceId,
                        "fk_invoice_line_invoice_id",
                        Invoice::Table,
                        Invoice::Id,
                    ))
                    .foreign_key(&mut key(
                        InvoiceLine::Table,
                        InvoiceLine::ProductId,
                        "fk_invoice_line_product_id",
                        Product::Table,
                        Product::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InvoiceLineTax::Table)
                    .col(pk_uuid(InvoiceLineTax::Id))
                    .col(uuid(InvoiceLineTax::LineId))
                    .col(integer(InvoiceLineTax::Position))
                    .col(uuid(InvoiceLineTax::TaxRateId))
                    .foreign_key(&mut owned_by(
                        InvoiceLineTax::Table,
                        InvoiceLineTax::LineId,
                        "fk_invoice_line_tax_line_id",
                        InvoiceLine::Table,
                        InvoiceLine::Id,
                    ))
                    .foreign_key(&mut key(
                        InvoiceLineTax::Table,
                        InvoiceLineTax::TaxRateId,
                        "fk_invoice_line_tax_tax_rate_id",
                        TaxRate::Table,
                        TaxRate::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(InvoiceTax::Table)
                    .col(pk_uuid(InvoiceTax::Id))
                    .col(uuid(InvoiceTax::InvoiceId))
                    .col(integer(InvoiceTax::Position))
                    .col(uuid(InvoiceTax::TaxRateId))
                    .col(string(InvoiceTax::Code))
                    .col(string(InvoiceTax::Kind))
                    .col(big_integer(InvoiceTax::RateMicros))
                    .col(big_integer(InvoiceTax::BaseMinor))
                    .col(big_integer(InvoiceTax::AmountMinor))
                    .foreign_key(&mut owned_by(
                        InvoiceTax::Table,
                        InvoiceTax::InvoiceId,
                        "fk_invoice_tax_invoice_id",
                        Invoice::Table,
                        Invoice::Id,
                    ))
                    .foreign_key(&mut key(
                        InvoiceTax::Table,
                        InvoiceTax::TaxRateId,
                        "fk_invoice_tax_tax_rate_id",
                        TaxRate::Table,
                        TaxRate::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Payment::Table)
                    .col(pk_uuid(Payment::Id))
                    .col(string_null(Payment::Number).unique_key())
                    .col(uuid(Payment::CustomerId))
                    .col(uuid_null(Payment::OwnerId))
                    .col(uuid(Payment::JournalId))
                    .col(date(Payment::PaymentDate))
                    .col(string(Payment::Currency))
                    .col(big_integer(Payment::AmountMinor))
                    .col(big_integer(Payment::RateMicros))
                    .col(big_integer(Payment::AllocatedMinor))
                    .col(uuid_null(Payment::JournalEntryId).unique_key())
                    .col(string_null(Payment::Reference))
                    .col(string_null(Payment::Memo))
                    .col(integer(Payment::Version))
                    .col(timestamp_with_time_zone(Payment::CreatedAt))
                    .col(timestamp_with_time_zone(Payment::UpdatedAt))
                    .check(Expr::cust(
                        "amount_minor > 0 AND allocated_minor >= 0 \
                         AND allocated_minor <= amount_minor AND rate_micros > 0",
                    ))
                    .foreign_key(&mut key(
                        Payment::Table,
                        Payment::CustomerId,
                        "fk_payment_customer_id",
                        Customer::Table,
                        Customer::Id,
                    ))
                    .foreign_key(&mut key(
                        Payment::Table,
                        Payment::OwnerId,
                        "fk_payment_owner_id",
                        UserAccount::Table,
                        UserAccount::Id,
                    ))
                    .foreign_key(&mut key(
                        Payment::Table,
                        Payment::JournalId,
                        "fk_payment_journal_id",
                        Journal::Table,
                        Journal::Id,
                    ))
                    .foreign_key(&mut key(
                        Payment::Table,
                        Payment::Currency,
                        "fk_payment_currency",
                        Currency::Table,
                        Currency::Code,
                    ))
                    .foreign_key(&mut key(
                        Payment::Table,
                        Payment::JournalEntryId,
                        "fk_payment_journal_entry_id",
                        JournalEntry::Table,
                        JournalEntry::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PaymentAllocation::Table)
                    .col(pk_uuid(PaymentAllocation::Id))
                    .col(uuid_null(PaymentAllocation::PaymentId))
                    .col(uuid_null(PaymentAllocation::CreditNoteId))
                    .col(uuid(PaymentAllocation::InvoiceId))
                    .col(date(PaymentAllocation::AllocatedOn))
                    .col(big_integer(PaymentAllocation::AmountMinor))
                    .col(timestamp_with_time_zone(PaymentAllocation::CreatedAt))
                    .check(Expr::cust(
                        "amount_minor > 0 AND ((payment_id IS NULL) <> (credit_note_id IS NULL))",
                    ))
                    .foreign_key(&mut key(
                        PaymentAllocation::Table,
                        PaymentAllocation::PaymentId,
                        "fk_payment_allocation_payment_id",
                        Payment::Table,
                        Payment::Id,
                    ))
                    .foreign_key(&mut key(
                        PaymentAllocation::Table,
                        PaymentAllocation::CreditNoteId,
                        "fk_payment_allocation_credit_note_id",
                        Invoice::Table,
                        Invoice::Id,
                    ))
                    .foreign_key(&mut key(
                        PaymentAllocation::Table,
                        PaymentAllocation::InvoiceId,
                        "fk_payment_allocation_invoice_id",
                        Invoice::Table,
                        Invoice::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // A customer's documents by date (lists, statements, aging); lines and taxes of a
        // document in order; allocations of an invoice and of a payment.
        for sql in [
            "CREATE INDEX ix_invoice_customer ON invoice (customer_id, invoice_date)",
            "CREATE INDEX ix_invoice_status ON invoice (status, due_date)",
            "CREATE INDEX ix_invoice_line_invoice ON invoice_line (invoice_id, line_no)",
            "CREATE INDEX ix_invoice_line_tax_line ON invoice_line_tax (line_id, position)",
            "CREATE INDEX ix_invoice_tax_invoice ON invoice_tax (invoice_id, position)",
            "CREATE INDEX ix_payment_customer ON payment (customer_id, payment_date)",
            "CREATE INDEX ix_payment_allocation_invoice ON payment_allocation (invoice_id)",
            "CREATE INDEX ix_payment_allocation_payment ON payment_allocation (payment_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let db = manager.get_connection();
        // A credit note names its invoice in the same table (`RESTRICT`).
        db.execute_unprepared("DELETE FROM payment_allocation")
            .await?;
        db.execute_unprepared("UPDATE invoice SET credited_invoice_id = NULL")
            .await?;
        for table in [
            PaymentAllocation::Table.into_iden(),
            Payment::Table.into_iden(),
            InvoiceTax::Table.into_iden(),
            InvoiceLineTax::Table.into_iden(),
            InvoiceLine::Table.into_iden(),
            Invoice::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
