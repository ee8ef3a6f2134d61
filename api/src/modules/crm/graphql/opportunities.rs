//! `opportunities`, `opportunity`, `createOpportunity`, `updateOpportunity`,
//! `winOpportunity`, `loseOpportunity`.

use async_graphql::{Context, ID, Result};
use entities::crm::{activity, opportunity};
use entities::master::customer;
use uuid::Uuid;

use crate::authz::Require;
use crate::authz::catalog::{OPPORTUNITY_READ, OPPORTUNITY_WRITE};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::edit::{edit_inputs, filter_input};
use crate::graphql::loaders::{load_failed, selects_on_nodes, selects_path};
use crate::graphql::resolve::{by_id, list, mutations, queries};
use crate::graphql::scalars::{Date, MoneyInput};
use crate::kit::children;
use crate::kit::read::{feed, prefetch as prefetch_rows};
use crate::modules::crm::graphql::types::{OPPORTUNITY_ACTIVITIES, Opportunity, OpportunityStatus};
use crate::modules::crm::service::opportunities::{self, OpportunityFilter, OpportunityPatch};

/// Opportunity queries.
#[derive(Default)]
pub struct OpportunitiesQuery;

queries! { OpportunitiesQuery, guard = "Require(OPPORTUNITY_READ)";
    /// Opportunities you may see (a sales rep: their own), oldest first.
    list opportunities(
        #[graphql(desc = "Which opportunities.")] filter: Option<OpportunityFilterInput>,
    ) -> Opportunity |ctx, args| {
        let req = ctx.request()?;
        let filter = OpportunityFilterInput::service(filter).gql()?;
        let query = opportunities::visible(req.access().gql()?, &filter);
        let page = list(ctx, query, args, Opportunity).await?;
        prefetch(ctx, page.edges.iter().map(|e| &e.node.0)).await?;
        Ok(page)
    }

    /// One opportunity, or `null` when it does not exist or you may not see it.
    field opportunity(
        #[graphql(desc = "The opportunity's id.")] id: ID,
    ) -> Option<Opportunity> |ctx| {
        Ok(by_id::<opportunity::Entity>(ctx, &id)
            .await?
            .map(Opportunity))
    }
}

/// Loads, in one statement each, what the request selects on a page of opportunities:
/// customers and activities at once, then every user (owners and activity assignees
/// together). Stages and currencies come from the tenant's cache.
async fn prefetch<'a>(
    ctx: &Context<'_>,
    rows: impl Iterator<Item = &'a opportunity::Model> + Clone,
) -> Result<()> {
    let loaders = ctx.request()?.loaders().await.gql()?;
    feed::<opportunity::Entity>(ctx, rows.clone()).await;
    let customers = async {
        if selects_on_nodes(ctx, "customer") {
            prefetch_rows::<customer::Entity>(ctx, rows.clone().map(|o| o.customer_id)).await?;
        }
        Ok(())
    };
    let activities = children::prefetch(
        ctx,
        "activities",
        OPPORTUNITY_ACTIVITIES,
        rows.clone().map(|o| o.id),
    );
    let ((), activities) = futures_util::try_join!(customers, activities)?;
    let mut users: Vec<Uuid> = Vec::new();
    if selects_on_nodes(ctx, "owner") {
        users.extend(rows.clone().filter_map(|o| o.owner_id));
    }
    for (field, owner) in [
        (
            "assignee",
            (|a| a.assignee_id) as fn(&activity::Model) -> Option<Uuid>,
        ),
        ("owner", |a| a.owner_id),
    ] {
        if selects_path(ctx, &["activities", "nodes", field])
            || selects_path(ctx, &["activities", "edges", "node", field])
        {
            users.extend(activities.iter().filter_map(owner));
        }
    }
    if !users.is_empty() {
        crate::graphql::loaders::load_now(&loaders.identity.user_by_id, users)
            .await
            .map_err(load_failed)?;
    }
    Ok(())
}

/// Opportunity mutations.
#[derive(Default)]
pub struct OpportunitiesMutation;

mutations! { OpportunitiesMutation => Opportunity, guard = "Require(OPPORTUNITY_WRITE)", id = "The opportunity's id.";
    /// Opens an opportunity. Repeating it with the same `id` and content returns the same one.
    create create_opportunity(CreateOpportunityInput) |w, id, content| opportunities::create_alone(w, id, content);
    /// Changes the fields you give of an open opportunity (omitted: unchanged, `null`:
    /// cleared): amount, stage, owner… A stale `expectedVersion` is a `CONFLICT`; a won or
    /// lost opportunity is a `BUSINESS_RULE` error.
    update update_opportunity(UpdateOpportunityInput) |w, id, patch, version| opportunities::update(w, id, patch, version);
    /// Closes an open opportunity as won (audited as `win`).
    by_id win_opportunity() |w, id| opportunities::win(w, id);
    /// Closes an open opportunity as lost (audited as `lose`).
    by_id lose_opportunity(#[graphql(desc = "Why it was lost.")] reason: Option<String>) |w, id| opportunities::lose(w, id, reason);
    /// Archives a won or lost opportunity (audited as `archive`); archiving an open one is a
    /// `BUSINESS_RULE` error (`crm.opportunity_open`): win or lose it first.
    by_id archive_opportunity() |w, id| opportunities::archive(w, id);
}

filter_input! {
    /// Which opportunities `opportunities` lists.
    OpportunityFilterInput => OpportunityFilter;
    /// Only these statuses.
    any status: OpportunityStatus;
    /// One stage.
    one stage_id: ID;
    /// One owner.
    one owner_id: ID;
    /// One customer.
    one customer_id: ID;
    /// Active (true) or archived (false) only.
    one is_active: bool;
}

edit_inputs! {
    /// Input of `createOpportunity`.
    create CreateOpportunityInput,
    /// An opportunity's details.
    fields OpportunityFields,
    /// Input of `updateOpportunity`: the fields to change (omitted: unchanged, `null`: cleared)
    /// and the version you last read.
    update UpdateOpportunityInput => OpportunityPatch;
    /// Title.
    required title: String => title;
    /// The customer.
    required customer_id: ID => customer_id;
    /// Expected amount.
    required amount: MoneyInput => amount;
    /// Pipeline stage (omitted on create: the first).
    defaulted stage_id: ID => stage_id;
    /// Owner (omitted on create, or `null`: you; a sales rep owns only their opportunities).
    optional owner_id: ID => owner_id;
    /// Expected close date.
    optional expected_close_date: Date => expected_close_date;
}
