//! Query shape limits, checked on the parsed document before async-graphql sees it.
//!
//! Every limit is computed on the *expanded* operation: a fragment spread counts what the
//! fragment selects, as often as it is spread. Fragments that each spread the next twice grow
//! as 2^n while the document grows as n (SECURITY.md trap 13), so counting per definition
//! would let a 1 KB document make validation walk millions of fields. The walk here memoizes
//! each fragment's totals (with saturating sums), so its cost is linear in the document,
//! whatever the expansion; a document over a limit is refused before async-graphql's own
//! checks, which do expand fragments, ever run.
//!
//! Introspection subtrees (`__schema`, `__type`) are exempt from the ordinary depth and field
//! limits so GraphiQL works, but every selection, introspection included, counts towards
//! [`MAX_SELECTIONS`], the bound on validation work. Introspection's own cost is bounded too:
//! one `__schema` per operation, and list fields (`types`, `fields`, `args`…) nested at most
//! [`MAX_INTROSPECTION_LISTS`] deep, since `types { fields { type { fields … } } }` multiplies
//! the schema's size at every level (graphql-js bounds it the same way).

use std::collections::HashMap;

use async_graphql::Name;
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};

/// Depth allowed inside `__schema`/`__type` (GraphiQL's introspection query needs about 15).
pub const INTROSPECTION_DEPTH: usize = 20;

/// Most selections (fields, fragment spreads and inline fragments, introspection included) in
/// the expansion of any operation or fragment. GraphiQL's introspection query expands to
/// about 600.
pub const MAX_SELECTIONS: u64 = 5_000;

/// Deepest nesting of introspection list fields; GraphiQL's query needs 3
/// (`types { fields { args } } }`).
pub const MAX_INTROSPECTION_LISTS: usize = 3;

/// Introspection fields that answer lists.
const INTROSPECTION_LISTS: [&str; 8] = [
    "types",
    "fields",
    "args",
    "inputFields",
    "interfaces",
    "possibleTypes",
    "enumValues",
    "directives",
];

/// The configured limits.
#[derive(Clone, Copy, Debug)]
pub struct QueryLimits {
    /// Deepest nesting of ordinary fields.
    pub max_depth: usize,
    /// Most aliases in the expanded operation.
    pub max_aliases: usize,
    /// Most ordinary field selections in the expanded operation.
    pub max_fields: usize,
}

impl QueryLimits {
    /// Checks `doc`; the error is a message for the client.
    pub fn check(&self, doc: &ExecutableDocument) -> Result<Shape, String> {
        let mut walker = Expansion {
            doc,
            memo: HashMap::new(),
            in_progress: Vec::new(),
        };
        let operations: Vec<&SelectionSet> = match &doc.operations {
            DocumentOperations::Single(op) => vec![&op.node.selection_set.node],
            DocumentOperations::Multiple(ops) => {
                ops.values().map(|op| &op.node.selection_set.node).collect()
            }
        };
        let mut shape = Shape::default();
        for set in operations {
            let totals = walker.walk(set, false)?;
            self.check_totals(totals)?;
            shape.introspection |= totals.introspection_roots > 0;
        }
        // Fragments no operation uses are still walked by validation. A fragment on an
        // introspection type (`__Type`, `__InputValue`…) selects introspection fields. They are
        // walked in document order, so the same document always gets the same answer.
        let mut fragments: Vec<_> = doc.fragments.values().collect();
        fragments.sort_by_key(|f| (f.pos.line, f.pos.column));
        for fragment in fragments {
            let on = fragment.node.type_condition.node.on.node.as_str();
            let totals = walker.walk(&fragment.node.selection_set.node, on.starts_with("__"))?;
            self.check_totals(totals)?;
        }
        Ok(shape)
    }

    fn check_totals(&self, totals: Totals) -> Result<(), String> {
        if totals.schemas > 1 {
            return Err("select `__schema` at most once per operation".into());
        }
        if totals.introspection_lists > MAX_INTROSPECTION_LISTS {
            return Err(format!(
                "introspection lists nest {} deep; at most {MAX_INTROSPECTION_LISTS} are allowed",
                totals.introspection_lists
            ));
        }
        if totals.selections > MAX_SELECTIONS {
            return Err(format!(
                "the query expands to more than {MAX_SELECTIONS} selections"
            ));
        }
        if totals.aliases > self.max_aliases as u64 {
            return Err(format!(
                "the query has {} aliases; at most {} are allowed",
                totals.aliases, self.max_aliases
            ));
        }
        if totals.fields > self.max_fields as u64 {
            return Err(format!(
                "the query selects {} fields; at most {} are allowed",
                totals.fields, self.max_fields
            ));
        }
        if totals.depth > self.max_depth {
            return Err(format!(
                "the query nests {} levels deep; at most {} are allowed",
                totals.depth, self.max_depth
            ));
        }
        Ok(())
    }
}

