//! `secrets list`: what a project declares and what SSM holds, side by side; never values.

use anyhow::Result;

use super::fetch;
use crate::error::{Error, exit};
use crate::output::Output;
use crate::resolve::{Row, Status};
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
    let rows: Vec<(&str, &Row)> = opts
        .fetch
        .projects
        .iter()
        .zip(&projects)
        .flat_map(|(p, rows)| rows.iter().map(move |r| (p.as_str(), r)))
        .collect();
    if opts.json {
        let items: Vec<serde_json::Value> = rows
            .iter()
            .map(|(project, r)| {
                let (file, line, column) = match &r.at {
                    Some((f, l, c)) => (Some(f.as_str()), Some(*l), Some(*c)),
                    None => (None, None, None),
                };
                serde_json::json!({
                    "project": project, "name": r.name, "path": r.path,
                    "source": r.source, "file": file, "line": line, "column": column,
                    "status": r.status.word(),
                })
            })
            .collect();
        writeln!(out.data(), "{:#}", serde_json::Value::Array(items))?;
    } else {
        table(&rows, opts.fetch.projects.len() > 1, out)?;
    }
    let missing = rows
        .iter()
        .filter(|(_, r)| r.status == Status::Missing)
        .count();
    if opts.check && missing > 0 {
        return Err(Error::MissingDeclared { count: missing }.into());
    }
    Ok(exit::OK)
}

fn table(rows: &[(&str, &Row)], with_project: bool, out: &mut Output) -> Result<()> {
    let mut lines: Vec<[String; 5]> = vec![[
        "PROJECT".into(),
        "NAME".into(),
        "PATH".into(),
        "SOURCE".into(),
        "STATUS".into(),
    ]];
    for (project, r) in rows {
        lines.push([
            project.to_string(),
            r.name.clone(),
            r.path.clone(),
            r.source.clone(),
            r.status.word().to_string(),
        ]);
    }
    let first = if with_project { 0 } else { 1 };
    let widths: Vec<usize> = (0..5)
        .map(|c| {
            lines
                .iter()
                .map(|l| l[c].chars().count())
                .max()
                .unwrap_or(0)
        })
        .collect();
    for line in &lines {
        let cells: Vec<String> = (first..5)
            .map(|c| format!("{:<w$}", line[c], w = widths[c]))
            .collect();
        writeln!(out.data(), "{}", cells.join("  ").trim_end())?;
    }
    Ok(())
}
