//! Output types of the CRM; each wraps its entity row.
//!
//! Statuses and kinds are the entities' enums mapped one to one (no default arm: a new
//! stored value is a compile error here, not a silent `NEW`). Relation fields read through
//! the kit (`kit::read::relation`), so they answer exactly what the by-id query would.

use async_graphql::parser::types::Field;
use async_graphql::{
    Context, ContextSelectionSet, Enum, Positioned, Result, ScalarType, SimpleObject, Value,
};
use chrono::{DateTime, Utc};
use entities::crm::{activity, lead, opportunity, pipeline_stage};

use crate::error::GqlResult;
use crate::graphql::context::{ContextExt, RequestContext};
use crate::graphql::fields::fields;
use crate::graphql::loaders::load_failed;
use crate::graphql::rows::nested;
use crate::graphql::scalars::{Date, Decimal, Money};
use crate::kit::children::Children;
use crate::kit::read::reference;
use crate::modules::identity::graphql::types::User;
use crate::modules::master::graphql::types::Customer;
use crate::money::MICRO_SCALE;
use entities::identity::user_account;
use entities::master::customer;

/// A stage of the sales pipeline.
#[derive(Clone)]
pub struct PipelineStage(pub pipeline_stage::Model);

fields! {
    /// A stage of the sales pipeline.
    impl PipelineStage(pipeline_stage::Model) {
        /// Stable id.
        id id;
        /// Name.
        text name;
        /// Order in the pipeline, smallest first.
        value position: i32;
        /// Probability of winning from this stage, 0 to 1.
        async fn probability(&self) -> Decimal {
            Decimal::trimmed(self.0.probability_micros, MICRO_SCALE)
        }
    }
}

/// Where a lead is.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum LeadStatus {
    /// Just in.
    New,
    /// Someone talked to them.
    Contacted,
    /// Worth pursuing.
    Qualified,
    /// Became a customer and an opportunity.
    Converted,
    /// Not worth pursuing.
    Disqualified,
}

impl From<lead::LeadStatus> for LeadStatus {
    fn from(s: lead::LeadStatus) -> Self {
        match s {
            lead::LeadStatus::New => Self::New,
            lead::LeadStatus::Contacted => Self::Contacted,
            lead::LeadStatus::Qualified => Self::Qualified,
            lead::LeadStatus::Converted => Self::Converted,
            lead::LeadStatus::Disqualified => Self::Disqualified,
        }
    }
}

impl From<LeadStatus> for lead::LeadStatus {
    fn from(s: LeadStatus) -> Self {
        match s {
            LeadStatus::New => Self::New,
            LeadStatus::Contacted => Self::Contacted,
            LeadStatus::Qualified => Self::Qualified,
            LeadStatus::Converted => Self::Converted,
            LeadStatus::Disqualified => Self::Disqualified,
        }
    }
}

/// A prospect not yet a customer.
pub struct Lead(pub lead::Model);

fields! {
    /// A prospect not yet a customer.
    impl Lead(lead::Model) {
        /// Stable id.
        id id;
        /// What the lead is about.
        text title;
        /// Company.
        opt_text company_name;
        /// Person.
        text contact_name;
        /// Email.
        opt_text email;
        /// Phone.
        opt_text phone;
        /// Tax id of the company.
        opt_text tax_id;
        /// Where the lead came from.
        opt_text source;
        /// Where the lead is.
        into status: LeadStatus;
        /// Why it was disqualified.
        opt_text disqualified_reason;
        /// The user working the lead.
        one owner -> User = user_account::Entity, owner_id;
        /// The customer it became: `null` before conversion or when you may not see it
        /// (`FORBIDDEN` without `master.customer.read`).
        one customer -> Customer = customer::Entity, customer_id;
        /// The opportunity it became: `null` before conversion or when you may not see it (a
        /// sales rep: once it belongs to someone else).
        one opportunity -> Opportunity = opportunity::Entity, opportunity_id;
        /// When it was converted.
        value converted_at: Option<DateTime<Utc>>;
        /// Optimistic-locking version.
        value version: i32;
    }
}

/// Open, won or lost.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum OpportunityStatus {
    /// In the pipeline.
    Open,
    /// Won.
    Won,
    /// Lost.
    Lost,
}

impl From<opportunity::OpportunityStatus> for OpportunityStatus {
    fn from(s: opportunity::OpportunityStatus) -> Self {
        match s {
            opportunity::OpportunityStatus::Open => Self::Open,
            opportunity::OpportunityStatus::Won => Self::Won,
            opportunity::OpportunityStatus::Lost => Self::Lost,
        }
    }
}

impl From<OpportunityStatus> for opportunity::OpportunityStatus {
    fn from(s: OpportunityStatus) -> Self {
        match s {
            OpportunityStatus::Open => Self::Open,
            OpportunityStatus::Won => Self::Won,
            OpportunityStatus::Lost => Self::Lost,
        }
    }
}

/// `Opportunity.activities`: an opportunity's activities, oldest first.
pub const OPPORTUNITY_ACTIVITIES: Children<activity::Entity> = Children {
    fk: activity::Column::OpportunityId,
    sort: None,
};

/// A possible sale.
pub struct Opportunity(pub opportunity::Model);

