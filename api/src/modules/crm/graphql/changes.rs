//! CRM change streams: `leadChanged`, `opportunityChanged`, `activityChanged` (see
//! [`crate::kit::changes`]).

use async_graphql::{Context, ID, Subscription};
use entities::crm::{activity, lead, opportunity};
use futures_util::Stream;

use crate::kit::changes::{ChangeStream, changes};

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

/// `leadChanged`.
pub const LEAD_CHANGED: ChangeStream =
    ChangeStream::of::<lead::Entity>("leadChanged", "LeadChange");
/// `opportunityChanged`.
pub const OPPORTUNITY_CHANGED: ChangeStream =
    ChangeStream::of::<opportunity::Entity>("opportunityChanged", "OpportunityChange");
/// `activityChanged`.
pub const ACTIVITY_CHANGED: ChangeStream =
    ChangeStream::of::<activity::Entity>("activityChanged", "ActivityChange");

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
        changes::<LeadChange>(ctx, id, &LEAD_CHANGED)
    }

    /// Opportunities that change from now on (only opportunity `id`, if given) that the
    /// caller may read. Needs `crm.opportunity.read`.
    async fn opportunity_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<OpportunityChange>>> {
        changes::<OpportunityChange>(ctx, id, &OPPORTUNITY_CHANGED)
    }

    /// Activities that change from now on (only activity `id`, if given) that the caller may
    /// read. Needs `crm.activity.read`.
    async fn activity_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<ActivityChange>>> {
        changes::<ActivityChange>(ctx, id, &ACTIVITY_CHANGED)
    }
}
