//! The infra code brought in line with what was done in SSM: a created secret declared in
//! its service's `.secrets({...})` (`create --declare`), a moved path rewritten where
//! declarations name it (`mv --update-infra`). The edits come from `infra::edit`, checked
//! there; here they are shown (`--dry-run`: a unified diff) or written, each file atomically
//! with its mode kept, and named by file:line for the pull request.

use std::path::Path;

use anyhow::{Context, Result};

use crate::atomic_file;
use crate::error::Error;
use crate::infra::Reference;
use crate::infra::edit::{self, Edit, Refusal, Rewrite};
use crate::output::Output;

/// A refusal as the error that stops the command (before anything is created).
pub fn refused(r: Refusal) -> Error {
    Error::CannotEdit {
        reason: r.reason,
        by_hand: r.by_hand,
    }
}

/// The edit that declares `var` (default: the last segment of `name`) as `name` in `service`.
pub fn plan(root: &Path, service: &str, var: Option<&str>, name: &str) -> Result<Edit, Error> {
    let var = var.unwrap_or_else(|| name.rsplit('/').next().unwrap_or(name));
    edit::declare(root, service, var, name).map_err(refused)
}

/// Prints `edits` as unified diffs on stdout (`--dry-run`).
pub fn show(edits: &[Edit], out: &mut Output) -> Result<()> {
    for e in edits {
        write!(out.data(), "{}", edit::diff(e))?;
    }
    Ok(())
}

/// Writes `edits`, each file atomically with its mode kept, naming each file:line.
pub fn write(edits: &[Edit], what: &str, out: &mut Output) -> Result<()> {
    for e in edits {
        atomic_file::replace(&e.path, e.after.as_bytes())
            .with_context(|| format!("cannot update {}", e.file))?;
        out.info(&format!("{what} {}:{}", e.file, e.line));
    }
    Ok(())
}

/// For `mv --update-infra`: the rewrites of each moved path the infra code still declares
/// (`moves`: old and new full names), and the places to change by hand.
pub fn rewrites(
    root: &Path,
    still: &[&Reference],
    moves: &[(String, String)],
) -> (Vec<Edit>, Vec<String>) {
    let mut edits: Vec<Edit> = Vec::new();
    let mut by_hand = Vec::new();
    for (old, new) in moves {
        let places: Vec<(String, usize)> = still
            .iter()
            .filter(|r| r.path == *old)
            .map(|r| (r.file.clone(), r.line))
            .collect();
        if places.is_empty() {
            continue;
        }
        for r in edit::rewrite(root, &places, old, new) {
            match r {
                Rewrite::Done(e) => match edits.iter_mut().find(|x| x.file == e.file) {
                    // Several moved paths in one file: the later rewrite applies to the text
                    // the earlier one left.
                    Some(x) => {
                        let again = edit::rewrite_text(&x.after, old, new, &places, &e.file);
                        x.after = again;
                        x.line = x.line.min(e.line);
                    }
                    None => edits.push(e),
                },
                Rewrite::ByHand(at, why) => {
                    by_hand.push(format!("change {old} to {new} at {at} by hand: {why}"));
                }
            }
        }
    }
    (edits, by_hand)
}
