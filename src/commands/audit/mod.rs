//! `secrets audit`: every service's declared secrets checked against every environment's
//! account, from metadata only. Identities first (a profile reaching the wrong account is an
//! error, not a silent pass), then one existence check per account, all accounts at once.

mod report;

use std::collections::{BTreeSet, HashSet};

use anyhow::Result;
use futures_util::future::join_all;

use crate::error::{self, Error, exit};
use crate::infra::Service;
use crate::infra::charts::Deployments;
use crate::model::{Env, Identity};
use crate::output::{Output, count};
use crate::resolve::{self, Row, Rules};
use crate::store::SecretStore;
use report::Report;

/// How to report.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Matrix and details.
    Text,
    /// One JSON object.
    Json,
    /// GitHub workflow annotations.
    Github,
}

/// What to audit, read from the infra code before any account is reached.
pub struct Plan {
    /// Each audited environment's services, as the reader reads them for it.
    pub services: Vec<(Env, Vec<Service>)>,
    /// Which environments the uber charts deploy each service to.
    pub deployments: Deployments,
    /// The namespace every service lives under (`/k8s/`).
    pub prefix: String,
    /// Output.
    pub format: Format,
    /// Also list parameters nothing references.
    pub unreferenced: bool,
    /// The repository's rules: rows are resolved as `list` resolves them, and every row's
    /// declared path is checked (an excluded or overridden name is still deployed).
    pub rules: Rules,
    /// With `--format github`: the job summary file to append a Markdown report to
    /// (`$GITHUB_STEP_SUMMARY`).
    pub step_summary: Option<std::path::PathBuf>,
}

/// One service audited in one environment, with the rows `list SERVICE --offline` shows.
pub(super) struct Audited<'p> {
    service: &'p Service,
    charted: bool,
    rows: Vec<Row>,
}

/// One environment's account.
pub struct Target<S> {
    /// The environment.
    pub env: Env,
    /// The profile that reaches it (None: the default credentials).
    pub profile: Option<String>,
    /// How it is named in messages: the profile, `NAME (AWS_PROFILE)`, `environment keys`.
    pub label: String,
    /// The account ID it must be, if configured.
    pub expected: Option<String>,
    /// Its store.
    pub store: S,
}

/// One declared row missing from one environment.
struct Missing<'a> {
    env: Env,
    service: &'a Service,
    row: &'a Row,
}

/// Checks every target's identity, then every declared path; returns the exit code.
pub async fn run<S: SecretStore>(
    plan: Plan,
    targets: &[Target<S>],
    out: &mut Output,
) -> Result<u8> {
    let identities = match identities(targets, out).await? {
        Ok(ids) => ids,
        Err(code) => return Ok(code),
    };
    let audited: Vec<Vec<Audited>> = targets.iter().map(|t| audited(&plan, t.env)).collect();
    warn_chart_choices(&plan, out);
    warn_references(&audited, out);
    let stored = match existing(targets, &audited, out).await {
        Ok(stored) => stored,
        Err(code) => return Ok(code),
    };
    let missing = missing(targets, &audited, &stored);
    let unreferenced = match plan.unreferenced {
        true => match unreferenced(&plan, targets, out).await {
            Ok(loose) => loose,
            Err(code) => return Ok(code),
        },
        false => Vec::new(),
    };
    let report = Report {
        plan: &plan,
        targets,
        identities: &identities,
        audited: &audited,
        missing: &missing,
        unreferenced: &unreferenced,
    };
    match plan.format {
        Format::Text => report.text(out)?,
        Format::Json => report.json(out)?,
        Format::Github => {
            report.github(out)?;
            if let Some(path) = &plan.step_summary {
                report.step_summary(path)?;
            }
        }
    }
    let services: BTreeSet<&str> = audited
        .iter()
        .flatten()
        .map(|a| a.service.name.as_str())
        .collect();
    out.info(&format!(
        "audit: {}, {}, {} missing",
        count(targets.len(), "environment"),
        count(services.len(), "service"),
        missing.len()
    ));
    Ok(if missing.is_empty() {
        exit::OK
    } else {
        exit::FAILURE
    })
}

/// Says which Secrets Manager references are not checked (they are not in Parameter Store's
/// metadata), rather than reporting them missing.
fn warn_references(audited: &[Vec<Audited<'_>>], out: &mut Output) {
    let references: BTreeSet<&str> = audited
        .iter()
        .flatten()
        .flat_map(|a| a.rows.iter())
        .filter(|r| checked(r).is_none())
        .filter_map(|r| r.declared.as_deref())
        .collect();
    if !references.is_empty() {
        out.warn(&format!(
            "not checked (audit reads Parameter Store metadata only, and Secrets Manager \
             references are not in it): {}",
            references.into_iter().collect::<Vec<_>>().join(", ")
        ));
    }
}

/// Per target, which of its services' declared paths exist: one existence check per account,
/// all accounts at once. `Err(code)` when an account failed, with the messages shown.
async fn existing<S: SecretStore>(
    targets: &[Target<S>],
    audited: &[Vec<Audited<'_>>],
    out: &mut Output,
) -> Result<Vec<HashSet<String>>, u8> {
    let lookups = targets.iter().zip(audited).map(|(t, services)| {
        let paths: BTreeSet<String> = services
            .iter()
            .flat_map(|a| a.rows.iter().filter_map(checked))
            .map(str::to_string)
            .collect();
        let paths: Vec<String> = paths.into_iter().collect();
        async move { t.store.existing(&paths).await }
    });
    let found = join_all(lookups).await;
    let mut stored = Vec::new();
    let mut failed = None;
    for (t, found) in targets.iter().zip(found) {
        match found {
            Ok(found) => stored.push(found),
            Err(e) => {
                failed.get_or_insert(out.report(&error::Report::from(&e).within(t.env.name())));
            }
        }
    }
    match failed {
        Some(code) => Err(code),
        None => Ok(stored),
    }
}

/// Every declared row absent from its environment's account.
fn missing<'a, S>(
    targets: &[Target<S>],
    audited: &'a [Vec<Audited>],
    stored: &[HashSet<String>],
) -> Vec<Missing<'a>> {
    let mut missing = Vec::new();
    for ((t, services), stored) in targets.iter().zip(audited).zip(stored) {
        for a in services {
            let absent = |r: &&Row| checked(r).is_some_and(|p| !stored.contains(p));
            for row in a.rows.iter().filter(absent) {
                missing.push(Missing {
                    env: t.env,
                    service: a.service,
                    row,
                });
            }
        }
    }
    missing
}

