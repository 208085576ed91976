//! `secrets get`: fetch projects' secrets and merge them into the env file.

use std::path::Path;

use anyhow::Result;

use super::fetch;
use crate::envfile::{self, Format, Status, SyntaxError, Target};
use crate::error::{Error, exit};
use crate::output::{Output, count};
use crate::resolve::Status as RowStatus;
use crate::store::SecretStore;

/// What `get` was asked to do, as plain values.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which projects, and how to find their secrets.
    pub fetch: fetch::Request,
    /// Start from an empty file.
    pub reset: bool,
    /// Where the output goes.
    pub target: Target,
    /// Output syntax.
    pub format: Format,
    /// Report statuses only.
    pub dry_run: bool,
}

/// Refuses, before any request, a file that cannot be merged into.
pub fn validate(opts: &Options) -> Result<()> {
    if let (Target::File(path), false) = (&opts.target, opts.reset) {
        let existing = envfile::read_existing(path)?;
        envfile::render(opts.format, &existing, &[]).map_err(|e| syntax(path, e))?;
    }
    Ok(())
}

/// Fetches, resolves and writes; returns the exit code. Call `validate` first.
pub async fn run<S: SecretStore>(
    opts: Options,
    cwd: &Path,
    store: &S,
    out: &mut Output,
) -> Result<u8> {
    // The account read is named in the summary: its identity asked beside the fetch.
    let (rows, identity) = tokio::join!(fetch::fetch(&opts.fetch, store, out), store.identity());
    let rows = rows?;
    let account = identity.ok().map(|id| id.account);
    let (entries, owners) = fetch::variables(&opts.fetch.projects, &rows, out);

    // Held from reading the file to replacing it, so concurrent runs never lose each
    // other's keys; the network fetch above is not inside it.
    let _lock = match &opts.target {
        Target::File(path) if !opts.dry_run => {
            let waiting = || {
                out.info(&format!(
                    "waiting for another run to finish writing {} (Ctrl-C leaves it untouched)",
                    path.display()
                ))
            };
            Some(envfile::lock_dir_of(path, waiting).await?)
        }
        _ => None,
    };
    let (path, existing, old) = match &opts.target {
        Target::Stdout => (None, String::new(), String::new()),
        Target::File(path) if opts.reset => (
            Some(path.as_path()),
            String::new(),
            envfile::read_existing(path).unwrap_or_default(),
        ),
        Target::File(path) => {
            let text = envfile::read_existing(path)?;
            (Some(path.as_path()), text.clone(), text)
        }
    };
    let (text, mut statuses) = envfile::render(opts.format, &existing, &entries)
        .map_err(|e| syntax(path.unwrap_or(Path::new("-")), e))?;
    // --reset: each name compared with the file it replaces, and what that file assigned
    // that this run does not write (hand-added lines too) said, never dropped silently.
    let removed: Vec<String> = match opts.reset {
        true => {
            if let Ok((_, against_old)) = envfile::render(opts.format, &old, &entries) {
                statuses = against_old;
            }
            let written: Vec<&str> = entries.iter().map(|e| e.name.as_str()).collect();
            envfile::assigned_names(&old)
                .into_iter()
                .filter(|n| !written.contains(&n.as_str()))
                .collect()
        }
        false => Vec::new(),
    };

    if opts.dry_run {
        for (entry, status) in entries.iter().zip(&statuses) {
            writeln!(out.data(), "{:<9} {}", status_word(*status), entry.name)?;
        }
        for name in &removed {
            writeln!(out.data(), "{:<9} {name}", "removed")?;
        }
    } else {
        if !removed.is_empty() {
            out.warn(&format!(
                "--reset removed {} this run does not write: {}",
                count(removed.len(), "assignment"),
                removed.join(", ")
            ));
        }
        match path {
            None => out.data().write_all(text.as_bytes())?,
            Some(path) => {
                let wanted = !entries.is_empty() || opts.reset;
                if wanted && (text != existing || !envfile::is_private(path)) {
                    out.trace(&format!("writing {}", path.display()));
                    envfile::write_atomic(path, &text)?;
                }
            }
        }
    }

    let shown = match path {
        Some(p) => p.strip_prefix(cwd).unwrap_or(p).display().to_string(),
        None => "stdout".to_string(),
    };
    for (i, project) in opts.fetch.projects.iter().enumerate() {
        let mine: Vec<Status> = statuses
            .iter()
            .zip(&owners)
            .filter(|(_, owner)| **owner == i)
            .map(|(s, _)| *s)
            .collect();
        let mut line = summary(project, &mine, &shown, path.is_some(), opts.dry_run);
        let missing = rows.get(i).map_or(0, |rows| {
            rows.iter()
                .filter(|r| matches!(r.status, RowStatus::Missing | RowStatus::NoKey))
                .count()
        });
        if missing > 0 {
            line.push_str(&format!("; {missing} declared but not stored"));
        }
        if let Some(account) = &account {
            line.push_str(&format!("; account {account}"));
        }
        out.info(&line);
    }
    Ok(exit::OK)
}

fn syntax(path: &Path, e: SyntaxError) -> Error {
    Error::EnvFileSyntax {
        path: path.to_path_buf(),
        line: e.line,
        reason: e.reason,
    }
}

fn status_word(status: Status) -> &'static str {
    match status {
        Status::New => "new",
        Status::Changed => "changed",
        Status::Unchanged => "unchanged",
    }
}

fn summary(project: &str, statuses: &[Status], shown: &str, to_file: bool, dry: bool) -> String {
    let n = count(statuses.len(), "secret");
    let of = |want| statuses.iter().filter(|s| **s == want).count();
    let verb = if dry {
        "would be written to"
    } else {
        "written to"
    };
    if to_file {
        format!(
            "{project}: {n} {verb} {shown} ({} new, {} changed, {} unchanged)",
            of(Status::New),
            of(Status::Changed),
            of(Status::Unchanged)
        )
    } else {
        format!("{project}: {n} {verb} {shown}")
    }
}
