//! Reads the secrets each service declares in the monorepo's infra TypeScript, statically,
//! arriving at the map the DSL renders: bff secrets, the common secrets, `.secrets`,
//! enabled `.features` and `.db` in chain order, then every `.xroad` config in order.

mod chain;
mod eval;
mod loader;
mod search;

use std::collections::HashSet;
use std::path::Path;
use std::rc::Rc;

use oxc_allocator::Allocator;
use oxc_span::GetSpan;

use eval::{Eval, Value};
use loader::{Loader, Module};

/// The DSL module holding `COMMON_SECRETS`.
const CONSTS: &str = "infra/src/dsl/consts.ts";
/// The DSL module holding `bffConfig`.
const BFF: &str = "infra/src/dsl/bff.ts";
/// The module listing each environment's `featuresOn`.
const ENVIRONMENTS: &str = "infra/src/environments.ts";

pub use crate::model::Env;

/// One declared secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Declared {
    /// Environment variable name.
    pub name: String,
    /// Parameter path.
    pub path: String,
    /// `file:line` of the construct that declares it.
    pub origin: String,
    /// The DSL construct: `.secrets`, `.xroad(Payment)`, `.bff`, `.db`, `.features(x)`, `COMMON_SECRETS`.
    pub construct: String,
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

/// One service, from the candidate files in the order given (infra folders first).
fn find<'l, 'a>(
    ev: &Eval<'l, 'a>,
    loader: &'l Loader<'a>,
    passes: [&Vec<std::path::PathBuf>; 2],
    service: &str,
    env: Env,
) -> Reading {
    let mut reading = Reading::default();
    let mut unresolved = Vec::new();
    for pass in passes {
        for path in pass {
            let Ok(text) = std::fs::read_to_string(path) else {
                continue;
            };
            if !search::may_define(&text, service) {
                continue;
            }
            let Some(module) = loader.load(path) else {
                continue;
            };
            let chains = chain::chains(ev, &module);
            unresolved.extend(chains.iter().filter_map(|c| c.unresolved.clone()));
            if let Some(chain) = chains
                .into_iter()
                .find(|c| c.name.as_deref() == Some(service))
            {
                reading.found = true;
                Rules {
                    ev,
                    service,
                    env,
                    out: &mut reading,
                    seen: HashSet::new(),
                }
                .apply(&module, &chain);
                return reading;
            }
        }
    }
    // Not found: a service(...) whose name could not be computed may have been it.
    reading.warnings.extend(
        unresolved
            .into_iter()
            .map(|why| format!("the name of a service(...) could not be resolved: {why}")),
    );
    reading
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

struct Rules<'r, 'l, 'a> {
    ev: &'r Eval<'l, 'a>,
    service: &'r str,
    env: Env,
    out: &'r mut Reading,
    seen: HashSet<String>,
}

impl<'a> Rules<'_, '_, 'a> {
    fn apply(&mut self, m: &Rc<Module<'a>>, chain: &chain::Chain<'a>) {
        for chain::Call { method, call, at } in chain.calls.iter().filter(|c| c.method == "bff") {
            let origin = m.at(*at);
            let arg = chain::arguments(self.ev, m, call)
                .into_iter()
                .next()
                .unwrap_or(Value::Null);
            let secrets = match self.dsl_export(BFF, "bffConfig") {
                Value::Func(f) => self.ev.call(&f, vec![arg]).get("secrets", self.ev),
                other => other,
            };
            self.add(secrets, &origin, &format!(".{method}"));
        }
        // A repository without the DSL's consts module has no common secrets to add.
        if self.ev.loader().root().join(CONSTS).is_file() {
            let common = self.dsl_export(CONSTS, "COMMON_SECRETS");
            self.add(common, CONSTS, "COMMON_SECRETS");
        }
        for chain::Call { method, call, at } in &chain.calls {
            let origin = m.at(*at);
            let args = chain::arguments(self.ev, m, call);
            match *method {
                "secrets" => {
                    for a in args {
                        self.add(a, &origin, ".secrets");
                    }
                }
                "features" => self.features(args.into_iter().next(), &origin),
                "db" | "postgres" => self.db(args.into_iter().next(), &origin, method),
                _ => {}
            }
        }
        for chain::Call { call, at, .. } in chain.calls.iter().filter(|c| c.method == "xroad") {
            let origin = m.at(*at);
            let labels: Vec<String> = call
                .arguments
                .iter()
                .map(|a| m.source[a.span().start as usize..a.span().end as usize].to_string())
                .collect();
            for (i, conf) in chain::arguments(self.ev, m, call).into_iter().enumerate() {
                let label = labels.get(i).map_or("?", String::as_str);
                let secrets = conf.get("secrets", self.ev);
                self.add(secrets, &origin, &format!(".xroad({label})"));
            }
        }
    }

