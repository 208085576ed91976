//! Reads the secrets each service declares in the monorepo's infra TypeScript, statically,
//! arriving at the map the DSL's Helm renderer produces: bff secrets, the common secrets,
//! `.secrets` and enabled `.features` in the order the code applies them, every `.xroad`
//! config in order, and last the `DB_PASS` of `.db()` / `.postgres()`.

mod chain;
pub mod charts;
pub mod edit;
mod eval;
mod loader;
mod references;
mod rules;
mod search;
mod value;

use std::path::Path;

use oxc_allocator::Allocator;

use eval::Eval;
use loader::Loader;
use rules::Rules;

/// The DSL module holding `COMMON_SECRETS`.
const CONSTS: &str = "infra/src/dsl/consts.ts";
/// The DSL module holding `bffConfig`.
const BFF: &str = "infra/src/dsl/bff.ts";
/// The module listing each environment's `featuresOn`.
const ENVIRONMENTS: &str = "infra/src/environments.ts";

pub use crate::model::Env;
pub use references::{Reference, references};

/// One declared secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// Environment variable name.
    pub name: String,
    /// Parameter path.
    pub path: String,
    /// `file:line` where the entry itself is written (for `DB_PASS`, the `.db` call).
    pub origin: String,
    /// The file of `origin`, relative to the root.
    pub file: String,
    /// The line of `origin`, 1-based.
    pub line: usize,
    /// The column of `origin`, 1-based.
    pub column: usize,
    /// The DSL construct: `.secrets`, `.xroad(Payment)`, `.bff`, `.db`, `.features(x)`, `COMMON_SECRETS`.
    pub construct: String,
    /// `file:line` of the call that brings the entry in, when that is elsewhere.
    pub via: Option<String>,
}

impl Declared {
    /// `apps/x/infra/x.ts:11, via .secrets at :36`, or `file:line .construct`.
    pub fn source(&self) -> String {
        match &self.via {
            Some(via) => {
                let short = match via.strip_prefix(&format!("{}:", self.file)) {
                    Some(line) => format!(":{line}"),
                    None => via.clone(),
                };
                format!("{}, via {} at {short}", self.origin, self.construct)
            }
            None => format!("{} {}", self.origin, self.construct),
        }
    }
}

/// What reading one service found.
#[derive(Debug, Default)]
pub struct Reading {
    /// Whether the service was found at all.
    pub found: bool,
    /// Its secrets, in the DSL's order.
    pub secrets: Vec<Declared>,
    /// What could not be resolved, each with file:line.
    pub warnings: Vec<String>,
}

/// Reads `service`'s declared secrets from the repository at `root`.
#[cfg(test)]
pub fn read_service(root: &Path, service: &str, env: Env) -> Reading {
    read_services(root, &[service], env)
        .pop()
        .unwrap_or_default()
}

/// Reads the declared secrets of each of `services`, in order, with one walk of the tree and
/// one parse of each module they share (the DSL's, typically).
pub fn read_services(root: &Path, services: &[&str], env: Env) -> Vec<Reading> {
    let alloc = Allocator::default();
    let loader = Loader::new(&alloc, root);
    let ev = Eval::new(&loader);
    let (infra, other) = search::typescript_files(root);
    services
        .iter()
        .map(|service| {
            let warned = loader.parse_warnings.borrow().len();
            let mut reading = find(&ev, &loader, [&infra, &other], service, env);
            if reading.found {
                reading
                    .warnings
                    .extend(loader.parse_warnings.borrow()[warned..].iter().cloned());
            }
            reading
        })
        .collect()
}

/// One service, from the candidate files in the order given (infra folders first). When
/// several files define it, the first in that order is used and a warning names them all.
fn find<'l, 'a>(
    ev: &Eval<'l, 'a>,
    loader: &'l Loader<'a>,
    passes: [&Vec<std::path::PathBuf>; 2],
    service: &str,
    env: Env,
) -> Reading {
    let mut reading = Reading::default();
    let (matches, unresolved) = chains_of(ev, loader, passes, service);
    let mut matches = matches.into_iter();
    let Some(chain) = matches.next() else {
        // Not found: a service(...) whose name could not be computed may have been it.
        reading.warnings.extend(
            unresolved
                .into_iter()
                .map(|why| format!("the name of a service(...) could not be resolved: {why}")),
        );
        return reading;
    };
    let others: Vec<String> = matches.map(|c| c.at).collect();
    if !others.is_empty() {
        reading.warnings.push(format!(
            "service('{service}') is defined {} times: at {} and {}; the first is used (infra \
             folders first, then by path), so remove or rename the others",
            others.len() + 1,
            chain.at,
            others.join(", ")
        ));
    }
    reading.found = true;
    reading.warnings.extend(chain.warnings.iter().cloned());
    Rules::new(ev, service, env, &mut reading).apply(&chain);
    reading
}

