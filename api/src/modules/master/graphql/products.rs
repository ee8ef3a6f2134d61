//! `products`, `product`, `createProduct`, `updateProduct`, `archiveProduct`.

use async_graphql::{Context, Enum, ID, InputObject, Result};
use entities::master::{product, product_category, tax_rate};

use crate::authz::Require;
use crate::authz::catalog::{PRODUCT_READ, PRODUCT_WRITE};
use crate::error::{AppError, GqlResult};
use crate::graphql::connection::{OrderDirection, Sort, page_sorted};
use crate::graphql::context::ContextExt;
use crate::graphql::edit::{Convert, edit_inputs, filter_input};
use crate::graphql::loaders::selects_on_nodes;
use crate::graphql::resolve::{by_id, mutations, queries};
use crate::graphql::scalars::Decimal;
use crate::kit::edit;
use crate::kit::read::{feed, prefetch};
use crate::modules::master::graphql::types::{Product, ProductKind};
use crate::modules::master::service::products::{self, Kind, ProductFilter, ProductPatch};

/// Product queries.
#[derive(Default)]
pub struct ProductsQuery;

queries! { ProductsQuery, guard = "Require(PRODUCT_READ)";
    /// Products, by creation (default), SKU or name.
    list products(
        #[graphql(desc = "Which products.")] filter: Option<ProductFilterInput>,
        #[graphql(desc = "Sort order (one entry).", default)] order_by: Vec<ProductOrder>,
    ) -> Product |ctx, args| {
        let req = ctx.request()?;
        let filter = ProductFilterInput::service(filter).gql()?;
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
        let page = page_sorted(
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
        .gql()?;
        prefetch_page(ctx, page.edges.iter().map(|e| &e.node.0)).await?;
        Ok(page)
    }

    /// One product, or `null`.
    field product(
        #[graphql(desc = "The product's id.")] id: ID,
    ) -> Option<Product> |ctx| {
        Ok(by_id::<product::Entity>(ctx, &id).await?.map(Product))
    }
}

/// Loads, in one batch each, the relations the request selects on a page of products, and
/// feeds the products themselves into the by-id loader.
async fn prefetch_page<'a>(
    ctx: &Context<'_>,
    rows: impl Iterator<Item = &'a product::Model> + Clone,
) -> Result<()> {
    feed::<product::Entity>(ctx, rows.clone()).await;
    if selects_on_nodes(ctx, "taxRate") {
        prefetch::<tax_rate::Entity>(ctx, rows.clone().filter_map(|p| p.tax_rate_id)).await?;
    }
    if selects_on_nodes(ctx, "category") {
        prefetch::<product_category::Entity>(ctx, rows.filter_map(|p| p.category_id)).await?;
    }
    Ok(())
}

/// Product mutations.
#[derive(Default)]
pub struct ProductsMutation;

mutations! { ProductsMutation => Product, guard = "Require(PRODUCT_WRITE)", id = "The product's id.";
    /// Creates a product. Repeating it with the same `id` and content returns the same product.
    create create_product(CreateProductInput) |w, id, content| edit::create::<product::Entity>(w, id, content);
    /// Changes the fields you give of a product (omitted: unchanged, `null`: cleared; an
    /// omitted `costPrice` keeps the cost price). A stale `expectedVersion` is a `CONFLICT`.
    update update_product(UpdateProductInput) |w, id, patch, version| edit::update::<product::Entity>(w, id, patch, version);
    /// Archives a product (products are never deleted: documents refer to them).
    by_id archive_product() |w, id| edit::archive::<product::Entity>(w, id);
}

filter_input! {
    /// Which products `products` lists.
    ProductFilterInput => ProductFilter;
    /// Part of the SKU or name, any case.
    one search: String;
    /// Active (true) or archived (false) only.
    one is_active: bool;
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

edit_inputs! {
    /// Input of `createProduct`.
    create CreateProductInput,
    /// A product's details.
    fields ProductFields,
    /// Input of `updateProduct`: the fields to change (omitted: unchanged, `null`: cleared) and
    /// the version you last read.
    update UpdateProductInput => ProductPatch;
    /// Stock-keeping unit, unique.
    required sku: String => sku;
    /// Name.
    required name: String => name;
    /// Goods or service.
    required kind: ProductKind => kind;
    /// Unit code (see `units`).
    required unit: String => unit;
    /// Currency of the prices.
    required currency: String => currency;
    /// Sale price per unit, at most 6 decimals, not negative.
    required sale_price: Decimal => sale_price;
    /// Cost price per unit, at most 6 decimals, not negative; omitted on update: unchanged.
    optional cost_price: Decimal => cost_price;
    /// Tax rate of sales.
    optional tax_rate_id: ID => tax_rate_id;
    /// Category.
    optional category_id: ID => category_id;
    /// Whether each unit has a serial number.
    flag serial_tracked: bool => serial_tracked;
}

impl Convert<Kind> for ProductKind {
    fn convert(self, _: &str) -> Result<Kind, AppError> {
        Ok(match self {
            ProductKind::Goods => Kind::Goods,
            ProductKind::Service => Kind::Service,
        })
    }
}
