//! `secrets cp` and `secrets mv`: one parameter, or every parameter whose name begins with a
//! prefix, into new names, in the same account or another, with everything but the value's
//! history carried over. `mv` deletes the sources only after every copy has been read back.

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;
use futures_util::future::join_all;

use super::accounts::{Account, identities};
use super::batches::{End, in_batches};
use super::plan::{self, Confirm, Go, Shown};
use crate::error::{Error, Field, store_exit_code, store_hint};
use crate::infra::Reference;
use crate::interrupt::Interrupts;
use crate::model::{Kind, NewParameter, Stored};
use crate::output::Output;
use crate::prompt::Prompter;
use crate::store::{DELETE_BATCH, SecretStore, StoreError};
use crate::validate;

/// Writes in flight at once, one batch between interrupt checks.
const WRITE_BATCH: usize = 10;
/// The key SSM uses when none is named; never carried to another account by name.
const DEFAULT_KEY: &str = "alias/aws/ssm";

/// What `cp`/`mv` was asked to do, as plain values.
#[derive(Debug, Clone)]
pub struct Options {
    /// SRC.
    pub source: String,
    /// DST.
    pub destination: String,
    /// `--prefix`.
    pub prefix: bool,
    /// `--overwrite`.
    pub overwrite: bool,
    /// `mv` rather than `cp`.
    pub moving: bool,
    /// Both sides are reached the same way (same profile), so they are one account.
    pub same_account: bool,
    /// How to confirm and report.
    pub confirm: Confirm,
    /// The namespace (`prefix` in .secrets.toml, else `/k8s/`).
    pub namespace: String,
}

/// The request, checked.
#[derive(Debug)]
pub struct Plan {
    source: String,
    destination: String,
    opts: Options,
}

/// What becomes of one source.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    New,
    Unchanged,
    Differs,
    Overwrite,
}

impl State {
    fn word(self) -> &'static str {
        match self {
            State::New => "new",
            State::Unchanged => "unchanged",
            State::Differs => "differs",
            State::Overwrite => "overwrite",
        }
    }
}

struct Item {
    src: Stored,
    dst: String,
    state: State,
}

/// Checks both names (or prefixes), that they differ, and that the plan can be confirmed;
/// no request.
pub fn plan(opts: Options, interactive: bool) -> Result<Plan, Error> {
    let bad = |field, reason| Error::Invalid { field, reason };
    let ns = &opts.namespace;
    let (source, destination) = match opts.prefix {
        false => (
            validate::existing_name(&opts.source, ns).map_err(|r| bad(Field::Source, r))?,
            validate::full_name(&opts.destination, ns).map_err(|r| bad(Field::Destination, r))?,
        ),
        true => {
            let src = validate::name_prefix(&opts.source, ns).map_err(|r| bad(Field::Prefix, r))?;
            if opts.moving {
                validate::deep_enough(&src, ns).map_err(|r| bad(Field::Prefix, r))?;
            }
            let dst = validate::name_prefix(&opts.destination, ns)
                .map_err(|r| bad(Field::Destination, r))?;
            (src, dst)
        }
    };
    if opts.same_account {
        let overlap = match opts.prefix {
            true => destination.starts_with(&source) || source.starts_with(&destination),
            false => source == destination,
        };
        if overlap {
            return Err(bad(
                Field::Destination,
                format!("{destination} overlaps {source} in the same account"),
            ));
        }
    }
    opts.confirm
        .check(interactive, if opts.moving { "moving" } else { "copying" })?;
    Ok(Plan {
        source,
        destination,
        opts,
    })
}

