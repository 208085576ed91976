//! `secrets audit`: every service's declared secrets checked against every environment's
//! account, from metadata only. Identities first (a profile reaching the wrong account is an
//! error, not a silent pass), then one existence check per account, all accounts at once.

use std::collections::{BTreeSet, HashSet};

use anyhow::Result;
use futures_util::future::join_all;

use crate::error::{Error, exit, store_exit_code, store_hint};
use crate::infra::charts::Deployments;
use crate::infra::{Declared, Service};
use crate::model::{Env, Identity};
use crate::output::Output;
use crate::store::SecretStore;

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
}

/// One environment's account.
pub struct Target<S> {
    /// The environment.
    pub env: Env,
    /// The profile that reaches it (None: the default credentials).
    pub profile: Option<String>,
    /// The account ID it must be, if configured.
    pub expected: Option<String>,
    /// Its store.
    pub store: S,
}

/// One declared secret missing from one environment.
struct Missing<'p> {
    env: Env,
    service: &'p str,
    secret: &'p Declared,
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
    let audited: Vec<Vec<(&Service, bool)>> =
        targets.iter().map(|t| audited(&plan, t.env)).collect();
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
        Format::Github => report.github(out)?,
    }
    let services: BTreeSet<&str> = audited
        .iter()
        .flatten()
        .map(|(s, _)| s.name.as_str())
        .collect();
    out.info(&format!(
        "audit: {} environment{}, {} service{}, {} missing",
        targets.len(),
        plural(targets.len()),
        services.len(),
        plural(services.len()),
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
fn warn_references(audited: &[Vec<(&Service, bool)>], out: &mut Output) {
    let references: BTreeSet<&str> = audited
        .iter()
        .flatten()
        .flat_map(|(s, _)| s.reading.secrets.iter())
        .filter(|d| checked(d).is_none())
        .map(|d| d.path.as_str())
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
    audited: &[Vec<(&Service, bool)>],
    out: &mut Output,
) -> Result<Vec<HashSet<String>>, u8> {
    let lookups = targets.iter().zip(audited).map(|(t, services)| {
        let paths: BTreeSet<String> = services
            .iter()
            .flat_map(|(s, _)| s.reading.secrets.iter().filter_map(checked))
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
                out.error(&format!("{}: {e}", t.env.name()), store_hint(&e).as_deref());
                failed.get_or_insert(store_exit_code(&e));
            }
        }
    }
    match failed {
        Some(code) => Err(code),
        None => Ok(stored),
    }
}

/// Every declared secret absent from its environment's account.
fn missing<'p, S>(
    targets: &[Target<S>],
    audited: &[Vec<(&'p Service, bool)>],
    stored: &[HashSet<String>],
) -> Vec<Missing<'p>> {
    let mut missing = Vec::new();
    for ((t, services), stored) in targets.iter().zip(audited).zip(stored) {
        for (service, _) in services {
            let absent = |d: &&Declared| checked(d).is_some_and(|p| !stored.contains(p));
            for d in service.reading.secrets.iter().filter(absent) {
                missing.push(Missing {
                    env: t.env,
                    service: &service.name,
                    secret: d,
                });
            }
        }
    }
    missing
}

/// The Parameter Store path whose existence vouches for `d` (a `#key` selects from the
/// stored value); none for a Secrets Manager reference, which DescribeParameters cannot see.
fn checked(d: &Declared) -> Option<&str> {
    let (base, _) = crate::selector::split(&d.path);
    (!base.starts_with(crate::selector::SECRETS_MANAGER)).then_some(base)
}

fn plural(n: usize) -> &'static str {
    if n == 1 { "" } else { "s" }
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
        let label = t.profile.as_deref().unwrap_or("default credentials");
        match id {
            Err(e) => {
                out.error(&format!("{}: {e}", t.env.name()), store_hint(&e).as_deref());
                code.get_or_insert(store_exit_code(&e));
            }
            Ok(id) if t.expected.as_ref().is_some_and(|a| *a != id.account) => {
                let err = Error::WrongAccount {
                    env: t.env.name(),
                    profile: label.to_string(),
                    expected: t.expected.clone().unwrap_or_default(),
                    actual: id.account.clone(),
                };
                out.error(&err.to_string(), err.hint().as_deref());
                code.get_or_insert(err.exit_code());
            }
            Ok(id) => good.push(id),
        }
    }
    Ok(match code {
        Some(code) => Err(code),
        None => Ok(good),
    })
}

