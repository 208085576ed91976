//! `secrets rm`: delete named parameters, or every parameter whose name begins with a
//! prefix, 10 a request, after showing the plan; stoppable between requests.

use std::sync::Arc;

use anyhow::Result;

use super::accounts::{Account, identities};
use super::batches::{End, in_batches};
use super::plan::{self, Confirm};
use crate::error::{Error, Field, Report};
use crate::infra::Reference;
use crate::interrupt::Interrupts;
use crate::model::Deleted;
use crate::output::{Output, count};
use crate::prompt::Prompter;
use crate::store::{DELETE_BATCH, SecretStore, StoreError};
use crate::validate;

/// What `rm` was asked to do, as plain values.
#[derive(Debug, Clone)]
pub struct Options {
    /// The names given.
    pub names: Vec<String>,
    /// `--prefix`.
    pub prefix: Option<String>,
    /// How to confirm and report.
    pub confirm: Confirm,
    /// The namespace (`prefix` in .secrets.toml, else `/k8s/`).
    pub namespace: String,
}

/// What to delete.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Selection {
    /// These names.
    Names(Vec<String>),
    /// Every name beginning with this.
    Prefix(String),
}

/// The request, checked.
#[derive(Debug)]
pub struct Plan {
    /// What to delete.
    pub selection: Selection,
    confirm: Confirm,
}

const NOTHING: &str = "nothing was deleted";

/// Checks the names or the prefix (and its depth) and that the plan can be confirmed, with
/// no request.
pub fn plan(opts: Options, interactive: bool) -> Result<Plan, Error> {
    let invalid = |field, reason| Error::Invalid { field, reason };
    let selection = match (&opts.prefix, opts.names.is_empty()) {
        (Some(p), true) => {
            let full =
                validate::name_prefix(p, &opts.namespace).map_err(|r| invalid(Field::Prefix, r))?;
            validate::deep_enough(&full, &opts.namespace).map_err(|r| invalid(Field::Prefix, r))?;
            Selection::Prefix(full)
        }
        (None, false) => {
            let mut names = Vec::new();
            for n in &opts.names {
                let full = validate::existing_name(n, &opts.namespace)
                    .map_err(|r| invalid(Field::Source, r))?;
                if !names.contains(&full) {
                    names.push(full);
                }
            }
            Selection::Names(names)
        }
        (Some(_), false) => {
            return Err(invalid(
                Field::Prefix,
                "give either names or --prefix, not both".into(),
            ));
        }
        (None, true) => {
            return Err(invalid(
                Field::Source,
                "nothing to delete: give names or --prefix".into(),
            ));
        }
    };
    opts.confirm.check(interactive, "deleting")?;
    Ok(Plan {
        selection,
        confirm: opts.confirm,
    })
}

/// Finds what the plan selects, shows it, confirms, deletes batch by batch, and reports
/// every name.
pub async fn run<S: SecretStore>(
    plan: Plan,
    account: &Account<S>,
    references: &[Reference],
    prompter: &Arc<dyn Prompter>,
    out: &mut Output,
    interrupts: &Interrupts,
) -> Result<u8> {
    let id = match identities(&[account], NOTHING, out).await {
        Ok(mut ids) => ids.remove(0),
        Err(code) => return Ok(code),
    };
    let (found, absent) = select(&plan.selection, &account.store).await?;
    if found.is_empty() {
        return Err(not_found(&plan.selection, id.account, account).into());
    }
    let still = plan::still_declared(references, |path| found.iter().any(|n| n == path));
    let shown = plan::Shown {
        text: plan_text(&found, &absent, &account.describe(&id)),
        still: &still,
        question: format!("Delete {}?", count(found.len(), "parameter")),
        json: document(&found, &absent, |_| "planned", &id.account, account, &still),
    };
    match plan::show_and_confirm(&plan.confirm, shown, prompter, NOTHING, out).await? {
        plan::Go::Apply => {}
        plan::Go::Stop(code) => return Ok(code),
    }
    let (results, end) = in_batches(&found, DELETE_BATCH, interrupts, out, |batch| {
        account.store.delete(batch)
    })
    .await;
    let outcome = Outcome::of(&found, DELETE_BATCH, results, end);
    report(
        &outcome,
        &found,
        &absent,
        (&id.account, account),
        &still,
        &plan,
        out,
    )?;
    outcome.finish(found.len())
}

fn not_found<S>(selection: &Selection, account_id: String, account: &Account<S>) -> Error {
    let what = match selection {
        Selection::Names(n) if n.len() == 1 => format!("no parameter {}", n[0]),
        Selection::Names(_) => "none of these parameters exists".to_string(),
        Selection::Prefix(p) => format!("no parameter's name begins with {p}"),
    };
    Error::NotFound {
        what,
        account: account_id,
        profile: account.label().to_string(),
    }
}

