//! Change-stream subscriptions answered without the executor: the fan-out's hot path.
//!
//! A subscription to one change stream (`opportunityChanged(id: $id) { id version }`) is what
//! a client holds open by the thousand, and every subscriber hears every change of its tenant.
//! Through the executor each event costs each subscriber a context, the schema extensions'
//! hooks and a boxed future per field; here a [`Plan`] made once at subscribe time (which
//! field, which row, which response keys) turns an event into the answer with a few map
//! inserts, and a waiting subscription holds only its plan, its grants key and its place in
//! the tenant's feed.
//!
//! [`plan`] takes only the plain form: one operation, no fragments or directives, one root
//! field of [`CHANGE_STREAMS`] with at most its `id` argument (a literal, or the one declared
//! variable of type `ID`), and leaf fields of the change type, each response key once. Any
//! other document, and any subscriber the plain form would refuse (no grant, a malformed id),
//! goes through the executor, which validates it and words the error; the answers of both
//! paths are the same, which `realtime::the_direct_path_answers_what_the_executor_answers`
//! checks byte for byte. Grants and row scope are checked for every change of the stream's
//! rows exactly as `kit::changes` does, through the same [`ChangeStream`]; other events of the
//! tenant are passed over before the grants are looked at, so an ended session ends the
//! subscription at the next change it concerns (the executor path notices at any event;
//! neither delivers anything unchecked).

use async_graphql::indexmap::IndexMap;
use async_graphql::parser::types::{
    BaseType, DocumentOperations, ExecutableDocument, OperationType, Selection,
};
use async_graphql::{InputType, Name, PathSegment, Pos, Response, Value, Variables};
use async_graphql_value::Value as Argument;
use futures_util::StreamExt;
use futures_util::stream::BoxStream;
use uuid::Uuid;

use crate::auth::Principal;
use crate::authz::Access;
use crate::kit::changes::{Change, ChangeStream, Heard, current_access, fell_behind};
use crate::modules::crm::graphql::changes::{ACTIVITY_CHANGED, LEAD_CHANGED, OPPORTUNITY_CHANGED};
use crate::modules::master::graphql::changes::CUSTOMER_CHANGED;
use crate::modules::sales::graphql::changes::{INVOICE_CHANGED, SALES_ORDER_CHANGED};
use crate::state::AppState;

/// Every module's change stream (a test compares them with the schema's subscription fields).
pub const CHANGE_STREAMS: &[&ChangeStream] = &[
    &LEAD_CHANGED,
    &OPPORTUNITY_CHANGED,
    &ACTIVITY_CHANGED,
    &CUSTOMER_CHANGED,
    &SALES_ORDER_CHANGED,
    &INVOICE_CHANGED,
];

/// One leaf of the change type.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Leaf {
    Id,
    Kind,
    Action,
    Version,
    Typename,
}

/// A subscription the direct path answers (see the module header).
#[derive(Debug)]
pub struct Plan {
    stream: &'static ChangeStream,
    /// Only this row's changes.
    only: Option<Uuid>,
    /// The root field's response key and place (errors name them).
    key: Name,
    pos: Pos,
    /// The selected leaves, by response key, in order.
    leaves: Vec<(Name, Leaf)>,
}