/// Reads both sides, shows the plan, confirms, writes batch by batch, (for `mv`) reads back
/// and deletes the sources, and reports every name.
pub async fn run<S: SecretStore>(
    plan: Plan,
    from: &Account<S>,
    to: &Account<S>,
    references: &[Reference],
    prompter: &Arc<dyn Prompter>,
    out: &mut Output,
    interrupts: &Interrupts,
) -> Result<u8> {
    let nothing = match plan.opts.moving {
        true => "nothing was moved",
        false => "nothing was copied",
    };
    let ids = match identities(&[from, to], nothing, out).await {
        Ok(ids) => ids,
        Err(code) => return Ok(code),
    };
    let sides = Sides {
        from: from.describe(&ids[0]),
        to: to.describe(&ids[1]),
        from_json: serde_json::json!({"account": ids[0].account, "profile": from.profile}),
        to_json: serde_json::json!({"account": ids[1].account, "profile": to.profile}),
    };
    let sources = read_sources(&plan, from, &ids[0].account).await?;
    let items = classify(&plan, sources, to).await?;
    let still = match plan.opts.moving {
        true => plan::still_declared(references, |p| items.iter().any(|i| i.src.name == p)),
        false => Vec::new(),
    };
    let shown = shown(&plan, &items, &sides, &still);
    let differs = items.iter().filter(|i| i.state == State::Differs).count();
    if differs > 0 {
        plan::print(&plan.opts.confirm, &shown, out)?;
        return Err(Error::WouldOverwrite { count: differs }.into());
    }
    let writes: Vec<&Item> = items
        .iter()
        .filter(|i| matches!(i.state, State::New | State::Overwrite))
        .collect();
    if writes.is_empty() && !plan.opts.moving && !plan.opts.confirm.dry_run {
        out.info(&shown.text);
        out.info("nothing to copy: every destination already holds its source's value");
        return report(&plan, &items, &Applied::default(), &sides, &still, out);
    }
    if let Go::Stop(code) =
        plan::show_and_confirm(&plan.opts.confirm, shown, prompter, nothing, out).await?
    {
        return Ok(code);
    }
    let mut applied = Applied::default();
    let (results, end) = in_batches(&writes, WRITE_BATCH, interrupts, out, |batch| {
        join_all(batch.iter().map(|i| write_one(&to.store, i)))
    })
    .await;
    applied.record_writes(&writes, results.into_iter().flatten(), end, out);
    for w in &applied.warnings {
        out.warn(w);
    }
    if plan.opts.moving && applied.all_written(&writes) {
        move_sources(&items, from, to, &mut applied, interrupts, out).await?;
    }
    let code = report(&plan, &items, &applied, &sides, &still, out)?;
    match applied.end {
        End::Complete => Ok(code),
        _ => Err(Error::Interrupted(format!(
            "each name's outcome is listed above{}",
            match plan.opts.moving {
                true => "; no source is deleted unless its line says so",
                false => "",
            }
        ))
        .into()),
    }
}

/// Both sides as plans and reports show them.
struct Sides {
    from: String,
    to: String,
    from_json: serde_json::Value,
    to_json: serde_json::Value,
}

async fn read_sources<S: SecretStore>(
    plan: &Plan,
    from: &Account<S>,
    account: &str,
) -> Result<Vec<Stored>> {
    let names = match plan.opts.prefix {
        false => vec![plan.source.clone()],
        true => {
            let mut names = from
                .store
                .names_beginning(&plan.source)
                .await
                .map_err(Error::from)?;
            names.sort();
            names.dedup();
            names
        }
    };
    let mut found = match names.is_empty() {
        true => Vec::new(),
        false => from.store.read_full(&names).await.map_err(Error::from)?,
    };
    if found.is_empty() {
        let what = match plan.opts.prefix {
            false => format!("no parameter {}", plan.source),
            true => format!("no parameter's name begins with {}", plan.source),
        };
        return Err(Error::NotFound {
            what,
            account: account.to_string(),
            profile: from.label().to_string(),
        }
        .into());
    }
    found.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(found)
}

/// Each source's destination name (checked as `create` checks names) and state.
async fn classify<S: SecretStore>(
    plan: &Plan,
    sources: Vec<Stored>,
    to: &Account<S>,
) -> Result<Vec<Item>> {
    let mut dsts = Vec::with_capacity(sources.len());
    for s in &sources {
        let dst = match plan.opts.prefix {
            false => plan.destination.clone(),
            true => format!("{}{}", plan.destination, &s.name[plan.source.len()..]),
        };
        let dst = validate::full_name(&dst, &plan.opts.namespace).map_err(|reason| {
            Error::Invalid {
                field: Field::Destination,
                reason: format!("{} cannot be copied to {dst}: {reason}", s.name),
            }
        })?;
        dsts.push(dst);
    }
    let existing: HashMap<String, Stored> = to
        .store
        .read_full(&dsts)
        .await
        .map_err(Error::from)?
        .into_iter()
        .map(|p| (p.name.clone(), p))
        .collect();
    Ok(sources
        .into_iter()
        .zip(dsts)
        .map(|(src, dst)| {
            let state = match existing.get(&dst) {
                None => State::New,
                Some(d) if d.value == src.value && d.kind == src.kind => State::Unchanged,
                Some(_) if plan.opts.overwrite => State::Overwrite,
                Some(_) => State::Differs,
            };
            Item { src, dst, state }
        })
        .collect())
}