/// The builders named `service` in the candidate files (infra folders first; a service found
/// there is not looked for elsewhere), and why other service(...) names could not be computed.
fn chains_of<'l, 'a>(
    ev: &Eval<'l, 'a>,
    loader: &'l Loader<'a>,
    passes: [&Vec<std::path::PathBuf>; 2],
    service: &str,
) -> (Vec<chain::Chain<'a>>, Vec<String>) {
    let mut unresolved = Vec::new();
    let mut matches = Vec::new();
    for pass in passes {
        for path in pass {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if !search::may_define(&text, service) {
                continue;
            }
            let module = loader.load_text(path, &text);
            for chain in chain::chains(ev, &module) {
                match (&chain.name, &chain.unresolved) {
                    (Some(name), _) if name == service => matches.push(chain),
                    (_, Some(why)) => unresolved.push(why.clone()),
                    _ => {}
                }
            }
        }
        if !matches.is_empty() {
            break;
        }
    }
    (matches, unresolved)
}

/// Every service the reader finds in the infra folders, with what it declares.
#[derive(Debug)]
pub struct Service {
    /// The service's name.
    pub name: String,
    /// Where `service(...)` is called, `file:line`.
    pub at: String,
    /// The file of `at`, relative to the root.
    pub file: String,
    /// Its declared secrets and warnings.
    pub reading: Reading,
}

/// Reads every service defined in the repository's infra folders, each file once. Services
/// whose name is defined twice are listed twice, each with a warning naming the other.
pub fn read_all(root: &Path, env: Env) -> (Vec<Service>, Vec<String>) {
    let alloc = Allocator::default();
    let loader = Loader::new(&alloc, root);
    let ev = Eval::new(&loader);
    let (mut per_env, warnings) = services_in(&ev, &loader, root, &[env]);
    (per_env.pop().unwrap_or_default(), warnings)
}

/// Each environment's services (as `read_all` reads them for it) and which environments the
/// uber charts deploy each to; every file is walked and parsed once for all of them.
pub fn read_for_audit(
    root: &Path,
    envs: &[Env],
) -> (Vec<(Env, Vec<Service>)>, charts::Deployments) {
    let alloc = Allocator::default();
    let loader = Loader::new(&alloc, root);
    let ev = Eval::new(&loader);
    let (per_env, _) = services_in(&ev, &loader, root, envs);
    let deployments = charts::read(&ev, &loader, root);
    (envs.iter().copied().zip(per_env).collect(), deployments)
}

/// Every service of the infra folders, read for each of `envs` (only `.features` depend on
/// it), from one walk and one parse; and the general warnings.
fn services_in<'a>(
    ev: &Eval<'_, 'a>,
    loader: &Loader<'a>,
    root: &Path,
    envs: &[Env],
) -> (Vec<Vec<Service>>, Vec<String>) {
    let mut per_env: Vec<Vec<Service>> = envs.iter().map(|_| Vec::new()).collect();
    let mut unnamed = Vec::new();
    for path in search::typescript_files(root).0 {
        let Ok(text) = std::fs::read_to_string(&path) else {
            continue;
        };
        if !text.contains("service(") {
            continue;
        }
        let module = loader.load_text(&path, &text);
        for chain in chain::chains(ev, &module) {
            let Some(name) = chain.name.clone() else {
                if let Some(why) = &chain.unresolved {
                    unnamed.push(format!(
                        "the name of a service(...) could not be resolved: {why}"
                    ));
                }
                continue;
            };
            for (env, services) in envs.iter().zip(&mut per_env) {
                let mut reading = Reading {
                    found: true,
                    ..Reading::default()
                };
                reading.warnings.extend(chain.warnings.iter().cloned());
                Rules::new(ev, &name, *env, &mut reading).apply(&chain);
                services.push(Service {
                    name: name.clone(),
                    at: chain.at.clone(),
                    file: chain.file.clone(),
                    reading,
                });
            }
        }
    }
    per_env.iter_mut().for_each(|s| warn_duplicates(s));
    unnamed.extend(loader.parse_warnings.borrow().iter().cloned());
    (per_env, unnamed)
}

/// Warns on each copy of a service name defined more than once. Services come in walk
/// order, so the first of a name is the one `get` uses.
fn warn_duplicates(services: &mut [Service]) {
    let mut places: std::collections::HashMap<String, Vec<String>> =
        std::collections::HashMap::new();
    for s in services.iter() {
        places.entry(s.name.clone()).or_default().push(s.at.clone());
    }
    for s in services.iter_mut() {
        let at = &places[&s.name];
        if at.len() < 2 {
            continue;
        }
        let warning = if at[0] == s.at {
            format!(
                "service('{}') is also defined at {}; this one is used (the first in the walk: \
                 infra folders first, then by path)",
                s.name,
                at[1..].join(", ")
            )
        } else {
            format!(
                "service('{}') is defined first at {}, which is used; this one is ignored",
                s.name, at[0]
            )
        };
        s.reading.warnings.push(warning);
    }
}

/// Every service name defined in the repository's infra folders (for "did you mean").
pub fn service_names(root: &Path) -> Vec<String> {
    let alloc = Allocator::default();
    let loader = Loader::new(&alloc, root);
    let ev = Eval::new(&loader);
    let mut names: Vec<String> = search::typescript_files(root)
        .0
        .iter()
        .filter(|p| std::fs::read_to_string(p).is_ok_and(|t| t.contains("service(")))
        .filter_map(|p| loader.load(p))
        .flat_map(|m| chain::chains(&ev, &m).into_iter().filter_map(|c| c.name))
        .collect();
    names.sort();
    names.dedup();
    names
}

#[cfg(test)]
mod tests;
