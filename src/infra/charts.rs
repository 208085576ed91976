//! Which services each environment runs, read statically from the uber charts
//! (`infra/src/uber-charts/*.ts`): an exported `{ prod: [...], staging: [...], dev: [...] }`
//! whose entries are variables bound to a setup function's call, itself imported from an
//! app's infra file, whose `service(...)` names the service.

use std::collections::HashMap;
use std::path::Path;
use std::rc::Rc;

use oxc_ast::ast::{Declaration, Expression, ObjectPropertyKind, Statement};
use oxc_span::{GetSpan, Span};

use super::Env;
use super::chain::{self, strip};
use super::eval::Eval;
use super::loader::{Binding, Loader, Module};

/// Where the uber charts live.
pub const CHARTS_DIR: &str = "infra/src/uber-charts";

/// One chart entry: the service's name and the file whose `service(...)` call builds it, as
/// the chart's import leads there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The service's name.
    pub name: String,
    /// The file that builds it, relative to the root.
    pub file: String,
}

/// Each environment's services, from every chart.
#[derive(Debug, Default)]
pub struct Deployments {
    /// Entries per environment, in chart order, each once.
    pub by_env: HashMap<Env, Vec<Entry>>,
    /// Chart files read.
    pub charts: Vec<String>,
    /// What could not be read, with file:line.
    pub warnings: Vec<String>,
}

impl Deployments {
    /// Whether the service `name` built in `file` runs in `env`.
    pub fn runs(&self, name: &str, file: &str, env: Env) -> bool {
        self.by_env
            .get(&env)
            .is_some_and(|s| s.iter().any(|e| e.name == name && e.file == file))
    }

    /// Whether any chart lists a service called `name` (from whichever file).
    pub fn charted(&self, name: &str) -> bool {
        self.by_env.values().flatten().any(|e| e.name == name)
    }
}

/// Reads every chart under `root`.
pub fn read<'a>(ev: &Eval<'_, 'a>, loader: &Loader<'a>, root: &Path) -> Deployments {
    let mut out = Deployments::default();
    let Ok(dir) = std::fs::read_dir(root.join(CHARTS_DIR)) else {
        return out;
    };
    let mut files: Vec<_> = dir
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "ts"))
        .collect();
    files.sort();
    let mut reader = Reader {
        ev,
        loader,
        names: HashMap::new(),
        out: &mut out,
    };
    for path in files {
        if let Some(m) = loader.load(&path) {
            reader.chart(&m);
        }
    }
    out
}

struct Reader<'r, 'e, 'l, 'a> {
    ev: &'e Eval<'l, 'a>,
    loader: &'l Loader<'a>,
    /// Per module, each service(...) call's span and name.
    names: HashMap<String, Vec<(Span, Option<String>)>>,
    out: &'r mut Deployments,
}

impl<'a> Reader<'_, '_, '_, 'a> {
    fn chart(&mut self, m: &Rc<Module<'a>>) {
        self.out.charts.push(m.rel.clone());
        for stmt in &m.program.body {
            let Statement::ExportDeclaration(d) = stmt else {
                continue;
            };
            let Declaration::VariableDeclaration(v) = &d.declaration else {
                continue;
            };
            for init in v.declarations.iter().filter_map(|d| d.init.as_ref()) {
                if let Expression::ObjectExpression(o) = strip(init) {
                    self.environments(m, o);
                }
            }
        }
    }

    fn environments(&mut self, m: &Rc<Module<'a>>, o: &'a oxc_ast::ast::ObjectExpression<'a>) {
        for p in &o.properties {
            let ObjectPropertyKind::ObjectProperty(p) = p else {
                continue;
            };
            let env = match p.key.static_name().as_deref() {
                Some("dev") => Env::Dev,
                Some("staging") => Env::Staging,
                Some("prod") => Env::Prod,
                _ => continue,
            };
            let Expression::ArrayExpression(list) = strip(&p.value) else {
                continue;
            };
            for el in list.elements.iter().filter_map(|e| e.as_expression()) {
                let name = match strip(el) {
                    Expression::Identifier(id) => self.service_of(m, id.name.as_str()),
                    _ => None,
                };
                match name {
                    Some(entry) => {
                        let list = self.out.by_env.entry(env).or_default();
                        if !list.contains(&entry) {
                            list.push(entry);
                        }
                    }
                    None => self.out.warnings.push(format!(
                        "cannot tell which service the {} entry at {} is; it is not audited \
                         for {}",
                        env.name(),
                        m.at(el.span()),
                        env.name()
                    )),
                }
            }
        }
    }

    /// The service a chart variable (`const api = apiSetup(...)`) sets up, and the file
    /// that builds it.
    fn service_of(&mut self, m: &Rc<Module<'a>>, var: &str) -> Option<Entry> {
        let Some(Binding::Const(init)) = m.local(var) else {
            return None;
        };
        let Expression::CallExpression(call) = strip(init) else {
            return None;
        };
        let Expression::Identifier(f) = strip(&call.callee) else {
            return None;
        };
        let (owner, span) = self.binding(m.clone(), m.local(f.name.as_str())?, 0)?;
        let names = self.names_in(&owner);
        let name = names
            .iter()
            .find(|(s, _)| span.start <= s.start && s.end <= span.end)
            .and_then(|(_, n)| n.clone())?;
        Some(Entry {
            name,
            file: owner.rel.clone(),
        })
    }

    /// The module and span of the function a binding stands for, following imports.
    fn binding(
        &self,
        m: Rc<Module<'a>>,
        b: Binding<'a>,
        depth: usize,
    ) -> Option<(Rc<Module<'a>>, Span)> {
        match b {
            Binding::Const(x) => Some((m, x.span())),
            Binding::Function(f) => Some((m, f.span)),
            Binding::Import { source, imported } if depth < 8 => {
                let target = self.loader.resolve(&m, source)?;
                let (owner, binding) = self.loader.export(&target, imported, 0)?;
                self.binding(owner, binding, depth + 1)
            }
            _ => None,
        }
    }

    fn names_in(&mut self, m: &Rc<Module<'a>>) -> &Vec<(Span, Option<String>)> {
        let ev = self.ev;
        self.names.entry(m.rel.clone()).or_insert_with(|| {
            chain::chains(ev, m)
                .into_iter()
                .filter(|c| c.file == m.rel)
                .map(|c| (c.span, c.name))
                .collect()
        })
    }
}
