//! `suppliers`, `supplier`, `createSupplier`, `updateSupplier`, `archiveSupplier`.

use async_graphql::{Context, ID, InputObject, MaybeUndefined, Object, Result};
use entities::master::{payment_term, supplier};

use crate::authz::Require;
use crate::authz::catalog::{SUPPLIER_READ, SUPPLIER_WRITE};
use crate::error::{AppError, GqlResult};
use crate::graphql::connection::{Page, PageArgs};
use crate::graphql::context::ContextExt;
use crate::graphql::loaders::{load_failed, selects_on_nodes};
use crate::graphql::pagination::list_complexity;
use crate::graphql::resolve::{by_id, list, write};
use crate::graphql::{parse_id, patch, patch_id};
use crate::kit::read::{feed, prefetch, relation};
use crate::modules::identity::graphql::types::User;
use crate::modules::master::graphql::setup::PaymentTerm;
use crate::modules::master::graphql::types::user;
use crate::modules::master::service::party::PartyPatch;
use crate::modules::master::service::suppliers::{self, SupplierInput, SupplierPatch};

/// Supplier queries.
#[derive(Default)]
pub struct SuppliersQuery;

#[Object]
impl SuppliersQuery {
    /// Suppliers, oldest first.
    #[graphql(
        guard = "Require(SUPPLIER_READ)",
        complexity = "list_complexity(child_complexity, first, last)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn suppliers(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
        #[graphql(desc = "Part of the name, email or tax id, any case.")] search: Option<String>,
        #[graphql(desc = "Active (true) or archived (false) only.")] is_active: Option<bool>,
    ) -> Result<Page<Supplier>> {
        let req = ctx.request()?;
        let query = suppliers::visible(req.access().gql()?, search.as_deref(), is_active);
        let args = PageArgs::new(ctx, first, after, last, before);
        let page = list(ctx, query, args, Supplier).await?;
        prefetch_page(ctx, page.edges.iter().map(|e| &e.node.0)).await?;
        Ok(page)
    }

    /// One supplier, or `null`.
    #[graphql(guard = "Require(SUPPLIER_READ)")]
    async fn supplier(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The supplier's id.")] id: ID,
    ) -> Result<Option<Supplier>> {
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

#[Object]
impl SuppliersMutation {
    /// Creates a supplier. Repeating it with the same `id` and content returns the same one.
    #[graphql(guard = "Require(SUPPLIER_WRITE)")]
    async fn create_supplier(
        &self,
        ctx: &Context<'_>,
        input: CreateSupplierInput,
    ) -> Result<Supplier> {
        let id = input
            .id
            .as_ref()
            .map(|id| parse_id(id, "input.id"))
            .transpose()
            .gql()?;
        let content = input.content.into_service().gql()?;
        let row = write(ctx, |w| Box::pin(suppliers::create(w, id, content))).await?;
        Ok(Supplier(row))
    }

    /// Changes the fields you give of a supplier (omitted: unchanged, `null`: cleared). A
    /// stale `expectedVersion` is a `CONFLICT`.
    #[graphql(guard = "Require(SUPPLIER_WRITE)")]
    async fn update_supplier(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The supplier's id.")] id: ID,
        input: UpdateSupplierInput,
    ) -> Result<Supplier> {
        let id = parse_id(&id, "id").gql()?;
        let expected_version = input.expected_version;
        let patch = input.into_service().gql()?;
        let row = write(ctx, |w| {
            Box::pin(suppliers::update(w, id, patch, expected_version))
        })
        .await?;
        Ok(Supplier(row))
    }

    /// Archives a supplier (suppliers are never deleted: documents refer to them).
    #[graphql(guard = "Require(SUPPLIER_WRITE)")]
    async fn archive_supplier(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The supplier's id.")] id: ID,
    ) -> Result<Supplier> {
        let id = parse_id(&id, "id").gql()?;
        let row = write(ctx, |w| Box::pin(suppliers::archive(w, id))).await?;
        Ok(Supplier(row))
    }
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
            payment_term_id: self
                .payment_term_id
                .as_ref()
                .map(|id| parse_id(id, "input.paymentTermId"))
                .transpose()?,
            currency: self.currency,
            owner_id: self
                .owner_id
                .as_ref()
                .map(|id| parse_id(id, "input.ownerId"))
                .transpose()?,
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

/// A supplier.
#[Object]
impl Supplier {
    /// Stable id.
    async fn id(&self) -> ID {
        ID(self.0.id.to_string())
    }
    /// Legal name.
    async fn name(&self) -> &str {
        &self.0.name
    }
    /// Tax id.
    async fn tax_id(&self) -> Option<&str> {
        self.0.tax_id.as_deref()
    }
    /// Email.
    async fn email(&self) -> Option<&str> {
        self.0.email.as_deref()
    }
    /// Phone.
    async fn phone(&self) -> Option<&str> {
        self.0.phone.as_deref()
    }
    /// Address.
    async fn address(&self) -> Option<&str> {
        self.0.address.as_deref()
    }
    /// Currency of the supplier's bills.
    async fn currency(&self) -> &str {
        &self.0.currency
    }
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
    async fn is_active(&self) -> bool {
        self.0.is_active
    }
    /// Optimistic-locking version.
    async fn version(&self) -> i32 {
        self.0.version
    }
}
