//! `suppliers`, `supplier`, `createSupplier`, `updateSupplier`, `archiveSupplier`.

use async_graphql::{Context, ID, Result};
use entities::master::{payment_term, supplier};

use crate::authz::Require;
use crate::authz::catalog::{SUPPLIER_READ, SUPPLIER_WRITE};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::edit::edit_inputs;
use crate::graphql::fields::fields;
use crate::graphql::loaders::{load_failed, selects_on_nodes};
use crate::graphql::resolve::{by_id, list, mutations, queries};
use crate::kit::edit;
use crate::kit::read::{feed, prefetch, relation};
use crate::modules::identity::graphql::types::User;
use crate::modules::master::graphql::setup::PaymentTerm;
use crate::modules::master::service::party;
use crate::modules::master::service::suppliers::SupplierPatch;
use entities::identity::user_account;

/// Supplier queries.
#[derive(Default)]
pub struct SuppliersQuery;

queries! { SuppliersQuery, guard = "Require(SUPPLIER_READ)";
    /// Suppliers, oldest first.
    list suppliers(
        #[graphql(desc = "Part of the name, email or tax id, any case.")] search: Option<String>,
        #[graphql(desc = "Active (true) or archived (false) only.")] is_active: Option<bool>,
    ) -> Supplier |ctx, args| {
        let req = ctx.request()?;
        let query = party::visible::<supplier::Entity>(req.access().gql()?, search.as_deref(), is_active);
        let page = list(ctx, query, args, Supplier).await?;
        prefetch_page(ctx, page.edges.iter().map(|e| &e.node.0)).await?;
        Ok(page)
    }

    /// One supplier, or `null`.
    field supplier(
        #[graphql(desc = "The supplier's id.")] id: ID,
    ) -> Option<Supplier> |ctx| {
        Ok(by_id::<supplier::Entity>(ctx, &id).await?.map(Supplier))
    }
}

/// Loads, in one batch each, the relations the request selects on a page of suppliers, and
/// feeds the suppliers themselves into the by-id loader.
async fn prefetch_page<'a>(
    ctx: &Context<'_>,
    rows: impl Iterator<Item = &'a supplier::Model> + Clone,
) -> Result<()> {
    feed::<supplier::Entity>(ctx, rows.clone()).await;
    if selects_on_nodes(ctx, "owner") {
        crate::graphql::loaders::load_now(
            &ctx.request()?.loaders().await.gql()?.identity.user_by_id,
            rows.clone().filter_map(|s| s.owner_id),
        )
        .await
        .map_err(load_failed)?;
    }
    if selects_on_nodes(ctx, "paymentTerm") {
        prefetch::<payment_term::Entity>(ctx, rows.filter_map(|s| s.payment_term_id)).await?;
    }
    Ok(())
}

/// Supplier mutations.
#[derive(Default)]
pub struct SuppliersMutation;

mutations! { SuppliersMutation => Supplier, guard = "Require(SUPPLIER_WRITE)", id = "The supplier's id.";
    /// Creates a supplier. Repeating it with the same `id` and content returns the same one.
    create create_supplier(CreateSupplierInput) |w, id, content| edit::create::<supplier::Entity>(w, id, content);
    /// Changes the fields you give of a supplier (omitted: unchanged, `null`: cleared). A
    /// stale `expectedVersion` is a `CONFLICT`.
    update update_supplier(UpdateSupplierInput) |w, id, patch, version| edit::update::<supplier::Entity>(w, id, patch, version);
    /// Archives a supplier (suppliers are never deleted: documents refer to them).
    by_id archive_supplier() |w, id| edit::archive::<supplier::Entity>(w, id);
}

edit_inputs! {
    /// Input of `createSupplier`.
    create CreateSupplierInput,
    /// A supplier's details.
    fields SupplierFields,
    /// Input of `updateSupplier`: the fields to change (omitted: unchanged, `null`: cleared) and
    /// the version you last read.
    update UpdateSupplierInput => SupplierPatch;
    /// Legal name.
    required name: String => party.name;
    /// Tax id.
    optional tax_id: String => party.tax_id;
    /// Email.
    optional email: String => party.email;
    /// Phone.
    optional phone: String => party.phone;
    /// Address.
    optional address: String => address;
    /// Payment terms of the supplier's bills.
    optional payment_term_id: ID => party.payment_term_id;
    /// Currency of the supplier's bills (ISO 4217).
    required currency: String => currency;
    /// Responsible user (omitted on create, or `null`: you).
    optional owner_id: ID => party.owner_id;
}

/// A supplier.
pub struct Supplier(pub supplier::Model);

fields! {
    /// A supplier.
    impl Supplier(supplier::Model) {
        /// Stable id.
        id id;
        /// Legal name.
        text name;
        /// Tax id.
        opt_text tax_id;
        /// Email.
        opt_text email;
        /// Phone.
        opt_text phone;
        /// Address.
        opt_text address;
        /// Currency of the supplier's bills.
        text currency;
        /// The user responsible for the supplier.
        one owner -> User = user_account::Entity, owner_id;
        /// Payment terms of the supplier's bills.
        async fn payment_term(&self, ctx: &Context<'_>) -> Result<Option<PaymentTerm>> {
            Ok(
                relation::<payment_term::Entity>(ctx, self.0.payment_term_id)
                    .await?
                    .map(PaymentTerm),
            )
        }
        /// Archived suppliers stay for their documents but leave active lists.
        value is_active: bool;
        /// Optimistic-locking version.
        value version: i32;
    }
}
