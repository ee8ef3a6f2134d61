//! `Slug`: a tenant's short name. It becomes part of a database or file name, so it is checked
//! once, here, and carried as a type afterwards.

use std::fmt;

use crate::error::AppError;

/// A valid tenant slug: 2 to 32 characters of `a-z`, `0-9` and single inner hyphens, starting
/// with a letter. Underscores are refused because hyphens map to underscores in database names,
/// so `a-b` and `a_b` would share a database.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Slug(String);

impl Slug {
    /// Parses a slug, explaining what is wrong.
    pub fn parse(raw: &str) -> Result<Self, AppError> {
        let bad = |why: &str| {
            Err(AppError::validation(
                "slug",
                format!(
                    "slug `{raw}` {why}; use 2 to 32 lowercase letters, digits and hyphens, starting with a letter"
                ),
            ))
        };
        if !(2..=32).contains(&raw.len()) {
            return bad("has the wrong length");
        }
        if !raw.starts_with(|c: char| c.is_ascii_lowercase()) {
            return bad("does not start with a lowercase letter");
        }
        if !raw
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        {
            return bad("contains a character other than a-z, 0-9 and -");
        }
        if raw.ends_with('-') || raw.contains("--") {
            return bad("ends with a hyphen or has two in a row");
        }
        Ok(Self(raw.to_owned()))
    }

    /// The slug.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The slug as a database identifier fragment (`-` becomes `_`).
    pub fn db_fragment(&self) -> String {
        self.0.replace('-', "_")
    }
}

impl fmt::Display for Slug {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn good_slugs_parse() {
        for s in [
            "acme",
            "a1",
            "acme-ltd",
            "x-2-y",
            "abcdefghijklmnopqrstuvwxyz012345",
        ] {
            assert!(Slug::parse(s).is_ok(), "{s}");
        }
    }

    #[test]
    fn slugs_that_could_break_a_database_name_are_refused() {
        for s in [
            "",
            "a",
            "Acme",
            "1acme",
            "-acme",
            "acme-",
            "ac--me",
            "ac_me",
            "acme;drop",
            "acme\"",
            "a b",
            "acmé",
            "../etc",
            "abcdefghijklmnopqrstuvwxyz0123456",
        ] {
            assert!(Slug::parse(s).is_err(), "{s:?} was accepted");
        }
    }

    #[test]
    fn hyphens_become_underscores_in_database_names() {
        assert_eq!(Slug::parse("acme-ltd").unwrap().db_fragment(), "acme_ltd");
    }
}
