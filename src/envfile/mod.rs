//! The env file: rendering, merging into what is already there, and writing it safely.

mod merge;
mod parse;
mod quote;
mod write;

use serde_json::{Map, Value};

use crate::model::SecretValue;

pub use parse::SyntaxError;
pub use quote::is_shell_identifier;
pub use write::{Target, is_private, lock_dir_of, read_existing, write_atomic};

/// The names an env file assigns, in order (none when it cannot be read as one).
pub fn assigned_names(text: &str) -> Vec<String> {
    parse::segments(text)
        .map(|segments| {
            segments
                .into_iter()
                .filter_map(|s| match s {
                    parse::Segment::Assignment { key, .. } => Some(key.to_string()),
                    parse::Segment::Other(_) => None,
                })
                .collect()
        })
        .unwrap_or_default()
}

/// One variable to write.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Environment variable name, a shell identifier.
    pub name: String,
    /// The exact bytes to reproduce.
    pub value: SecretValue,
}

/// What writing an entry does to the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// The key was not in the file.
    New,
    /// The key was there with another text.
    Changed,
    /// The key was there exactly as it would be written.
    Unchanged,
}

/// Output syntax of the file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `export NAME='value'`: for `source`, direnv and every POSIX shell.
    Export,
    /// `NAME='value'`: for dotenv readers.
    Dotenv,
    /// One JSON object mapping names to values.
    Json,
}

/// Merges `entries` into the file text `existing` in `format`; returns the new text and one
/// status per entry. `entries` must not repeat a name.
pub fn render(
    format: Format,
    existing: &str,
    entries: &[Entry],
) -> Result<(String, Vec<Status>), SyntaxError> {
    let line = |e: &Entry| match format {
        Format::Export => format!(
            "export {}={}\n",
            e.name,
            quote::shell_single_quote(e.value.expose())
        ),
        _ => format!("{}={}\n", e.name, quote::dotenv_quote(e.value.expose())),
    };
    match format {
        Format::Json => merge_json(existing, entries),
        _ => merge::merge(
            existing,
            entries,
            &entries.iter().map(line).collect::<Vec<_>>(),
        ),
    }
}

fn merge_json(existing: &str, entries: &[Entry]) -> Result<(String, Vec<Status>), SyntaxError> {
    let mut map: Map<String, Value> = if existing.trim().is_empty() {
        Map::new()
    } else {
        match serde_json::from_str::<Value>(existing) {
            Ok(Value::Object(map)) => map,
            Ok(_) => {
                return Err(SyntaxError {
                    line: 1,
                    reason: "the JSON is not an object",
                });
            }
            Err(e) => {
                return Err(SyntaxError {
                    line: e.line(),
                    reason: "the JSON is not valid",
                });
            }
        }
    };
    let statuses = entries
        .iter()
        .map(|e| {
            let new = Value::String(e.value.expose().to_string());
            match map.insert(e.name.clone(), new.clone()) {
                None => Status::New,
                Some(old) if old == new => Status::Unchanged,
                Some(_) => Status::Changed,
            }
        })
        .collect();
    Ok((format!("{:#}\n", Value::Object(map)), statuses))
}

#[cfg(test)]
mod tests;
