//! Query shape limits, checked right after parsing, before validation and before any resolver.
//!
//! async-graphql has depth, complexity and directive limits but no alias or field-count limit,
//! and its depth limit counts introspection fields, which would refuse GraphiQL's own schema
//! query at any depth limit that still stops abuse. So this extension checks, on the parsed
//! document: aliases, field selections, and the depth of ordinary fields (introspection
//! subtrees are bounded separately by the schema's backstop depth limit). It also refuses
//! fragment cycles here, because the depth walk follows fragment spreads.

use std::collections::HashMap;
use std::sync::Arc;

use async_graphql::extensions::{Extension, ExtensionContext, ExtensionFactory, NextParseQuery};
use async_graphql::parser::types::{
    DocumentOperations, ExecutableDocument, Selection, SelectionSet,
};
use async_graphql::{Name, ServerError, ServerResult, Variables};

/// Depth allowed inside `__schema`/`__type` (GraphiQL's introspection query needs about 15).
pub const INTROSPECTION_DEPTH: usize = 20;

/// The configured limits.
#[derive(Clone, Copy, Debug)]
pub struct QueryLimits {
    /// Deepest nesting of ordinary fields.
    pub max_depth: usize,
    /// Most aliases in the document.
    pub max_aliases: usize,
    /// Most field selections in the document.
    pub max_fields: usize,
}

impl ExtensionFactory for QueryLimits {
    fn create(&self) -> Arc<dyn Extension> {
        Arc::new(*self)
    }
}

#[async_trait::async_trait]
impl Extension for QueryLimits {
    async fn parse_query(
        &self,
        ctx: &ExtensionContext<'_>,
        query: &str,
        variables: &Variables,
        next: NextParseQuery<'_>,
    ) -> ServerResult<ExecutableDocument> {
        let doc = next.run(ctx, query, variables).await?;
        self.check(&doc).map_err(|message| {
            let mut err = ServerError::new(message, None);
            let mut ext = async_graphql::ErrorExtensionValues::default();
            ext.set("code", "VALIDATION");
            err.extensions = Some(ext);
            err
        })?;
        Ok(doc)
    }
}

impl QueryLimits {
    /// Checks `doc`; the error is a message for the client.
    pub fn check(&self, doc: &ExecutableDocument) -> Result<(), String> {
        let mut counts = Counts::default();
        let operations: Vec<&SelectionSet> = match &doc.operations {
            DocumentOperations::Single(op) => vec![&op.node.selection_set.node],
            DocumentOperations::Multiple(ops) => {
                ops.values().map(|op| &op.node.selection_set.node).collect()
            }
        };
        for set in &operations {
            counts.add(set);
        }
        for fragment in doc.fragments.values() {
            counts.add(&fragment.node.selection_set.node);
        }
        if counts.aliases > self.max_aliases {
            return Err(format!(
                "the query has {} aliases; at most {} are allowed",
                counts.aliases, self.max_aliases
            ));
        }
        if counts.fields > self.max_fields {
            return Err(format!(
                "the query selects {} fields; at most {} are allowed",
                counts.fields, self.max_fields
            ));
        }
        let mut walker = DepthWalker {
            doc,
            memo: HashMap::new(),
            in_progress: Vec::new(),
        };
        for set in operations {
            let depth = walker.depth(set, false)?;
            if depth > self.max_depth {
                return Err(format!(
                    "the query nests {depth} levels deep; at most {} are allowed",
                    self.max_depth
                ));
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct Counts {
    aliases: usize,
    fields: usize,
}

impl Counts {
    /// Counts the selections written in `set` (fragment spreads are counted where defined).
    fn add(&mut self, set: &SelectionSet) {
        for item in &set.items {
            match &item.node {
                Selection::Field(f) => {
                    self.fields += 1;
                    self.aliases += usize::from(f.node.alias.is_some());
                    self.add(&f.node.selection_set.node);
                }
                Selection::InlineFragment(f) => self.add(&f.node.selection_set.node),
                Selection::FragmentSpread(_) => {}
            }
        }
    }
}

struct DepthWalker<'a> {
    doc: &'a ExecutableDocument,
    /// (fragment, inside introspection) → depth, so a fragment spread many times is walked once.
    memo: HashMap<(&'a Name, bool), usize>,
    /// Fragments being walked, to detect cycles.
    in_progress: Vec<&'a Name>,
}

impl<'a> DepthWalker<'a> {
    /// Depth of ordinary fields below `set`.
    fn depth(&mut self, set: &'a SelectionSet, introspection: bool) -> Result<usize, String> {
        let mut deepest = 0;
        for item in &set.items {
            let depth = match &item.node {
                Selection::Field(f) => {
                    let name = f.node.name.node.as_str();
                    let entering = introspection || name == "__schema" || name == "__type";
                    let below = self.depth(&f.node.selection_set.node, entering)?;
                    if entering { 0 } else { 1 + below }
                }
                Selection::InlineFragment(f) => {
                    self.depth(&f.node.selection_set.node, introspection)?
                }
                Selection::FragmentSpread(spread) => {
                    let name = &spread.node.fragment_name.node;
                    if let Some(depth) = self.memo.get(&(name, introspection)) {
                        *depth
                    } else if self.in_progress.contains(&name) {
                        return Err(format!("fragment `{name}` spreads itself"));
                    } else if let Some(fragment) = self.doc.fragments.get(name) {
                        self.in_progress.push(name);
                        let depth = self.depth(&fragment.node.selection_set.node, introspection)?;
                        self.in_progress.pop();
                        self.memo.insert((name, introspection), depth);
                        depth
                    } else {
                        0 // unknown fragment: validation reports it
                    }
                }
            };
            deepest = deepest.max(depth);
        }
        Ok(deepest)
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

    fn check(query: &str) -> Result<(), String> {
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

    #[test]
    fn a_fragment_bomb_is_walked_in_linear_time() {
        let mut q = String::from("{ ...F0 }");
        for i in 0..40 {
            q.push_str(&format!(
                " fragment F{i} on Q {{ ...F{} ...F{} }}",
                i + 1,
                i + 1
            ));
        }
        q.push_str(" fragment F40 on Q { a }");
        assert!(check(&q).is_ok());
    }
}