fn shown<'r>(
    plan: &Plan,
    items: &[Item],
    sides: &Sides,
    still: &'r [&'r Reference],
) -> Shown<'r> {
    let verb = if plan.opts.moving { "move" } else { "copy" };
    let mut text = format!(
        "About to {verb} {}\n  from {}\n  to   {}",
        plan::count(items.len()),
        sides.from,
        sides.to
    );
    for i in items {
        text.push_str(&format!("\n  {:<9}  {} -> {}", i.state.word(), i.src.name, i.dst));
        if i.state == State::Differs {
            text.push_str("  (holds another value; --overwrite replaces it)");
        }
    }
    let rows: Vec<serde_json::Value> = items
        .iter()
        .map(|i| {
            serde_json::json!({
                "source": i.src.name, "source_version": i.src.version,
                "destination": i.dst, "status": i.state.word(),
            })
        })
        .collect();
    Shown {
        text,
        still,
        question: format!("{} {}?", if plan.opts.moving { "Move" } else { "Copy" }, plan::count(items.len())),
        json: serde_json::json!({
            "from": sides.from_json, "to": sides.to_json, "items": rows,
            "references": still,
        }),
    }
}

/// One PutParameter with the source's type, description, tier, tags and key; a key the
/// destination rejects (`InvalidKeyId`) is replaced by its default key, with a warning.
async fn write_one<S: SecretStore>(
    to: &S,
    item: &Item,
) -> (Result<i64, StoreError>, Option<String>) {
    let src = &item.src;
    let mut param = NewParameter {
        name: item.dst.clone(),
        value: src.value.clone(),
        kind: src.kind,
        description: src.description.clone(),
        key_id: src
            .key_id
            .clone()
            .filter(|k| src.kind == Kind::SecureString && k != DEFAULT_KEY),
        tier: src.tier,
        tags: src.tags.clone(),
        overwrite: item.state == State::Overwrite,
    };
    match to.put(&param).await {
        Err(StoreError::Service { code, .. }) if code == "InvalidKeyId" => {
            let key = param.key_id.take().unwrap_or_default();
            let warning = format!(
                "{}: the destination account cannot use KMS key {key}; encrypted with its \
                 default key ({DEFAULT_KEY}) instead",
                item.dst
            );
            (to.put(&param).await, Some(warning))
        }
        result => (result, None),
    }
}

/// What was done, name by name.
#[derive(Default)]
struct Applied {
    written: HashMap<String, Result<i64, String>>,
    codes: Vec<u8>,
    unknown: Vec<String>,
    warnings: Vec<String>,
    sources_deleted: Vec<String>,
    end: End,
}

impl Applied {
    fn record_writes(
        &mut self,
        writes: &[&Item],
        results: impl Iterator<Item = (Result<i64, StoreError>, Option<String>)>,
        end: End,
        out: &mut Output,
    ) {
        for (item, (result, warning)) in writes.iter().zip(results) {
            self.warnings.extend(warning);
            let result = result.map_err(|e| {
                out.error(
                    &format!("writing {} failed: {e}", item.dst),
                    store_hint(&e).as_deref(),
                );
                self.codes.push(store_exit_code(&e));
                e.to_string()
            });
            self.written.insert(item.dst.clone(), result);
        }
        if let End::Abandoned { pending } = end {
            let batch = writes.chunks(WRITE_BATCH).nth(pending).unwrap_or_default();
            self.unknown.extend(batch.iter().map(|i| i.dst.clone()));
        }
        self.end = end;
    }

    fn all_written(&self, writes: &[&Item]) -> bool {
        self.end == End::Complete
            && writes
                .iter()
                .all(|i| matches!(self.written.get(&i.dst), Some(Ok(_))))
    }

    fn status(&self, item: &Item) -> &'static str {
        match (item.state, self.written.get(&item.dst)) {
            (State::Unchanged, _) => "unchanged",
            (State::Overwrite, Some(Ok(_))) => "overwritten",
            (_, Some(Ok(_))) => "copied",
            (_, Some(Err(_))) => "failed",
            _ if self.unknown.contains(&item.dst) => "unknown",
            _ => "not-started",
        }
    }
}

