//! Finding service builders and everything done to them: `service(NAME).a(...).b(...)`
//! chains, a builder bound to a variable and extended by later statements, and a builder
//! passed through a helper function that returns it, in the order the code runs.

use std::collections::HashMap;
use std::rc::Rc;

use oxc_ast::ast::{
    ArrowFunctionBody, AssignmentOperator, AssignmentTarget, BindingPattern, CallExpression,
    Declaration, ExportDefaultDeclarationKind, Expression, ObjectPropertyKind, Statement,
    VariableDeclaration,
};
use oxc_span::{GetSpan, Span};

mod helpers;

use helpers::FnBody;

use super::eval::{Eval, Scope, Value};
use super::loader::Module;

/// One service builder: its name and the method calls made on it, in order.
pub struct Chain<'a> {
    /// The service's name, if it could be computed.
    pub name: Option<String>,
    /// Why the name could not be computed, with file:line.
    pub unresolved: Option<String>,
    /// Where `service(...)` is called, `file:line`.
    pub at: String,
    /// The file of that call, relative to the root, and its span there.
    pub file: String,
    /// The span of the `service(...)` call.
    pub span: Span,
    /// Method calls, in the order they run.
    pub calls: Vec<Call<'a>>,
    /// What is done to the builder that is not evaluated, with file:line.
    pub warnings: Vec<String>,
}

/// One `.method(args)` made on a builder.
pub struct Call<'a> {
    /// The method's name.
    pub method: &'a str,
    /// The call, for its arguments.
    pub call: &'a CallExpression<'a>,
    /// Where the method's name stands.
    pub at: Span,
    /// The module the call is written in.
    pub module: Rc<Module<'a>>,
    /// The names visible there (a function's parameters and local constants).
    pub scope: Scope<'a>,
}

impl<'a> Call<'a> {
    /// The arguments, evaluated where the call is written (spreads of arrays expanded).
    pub fn arguments(&self, ev: &Eval<'_, 'a>) -> Vec<Value<'a>> {
        ev.args(&self.call.arguments, &self.module, &self.scope)
    }
}

/// Every builder in the module.
pub fn chains<'a>(ev: &Eval<'_, 'a>, m: &Rc<Module<'a>>) -> Vec<Chain<'a>> {
    let mut w = Walker {
        ev,
        found: Vec::new(),
        depth: 0,
    };
    let mut block = Block {
        module: m.clone(),
        scope: Scope::default(),
        builders: HashMap::new(),
        local: false,
    };
    for s in &m.program.body {
        w.stmt(s, &mut block, false);
    }
    w.found
}

/// Helpers calling helpers deeper than this are not followed.
const MAX_HELPER_DEPTH: usize = 16;

struct Walker<'e, 'l, 'a> {
    ev: &'e Eval<'l, 'a>,
    found: Vec<Chain<'a>>,
    depth: usize,
}

/// A statement list being walked: its module, the local names, and the variables that
/// hold a builder (index into `found`).
struct Block<'a> {
    module: Rc<Module<'a>>,
    scope: Scope<'a>,
    builders: HashMap<String, usize>,
    /// Inside a function (its constants go into `scope`).
    local: bool,
}

impl<'a> Walker<'_, '_, 'a> {
    fn stmt(&mut self, s: &'a Statement<'a>, b: &mut Block<'a>, conditional: bool) {
        match s {
            Statement::ExpressionStatement(e) => self.statement_expr(&e.expression, b, conditional),
            Statement::ReturnStatement(r) => {
                if let Some(e) = &r.argument {
                    self.statement_expr(e, b, conditional);
                }
            }
            Statement::BlockStatement(block) => {
                block.body.iter().for_each(|s| self.stmt(s, b, conditional))
            }
            Statement::IfStatement(i) => {
                self.stmt(&i.consequent, b, true);
                if let Some(alt) = &i.alternate {
                    self.stmt(alt, b, true);
                }
            }
            Statement::ExportDeclaration(d) => self.decl(&d.declaration, b, conditional),
            Statement::ExportDefaultDeclaration(d) => match &d.declaration {
                ExportDefaultDeclarationKind::FunctionDeclaration(func) => {
                    if let Some(body) = &func.body {
                        self.function(&func.params, FnBody::Block(body), &b.module, &b.scope);
                    }
                }
                other => {
                    if let Some(e) = other.as_expression() {
                        self.statement_expr(e, b, conditional);
                    }
                }
            },
            _ => match s.as_declaration() {
                Some(d) => self.decl(d, b, conditional),
                None => self.not_evaluated(s.span(), b, "this statement"),
            },
        }
    }

