//! `secrets create`: check every flag, ask for what is missing, confirm every target
//! account, then create. The phases are separate functions so the wiring can connect to the
//! accounts only once the request is known to be valid.

mod preflight;
mod report;

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use futures_util::StreamExt;
use futures_util::stream::FuturesUnordered;

pub use super::accounts::Account;
use crate::commands::ask;
use crate::error::{Error, Field, Needed, exit};
use crate::interrupt::Interrupts;
use crate::model::{Kind, NewParameter, SecretValue, Tag, Tier};
use crate::output::Output;
use crate::prompt::Prompter;
use crate::store::{SecretStore, StoreError};
use crate::validate;
use preflight::preflight;
pub use preflight::refuse_existing;
use report::{report, summary};

/// Where the value comes from.
#[derive(Debug, Clone)]
pub enum ValueSource {
    /// Ask on the terminal (hidden, twice).
    Ask,
    /// Given on the command line.
    Literal(SecretValue),
    /// Read from stdin.
    Stdin,
    /// Read from a file.
    File(PathBuf),
}

/// What `create` was asked to do, as plain values.
#[derive(Debug, Clone)]
pub struct Options {
    /// `--name`.
    pub name: Option<String>,
    /// The value's source.
    pub value: ValueSource,
    /// `--type`.
    pub kind: Option<Kind>,
    /// Each `--tags` word and each `--tag`, unparsed.
    pub tags: Vec<String>,
    /// `--description`.
    pub description: Option<String>,
    /// `--key-id`.
    pub key_id: Option<String>,
    /// `--tier`.
    pub tier: Tier,
    /// `--overwrite`.
    pub overwrite: bool,
    /// `--yes`.
    pub yes: bool,
    /// `--json`.
    pub json: bool,
    /// Check everything, write nothing.
    pub dry_run: bool,
    /// The namespace names go under (`prefix` in .secrets.toml, else `/k8s/`).
    pub prefix: String,
}

/// The flags, checked: everything given is valid, and everything missing can be asked.
#[derive(Debug)]
pub struct Plan {
    name: Option<String>,
    value: Option<SecretValue>,
    tags: Vec<Tag>,
    opts: Options,
    interactive: bool,
    /// The name was asked on its own first ([`name_first`]): the walk goes on as if not.
    asked_name: bool,
}

impl Plan {
    /// Whether the name is still to be asked on the terminal.
    pub fn asks_name(&self) -> bool {
        self.interactive && self.name.is_none()
    }

    /// `--overwrite`.
    pub fn overwrite(&self) -> bool {
        self.opts.overwrite
    }
}

/// Asks the name on its own, so that whether it exists can be checked before the value is
/// typed.
pub async fn name_first(
    plan: &mut Plan,
    prompter: &Arc<dyn Prompter>,
    out: &mut Output,
) -> Result<String> {
    let name = ask_name(&plan.opts.prefix, prompter, out).await?;
    plan.name = Some(name.clone());
    plan.asked_name = true;
    Ok(name)
}

/// The parameter to create and how to report it, once nothing is left to ask.
#[derive(Debug)]
pub struct Job {
    /// The parameter.
    pub param: NewParameter,
    /// `--yes`.
    pub yes: bool,
    /// `--json`.
    pub json: bool,
    /// `--dry-run`: every check made, nothing written.
    pub dry_run: bool,
}

