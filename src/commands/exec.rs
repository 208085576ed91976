//! `secrets exec`: run a command with a project's secrets in its environment; no file.

use std::ffi::OsString;

use anyhow::Result;

use super::fetch;
use crate::envfile::Entry;
use crate::error::Error;
use crate::output::{Output, count};
use crate::store::SecretStore;

/// What `exec` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which projects, and how to find their secrets.
    pub fetch: fetch::Request,
    /// Keep variables already set instead of replacing them.
    pub no_clobber: bool,
    /// The command and its arguments.
    pub command: Vec<OsString>,
}

/// Whether a variable is already in this process's environment; asked by name only.
pub type Inherited = dyn Fn(&str) -> bool;

/// Refuses, before any request, a request with no command.
pub fn validate(opts: &Options) -> Result<(), Error> {
    match opts.command.is_empty() {
        true => Err(Error::NoCommand),
        false => Ok(()),
    }
}

/// Fetches the secrets, then replaces this process with the command (on Unix), so signals
/// and the exit status are the command's own. Returns only on failure (or, elsewhere, with
/// the child's exit status).
pub async fn run<S: SecretStore>(
    opts: Options,
    is_set: &Inherited,
    store: &S,
    out: &mut Output,
) -> Result<u8> {
    let Some((program, args)) = opts.command.split_first() else {
        return Err(Error::NoCommand.into());
    };
    let rows = fetch::fetch(&opts.fetch, store, out).await?;
    let (entries, _) = fetch::variables(&opts.fetch.projects, &rows, out);
    let mut cmd = std::process::Command::new(program);
    cmd.args(args);
    let added = environment(&entries, is_set, opts.no_clobber, out);
    for e in &added {
        cmd.env(&e.name, e.value.expose());
    }
    out.trace(&format!(
        "running {} with {} added to its environment",
        program.to_string_lossy(),
        count(added.len(), "secret")
    ));
    replace_process(cmd, program)
}

/// The variables to add to the child's environment: every entry, except those already set
/// when `no_clobber`; each one already set is named in a warning.
pub fn environment<'e>(
    entries: &'e [Entry],
    is_set: &Inherited,
    no_clobber: bool,
    out: &mut Output,
) -> Vec<&'e Entry> {
    let mut added = Vec::new();
    for e in entries {
        if is_set(&e.name) {
            if no_clobber {
                out.warn(&format!(
                    "{} is already set; kept it (--no-clobber)",
                    e.name
                ));
                continue;
            }
            out.warn(&format!(
                "{} was already set; replaced it with the secret",
                e.name
            ));
        }
        added.push(e);
    }
    added
}

#[cfg(unix)]
fn replace_process(mut cmd: std::process::Command, program: &OsString) -> Result<u8> {
    use std::os::unix::process::CommandExt;
    // Only returns when the program could not be started.
    let err = cmd.exec();
    Err(not_started(program, err))
}

#[cfg(not(unix))]
fn replace_process(mut cmd: std::process::Command, program: &OsString) -> Result<u8> {
    let status = cmd.status().map_err(|e| not_started(program, e))?;
    Ok(status.code().map_or(1, |c| c.clamp(0, 255) as u8))
}

fn not_started(program: &OsString, err: std::io::Error) -> anyhow::Error {
    Error::CannotRun {
        program: program.to_string_lossy().into_owned(),
        reason: err.to_string(),
    }
    .into()
}
