//! CRM change streams: `leadChanged`, `opportunityChanged`, `activityChanged` (see
//! [`crate::kit::changes`]).

use async_graphql::{Context, ID, Subscription};
use entities::crm::{activity, lead, opportunity};
use futures_util::Stream;

use crate::kit::changes::changes;

crate::change_type!(
    LeadChange,
    "A lead that changed: refetch it through `lead(id)`."
);
crate::change_type!(
    OpportunityChange,
    "An opportunity that changed: refetch it through `opportunity(id)`."
);
crate::change_type!(
    ActivityChange,
    "An activity that changed: refetch it through `activity(id)`."
);

/// Subscriptions of the CRM.
#[derive(Default)]
pub struct CrmSubscription;

#[Subscription]
impl CrmSubscription {
    /// Leads that change from now on (only lead `id`, if given) that the caller may read:
    /// with scope `OWN`, their own. Needs `crm.lead.read`.
    async fn lead_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<LeadChange>>> {
        changes::<lead::Entity, LeadChange>(ctx, id)
    }

    /// Opportunities that change from now on (only opportunity `id`, if given) that the
    /// caller may read. Needs `crm.opportunity.read`.
    async fn opportunity_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<OpportunityChange>>> {
        changes::<opportunity::Entity, OpportunityChange>(ctx, id)
    }

    /// Activities that change from now on (only activity `id`, if given) that the caller may
    /// read. Needs `crm.activity.read`.
    async fn activity_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ActivityChange>>> {
        changes::<activity::Entity, ActivityChange>(ctx, id)
    }
}
