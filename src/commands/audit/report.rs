//! How an audit is shown: the matrix and the missing secrets as text, JSON, or GitHub
//! workflow annotations.

use std::collections::HashSet;

use anyhow::Result;

use super::{Missing, Plan, Target};
use crate::infra::Service;
use crate::model::{Env, Identity};
use crate::output::Output;

/// Everything found, to render.
pub(super) struct Report<'r, 'p, S> {
    pub(super) plan: &'r Plan,
    pub(super) targets: &'r [Target<S>],
    pub(super) identities: &'r [Identity],
    pub(super) audited: &'r [Vec<(&'p Service, bool)>],
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

    /// The matrix (service x environment), then what is missing where, with file:line.
    pub(super) fn text(&self, out: &mut Output) -> Result<()> {
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

    /// One `::error` workflow annotation per missing secret, at its file and line.
    pub(super) fn github(&self, out: &mut Output) -> Result<()> {
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
