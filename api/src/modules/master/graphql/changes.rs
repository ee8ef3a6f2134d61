//! Master-data change streams: `customerChanged` (see [`crate::kit::changes`]).

use async_graphql::{Context, ID, Subscription};
use entities::master::customer;
use futures_util::Stream;

use crate::kit::changes::{ChangeStream, changes};

crate::change_type!(
    CustomerChange,
    "A customer that changed: refetch it through `customer(id)`."
);

/// `customerChanged`.
pub const CUSTOMER_CHANGED: ChangeStream =
    ChangeStream::of::<customer::Entity>("customerChanged", "CustomerChange");

/// Subscriptions of master data.
#[derive(Default)]
pub struct MasterSubscription;

#[Subscription]
impl MasterSubscription {
    /// Customers that change from now on (only customer `id`, if given) that the caller may
    /// read: with scope `OWN`, their own. Needs `master.customer.read`.
    async fn customer_changed(
        &self,
        ctx: &Context<'_>,
        id: Option<ID>,
    ) -> async_graphql::Result<impl Stream<Item = async_graphql::Result<CustomerChange>>> {
        changes::<CustomerChange>(ctx, id, &CUSTOMER_CHANGED)
    }
}
