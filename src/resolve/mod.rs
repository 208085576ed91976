//! The one resolution every command renders (`get`, `exec`, `list`, `list --all`, `audit`):
//! from a service's declared entries, what its sweep found, and the repository's rules, to
//! rows (variable, declared path, path read, declaration, status, value); and from rows to
//! the variables to write. Pure.

use std::collections::{BTreeMap, HashMap, HashSet};

use crate::envfile::{Entry, is_shell_identifier};
use crate::infra::Declared;
use crate::model::{Parameter, SecretValue};
use crate::selector::{self, Key};

/// Everything fetched for one project.
#[derive(Debug, Default)]
pub struct Project<'f> {
    /// Pairs the infra declares, in the DSL's order.
    pub declared: Vec<Declared>,
    /// Everything under the prefix (empty with `--declared-only`).
    pub swept: Vec<Parameter>,
    /// Parameters fetched by name (declared paths outside the prefix, overrides); shared by
    /// every project of a run.
    pub fetched: &'f [Parameter],
}

/// Repository rules applied to every project.
#[derive(Debug, Default, Clone)]
pub struct Rules {
    /// Names never written.
    pub exclude: Vec<String>,
    /// Name → path read instead.
    pub overrides: BTreeMap<String, String>,
}

/// How a row stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// Declared and stored.
    Ok,
    /// Declared, not stored.
    Missing,
    /// Stored under the prefix, not declared.
    Undeclared,
    /// Declared; SSM was not asked (`--offline`).
    Declared,
    /// Stored, but the `#key` it selects is not there (or the value is not JSON).
    NoKey,
    /// Declared, but named by `exclude`: never fetched, never written.
    Excluded,
}

impl Status {
    /// The word `list` shows.
    pub fn word(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Missing => "missing",
            Status::Undeclared => "undeclared",
            Status::Declared => "declared",
            Status::NoKey => "no-key",
            Status::Excluded => "excluded",
        }
    }
}

/// One variable of a project.
#[derive(Debug, Clone)]
pub struct Row {
    /// Variable name.
    pub name: String,
    /// Parameter path read (after `[overrides]`).
    pub path: String,
    /// The path the infra code declares, when it declares one (it differs from `path` when
    /// an override applies); None for a parameter only the sweep found.
    pub declared: Option<String>,
    /// `file:line .construct`, `sweep`, or with ` (override)`.
    pub source: String,
    /// Where it is declared: file, line, column (None for a swept parameter).
    pub at: Option<(String, usize, usize)>,
    /// Declared/stored standing.
    pub status: Status,
    /// The value, when stored.
    pub value: Option<SecretValue>,
}

impl Row {
    /// The row's fields as every `--json` output names them (never the value): `name`,
    /// `path` (read), `declared_path`, `source`, `file`, `line`, `column`, `status`.
    pub fn json(&self) -> serde_json::Map<String, serde_json::Value> {
        let (file, line, column) = match &self.at {
            Some((f, l, c)) => (Some(f.as_str()), Some(*l), Some(*c)),
            None => (None, None, None),
        };
        let doc = serde_json::json!({
            "name": self.name, "path": self.path, "declared_path": self.declared,
            "source": self.source, "file": file, "line": line, "column": column,
            "status": self.status.word(),
        });
        match doc {
            serde_json::Value::Object(map) => map,
            _ => serde_json::Map::new(),
        }
    }

    /// The declared path when an override replaced it (`instead of /k8s/api/X`), said after a
    /// table's status column so that it does not widen the path column of every row.
    pub fn overridden(&self) -> Option<String> {
        match &self.declared {
            Some(declared) if *declared != self.path => Some(format!("instead of {declared}")),
            _ => None,
        }
    }
}

