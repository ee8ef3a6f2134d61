//! `pipelineStages`, `createPipelineStage`, `pipelineForecast`.

use async_graphql::{Context, InputObject, Object, Result, SimpleObject};
use chrono::Utc;

use crate::authz::Require;
use crate::authz::catalog::{OPPORTUNITY_READ, PIPELINE_WRITE};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::resolve::{queries, write};
use crate::graphql::scalars::{Date, Decimal, Money};
use crate::modules::crm::graphql::types::{ForecastLine, PipelineStage};
use crate::modules::crm::service::{forecast, stages};
use crate::modules::identity::graphql::types::User;
use crate::modules::master::graphql::types::user;

/// Pipeline queries.
#[derive(Default)]
pub struct PipelineQuery;

queries! { PipelineQuery, guard = "Require(OPPORTUNITY_READ)";
    /// The pipeline's stages, in order (a short list, so not paged).
    field pipeline_stages() -> Vec<PipelineStage> |ctx| {
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        Ok(stages::list(db.conn(), req.access().gql()?)
            .await
            .gql()?
            .into_iter()
            .map(PipelineStage)
            .collect())
    }

    /// The weighted forecast of the open opportunities you may see, in the base currency at
    /// the rates valid on `asOf` (default today): Σ amount × stage probability.
    field pipeline_forecast(
        #[graphql(desc = "Date of the exchange rates (default: today).")] as_of: Option<Date>,
    ) -> PipelineForecast |ctx| {
        let req = ctx.request()?;
        let db = req.tenant_db().await.gql()?;
        let as_of = as_of.map_or_else(|| Utc::now().date_naive(), |d| d.0);
        let f = forecast::forecast(db.conn(), req.access().gql()?, as_of)
            .await
            .gql()?;
        let line = |l: &forecast::Line| ForecastLine {
            count: l.count,
            amount: Money::new(l.amount_minor, &f.currency, f.digits),
            weighted: Money::new(l.weighted_minor, &f.currency, f.digits),
        };
        let mut by_owner = Vec::new();
        for (owner, l) in &f.by_owner {
            by_owner.push(ForecastOwnerLine {
                owner: user(ctx, *owner).await?,
                line: line(l),
            });
        }
        Ok(PipelineForecast {
            currency: f.currency.clone(),
            as_of: Date(as_of),
            total: line(&f.total),
            by_stage: f
                .by_stage
                .iter()
                .map(|(s, l)| ForecastStageLine {
                    stage: PipelineStage(s.clone()),
                    line: line(l),
                })
                .collect(),
            by_owner,
        })
    }
}

/// Pipeline mutations.
#[derive(Default)]
pub struct PipelineMutation;

#[Object]
impl PipelineMutation {
    /// Adds a stage to the pipeline.
    #[graphql(guard = "Require(PIPELINE_WRITE)")]
    async fn create_pipeline_stage(
        &self,
        ctx: &Context<'_>,
        input: CreatePipelineStageInput,
    ) -> Result<PipelineStage> {
        let row = write(ctx, |w| {
            Box::pin(async move {
                stages::create(w, &input.name, input.position, input.probability.as_str()).await
            })
        })
        .await?;
        Ok(PipelineStage(row))
    }
}

/// Input of `createPipelineStage`.
#[derive(InputObject)]
pub struct CreatePipelineStageInput {
    /// Unique name.
    pub name: String,
    /// Order in the pipeline.
    pub position: i32,
    /// Probability of winning from this stage, 0 to 1.
    pub probability: Decimal,
}

/// The weighted pipeline forecast.
#[derive(SimpleObject)]
pub struct PipelineForecast {
    /// Base currency of every amount.
    pub currency: String,
    /// Date of the exchange rates used.
    pub as_of: Date,
    /// All open opportunities you may see.
    pub total: ForecastLine,
    /// Per stage, in pipeline order.
    pub by_stage: Vec<ForecastStageLine>,
    /// Per owner.
    pub by_owner: Vec<ForecastOwnerLine>,
}

/// The forecast of one stage.
#[derive(SimpleObject)]
pub struct ForecastStageLine {
    /// The stage.
    pub stage: PipelineStage,
    /// Its figures.
    #[graphql(flatten)]
    pub line: ForecastLine,
}

/// The forecast of one owner.
#[derive(SimpleObject)]
pub struct ForecastOwnerLine {
    /// The owner (`null`: unowned opportunities).
    pub owner: Option<User>,
    /// Their figures.
    #[graphql(flatten)]
    pub line: ForecastLine,
}
