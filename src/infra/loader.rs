//! Parsing modules once per run and resolving their top-level names and relative imports.

use std::cell::RefCell;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    BindingPattern, Declaration, Expression, Function, ImportDeclarationSpecifier,
    ModuleExportName, Program, Statement, TSEnumDeclaration,
};
use oxc_parser::Parser;
use oxc_span::{SourceType, Span};

/// What a top-level name in a module stands for.
#[derive(Clone, Copy)]
pub enum Binding<'a> {
    /// `const X = expr` (exported or not).
    Const(&'a Expression<'a>),
    /// `function f() {}`.
    Function(&'a Function<'a>),
    /// `enum E { ... }`.
    Enum(&'a TSEnumDeclaration<'a>),
    /// `import { imported as local } from 'source'` or `export { imported as local } from`.
    Import { source: &'a str, imported: &'a str },
    /// `import * as local from 'source'`.
    Namespace { source: &'a str },
}

/// Where something is written: file (relative to the root), 1-based line and column.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Loc {
    /// File, relative to the repository root.
    pub file: Rc<str>,
    /// 1-based line.
    pub line: usize,
    /// 1-based column, in characters.
    pub column: usize,
}

impl Loc {
    /// `file:line`.
    pub fn at(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// One parsed file.
pub struct Module<'a> {
    /// Path relative to the repository root, for messages.
    pub rel: String,
    /// Absolute path, for resolving relative imports.
    pub path: PathBuf,
    /// The source, for line numbers.
    pub source: &'a str,
    /// The parsed program.
    pub program: &'a Program<'a>,
    /// Top-level names (local names, including imports).
    locals: HashMap<&'a str, Binding<'a>>,
    /// Exported name → local name (or re-export binding).
    exports: HashMap<&'a str, Binding<'a>>,
    /// `export * from 'source'`.
    star_exports: Vec<&'a str>,
    /// `export { local as exported }`, resolved after the whole module is indexed.
    local_exports: Vec<(&'a str, &'a str)>,
}

impl<'a> Module<'a> {
    /// The 1-based line of a span.
    pub fn line(&self, span: Span) -> usize {
        let end = (span.start as usize).min(self.source.len());
        self.source.as_bytes()[..end]
            .iter()
            .filter(|b| **b == b'\n')
            .count()
            + 1
    }

    /// `file:line` of a span.
    pub fn at(&self, span: Span) -> String {
        format!("{}:{}", self.rel, self.line(span))
    }

    /// File, line and column (1-based, in characters) of a span's start.
    pub fn loc(&self, span: Span) -> Loc {
        let end = (span.start as usize).min(self.source.len());
        let before = &self.source[..end];
        let line_start = before.rfind('\n').map_or(0, |i| i + 1);
        Loc {
            file: self.rel.as_str().into(),
            line: self.line(span),
            column: before[line_start..].chars().count() + 1,
        }
    }

    /// A top-level name as seen inside the module.
    pub fn local(&self, name: &str) -> Option<Binding<'a>> {
        self.locals.get(name).copied()
    }
}

/// Loads and caches modules; everything lives as long as the allocator.
pub struct Loader<'a> {
    alloc: &'a Allocator,
    root: PathBuf,
    modules: RefCell<HashMap<PathBuf, Option<Rc<Module<'a>>>>>,
    /// Files that did not parse cleanly, with the first error.
    pub parse_warnings: RefCell<Vec<String>>,
}

impl<'a> Loader<'a> {
    /// A loader for the repository at `root`.
    pub fn new(alloc: &'a Allocator, root: &Path) -> Self {
        Self {
            alloc,
            root: root.to_path_buf(),
            modules: RefCell::new(HashMap::new()),
            parse_warnings: RefCell::new(Vec::new()),
        }
    }