/// Checks every flag (reading `--value-file` or `stdin` if named) with no prompt and no
/// request; without a terminal, anything missing is an error naming the flag.
pub fn plan(opts: Options, interactive: bool, stdin: &mut dyn Read) -> Result<Plan> {
    let name = match &opts.name {
        Some(n) => Some(
            validate::full_name(n, &opts.prefix).map_err(|reason| Error::Invalid {
                field: Field::Name,
                reason,
            })?,
        ),
        None if !interactive => return Err(Error::NoTerminal(Needed::Name).into()),
        None => None,
    };
    let tags = parse_tags(&opts.tags)?;
    let value = match &opts.value {
        ValueSource::Literal(v) => Some(v.expose().to_string()),
        ValueSource::Stdin => Some(read_stdin(stdin)?),
        ValueSource::File(path) => {
            let bytes = std::fs::read(path)
                .with_context(|| format!("cannot read --value-file {}", path.display()))?;
            Some(String::from_utf8(bytes).map_err(|_| Error::Invalid {
                field: Field::Text,
                reason: format!("{} is not UTF-8 text", path.display()),
            })?)
        }
        ValueSource::Ask if !interactive => return Err(Error::NoTerminal(Needed::Value).into()),
        ValueSource::Ask => None,
    };
    if let Some(v) = &value {
        check_value(v, opts.tier)?;
    }
    // A dry run asks nothing, so it needs no --yes (as cp, mv and rm).
    if !opts.yes && !opts.dry_run && !interactive {
        return Err(Error::NoTerminal(Needed::Confirmation).into());
    }
    Ok(Plan {
        name,
        value: value.map(SecretValue::new),
        tags,
        opts,
        interactive,
        asked_name: false,
    })
}

/// Asks on the terminal for what the flags left out: the full walk of `yarn create-secret`
/// when neither name nor value was given, else only what is missing.
pub async fn complete(plan: Plan, prompter: &Arc<dyn Prompter>, out: &mut Output) -> Result<Job> {
    let Plan {
        name,
        value,
        mut tags,
        opts,
        interactive,
        asked_name,
    } = plan;
    let walk = interactive && (name.is_none() || asked_name) && value.is_none();
    let name = match name {
        Some(name) => name,
        None => ask_name(&opts.prefix, prompter, out).await?,
    };
    let value = match value {
        Some(value) => value,
        None => {
            let tier = opts.tier;
            let check = move |s: &str| validate::check_value(s, tier);
            let typed = ask(prompter, NOTHING, move |p| {
                p.secret("Secret value (hidden, typed twice)", Box::new(check))
            })
            .await?;
            check_value(&typed, tier)?;
            SecretValue::new(typed)
        }
    };
    let kind = match opts.kind {
        Some(kind) => kind,
        None if walk => match ask(prompter, NOTHING, |p| p.confirm("SecureString?", true)).await? {
            true => Kind::SecureString,
            false => Kind::String,
        },
        None => Kind::SecureString,
    };
    if walk && tags.is_empty() && ask(prompter, NOTHING, |p| p.confirm("Add tags?", false)).await? {
        let text = ask(prompter, NOTHING, |p| {
            p.text(
                "Tags (Key=Foo,Value=Bar Key=Another,Value=Tag)",
                Box::new(|s| validate::parse_tags(s).and_then(|t| validate::check_tags(&t))),
            )
        })
        .await?;
        tags = parse_tags(&[text])?;
    }
    if !validate::last_level_is_identifier(&name) {
        out.warn(&format!(
            "`secrets get` will skip {name}: its last level is not a valid environment variable name"
        ));
    }
    Ok(Job {
        param: NewParameter {
            name,
            value,
            kind,
            description: opts.description,
            key_id: opts.key_id,
            tier: opts.tier,
            tags,
            overwrite: opts.overwrite,
        },
        yes: opts.yes,
        json: opts.json,
        dry_run: opts.dry_run,
    })
}

const NOTHING: &str = "nothing was created";

