//! `paymentTerms`, `createPaymentTerm`, `productCategories`, `createProductCategory`,
//! `warehouses`, `createWarehouse`.

use async_graphql::{Context, InputObject, Object, Result};
use entities::master::{payment_term, product_category, warehouse};

use crate::authz::Require;
use crate::authz::catalog::{DATA_READ, DATA_WRITE};
use crate::error::GqlResult;
use crate::graphql::context::ContextExt;
use crate::graphql::fields::fields;
use crate::graphql::resolve::{list, queries, write};
use crate::modules::master::service::reference;

/// Set-up data queries.
#[derive(Default)]
pub struct SetupQuery;

queries! { SetupQuery, guard = "Require(DATA_READ)";
    /// Payment terms, oldest first.
    list payment_terms() -> PaymentTerm |ctx, args| {
        let req = ctx.request()?;
        let query = reference::payment_terms(req.access().gql()?);
        list(ctx, query, args, PaymentTerm).await
    }

    /// Product categories, oldest first.
    list product_categories() -> ProductCategory |ctx, args| {
        let req = ctx.request()?;
        let query = reference::product_categories(req.access().gql()?);
        list(ctx, query, args, ProductCategory).await
    }

    /// Warehouses, oldest first.
    list warehouses() -> Warehouse |ctx, args| {
        let req = ctx.request()?;
        let query = reference::warehouses(req.access().gql()?);
        list(ctx, query, args, Warehouse).await
    }
}

/// Set-up data mutations.
#[derive(Default)]
pub struct SetupMutation;

#[Object]
impl SetupMutation {
    /// Creates payment terms.
    #[graphql(guard = "Require(DATA_WRITE)")]
    async fn create_payment_term(
        &self,
        ctx: &Context<'_>,
        input: CreatePaymentTermInput,
    ) -> Result<PaymentTerm> {
        let row = write(ctx, |w| {
            Box::pin(async move {
                reference::create_payment_term(w, &input.code, &input.name, input.due_days).await
            })
        })
        .await?;
        Ok(PaymentTerm(row))
    }

    /// Creates a product category.
    #[graphql(guard = "Require(DATA_WRITE)")]
    async fn create_product_category(
        &self,
        ctx: &Context<'_>,
        input: CreateProductCategoryInput,
    ) -> Result<ProductCategory> {
        let row = write(ctx, |w| {
            Box::pin(async move { reference::create_product_category(w, &input.name).await })
        })
        .await?;
        Ok(ProductCategory(row))
    }

    /// Creates a warehouse.
    #[graphql(guard = "Require(DATA_WRITE)")]
    async fn create_warehouse(
        &self,
        ctx: &Context<'_>,
        input: CreateWarehouseInput,
    ) -> Result<Warehouse> {
        let w = ctx.request()?.write().await.gql()?;
        let row =
            reference::create_warehouse(&w, &input.code, &input.name, input.address.as_deref())
                .await
                .gql()?;
        w.commit().await.gql()?;
        Ok(Warehouse(row))
    }
}

/// Input of `createPaymentTerm`.
#[derive(InputObject)]
pub struct CreatePaymentTermInput {
    /// Unique code, e.g. `NET30`.
    pub code: String,
    /// Name.
    pub name: String,
    /// Days from the invoice date to the due date.
    pub due_days: i32,
}

/// Input of `createProductCategory`.
#[derive(InputObject)]
pub struct CreateProductCategoryInput {
    /// Unique name.
    pub name: String,
}

/// Input of `createWarehouse`.
#[derive(InputObject)]
pub struct CreateWarehouseInput {
    /// Unique code.
    pub code: String,
    /// Name.
    pub name: String,
    /// Address.
    pub address: Option<String>,
}

/// When invoices fall due.
pub struct PaymentTerm(pub payment_term::Model);

fields! {
    /// When invoices fall due.
    impl PaymentTerm(payment_term::Model) {
        /// Stable id.
        id id;
        /// Unique code, e.g. `NET30`.
        text code;
        /// Name.
        text name;
        /// Days from the invoice date to the due date.
        value due_days: i32;
    }
}

/// A group of products.
pub struct ProductCategory(pub product_category::Model);

fields! {
    /// A group of products.
    impl ProductCategory(product_category::Model) {
        /// Stable id.
        id id;
        /// Unique name.
        text name;
    }
}

/// A place where stock is kept.
pub struct Warehouse(pub warehouse::Model);

fields! {
    /// A place where stock is kept.
    impl Warehouse(warehouse::Model) {
        /// Stable id.
        id id;
        /// Unique code.
        text code;
        /// Name.
        text name;
        /// Address.
        opt_text address;
        /// Whether it is in use.
        value is_active: bool;
    }
}
