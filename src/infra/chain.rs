//! Finding `service(NAME).a(...).b(...)` builder chains in a module.

use std::rc::Rc;

use oxc_ast::ast::{
    ArrowFunctionBody, CallExpression, Declaration, ExportDefaultDeclarationKind, Expression,
    ObjectPropertyKind, Statement,
};

use oxc_span::{GetSpan, Span};

use super::eval::{Eval, Scope, Value};
use super::loader::Module;

/// One builder chain: the `service(...)` call and the method calls on it, innermost first.
pub struct Chain<'a> {
    /// The service's name, if it could be computed.
    pub name: Option<String>,
    /// Why the name could not be computed, with file:line.
    pub unresolved: Option<String>,
    /// Method calls from the one right after `service(...)` outwards.
    pub calls: Vec<Call<'a>>,
}

/// One `.method(args)` of a chain.
pub struct Call<'a> {
    /// The method's name.
    pub method: &'a str,
    /// The call, for its arguments.
    pub call: &'a CallExpression<'a>,
    /// Where the method's name stands (a call's own span starts at `service(`).
    pub at: Span,
}

/// Every chain in the module, outermost calls only (a chain is not reported again for each of
/// its inner calls).
pub fn chains<'a>(ev: &Eval<'_, 'a>, m: &Rc<Module<'a>>) -> Vec<Chain<'a>> {
    let mut found = Vec::new();
    for stmt in &m.program.body {
        walk_stmt(stmt, &mut |call| {
            let chain = unwind(call)?;
            let name = ev.expr(chain.0, m, &Scope::default());
            let unresolved = match &name {
                Value::Unknown(why) => Some(why.to_string()),
                _ if name.text().is_none() => {
                    Some(format!("not a string ({})", m.at(chain.0.span())))
                }
                _ => None,
            };
            found.push(Chain {
                name: name.text(),
                unresolved,
                calls: chain.1,
            });
            Some(())
        });
    }
    found
}

/// If `call` is the outer end of a chain rooted at `service(x)`, returns `x` and the calls.
fn unwind<'a>(call: &'a CallExpression<'a>) -> Option<(&'a Expression<'a>, Vec<Call<'a>>)> {
    let mut calls = Vec::new();
    let mut cur = call;
    loop {
        match &cur.callee {
            Expression::Identifier(id) if id.name == "service" => {
                calls.reverse();
                return cur
                    .arguments
                    .first()
                    .and_then(|a| a.as_expression())
                    .map(|x| (x, calls));
            }
            Expression::StaticMemberExpression(member) => {
                calls.push(Call {
                    method: member.property.name.as_str(),
                    call: cur,
                    at: member.property.span(),
                });
                match &member.object {
                    Expression::CallExpression(inner) => cur = inner,
                    _ => return None,
                }
            }
            _ => return None,
        }
    }
}

type Visit<'v, 'a> = &'v mut dyn FnMut(&'a CallExpression<'a>) -> Option<()>;

fn walk_stmt<'a>(s: &'a Statement<'a>, f: Visit<'_, 'a>) {
    match s {
        Statement::ExpressionStatement(e) => walk_expr(&e.expression, f),
        Statement::ReturnStatement(r) => {
            if let Some(e) = &r.argument {
                walk_expr(e, f);
            }
        }
        Statement::BlockStatement(b) => b.body.iter().for_each(|s| walk_stmt(s, f)),
        Statement::IfStatement(i) => {
            walk_stmt(&i.consequent, f);
            if let Some(alt) = &i.alternate {
                walk_stmt(alt, f);
            }
        }
        Statement::ExportDeclaration(d) => walk_decl(&d.declaration, f),
        Statement::ExportDefaultDeclaration(d) => match &d.declaration {
            ExportDefaultDeclarationKind::FunctionDeclaration(func) => {
                if let Some(body) = &func.body {
                    body.statements.iter().for_each(|s| walk_stmt(s, f));
                }
            }
            other => {
                if let Some(e) = other.as_expression() {
                    walk_expr(e, f);
                }
            }
        },
        _ => {
            if let Some(d) = s.as_declaration() {
                walk_decl(d, f);
            }
        }
    }
}

fn walk_decl<'a>(d: &'a Declaration<'a>, f: Visit<'_, 'a>) {
    match d {
        Declaration::VariableDeclaration(v) => {
            v.declarations
                .iter()
                .filter_map(|d| d.init.as_ref())
                .for_each(|e| walk_expr(e, f));
        }
        Declaration::FunctionDeclaration(func) => {
            if let Some(body) = &func.body {
                body.statements.iter().for_each(|s| walk_stmt(s, f));
            }
        }
        _ => {}
    }
}

fn walk_expr<'a>(e: &'a Expression<'a>, f: Visit<'_, 'a>) {
    match e {
        Expression::CallExpression(c) => {
            if f(c).is_some() {
                // A chain's arguments may hold other services (`.secrets(other.x)`), but not
                // another chain of the same builder; its inner calls are not chains of their own.
                for Call { call, .. } in unwind(c).map(|x| x.1).unwrap_or_default() {
                    call.arguments
                        .iter()
                        .filter_map(|a| a.as_expression())
                        .for_each(|a| walk_expr(a, f));
                }
                return;
            }
            walk_expr(&c.callee, f);
            c.arguments
                .iter()
                .filter_map(|a| a.as_expression())
                .for_each(|a| walk_expr(a, f));
        }
        Expression::ArrowFunctionExpression(a) => match &a.body {
            ArrowFunctionBody::FunctionBody(body) => {
                body.statements.iter().for_each(|s| walk_stmt(s, f))
            }
            other => {
                if let Some(x) = other.as_expression() {
                    walk_expr(x, f);
                }
            }
        },
        Expression::FunctionExpression(func) => {
            if let Some(body) = &func.body {
                body.statements.iter().for_each(|s| walk_stmt(s, f));
            }
        }
        Expression::ObjectExpression(o) => {
            for p in &o.properties {
                if let ObjectPropertyKind::ObjectProperty(p) = p {
                    walk_expr(&p.value, f);
                }
            }
        }
        Expression::ArrayExpression(a) => {
            a.elements
                .iter()
                .filter_map(|el| el.as_expression())
                .for_each(|x| walk_expr(x, f));
        }
        Expression::StaticMemberExpression(s) => walk_expr(&s.object, f),
        Expression::ParenthesizedExpression(p) => walk_expr(&p.expression, f),
        Expression::TSAsExpression(x) => walk_expr(&x.expression, f),
        Expression::TSSatisfiesExpression(x) => walk_expr(&x.expression, f),
        Expression::TSNonNullExpression(x) => walk_expr(&x.expression, f),
        Expression::ConditionalExpression(c) => {
            walk_expr(&c.consequent, f);
            walk_expr(&c.alternate, f);
        }
        Expression::LogicalExpression(l) => {
            walk_expr(&l.left, f);
            walk_expr(&l.right, f);
        }
        _ => {}
    }
}

/// The arguments of a call, evaluated (spreads of arrays expanded).
pub fn arguments<'a>(
    ev: &Eval<'_, 'a>,
    m: &Rc<Module<'a>>,
    call: &'a CallExpression<'a>,
) -> Vec<Value<'a>> {
    ev.args(&call.arguments, m, &Scope::default())
}
