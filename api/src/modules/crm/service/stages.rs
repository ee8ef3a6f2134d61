//! Pipeline stages: ordered, each with the probability of winning an opportunity there.
//!
//! Stages are the pipeline's configuration: whoever reads opportunities reads every stage
//! (there is no owner, so no row scope). New stages go through the kit's insert (audited, a
//! duplicate name is a `CONFLICT`).

use chrono::Utc;
use entities::crm::pipeline_stage;
use sea_orm::{ActiveModelTrait, ConnectionTrait, EntityTrait, PaginatorTrait, QueryOrder, Set};
use uuid::Uuid;

use crate::authz::Access;
use crate::authz::catalog::{OPPORTUNITY_READ, PIPELINE_WRITE};
use crate::error::AppError;
use crate::kit::{Write, write};
use crate::modules::common::text;
use crate::money::{Dec, MICRO_SCALE};

const DEFAULT_STAGES: &[(&str, i64)] = &[
    ("Prospecting", 100_000),
    ("Qualification", 250_000),
    ("Proposal", 500_000),
    ("Negotiation", 750_000),
];

/// Seeds the default pipeline into a tenant that has no stages yet.
pub async fn seed_stages<C: ConnectionTrait>(db: &C) -> Result<(), AppError> {
    if pipeline_stage::Entity::find().count(db).await? > 0 {
        return Ok(());
    }
    for (i, (name, probability)) in DEFAULT_STAGES.iter().enumerate() {
        pipeline_stage::ActiveModel {
            id: Set(Uuid::now_v7()),
            name: Set((*name).to_owned()),
            position: Set(i32::try_from(i + 1).unwrap_or(i32::MAX)),
            probability_micros: Set(*probability),
            created_at: Set(Utc::now()),
        }
        .insert(db)
        .await?;
    }
    Ok(())
}

/// The stages, in pipeline order.
pub async fn list<C: ConnectionTrait>(
    db: &C,
    access: &Access,
) -> Result<Vec<pipeline_stage::Model>, AppError> {
    access.require(OPPORTUNITY_READ)?;
    Ok(pipeline_stage::Entity::find()
        .order_by_asc(pipeline_stage::Column::Position)
        .order_by_asc(pipeline_stage::Column::Id)
        .all(db)
        .await?)
}

/// The first stage of the pipeline (through the write's cache, [`Write::table`]).
pub async fn first(w: &Write<'_>) -> Result<pipeline_stage::Model, AppError> {
    w.table::<pipeline_stage::Entity>()
        .await?
        .iter()
        .min_by_key(|s| (s.position, s.id))
        .cloned()
        .ok_or_else(|| AppError::BusinessRule {
            rule: "crm.pipeline_empty",
            message: "the pipeline has no stages; create one first".into(),
        })
}

/// Adds a stage; `probability` is a decimal from 0 to 1.
pub async fn create(
    w: &Write<'_>,
    name: &str,
    position: i32,
    probability: &str,
) -> Result<pipeline_stage::Model, AppError> {
    w.access().require(PIPELINE_WRITE)?;
    let name = text(name, "input.name", 100)?;
    let probability_micros = Dec::parse(probability)
        .and_then(|d| d.to_scaled(MICRO_SCALE))
        .map_err(|e| AppError::validation("input.probability", e))?;
    if !(0..=1_000_000).contains(&probability_micros) {
        return Err(AppError::validation(
            "input.probability",
            "a probability is between 0 and 1",
        ));
    }
    let row = pipeline_stage::ActiveModel {
        id: Set(Uuid::now_v7()),
        name: Set(name),
        position: Set(position),
        probability_micros: Set(probability_micros),
        created_at: Set(Utc::now()),
    };
    write::insert::<pipeline_stage::Entity>(w, row, false).await
}