/// The plan for `document`'s operation `operation_name` with `variables`, if it is the plain
/// form (see the module header); `None`: the executor answers it.
pub fn plan(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    variables: &Variables,
) -> Option<Plan> {
    if !document.fragments.is_empty() {
        return None;
    }
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(operation), None) => operation,
        (DocumentOperations::Multiple(operations), name) if operations.len() == 1 => {
            let (own, operation) = operations.iter().next()?;
            if name.is_some_and(|name| name != own.as_str()) {
                return None;
            }
            operation
        }
        _ => return None,
    };
    let operation = &operation.node;
    if operation.ty != OperationType::Subscription || !operation.directives.is_empty() {
        return None;
    }
    let [item] = operation.selection_set.node.items.as_slice() else {
        return None;
    };
    let Selection::Field(field) = &item.node else {
        return None;
    };
    let (pos, field) = (field.pos, &field.node);
    if !field.directives.is_empty() {
        return None;
    }
    let stream = *CHANGE_STREAMS
        .iter()
        .find(|s| s.field == field.name.node.as_str())?;
    let id = match (
        field.arguments.as_slice(),
        operation.variable_definitions.as_slice(),
    ) {
        ([], []) => Value::Null,
        ([(name, value)], definitions) if name.node == "id" => match (&value.node, definitions) {
            (Argument::Variable(variable), [definition]) => {
                let definition = &definition.node;
                let ty = &definition.var_type.node;
                if definition.name.node != *variable
                    || !definition.directives.is_empty()
                    || ty.base != BaseType::Named(Name::new("ID"))
                {
                    return None;
                }
                let value = match variables.get(variable) {
                    Some(value) => value.clone(),
                    None => match &definition.default_value {
                        Some(default) => default.node.clone(),
                        None => Value::Null,
                    },
                };
                if !ty.nullable && value == Value::Null {
                    return None;
                }
                value
            }
            (Argument::Variable(_), _) => return None,
            (literal, []) => literal.clone().into_const()?,
            _ => return None,
        },
        _ => return None,
    };
    let only = match id {
        Value::Null => None,
        Value::String(id) => Some(crate::graphql::parse_id(&async_graphql::ID(id), "id").ok()?),
        _ => return None,
    };
    let mut leaves: Vec<(Name, Leaf)> = Vec::new();
    for item in &field.selection_set.node.items {
        let Selection::Field(leaf) = &item.node else {
            return None;
        };
        let leaf = &leaf.node;
        if !leaf.directives.is_empty()
            || !leaf.arguments.is_empty()
            || !leaf.selection_set.node.items.is_empty()
        {
            return None;
        }
        let kind = match leaf.name.node.as_str() {
            "id" => Leaf::Id,
            "kind" => Leaf::Kind,
            "action" => Leaf::Action,
            "version" => Leaf::Version,
            "__typename" => Leaf::Typename,
            _ => return None,
        };
        let key = leaf.response_key().node.clone();
        // A repeated key is merged (or refused) by the executor's rules.
        if leaves.iter().any(|(k, _)| *k == key) {
            return None;
        }
        leaves.push((key, kind));
    }
    if leaves.is_empty() {
        return None;
    }
    Some(Plan {
        stream,
        only,
        key: field.response_key().node.clone(),
        pos,
        leaves,
    })
}

impl Plan {
    /// Whether the direct path answers a subscriber holding `access`: one without the
    /// stream's grant gets the executor's `FORBIDDEN`.
    pub fn admits(&self, access: &Access) -> bool {
        access.scope(self.stream.read).is_some()
    }