/// What an admitted document does, as far as its cost is concerned.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Shape {
    /// An operation selects `__schema` or `__type` (directly or through fragments).
    pub introspection: bool,
}

/// What a selection set expands to. Sums saturate, so a fragment bomb reads as `u64::MAX`.
#[derive(Clone, Copy, Debug, Default)]
struct Totals {
    /// Deepest nesting of ordinary fields.
    depth: usize,
    /// Ordinary field selections.
    fields: u64,
    /// Aliased fields, introspection included.
    aliases: u64,
    /// Every selection, introspection included.
    selections: u64,
    /// `__schema` selections.
    schemas: u64,
    /// `__schema` and `__type` selections outside introspection.
    introspection_roots: u64,
    /// Deepest nesting of introspection list fields.
    introspection_lists: usize,
}

impl Totals {
    fn absorb(&mut self, other: Totals) {
        self.depth = self.depth.max(other.depth);
        self.fields = self.fields.saturating_add(other.fields);
        self.aliases = self.aliases.saturating_add(other.aliases);
        self.selections = self.selections.saturating_add(other.selections);
        self.schemas = self.schemas.saturating_add(other.schemas);
        self.introspection_roots = self
            .introspection_roots
            .saturating_add(other.introspection_roots);
        self.introspection_lists = self.introspection_lists.max(other.introspection_lists);
    }
}

struct Expansion<'a> {
    doc: &'a ExecutableDocument,
    /// (fragment, inside introspection) → its totals, so each fragment is walked once.
    memo: HashMap<(&'a Name, bool), Totals>,
    /// Fragments being walked, to detect cycles.
    in_progress: Vec<&'a Name>,
}

