//! `activities`, `createActivity`, `completeActivity`.

use async_graphql::{Context, ID, InputObject, Object, Result};
use chrono::{DateTime, Utc};
use entities::crm::{activity, lead, opportunity};
use entities::master::customer;
use uuid::Uuid;

use crate::authz::Require;
use crate::authz::catalog::{ACTIVITY_READ, ACTIVITY_WRITE};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::edit::filter_input;
use crate::graphql::loaders::{load_failed, selects_on_nodes};
use crate::graphql::parse_id;
use crate::graphql::resolve::{list, queries, write};
use crate::kit::read::{feed, prefetch};
use crate::modules::crm::graphql::types::{Activity, ActivityKind};
use crate::modules::crm::service::activities::{self, ActivityFilter, ActivityInput};

/// Activity queries.
#[derive(Default)]
pub struct ActivitiesQuery;

queries! { ActivitiesQuery, guard = "Require(ACTIVITY_READ)";
    /// Activities you may see (a sales rep: those they own or are assigned to), oldest first.
    list activities(
        #[graphql(desc = "Which activities.")] filter: Option<ActivityFilterInput>,
    ) -> Activity |ctx, args| {
        let req = ctx.request()?;
        let filter = ActivityFilterInput::service(filter).gql()?;
        let query = activities::visible(req.access().gql()?, &filter);
        let page = list(ctx, query, args, Activity).await?;
        let rows = || page.edges.iter().map(|e| &e.node.0);
        feed::<activity::Entity>(ctx, rows()).await;
        if selects_on_nodes(ctx, "lead") {
            prefetch::<lead::Entity>(ctx, rows().filter_map(|a| a.lead_id)).await?;
        }
        if selects_on_nodes(ctx, "opportunity") {
            prefetch::<opportunity::Entity>(ctx, rows().filter_map(|a| a.opportunity_id)).await?;
        }
        if selects_on_nodes(ctx, "customer") {
            prefetch::<customer::Entity>(ctx, rows().filter_map(|a| a.customer_id)).await?;
        }
        let users: Vec<Uuid> = page
            .edges
            .iter()
            .flat_map(|e| [e.node.0.assignee_id, e.node.0.owner_id])
            .flatten()
            .collect();
        if selects_on_nodes(ctx, "assignee") || selects_on_nodes(ctx, "owner") {
            let loaders = req.loaders().await.gql()?;
            crate::graphql::loaders::load_now(&loaders.identity.user_by_id, users)
.await
                .map_err(load_failed)?;
        }
        Ok(page)
    }
}

/// Activity mutations.
#[derive(Default)]
pub struct ActivitiesMutation;

#[Object]
impl ActivitiesMutation {
    /// Records a call, meeting, task or note about a lead, an opportunity or a customer you
    /// may see (one you may not see is refused as one that does not exist: `VALIDATION`).
    #[graphql(guard = "Require(ACTIVITY_WRITE)")]
    async fn create_activity(
        &self,
        ctx: &Context<'_>,
        input: CreateActivityInput,
    ) -> Result<Activity> {
        let parse =
            |id: &Option<ID>, field: &str| id.as_ref().map(|id| parse_id(id, field)).transpose();
        let content = ActivityInput {
            kind: input.kind.into(),
            subject: input.subject,
            notes: input.notes,
            due_at: input.due_at,
            assignee_id: parse(&input.assignee_id, "input.assigneeId").gql()?,
            lead_id: parse(&input.lead_id, "input.leadId").gql()?,
            opportunity_id: parse(&input.opportunity_id, "input.opportunityId").gql()?,
            customer_id: parse(&input.customer_id, "input.customerId").gql()?,
        };
        let row = write(ctx, |w| Box::pin(activities::create(w, content))).await?;
        Ok(Activity(row))
    }

    /// Marks an activity done (audited as `complete`).
    #[graphql(guard = "Require(ACTIVITY_WRITE)")]
    async fn complete_activity(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The activity's id.")] id: ID,
    ) -> Result<Activity> {
        let id = parse_id(&id, "id").gql()?;
        let row = write(ctx, |w| Box::pin(activities::complete(w, id))).await?;
        Ok(Activity(row))
    }
}

filter_input! {
    /// Which activities `activities` lists.
    ActivityFilterInput => ActivityFilter;
    /// Done (true) or open (false) only.
    one done: bool;
    /// One assignee's.
    one assignee_id: ID;
    /// One opportunity's.
    one opportunity_id: ID;
    /// One lead's.
    one lead_id: ID;
}

/// Input of `createActivity`.
#[derive(InputObject)]
pub struct CreateActivityInput {
    /// Call, meeting, task or note.
    pub kind: ActivityKind,
    /// Subject.
    pub subject: String,
    /// Notes.
    pub notes: Option<String>,
    /// When it is due.
    pub due_at: Option<DateTime<Utc>>,
    /// Who is to do it (default: you).
    pub assignee_id: Option<ID>,
    /// The lead it is about (one you may see).
    pub lead_id: Option<ID>,
    /// The opportunity it is about.
    pub opportunity_id: Option<ID>,
    /// The customer it is about.
    pub customer_id: Option<ID>,
}
