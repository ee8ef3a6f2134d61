//! `products`, `product`, `createProduct`, `updateProduct`, `archiveProduct`.

use async_graphql::{Context, Enum, ID, InputObject, Object, Result};
use entities::master::product;

use crate::authz::Require;
use crate::authz::catalog::{PRODUCT_READ, PRODUCT_WRITE};
use crate::error::{AppError, GqlResult};
use crate::graphql::connection::{OrderDirection, Page, PageArgs, Sort, page_sorted};
use crate::graphql::context::ContextExt;
use crate::graphql::pagination::list_complexity;
use crate::graphql::parse_id;
use crate::graphql::scalars::Decimal;
use crate::modules::master::graphql::types::{Product, ProductKind};
use crate::modules::master::service::products::{self, Kind, ProductFilter, ProductInput};

/// Product queries.
#[derive(Default)]
pub struct ProductsQuery;

#[Object]
impl ProductsQuery {
    /// Products, by creation (default), SKU or name.
    #[graphql(
        guard = "Require(PRODUCT_READ)",
        complexity = "list_complexity(child_complexity, first, last)"
    )]
    #[allow(clippy::too_many_arguments)]
    async fn products(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "Page size from the start (default 20, at most 100).")] first: Option<i32>,
        #[graphql(desc = "Cursor to continue after.")] after: Option<String>,
        #[graphql(desc = "Page size from the end (at most 100).")] last: Option<i32>,
        #[graphql(desc = "Cursor to continue before.")] before: Option<String>,
        #[graphql(desc = "Which products.")] filter: Option<ProductFilterInput>,
        #[graphql(desc = "Sort order (one entry).", default)] order_by: Vec<ProductOrder>,
    ) -> Result<Page<Product>> {
        let req = ctx.request()?;
        let filter = filter
            .map(|f| ProductFilter {
                search: f.search,
                is_active: f.is_active,
            })
            .unwrap_or_default();
        let query = products::visible(req.access().gql()?, &filter).gql()?;
        if order_by.len() > 1 {
            return Err(AppError::validation("orderBy", "sort by one field").to_gql());
        }
        let order = order_by.first().copied().unwrap_or_default();
        let sort = match order.field {
            ProductOrderField::CreatedAt => None,
            ProductOrderField::Sku => Some(Sort {
                column: product::Column::Sku,
                key: |p: &product::Model| p.sku.clone(),
            }),
            ProductOrderField::Name => Some(Sort {
                column: product::Column::Name,
                key: |p: &product::Model| p.name.clone(),
            }),
        };
        let db = req.tenant_db().await.gql()?;
        let args = PageArgs::new(ctx, first, after, last, before);
        page_sorted(
            db.conn(),
            query,
            product::Column::Id,
            sort,
            order.direction,
            &args,
            |p| p.id,
            Product,
        )
        .await
        .gql()
    }

    /// One product, or `null`.
    #[graphql(guard = "Require(PRODUCT_READ)")]
    async fn product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The product's id.")] id: ID,
    ) -> Result<Option<Product>> {
        let req = ctx.request()?;
        let id = parse_id(&id, "id").gql()?;
        let db = req.tenant_db().await.gql()?;
        Ok(products::get(db.conn(), req.access().gql()?, id)
            .await
            .gql()?
            .map(Product))
    }
}

/// Product mutations.
#[derive(Default)]
pub struct ProductsMutation;

#[Object]
impl ProductsMutation {
    /// Creates a product. Repeating it with the same `id` and content returns the same product.
    #[graphql(guard = "Require(PRODUCT_WRITE)")]
    async fn create_product(
        &self,
        ctx: &Context<'_>,
        input: CreateProductInput,
    ) -> Result<Product> {
        let req = ctx.request()?;
        let id = input
            .id
            .as_ref()
            .map(|id| parse_id(id, "input.id"))
            .transpose()
            .gql()?;
        let content = input.content.into_service().gql()?;
        let db = req.tenant_db().await.gql()?;
        Ok(Product(
            products::create(
                db.conn(),
                req.access().gql()?,
                req.audit_actor(),
                id,
                content,
            )
            .await
            .gql()?,
        ))
    }

