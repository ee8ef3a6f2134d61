//! Input rules at the edge, one place for every field of every module: each string argument,
//! written in the document or sent as a variable, is checked before any resolver runs.
//!
//! - No control characters but newline and tab. PostgreSQL refuses NUL while SQLite stores it;
//!   refusing here makes both backends answer the same `VALIDATION`.
//! - A maximum length by field name ([`max_chars`]): long texts (descriptions, notes,
//!   addresses), searches, passwords, and everything else.
//! - Lists of at most [`MAX_LIST_ITEMS`].
//!
//! The error's `field` is the input path (`input.contacts[2].email`), as for every other
//! `VALIDATION` error; a variable is named by where the document uses it.

use std::collections::HashMap;

use async_graphql::parser::types::{Directive, ExecutableDocument, Selection, SelectionSet};
use async_graphql::{Positioned, Variables};
use async_graphql_value::{ConstValue, Value};

use crate::error::AppError;

/// Longest text in a long-text field (descriptions, notes, addresses, reasons).
pub const MAX_LONG_TEXT: usize = 10_000;
/// Longest search string.
pub const MAX_SEARCH: usize = 200;
/// Longest password.
pub const MAX_PASSWORD: usize = 1_000;
/// Longest text in any other field (names, codes, e-mails, ids, decimals).
pub const MAX_TEXT: usize = 255;
/// Most items in one list argument.
pub const MAX_LIST_ITEMS: usize = 1_000;

/// The longest text accepted in a field named `field` (its last path segment).
pub fn max_chars(field: &str) -> usize {
    match field {
        "description" | "notes" | "body" | "address" | "billingAddress" | "shippingAddress"
        | "reason" => MAX_LONG_TEXT,
        "search" => MAX_SEARCH,
        "password" | "currentPassword" | "newPassword" => MAX_PASSWORD,
        _ => MAX_TEXT,
    }
}

/// Checks every string argument of `doc` and every variable.
pub fn check(doc: &ExecutableDocument, variables: &Variables) -> Result<(), AppError> {
    let mut walker = Walker::default();
    for (_, operation) in doc.operations.iter() {
        for definition in &operation.node.variable_definitions {
            if let Some(default) = &definition.node.default_value {
                let name = definition.node.name.node.as_str();
                let mut path = format!("${name}");
                check_const(&default.node, name, &mut path)?;
            }
        }
        walker.directives(&operation.node.directives)?;
        walker.selections(&operation.node.selection_set.node)?;
    }
    for fragment in doc.fragments.values() {
        walker.directives(&fragment.node.directives)?;
        walker.selections(&fragment.node.selection_set.node)?;
    }
    for (name, value) in variables.iter() {
        let (mut path, key) = walker
            .uses
            .remove(name.as_str())
            .unwrap_or_else(|| (format!("${name}"), name.to_string()));
        check_const(value, &key, &mut path)?;
    }
    Ok(())
}

#[derive(Default)]
struct Walker {
    /// Variable name → (input path, field name) where the document first uses it.
    uses: HashMap<String, (String, String)>,
}

impl Walker {
    fn selections(&mut self, set: &SelectionSet) -> Result<(), AppError> {
        for item in &set.items {
            match &item.node {
                Selection::Field(field) => {
                    for (name, value) in &field.node.arguments {
                        let mut path = name.node.to_string();
                        self.value(&value.node, name.node.as_str(), &mut path)?;
                    }
                    self.directives(&field.node.directives)?;
                    self.selections(&field.node.selection_set.node)?;
                }
                Selection::InlineFragment(fragment) => {
                    self.directives(&fragment.node.directives)?;
                    self.selections(&fragment.node.selection_set.node)?;
                }
                Selection::FragmentSpread(spread) => self.directives(&spread.node.directives)?,
            }
        }
        Ok(())
    }

    fn directives(&mut self, directives: &[Positioned<Directive>]) -> Result<(), AppError> {
        for directive in directives {
            for (name, value) in &directive.node.arguments {
                let mut path = format!("@{}.{}", directive.node.name.node, name.node);
                self.value(&value.node, name.node.as_str(), &mut path)?;
            }
        }
        Ok(())
    }