    fn dsl_export(&self, rel: &str, name: &str) -> Value<'a> {
        let path = self.ev.loader().root().join(rel);
        match self.ev.loader().load(&path) {
            Some(m) => self.ev.export(&m, name),
            None => Value::Unknown(format!("{rel} was not found").into()),
        }
    }

    /// Adds a `{ NAME: '/path' }` map, warning about anything that is not one.
    fn add(&mut self, secrets: Value<'a>, origin: &str, construct: &str) {
        match secrets {
            Value::Obj(props) => {
                for (name, path) in props.iter() {
                    if let Some(why) = name.strip_prefix('?') {
                        self.warn(format!(
                            "a secret name in {construct} at {origin} could not be resolved: {why}"
                        ));
                        continue;
                    }
                    match path {
                        Value::Str(path) => self.push(name, path, origin, construct),
                        Value::Unknown(why) => {
                            self.warn(format!("the path of {name} ({construct} at {origin}) could not be resolved: {why}"))
                        }
                        _ => self.warn(format!("the path of {name} ({construct} at {origin}) is not a string")),
                    }
                }
            }
            Value::Null => {}
            Value::Unknown(why) => self.warn(format!(
                "the secrets of {construct} at {origin} could not be resolved: {why}"
            )),
            _ => self.warn(format!(
                "the secrets of {construct} at {origin} are not an object"
            )),
        }
    }

    fn push(&mut self, name: &str, path: &str, origin: &str, construct: &str) {
        if !self.seen.insert(name.to_string()) {
            self.warn(format!(
                "{name} is declared twice (again by {construct} at {origin}); the first is used"
            ));
            return;
        }
        self.out.secrets.push(Declared {
            name: name.to_string(),
            path: path.to_string(),
            origin: origin.to_string(),
            construct: construct.to_string(),
        });
    }

    fn features(&mut self, arg: Option<Value<'a>>, origin: &str) {
        let Some(Value::Obj(features)) = arg else {
            if let Some(Value::Unknown(why)) = arg {
                self.warn(format!(
                    "the .features at {origin} could not be resolved: {why}"
                ));
            }
            return;
        };
        let on = self.features_on();
        for (key, feature) in features.iter() {
            if let Some(why) = key.strip_prefix('?') {
                self.warn(format!(
                    "a feature name in .features at {origin} could not be resolved: {why}"
                ));
            } else if on.contains(key) {
                let secrets = feature.get("secrets", self.ev);
                self.add(secrets, origin, &format!(".features({key})"));
            }
        }
    }

    /// Feature names listed in `featuresOn` of every environment of the selected type.
    fn features_on(&mut self) -> HashSet<String> {
        let path = self.ev.loader().root().join(ENVIRONMENTS);
        let Some(m) = self.ev.loader().load(&path) else {
            self.warn(format!(
                "{ENVIRONMENTS} was not found; every feature counts as off"
            ));
            return HashSet::new();
        };
        let mut on = HashSet::new();
        for stmt in &m.program.body {
            let decl = match stmt {
                oxc_ast::ast::Statement::VariableDeclaration(v) => v,
                oxc_ast::ast::Statement::ExportDeclaration(d) => match &d.declaration {
                    oxc_ast::ast::Declaration::VariableDeclaration(v) => v,
                    _ => continue,
                },
                _ => continue,
            };
            for d in &decl.declarations {
                if let Some(init) = &d.init {
                    let value = self.ev.expr(init, &m, &eval::Scope::default());
                    collect_features(&value, self.env.name(), &mut on);
                }
            }
        }
        on
    }

    fn db(&mut self, arg: Option<Value<'a>>, origin: &str, method: &str) {
        let arg = arg.unwrap_or(Value::Null);
        let path = match arg.get("passwordSecret", self.ev) {
            Value::Str(p) => p,
            Value::Unknown(why) => {
                return self.warn(format!(
                    "the passwordSecret of .{method} at {origin} could not be resolved: {why}"
                ));
            }
            _ => {
                let base = self
                    .service
                    .trim_end_matches("-worker")
                    .trim_end_matches("-job");
                let name = arg
                    .get("name", self.ev)
                    .text()
                    .unwrap_or_else(|| base.to_string());
                let readonly = matches!(arg.get("readOnly", self.ev), Value::Bool(true));
                format!(
                    "/k8s/{name}{}/DB_PASSWORD",
                    if readonly { "/readonly" } else { "" }
                )
            }
        };
        self.push("DB_PASS", &path, origin, &format!(".{method}"));
    }

    fn warn(&mut self, message: String) {
        self.out.warnings.push(message);
    }
}

fn collect_features(value: &Value<'_>, env: &str, on: &mut HashSet<String>) {
    match value {
        Value::Obj(props) => {
            let is_env = props
                .iter()
                .any(|(k, v)| k == "type" && matches!(v, Value::Str(s) if s == env));
            if is_env
                && let Some((_, Value::Arr(items))) = props.iter().find(|(k, _)| k == "featuresOn")
            {
                on.extend(items.iter().filter_map(Value::text));
            }
            for (_, v) in props.iter() {
                collect_features(v, env, on);
            }
        }
        Value::Arr(items) => items.iter().for_each(|v| collect_features(v, env, on)),
        _ => {}
    }
}

#[cfg(test)]
mod tests;