    /// The repository root.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// Parses `path` (absolute), once; None if it cannot be read.
    pub fn load(&self, path: &Path) -> Option<Rc<Module<'a>>> {
        if let Some(m) = self.modules.borrow().get(path) {
            return m.clone();
        }
        let module = std::fs::read_to_string(path)
            .ok()
            .map(|text| Rc::new(self.parse(path, &text)));
        self.modules
            .borrow_mut()
            .insert(path.to_path_buf(), module.clone());
        module
    }

    /// Parses `text`, already read from `path`, once (so a file is read only once a run).
    pub fn load_text(&self, path: &Path, text: &str) -> Rc<Module<'a>> {
        if let Some(Some(m)) = self.modules.borrow().get(path) {
            return m.clone();
        }
        let module = Rc::new(self.parse(path, text));
        self.modules
            .borrow_mut()
            .insert(path.to_path_buf(), Some(module.clone()));
        module
    }

    /// Parses source text as the module at `path` (which need not exist).
    pub fn parse(&self, path: &Path, text: &str) -> Module<'a> {
        let source: &'a str = self.alloc.alloc_str(text);
        let ret = Parser::new(self.alloc, source, SourceType::ts()).parse();
        let rel = path
            .strip_prefix(&self.root)
            .unwrap_or(path)
            .display()
            .to_string();
        if let Some(err) = ret.diagnostics.errors().next() {
            self.parse_warnings
                .borrow_mut()
                .push(format!("{rel}: cannot parse: {err}"));
        }
        let program: &'a Program<'a> = self.alloc.alloc(ret.program);
        let mut module = Module {
            rel,
            path: path.to_path_buf(),
            source,
            program,
            locals: HashMap::new(),
            exports: HashMap::new(),
            star_exports: Vec::new(),
            local_exports: Vec::new(),
        };
        for stmt in &program.body {
            index_statement(&mut module, stmt);
        }
        for (exported, local) in std::mem::take(&mut module.local_exports) {
            if let Some(b) = module.locals.get(local).copied() {
                module.exports.insert(exported, b);
            }
        }
        module
    }

    /// Follows a relative import from `from` to a module, as TypeScript resolves it; bare
    /// specifiers are not followed.
    pub fn resolve(&self, from: &Module<'a>, source: &str) -> Option<Rc<Module<'a>>> {
        if !source.starts_with('.') {
            return None;
        }
        // Lexically normalised, so a module reached by two relative paths is parsed once and
        // named once (`infra/src/dsl/xroad.ts`, not `apps/api/infra/../../../infra/...`).
        let base = normalize(&from.path.parent()?.join(source));
        let candidates = candidates(&base);
        candidates
            .iter()
            .filter(|p| p.is_file())
            .find_map(|p| self.load(p))
    }

    /// What `name` exported from `module` is, following re-exports (bounded depth).
    pub fn export(
        &self,
        module: &Rc<Module<'a>>,
        name: &str,
        depth: usize,
    ) -> Option<(Rc<Module<'a>>, Binding<'a>)> {
        if depth > 16 {
            return None;
        }
        if let Some(b) = module.exports.get(name).copied() {
            return Some((module.clone(), b));
        }
        module
            .star_exports
            .iter()
            .filter_map(|src| self.resolve(module, src))
            .find_map(|m| self.export(&m, name, depth + 1))
    }
}

