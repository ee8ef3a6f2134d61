//! Admission: what every GraphQL request must pass before the schema sees it, on HTTP and
//! WebSocket alike. In order, each step bounded by the size of the document:
//!
//! 1. [`check_nesting`]: a byte scan that counts bracket and brace depth outside strings, block
//!    strings and comments. async-graphql's parser recurses without a bound on list and object
//!    values (SECURITY.md trap 12): ~1,800 levels in a 4 KB document overflow the stack and
//!    abort the process, and `limit_recursive_depth` only runs after parsing. So the parser
//!    never sees a document nested deeper than [`MAX_NESTING`].
//! 2. Parsing, once; the document is handed to async-graphql already parsed.
//! 3. [`QueryLimits::check`]: aliases, fields, depth and total selections on the expanded
//!    operation (fragment bombs, trap 13).
//! 4. [`check_variable_types`]: every variable's type names a type of the schema.
//!    async-graphql 7.2.1 panics in validation on `query($v: [Unknown] = [1])` (its
//!    `DefaultValuesOfCorrectType` rule checks only non-list types), found by the fuzz target.
//! 5. [`inputs::check`]: every string argument, literal or variable, against the input rules.
//!
//! A refusal is a `VALIDATION` error, and no resolver or SQL statement has run.
//!
//! Clients send the same few documents over and over with other variables, so a document
//! admitted once is remembered by its text ([`Documents`]): the next request with the same text
//! skips steps 1 to 4 (parsing was an eighth of a one-row read's CPU time) and runs only step
//! 5, whose variables change from request to request.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use async_graphql::parser::types::{BaseType, ExecutableDocument};
use async_graphql::{ErrorExtensionValues, Request, ServerError};

use crate::config::GraphqlSettings;
use crate::error::AppError;
use crate::graphql::inputs;
use crate::graphql::limits::{QueryLimits, Shape};
use crate::state::AppState;
use tokio::sync::OwnedSemaphorePermit;

/// Deepest nesting of `{`, `[` and `(` in a document. Ten levels of fields plus arguments with
/// nested input objects and lists need about 16; GraphiQL's introspection query needs 13.
pub const MAX_NESTING: usize = 32;

/// Documents longer than this are parsed in the heavy lane.
pub const HEAVY_DOCUMENT: usize = 64 * 1024;

/// Documents longer than this are not remembered by [`Documents`].
pub const CACHED_DOCUMENT_BYTES: usize = 16 * 1024;

/// How many documents [`Documents`] remembers; past it, it starts over (a client sending
/// ever new documents costs the parsing it would have cost anyway, and at most
/// `CACHED_DOCUMENTS × CACHED_DOCUMENT_BYTES` of text, 8 MiB, plus their parsed form).
pub const CACHED_DOCUMENTS: usize = 512;

/// An admitted document: parsed, within the limits, with variables of known types.
#[derive(Clone, Debug)]
pub struct Admitted {
    /// The parsed document (also attached to the request).
    pub document: Arc<ExecutableDocument>,
    /// What the limits found in it.
    pub shape: Shape,
}

/// Documents admitted before, by their text (see the module header).
#[derive(Default)]
pub struct Documents {
    admitted: Mutex<HashMap<String, Admitted>>,
}

impl Documents {
    fn get(&self, text: &str) -> Option<Admitted> {
        if text.len() > CACHED_DOCUMENT_BYTES {
            return None;
        }
        let map = self.admitted.lock().unwrap_or_else(PoisonError::into_inner);
        map.get(text).cloned()
    }

    fn put(&self, text: &str, admitted: &Admitted) {
        if text.len() > CACHED_DOCUMENT_BYTES {
            return;
        }
        let mut map = self.admitted.lock().unwrap_or_else(PoisonError::into_inner);
        if map.len() >= CACHED_DOCUMENTS {
            map.clear();
        }
        map.insert(text.to_owned(), admitted.clone());
    }
}

/// What [`admit_in_lane`] lets through: the document, and the request's place in the heavy
/// lane if it needs one (hold it until the request is answered).
pub struct Admission {
    /// The parsed document.
    pub document: Arc<ExecutableDocument>,
    /// The heavy lane's permit.
    pub lane: Option<OwnedSemaphorePermit>,
}

