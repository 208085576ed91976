//! The DSL's rules: what each construct of a service's chain adds to what it declares, in
//! the order the Helm renderer applies them (bff secrets, the common secrets, `.secrets`,
//! enabled `.features`, `.xroad` configs, and last the `DB_PASS` of `.db()` / `.postgres()`).

use std::collections::HashSet;

use oxc_span::GetSpan;

use super::eval::{self, Eval, Value};
use super::loader::Loc;
use super::{BFF, CONSTS, Declared, ENVIRONMENTS, Env, Reading, chain};

/// Where a construct's call stands, for the entries it brings in.
pub(super) struct Site {
    /// The call's place (`None` for COMMON_SECRETS, which no call brings in).
    at: Option<Loc>,
}

pub(super) struct Rules<'r, 'l, 'a> {
    ev: &'r Eval<'l, 'a>,
    service: &'r str,
    env: Env,
    out: &'r mut Reading,
    seen: HashSet<String>,
}

impl<'r, 'l, 'a> Rules<'r, 'l, 'a> {
    pub(super) fn new(
        ev: &'r Eval<'l, 'a>,
        service: &'r str,
        env: Env,
        out: &'r mut Reading,
    ) -> Self {
        Self {
            ev,
            service,
            env,
            out,
            seen: HashSet::new(),
        }
    }

    pub(super) fn apply(&mut self, chain: &chain::Chain<'a>) {
        for call in chain.calls.iter().filter(|c| c.method == "bff") {
            let site = site(call);
            let arg = call
                .arguments(self.ev)
                .into_iter()
                .next()
                .unwrap_or(Value::Null);
            let secrets = match self.dsl_export(BFF, "bffConfig") {
                Value::Func(f) => self.ev.call(&f, vec![arg]).get("secrets", self.ev),
                other => other,
            };
            self.add(secrets, &site, ".bff");
        }
        // A repository without the DSL's consts module has no common secrets to add.
        if self.ev.loader().root().join(CONSTS).is_file() {
            let common = self.dsl_export(CONSTS, "COMMON_SECRETS");
            self.add(common, &Site { at: None }, "COMMON_SECRETS");
        }
        let mut db = None;
        for call in &chain.calls {
            let site = site(call);
            match call.method {
                "secrets" => {
                    for a in call.arguments(self.ev) {
                        self.add(a, &site, ".secrets");
                    }
                }
                "features" => self.features(call.arguments(self.ev).into_iter().next(), &site),
                // The Helm renderer merges the database password in after everything else.
                "db" | "postgres" => db = Some(call),
                _ => {}
            }
        }
        for call in chain.calls.iter().filter(|c| c.method == "xroad") {
            let site = site(call);
            let m = &call.module;
            let labels: Vec<String> = call
                .call
                .arguments
                .iter()
                .map(|a| m.source[a.span().start as usize..a.span().end as usize].to_string())
                .collect();
            for (i, conf) in call.arguments(self.ev).into_iter().enumerate() {
                let label = labels.get(i).map_or("?", String::as_str);
                let secrets = conf.get("secrets", self.ev);
                self.add(secrets, &site, &format!(".xroad({label})"));
            }
        }
        if let Some(call) = db {
            let site = site(call);
            self.db(
                call.arguments(self.ev).into_iter().next(),
                &site,
                call.method,
            );
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
    fn add(&mut self, secrets: Value<'a>, site: &Site, construct: &str) {
        let call = site.at.as_ref().map_or_else(
            || construct.to_string(),
            |at| format!("{construct} at {}", at.at()),
        );
        match secrets {
            Value::Obj(props) => {
                for (name, path, at) in props.iter() {
                    let entry = at.as_ref().or(site.at.as_ref());
                    let place = entry.map_or_else(
                        || call.clone(),
                        |e| match &site.at {
                            Some(s) if s.file != e.file || s.line != e.line => {
                                format!("{}, via {call}", e.at())
                            }
                            _ => call.clone(),
                        },
                    );
                    if let Some(why) = name.strip_prefix('?') {
                        self.warn(format!(
                            "a secret name at {place} could not be resolved: {why}"
                        ));
                        continue;
                    }
                    match (path, entry) {
                        (Value::Str(path), Some(entry)) => {
                            self.push(name, path, entry.clone(), site.at.as_ref(), construct)
                        }
                        (Value::Unknown(why), _) => self.warn(format!(
                            "the path of {name} ({place}) could not be resolved: {why}"
                        )),
                        _ => self.warn(format!("the path of {name} ({place}) is not a string")),
                    }
                }
            }
            Value::Null => {}
            Value::Unknown(why) => self.warn(format!(
                "the secrets of {call} could not be resolved: {why}"
            )),
            _ => self.warn(format!("the secrets of {call} are not an object")),
        }
    }

    fn push(&mut self, name: &str, path: &str, entry: Loc, call: Option<&Loc>, construct: &str) {
        let origin = entry.at();
        if !self.seen.insert(name.to_string()) {
            self.warn(format!(
                "{name} is declared twice (again by {construct} at {origin}); the first is used"
            ));
            return;
        }
        self.out.secrets.push(Declared {
            name: name.to_string(),
            path: path.to_string(),
            via: call
                .filter(|c| c.file != entry.file || c.line != entry.line)
                .map(Loc::at),
            file: entry.file.to_string(),
            line: entry.line,
            column: entry.column,
            origin,
            construct: construct.to_string(),
        });
    }

    fn features(&mut self, arg: Option<Value<'a>>, site: &Site) {
        let origin = site.at.as_ref().map(Loc::at).unwrap_or_default();
        let Some(Value::Obj(features)) = arg else {
            if let Some(Value::Unknown(why)) = arg {
                self.warn(format!(
                    "the .features at {origin} could not be resolved: {why}"
                ));
            }
            return;
        };
        let on = self.features_on();
        for (key, feature, _) in features.iter() {
            if let Some(why) = key.strip_prefix('?') {
                self.warn(format!(
                    "a feature name in .features at {origin} could not be resolved: {why}"
                ));
            } else if on.contains(key) {
                let secrets = feature.get("secrets", self.ev);
                self.add(secrets, site, &format!(".features({key})"));
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

    fn db(&mut self, arg: Option<Value<'a>>, site: &Site, method: &str) {
        let Some(at) = site.at.clone() else { return };
        let origin = at.at();
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
        self.push("DB_PASS", &path, at, None, &format!(".{method}"));
    }

    fn warn(&mut self, message: String) {
        self.out.warnings.push(message);
    }
}

fn site(call: &chain::Call<'_>) -> Site {
    Site {
        at: Some(call.module.loc(call.at)),
    }
}

fn collect_features(value: &Value<'_>, env: &str, on: &mut HashSet<String>) {
    match value {
        Value::Obj(props) => {
            let is_env = props
                .iter()
                .any(|(k, v, _)| k == "type" && matches!(v, Value::Str(s) if s == env));
            if is_env
                && let Some((_, Value::Arr(items), _)) =
                    props.iter().find(|(k, _, _)| k == "featuresOn")
            {
                on.extend(items.iter().filter_map(Value::text));
            }
            for (_, v, _) in props.iter() {
                collect_features(v, env, on);
            }
        }
        Value::Arr(items) => items.iter().for_each(|v| collect_features(v, env, on)),
        _ => {}
    }
}
