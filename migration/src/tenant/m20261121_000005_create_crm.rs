//! CRM: pipeline stages, leads, opportunities, activities.

use sea_orm_migration::{prelude::*, schema::*};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[derive(DeriveIden)]
enum PipelineStage {
    Table,
    Id,
    Name,
    Position,
    ProbabilityMicros,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Lead {
    Table,
    Id,
    Title,
    CompanyName,
    ContactName,
    Email,
    Phone,
    TaxId,
    Source,
    Status,
    DisqualifiedReason,
    OwnerId,
    CustomerId,
    OpportunityId,
    ConvertedAt,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Opportunity {
    Table,
    Id,
    Title,
    CustomerId,
    AmountMinor,
    Currency,
    StageId,
    OwnerId,
    ExpectedCloseDate,
    Status,
    LostReason,
    ClosedAt,
    LeadId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[derive(DeriveIden)]
enum Activity {
    Table,
    Id,
    Kind,
    Subject,
    Notes,
    DueAt,
    Done,
    DoneAt,
    OwnerId,
    AssigneeId,
    LeadId,
    OpportunityId,
    CustomerId,
    Version,
    CreatedAt,
    UpdatedAt,
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        manager
            .create_table(
                Table::create()
                    .table(PipelineStage::Table)
                    .col(pk_uuid(PipelineStage::Id))
                    .col(string(PipelineStage::Name).unique_key())
                    .col(integer(PipelineStage::Position))
                    .col(big_integer(PipelineStage::ProbabilityMicros))
                    .col(timestamp_with_time_zone(PipelineStage::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Lead::Table)
                    .col(pk_uuid(Lead::Id))
                    .col(string(Lead::Title))
                    .col(string_null(Lead::CompanyName))
                    .col(string(Lead::ContactName))
                    .col(string_null(Lead::Email))
                    .col(string_null(Lead::Phone))
                    .col(string_null(Lead::TaxId))
                    .col(string_null(Lead::Source))
                    .col(string(Lead::Status))
                    .col(string_null(Lead::DisqualifiedReason))
                    .col(uuid_null(Lead::OwnerId))
                    .col(uuid_null(Lead::CustomerId))
                    .col(uuid_null(Lead::OpportunityId))
                    .col(timestamp_with_time_zone_null(Lead::ConvertedAt))
                    .col(integer(Lead::Version))
                    .col(timestamp_with_time_zone(Lead::CreatedAt))
                    .col(timestamp_with_time_zone(Lead::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Opportunity::Table)
                    .col(pk_uuid(Opportunity::Id))
                    .col(string(Opportunity::Title))
                    .col(uuid(Opportunity::CustomerId))
                    .col(big_integer(Opportunity::AmountMinor))
                    .col(string(Opportunity::Currency))
                    .col(uuid(Opportunity::StageId))
                    .col(uuid_null(Opportunity::OwnerId))
                    .col(date_null(Opportunity::ExpectedCloseDate))
                    .col(string(Opportunity::Status))
                    .col(string_null(Opportunity::LostReason))
                    .col(timestamp_with_time_zone_null(Opportunity::ClosedAt))
                    .col(uuid_null(Opportunity::LeadId))
                    .col(integer(Opportunity::Version))
                    .col(timestamp_with_time_zone(Opportunity::CreatedAt))
                    .col(timestamp_with_time_zone(Opportunity::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_table(
                Table::create()
                    .table(Activity::Table)
                    .col(pk_uuid(Activity::Id))
                    .col(string(Activity::Kind))
                    .col(string(Activity::Subject))
                    .col(string_null(Activity::Notes))
                    .col(timestamp_with_time_zone_null(Activity::DueAt))
                    .col(boolean(Activity::Done))
                    .col(timestamp_with_time_zone_null(Activity::DoneAt))
                    .col(uuid_null(Activity::OwnerId))
                    .col(uuid_null(Activity::AssigneeId))
                    .col(uuid_null(Activity::LeadId))
                    .col(uuid_null(Activity::OpportunityId))
                    .col(uuid_null(Activity::CustomerId))
                    .col(integer(Activity::Version))
                    .col(timestamp_with_time_zone(Activity::CreatedAt))
                    .col(timestamp_with_time_zone(Activity::UpdatedAt))
                    .to_owned(),
            )
            .await?;
        for (name, table, column) in [
            (
                "ix_lead_owner",
                Lead::Table.into_iden(),
                Lead::OwnerId.into_iden(),
            ),
            (
                "ix_opportunity_owner",
                Opportunity::Table.into_iden(),
                Opportunity::OwnerId.into_iden(),
            ),
            (
                "ix_opportunity_customer",
                Opportunity::Table.into_iden(),
                Opportunity::CustomerId.into_iden(),
            ),
            (
                "ix_activity_opportunity",
                Activity::Table.into_iden(),
                Activity::OpportunityId.into_iden(),
            ),
            (
                "ix_activity_assignee",
                Activity::Table.into_iden(),
                Activity::AssigneeId.into_iden(),
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
            Activity::Table.into_iden(),
            Opportunity::Table.into_iden(),
            Lead::Table.into_iden(),
            PipelineStage::Table.into_iden(),
        ] {
            manager
                .drop_table(Table::drop().table(table).to_owned())
                .await?;
        }
        Ok(())
    }
}
