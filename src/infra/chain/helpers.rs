//! A builder passed through a helper function: `helper(builder, ...)` is followed into the
//! helper's body with its parameter bound to the builder.

use std::collections::HashMap;
use std::rc::Rc;

use oxc_ast::ast::{BindingPattern, CallExpression, Expression, FormalParameters, FunctionBody};

use super::{Block, MAX_HELPER_DEPTH, Walker};
use crate::infra::eval::{Body, Scope, Value};
use crate::infra::loader::Module;

impl<'a> Walker<'_, '_, 'a> {
    /// `helper(builder, ...)`: follows the helper's body with its parameter bound to the
    /// builder, and takes its result to be that builder (as a `ServiceBuilder` helper returns).
    pub(super) fn helper(&mut self, c: &'a CallExpression<'a>, b: &mut Block<'a>) -> Option<usize> {
        let mut found = None;
        for (i, a) in c.arguments.iter().enumerate() {
            let Some(x) = a.as_expression() else { continue };
            if let Some(idx) = self.applied(x, b, false) {
                found = Some((i, idx));
                break;
            }
        }
        let (position, idx) = found?;
        let callee = self.ev.expr(&c.callee, &b.module, &b.scope);
        let f = match callee {
            Value::Func(f) if self.depth < MAX_HELPER_DEPTH => f,
            _ => {
                let at = b.module.at(c.span);
                self.found[idx].warnings.push(format!(
                    "the builder is passed to a function at {at} that is not evaluated \
                     statically; what it adds is not counted"
                ));
                return Some(idx);
            }
        };
        let args = self.ev.args(&c.arguments, &b.module, &b.scope);
        let mut inner = Block {
            module: f.module.clone(),
            scope: f.scope.clone(),
            builders: HashMap::new(),
            local: true,
        };
        for (i, p) in f.params.items.iter().enumerate() {
            match (&p.pattern, i == position) {
                (BindingPattern::BindingIdentifier(id), true) => {
                    inner.builders.insert(id.name.to_string(), idx);
                }
                (pattern, _) => {
                    let value = args.get(i).cloned().unwrap_or(Value::Null);
                    inner.scope = self
                        .ev
                        .bind(pattern, value, &inner.module, inner.scope.clone());
                }
            }
        }
        self.depth += 1;
        match f.body {
            Body::Expr(x) => self.statement_expr(x, &mut inner, false),
            Body::Block(stmts) => stmts.iter().for_each(|s| self.stmt(s, &mut inner, false)),
        }
        self.depth -= 1;
        Some(idx)
    }

    /// A function's body, with its parameters unknown (they are given at run time).
    pub(super) fn function(
        &mut self,
        params: &'a FormalParameters<'a>,
        body: FnBody<'a>,
        module: &Rc<Module<'a>>,
        scope: &Scope<'a>,
    ) {
        let mut inner = Block {
            module: module.clone(),
            scope: scope.clone(),
            builders: HashMap::new(),
            local: true,
        };
        for p in &params.items {
            let why = format!("a parameter, not known statically ({})", module.at(p.span));
            inner.scope = self.ev.bind(
                &p.pattern,
                Value::Unknown(why.into()),
                module,
                inner.scope.clone(),
            );
        }
        match body {
            FnBody::Block(body) => body
                .statements
                .iter()
                .for_each(|s| self.stmt(s, &mut inner, false)),
            FnBody::Expr(e) => self.statement_expr(e, &mut inner, false),
        }
    }
}

/// A function body: a block, or an arrow's single expression.
pub(super) enum FnBody<'a> {
    Block(&'a FunctionBody<'a>),
    Expr(&'a Expression<'a>),
}