/// The Parameter Store path whose existence vouches for a row: its declared path (what the
/// deployment reads; a `#key` selects from the stored value); none for a Secrets Manager
/// reference, which DescribeParameters cannot see.
fn checked(row: &Row) -> Option<&str> {
    let (base, _) = crate::selector::split(row.declared.as_deref()?);
    (!base.starts_with(crate::selector::SECRETS_MANAGER)).then_some(base)
}

/// Every target's identity, checked against its configured account. `Ok(Err(code))` means
/// refused, with the messages shown.
async fn identities<S: SecretStore>(
    targets: &[Target<S>],
    out: &mut Output,
) -> Result<Result<Vec<Identity>, u8>> {
    let ids = join_all(targets.iter().map(|t| t.store.identity())).await;
    let mut code = None;
    let mut good = Vec::new();
    for (t, id) in targets.iter().zip(ids) {
        let label = t.label.as_str();
        match id {
            Err(e) => {
                code.get_or_insert(out.report(&error::Report::from(&e).within(t.env.name())));
            }
            Ok(id) if t.expected.as_ref().is_some_and(|a| *a != id.account) => {
                let err = Error::WrongAccount {
                    env: t.env.name(),
                    profile: label.to_string(),
                    expected: t.expected.clone().unwrap_or_default(),
                    actual: id.account.clone(),
                };
                code.get_or_insert(out.report(&error::Report::from(&err)));
            }
            Ok(id) => good.push(id),
        }
    }
    Ok(match code {
        Some(code) => Err(code),
        None => Ok(good),
    })
}

/// The services audited in `env`, with their rows: those the charts deploy there, each the
/// copy in the file the chart's import leads to, and, in dev, those no chart lists (a name
/// defined twice there counts once: the first, as `get` reads it).
fn audited(plan: &Plan, env: Env) -> Vec<Audited<'_>> {
    let Some((_, services)) = plan.services.iter().find(|(e, _)| *e == env) else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    services
        .iter()
        .filter(|s| {
            let charted = plan.deployments.charted(&s.name);
            match charted {
                true => plan.deployments.runs(&s.name, &s.file, env),
                false => env == Env::Dev && seen.insert(s.name.as_str()),
            }
        })
        .map(|s| Audited {
            service: s,
            charted: plan.deployments.charted(&s.name),
            rows: resolve::declared_rows(&s.reading.secrets, &plan.rules).0,
        })
        .collect()
}

/// For a charted service whose name more than one file defines: which file the charts use.
fn warn_chart_choices(plan: &Plan, out: &mut Output) {
    let Some((_, services)) = plan.services.first() else {
        return;
    };
    let mut said = HashSet::new();
    for entry in plan.deployments.by_env.values().flatten() {
        let files: Vec<&str> = services
            .iter()
            .filter(|s| s.name == entry.name)
            .map(|s| s.file.as_str())
            .collect();
        if files.len() > 1 && said.insert((&entry.name, &entry.file)) {
            let others: Vec<&str> = files.into_iter().filter(|f| *f != entry.file).collect();
            out.warn(&format!(
                "{} is also defined in {}; the charts import {}, which is audited",
                entry.name,
                others.join(", "),
                entry.file
            ));
        }
    }
}

/// Per environment, parameters under the prefix that no service declares (in any audited
/// environment) and that no sweep of `/k8s/<service>/` reads.
async fn unreferenced<S: SecretStore>(
    plan: &Plan,
    targets: &[Target<S>],
    out: &mut Output,
) -> Result<Vec<(Env, Vec<String>)>, u8> {
    let declared: HashSet<&str> = plan
        .services
        .iter()
        .flat_map(|(_, s)| s.iter())
        .flat_map(|s| s.reading.secrets.iter().map(|d| d.path.as_str()))
        .collect();
    let swept: Vec<String> = plan
        .services
        .iter()
        .flat_map(|(_, s)| s.iter())
        .map(|s| format!("{}{}/", plan.prefix, s.name))
        .collect();
    let listed = join_all(targets.iter().map(|t| t.store.names_under(&plan.prefix))).await;
    let mut all = Vec::new();
    for (t, names) in targets.iter().zip(listed) {
        let names = names.map_err(|e| out.report(&error::Report::from(&e).within(t.env.name())))?;
        let mut loose: Vec<String> = names
            .into_iter()
            .filter(|n| !declared.contains(n.as_str()) && !swept.iter().any(|p| n.starts_with(p)))
            .collect();
        loose.sort();
        all.push((t.env, loose));
    }
    Ok(all)
}
