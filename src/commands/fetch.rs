//! What `get`, `list` and `exec` share: read each project's declared secrets from the infra,
//! then sweep its prefix and fetch declared paths outside it, all at once.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::Instant;

use anyhow::{Context, Result};
use futures_util::future::try_join_all;

use crate::config::{RepoConfig, check_project_name};
use crate::envfile::Entry;
use crate::error::Error;
use crate::infra::{self, Env};
use crate::output::{Output, count};
use crate::resolve::{self, Project, Row, Status};
use crate::selector;
use crate::store::SecretStore;

/// What to fetch.
#[derive(Debug, Clone)]
pub struct Request {
    /// Project names.
    pub projects: Vec<String>,
    /// Repository root, if there is one (without it only the sweep runs).
    pub root: Option<PathBuf>,
    /// Repository settings.
    pub config: RepoConfig,
    /// Environment whose features count.
    pub env: Env,
    /// Fetch declared paths only, no sweep.
    pub declared_only: bool,
}

impl Request {
    /// A request whose project names are checked; nothing else is touched.
    pub fn new(
        projects: Vec<String>,
        root: Option<PathBuf>,
        config: RepoConfig,
        env: Env,
        declared_only: bool,
    ) -> Result<Self, Error> {
        for name in &projects {
            check_project_name(name).map_err(|reason| Error::InvalidProject {
                name: name.clone(),
                reason,
            })?;
        }
        Ok(Self {
            projects,
            root,
            config,
            env,
            declared_only,
        })
    }
}

/// Fetches every project; returns each project's rows, in the order asked.
pub async fn fetch<S: SecretStore>(
    req: &Request,
    store: &S,
    out: &mut Output,
) -> Result<Vec<Vec<Row>>> {
    let started = Instant::now();
    if req.root.is_none() {
        out.warn(&format!(
            "not inside a git repository, so the infra code was not read: only what is stored \
             under {}<project>/ is fetched (run it in the monorepo, or pass --root DIR)",
            req.config.prefix
        ));
    }
    let prefixes: Vec<String> = req
        .projects
        .iter()
        .map(|p| format!("{}{p}/", req.config.prefix))
        .collect();
    // The sweep needs no infra, so it starts at once; the infra is read on another thread
    // meanwhile, and the declared paths are fetched as soon as it is done.
    let sweeps: Vec<_> = match req.declared_only {
        true => Vec::new(),
        false => prefixes.iter().map(|p| store.list_under(p)).collect(),
    };
    for prefix in prefixes.iter().filter(|_| !req.declared_only) {
        out.trace(&format!(
            "sweep {prefix} (DescribeParameters for the names, GetParameters as each page arrives)"
        ));
    }
    let declared = async {
        let readings = read_infra(req).await?;
        let names = by_name(req, &prefixes, &readings);
        let took = started.elapsed();
        let fetched = store.get_many(&names).await;
        Ok::<_, anyhow::Error>((readings, names, took, fetched))
    };
    let progress = out.progress("fetching secrets from SSM");
    let (_, swept, declared) = tokio::join!(store.warm_up(), try_join_all(sweeps), declared);
    drop(progress);
    let (readings, names, infra_took, fetched) = declared?;
    report_infra(req, &readings, infra_took, out);
    out.trace(&format!(
        "GetParameters for {}, 10 per call, started at {:.1} ms",
        count(names.len(), "name"),
        infra_took.as_secs_f64() * 1000.0
    ));
    let mut fetched = fetched.map_err(Error::from)?;
    let swept = match req.declared_only {
        true => vec![Vec::new(); prefixes.len()],
        false => {
            let swept = swept.map_err(Error::from)?;
            if swept.iter().any(|s| s.fell_back) {
                out.trace(
                    "DescribeParameters is denied: swept with GetParametersByPath instead \
                     (10 a page, one page after another)",
                );
            }
            swept.into_iter().map(|s| s.params).collect()
        }
    };
    // An override of a name only the sweep found is known only now: fetched after it (a
    // request only when there is such a name, never for an override nobody uses).
    let late = swept_overrides(req, &swept, &names);
    if !late.is_empty() {
        out.trace(&format!(
            "GetParameters for {} of swept names",
            count(late.len(), "override")
        ));
        fetched.extend(store.get_many(&late).await.map_err(Error::from)?);
    }
    out.trace(&format!(
        "SSM: done in {:.1} ms",
        started.elapsed().as_secs_f64() * 1000.0
    ));

    let unknown = req
        .projects
        .iter()
        .zip(readings.iter().zip(&swept))
        .find(|(_, (reading, swept))| !reading.found && swept.is_empty());
    if let Some((name, _)) = unknown {
        return Err(Error::ProjectNotFound {
            name: name.to_string(),
            prefix: req.config.prefix.clone(),
            suggestions: suggestions(req, name),
        }
        .into());
    }
    let projects = readings.into_iter().map(|r| r.secrets).zip(swept);
    Ok(rows(req, projects, &fetched, out))
}

