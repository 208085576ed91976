//! `secrets create`: validate everything, confirm every target account, then create.

use std::io::Read;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};
use futures_util::future::join_all;

use crate::error::{Error, exit, store_exit_code};
use crate::output::Output;
use crate::prompt::{Prompter, ask};
use crate::store::{Identity, NewParameter, SecretStore, SecretValue};
use crate::validate::{self, Tag, Tier};

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
    /// `--type`: Some(true) SecureString, Some(false) String.
    pub secure: Option<bool>,
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
    /// The namespace names go under (`prefix` in .secrets.toml, else `/k8s/`).
    pub prefix: String,
}

/// One target account: the profile that reaches it (None: the default chain) and its store.
pub struct Account<S> {
    /// Profile name.
    pub profile: Option<String>,
    /// The store behind it.
    pub store: S,
}

impl<S> Account<S> {
    fn label(&self) -> &str {
        self.profile.as_deref().unwrap_or("default credentials")
    }
}

fn input(message: impl Into<String>, hint: impl Into<String>) -> Error {
    Error::Input {
        message: message.into(),
        hint: hint.into(),
    }
}

/// Runs `create`; returns the exit code.
pub async fn run<S: SecretStore>(
    opts: Options,
    accounts: Vec<Account<S>>,
    prompter: Arc<dyn Prompter>,
    out: &mut Output,
) -> Result<u8> {
    let (yes, json) = (opts.yes, opts.json);
    let param = gather(opts, &prompter, out).await?;
    let identities = match preflight(&accounts, &param, out).await? {
        Ok(identities) => identities,
        Err(code) => return Ok(code),
    };
    if !yes {
        if !prompter.interactive() {
            return Err(input(
                "creating a secret needs confirmation, and there is no terminal to ask on",
                "pass --yes",
            )
            .into());
        }
        out.info(&summary(&param, &accounts, &identities));
        if !ask(&prompter, |p| p.confirm("Are you sure?", true)).await? {
            out.info("nothing was created");
            return Ok(exit::FAILURE);
        }
    }
    let results = join_all(accounts.iter().map(|a| a.store.put(&param))).await;
    report(&accounts, &identities, &param, results, json, out)
}