/// `About to delete 25 parameters from account ... :`, then each name.
fn plan_text(found: &[String], absent: &[String], side: &str) -> String {
    let mut text = format!(
        "About to delete {} from {side}:",
        count(found.len(), "parameter")
    );
    for name in found {
        text.push_str(&format!("\n  {name}"));
    }
    for name in absent {
        text.push_str(&format!("\n  {name} (not found; skipped)"));
    }
    text
}

/// What `rm` found: the names that exist and, for given names, those that do not.
async fn select<S: SecretStore>(
    selection: &Selection,
    store: &S,
) -> Result<(Vec<String>, Vec<String>)> {
    Ok(match selection {
        Selection::Names(names) => {
            let exists = store.existing(names).await.map_err(Error::from)?;
            names.iter().cloned().partition(|n| exists.contains(n))
        }
        Selection::Prefix(prefix) => {
            let mut names = store.names_beginning(prefix).await.map_err(Error::from)?;
            names.sort();
            names.dedup();
            (names, Vec::new())
        }
    })
}

/// Each name's fate after the batches.
struct Outcome {
    status: std::collections::HashMap<String, &'static str>,
    errors: Vec<(Vec<String>, StoreError)>,
    end: End,
}

impl Outcome {
    fn of(
        names: &[String],
        size: usize,
        results: Vec<Result<Deleted, StoreError>>,
        end: End,
    ) -> Self {
        let mut status = std::collections::HashMap::new();
        let mut errors = Vec::new();
        for (batch, result) in names.chunks(size).zip(results) {
            match result {
                Ok(done) => {
                    for n in done.deleted {
                        status.insert(n, "deleted");
                    }
                    // Planned as existing, reported as not: gone meanwhile, or deleted by a
                    // first attempt whose answer was lost and then retried.
                    for n in done.absent {
                        status.insert(n, "already-gone");
                    }
                }
                Err(e) => {
                    for n in batch {
                        status.insert(n.clone(), "failed");
                    }
                    errors.push((batch.to_vec(), e));
                }
            }
        }
        if let End::Abandoned { pending } = end {
            for n in names.chunks(size).nth(pending).unwrap_or_default() {
                status.insert(n.clone(), "unknown");
            }
        }
        Self {
            status,
            errors,
            end,
        }
    }

    fn of_name(&self, name: &str) -> &'static str {
        self.status.get(name).copied().unwrap_or("not-started")
    }

    fn finish(&self, total: usize) -> Result<u8> {
        let deleted = self.status.values().filter(|s| **s == "deleted").count();
        match self.end {
            End::Complete => {}
            End::Interrupted { .. } => {
                return Err(Error::Interrupted(format!(
                    "deleted {deleted} of {total}; the rest were not touched (listed above)"
                ))
                .into());
            }
            End::Abandoned { .. } => {
                return Err(Error::Interrupted(format!(
                    "deleted {deleted} of {total}; for those marked `unknown` the request was \
                     sent and its answer not awaited (check with `secrets rm --dry-run` again)"
                ))
                .into());
            }
        }
        let codes: Vec<u8> = self
            .errors
            .iter()
            .map(|(_, e)| Report::from(e).code())
            .collect();
        Ok(plan::combined(&codes))
    }
}

fn report<S>(
    outcome: &Outcome,
    found: &[String],
    absent: &[String],
    (account_id, account): (&str, &Account<S>),
    still: &[&Reference],
    plan: &Plan,
    out: &mut Output,
) -> Result<()> {
    for (batch, e) in &outcome.errors {
        let within = format!(
            "in {account_id} ({}): deleting {} ({} ...) failed",
            account.label(),
            count(batch.len(), "parameter"),
            batch.first().map_or("", String::as_str)
        );
        out.report(&Report::from(e).within(within));
    }
    if plan.confirm.json {
        let doc = document(
            found,
            absent,
            |n| outcome.of_name(n),
            account_id,
            account,
            still,
        );
        writeln!(out.data(), "{doc:#}")?;
        return Ok(());
    }
    for n in found {
        writeln!(out.data(), "{} {n}", outcome.of_name(n))?;
    }
    let deleted = found
        .iter()
        .filter(|n| outcome.of_name(n) == "deleted")
        .count();
    out.info(&format!(
        "Deleted {deleted} of {} in {account_id} ({})",
        count(found.len(), "parameter"),
        account.label()
    ));
    Ok(())
}

/// `{account, profile, items: [{name, status}], references}`, for the plan and the results.
fn document<'n, S>(
    found: &'n [String],
    absent: &[String],
    status: impl Fn(&'n str) -> &'static str,
    account_id: &str,
    account: &Account<S>,
    still: &[&Reference],
) -> serde_json::Value {
    let items: Vec<serde_json::Value> = found
        .iter()
        .map(|n| serde_json::json!({"name": n, "status": status(n)}))
        .chain(
            absent
                .iter()
                .map(|n| serde_json::json!({"name": n, "status": "absent"})),
        )
        .collect();
    serde_json::json!({
        "account": account_id, "profile": account.profile, "items": items, "references": still,
    })
}