    /// The subscription of `principal`: an answer per change it hears of, from now on, until
    /// its grants go, its session ends or it falls behind (each ends it with the error).
    pub fn subscribe(self, state: AppState, principal: Principal) -> BoxStream<'static, Response> {
        let listener = state.events().hub().listen(principal.tenant_id);
        futures_util::stream::unfold(
            Some((self, state, principal, listener)),
            |held| async move {
                let (plan, state, principal, mut listener) = held?;
                loop {
                    let Ok(event) = listener.recv().await else {
                        return Some((plan.failure(fell_behind()), None));
                    };
                    if !plan.stream.concerns(plan.only, &event) {
                        continue;
                    }
                    let access = match current_access(&state, &principal).await {
                        Ok(access) => access,
                        Err(e) => return Some((plan.failure(e.to_gql()), None)),
                    };
                    match plan.stream.hear(&event, &access) {
                        Heard::Skip => continue,
                        Heard::Yield(change) => {
                            let answer = plan.answer(&change);
                            return Some((answer, Some((plan, state, principal, listener))));
                        }
                        Heard::End(e) => return Some((plan.failure(e.to_gql()), None)),
                    }
                }
            },
        )
        .boxed()
    }

    /// The answer announcing `change`, as the executor builds it.
    fn answer(&self, change: &Change) -> Response {
        let mut item = IndexMap::with_capacity(self.leaves.len());
        for (key, leaf) in &self.leaves {
            let value = match leaf {
                Leaf::Id => Value::String(change.id.to_string()),
                Leaf::Kind => change.kind.to_value(),
                Leaf::Action => Value::String(change.action.clone()),
                Leaf::Version => change.version.map_or(Value::Null, Value::from),
                Leaf::Typename => Value::String(self.stream.type_name.to_owned()),
            };
            item.insert(key.clone(), value);
        }
        let mut data = IndexMap::with_capacity(1);
        data.insert(self.key.clone(), Value::Object(item));
        Response::new(Value::Object(data))
    }

    /// The answer ending the subscription with `error`, as the executor words it.
    fn failure(&self, error: async_graphql::Error) -> Response {
        let error = error
            .into_server_error(self.pos)
            .with_path(vec![PathSegment::Field(self.key.to_string())]);
        Response::from_errors(vec![error])
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::Event;

    fn plan_of(query: &str, variables: serde_json::Value) -> Option<Plan> {
        let document = async_graphql::parser::parse_query(query).unwrap();
        plan(&document, None, &Variables::from_json(variables))
    }

    const ID: &str = "0192f7a0-0000-7000-8000-000000000001";

    #[test]
    fn the_plain_form_is_planned_and_every_other_goes_to_the_executor() {
        let plain = plan_of(
            "subscription($id: ID) { o: opportunityChanged(id: $id) { id v: version __typename } }",
            serde_json::json!({ "id": ID }),
        )
        .expect("the plain form is planned");
        assert_eq!(plain.stream.field, "opportunityChanged");
        assert_eq!(plain.only, Some(Uuid::parse_str(ID).unwrap()));
        assert_eq!(plain.key.as_str(), "o");
        assert_eq!(
            plain.leaves,
            vec![
                (Name::new("id"), Leaf::Id),
                (Name::new("v"), Leaf::Version),
                (Name::new("__typename"), Leaf::Typename),
            ]
        );
        let literal = format!("subscription {{ leadChanged(id: \"{ID}\") {{ kind action }} }}");
        assert!(plan_of(&literal, serde_json::json!({})).is_some());
        assert!(
            plan_of(
                "subscription { customerChanged { id } }",
                serde_json::json!({})
            )
            .is_some()
        );
        assert!(
            plan_of(
                "subscription($id: ID) { activityChanged(id: $id) { id } }",
                serde_json::json!({})
            )
            .is_some_and(|p| p.only.is_none()),
            "a nullable variable left out means every row"
        );
        for (query, variables) in [
            // Not a change stream, or not a subscription.
            (
                "subscription { notificationReceived { id } }",
                serde_json::json!({}),
            ),
            ("query { leadChanged { id } }", serde_json::json!({})),
            // Fragments, directives, unknown or nested fields, repeated keys.
            (
                "subscription { leadChanged { ...F } } fragment F on LeadChange { id }",
                serde_json::json!({}),
            ),
            (
                "subscription { leadChanged { id @include(if: true) } }",
                serde_json::json!({}),
            ),
            (
                "subscription { leadChanged { id title } }",
                serde_json::json!({}),
            ),
            (
                "subscription { leadChanged { id id } }",
                serde_json::json!({}),
            ),
            (
                "subscription { leadChanged { a: id a: kind } }",
                serde_json::json!({}),
            ),
            (
                "subscription { leadChanged { id } leadChanged { id } }",
                serde_json::json!({}),
            ),
            // Arguments and variables the executor must judge.
            (
                "subscription { leadChanged(id: \"nope\") { id } }",
                serde_json::json!({}),
            ),
            (
                "subscription { leadChanged(id: 7) { id } }",
                serde_json::json!({}),
            ),
            (
                "subscription { leadChanged(other: 1) { id } }",
                serde_json::json!({}),
            ),
            (
                "subscription($id: ID!) { leadChanged(id: $id) { id } }",
                serde_json::json!({}),
            ),
            (
                "subscription($id: String) { leadChanged(id: $id) { id } }",
                serde_json::json!({ "id": ID }),
            ),
            (
                "subscription($id: ID, $x: Int) { leadChanged(id: $id) { id } }",
                serde_json::json!({ "id": ID }),
            ),
            (
                "subscription($x: Int) { leadChanged { id } }",
                serde_json::json!({}),
            ),
        ] {
            assert!(plan_of(query, variables).is_none(), "planned: {query}");
        }
    }

    #[test]
    fn the_change_streams_are_the_schemas_and_their_types_have_the_planned_leaves() {
        use async_graphql::parser::types::{TypeKind, TypeSystemDefinition};
        let sdl = async_graphql::parser::parse_schema(crate::graphql::sdl()).unwrap();
        // Each object type's fields, with their types.
        let objects: std::collections::HashMap<String, Vec<(String, String)>> = sdl
            .definitions
            .iter()
            .filter_map(|d| match d {
                TypeSystemDefinition::Type(t) => match &t.node.kind {
                    TypeKind::Object(o) => Some((
                        t.node.name.node.to_string(),
                        o.fields
                            .iter()
                            .map(|f| (f.node.name.node.to_string(), f.node.ty.node.to_string()))
                            .collect(),
                    )),
                    _ => None,
                },
                _ => None,
            })
            .collect();
        let mut planned = 0;
        for (field, ty) in &objects["SubscriptionRoot"] {
            if !field.ends_with("Changed") {
                continue;
            }
            let document = format!("subscription {{ {field} {{ id }} }}");
            let plan = plan_of(&document, serde_json::json!({})).expect(field);
            assert_eq!(*ty, format!("{}!", plan.stream.type_name), "{field}");
            let leaves: Vec<&str> = objects[plan.stream.type_name]
                .iter()
                .map(|(name, _)| name.as_str())
                .collect();
            assert_eq!(leaves, ["id", "kind", "action", "version"], "{field}");
            planned += 1;
        }
        assert_eq!(planned, CHANGE_STREAMS.len());
    }

    #[test]
    fn an_answer_has_the_selected_keys_in_order_and_errors_name_the_field() {
        let plan = plan_of(
            "subscription { changed: customerChanged { t: __typename version kind id action } }",
            serde_json::json!({}),
        )
        .unwrap();
        let event = Event {
            seq: 1,
            entity: "customer".into(),
            id: Uuid::parse_str(ID).unwrap(),
            kind: "archive".into(),
            version: Some(4),
            audience: vec![],
            at: chrono::Utc::now(),
        };
        let answer = serde_json::to_string(&plan.answer(&Change::of(&event))).unwrap();
        assert_eq!(
            answer,
            format!(
                r#"{{"data":{{"changed":{{"t":"CustomerChange","version":4,"kind":"UPDATED","id":"{ID}","action":"archive"}}}}}}"#
            )
        );
        let failure = serde_json::to_value(plan.failure(fell_behind())).unwrap();
        assert_eq!(failure["data"], serde_json::Value::Null);
        assert_eq!(failure["errors"][0]["path"], serde_json::json!(["changed"]));
        assert_eq!(
            failure["errors"][0]["locations"],
            serde_json::json!([{ "line": 1, "column": 16 }])
        );
        assert_eq!(failure["errors"][0]["extensions"]["code"], "RATE_LIMITED");
    }
}