fn index_statement<'a>(m: &mut Module<'a>, stmt: &'a Statement<'a>) {
    match stmt {
        Statement::ImportDeclaration(decl) => {
            let source = decl.source.value.as_str();
            for spec in decl.specifiers.iter().flatten() {
                let (local, binding) = match spec {
                    ImportDeclarationSpecifier::ImportSpecifier(s) => (
                        s.local.name.as_str(),
                        Binding::Import {
                            source,
                            imported: export_name(&s.imported),
                        },
                    ),
                    ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => (
                        s.local.name.as_str(),
                        Binding::Import {
                            source,
                            imported: "default",
                        },
                    ),
                    ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                        (s.local.name.as_str(), Binding::Namespace { source })
                    }
                };
                m.locals.insert(local, binding);
            }
        }
        Statement::ExportDeclaration(decl) => {
            for (name, binding) in declared(&decl.declaration) {
                m.locals.insert(name, binding);
                m.exports.insert(name, binding);
            }
        }
        Statement::ExportNamedDeclaration(decl) => {
            // `export { a as b }` may precede `const a`; resolved lazily through `locals`.
            for spec in &decl.specifiers {
                let (local, exported) = (export_name(&spec.local), export_name(&spec.exported));
                m.local_exports.push((exported, local));
            }
        }
        Statement::ExportFromDeclaration(decl) => {
            for spec in &decl.specifiers {
                let (local, exported) = (export_name(&spec.local), export_name(&spec.exported));
                let b = Binding::Import {
                    source: decl.source.value.as_str(),
                    imported: local,
                };
                m.exports.insert(exported, b);
            }
        }
        Statement::ExportDefaultDeclaration(decl) => {
            if let Some(expr) = decl.declaration.as_expression() {
                m.exports.insert("default", Binding::Const(expr));
            }
        }
        Statement::ExportAllDeclaration(decl) if decl.exported.is_none() => {
            m.star_exports.push(decl.source.value.as_str());
        }
        _ => {
            if let Some(d) = stmt.as_declaration() {
                for (name, binding) in declared(d) {
                    m.locals.insert(name, binding);
                }
            }
        }
    }
}

fn declared<'a>(d: &'a Declaration<'a>) -> Vec<(&'a str, Binding<'a>)> {
    match d {
        Declaration::VariableDeclaration(v) => v
            .declarations
            .iter()
            .filter_map(|decl| match (&decl.id, &decl.init) {
                (BindingPattern::BindingIdentifier(id), Some(init)) => {
                    Some((id.name.as_str(), Binding::Const(init)))
                }
                _ => None,
            })
            .collect(),
        Declaration::FunctionDeclaration(f) => {
            f.id.as_ref()
                .map(|id| vec![(id.name.as_str(), Binding::Function(f))])
                .unwrap_or_default()
        }
        Declaration::TSEnumDeclaration(e) => vec![(e.id.name.as_str(), Binding::Enum(e))],
        _ => Vec::new(),
    }
}

fn export_name<'a>(n: &'a ModuleExportName<'a>) -> &'a str {
    match n {
        ModuleExportName::IdentifierName(i) => i.name.as_str(),
        ModuleExportName::IdentifierReference(i) => i.name.as_str(),
        ModuleExportName::StringLiteral(s) => s.value.as_str(),
    }
}

/// `a/b/../c/./d` → `a/c/d`, without touching the file system.
fn normalize(path: &Path) -> PathBuf {
    use std::path::Component;
    let mut out = PathBuf::new();
    for c in path.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                if !out.pop() {
                    out.push("..");
                }
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// The files a relative specifier may name, in TypeScript's order: the extension added (never
/// replaced: `./admin-portal.infra` is `admin-portal.infra.ts`), a `.js` written for the
/// `.ts` file, the folder's `index.ts`, and the path as written.
fn candidates(base: &Path) -> Vec<PathBuf> {
    let text = base.as_os_str().to_string_lossy();
    let mut out = vec![
        PathBuf::from(format!("{text}.ts")),
        PathBuf::from(format!("{text}.tsx")),
    ];
    for (js, ts) in [
        (".js", ".ts"),
        (".jsx", ".tsx"),
        (".mjs", ".mts"),
        (".cjs", ".cts"),
    ] {
        if let Some(stem) = text.strip_suffix(js) {
            out.push(PathBuf::from(format!("{stem}{ts}")));
        }
    }
    out.push(base.join("index.ts"));
    out.push(base.join("index.tsx"));
    out.push(base.to_path_buf());
    out
}