/// Checks every account, confirms, creates in all of them at once, and reports each.
pub async fn run<S: SecretStore>(
    job: Job,
    accounts: &[Account<S>],
    prompter: &Arc<dyn Prompter>,
    out: &mut Output,
    interrupts: &Interrupts,
) -> Result<u8> {
    let param = &job.param;
    let identities = match preflight(accounts, &param.name, param.overwrite, out).await? {
        Ok(identities) => identities,
        Err(code) => return Ok(code),
    };
    if job.dry_run {
        out.info(&summary(param, accounts, &identities));
        out.info("dry run: nothing was created");
        return Ok(exit::OK);
    }
    if !job.yes {
        out.info(&summary(param, accounts, &identities));
        if !ask(prompter, NOTHING, |p| p.confirm("Are you sure?", true)).await? {
            out.info(NOTHING);
            return Ok(exit::FAILURE);
        }
    }
    let (results, interrupted) = write_all(param, accounts, out, interrupts).await;
    let code = report(accounts, &identities, param, results, job.json, out)?;
    if interrupted {
        return Err(Error::Interrupted("each account's outcome is listed above".into()).into());
    }
    Ok(code)
}

/// PutParameter in every account at once. A first Ctrl-C lets the requests already sent
/// finish, so each outcome is known; a second stops waiting.
async fn write_all<S: SecretStore>(
    param: &NewParameter,
    accounts: &[Account<S>],
    out: &mut Output,
    interrupts: &Interrupts,
) -> (Vec<Option<Result<i64, StoreError>>>, bool) {
    let _shield = interrupts.shield();
    let mut signals = interrupts.clone();
    let mut pending: FuturesUnordered<_> = accounts
        .iter()
        .enumerate()
        .map(|(i, a)| async move { (i, a.store.put(param).await) })
        .collect();
    let mut results: Vec<Option<Result<i64, StoreError>>> = accounts.iter().map(|_| None).collect();
    let mut interrupts_seen = 0;
    loop {
        tokio::select! {
            done = pending.next() => match done {
                Some((i, result)) => results[i] = Some(result),
                None => break,
            },
            () = signals.next() => {
                interrupts_seen += 1;
                if interrupts_seen > 1 {
                    break;
                }
                out.info("interrupted: finishing the requests already sent, to report each \
                          account (Ctrl-C again to stop waiting)");
            }
        }
    }
    (results, interrupts_seen > 0)
}

/// Builds the parameter from flags, asking on a terminal for what is missing.
async fn ask_name(prefix: &str, prompter: &Arc<dyn Prompter>, out: &mut Output) -> Result<String> {
    let owned = prefix.to_string();
    let raw = ask(prompter, NOTHING, move |p| {
        p.text(
            &format!("Secret name: {owned}"),
            Box::new(move |s| validate::full_name(s, &owned).map(|_| ())),
        )
    })
    .await?;
    let name = validate::full_name(&raw, prefix).map_err(|reason| Error::Invalid {
        field: Field::Name,
        reason,
    })?;
    out.info(&format!("Name: {name}"));
    Ok(name)
}

fn check_value(value: &str, tier: Tier) -> Result<(), Error> {
    validate::check_value(value, tier).map_err(|reason| Error::Invalid {
        field: Field::Value(tier),
        reason,
    })
}

fn parse_tags(words: &[String]) -> Result<Vec<Tag>, Error> {
    let bad = |reason| Error::Invalid {
        field: Field::Tags,
        reason,
    };
    let mut tags = Vec::new();
    for w in words {
        tags.extend(validate::parse_tags(w).map_err(bad)?);
    }
    validate::check_tags(&tags).map_err(bad)?;
    Ok(tags)
}

fn read_stdin(stdin: &mut dyn Read) -> Result<String> {
    let mut bytes = Vec::new();
    stdin
        .read_to_end(&mut bytes)
        .context("cannot read the value from stdin")?;
    let mut text = String::from_utf8(bytes).map_err(|_| Error::Invalid {
        field: Field::Text,
        reason: "the value on stdin is not UTF-8 text".into(),
    })?;
    // `echo value | secrets create --value-stdin` must not store the newline echo adds.
    if text.ends_with('\n') {
        text.pop();
        if text.ends_with('\r') {
            text.pop();
        }
    }
    Ok(text)
}