    fn value(&mut self, value: &Value, key: &str, path: &mut String) -> Result<(), AppError> {
        match value {
            Value::Variable(name) => {
                self.uses
                    .entry(name.to_string())
                    .or_insert_with(|| (path.clone(), key.to_owned()));
            }
            Value::String(text) => check_text(text, key, path)?,
            Value::List(items) => {
                check_list(items.len(), path)?;
                for (i, item) in items.iter().enumerate() {
                    let len = path.len();
                    path.push_str(&format!("[{i}]"));
                    self.value(item, key, path)?;
                    path.truncate(len);
                }
            }
            Value::Object(fields) => {
                for (name, item) in fields {
                    let len = path.len();
                    path.push('.');
                    path.push_str(name);
                    self.value(item, name, path)?;
                    path.truncate(len);
                }
            }
            _ => {}
        }
        Ok(())
    }
}

fn check_const(value: &ConstValue, key: &str, path: &mut String) -> Result<(), AppError> {
    match value {
        ConstValue::String(text) => check_text(text, key, path)?,
        ConstValue::List(items) => {
            check_list(items.len(), path)?;
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_const(item, key, path)?;
                path.truncate(len);
            }
        }
        ConstValue::Object(fields) => {
            for (name, item) in fields {
                let len = path.len();
                path.push('.');
                path.push_str(name);
                check_const(item, name, path)?;
                path.truncate(len);
            }
        }
        _ => {}
    }
    Ok(())
}

fn check_list(len: usize, path: &str) -> Result<(), AppError> {
    if len > MAX_LIST_ITEMS {
        return Err(AppError::validation(
            path,
            format!("has {len} items; at most {MAX_LIST_ITEMS} are allowed"),
        ));
    }
    Ok(())
}

fn check_text(text: &str, key: &str, path: &str) -> Result<(), AppError> {
    let max = max_chars(key);
    // Bytes first: a string of at most `max` bytes has at most `max` characters.
    if text.len() > max && text.chars().count() > max {
        return Err(AppError::validation(
            path,
            format!("is longer than {max} characters"),
        ));
    }
    if let Some(c) = text
        .chars()
        .find(|c| c.is_control() && *c != '\n' && *c != '\t')
    {
        return Err(AppError::validation(
            path,
            format!(
                "contains the control character U+{:04X}; only newline and tab are allowed",
                u32::from(c)
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_query(query: &str, variables: serde_json::Value) -> Result<(), (String, String)> {
        let doc = async_graphql::parser::parse_query(query).unwrap();
        let variables = Variables::from_json(variables);
        check(&doc, &variables).map_err(|e| match e {
            AppError::Validation { field, message } => (field, message),
            other => panic!("{other:?}"),
        })
    }

    #[test]
    fn control_characters_are_refused_with_the_input_path() {
        let err = check_query(
            "mutation($i: CreateRoleInput!) { createRole(input: $i) { id } }",
            serde_json::json!({ "i": { "name": "ok", "grants": [{ "permission": "a\u{0}b" }] } }),
        )
        .unwrap_err();
        assert_eq!(err.0, "input.grants[0].permission");
        assert!(err.1.contains("U+0000"), "{}", err.1);
        let err = check_query(
            r#"{ customers(filter: { search: "x\u001b" }) { totalCount } }"#,
            serde_json::json!({}),
        )
        .unwrap_err();
        assert_eq!(err.0, "filter.search");
        assert!(check_query("{ a(x: \"line\\nnext\\ttab\") }", serde_json::json!({})).is_ok());
    }

    #[test]
    fn lengths_are_bounded_by_field_name() {
        let long = "x".repeat(MAX_LONG_TEXT + 1);
        let err = check_query(
            "mutation($d: String) { updateRole(input: { description: $d }) { id } }",
            serde_json::json!({ "d": long }),
        )
        .unwrap_err();
        assert_eq!(err.0, "input.description");
        let search = "é".repeat(MAX_SEARCH);
        assert!(
            check_query(
                &format!("{{ a(search: \"{search}\") }}"),
                serde_json::json!({})
            )
            .is_ok()
        );
        let err = check_query(
            &format!("{{ a(search: \"{search}e\") }}"),
            serde_json::json!({}),
        )
        .unwrap_err();
        assert_eq!(err.0, "search");
        assert!(err.1.contains("200"));
        let err = check_query(
            "query($v: String) { a }",
            serde_json::json!({ "v": "x".repeat(256) }),
        )
        .unwrap_err();
        assert_eq!(err.0, "$v");
    }

    #[test]
    fn long_lists_and_defaults_are_checked() {
        let err = check_query(
            "query($v: [ID!]) { a(ids: $v) }",
            serde_json::json!({ "v": vec!["a"; 1001] }),
        )
        .unwrap_err();
        assert_eq!(err.0, "ids");
        let err = check_query(
            "query($v: String = \"\\u0007\") { a(x: $v) }",
            serde_json::json!({}),
        )
        .unwrap_err();
        assert_eq!(err.0, "$v");
    }
}