    /// Replaces a product's details. A stale `expectedVersion` is a `CONFLICT`.
    #[graphql(guard = "Require(PRODUCT_WRITE)")]
    async fn update_product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The product's id.")] id: ID,
        input: UpdateProductInput,
    ) -> Result<Product> {
        let req = ctx.request()?;
        let id = parse_id(&id, "id").gql()?;
        let content = input.content.into_service().gql()?;
        let db = req.tenant_db().await.gql()?;
        let row = products::update(
            db.conn(),
            req.access().gql()?,
            req.audit_actor(),
            id,
            content,
            input.expected_version,
        )
        .await
        .gql()?;
        Ok(Product(row))
    }

    /// Archives a product (products are never deleted: documents refer to them).
    #[graphql(guard = "Require(PRODUCT_WRITE)")]
    async fn archive_product(
        &self,
        ctx: &Context<'_>,
        #[graphql(desc = "The product's id.")] id: ID,
    ) -> Result<Product> {
        let req = ctx.request()?;
        let id = parse_id(&id, "id").gql()?;
        let db = req.tenant_db().await.gql()?;
        Ok(Product(
            products::archive(db.conn(), req.access().gql()?, req.audit_actor(), id)
                .await
                .gql()?,
        ))
    }
}

/// Which products `products` lists.
#[derive(InputObject)]
pub struct ProductFilterInput {
    /// Part of the SKU or name, any case.
    pub search: Option<String>,
    /// Active (true) or archived (false) only.
    pub is_active: Option<bool>,
}

/// Fields products sort by.
#[derive(Enum, Clone, Copy, PartialEq, Eq, Default)]
pub enum ProductOrderField {
    /// Creation order.
    #[default]
    CreatedAt,
    /// SKU.
    Sku,
    /// Name.
    Name,
}

/// A sort order of `products`.
#[derive(InputObject, Clone, Copy, Default)]
pub struct ProductOrder {
    /// The field.
    pub field: ProductOrderField,
    /// The direction.
    #[graphql(default)]
    pub direction: OrderDirection,
}

/// A product's details.
#[derive(InputObject)]
pub struct ProductFields {
    /// Stock-keeping unit, unique.
    pub sku: String,
    /// Name.
    pub name: String,
    /// Goods or service.
    pub kind: ProductKind,
    /// Unit code (see `units`).
    pub unit: String,
    /// Currency of the prices.
    pub currency: String,
    /// Sale price per unit, at most 6 decimals, not negative.
    pub sale_price: Decimal,
    /// Cost price per unit, at most 6 decimals, not negative.
    pub cost_price: Option<Decimal>,
    /// Tax rate of sales.
    pub tax_rate_id: Option<ID>,
    /// Category.
    pub category_id: Option<ID>,
    /// Whether each unit has a serial number.
    #[graphql(default)]
    pub serial_tracked: bool,
}

impl ProductFields {
    fn into_service(self) -> Result<ProductInput, AppError> {
        Ok(ProductInput {
            sku: self.sku,
            name: self.name,
            kind: match self.kind {
                ProductKind::Goods => Kind::Goods,
                ProductKind::Service => Kind::Service,
            },
            unit: self.unit,
            currency: self.currency,
            sale_price: self.sale_price.as_str().to_owned(),
            cost_price: self.cost_price.map(|c| c.as_str().to_owned()),
            tax_rate_id: self
                .tax_rate_id
                .as_ref()
                .map(|id| parse_id(id, "input.taxRateId"))
                .transpose()?,
            category_id: self
                .category_id
                .as_ref()
                .map(|id| parse_id(id, "input.categoryId"))
                .transpose()?,
            serial_tracked: self.serial_tracked,
        })
    }
}

/// Input of `createProduct`.
#[derive(InputObject)]
pub struct CreateProductInput {
    /// Optional client-generated id (UUID) making the create idempotent.
    pub id: Option<ID>,
    /// The details.
    #[graphql(flatten)]
    pub content: ProductFields,
}

/// Input of `updateProduct`.
#[derive(InputObject)]
pub struct UpdateProductInput {
    /// The details.
    #[graphql(flatten)]
    pub content: ProductFields,
    /// The `version` you last read.
    pub expected_version: i32,
}