/// The rows of one project, and warnings (never values): declared pairs first, in order, then
/// what the sweep adds. A declared name wins over a swept one. Rows whose parameter is not
/// stored have status `Missing`; reporting them is the caller's choice.
pub fn rows(p: &Project<'_>, rules: &Rules) -> (Vec<Row>, Vec<String>) {
    let stored: HashMap<&str, &SecretValue> = p
        .swept
        .iter()
        .chain(p.fetched)
        .map(|param| (param.name.as_str(), &param.value))
        .collect();
    let mut acc = Rows {
        rules,
        stored,
        rows: Vec::new(),
        names: HashSet::new(),
        warnings: Vec::new(),
    };
    for d in &p.declared {
        acc.declared(d);
    }
    // A swept parameter that a declared row reads (or declares) is that row, not another.
    let read: HashSet<String> = acc
        .rows
        .iter()
        .flat_map(|r| [Some(&r.path), r.declared.as_ref()])
        .flatten()
        .map(|p| selector::split(p).0.to_string())
        .collect();
    let swept: Vec<Parameter> = p
        .swept
        .iter()
        .filter(|q| !read.contains(&q.name))
        .cloned()
        .collect();
    acc.swept(&swept);
    (acc.rows, acc.warnings)
}

/// The declared rows of one service from the infra code alone, the rules applied: status
/// `declared` (or `excluded`). What `list --offline`, `list --all` and `audit` render.
pub fn declared_rows(declared: &[Declared], rules: &Rules) -> (Vec<Row>, Vec<String>) {
    let project = Project {
        declared: declared.to_vec(),
        ..Project::default()
    };
    let (mut rows, warnings) = rows(&project, rules);
    for row in &mut rows {
        if row.status != Status::Excluded {
            row.status = Status::Declared;
        }
    }
    (rows, warnings)
}

/// Whether `rules` keep `name` from ever being fetched or written.
pub fn is_excluded(rules: &Rules, name: &str) -> bool {
    rules.exclude.iter().any(|e| e == name)
}

/// The rows built so far, the names they set, and the warnings.
struct Rows<'r> {
    rules: &'r Rules,
    stored: HashMap<&'r str, &'r SecretValue>,
    rows: Vec<Row>,
    names: HashSet<String>,
    warnings: Vec<String>,
}