/// The services audited in `env`, each with whether a chart lists it: those the charts
/// deploy there and, in dev, those no chart lists. A name defined twice counts once (the
/// first, as `get` reads it).
fn audited(plan: &Plan, env: Env) -> Vec<(&Service, bool)> {
    let Some((_, services)) = plan.services.iter().find(|(e, _)| *e == env) else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    services
        .iter()
        .filter(|s| seen.insert(s.name.as_str()))
        .filter_map(|s| {
            let charted = plan.deployments.charted(&s.name);
            let runs = plan.deployments.runs(&s.name, env) || (env == Env::Dev && !charted);
            runs.then_some((s, charted))
        })
        .collect()
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
        let names = names.map_err(|e| {
            out.error(&format!("{}: {e}", t.env.name()), store_hint(&e).as_deref());
            store_exit_code(&e)
        })?;
        let mut loose: Vec<String> = names
            .into_iter()
            .filter(|n| !declared.contains(n.as_str()) && !swept.iter().any(|p| n.starts_with(p)))
            .collect();
        loose.sort();
        all.push((t.env, loose));
    }
    Ok(all)
}

/// Everything found, to render.
struct Report<'r, 'p, S> {
    plan: &'r Plan,
    targets: &'r [Target<S>],
    identities: &'r [Identity],
    audited: &'r [Vec<(&'p Service, bool)>],
    missing: &'r [Missing<'p>],
    unreferenced: &'r [(Env, Vec<String>)],
}

impl<S> Report<'_, '_, S> {
    /// Every audited service name, in the order first met.
    fn services(&self) -> Vec<(&str, bool)> {
        let mut seen = HashSet::new();
        self.audited
            .iter()
            .flatten()
            .filter(|(s, _)| seen.insert(s.name.as_str()))
            .map(|(s, charted)| (s.name.as_str(), *charted))
            .collect()
    }

    /// `ok`, `N missing`, or `-` (not deployed there).
    fn cell(&self, i: usize, service: &str) -> String {
        let env = self.targets[i].env;
        if !self.audited[i].iter().any(|(s, _)| s.name == service) {
            return "-".into();
        }
        let n = self
            .missing
            .iter()
            .filter(|m| m.env == env && m.service == service)
            .count();
        if n == 0 {
            "ok".into()
        } else {
            format!("{n} missing")
        }
    }

    fn account(&self, env: Env) -> (&str, &str) {
        let i = self.targets.iter().position(|t| t.env == env).unwrap_or(0);
        (
            self.identities.get(i).map_or("?", |id| id.account.as_str()),
            self.targets
                .get(i)
                .and_then(|t| t.profile.as_deref())
                .unwrap_or("default credentials"),
        )
    }

    fn text(&self, out: &mut Output) -> Result<()> {
        let mut rows: Vec<Vec<String>> = vec![
            std::iter::once("SERVICE".to_string())
                .chain(self.targets.iter().map(|t| t.env.name().to_string()))
                .collect(),
        ];
        for (service, charted) in self.services() {
            let name = match charted {
                true => service.to_string(),
                false => format!("{service} (in no chart)"),
            };
            let cells = (0..self.targets.len()).map(|i| self.cell(i, service));
            rows.push(std::iter::once(name).chain(cells).collect());
        }
        let widths: Vec<usize> = (0..rows[0].len())
            .map(|c| rows.iter().map(|r| r[c].chars().count()).max().unwrap_or(0))
            .collect();
        for row in &rows {
            let cells: Vec<String> = row
                .iter()
                .zip(&widths)
                .map(|(cell, w)| format!("{cell:<w$}"))
                .collect();
            writeln!(out.data(), "{}", cells.join("  ").trim_end())?;
        }
        for t in self.targets {
            let here: Vec<&Missing> = self.missing.iter().filter(|m| m.env == t.env).collect();
            if here.is_empty() {
                continue;
            }
            let (account, profile) = self.account(t.env);
            writeln!(
                out.data(),
                "\nmissing in {} (account {account}, {profile}):",
                t.env.name()
            )?;
            for m in here {
                writeln!(
                    out.data(),
                    "  {}  {}  {}  {}",
                    m.service,
                    m.secret.name,
                    m.secret.path,
                    m.secret.origin
                )?;
            }
        }
        for (env, names) in self.unreferenced.iter().filter(|(_, n)| !n.is_empty()) {
            writeln!(
                out.data(),
                "\nunreferenced in {} ({} parameters):",
                env.name(),
                names.len()
            )?;
            for n in names {
                writeln!(out.data(), "  {n}")?;
            }
        }
        Ok(())
    }

