//! `secrets get`: fetch projects' secrets and merge them into the env file.

use std::path::{Path, PathBuf};

use anyhow::Result;
use futures_util::future::try_join_all;

use crate::config::{DEFAULT_FILE, DEFAULT_PREFIX, check_project_name, find_repo_root};
use crate::envfile::{self, Format, Status, SyntaxError, Target};
use crate::error::{Error, exit};
use crate::output::Output;
use crate::resolve::resolve;
use crate::store::SecretStore;

/// What `get` was asked to do, as plain values.
#[derive(Debug, Clone)]
pub struct Options {
    /// Project names, e.g. `api`.
    pub projects: Vec<String>,
    /// Start from an empty file.
    pub reset: bool,
    /// Repository root; None finds the git top-level of the working directory.
    pub root: Option<PathBuf>,
    /// File to write; None is `<root>/.env.secret`; `-` is stdout.
    pub file: Option<PathBuf>,
    /// Output syntax.
    pub format: Format,
    /// Report statuses only.
    pub dry_run: bool,
}

/// Fetches, resolves and writes; returns the exit code.
pub async fn run<S: SecretStore>(
    opts: Options,
    cwd: &Path,
    store: &S,
    out: &mut Output,
) -> Result<u8> {
    for name in &opts.projects {
        check_project_name(name).map_err(|reason| Error::InvalidProject {
            name: name.clone(),
            reason,
        })?;
    }
    let target = target(&opts, cwd)?;
    // Refuse a file we cannot merge into before making any request.
    if let (Target::File(path), false) = (&target, opts.reset) {
        let existing = envfile::read_existing(path)?;
        envfile::render(opts.format, &existing, &[]).map_err(|e| syntax(path, e))?;
    }

    let prefixes: Vec<String> = opts
        .projects
        .iter()
        .map(|p| format!("{DEFAULT_PREFIX}{p}/"))
        .collect();
    for prefix in &prefixes {
        out.trace(&format!(
            "GetParametersByPath {prefix} (recursive, decrypted)"
        ));
    }
    let progress = out.progress("fetching secrets from SSM");
    let fetched = try_join_all(prefixes.iter().map(|p| store.list_under(p)))
        .await
        .map_err(Error::from)?;
    drop(progress);
    for (prefix, params) in prefixes.iter().zip(&fetched) {
        out.trace(&format!("{prefix}: {} parameters", params.len()));
    }

    let resolved = resolve(&fetched);
    for warning in &resolved.warnings {
        out.warn(warning);
    }
    for (prefix, found) in prefixes.iter().zip(&resolved.found) {
        if *found == 0 {
            out.warn(&format!(
                "no secrets found under {prefix} (check the project name, --profile and --region)"
            ));
        }
    }

    let (path, existing) = match &target {
        Target::Stdout => (None, String::new()),
        Target::File(path) if opts.reset => (Some(path.as_path()), String::new()),
        Target::File(path) => (Some(path.as_path()), envfile::read_existing(path)?),
    };
    let (text, statuses) = envfile::render(opts.format, &existing, &resolved.entries)
        .map_err(|e| syntax(path.unwrap_or(Path::new("-")), e))?;

    if opts.dry_run {
        for (entry, status) in resolved.entries.iter().zip(&statuses) {
            writeln!(out.data(), "{:<9} {}", status_word(*status), entry.name)?;
        }
    } else {
        match path {
            None => out.data().write_all(text.as_bytes())?,
            Some(path) => {
                let wanted = !resolved.entries.is_empty() || opts.reset;
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
    for (i, project) in opts.projects.iter().enumerate() {
        let mine: Vec<Status> = statuses
            .iter()
            .zip(&resolved.owners)
            .filter(|(_, owner)| **owner == i)
            .map(|(s, _)| *s)
            .collect();
        out.info(&summary(
            project,
            &mine,
            &shown,
            path.is_some(),
            opts.dry_run,
        ));
    }
    Ok(exit::OK)
}

fn target(opts: &Options, cwd: &Path) -> Result<Target, Error> {
    if opts.file.as_deref() == Some(Path::new("-")) {
        return Ok(Target::Stdout);
    }
    let root = match &opts.root {
        Some(root) if root.is_dir() => cwd.join(root),
        Some(root) => return Err(Error::BadRoot(root.clone())),
        None => find_repo_root(cwd).ok_or_else(|| Error::NotInRepo(cwd.to_path_buf()))?,
    };
    Ok(Target::File(match &opts.file {
        Some(file) => cwd.join(file),
        None => root.join(DEFAULT_FILE),
    }))
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
    let n = statuses.len();
    let noun = if n == 1 { "secret" } else { "secrets" };
    let count = |want| statuses.iter().filter(|s| **s == want).count();
    let verb = if dry {
        "would be written to"
    } else {
        "written to"
    };
    if to_file {
        format!(
            "{project}: {n} {noun} {verb} {shown} ({} new, {} changed, {} unchanged)",
            count(Status::New),
            count(Status::Changed),
            count(Status::Unchanged)
        )
    } else {
        format!("{project}: {n} {noun} {verb} {shown}")
    }
}