    fn decl(&mut self, d: &'a Declaration<'a>, b: &mut Block<'a>, conditional: bool) {
        match d {
            Declaration::VariableDeclaration(v) => self.variables(v, b, conditional),
            Declaration::FunctionDeclaration(func) => {
                if let Some(body) = &func.body {
                    self.function(&func.params, FnBody::Block(body), &b.module, &b.scope);
                }
            }
            _ => {}
        }
    }

    fn variables(&mut self, v: &'a VariableDeclaration<'a>, b: &mut Block<'a>, conditional: bool) {
        for d in &v.declarations {
            let Some(init) = &d.init else { continue };
            let name = match &d.id {
                BindingPattern::BindingIdentifier(id) => Some(id.name.as_str()),
                _ => None,
            };
            if let Some(idx) = self.applied(init, b, conditional) {
                if let Some(name) = name {
                    b.builders.insert(name.to_string(), idx);
                }
                continue;
            }
            self.walk_expr(init, b);
            if b.local {
                let value = self.ev.expr(init, &b.module, &b.scope);
                b.scope = self.ev.bind(&d.id, value, &b.module, b.scope.clone());
            }
        }
    }

    /// An expression standing as a statement (or returned): a builder's calls are applied;
    /// anything else is searched for builders and checked for unevaluated uses of one.
    fn statement_expr(&mut self, e: &'a Expression<'a>, b: &mut Block<'a>, conditional: bool) {
        // `x = x.secrets(...)`: the same builder, extended (a builder's methods return it).
        if let Expression::AssignmentExpression(set) = strip(e)
            && set.operator == AssignmentOperator::Assign
            && let AssignmentTarget::AssignmentTargetIdentifier(id) = &set.left
            && b.builders.contains_key(id.name.as_str())
            && let Some(idx) = self.applied(&set.right, b, conditional)
        {
            b.builders.insert(id.name.to_string(), idx);
            return;
        }
        if self.applied(e, b, conditional).is_none() {
            self.walk_expr(e, b);
            self.not_evaluated(e.span(), b, "this expression");
        }
    }

    /// If `e` is a builder with calls, applies them (or, when `conditional`, warns that they
    /// are not counted) and returns the builder.
    fn applied(
        &mut self,
        e: &'a Expression<'a>,
        b: &mut Block<'a>,
        conditional: bool,
    ) -> Option<usize> {
        let (idx, calls) = self.builder(e, b)?;
        if conditional && !calls.is_empty() {
            let at = b.module.at(e.span());
            self.found[idx].warnings.push(format!(
                "calls on the builder at {at} depend on a condition and are not counted"
            ));
            return Some(idx);
        }
        for call in &calls {
            for a in call.call.arguments.iter().filter_map(|a| a.as_expression()) {
                self.walk_expr(a, b);
            }
        }
        self.found[idx].calls.extend(calls);
        Some(idx)
    }

    /// The builder `e` evaluates to, and the calls `e` makes on it (in order), if it is one.
    fn builder(
        &mut self,
        e: &'a Expression<'a>,
        b: &mut Block<'a>,
    ) -> Option<(usize, Vec<Call<'a>>)> {
        let mut calls = Vec::new();
        let mut cur = strip(e);
        let idx = loop {
            match cur {
                Expression::CallExpression(c) => match strip(&c.callee) {
                    Expression::Identifier(id) if id.name == "service" => {
                        break self.new_chain(c, b)?;
                    }
                    Expression::StaticMemberExpression(member) => {
                        calls.push(Call {
                            method: member.property.name.as_str(),
                            call: c,
                            at: member.property.span(),
                            module: b.module.clone(),
                            scope: b.scope.clone(),
                        });
                        cur = strip(&member.object);
                    }
                    _ => break self.helper(c, b)?,
                },
                Expression::Identifier(id) => break *b.builders.get(id.name.as_str())?,
                _ => return None,
            }
        };
        calls.reverse();
        Some((idx, calls))
    }

