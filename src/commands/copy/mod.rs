//! `secrets cp` and `secrets mv`: one parameter, or every parameter whose name begins with a
//! prefix, into new names, in the same account or another, with everything but the value's
//! history carried over. `mv` deletes the sources only after every copy has been read back.

mod apply;
mod report;

use std::collections::HashMap;
use std::sync::Arc;

use anyhow::Result;

use super::accounts::{Account, identities};
use super::batches::End;
use super::declare;
use super::plan::{self, Confirm, Go};
use crate::error::{Error, Field, exit};
use crate::infra::Reference;
use crate::interrupt::Interrupts;
use crate::model::Stored;
use crate::output::Output;
use crate::prompt::Prompter;
use crate::store::SecretStore;
use crate::validate;
use apply::{Applied, move_sources, write_all};
use report::{Sides, report, shown};

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
    /// `mv --update-infra`: the repository whose infra code is rewritten after the move.
    pub update_infra: Option<std::path::PathBuf>,
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
    let plan = Plan {
        source,
        destination,
        opts,
    };
    if plan.opts.same_account && plan.overlaps() {
        return Err(plan.overlap_error("in the same account"));
    }
    plan.opts.confirm.check(
        interactive,
        if plan.opts.moving {
            "moving"
        } else {
            "copying"
        },
    )?;
    Ok(plan)
}

impl Plan {
    /// Whether a source could be its own destination (or a destination another's source).
    fn overlaps(&self) -> bool {
        match self.opts.prefix {
            true => {
                self.destination.starts_with(&self.source)
                    || self.source.starts_with(&self.destination)
            }
            false => self.source == self.destination,
        }
    }

    fn overlap_error(&self, place: &str) -> Error {
        Error::Invalid {
            field: Field::Destination,
            reason: format!("{} overlaps {} {place}", self.destination, self.source),
        }
    }
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
    // Two profiles may reach one account: then a move onto itself would delete the copy.
    if ids[0].account == ids[1].account && plan.overlaps() {
        let (a, b) = tokio::join!(from.store.session(), to.store.session());
        if a.region == b.region {
            let place = format!("in account {} ({})", ids[0].account, a.region);
            return Err(plan.overlap_error(&place).into());
        }
    }
    let sides = Sides::new((from, &ids[0]), (to, &ids[1]));
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
    // `--update-infra`: the rewrites, computed (and checked) before anything is changed.
    let infra = plan.opts.update_infra.as_deref().map(|root| {
        let moves: Vec<(String, String)> = items
            .iter()
            .map(|i| (i.src.name.clone(), i.dst.clone()))
            .collect();
        declare::rewrites(root, &still, &moves)
    });
    if let Go::Stop(code) =
        plan::show_and_confirm(&plan.opts.confirm, shown, prompter, nothing, out).await?
    {
        if let (true, Some((edits, by_hand))) = (plan.opts.confirm.dry_run, &infra) {
            declare::show(edits, out)?;
            by_hand.iter().for_each(|l| out.warn(l));
        }
        return Ok(code);
    }
    let mut applied = write_all(&writes, to, interrupts, out).await;
    if plan.opts.moving && applied.all_written(&writes) {
        move_sources(&items, from, to, &mut applied, interrupts, out).await?;
    }
    let code = report(&plan, &items, &applied, &sides, &still, out)?;
    // Only once every source is gone is the infra code pointed at the new names.
    let moved = items
        .iter()
        .all(|i| applied.sources_deleted.contains(&i.src.name));
    if let (true, Some((edits, by_hand))) = (moved && code == exit::OK, &infra) {
        declare::write(edits, "updated", out)?;
        by_hand.iter().for_each(|l| out.warn(l));
    }
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
        false => from
            .store
            .read_full(&names, true)
            .await
            .map_err(Error::from)?,
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
            true => {
                let rest = s.name.strip_prefix(&plan.source).unwrap_or(&s.name);
                format!("{}{rest}", plan.destination)
            }
        };
        let dst =
            validate::full_name(&dst, &plan.opts.namespace).map_err(|reason| Error::Invalid {
                field: Field::Destination,
                reason: format!("{} cannot be copied to {dst}: {reason}", s.name),
            })?;
        dsts.push(dst);
    }
    let existing: HashMap<String, Stored> = to
        .store
        // Only value and type are compared: the destination's tags are not read.
        .read_full(&dsts, false)
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