impl Rows<'_> {
    fn excluded(&self, name: &str) -> bool {
        is_excluded(self.rules, name)
    }

    /// Takes `name` unless it is excluded or already set.
    fn claim(&mut self, name: &str) -> bool {
        !self.excluded(name) && self.names.insert(name.to_string())
    }

    /// One declared secret: its override, its stored value, and a `#key` selection.
    fn declared(&mut self, d: &Declared) {
        let at = (d.line > 0).then(|| (d.file.clone(), d.line, d.column));
        if self.excluded(&d.name) {
            if self.names.insert(d.name.clone()) {
                self.rows.push(Row {
                    name: d.name.clone(),
                    path: d.path.clone(),
                    declared: Some(d.path.clone()),
                    source: d.source(),
                    at,
                    status: Status::Excluded,
                    value: None,
                });
            }
            return;
        }
        if !self.claim(&d.name) {
            return;
        }
        let (path, source) = match self.rules.overrides.get(&d.name) {
            Some(path) => (path.clone(), format!("{} (override)", d.source())),
            None => (d.path.clone(), d.source()),
        };
        let template = Row {
            name: d.name.clone(),
            path,
            declared: Some(d.path.clone()),
            source,
            at,
            status: Status::Missing,
            value: None,
        };
        let (base, key) = selector::split(&template.path);
        let Some(value) = self.stored.get(base).copied() else {
            return self.rows.push(template);
        };
        let base = base.to_string();
        match key {
            Key::Whole => self.push(template, None, Some(value.clone())),
            Key::One(k) => match selector::pick(value.expose(), k) {
                Ok(text) => self.push(template, None, Some(SecretValue::new(text))),
                Err(miss) => {
                    let why = format!("the secret {base} {} (key `{k}`)", miss.reason());
                    self.no_key(template, why);
                }
            },
            Key::All => match selector::expand(value.expose()) {
                Ok(keys) => {
                    let prefix = d.name.trim_end_matches('*');
                    for (k, text) in keys {
                        let name = selector::variable(prefix, &k);
                        if self.claim(&name) {
                            let row = template.clone();
                            self.push(row, Some(name), Some(SecretValue::new(text)));
                        }
                    }
                }
                Err(miss) => self.no_key(template, format!("the secret {base} {}", miss.reason())),
            },
        }
    }

    /// A stored row (renamed, for an expanded key), its value checked.
    fn push(&mut self, mut row: Row, name: Option<String>, value: Option<SecretValue>) {
        if let Some(name) = name {
            row.name = name;
        }
        row.value = usable(&row.name, &row.path, value.as_ref(), &mut self.warnings);
        row.status = Status::Ok;
        self.rows.push(row);
    }

    /// A stored value whose `#key` cannot be taken.
    fn no_key(&mut self, mut row: Row, why: String) {
        self.warnings.push(format!("{}: {why}", row.name));
        row.status = Status::NoKey;
        self.rows.push(row);
    }

    /// What the sweep adds: nearest the prefix first; names set already are kept.
    fn swept(&mut self, swept: &[Parameter]) {
        let mut swept: Vec<&Parameter> = swept.iter().collect();
        swept.sort_by_key(|q| (q.name.matches('/').count(), q.name.clone()));
        let mut from_sweep: HashMap<String, String> = HashMap::new();
        for q in swept {
            let name = q.name.rsplit('/').next().unwrap_or_default();
            if !is_shell_identifier(name) {
                self.warnings.push(format!(
                    "skipped {}: `{name}` is not a valid environment variable name",
                    q.name
                ));
                continue;
            }
            if let Some(kept) = from_sweep.get(name) {
                self.warnings
                    .push(format!("skipped {}: {kept} also sets {name}", q.name));
                continue;
            }
            from_sweep.insert(name.to_string(), q.name.clone());
            if self.excluded(name) || !self.names.insert(name.to_string()) {
                continue;
            }
            let (path, source, value) = match self.rules.overrides.get(name) {
                Some(path) => (
                    path.clone(),
                    "sweep (override)".to_string(),
                    self.stored.get(path.as_str()).copied(),
                ),
                None => (q.name.clone(), "sweep".to_string(), Some(&q.value)),
            };
            let status = match value {
                Some(_) => Status::Undeclared,
                None => Status::Missing,
            };
            let value = usable(name, &path, value, &mut self.warnings);
            self.rows.push(Row {
                name: name.to_string(),
                path,
                declared: None,
                source,
                at: None,
                status,
                value,
            });
        }
    }
}

fn usable(
    name: &str,
    path: &str,
    value: Option<&SecretValue>,
    warnings: &mut Vec<String>,
) -> Option<SecretValue> {
    let value = value?;
    if value.expose().contains('\0') {
        warnings.push(format!(
            "skipped {name} ({path}): its value holds a NUL byte, which no environment variable can"
        ));
        return None;
    }
    Some(value.clone())
}

/// The variables to write, from every project's rows; each with its project's index.
/// Across projects the later one on the command line wins, with a warning.
pub fn entries(projects: &[Vec<Row>]) -> (Vec<Entry>, Vec<usize>, Vec<String>) {
    let mut entries: Vec<Entry> = Vec::new();
    let mut owners = Vec::new();
    let mut warnings = Vec::new();
    let mut slot: HashMap<String, (usize, String)> = HashMap::new();
    for (owner, rows) in projects.iter().enumerate() {
        for row in rows {
            let Some(value) = &row.value else { continue };
            let entry = Entry {
                name: row.name.clone(),
                value: value.clone(),
            };
            match slot.get(&row.name) {
                Some((i, earlier)) => {
                    if *earlier != row.path {
                        warnings.push(format!(
                            "{}: {} overrides {earlier} (later projects win)",
                            row.name, row.path
                        ));
                    }
                    let i = *i;
                    entries[i] = entry;
                    owners[i] = owner;
                    slot.insert(row.name.clone(), (i, row.path.clone()));
                }
                None => {
                    slot.insert(row.name.clone(), (entries.len(), row.path.clone()));
                    entries.push(entry);
                    owners.push(owner);
                }
            }
        }
    }
    (entries, owners, warnings)
}

#[cfg(test)]
mod tests;