/// [`admit`], with the request's place in the heavy lane when it needs one: a document over
/// [`HEAVY_DOCUMENT`] (parsing it costs milliseconds) or an introspection operation (answering
/// one costs about 10 ms in one go). The lane has one permit fewer than the machine has cores,
/// so however many such requests arrive, one core keeps serving everything else (`/health`,
/// signed-in work).
pub async fn admit_in_lane(
    state: &AppState,
    request: &mut Request,
) -> Result<Admission, ServerError> {
    let lane = || async {
        state
            .heavy_lane()
            .clone()
            .acquire_owned()
            .await
            .map_err(|_| AppError::Internal("the heavy lane is closed".into()).to_server_error())
    };
    let mut permit = None;
    if request.query.len() > HEAVY_DOCUMENT {
        permit = Some(lane().await?);
    }
    let admitted = admit(request, &state.settings().graphql, Some(state.documents()))?;
    if admitted.shape.introspection && permit.is_none() {
        permit = Some(lane().await?);
    }
    Ok(Admission {
        document: admitted.document,
        lane: permit,
    })
}

/// Checks `request` and attaches its parsed document; the error is the answer to send. With
/// `documents`, a text admitted before is not parsed or checked again, only its inputs.
pub fn admit(
    request: &mut Request,
    settings: &GraphqlSettings,
    documents: Option<&Documents>,
) -> Result<Admitted, ServerError> {
    let cached = documents.and_then(|d| d.get(&request.query));
    let was_cached = cached.is_some();
    let admitted = match cached {
        Some(admitted) => admitted,
        None => {
            check_nesting(&request.query, MAX_NESTING).map_err(refusal)?;
            let document = async_graphql::parser::parse_query(&request.query)
                .map_err(|e| refusal(e.to_string()))?;
            let shape = QueryLimits::from(settings)
                .check(&document)
                .map_err(refusal)?;
            check_variable_types(&document).map_err(refusal)?;
            Admitted {
                document: Arc::new(document),
                shape,
            }
        }
    };
    inputs::check(&admitted.document, &request.variables).map_err(|e| e.to_server_error())?;
    if let Some(documents) = documents
        && !was_cached
    {
        documents.put(&request.query, &admitted);
    }
    request.set_parsed_query(ExecutableDocument::clone(&admitted.document));
    Ok(admitted)
}

impl From<&GraphqlSettings> for QueryLimits {
    fn from(settings: &GraphqlSettings) -> Self {
        Self {
            max_depth: settings.max_depth,
            max_aliases: settings.max_aliases,
            max_fields: settings.max_fields,
        }
    }
}

/// Refuses a variable whose type (inside any list and non-null wrappers) the schema lacks.
pub fn check_variable_types(document: &ExecutableDocument) -> Result<(), String> {
    for (_, operation) in document.operations.iter() {
        for definition in &operation.node.variable_definitions {
            let mut ty = &definition.node.var_type.node;
            while let BaseType::List(inner) = &ty.base {
                ty = inner;
            }
            if let BaseType::Named(name) = &ty.base
                && !BUILT_IN_SCALARS.contains(&name.as_str())
                && !crate::graphql::type_names().contains(name.as_str())
            {
                return Err(format!(
                    "unknown type `{name}` of variable `${}`",
                    definition.node.name.node
                ));
            }
        }
    }
    Ok(())
}

/// Scalars every schema has, which the SDL does not list.
const BUILT_IN_SCALARS: [&str; 5] = ["Int", "Float", "String", "Boolean", "ID"];

fn refusal(message: String) -> ServerError {
    let mut error = ServerError::new(message, None);
    let mut extensions = ErrorExtensionValues::default();
    extensions.set("code", AppError::validation("", "").code());
    error.extensions = Some(extensions);
    error
}