/// Each project's rows from its declared secrets and its sweep, with the repository's
/// excludes and overrides; warnings go to `out`.
fn rows(
    req: &Request,
    projects: impl Iterator<Item = (Vec<infra::Declared>, Vec<crate::model::Parameter>)>,
    fetched: &[crate::model::Parameter],
    out: &mut Output,
) -> Vec<Vec<Row>> {
    let rules = req.config.rules();
    let mut all = Vec::new();
    for (name, (declared, swept)) in req.projects.iter().zip(projects) {
        let project = Project {
            declared,
            swept,
            fetched,
        };
        let (rows, warnings) = resolve::rows(&project, &rules);
        for w in warnings {
            out.warn_about(name, &w);
        }
        all.push(rows);
    }
    all
}

/// Up to three known service names close to `name`.
fn suggestions(req: &Request, name: &str) -> Vec<String> {
    let known = req
        .root
        .as_deref()
        .map(infra::service_names)
        .unwrap_or_default();
    closest(name, &known)
}

/// Each project's declared rows from the infra code alone, with the repository's excludes and
/// overrides applied, status `declared`: no store, no credentials, no request.
pub async fn offline(req: &Request, out: &mut Output) -> Result<Vec<Vec<Row>>> {
    let started = Instant::now();
    let readings = read_infra(req).await?;
    report_infra(req, &readings, started.elapsed(), out);
    let unknown = req.projects.iter().zip(&readings).find(|(_, r)| !r.found);
    if let Some((name, _)) = unknown {
        return Err(Error::NotInInfra {
            name: name.to_string(),
            suggestions: suggestions(req, name),
        }
        .into());
    }
    let rules = req.config.rules();
    let mut all = Vec::new();
    for (name, reading) in req.projects.iter().zip(readings) {
        let (rows, warnings) = resolve::declared_rows(&reading.secrets, &rules);
        for w in warnings {
            out.warn_about(name, &w);
        }
        all.push(rows);
    }
    out.say_held();
    Ok(all)
}

/// The variables to set from every project's rows, each with its project's index; warns
/// about declared secrets missing from SSM, projects with nothing to set, and names set by
/// several projects.
pub fn variables(
    projects: &[String],
    rows: &[Vec<Row>],
    out: &mut Output,
) -> (Vec<Entry>, Vec<usize>) {
    for (project, rows) in projects.iter().zip(rows) {
        for row in rows.iter().filter(|r| r.status == Status::Missing) {
            let place = match row.path.starts_with(selector::SECRETS_MANAGER) {
                true => "Secrets Manager",
                false => "SSM",
            };
            out.warn_about(
                project,
                &format!(
                    "{}: {} is not in {place} ({})",
                    row.name,
                    selector::split(&row.path).0,
                    row.source
                ),
            );
        }
        if rows.iter().all(|r| r.value.is_none()) {
            out.warn_about(
                project,
                "no secrets found (check the project name, --profile and --region)",
            );
        }
    }
    // Each project's warnings together, in the order asked; then what concerns several.
    out.say_held();
    let (entries, owners, warnings) = resolve::entries(rows);
    for w in &warnings {
        out.warn(w);
    }
    (entries, owners)
}

/// Each project's declared secrets, from the infra code (nothing without a repository), read
/// on a blocking thread so the requests already sent keep going.
async fn read_infra(req: &Request) -> Result<Vec<infra::Reading>> {
    let Some(root) = req.root.clone() else {
        return Ok(req
            .projects
            .iter()
            .map(|_| infra::Reading::default())
            .collect());
    };
    let (projects, env) = (req.projects.clone(), req.env);
    let readings = tokio::task::spawn_blocking(move || {
        let names: Vec<&str> = projects.iter().map(String::as_str).collect();
        infra::read_services(&root, &names, env)
    })
    .await
    .context("reading the infra code failed")?;
    Ok(with_extras(req, readings))
}