    fn new_chain(&mut self, c: &'a CallExpression<'a>, b: &Block<'a>) -> Option<usize> {
        let arg = c.arguments.first().and_then(|a| a.as_expression())?;
        let name = self.ev.expr(arg, &b.module, &b.scope);
        let unresolved = match &name {
            Value::Unknown(why) => Some(why.to_string()),
            _ if name.text().is_none() => {
                Some(format!("not a string ({})", b.module.at(arg.span())))
            }
            _ => None,
        };
        self.found.push(Chain {
            name: name.text(),
            unresolved,
            at: b.module.at(c.span),
            file: b.module.rel.clone(),
            span: c.span,
            calls: Vec::new(),
            warnings: Vec::new(),
        });
        Some(self.found.len() - 1)
    }

    /// Warns when the code at `span` uses a builder variable in a way not evaluated.
    fn not_evaluated(&mut self, span: Span, b: &Block<'a>, what: &str) {
        let text = &b.module.source[span.start as usize..span.end as usize];
        for (name, idx) in &b.builders {
            if mentions(text, name) {
                let at = b.module.at(span);
                self.found[*idx].warnings.push(format!(
                    "{what} at {at} uses `{name}` in a way that is not evaluated statically; \
                     what it does to the service is not counted"
                ));
            }
        }
    }

    /// Searches an expression for builders (in nested functions too).
    fn walk_expr(&mut self, e: &'a Expression<'a>, b: &mut Block<'a>) {
        match e {
            Expression::CallExpression(c) => {
                if self.applied(e, b, false).is_some() {
                    return;
                }
                self.walk_expr(&c.callee, b);
                for a in c.arguments.iter().filter_map(|a| a.as_expression()) {
                    self.walk_expr(a, b);
                }
            }
            Expression::ArrowFunctionExpression(a) => {
                let body = match &a.body {
                    ArrowFunctionBody::FunctionBody(body) => FnBody::Block(body),
                    other => match other.as_expression() {
                        Some(x) => FnBody::Expr(x),
                        None => return,
                    },
                };
                let (module, scope) = (b.module.clone(), b.scope.clone());
                self.function(&a.params, body, &module, &scope);
            }
            Expression::FunctionExpression(func) => {
                if let Some(body) = &func.body {
                    let (module, scope) = (b.module.clone(), b.scope.clone());
                    self.function(&func.params, FnBody::Block(body), &module, &scope);
                }
            }
            Expression::ObjectExpression(o) => {
                for p in &o.properties {
                    if let ObjectPropertyKind::ObjectProperty(p) = p {
                        self.walk_expr(&p.value, b);
                    }
                }
            }
            Expression::ArrayExpression(a) => {
                for x in a.elements.iter().filter_map(|el| el.as_expression()) {
                    self.walk_expr(x, b);
                }
            }
            Expression::StaticMemberExpression(s) => self.walk_expr(&s.object, b),
            Expression::ParenthesizedExpression(p) => self.walk_expr(&p.expression, b),
            Expression::TSAsExpression(x) => self.walk_expr(&x.expression, b),
            Expression::TSSatisfiesExpression(x) => self.walk_expr(&x.expression, b),
            Expression::TSNonNullExpression(x) => self.walk_expr(&x.expression, b),
            Expression::ConditionalExpression(c) => {
                self.walk_expr(&c.consequent, b);
                self.walk_expr(&c.alternate, b);
            }
            Expression::LogicalExpression(l) => {
                self.walk_expr(&l.left, b);
                self.walk_expr(&l.right, b);
            }
            _ => {}
        }
    }
}

/// Parentheses and type assertions do not change what an expression is.
pub(super) fn strip<'a>(e: &'a Expression<'a>) -> &'a Expression<'a> {
    match e {
        Expression::ParenthesizedExpression(p) => strip(&p.expression),
        Expression::TSAsExpression(x) => strip(&x.expression),
        Expression::TSSatisfiesExpression(x) => strip(&x.expression),
        Expression::TSNonNullExpression(x) => strip(&x.expression),
        _ => e,
    }
}

/// Whether `text` uses the identifier `name` (not as part of a longer name or a property).
fn mentions(text: &str, name: &str) -> bool {
    let ident = |c: char| c.is_alphanumeric() || c == '_' || c == '$';
    text.match_indices(name).any(|(i, _)| {
        let before = text[..i].chars().next_back();
        let after = text[i + name.len()..].chars().next();
        !before.is_some_and(|c| ident(c) || c == '.') && !after.is_some_and(ident)
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn mentions_whole_identifiers_only() {
        assert!(super::mentions("register(web)", "web"));
        assert!(super::mentions("web.secrets({})", "web"));
        assert!(!super::mentions("webApp.secrets({})", "web"));
        assert!(!super::mentions("x.web", "web"));
    }
}