/// Refuses `query` when `{`, `[` or `(` nest deeper than `max` outside strings and comments.
/// Linear in the length of `query`, with no allocation.
pub fn check_nesting(query: &str, max: usize) -> Result<(), String> {
    let bytes = query.as_bytes();
    let mut depth = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'#' => {
                while i < bytes.len() && bytes[i] != b'\n' && bytes[i] != b'\r' {
                    i += 1;
                }
            }
            b'"' if bytes[i..].starts_with(b"\"\"\"") => {
                i += 3;
                while i < bytes.len() {
                    if bytes[i..].starts_with(b"\\\"\"\"") {
                        i += 4;
                    } else if bytes[i..].starts_with(b"\"\"\"") {
                        i += 3;
                        break;
                    } else {
                        i += 1;
                    }
                }
                continue;
            }
            b'"' => {
                i += 1;
                while i < bytes.len() {
                    match bytes[i] {
                        b'\\' => i += 2,
                        b'"' => {
                            i += 1;
                            break;
                        }
                        // A string cannot span lines: the parser stops here, and so do we.
                        b'\n' | b'\r' => break,
                        _ => i += 1,
                    }
                }
                continue;
            }
            b'{' | b'[' | b'(' => {
                depth += 1;
                if depth > max {
                    return Err(format!(
                        "the document nests brackets more than {max} levels deep"
                    ));
                }
            }
            b'}' | b']' | b')' => depth = depth.saturating_sub(1),
            _ => {}
        }
        i += 1;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn nesting_is_counted_outside_strings_and_comments_only() {
        assert!(check_nesting("{ a(x: [[[1]]]) { b } }", 5).is_ok());
        assert!(check_nesting("{ a(x: [[[[1]]]]) { b } }", 5).is_err());
        let hidden = "[".repeat(100);
        for q in [
            format!("{{ a(x: \"{hidden}\") }}"),
            format!("{{ a(x: \"\"\"{hidden} \\\"\"\" {hidden}\"\"\") }}"),
            format!("{{ a # {hidden}\n b }}"),
            format!("{{ a(x: \"\\\"{hidden}\") }}"),
        ] {
            assert!(check_nesting(&q, 6).is_ok(), "{q}");
        }
        // An unterminated string ends at the line end, as in the parser.
        assert!(check_nesting(&format!("{{ a(x: \"\n{hidden}) }}"), 6).is_err());
    }

    #[test]
    fn variables_of_unknown_types_are_refused_before_validation() {
        for query in [
            "query($v: [Hnt] = [[0]]) { __typename }",
            "query($v: [[Nope!]!] = [[1]]) { __typename }",
            "query($v: Nope) { __typename }",
        ] {
            let mut request = Request::new(query);
            let err = admit(&mut request, &settings(), None).unwrap_err();
            assert!(err.message.contains("unknown type"), "{}", err.message);
        }
        for query in [
            "query($v: [Int] = [1]) { __typename }",
            "query($v: [[ID!]]) { __typename }",
            "query($v: CreateCustomerInput) { __typename }",
        ] {
            assert!(
                admit(&mut Request::new(query), &settings(), None).is_ok(),
                "{query}"
            );
        }
    }

    #[test]
    fn the_attack_shapes_of_the_report_are_refused() {
        for q in [
            format!(
                "{{ __typename(a: {}1{}) }}",
                "[".repeat(1800),
                "]".repeat(1800)
            ),
            format!("{{ a(x: {}1{}) }}", "{a:".repeat(1800), "}".repeat(1800)),
            format!(
                "query($v: Int = {}1{}) {{ a }}",
                "[".repeat(1800),
                "]".repeat(1800)
            ),
            format!("{{ a @d(x: {}1{}) }}", "[".repeat(1800), "]".repeat(1800)),
            format!(
                "query($v: {}Int{}) {{ a }}",
                "[".repeat(1800),
                "]".repeat(1800)
            ),
        ] {
            assert!(check_nesting(&q, MAX_NESTING).is_err());
        }
    }

    #[test]
    fn a_document_admitted_once_is_not_parsed_again_and_its_inputs_are_checked_every_time() {
        let documents = Documents::default();
        let query = "query($n: String!) { customers(search: $n) { nodes { id } } }";
        let request = |name: &str| {
            Request::new(query).variables(async_graphql::Variables::from_json(
                serde_json::json!({ "n": name }),
            ))
        };
        let first = admit(&mut request("Acme"), &settings(), Some(&documents)).unwrap();
        let bad = admit(&mut request("Ac\u{0}me"), &settings(), Some(&documents));
        assert!(bad.unwrap_err().message.contains("control"));
        let mut again = request("Zeta");
        let second = admit(&mut again, &settings(), Some(&documents)).unwrap();
        assert!(Arc::ptr_eq(&first.document, &second.document));
        assert!(
            again.parsed_query().is_ok(),
            "the request carries the document"
        );

        // Refused documents are not remembered; neither are long ones.
        let deep = format!("{{ {}a{} }}", "a { ".repeat(20), " }".repeat(20));
        for _ in 0..2 {
            assert!(admit(&mut Request::new(&deep), &settings(), Some(&documents)).is_err());
        }
        let long = format!("{{ __typename {} }}", "# padding\n".repeat(2_000));
        admit(&mut Request::new(&long), &settings(), Some(&documents)).unwrap();
        let cached = documents.admitted.lock().unwrap();
        assert_eq!(cached.keys().collect::<Vec<_>>(), [query]);
    }

    fn settings() -> GraphqlSettings {
        GraphqlSettings {
            max_depth: 10,
            max_aliases: 50,
            max_fields: 300,
            max_complexity: 10_000,
            max_directives: 5,
            introspection: true,
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2_000))]

        /// Whatever the document, admission answers (never panics, never recurses without
        /// bound) and a document it admits parses with nesting within the bound.
        #[test]
        fn admission_never_panics_on_any_document(
            query in prop::string::string_regex(r#"[\{\}\[\]\(\)a-z:$@.!"\\# \n,0-9=]{0,4000}"#).unwrap(),
            prefix in 0usize..3000,
        ) {
            let query = format!("{}{query}", "[".repeat(prefix));
            let mut request = Request::new(query);
            let _ = admit(&mut request, &settings(), None);
        }
    }
}