    fn json(&self, out: &mut Output) -> Result<()> {
        let environments: Vec<serde_json::Value> = self
            .targets
            .iter()
            .map(|t| {
                let (account, _) = self.account(t.env);
                serde_json::json!({"env": t.env.name(), "profile": t.profile, "account": account})
            })
            .collect();
        let services: Vec<serde_json::Value> = self
            .services()
            .into_iter()
            .map(|(service, charted)| {
                let mut envs = serde_json::Map::new();
                for (i, t) in self.targets.iter().enumerate() {
                    envs.insert(t.env.name().into(), self.cell(i, service).into());
                }
                serde_json::json!({"service": service, "charted": charted, "environments": envs})
            })
            .collect();
        let missing: Vec<serde_json::Value> = self
            .missing
            .iter()
            .map(|m| {
                let (account, _) = self.account(m.env);
                serde_json::json!({
                    "env": m.env.name(), "account": account, "service": m.service,
                    "name": m.secret.name, "path": m.secret.path, "source": m.secret.source(),
                    "file": m.secret.file, "line": m.secret.line, "column": m.secret.column,
                })
            })
            .collect();
        let mut doc = serde_json::json!({
            "environments": environments, "services": services, "missing": missing,
            "charts": self.plan.deployments.charts,
        });
        if self.plan.unreferenced {
            let loose: serde_json::Map<String, serde_json::Value> = self
                .unreferenced
                .iter()
                .map(|(env, names)| (env.name().to_string(), serde_json::json!(names)))
                .collect();
            doc["unreferenced"] = loose.into();
        }
        writeln!(out.data(), "{doc:#}")?;
        Ok(())
    }

    fn github(&self, out: &mut Output) -> Result<()> {
        for m in self.missing {
            let (account, _) = self.account(m.env);
            writeln!(
                out.data(),
                "::error file={},line={},col={},title={}::{}",
                property(&m.secret.file),
                m.secret.line,
                m.secret.column,
                property(&format!("Secret missing in {}", m.env.name())),
                message(&format!(
                    "{} ({}) is declared by {} but missing from {} (account {account})",
                    m.secret.name,
                    m.secret.path,
                    m.service,
                    m.env.name()
                ))
            )?;
        }
        for (env, names) in self.unreferenced {
            for n in names {
                writeln!(
                    out.data(),
                    "::notice title={}::{}",
                    property(&format!("Unreferenced in {}", env.name())),
                    message(&format!("{n} is declared by no service"))
                )?;
            }
        }
        Ok(())
    }
}

/// A workflow command's message, escaped as GitHub's toolkit escapes it.
fn message(text: &str) -> String {
    text.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// A workflow command's property value, escaped as GitHub's toolkit escapes it.
fn property(text: &str) -> String {
    message(text).replace(':', "%3A").replace(',', "%2C")
}

#[cfg(test)]
mod tests {
    #[test]
    fn annotations_are_escaped_like_the_toolkit_does() {
        assert_eq!(super::message("50% done\nnext"), "50%25 done%0Anext");
        assert_eq!(super::property("a:b,c"), "a%3Ab%2Cc");
    }
}
