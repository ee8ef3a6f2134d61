//! Where configuration comes from: the process environment, then a `.env` file in the working
//! directory when there is one; and the list of variables that `erp --help` prints.
//!
//! `.env` is parsed with `dotenvy` (the maintained fork of `dotenv`; no dependencies of its own,
//! and sqlx already builds it), but its values are only *looked up*, never written into the
//! process environment: a variable set in the environment always wins, by construction, and
//! nothing changes the environment behind the back of code that reads it later.
//!
//! The variable listing is `.env.example` itself (without its header paragraph), so the help,
//! the example file and the README's table have one source to drift from; a test fails when
//! `config.rs` reads a variable that `.env.example` does not list.

use std::collections::BTreeMap;
use std::path::Path;

/// The documented example configuration, one commented line or paragraph per variable.
const EXAMPLE: &str = include_str!("../../../.env.example");

/// Name of the file read from the working directory.
pub const DOTENV: &str = ".env";

/// The environment as `erp` sees it: the process environment over the `.env` file.
#[derive(Clone, Debug, Default)]
pub struct Sources {
    file: BTreeMap<String, String>,
}

impl Sources {
    /// The process environment over `.env` in the working directory (when present).
    pub fn load() -> Result<Self, String> {
        Self::with_file(Path::new(DOTENV))
    }

    /// The process environment over `file` (when present). A file that exists but cannot be
    /// read or parsed is an error naming it and the line.
    pub fn with_file(file: &Path) -> Result<Self, String> {
        let entries = match dotenvy::from_path_iter(file) {
            Ok(entries) => entries,
            Err(dotenvy::Error::Io(e)) if e.kind() == std::io::ErrorKind::NotFound => {
                return Ok(Self::default());
            }
            Err(e) => return Err(format!("{}: {e}", file.display())),
        };
        let mut values = BTreeMap::new();
        for entry in entries {
            let (key, value) = entry.map_err(|e| format!("{}: {e}", file.display()))?;
            values.insert(key, value);
        }
        Ok(Self { file: values })
    }

    /// The value of `key`: the environment's, else the file's.
    pub fn get(&self, key: &str) -> Option<String> {
        std::env::var(key)
            .ok()
            .or_else(|| self.file.get(key).cloned())
    }
}

/// The text after `erp --help`: every environment variable, with its comment and example.
pub fn help() -> String {
    let mut out = String::from(
        "Environment variables (also read from ./.env when present; the environment wins):\n",
    );
    // The first paragraph is the file's own header.
    let body = EXAMPLE.split_once("\n\n").map_or(EXAMPLE, |(_, rest)| rest);
    for line in body.lines() {
        let line = line.trim_end();
        if line.is_empty() {
            out.push('\n');
        } else if let Some(assignment) = variable_line(line) {
            out.push_str("  ");
            out.push_str(assignment);
            out.push('\n');
        } else {
            out.push_str("    ");
            out.push_str(line.trim_start_matches('#').trim_start());
            out.push('\n');
        }
    }
    out
}

/// The names of the variables `.env.example` lists.
pub fn documented_variables() -> Vec<&'static str> {
    EXAMPLE
        .lines()
        .filter_map(variable_line)
        .filter_map(|l| l.split_once('=').map(|(name, _)| name))
        .collect()
}

/// `NAME=value` of a line that assigns a variable (`NAME=…` or commented out `#NAME=…`).
fn variable_line(line: &str) -> Option<&str> {
    let assignment = line.strip_prefix('#').unwrap_or(line);
    let (name, _) = assignment.split_once('=')?;
    is_variable_name(name).then_some(assignment)
}

fn is_variable_name(name: &str) -> bool {
    name.len() >= 3
        && name.contains('_')
        && name.starts_with(|c: char| c.is_ascii_uppercase())
        && name
            .chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every quoted `UPPER_CASE` literal of `config.rs`: the variables it reads.
    fn variables_read_by_config() -> Vec<String> {
        let source = include_str!("../config.rs");
        source
            .split('"')
            .skip(1)
            .step_by(2)
            .filter(|s| is_variable_name(s))
            .map(str::to_owned)
            .collect()
    }

    #[test]
    fn every_variable_config_reads_is_in_the_example_and_the_help() {
        let read = variables_read_by_config();
        assert!(read.len() >= 30, "the scan found too few: {read:?}");
        let documented = documented_variables();
        let help = help();
        for name in &read {
            assert!(
                documented.contains(&name.as_str()),
                "{name} is read in config.rs but not listed in .env.example"
            );
            assert!(
                help.contains(&format!("  {name}=")),
                "{name} missing from help"
            );
        }
    }

    #[test]
    fn the_environment_wins_over_the_file_and_bad_files_name_the_line() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(".env");
        std::fs::write(&file, "ERP_TEST_ONLY_FROM_FILE=file\nPATH=from-file\n").unwrap();
        let sources = Sources::with_file(&file).unwrap();
        assert_eq!(
            sources.get("ERP_TEST_ONLY_FROM_FILE").as_deref(),
            Some("file")
        );
        assert_ne!(sources.get("PATH").as_deref(), Some("from-file"));
        assert!(Sources::with_file(&dir.path().join("absent")).is_ok());

        std::fs::write(&file, "GOOD=1\nnot a line at all\n").unwrap();
        let err = Sources::with_file(&file).unwrap_err();
        assert!(err.contains(".env"), "{err}");
    }
}
