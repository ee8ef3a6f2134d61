//! `suppliers`, `supplier`, `createSupplier`, `updateSupplier`, `archiveSupplier`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Result};
use entities::master::{payment_term, supplier};

use crate::authz::Require;
use crate::authz::catalog::{SUPPLIER_READ, SUPPLIER_WRITE};
use crate::error::{AppError, GqlResult};
use crate::graphql::context::ContextExt;
use crate::graphql::fields::fields;
use crate::graphql::loaders::{load_failed, selects_on_nodes};
use crate::graphql::resolve::{by_id, list, mutations, queries};
use crate::graphql::{parse_opt_id, patch, patch_id};
use crate::kit::edit;
use crate::kit::read::{feed, prefetch, relation};
use crate::modules::identity::graphql::types::User;
use crate::modules::master::graphql::setup::PaymentTerm;
use crate::modules::master::graphql::types::user;
use crate::modules::master::service::party;
use crate::modules::master::service::party::PartyPatch;
use crate::modules::master::service::suppliers::{SupplierInput, SupplierPatch};

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
        ctx.request()?
            .loaders()
            .await
            .gql()?
            .identity
            .user_by_id
            .load_many(rows.clone().filter_map(|s| s.owner_id))
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
    create create_supplier(CreateSupplierInput) |w, id, content| edit::create::<supplier::Entity>(w, id, content.into());
    /// Changes the fields you give of a supplier (omitted: unchanged, `null`: cleared). A
    /// stale `expectedVersion` is a `CONFLICT`.
    update update_supplier(UpdateSupplierInput) |w, id, patch, version| edit::update::<supplier::Entity>(w, id, patch, version);
    /// Archives a supplier (suppliers are never deleted: documents refer to them).
    by_id archive_supplier() |w, id| edit::archive::<supplier::Entity>(w, id);
}

/// A supplier's details.
#[derive(InputObject)]
pub struct SupplierFields {
    /// Legal name.
    pub name: String,
    /// Tax id.
    pub tax_id: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Phone.
    pub phone: Option<String>,
    /// Address.
    pub address: Option<String>,
    /// Payment terms of the supplier's bills.
    pub payment_term_id: Option<ID>,
    /// Currency of the supplier's bills (ISO 4217).
    pub currency: String,
    /// Responsible user (default: you).
    pub owner_id: Option<ID>,
}

impl SupplierFields {
    fn into_service(self) -> Result<SupplierInput, AppError> {
        Ok(SupplierInput {
            name: self.name,
            tax_id: self.tax_id,
            email: self.email,
            phone: self.phone,
            address: self.address,
            payment_term_id: parse_opt_id(self.payment_term_id.as_ref(), "input.paymentTermId")?,
            currency: self.currency,
            owner_id: parse_opt_id(self.owner_id.as_ref(), "input.ownerId")?,
        })
    }
}

/// Input of `createSupplier`.
#[derive(InputObject)]
pub struct CreateSupplierInput {
    /// Optional client-generated id (UUID) making the create idempotent.
    pub id: Option<ID>,
    /// The details.
    #[graphql(flatten)]
    pub content: SupplierFields,
}

/// Input of `updateSupplier`: the fields to change (omitted: unchanged, `null`: cleared) and
/// the version you last read.
#[derive(InputObject)]
pub struct UpdateSupplierInput {
    /// Legal name.
    pub name: Option<String>,
    /// Tax id.
    pub tax_id: MaybeUndefined<String>,
    /// Email.
    pub email: MaybeUndefined<String>,
    /// Phone.
    pub phone: MaybeUndefined<String>,
    /// Address.
    pub address: MaybeUndefined<String>,
    /// Payment terms of the supplier's bills.
    pub payment_term_id: MaybeUndefined<ID>,
    /// Currency of the supplier's bills (ISO 4217).
    pub currency: Option<String>,
    /// Responsible user.
    pub owner_id: MaybeUndefined<ID>,
    /// The `version` you last read.
    pub expected_version: i32,
}

impl UpdateSupplierInput {
    fn into_service(self) -> Result<SupplierPatch, AppError> {
        Ok(SupplierPatch {
            party: PartyPatch {
                name: self.name,
                tax_id: patch(self.tax_id),
                email: patch(self.email),
                phone: patch(self.phone),
                payment_term_id: patch_id(self.payment_term_id, "input.paymentTermId")?,
                owner_id: patch_id(self.owner_id, "input.ownerId")?,
            },
            address: patch(self.address),
            currency: self.currency,
        })
    }
}

/// A supplier.
pub struct Supplier(pub supplier::Model);

fields! {
    /// A supplier.
    impl Supplier {
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
        async fn owner(&self, ctx: &Context<'_>) -> Result<Option<User>> {
            user(ctx, self.0.owner_id).await
        }
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