impl<'a> Expansion<'a> {
    fn walk(&mut self, set: &'a SelectionSet, introspection: bool) -> Result<Totals, String> {
        let mut totals = Totals::default();
        for item in &set.items {
            let mut item_totals = match &item.node {
                Selection::Field(f) => {
                    let name = f.node.name.node.as_str();
                    let entering = introspection || name == "__schema" || name == "__type";
                    let mut below = self.walk(&f.node.selection_set.node, entering)?;
                    below.aliases = below
                        .aliases
                        .saturating_add(u64::from(f.node.alias.is_some()));
                    if entering {
                        below.depth = 0;
                        below.schemas = below.schemas.saturating_add(u64::from(name == "__schema"));
                        below.introspection_roots = below
                            .introspection_roots
                            .saturating_add(u64::from(!introspection));
                        if introspection && INTROSPECTION_LISTS.contains(&name) {
                            below.introspection_lists += 1;
                        }
                    } else {
                        below.depth += 1;
                        below.fields = below.fields.saturating_add(1);
                    }
                    below
                }
                Selection::InlineFragment(f) => {
                    self.walk(&f.node.selection_set.node, introspection)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if let Some(totals) = self.memo.get(&(name, introspection)) {
                        *totals
                    } else if self.in_progress.contains(&name) {
                        return Err(format!("fragment `{name}` spreads itself"));
                    } else if let Some(fragment) = self.doc.fragments.get(name) {
                        self.in_progress.push(name);
                        let totals = self.walk(&fragment.node.selection_set.node, introspection)?;
                        self.in_progress.pop();
                        self.memo.insert((name, introspection), totals);
                        totals
                    } else {
                        Totals::default() // unknown fragment: validation reports it
                    }
                }
            };
            item_totals.selections = item_totals.selections.saturating_add(1);
            totals.absorb(item_totals);
        }
        Ok(totals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMITS: QueryLimits = QueryLimits {
        max_depth: 10,
        max_aliases: 50,
        max_fields: 300,
    };

    fn check(query: &str) -> Result<Shape, String> {
        LIMITS.check(&async_graphql::parser::parse_query(query).unwrap())
    }

    fn nested(depth: usize) -> String {
        format!(
            "{{{}{}}}",
            "a { ".repeat(depth - 1) + "b",
            " }".repeat(depth - 1)
        )
    }

    #[test]
    fn depth_ten_passes_and_eleven_to_fifty_fail() {
        assert!(check(&nested(10)).is_ok());
        for depth in 11..=50 {
            let err = check(&nested(depth)).unwrap_err();
            assert!(err.contains(&depth.to_string()), "{err}");
        }
    }

    #[test]
    fn depth_counts_through_fragments() {
        let q = "{ a { ...F } } fragment F on T { a { a { a { a { a { a { a { a { a { b } } } } } } } } } }";
        assert!(check(q).unwrap_err().contains("11"));
    }

    #[test]
    fn introspection_is_not_held_to_the_ordinary_depth() {
        let inner = "ofType { ".repeat(15) + "name" + &" }".repeat(15);
        let q = format!("{{ __schema {{ types {{ {inner} }} }} }}");
        assert!(check(&q).is_ok());
    }

    #[test]
    fn too_many_aliases_or_fields_fail() {
        let aliases: String = (0..101).map(|i| format!("a{i}: me ")).collect();
        assert!(
            check(&format!("{{ {aliases} }}"))
                .unwrap_err()
                .contains("101 aliases")
        );
        let fields = "me ".repeat(500);
        assert!(
            check(&format!("{{ {fields} }}"))
                .unwrap_err()
                .contains("500 fields")
        );
    }

    #[test]
    fn fragment_cycles_fail_without_looping() {
        let q = "{ ...A } fragment A on Q { ...B } fragment B on Q { ...A }";
        assert!(check(q).unwrap_err().contains("spreads itself"));
    }

    fn bomb(levels: usize, root: &str) -> String {
        let mut q = format!("{{ {root} }}");
        for i in 0..levels {
            q.push_str(&format!(
                " fragment F{i} on Q {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        q.push_str(&format!(" fragment F{levels} on Q {{ a }}"));
        q
    }

    #[test]
    fn a_fragment_bomb_is_refused_on_its_expansion_in_linear_time() {
        let started = std::time::Instant::now();
        for root in ["...F0", "__schema { ...F0 }", "a { ...F0 }"] {
            let err = check(&bomb(60, root)).unwrap_err();
            assert!(err.contains("more than 5000 selections"), "{err}");
        }
        // Unused fragments are walked by validation too.
        let err = check(&bomb(60, "me")).unwrap_err();
        assert!(err.contains("5000"), "{err}");
        assert!(started.elapsed() < std::time::Duration::from_secs(1));
    }

    #[test]
    fn fragments_on_introspection_types_are_held_to_the_introspection_bounds() {
        let type_ref = "kind name ".to_owned() + &"ofType { kind name ".repeat(9) + &"}".repeat(9);
        let q = format!(
            "{{ __schema {{ types {{ ...T }} }} }} fragment T on __Type {{ fields {{ type {{ ...R }} }} }} fragment R on __Type {{ {type_ref} }}"
        );
        assert!(check(&q).unwrap().introspection);
    }

    #[test]
    fn introspection_is_recognised_through_fragments() {
        assert!(!check("{ a { b } }").unwrap().introspection);
        assert!(!check("{ __typename }").unwrap().introspection);
        assert!(
            check("{ a __type(name: \"Q\") { name } }")
                .unwrap()
                .introspection
        );
        let q = "{ ...F } fragment F on Q { ... on Q { __schema { types { name } } } }";
        assert!(check(q).unwrap().introspection);
    }

    #[test]
    fn introspection_is_bounded_by_list_nesting_and_one_schema() {
        assert!(check("{ __schema { types { fields { args { name } } } } }").is_ok());
        assert!(check("{ __schema { directives { args { name } } } }").is_ok());
        let err = check(
            "{ __schema { types { fields { type { fields { type { fields { name } } } } } } } }",
        )
        .unwrap_err();
        assert!(err.contains("nest 4 deep"), "{err}");
        let err = check("{ __type(name: \"Q\") { fields { type { fields { type { fields { type { fields { name } } } } } } } } }")
            .unwrap_err();
        assert!(err.contains("nest 4 deep"), "{err}");
        let err =
            check("{ a: __schema { types { name } } b: __schema { types { name } } }").unwrap_err();
        assert!(err.contains("at most once"), "{err}");
        // Through fragments as well.
        let err = check("{ __schema { ...T } } fragment T on S { types { fields { type { fields { type { fields { name } } } } } } }")
            .unwrap_err();
        assert!(err.contains("nest 4 deep"), "{err}");
    }

    #[test]
    fn fields_and_aliases_count_each_time_a_fragment_is_spread() {
        let q = format!(
            "{{ ...F ...F ...F }} fragment F on Q {{ {} }}",
            (0..101).map(|i| format!("f{i}: me ")).collect::<String>()
        );
        assert!(check(&q).unwrap_err().contains("303 aliases"));
        let q = format!(
            "{{ a {{ ...F }} b {{ ...F }} }} fragment F on Q {{ {} }}",
            "me ".repeat(150)
        );
        assert!(check(&q).unwrap_err().contains("302 fields"));
    }
}
