//! Master data: currencies and dated rates, units, tax rates, payment terms, customers,
//! suppliers, contacts, product categories, products, warehouses.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum Currency {
    Table,
    Code,
    Name,
    MinorDigits,
    IsActive,
}

#[derive(DeriveIden)]
enum ExchangeRate {
    Table,
    Id,
    Currency,
    RateMicros,
    ValidFrom,
    CreatedAt,
}

#[derive(DeriveIden)]
enum UnitOfMeasure {
    Table,
    Code,
    Name,
}

#[derive(DeriveIden)]
enum TaxRate {
    Table,
    Id,
    Code,
    Name,
    RateMicros,
    Inclusive,
    ValidFrom,
    ValidTo,
    CreatedAt,
}

#[derive(DeriveIden)]
enum PaymentTerm {
    Table,
    Id,
    Code,
    Name,
    DueDays,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Customer {
    Table,
    Id,
    Name,
    TaxId,
    Email,
    Phone,
    BillingAddress,
    ShippingAddress,
    PaymentTermId,
    Currency,
    CreditLimitMinor,
    OwnerId,
    IsActive,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Supplier {
    Table,
    Id,
    Name,
    TaxId,
    Email,
    Phone,
    Address,
    PaymentTermId,
    Currency,
    IsActive,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Contact {
    Table,
    Id,
    CustomerId,
    SupplierId,
    Name,
    Email,
    Phone,
    JobTitle,
    IsActive,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum ProductCategory {
    Table,
    Id,
    Name,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Product {
    Table,
    Id,
    Sku,
    Name,
    Kind,
    Unit,
    CategoryId,
    Currency,
    SalePriceMicros,
    CostPriceMicros,
    TaxRateId,
    SerialTracked,
    IsActive,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Warehouse {
    Table,
    Id,
    Code,
    Name,
    Address,
    IsActive,
    CreatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(Currency::Table)
                    .col(string_len(Currency::Code, 16).primary_key())
                    .col(string(Currency::Name))
                    .col(integer(Currency::MinorDigits))
                    .col(boolean(Currency::IsActive))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ExchangeRate::Table)
                    .col(pk_uuid(ExchangeRate::Id))
                    .col(string(ExchangeRate::Currency))
                    .col(big_integer(ExchangeRate::RateMicros))
                    .col(date(ExchangeRate::ValidFrom))
                    .col(timestamp_with_time_zone(ExchangeRate::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(UnitOfMeasure::Table)
                    .col(string_len(UnitOfMeasure::Code, 16).primary_key())
                    .col(string(UnitOfMeasure::Name))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(TaxRate::Table)
                    .col(pk_uuid(TaxRate::Id))
                    .col(string(TaxRate::Code).unique_key())
                    .col(string(TaxRate::Name))
                    .col(big_integer(TaxRate::RateMicros))
                    .col(boolean(TaxRate::Inclusive))
                    .col(date(TaxRate::ValidFrom))
                    .col(date_null(TaxRate::ValidTo))
                    .col(timestamp_with_time_zone(TaxRate::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(PaymentTerm::Table)
                    .col(pk_uuid(PaymentTerm::Id))
                    .col(string(PaymentTerm::Code).unique_key())
                    .col(string(PaymentTerm::Name))
                    .col(integer(PaymentTerm::DueDays))
                    .col(timestamp_with_time_zone(PaymentTerm::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Customer::Table)
                    .col(pk_uuid(Customer::Id))
                    .col(string(Customer::Name))
                    .col(string_null(Customer::TaxId))
                    .col(string_null(Customer::Email))
                    .col(string_null(Customer::Phone))
                    .col(string_null(Customer::BillingAddress))
                    .col(string_null(Customer::ShippingAddress))
                    .col(uuid_null(Customer::PaymentTermId))
                    .col(string(Customer::Currency))
                    .col(big_integer_null(Customer::CreditLimitMinor))
                    .col(uuid_null(Customer::OwnerId))
                    .col(boolean(Customer::IsActive))
                    .col(integer(Customer::Version))
                    .col(timestamp_with_time_zone(Customer::CreatedAt))
                    .col(timestamp_with_time_zone(Customer::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Supplier::Table)
                    .col(pk_uuid(Supplier::Id))
                    .col(string(Supplier::Name))
                    .col(string_null(Supplier::TaxId))
                    .col(string_null(Supplier::Email))
                    .col(string_null(Supplier::Phone))
                    .col(string_null(Supplier::Address))
                    .col(uuid_null(Supplier::PaymentTermId))
                    .col(string(Supplier::Currency))
                    .col(boolean(Supplier::IsActive))
                    .col(integer(Supplier::Version))
                    .col(timestamp_with_time_zone(Supplier::CreatedAt))
                    .col(timestamp_with_time_zone(Supplier::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Contact::Table)
                    .col(pk_uuid(Contact::Id))
                    .col(uuid_null(Contact::CustomerId))
                    .col(uuid_null(Contact::SupplierId))
                    .col(string(Contact::Name))
                    .col(string_null(Contact::Email))
                    .col(string_null(Contact::Phone))
                    .col(string_null(Contact::JobTitle))
                    .col(boolean(Contact::IsActive))
                    .col(integer(Contact::Version))
                    .col(timestamp_with_time_zone(Contact::CreatedAt))
                    .col(timestamp_with_time_zone(Contact::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(ProductCategory::Table)
                    .col(pk_uuid(ProductCategory::Id))
                    .col(string(ProductCategory::Name).unique_key())
                    .col(timestamp_with_time_zone(ProductCategory::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Product::Table)
                    .col(pk_uuid(Product::Id))
                    .col(string(Product::Sku).unique_key())
                    .col(string(Product::Name))
                    .col(string(Product::Kind))
                    .col(string(Product::Unit))
                    .col(uuid_null(Product::CategoryId))
                    .col(string(Product::Currency))
                    .col(big_integer(Product::SalePriceMicros))
                    .col(big_integer_null(Product::CostPriceMicros))
                    .col(uuid_null(Product::TaxRateId))
                    .col(boolean(Product::SerialTracked))
                    .col(boolean(Product::IsActive))
                    .col(integer(Product::Version))
                    .col(timestamp_with_time_zone(Product::CreatedAt))
                    .col(timestamp_with_time_zone(Product::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Warehouse::Table)
                    .col(pk_uuid(Warehouse::Id))
                    .col(string(Warehouse::Code).unique_key())
                    .col(string(Warehouse::Name))
                    .col(string_null(Warehouse::Address))
                    .col(boolean(Warehouse::IsActive))
                    .col(timestamp_with_time_zone(Warehouse::CreatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_customer_owner",
                Customer::Table.into_iden(),
                Customer::OwnerId.into_iden(),
            ),
            (
                "ix_customer_name",
                Customer::Table.into_iden(),
                Customer::Name.into_iden(),
            ),
            (
                "ix_contact_customer",
                Contact::Table.into_iden(),
                Contact::CustomerId.into_iden(),
            ),
            (
                "ix_exchange_rate_currency",
                ExchangeRate::Table.into_iden(),
                ExchangeRate::Currency.into_iden(),
            ),
        ] {
            manager
                .create_index(
                    Index::create()
                        .name(name)
                        .table(table)
                        .col(column)
                        .to_owned(),
                )
                .await?;
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        for table in [
            Warehouse::Table.into_iden(),
            Product::Table.into_iden(),
            ProductCategory::Table.into_iden(),
            Contact::Table.into_iden(),
            Supplier::Table.into_iden(),
            Customer::Table.into_iden(),
            PaymentTerm::Table.into_iden(),
            TaxRate::Table.into_iden(),
            UnitOfMeasure::Table.into_iden(),
            ExchangeRate::Table.into_iden(),
            Currency::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
