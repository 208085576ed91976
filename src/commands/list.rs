//! `secrets list`: what a project declares and what SSM holds, side by side; never values.

use std::path::PathBuf;

use anyhow::{Context, Result};

use super::fetch;
use crate::error::{Error, exit};
use crate::infra::{self, Env};
use crate::output::{Output, count};
use crate::resolve::{self, Row, Rules, Status};
use crate::store::SecretStore;

/// What `list` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// Which projects, and how to find their secrets.
    pub fetch: fetch::Request,
    /// JSON instead of a table.
    pub json: bool,
    /// Exit 1 when a declared secret is missing.
    pub check: bool,
}

/// Prints the rows; returns the exit code.
pub async fn run<S: SecretStore>(opts: Options, store: &S, out: &mut Output) -> Result<u8> {
    let projects = fetch::fetch(&opts.fetch, store, out).await?;
    out.say_held();
    print(&opts, &projects, out)
}

/// The declared rows from the infra code alone (status `declared`): no AWS at all.
pub async fn run_offline(opts: Options, out: &mut Output) -> Result<u8> {
    let projects = fetch::offline(&opts.fetch, out).await?;
    print(&opts, &projects, out)
}

/// Every service the infra code defines, with its declared rows (as `list SERVICE
/// --offline` shows them) and warnings: no AWS.
pub async fn run_all(
    root: PathBuf,
    env: Env,
    rules: &Rules,
    json: bool,
    out: &mut Output,
) -> Result<u8> {
    let started = std::time::Instant::now();
    let (services, general) = tokio::task::spawn_blocking(move || infra::read_all(&root, env))
        .await
        .context("reading the infra code failed")?;
    out.trace(&format!(
        "infra: {} read in {:.1} ms",
        count(services.len(), "service"),
        started.elapsed().as_secs_f64() * 1000.0
    ));
    for w in &general {
        out.warn(w);
    }
    let rows: Vec<Vec<Row>> = services
        .iter()
        .map(|s| resolve::declared_rows(&s.reading.secrets, rules).0)
        .collect();
    if json {
        let items: Vec<serde_json::Value> = services
            .iter()
            .zip(&rows)
            .map(|(s, rows)| service_json(s, rows))
            .collect();
        writeln!(out.data(), "{:#}", serde_json::Value::Array(items))?;
    } else {
        let mut lines = vec![[
            "SERVICE".to_string(),
            "DECLARED".to_string(),
            "WARNINGS".to_string(),
            "DEFINED AT".to_string(),
        ]];
        for (s, rows) in services.iter().zip(&rows) {
            lines.push([
                s.name.clone(),
                rows.len().to_string(),
                s.reading.warnings.len().to_string(),
                s.at.clone(),
            ]);
        }
        write_table(&lines, 0, out)?;
    }
    for s in &services {
        for w in &s.reading.warnings {
            out.warn(&format!("{}: {w}", s.name));
        }
    }
    Ok(exit::OK)
}

fn service_json(s: &infra::Service, rows: &[Row]) -> serde_json::Value {
    let secrets: Vec<serde_json::Value> = rows
        .iter()
        .map(|r| serde_json::Value::Object(r.json()))
        .collect();
    serde_json::json!({
        "service": s.name, "defined_at": s.at, "declared": secrets.len(),
        "secrets": secrets, "warnings": s.reading.warnings,
    })
}

fn print(opts: &Options, projects: &[Vec<Row>], out: &mut Output) -> Result<u8> {
    let rows: Vec<(&str, &Row)> = opts
        .fetch
        .projects
        .iter()
        .zip(projects)
        .flat_map(|(p, rows)| rows.iter().map(move |r| (p.as_str(), r)))
        .collect();
    if opts.json {
        let items: Vec<serde_json::Value> = rows
            .iter()
            .map(|(project, r)| {
                let mut item = serde_json::Map::new();
                item.insert("project".into(), (*project).into());
                item.extend(r.json());
                serde_json::Value::Object(item)
            })
            .collect();
        writeln!(out.data(), "{:#}", serde_json::Value::Array(items))?;
    } else {
        table(&rows, opts.fetch.projects.len() > 1, out)?;
    }
    let missing = rows
        .iter()
        .filter(|(_, r)| matches!(r.status, Status::Missing | Status::NoKey))
        .count();
    if opts.check && missing > 0 {
        return Err(Error::MissingDeclared { count: missing }.into());
    }
    Ok(exit::OK)
}

fn table(rows: &[(&str, &Row)], with_project: bool, out: &mut Output) -> Result<()> {
    // An overridden row's declared path follows its status, in a column without a heading.
    let mut lines: Vec<[String; 6]> = vec![[
        "PROJECT".into(),
        "NAME".into(),
        "PATH".into(),
        "SOURCE".into(),
        "STATUS".into(),
        String::new(),
    ]];
    for (project, r) in rows {
        lines.push([
            project.to_string(),
            r.name.clone(),
            r.path.clone(),
            r.source.clone(),
            r.status.word().to_string(),
            r.overridden().unwrap_or_default(),
        ]);
    }
    write_table(&lines, if with_project { 0 } else { 1 }, out)
}

/// Columns padded to their widest cell, from column `first` on.
pub fn write_table<const N: usize>(
    lines: &[[String; N]],
    first: usize,
    out: &mut Output,
) -> Result<()> {
    let widths: Vec<usize> = (0..N)
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in lines {
        let cells: Vec<String> = (first..N)
            .map(|c| format!("{:<w$}", line[c], w = widths[c]))
            .collect();
        writeln!(out.data(), "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}
