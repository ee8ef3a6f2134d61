//! The GraphQL schema: module roots merged into one, with the limits of SECURITY.md.
//!
//! Module roots are merged here in nested groups of at most six (a flat `MergedObject` of many
//! members overflows async-graphql's derive). `schema.graphql` at the repository root is
//! [`sdl`]'s output; a test fails when they drift apart.

pub mod admission;
pub mod connection;
pub mod context;
pub mod direct;
pub mod edit;
pub mod fields;
pub mod handler;
pub mod inputs;
pub mod limits;
pub mod loaders;
pub mod order;
pub mod pagination;
pub mod resolve;
pub mod rows;
pub mod scalars;
pub mod websocket;

use async_graphql::{ID, MergedObject, MergedSubscription, Schema};
use uuid::Uuid;

use crate::error::AppError;

use crate::config::GraphqlSettings;
use crate::modules::billing::graphql::{BillingMutation, BillingQuery};
use crate::modules::crm::graphql::changes::CrmSubscription;
use crate::modules::crm::graphql::{CrmMutation, CrmQuery};
use crate::modules::finance::graphql::{FinanceMutation, FinanceQuery};
use crate::modules::identity::graphql::{IdentityMutation, IdentityQuery};
use crate::modules::master::graphql::changes::MasterSubscription;
use crate::modules::master::graphql::{MasterMutation, MasterQuery};
use crate::modules::notifications::graphql::{
    NotificationsMutation, NotificationsQuery, NotificationsSubscription,
};
use crate::modules::sales::graphql::changes::SalesSubscription;
use crate::modules::sales::graphql::{SalesMutation, SalesQuery};

/// Every query field.
#[derive(MergedObject, Default)]
pub struct QueryRoot(
    IdentityQuery,
    MasterQuery,
    CrmQuery,
    FinanceQuery,
    BillingQuery,
    SalesQuery,
    NotificationsQuery,
);

/// Every mutation field.
#[derive(MergedObject, Default)]
pub struct MutationRoot(
    IdentityMutation,
    MasterMutation,
    CrmMutation,
    FinanceMutation,
    BillingMutation,
    SalesMutation,
    NotificationsMutation,
);

/// Every subscription field.
#[derive(MergedSubscription, Default)]
pub struct SubscriptionRoot(
    NotificationsSubscription,
    MasterSubscription,
    CrmSubscription,
    SalesSubscription,
);

/// The application schema.
pub type AppSchema = Schema<QueryRoot, MutationRoot, SubscriptionRoot>;

/// Builds the schema with `settings`' limits applied. Every request must pass
/// [`admission::admit`] before it reaches the schema.
pub fn build_schema(settings: &GraphqlSettings) -> AppSchema {
    let mut builder = Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .limit_complexity(settings.max_complexity)
    // Backstop for introspection subtrees, which the ordinary depth limit leaves out.
    .limit_depth(settings.max_depth.max(limits::INTROSPECTION_DEPTH))
    .limit_recursive_depth(64)
    // Aliases, fields, depth on the expansion and input rules are checked by `admission`
    // before the schema sees a request. No extensions: async-graphql wraps every field's
    // resolution in them once any is registered (and `rows::resolve` writes plain fields
    // without calling them); per-request work is in `handler::run`.
    .limit_directives(settings.max_directives);
    // Admission checks variable types against these names: build them now, not on the first
    // request that needs them.
    type_names();
    if !settings.introspection {
        builder = builder.disable_introspection().disable_suggestions();
    }
    builder.finish()
}

/// The schema definition language text of the schema (what `erp schema` prints). Limits do not
/// change the SDL, so none are set.
pub fn sdl() -> String {
    Schema::build(
        QueryRoot::default(),
        MutationRoot::default(),
        SubscriptionRoot::default(),
    )
    .finish()
    .sdl()
}

/// The names of the schema's types (from its SDL, computed once).
pub fn type_names() -> &'static std::collections::HashSet<String> {
    static NAMES: std::sync::OnceLock<std::collections::HashSet<String>> =
        std::sync::OnceLock::new();
    NAMES.get_or_init(|| {
        sdl()
            .lines()
            .filter_map(|line| {
                let mut words = line.split_whitespace();
                match words.next()? {
                    "type" | "input" | "enum" | "scalar" | "interface" | "union" => words
                        .next()
                        .map(|name| name.trim_end_matches('{').to_owned()),
                    _ => None,
                }
            })
            .collect()
    })
}

/// The UUID in an `ID` argument; anything else is a `VALIDATION` error on `field`.
pub fn parse_id(id: &ID, field: &str) -> Result<Uuid, AppError> {
    Uuid::try_parse(id.as_str()).map_err(|_| AppError::validation(field, "not an id (UUID)"))
}

/// [`parse_id`] of an optional `ID` argument or input field.
pub fn parse_opt_id(id: Option<&ID>, field: &str) -> Result<Option<Uuid>, AppError> {
    id.map(|id| parse_id(id, field)).transpose()
}

/// A patch field as the services take it: omitted (`None`: unchanged), `null` (`Some(None)`:
/// cleared) or a value.
pub fn patch<T>(value: async_graphql::MaybeUndefined<T>) -> Option<Option<T>> {
    match value {
        async_graphql::MaybeUndefined::Undefined => None,
        async_graphql::MaybeUndefined::Null => Some(None),
        async_graphql::MaybeUndefined::Value(v) => Some(Some(v)),
    }
}

/// The UUIDs of a list of `ID`s.
pub fn parse_ids(ids: &[ID], field: &str) -> Result<Vec<Uuid>, AppError> {
    ids.iter()
        .enumerate()
        .map(|(i, id)| parse_id(id, &format!("{field}[{i}]")))
        .collect()
}