/// `mv`'s second half: every destination read back and compared with its source; only if
/// all match are the sources deleted, 10 a request.
async fn move_sources<S: SecretStore>(
    items: &[Item],
    from: &Account<S>,
    to: &Account<S>,
    applied: &mut Applied,
    interrupts: &Interrupts,
    out: &mut Output,
) -> Result<()> {
    let dsts: Vec<String> = items.iter().map(|i| i.dst.clone()).collect();
    let back: HashMap<String, _> = match to.store.get_many(&dsts).await {
        Ok(found) => found.into_iter().map(|p| (p.name, p.value)).collect(),
        Err(e) => {
            out.error(
                &format!("reading the copies back failed, so no source was deleted: {e}"),
                store_hint(&e).as_deref(),
            );
            applied.codes.push(store_exit_code(&e));
            return Ok(());
        }
    };
    let differ: Vec<&str> = items
        .iter()
        .filter(|i| back.get(&i.dst) != Some(&i.src.value))
        .map(|i| i.dst.as_str())
        .collect();
    if !differ.is_empty() {
        out.error(
            &format!(
                "{} did not read back with its source's value, so no source was deleted",
                differ.join(", ")
            ),
            Some("someone may be writing there at the same time; check it, then run `secrets mv` again"),
        );
        applied.codes.push(crate::error::exit::FAILURE);
        return Ok(());
    }
    let names: Vec<String> = items.iter().map(|i| i.src.name.clone()).collect();
    let (results, end) = in_batches(&names, DELETE_BATCH, interrupts, out, |batch| {
        from.store.delete(batch)
    })
    .await;
    for (batch, result) in names.chunks(DELETE_BATCH).zip(results) {
        match result {
            Ok(done) => {
                applied.sources_deleted.extend(done.deleted);
                applied.sources_deleted.extend(done.absent);
            }
            Err(e) => {
                out.error(
                    &format!(
                        "deleting the sources {} ... failed (their copies are in place): {e}",
                        batch.first().map_or("", String::as_str)
                    ),
                    store_hint(&e).as_deref(),
                );
                applied.codes.push(store_exit_code(&e));
            }
        }
    }
    applied.end = end;
    Ok(())
}

/// One line (or JSON row) per name, then what the infra code still declares; the exit code.
fn report(
    plan: &Plan,
    items: &[Item],
    applied: &Applied,
    sides: &Sides,
    still: &[&Reference],
    out: &mut Output,
) -> Result<u8> {
    let moving = plan.opts.moving;
    let deleted = |i: &Item| applied.sources_deleted.contains(&i.src.name);
    if plan.opts.confirm.json {
        let rows: Vec<serde_json::Value> = items
            .iter()
            .map(|i| {
                let mut row = serde_json::json!({
                    "source": i.src.name, "destination": i.dst, "status": applied.status(i),
                });
                if let Some(Ok(v)) = applied.written.get(&i.dst) {
                    row["version"] = serde_json::json!(v);
                }
                if let Some(Err(e)) = applied.written.get(&i.dst) {
                    row["error"] = serde_json::json!(e);
                }
                if moving {
                    row["source_deleted"] = serde_json::json!(deleted(i));
                }
                row
            })
            .collect();
        let doc = serde_json::json!({
            "from": sides.from_json, "to": sides.to_json, "items": rows, "references": still,
        });
        writeln!(out.data(), "{doc:#}")?;
    } else {
        for i in items {
            let status = match moving && deleted(i) {
                true => "moved",
                false => applied.status(i),
            };
            let mut line = format!("{status} {} -> {}", i.src.name, i.dst);
            if let Some(Ok(v)) = applied.written.get(&i.dst) {
                line.push_str(&format!(" (version {v})"));
            }
            if moving && !deleted(i) {
                line.push_str(" (source kept)");
            }
            writeln!(out.data(), "{line}")?;
        }
    }
    if moving && !still.is_empty() {
        out.warn("the infra code still declares the old names; update them in the same pull request:");
        for line in plan::reference_lines(still) {
            out.warn(&line);
        }
    }
    Ok(plan::combined(&applied.codes))
}