fields! {
    /// A possible sale.
    impl Opportunity(opportunity::Model) {
        /// Stable id.
        id id;
        /// Title.
        text title;
        /// The customer.
        one customer -> Customer = customer::Entity, customer_id;
        /// Expected amount.
        money amount = amount_minor, currency;
        /// Pipeline stage (every reader of the opportunity sees it).
        async fn stage(&self, ctx: &Context<'_>) -> Result<Option<PipelineStage>> {
            Ok(stage(ctx, self.0.stage_id).await?.map(PipelineStage))
        }
        => |ctx, field, m| stage_now(ctx, field, m.stage_id);
        /// The user working it.
        one owner -> User = user_account::Entity, owner_id;
        /// Expected close date.
        async fn expected_close_date(&self) -> Option<Date> {
            self.0.expected_close_date.map(Date)
        }
        => |_, _, m| Some(m.expected_close_date.map_or(Value::Null, |d| Date(d).to_value()));
        /// False once archived (`archiveOpportunity`).
        value is_active: bool;
        /// Open, won or lost.
        into status: OpportunityStatus;
        /// Why it was lost.
        opt_text lost_reason;
        /// Activities about it that you may see, oldest first (`null` and `FORBIDDEN`
        /// without `crm.activity.read`).
        children activities -> Activity = OPPORTUNITY_ACTIVITIES;
        /// Optimistic-locking version.
        value version: i32;
    }
}

/// Call, meeting, task or note.
#[derive(Enum, Clone, Copy, PartialEq, Eq)]
pub enum ActivityKind {
    /// A phone call.
    Call,
    /// A meeting.
    Meeting,
    /// Something to do.
    Task,
    /// A note.
    Note,
}

impl From<activity::ActivityKind> for ActivityKind {
    fn from(k: activity::ActivityKind) -> Self {
        match k {
            activity::ActivityKind::Call => Self::Call,
            activity::ActivityKind::Meeting => Self::Meeting,
            activity::ActivityKind::Task => Self::Task,
            activity::ActivityKind::Note => Self::Note,
        }
    }
}

impl From<ActivityKind> for activity::ActivityKind {
    fn from(k: ActivityKind) -> Self {
        match k {
            ActivityKind::Call => Self::Call,
            ActivityKind::Meeting => Self::Meeting,
            ActivityKind::Task => Self::Task,
            ActivityKind::Note => Self::Note,
        }
    }
}

/// A call, meeting, task or note.
pub struct Activity(pub activity::Model);

fields! {
    /// A call, meeting, task or note.
    impl Activity(activity::Model) {
        /// Stable id.
        id id;
        /// Call, meeting, task or note.
        into kind: ActivityKind;
        /// Subject.
        text subject;
        /// Notes.
        opt_text notes;
        /// When it is due.
        value due_at: Option<DateTime<Utc>>;
        /// Whether it is done.
        value done: bool;
        /// The user who is to do it.
        one assignee -> User = user_account::Entity, assignee_id;
        /// The user who created it.
        one owner -> User = user_account::Entity, owner_id;
        /// The lead it is about.
        opt_id lead_id;
        /// The opportunity it is about.
        opt_id opportunity_id;
        /// The customer it is about.
        opt_id customer_id;
        /// The lead it is about: `null` when there is none or you may not see it.
        one lead -> Lead = lead::Entity, lead_id;
        /// The opportunity it is about: `null` when there is none or you may not see it.
        one opportunity -> Opportunity = opportunity::Entity, opportunity_id;
        /// The customer it is about: `null` when there is none or you may not see it.
        one customer -> Customer = customer::Entity, customer_id;
    }
}

/// The stage `id`, from the tenant's cached stages (a stage created through another server
/// within the cache's TTL: through the request's by-id loader). Stages carry no owner, so
/// they are not read through [`relation`](crate::kit::read::relation) (whose scope `OWN` reaches no owner-less row): a
/// reader of an opportunity always sees its stage.
pub async fn stage(ctx: &Context<'_>, id: uuid::Uuid) -> Result<Option<pipeline_stage::Model>> {
    if let Some(stage) = reference::<pipeline_stage::Entity>(ctx)
        .await?
        .iter()
        .find(|s| s.id == id)
    {
        return Ok(Some(stage.clone()));
    }
    let req = ctx.request()?;
    let db = req.tenant_db().await.gql()?;
    req.loaders()
        .await
        .gql()?
        .kit
        .by_id::<pipeline_stage::Entity>(db.conn())
        .load_one(id)
        .await
        .map(|stage| stage.map(std::sync::Arc::unwrap_or_clone))
        .map_err(load_failed)
}

/// [`stage`] without a future, when the tenant's cached stages hold it (a `Now` function).
fn stage_now<'a>(
    ctx: &ContextSelectionSet<'a>,
    field: &'a Positioned<Field>,
    id: uuid::Uuid,
) -> Option<Value> {
    let db = ctx.data_opt::<RequestContext>()?.tenant_db_now()?;
    let stages = db.cache().cached_table::<pipeline_stage::Entity>()?;
    let stage = stages.iter().find(|s| s.id == id)?;
    nested::<PipelineStage>(ctx, field, stage)
}

/// One group of the forecast.
#[derive(SimpleObject)]
pub struct ForecastLine {
    /// Open opportunities in the group.
    pub count: u64,
    /// Σ amount, in the base currency.
    pub amount: Money,
    /// Σ amount × probability, in the base currency.
    pub weighted: Money,
}
