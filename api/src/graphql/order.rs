//! Response keys in selection order (GraphQL spec, "Serialized Map Ordering").
//!
//! async-graphql 7.2 resolves the fields of an object concurrently and inserts each result into
//! the response map *as it completes* (`do_resolve_container` drains a `FuturesUnordered`), so a
//! field that waits on the database lands after one that does not, and the order of keys changes
//! from one identical request to the next. After execution, `handler::run` puts every object's
//! keys back in the order of `CollectFields`, from the document admission parsed: first
//! occurrence of each response key (alias or name), with fragment spreads and inline fragments
//! expanded where they stand.
//!
//! Type conditions are not consulted: the schema has no interfaces or unions, so every fragment
//! that validation accepts applies to the object it is spread on (a unit test fails when an
//! interface or union appears, as a reminder to honour them here).

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, Value};

/// Puts the keys of every object in `data` in the selection order of the operation that
/// produced it.
pub fn order_response(
    document: &ExecutableDocument,
    operation_name: Option<&str>,
    data: &mut Value,
) {
    let operation = match (&document.operations, operation_name) {
        (DocumentOperations::Single(op), _) => &op.node,
        (DocumentOperations::Multiple(ops), Some(name)) => match ops.get(name) {
            Some(op) => &op.node,
            None => return,
        },
        (DocumentOperations::Multiple(ops), None) if ops.len() == 1 => match ops.values().next() {
            Some(op) => &op.node,
            None => return,
        },
        (DocumentOperations::Multiple(_), None) => return,
    };
    Orderer {
        document,
        memo: HashMap::new(),
    }
    .reorder(&[&operation.selection_set.node], data);
}

/// The response keys of `sets` in first-occurrence order, each with the selection sets of the
/// fields answering it (a key selected twice merges both sub-selections).
type Grouped<'a> = Vec<(&'a Name, Vec<&'a SelectionSet>)>;

/// One answer's reordering. The grouping of a selection is computed once and shared by every
/// object it answers (a page of 100 rows groups each nested selection once, not 100 times),
/// and an object whose keys are in order already is left as it is.
struct Orderer<'a> {
    document: &'a ExecutableDocument,
    /// Groupings by the addresses of the selection sets they merge.
    memo: HashMap<Vec<usize>, Rc<Grouped<'a>>>,
}

impl<'a> Orderer<'a> {
    fn reorder(&mut self, sets: &[&'a SelectionSet], value: &mut Value) {
        if sets.iter().all(|s| s.items.is_empty()) {
            // A leaf (scalar, enum, or a scalar whose value is an object): nothing to order.
            return;
        }
        let key: Vec<usize> = sets
            .iter()
            .map(|s| std::ptr::from_ref::<SelectionSet>(s) as usize)
            .collect();
        let grouped = match self.memo.get(&key) {
            Some(grouped) => grouped.clone(),
            None => {
                let grouped = Rc::new(group(self.document, sets));
                self.memo.insert(key, grouped.clone());
                grouped
            }
        };
        self.apply(&grouped, value);
    }

    fn apply(&mut self, grouped: &Grouped<'a>, value: &mut Value) {
        match value {
            Value::List(items) => {
                for item in items {
                    self.apply(grouped, item);
                }
            }
            Value::Object(map) => {
                for (key, child) in map.iter_mut() {
                    if let Some((_, subsets)) = grouped.iter().find(|(k, _)| *k == key) {
                        self.reorder(subsets, child);
                    }
                }
                // Keys missing from the selection (there should be none) go last.
                let rank = |key: &Name| {
                    grouped
                        .iter()
                        .position(|(k, _)| *k == key)
                        .unwrap_or(usize::MAX)
                };
                if !map.keys().map(rank).is_sorted() {
                    map.sort_by(|a, _, b, _| rank(a).cmp(&rank(b)));
                }
            }
            _ => {}
        }
    }
}

fn group<'a>(document: &'a ExecutableDocument, sets: &[&'a SelectionSet]) -> Grouped<'a> {
    let mut grouped: Grouped<'a> = Vec::new();
    // Spreading a fragment again adds no new key, so each is expanded once (the spec's
    // `visitedFragments`); this also keeps the walk linear in the document.
    let mut visited: HashSet<&'a Name> = HashSet::new();
    for set in sets {
        collect(document, set, &mut grouped, &mut visited);
    }
    grouped
}

fn collect<'a>(
    document: &'a ExecutableDocument,
    set: &'a SelectionSet,
    grouped: &mut Grouped<'a>,
    visited: &mut HashSet<&'a Name>,
) {
    for selection in &set.items {
        match &selection.node {
            Selection::Field(field) => {
                let key = &field.node.response_key().node;
                let sub = &field.node.selection_set.node;
                match grouped.iter_mut().find(|(k, _)| *k == key) {
                    Some((_, subsets)) => subsets.push(sub),
                    None => grouped.push((key, vec![sub])),
                }
            }
            Selection::FragmentSpread(spread) => {
                let name = &spread.node.fragment_name.node;
                if visited.insert(name)
                    && let Some(fragment) = document.fragments.get(name)
                {
                    collect(
                        document,
                        &fragment.node.selection_set.node,
                        grouped,
                        visited,
                    );
                }
            }
            Selection::InlineFragment(inline) => {
                collect(document, &inline.node.selection_set.node, grouped, visited);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(value: &Value) -> Vec<String> {
        match value {
            Value::Object(map) => map.keys().map(|k| k.to_string()).collect(),
            _ => Vec::new(),
        }
    }

    fn object(pairs: Vec<(&str, Value)>) -> Value {
        Value::Object(pairs.into_iter().map(|(k, v)| (Name::new(k), v)).collect())
    }

    #[test]
    fn keys_follow_the_selection_with_aliases_fragments_and_lists() {
        let doc = async_graphql::parser::parse_query(
            "query Q { z: me { ...U id } a { ... { y x } } } fragment U on User { name email }",
        )
        .unwrap();
        let mut data = object(vec![
            (
                "a",
                Value::List(vec![
                    object(vec![("x", Value::from(1)), ("y", Value::from(2))]),
                    object(vec![("x", Value::from(3)), ("y", Value::from(4))]),
                ]),
            ),
            (
                "z",
                object(vec![
                    ("id", Value::from("1")),
                    ("email", Value::from("e")),
                    ("name", Value::from("n")),
                ]),
            ),
        ]);
        order_response(&doc, Some("Q"), &mut data);
        assert_eq!(keys(&data), ["z", "a"]);
        let Value::Object(map) = &data else { panic!() };
        assert_eq!(keys(&map["z"]), ["name", "email", "id"]);
        let Value::List(items) = &map["a"] else {
            panic!()
        };
        assert!(items.iter().all(|i| keys(i) == ["y", "x"]));
    }

    #[test]
    fn the_schema_has_no_interfaces_or_unions_whose_type_conditions_would_matter() {
        let sdl = crate::graphql::sdl();
        assert!(
            !sdl.lines()
                .any(|l| l.starts_with("interface ") || l.starts_with("union ")),
            "an interface or union appeared: make graphql/order.rs honour type conditions"
        );
    }
}