/// Builds the parameter from flags, asking on a terminal for what is missing. Every flag
/// is checked before anything is asked, and everything before any request.
async fn gather(
    opts: Options,
    prompter: &Arc<dyn Prompter>,
    out: &mut Output,
) -> Result<NewParameter> {
    let interactive = prompter.interactive();
    // The full walk, as `yarn create-secret` did, only when nothing was given.
    let walk = interactive && opts.name.is_none() && matches!(opts.value, ValueSource::Ask);
    let flag_name = match &opts.name {
        Some(n) => Some(
            validate::full_name(n, &opts.prefix)
                .map_err(|m| input(m, "fix --name, e.g. --name my-app/MY_APP_KEY"))?,
        ),
        None => None,
    };
    let mut tags = parse_tags(&opts.tags)?;
    let name = match flag_name {
        Some(name) => name,
        None => ask_name(&opts.prefix, prompter, out).await?,
    };
    let value = read_value(opts.value, opts.tier, prompter).await?;
    let secure = match opts.secure {
        Some(secure) => secure,
        None if walk => ask(prompter, |p| p.confirm("SecureString?", true)).await?,
        None => true,
    };
    if walk && tags.is_empty() && ask(prompter, |p| p.confirm("Add tags?", false)).await? {
        let text = ask(prompter, |p| {
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
    Ok(NewParameter {
        name,
        value: SecretValue::new(value),
        secure,
        description: opts.description,
        key_id: opts.key_id,
        tier: opts.tier,
        tags,
        overwrite: opts.overwrite,
    })
}

async fn ask_name(prefix: &str, prompter: &Arc<dyn Prompter>, out: &mut Output) -> Result<String> {
    if !prompter.interactive() {
        return Err(input(
            "no --name given, and there is no terminal to ask on",
            "pass --name my-app/MY_APP_KEY",
        )
        .into());
    }
    let owned = prefix.to_string();
    let raw = ask(prompter, move |p| {
        p.text(
            &format!("Secret name: {owned}"),
            Box::new(move |s| validate::full_name(s, &owned).map(|_| ())),
        )
    })
    .await?;
    let name = validate::full_name(&raw, prefix).map_err(|m| input(m, "try again"))?;
    out.info(&format!("Name: {name}"));
    Ok(name)
}

async fn read_value(
    source: ValueSource,
    tier: Tier,
    prompter: &Arc<dyn Prompter>,
) -> Result<String> {
    let value = match source {
        ValueSource::Literal(v) => v.expose().to_string(),
        ValueSource::Stdin => read_stdin()?,
        ValueSource::File(path) => {
            let bytes = std::fs::read(&path)
                .with_context(|| format!("cannot read --value-file {}", path.display()))?;
            String::from_utf8(bytes).map_err(|_| {
                input(
                    format!("{} is not UTF-8 text", path.display()),
                    "SSM stores text only",
                )
            })?
        }
        ValueSource::Ask if prompter.interactive() => {
            ask(prompter, move |p| {
                p.secret(
                    "Secret value",
                    Box::new(move |s| validate::check_value(s, tier)),
                )
            })
            .await?
        }
        ValueSource::Ask => {
            return Err(input(
                "no value given, and there is no terminal to ask on",
                "pass --value-stdin (e.g. `printf %s \"$VALUE\" | secrets create --name ... --value-stdin`) or --value-file PATH",
            )
            .into());
        }
    };
    validate::check_value(&value, tier).map_err(|m| {
        let hint = match tier {
            Tier::Standard => "shorten it, or pass --tier Advanced",
            Tier::Advanced => "shorten it",
        };
        input(m, hint)
    })?;
    Ok(value)
}

/// Checks every account before anything is created anywhere: its identity, then that the
/// name is free (unless overwriting). `Ok(Err(code))` means refused, with the messages shown.
async fn preflight<S: SecretStore>(
    accounts: &[Account<S>],
    param: &NewParameter,
    out: &mut Output,
) -> Result<Result<Vec<Identity>, u8>> {
    let identities = join_all(accounts.iter().map(|a| a.store.identity())).await;
    let mut failed = None;
    for (account, identity) in accounts.iter().zip(&identities) {
        if let Err(e) = identity {
            out.error(
                &format!("profile {}: {e}", account.label()),
                e.hint().as_deref(),
            );
            failed.get_or_insert(store_exit_code(e));
        }
    }
    if let Some(code) = failed {
        out.info("nothing was created");
        return Ok(Err(code));
    }
    let identities: Vec<Identity> = identities.into_iter().flatten().collect();
    if param.overwrite {
        return Ok(Ok(identities));
    }
    let existing = join_all(accounts.iter().map(|a| a.store.describe(&param.name))).await;
    let mut refused = false;
    for ((account, id), found) in accounts.iter().zip(&identities).zip(existing) {
        if let Some(e) = found.map_err(Error::from)? {
            let err = Error::Exists {
                name: param.name.clone(),
                account: id.account.clone(),
                profile: account.label().to_string(),
                version: e.version,
                modified: e.last_modified.unwrap_or_else(|| "unknown".into()),
            };
            out.error(&err.to_string(), err.hint().as_deref());
            refused = true;
        }
    }
    Ok(if refused {
        Err(exit::EXISTS)
    } else {
        Ok(identities)
    })
}

/// What the confirmation shows: name, type, tags, and every target account and identity.
fn summary<S>(param: &NewParameter, accounts: &[Account<S>], identities: &[Identity]) -> String {
    let mut text = format!("About to create {} ({})", param.name, kind(param));
    if !param.tags.is_empty() {
        let tags: Vec<String> = param
            .tags
            .iter()
            .map(|t| format!("{}={}", t.key, t.value))
            .collect();
        text.push_str(&format!(" with tags {}", tags.join(" ")));
    }
    for (account, id) in accounts.iter().zip(identities) {
        text.push_str(&format!(
            "\n  in account {} as {} (profile {})",
            id.account,
            id.arn,
            account.label()
        ));
    }
    text
}

fn kind(param: &NewParameter) -> &'static str {
    if param.secure {
        "SecureString"
    } else {
        "String"
    }
}

fn report<S>(
    accounts: &[Account<S>],
    identities: &[Identity],
    param: &NewParameter,
    results: Vec<Result<i64, crate::store::StoreError>>,
    json: bool,
    out: &mut Output,
) -> Result<u8> {
    let kind = kind(param);
    let verb = if param.overwrite {
        "Updated"
    } else {
        "Created"
    };
    let mut codes = Vec::new();
    let mut rows = Vec::new();
    for ((account, id), result) in accounts.iter().zip(identities).zip(results) {
        match result {
            Ok(version) => {
                if json {
                    rows.push(serde_json::json!({
                        "name": param.name, "type": kind, "version": version,
                        "account": id.account, "profile": account.profile,
                        "status": if param.overwrite { "updated" } else { "created" },
                    }));
                } else {
                    writeln!(
                        out.data(),
                        "{verb} {} ({kind}, version {version}) in {} ({})",
                        param.name,
                        id.account,
                        account.label()
                    )?;
                }
            }
            Err(e) => {
                let err = Error::from(e);
                codes.push(err.exit_code());
                out.error(
                    &format!("in {} ({}): {err}", id.account, account.label()),
                    err.hint().as_deref(),
                );
                rows.push(serde_json::json!({
                    "name": param.name, "type": kind, "account": id.account,
                    "profile": account.profile, "status": "failed", "error": err.to_string(),
                }));
            }
        }
    }
    if json {
        writeln!(out.data(), "{:#}", serde_json::Value::Array(rows))?;
    }
    Ok(match codes.as_slice() {
        [] => exit::OK,
        [first, rest @ ..] if rest.iter().all(|c| c == first) => *first,
        _ => exit::FAILURE,
    })
}

fn parse_tags(words: &[String]) -> Result<Vec<Tag>, Error> {
    let hint = "write tags as Key=team,Value=core (Key and Value are case-sensitive)";
    let mut tags = Vec::new();
    for w in words {
        tags.extend(validate::parse_tags(w).map_err(|m| input(m, hint))?);
    }
    validate::check_tags(&tags).map_err(|m| input(m, hint))?;
    Ok(tags)
}

fn read_stdin() -> Result<String> {
    let mut bytes = Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .context("cannot read the value from stdin")?;
    let mut text = String::from_utf8(bytes).map_err(|_| {
        input(
            "the value on stdin is not UTF-8 text",
            "SSM stores text only",
        )
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
