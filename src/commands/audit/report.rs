//! How an audit is shown: the matrix and the missing secrets as text, JSON, or GitHub
//! workflow annotations (with a Markdown summary for the job's page).

use std::collections::{BTreeMap, HashSet};
use std::io::Write;

use anyhow::{Context, Result};

use super::{Audited, Missing, Plan, Target};
use crate::model::{Env, Identity};
use crate::output::{Output, count};

/// Everything found, to render.
pub(super) struct Report<'r, 'p, S> {
    pub(super) plan: &'r Plan,
    pub(super) targets: &'r [Target<S>],
    pub(super) identities: &'r [Identity],
    pub(super) audited: &'r [Vec<Audited<'p>>],
    pub(super) missing: &'r [Missing<'p>],
    pub(super) unreferenced: &'r [(Env, Vec<String>)],
}

impl<S> Report<'_, '_, S> {
    /// Every audited service name, in the order first met.
    fn services(&self) -> Vec<(&str, bool)> {
        let mut seen = HashSet::new();
        self.audited
            .iter()
            .flatten()
            .filter(|a| seen.insert(a.service.name.as_str()))
            .map(|a| (a.service.name.as_str(), a.charted))
            .collect()
    }

    /// `ok`, `N missing`, or `-` (not deployed there).
    fn cell(&self, i: usize, service: &str) -> String {
        let env = self.targets[i].env;
        if !self.audited[i].iter().any(|a| a.service.name == service) {
            return "-".into();
        }
        let n = self
            .missing
            .iter()
            .filter(|m| m.env == env && m.service.name == service)
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
                .map_or("default credentials", |t| t.label.as_str()),
        )
    }

    /// The matrix: a header row, then one row per service.
    fn matrix(&self) -> Vec<Vec<String>> {
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
        rows
    }

    /// The matrix (service x environment), then what is missing where, with file:line.
    pub(super) fn text(&self, out: &mut Output) -> Result<()> {
        let rows = self.matrix();
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
                    m.service.name,
                    m.row.name,
                    m.row.declared.as_deref().unwrap_or(&m.row.path),
                    declared_at(m)
                )?;
            }
        }
        for (env, names) in self.unreferenced.iter().filter(|(_, n)| !n.is_empty()) {
            writeln!(
                out.data(),
                "\nunreferenced in {} ({}):",
                env.name(),
                count(names.len(), "parameter")
            )?;
            for n in names {
                writeln!(out.data(), "  {n}")?;
            }
        }
        Ok(())
    }

    /// One JSON document: environments with their accounts, services, missing secrets.
    pub(super) fn json(&self, out: &mut Output) -> Result<()> {
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
                let mut item = serde_json::Map::new();
                item.insert("env".into(), m.env.name().into());
                item.insert("account".into(), account.into());
                item.insert("service".into(), m.service.name.clone().into());
                item.extend(m.row.json());
                serde_json::Value::Object(item)
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

    /// Workflow annotations where the service's owner edits: a secret written in the
    /// service's own file at its entry; one brought in from shared code (an xroad config,
    /// bff) at the service's call that brings it in; the common secrets at its `service(...)`
    /// call. One `::error` per file, line and environment, naming every secret missing there.
    pub(super) fn github(&self, out: &mut Output) -> Result<()> {
        let mut places: BTreeMap<(String, usize, Env), Vec<&Missing>> = BTreeMap::new();
        for m in self.missing {
            let (file, line) = place(m);
            places.entry((file, line, m.env)).or_default().push(m);
        }
        for ((file, line, env), here) in &places {
            let (account, _) = self.account(*env);
            let mut services: Vec<&str> = here.iter().map(|m| m.service.name.as_str()).collect();
            services.dedup();
            let names: Vec<String> = here
                .iter()
                .map(|m| {
                    let path = m.row.declared.as_deref().unwrap_or(&m.row.path);
                    format!("{} ({path})", m.row.name)
                })
                .collect();
            let (title, text) = match names.as_slice() {
                [one] => (
                    format!("Secret missing in {}", env.name()),
                    format!(
                        "{one} is declared by {} but missing from {} (account {account})",
                        services.join(", "),
                        env.name()
                    ),
                ),
                many => (
                    format!("{} secrets missing in {}", many.len(), env.name()),
                    format!(
                        "{} secrets declared by {} are missing from {} (account {account}): {}",
                        many.len(),
                        services.join(", "),
                        env.name(),
                        many.join(", ")
                    ),
                ),
            };
            writeln!(
                out.data(),
                "::error file={},line={line},title={}::{}",
                property(file),
                property(&title),
                message(&text)
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

    /// Appends the matrix and a table of what is missing (account, file:line) to a job's
    /// Markdown summary file (`$GITHUB_STEP_SUMMARY`).
    pub(super) fn step_summary(&self, path: &std::path::Path) -> Result<()> {
        let mut md = String::from("## secrets audit\n\n");
        for (i, row) in self.matrix().iter().enumerate() {
            md.push_str(&format!("| {} |\n", row.join(" | ")));
            if i == 0 {
                md.push_str(&format!("|{}\n", " --- |".repeat(row.len())));
            }
        }
        if !self.missing.is_empty() {
            md.push_str("\n| environment | account | service | name | path | declared at |\n");
            md.push_str("| --- | --- | --- | --- | --- | --- |\n");
            for m in self.missing {
                let (account, _) = self.account(m.env);
                md.push_str(&format!(
                    "| {} | {account} | {} | `{}` | `{}` | {} |\n",
                    m.env.name(),
                    m.service.name,
                    m.row.name,
                    m.row.declared.as_deref().unwrap_or(&m.row.path),
                    declared_at(m)
                ));
            }
        }
        md.push('\n');
        std::fs::OpenOptions::new()
            .append(true)
            .create(true)
            .open(path)
            .and_then(|mut f| f.write_all(md.as_bytes()))
            .with_context(|| format!("cannot append to {} (GITHUB_STEP_SUMMARY)", path.display()))
    }
}

/// `file:line` of a row's entry (or its source, for one without a place).
fn declared_at(m: &Missing) -> String {
    match &m.row.at {
        Some((file, line, _)) => format!("{file}:{line}"),
        None => m.row.source.clone(),
    }
}

/// Where the service's owner fixes a missing row (see `github`).
fn place(m: &Missing) -> (String, usize) {
    let own = &m.service.file;
    let entry = m
        .service
        .reading
        .secrets
        .iter()
        .find(|d| d.name == m.row.name);
    if let Some(d) = entry {
        if d.file == *own {
            return (d.file.clone(), d.line);
        }
        if let Some((file, line)) = d.via.as_deref().and_then(file_line)
            && file == own
        {
            return (file.to_string(), line);
        }
    }
    match file_line(&m.service.at) {
        Some((file, line)) => (file.to_string(), line),
        None => (own.clone(), 1),
    }
}

/// `file:line` split.
fn file_line(at: &str) -> Option<(&str, usize)> {
    let (file, line) = at.rsplit_once(':')?;
    Some((file, line.parse().ok()?))
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
