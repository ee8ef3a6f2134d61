//! Sales: `quotation`s and `sales_order`s with their lines (`quotation_line`,
//! `sales_order_line`), the link from an invoice's line to the order line it bills
//! (`sales_invoice_line`) and the one row of the sales settings (`sales_setting`, added by
//! the seed).
//!
//! The database keeps what the documents' numbers must satisfy, whatever writes them:
//! `subtotal + tax + rounding = total` on both documents, a quotation valid until a day on
//! or after its date, and on an order line `0 ≤ delivered ≤ quantity` and
//! `0 ≤ invoiced ≤ quantity`. A line's tax rates are the ids it applies, in order, separated
//! by spaces (`tax_rate_ids`): they are checked by the tax engine when the document is
//! computed, and copied to the invoice lines, whose `invoice_line_tax` rows the keys keep.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

// The column is `quotation_date`: the iden names the column.
#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden)]
enum Quotation {
    Table,
    Id,
    Number,
    CustomerId,
    OwnerId,
    OpportunityId,
    Status,
    QuotationDate,
    ValidUntil,
    Currency,
    RateMicros,
    SubtotalMinor,
    TaxMinor,
    RoundingMinor,
    TotalMinor,
    SalesOrderId,
    Memo,
    SentAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum SalesOrder {
    Table,
    Id,
    Number,
    CustomerId,
    OwnerId,
    Status,
    OrderDate,
    Currency,
    RateMicros,
    SubtotalMinor,
    TaxMinor,
    RoundingMinor,
    TotalMinor,
    InvoicedMinor,
    OverLimitApprovedBy,
    Memo,
    ConfirmedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

/// The columns both line tables have, after the document's key (`line_no` is a column).
#[allow(clippy::enum_variant_names)]
#[derive(DeriveIden, Clone, Copy)]
enum Line {
    Id,
    LineNo,
    ProductId,
    Description,
    QuantityMicros,
    UnitPriceMicros,
    DiscountMicros,
    TaxRateIds,
    NetMinor,
    TaxMinor,
    TotalMinor,
}

#[derive(DeriveIden, Clone, Copy)]
enum QuotationLine {
    Table,
    QuotationId,
}

#[derive(DeriveIden, Clone, Copy)]
enum SalesOrderLine {
    Table,
    OrderId,
    DeliveredMicros,
    InvoicedMicros,
}

#[derive(DeriveIden)]
enum SalesInvoiceLine {
    Table,
    InvoiceLineId,
    InvoiceId,
    OrderLineId,
}

#[derive(DeriveIden)]
enum SalesSetting {
    Table,
    Id,
    InvoicePolicy,
    QuotationValidityDays,
    Version,
    UpdatedAt,
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
enum Opportunity {
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
enum Invoice {
    Table,
    Id,
}

#[derive(DeriveIden)]
enum InvoiceLine {
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

/// The amounts' rule of both documents.
const TOTALS: &str =
    "subtotal_minor + tax_minor + rounding_minor = total_minor AND rate_micros > 0";

/// The line table `table` (named `table_name`) of the documents in `parent`, keyed by
/// `document`: the caller adds its own columns and checks.
fn line_table(
    table: impl IntoIden + Copy + 'static,
    document: impl IntoIden + Copy + 'static,
    table_name: &str,
    document_column: &str,
    parent: impl IntoIden + 'static,
    parent_key: impl IntoIden + 'static,
) -> TableCreateStatement {
    let name = format!("fk_{table_name}_{document_column}");
    Table::create()
        .table(table)
        .col(pk_uuid(Line::Id))
        .col(uuid(document))
        .col(integer(Line::LineNo))
        .col(uuid_null(Line::ProductId))
        .col(string(Line::Description))
        .col(big_integer(Line::QuantityMicros))
        .col(big_integer(Line::UnitPriceMicros))
        .col(big_integer(Line::DiscountMicros))
        .col(string(Line::TaxRateIds))
        .col(big_integer(Line::NetMinor))
        .col(big_integer(Line::TaxMinor))
        .col(big_integer(Line::TotalMinor))
        .foreign_key(&mut owned_by(table, document, &name, parent, parent_key))
        .foreign_key(&mut key(
            table,
            Line::ProductId,
            &format!("fk_{table_name}_product_id"),
            Product::Table,
            Product::Id,
        ))
        .to_owned()
}

const LINE_CHECK: &str = "quantity_micros > 0 AND unit_price_micros >= 0 \
     AND discount_micros >= 0 AND discount_micros <= 100000000";

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(SalesOrder::Table)
                    .col(pk_uuid(SalesOrder::Id))
                    .col(string_null(SalesOrder::Number).unique_key())
                    .col(uuid(SalesOrder::CustomerId))
                    .col(uuid_null(SalesOrder::OwnerId))
                    .col(string(SalesOrder::Status))
                    .col(date(SalesOrder::OrderDate))
                    .col(string(SalesOrder::Currency))
                    .col(big_integer(SalesOrder::RateMicros))
                    .col(big_integer(SalesOrder::SubtotalMinor))
                    .col(big_integer(SalesOrder::TaxMinor))
                    .col(big_integer(SalesOrder::RoundingMinor))
                    .col(big_integer(SalesOrder::TotalMinor))
                    .col(big_integer(SalesOrder::InvoicedMinor))
                    .col(uuid_null(SalesOrder::OverLimitApprovedBy))
                    .col(string_null(SalesOrder::Memo))
                    .col(timestamp_with_time_zone_null(SalesOrder::ConfirmedAt))
                    .col(integer(SalesOrder::Version))
                    .col(timestamp_with_time_zone(SalesOrder::CreatedAt))
                    .col(timestamp_with_time_zone(SalesOrder::UpdatedAt))
                    .check(Expr::cust(format!("{TOTALS} AND invoiced_minor >= 0")))
                    .foreign_key(&mut key(
                        SalesOrder::Table,
                        SalesOrder::CustomerId,
                        "fk_sales_order_customer_id",
                        Customer::Table,
                        Customer::Id,
                    ))
                    .foreign_key(&mut key(
                        SalesOrder::Table,
                        SalesOrder::OwnerId,
                        "fk_sales_order_owner_id",
                        UserAccount::Table,
                        UserAccount::Id,
                    ))
                    .foreign_key(&mut key(
                        SalesOrder::Table,
                        SalesOrder::OverLimitApprovedBy,
                        "fk_sales_order_over_limit_approved_by",
                        UserAccount::Table,
                        UserAccount::Id,
                    ))
                    .foreign_key(&mut key(
                        SalesOrder::Table,
                        SalesOrder::Currency,
                        "fk_sales_order_currency",
                        Currency::Table,
                        Currency::Code,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Quotation::Table)
                    .col(pk_uuid(Quotation::Id))
                    .col(string_null(Quotation::Number).unique_key())
                    .col(uuid(Quotation::CustomerId))
                    .col(uuid_null(Quotation::OwnerId))
                    .col(uuid_null(Quotation::OpportunityId))
                    .col(string(Quotation::Status))
                    .col(date(Quotation::QuotationDate))
                    .col(date(Quotation::ValidUntil))
                    .col(string(Quotation::Currency))
                    .col(big_integer(Quotation::RateMicros))
                    .col(big_integer(Quotation::SubtotalMinor))
                    .col(big_integer(Quotation::TaxMinor))
                    .col(big_integer(Quotation::RoundingMinor))
                    .col(big_integer(Quotation::TotalMinor))
                    .col(uuid_null(Quotation::SalesOrderId).unique_key())
                    .col(string_null(Quotation::Memo))
                    .col(timestamp_with_time_zone_null(Quotation::SentAt))
                    .col(integer(Quotation::Version))
                    .col(timestamp_with_time_zone(Quotation::CreatedAt))
                    .col(timestamp_with_time_zone(Quotation::UpdatedAt))
                    .check(Expr::cust(format!(
                        "{TOTALS} AND valid_until >= quotation_date"
                    )))
                    .foreign_key(&mut key(
                        Quotation::Table,
                        Quotation::CustomerId,
                        "fk_quotation_customer_id",
                        Customer::Table,
                        Customer::Id,
                    ))
                    .foreign_key(&mut key(
                        Quotation::Table,
                        Quotation::OwnerId,
                        "fk_quotation_owner_id",
                        UserAccount::Table,
                        UserAccount::Id,
                    ))
                    .foreign_key(&mut key(
                        Quotation::Table,
                        Quotation::OpportunityId,
                        "fk_quotation_opportunity_id",
                        Opportunity::Table,
                        Opportunity::Id,
                    ))
                    .foreign_key(&mut key(
                        Quotation::Table,
                        Quotation::Currency,
                        "fk_quotation_currency",
                        Currency::Table,
                        Currency::Code,
                    ))
                    .foreign_key(&mut key(
                        Quotation::Table,
                        Quotation::SalesOrderId,
                        "fk_quotation_sales_order_id",
                        SalesOrder::Table,
                        SalesOrder::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                line_table(
                    QuotationLine::Table,
                    QuotationLine::QuotationId,
                    "quotation_line",
                    "quotation_id",
                    Quotation::Table,
                    Quotation::Id,
                )
                .check(Expr::cust(LINE_CHECK))
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                line_table(
                    SalesOrderLine::Table,
                    SalesOrderLine::OrderId,
                    "sales_order_line",
                    "order_id",
                    SalesOrder::Table,
                    SalesOrder::Id,
                )
                .col(big_integer(SalesOrderLine::DeliveredMicros))
                .col(big_integer(SalesOrderLine::InvoicedMicros))
                .check(Expr::cust(format!(
                    "{LINE_CHECK} AND delivered_micros >= 0 AND delivered_micros <= quantity_micros \
                     AND invoiced_micros >= 0 AND invoiced_micros <= quantity_micros"
                )))
                .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SalesInvoiceLine::Table)
                    .col(pk_uuid(SalesInvoiceLine::InvoiceLineId))
                    .col(uuid(SalesInvoiceLine::InvoiceId))
                    .col(uuid(SalesInvoiceLine::OrderLineId))
                    .foreign_key(&mut owned_by(
                        SalesInvoiceLine::Table,
                        SalesInvoiceLine::InvoiceLineId,
                        "fk_sales_invoice_line_invoice_line_id",
                        InvoiceLine::Table,
                        InvoiceLine::Id,
                    ))
                    .foreign_key(&mut owned_by(
                        SalesInvoiceLine::Table,
                        SalesInvoiceLine::InvoiceId,
                        "fk_sales_invoice_line_invoice_id",
                        Invoice::Table,
                        Invoice::Id,
                    ))
                    .foreign_key(&mut key(
                        SalesInvoiceLine::Table,
                        SalesInvoiceLine::OrderLineId,
                        "fk_sales_invoice_line_order_line_id",
                        SalesOrderLine::Table,
                        Line::Id,
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(SalesSetting::Table)
                    .col(pk_uuid(SalesSetting::Id))
                    .col(string(SalesSetting::InvoicePolicy))
                    .col(integer(SalesSetting::QuotationValidityDays))
                    .col(integer(SalesSetting::Version))
                    .col(timestamp_with_time_zone(SalesSetting::UpdatedAt))
                    .check(Expr::cust(
                        "invoice_policy IN ('ORDERED', 'DELIVERED') \
                         AND quotation_validity_days BETWEEN 1 AND 3650",
                    ))
                    .to_owned(),
            )
            .await?;
        let db = manager.get_connection();
        // A customer's documents by date; open quotations by validity (the expiry job);
        // lines of a document in order; what bills an order line.
        for sql in [
            "CREATE INDEX ix_quotation_customer ON quotation (customer_id, quotation_date)",
            "CREATE INDEX ix_quotation_status ON quotation (status, valid_until)",
            "CREATE INDEX ix_sales_order_customer ON sales_order (customer_id, status)",
            "CREATE INDEX ix_quotation_line_quotation ON quotation_line (quotation_id, line_no)",
            "CREATE INDEX ix_sales_order_line_order ON sales_order_line (order_id, line_no)",
            "CREATE INDEX ix_sales_invoice_line_invoice ON sales_invoice_line (invoice_id)",
            "CREATE INDEX ix_sales_invoice_line_order_line ON sales_invoice_line (order_line_id)",
        ] {
            db.execute_unprepared(sql).await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            SalesSetting::Table.into_iden(),
            SalesInvoiceLine::Table.into_iden(),
            SalesOrderLine::Table.into_iden(),
            QuotationLine::Table.into_iden(),
            Quotation::Table.into_iden(),
            SalesOrder::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
