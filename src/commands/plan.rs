//! What `cp`, `mv` and `rm` share: the plan is shown before anything is written, applied
//! only with `--yes` or a "yes" on a terminal, and printed alone with `--dry-run`; names the
//! infra code still declares are pointed out; several failures make one exit code.

use std::sync::Arc;

use anyhow::Result;

use crate::commands::ask;
use crate::error::{Error, Needed, exit};
use crate::infra::Reference;
use crate::output::Output;
use crate::prompt::Prompter;

/// `--yes`, `--dry-run`, `--json`.
#[derive(Debug, Clone, Copy, Default)]
pub struct Confirm {
    /// Apply without asking.
    pub yes: bool,
    /// Print the plan only.
    pub dry_run: bool,
    /// Machine-readable plan and results.
    pub json: bool,
}

impl Confirm {
    /// Without a terminal, a plan needs `--yes` or `--dry-run`; checked before any request.
    pub fn check(&self, interactive: bool, what: &'static str) -> Result<(), Error> {
        match self.yes || self.dry_run || interactive {
            true => Ok(()),
            false => Err(Error::NoTerminal(Needed::Apply(what))),
        }
    }
}

/// What to do after the plan was shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Go {
    /// Apply it.
    Apply,
    /// Stop with this exit code (dry run: 0; declined: 1).
    Stop(u8),
}

/// A plan as shown: its text, the references that stay behind, the question, and the
/// same as JSON.
pub struct Shown<'r> {
    /// The plan, one line per name.
    pub text: String,
    /// Places in the infra code that still declare names the plan takes away.
    pub still: &'r [&'r Reference],
    /// The confirmation question.
    pub question: String,
    /// The plan for `--json --dry-run`.
    pub json: serde_json::Value,
}

/// Prints the plan (to stdout for `--dry-run`, where it is the result, else to stderr) and
/// asks, unless `--yes`. A "no" is exit 1 with `nothing` said, as `create` does.
pub async fn show_and_confirm(
    confirm: &Confirm,
    shown: Shown<'_>,
    prompter: &Arc<dyn Prompter>,
    nothing: &str,
    out: &mut Output,
) -> Result<Go> {
    print(confirm, &shown, out)?;
    if confirm.dry_run {
        out.info("dry run: nothing was changed");
        return Ok(Go::Stop(exit::OK));
    }
    if confirm.yes {
        return Ok(Go::Apply);
    }
    let question = shown.question;
    match ask(prompter, nothing, move |p| p.confirm(&question, false)).await? {
        true => Ok(Go::Apply),
        false => {
            out.info(nothing);
            Ok(Go::Stop(exit::FAILURE))
        }
    }
}

/// Prints the plan: for `--dry-run` to stdout (as JSON with `--json`), where it is the
/// result; otherwise to stderr, before the question or the work.
pub fn print(confirm: &Confirm, shown: &Shown<'_>, out: &mut Output) -> Result<()> {
    let refs = reference_lines(shown.still);
    if !confirm.dry_run {
        out.info(&shown.text);
        for line in &refs {
            out.warn(line);
        }
        return Ok(());
    }
    match confirm.json {
        true => writeln!(out.data(), "{:#}", shown.json)?,
        false => {
            writeln!(out.data(), "{}", shown.text)?;
            for line in &refs {
                writeln!(out.data(), "{line}")?;
            }
        }
    }
    Ok(())
}

/// The references among `all` whose path `taken` matches.
pub fn still_declared(all: &[Reference], taken: impl Fn(&str) -> bool) -> Vec<&Reference> {
    all.iter().filter(|r| taken(&r.path)).collect()
}

/// `still declared at apps/api/infra/api.ts:12: API_KEY = /k8s/api/API_KEY (api; dev, prod)`.
pub fn reference_lines(refs: &[&Reference]) -> Vec<String> {
    refs.iter()
        .map(|r| {
            format!(
                "still declared at {}:{}: {} = {} ({}; {})",
                r.file,
                r.line,
                r.name,
                r.path,
                r.service,
                r.envs.join(", ")
            )
        })
        .collect()
}

/// One exit code for several failures: theirs when they agree, else 1; 0 for none.
pub fn combined(codes: &[u8]) -> u8 {
    match codes {
        [] => exit::OK,
        [first, rest @ ..] if rest.iter().all(|c| c == first) => *first,
        _ => exit::FAILURE,
    }
}