/// Adds each project's `[projects.<name>.extra]` of `.secrets.toml` after what the infra code
/// declares; a project with extras counts as found.
fn with_extras(req: &Request, mut readings: Vec<infra::Reading>) -> Vec<infra::Reading> {
    for (project, reading) in req.projects.iter().zip(&mut readings) {
        let Some(extra) = req.config.projects.get(project).map(|p| &p.extra) else {
            continue;
        };
        for (name, path) in extra {
            reading.secrets.push(infra::Declared {
                name: name.clone(),
                path: path.clone(),
                origin: crate::config::CONFIG_FILE.to_string(),
                file: crate::config::CONFIG_FILE.to_string(),
                line: 0,
                column: 0,
                construct: format!("[projects.{project}.extra]"),
                via: None,
            });
        }
        reading.found |= !extra.is_empty();
    }
    readings
}

/// Traces what the infra reading found and how long it took, and passes on its warnings.
fn report_infra(
    req: &Request,
    readings: &[infra::Reading],
    took: std::time::Duration,
    out: &mut Output,
) {
    for (project, reading) in req.projects.iter().zip(readings) {
        let found = if reading.found {
            ""
        } else {
            ", no service(...) found"
        };
        out.trace(&format!(
            "infra: {project}: {} declared{found} (read by {:.1} ms)",
            reading.secrets.len(),
            took.as_secs_f64() * 1000.0
        ));
        for w in &reading.warnings {
            out.warn_about(project, w);
        }
    }
}

/// Paths fetched by name: declared ones the sweep does not cover, and the overrides of
/// declared names (those of swept names come later: [`swept_overrides`]);
/// without one, only those of declared names.
fn by_name(req: &Request, prefixes: &[String], readings: &[infra::Reading]) -> Vec<String> {
    let mut names = BTreeSet::new();
    // A `#key` selects from the stored value: the stored path is what is fetched.
    let stored = |path: &str| selector::split(path).0.to_string();
    for (prefix, reading) in prefixes.iter().zip(readings) {
        // An excluded name is never fetched (it is listed as `excluded`).
        for d in reading
            .secrets
            .iter()
            .filter(|d| !req.config.exclude.contains(&d.name))
        {
            let base = stored(&d.path);
            match req.config.overrides.get(&d.name) {
                Some(path) => names.insert(stored(path)),
                None if req.declared_only || !base.starts_with(prefix.as_str()) => {
                    names.insert(base)
                }
                None => false,
            };
        }
    }
    names.into_iter().collect()
}

/// The override paths of names the sweep found and no project declares, not fetched yet.
fn swept_overrides(
    req: &Request,
    swept: &[Vec<crate::model::Parameter>],
    fetched: &[String],
) -> Vec<String> {
    let names: BTreeSet<String> = swept
        .iter()
        .flatten()
        .filter_map(|p| p.name.rsplit('/').next())
        .filter(|n| !req.config.exclude.iter().any(|e| e == n))
        .filter_map(|n| req.config.overrides.get(n))
        .map(|p| selector::split(p).0.to_string())
        .filter(|p| !fetched.contains(p))
        .collect();
    names.into_iter().collect()
}

/// Up to three known names close to `name`, closest first.
fn closest(name: &str, known: &[String]) -> Vec<String> {
    let mut scored: Vec<(usize, &String)> = known
        .iter()
        .map(|k| (strsim::levenshtein(name, k), k))
        .filter(|(d, k)| {
            *d <= (name.len().max(k.len()) / 3).max(2)
                || k.contains(name)
                || name.contains(k.as_str())
        })
        .collect();
    scored.sort();
    scored.into_iter().take(3).map(|(_, k)| k.clone()).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn suggestions_are_close_names() {
        let known: Vec<String> = ["api", "application-system-api", "web", "user-profile"]
            .map(String::from)
            .to_vec();
        assert_eq!(super::closest("apii", &known), ["api"]);
        assert_eq!(super::closest("user-profil", &known), ["user-profile"]);
        assert_eq!(
            super::closest("application-system", &known),
            ["application-system-api"]
        );
        assert!(super::closest("zzzzzz", &known).is_empty());
    }
}
