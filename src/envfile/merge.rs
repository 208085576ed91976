//! Line-level merge: replace a key's assignment in place, append new keys, keep the rest.

use std::collections::HashMap;

use super::parse::{Segment, SyntaxError, segments};
use super::{Entry, Status};

/// Merges rendered assignments into `existing` and reports each entry's status, in order.
///
/// `lines[i]` is the rendered assignment of `entries[i]`, ending in a newline. A key already
/// present is replaced where its first assignment stands and any later assignment of it is
/// dropped (older tools appended duplicates); everything else stays byte for byte.
pub fn merge(
    existing: &str,
    entries: &[Entry],
    lines: &[String],
) -> Result<(String, Vec<Status>), SyntaxError> {
    let segs = segments(existing)?;
    let mut parts: Vec<Option<&str>> = Vec::with_capacity(segs.len());
    let mut places: HashMap<&str, Vec<usize>> = HashMap::new();
    for (i, seg) in segs.iter().enumerate() {
        match seg {
            Segment::Assignment { key, text } => {
                places.entry(key).or_default().push(i);
                parts.push(Some(text));
            }
            Segment::Other(text) => parts.push(Some(text)),
        }
    }

    let mut statuses = Vec::with_capacity(entries.len());
    let mut appended = Vec::new();
    for (entry, line) in entries.iter().zip(lines) {
        let Some((&first, later)) = places
            .get(entry.name.as_str())
            .and_then(|p| p.split_first())
        else {
            statuses.push(Status::New);
            appended.push(line.as_str());
            continue;
        };
        let old = parts[first].unwrap_or_default();
        let same = old == line || line.strip_suffix('\n') == Some(old);
        statuses.push(if same && later.is_empty() {
            Status::Unchanged
        } else {
            Status::Changed
        });
        parts[first] = Some(line);
        for &dup in later {
            parts[dup] = None;
        }
    }

    let mut out: String = parts.into_iter().flatten().collect();
    if !appended.is_empty() && !out.is_empty() && !out.ends_with('\n') {
        out.push('\n');
    }
    out.extend(appended);
    Ok((out, statuses))
}
