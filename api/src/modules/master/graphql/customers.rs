//! `customers`, `customer`, `createCustomer`, `updateCustomer`, `archiveCustomer`.

use async_graphql::{Context, Enum, ID, InputObject, Result};
use entities::master::customer;

use crate::authz::Require;
use crate::authz::catalog::{CUSTOMER_READ, CUSTOMER_WRITE};
use crate::error::GqlResult;
use crate::graphql::connection::{OrderDirection, Sort, page_sorted};
use crate::graphql::context::ContextExt;
use crate::graphql::edit::{edit_inputs, filter_input};
use crate::graphql::loaders::{load_failed, selects_on_nodes};
use crate::graphql::resolve::{by_id, mutations, queries};
use crate::graphql::scalars::MoneyInput;
use crate::kit::children;
use crate::kit::edit;
use crate::modules::master::graphql::types::{CUSTOMER_CONTACTS, CUSTOMER_OPPORTUNITIES, Customer};
use crate::modules::master::service::customers::{self, CustomerFilter, CustomerPatch};

/// Customer queries.
#[derive(Default)]
pub struct CustomersQuery;

queries! { CustomersQuery, guard = "Require(CUSTOMER_READ)";
    /// Customers, by creation (default) or name.
    list customers(
        #[graphql(desc = "Which customers.")] filter: Option<CustomerFilterInput>,
        #[graphql(desc = "Sort order (one entry).", default)] order_by: Vec<CustomerOrder>,
    ) -> Customer |ctx, args| {
        let req = ctx.request()?;
        let filter = CustomerFilterInput::service(filter).gql()?;
        let query = customers::visible(req.access().gql()?, &filter).gql()?;
        let db = req.tenant_db().await.gql()?;
        let order = order_by.first().copied().unwrap_or_default();
        if order_by.len() > 1 {
            return Err(
                crate::error::AppError::validation("orderBy", "sort by one field").to_gql(),
            );
        }
        let sort = match order.field {
            CustomerOrderField::CreatedAt => None,
            CustomerOrderField::Name => Some(Sort {
                column: customer::Column::Name,
                key: |c: &customer::Model| c.name.clone(),
            }),
        };
        let page = page_sorted(
            db.conn(),
            query,
            customer::Column::Id,
            sort,
            order.direction,
            &args,
            |c| c.id,
            Customer,
        )
        .await
        .gql()?;
        prefetch(ctx, page.edges.iter().map(|e| &e.node.0)).await?;
        Ok(page)
    }

    /// One customer, or `null`.
    field customer(
        #[graphql(desc = "The customer's id.")] id: ID,
    ) -> Option<Customer> |ctx| {
        Ok(by_id::<customer::Entity>(ctx, &id).await?.map(Customer))
    }
}

/// Loads, in one batch each, the relations the request selects on a page of customers, and
/// feeds the customers themselves into the by-id loader.
async fn prefetch<'a>(
    ctx: &Context<'_>,
    rows: impl Iterator<Item = &'a customer::Model> + Clone,
) -> Result<()> {
    let loaders = ctx.request()?.loaders().await.gql()?;
    crate::kit::read::feed::<customer::Entity>(ctx, rows.clone()).await;
    if selects_on_nodes(ctx, "owner") {
        crate::graphql::loaders::load_now(
            &loaders.identity.user_by_id,
            rows.clone().filter_map(|c| c.owner_id),
        )
        .await
        .map_err(load_failed)?;
    }
    let ids = rows.clone().map(|c| c.id);
    children::prefetch(ctx, "contacts", CUSTOMER_CONTACTS, ids.clone()).await?;
    children::prefetch(ctx, "opportunities", CUSTOMER_OPPORTUNITIES, ids).await?;
    Ok(())
}

/// Customer mutations.
#[derive(Default)]
pub struct CustomersMutation;

mutations! { CustomersMutation => Customer, guard = "Require(CUSTOMER_WRITE)", id = "The customer's id.";
    /// Creates a customer. Repeating it with the same `id` and content returns the same
    /// customer; other content under that id is a `CONFLICT`.
    create create_customer(CreateCustomerInput) |w, id, content| edit::create::<customer::Entity>(w, id, content);
    /// Changes the fields you give of a customer (omitted: unchanged, `null`: cleared). A
    /// stale `expectedVersion` is a `CONFLICT`.
    update update_customer(UpdateCustomerInput) |w, id, patch, version| edit::update::<customer::Entity>(w, id, patch, version);
    /// Archives a customer (customers are never deleted: documents refer to them).
    by_id archive_customer() |w, id| edit::archive::<customer::Entity>(w, id);
}

filter_input! {
    /// Which customers `customers` lists.
    CustomerFilterInput => CustomerFilter;
    /// Part of the name, email or tax id, any case.
    one search: String;
    /// Active (true) or archived (false) only.
    one is_active: bool;
    /// One owner's customers.
    one owner_id: ID;
}

/// Fields customers sort by.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum CustomerOrderField {
    /// Creation order.
    #[default]
    CreatedAt,
    /// Legal name.
    Name,
}

/// A sort order of `customers`.
#[derive(InputObject, Clone, Copy, Default)]
pub struct CustomerOrder {
    /// The field.
    pub field: CustomerOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

edit_inputs! {
    /// Input of `createCustomer`.
    create CreateCustomerInput,
    /// A customer's details.
    fields CustomerFields,
    /// Input of `updateCustomer`: the fields to change (omitted: unchanged, `null`: cleared) and
    /// the version you last read.
    update UpdateCustomerInput => CustomerPatch;
    /// Legal name.
    required name: String => party.name;
    /// Tax id.
    optional tax_id: String => party.tax_id;
    /// Email.
    optional email: String => party.email;
    /// Phone.
    optional phone: String => party.phone;
    /// Billing address.
    optional billing_address: String => billing_address;
    /// Shipping address.
    optional shipping_address: String => shipping_address;
    /// The customer's currency (ISO 4217); changing it needs the credit limit in it.
    required currency: String => currency;
    /// Credit limit, in the customer's currency.
    optional credit_limit: MoneyInput => credit_limit;
    /// Responsible user (omitted on create, or `null`: you).
    optional owner_id: ID => party.owner_id;
    /// Payment terms.
    optional payment_term_id: ID => party.payment_term_id;
}
