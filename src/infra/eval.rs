//! A small, total evaluator for the part of TypeScript the DSL's configuration uses: literals,
//! template literals, objects (with spreads), arrays, member access, module constants, enums,
//! relative imports and calls of functions that return objects. Anything else becomes
//! `Value::Unknown` with the reason and place, so nothing is ever silently dropped.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::Rc;

use oxc_ast::ast::{
    Argument, BinaryOperator, BindingPattern, Expression, Function, LogicalOperator,
    ObjectPropertyKind, Statement, TSEnumMemberName,
};
use oxc_span::GetSpan;

use super::loader::{Binding, Loader, Module};
pub use super::value::{Body, Closure, Props, Scope, Value, set, unknown};

const MAX_DEPTH: usize = 200;

/// Evaluates expressions, caching module constants.
pub struct Eval<'l, 'a> {
    loader: &'l Loader<'a>,
    depth: Cell<usize>,
    cache: RefCell<HashMap<(usize, String), Option<Value<'a>>>>,
}

impl<'l, 'a> Eval<'l, 'a> {
    /// An evaluator over the loader's modules.
    pub fn new(loader: &'l Loader<'a>) -> Self {
        Self {
            loader,
            depth: Cell::new(0),
            cache: RefCell::new(HashMap::new()),
        }
    }

    /// The loader.
    pub fn loader(&self) -> &'l Loader<'a> {
        self.loader
    }

    /// Evaluates `e` in module `m` with local names `scope`.
    pub fn expr(&self, e: &'a Expression<'a>, m: &Rc<Module<'a>>, scope: &Scope<'a>) -> Value<'a> {
        if self.depth.get() > MAX_DEPTH {
            return unknown("the expression nests too deeply", m, e);
        }
        self.depth.set(self.depth.get() + 1);
        let v = self.expr_inner(e, m, scope);
        self.depth.set(self.depth.get() - 1);
        v
    }

    fn expr_inner(
        &self,
        e: &'a Expression<'a>,
        m: &Rc<Module<'a>>,
        scope: &Scope<'a>,
    ) -> Value<'a> {
        match e {
            Expression::StringLiteral(s) => Value::Str(s.value.to_string()),
            Expression::NumericLiteral(n) => Value::Num(n.value),
            Expression::BooleanLiteral(b) => Value::Bool(b.value),
            Expression::NullLiteral(_) => Value::Null,
            Expression::TemplateLiteral(t) => {
                let mut out = String::new();
                for (i, q) in t.quasis.iter().enumerate() {
                    out.push_str(
                        q.value
                            .cooked
                            .as_ref()
                            .map_or(q.value.raw.as_str(), |c| c.as_str()),
                    );
                    if let Some(x) = t.expressions.get(i) {
                        match self.expr(x, m, scope) {
                            Value::Unknown(why) => return Value::Unknown(why),
                            v => match v.text() {
                                Some(s) => out.push_str(&s),
                                None => return unknown("a template part is not a string", m, x),
                            },
                        }
                    }
                }
                Value::Str(out)
            }
            Expression::Identifier(id) => self.name(id.name.as_str(), m, scope, e),
            Expression::ObjectExpression(o) => {
                let mut props: Props<'a> = Vec::new();
                for p in &o.properties {
                    match p {
                        ObjectPropertyKind::ObjectProperty(p) => {
                            // An unresolved computed key is kept as `?why`, so callers can warn.
                            let key = if p.computed {
                                p.key.as_expression().map(|k| match self.expr(k, m, scope) {
                                    Value::Unknown(why) => format!("?{why}"),
                                    v => v.text().unwrap_or_else(|| {
                                        format!(
                                            "?a computed key is not a string ({})",
                                            m.at(k.span())
                                        )
                                    }),
                                })
                            } else {
                                p.key.static_name().map(|k| k.to_string())
                            };
                            let Some(key) = key else { continue };
                            let value = self.expr(&p.value, m, scope);
                            set(&mut props, key, value, Some(m.loc(p.span)));
                        }
                        ObjectPropertyKind::SpreadProperty(s) => {
                            if let Value::Obj(more) = self.expr(&s.argument, m, scope) {
                                for (k, v, at) in more.iter() {
                                    set(&mut props, k.clone(), v.clone(), at.clone());
                                }
                            }
                        }
                    }
                }
                Value::Obj(Rc::new(props))
            }
            Expression::ArrayExpression(a) => Value::Arr(Rc::new(
                a.elements
                    .iter()
                    .filter_map(|el| el.as_expression())
                    .map(|x| self.expr(x, m, scope))
                    .collect(),
            )),
            Expression::StaticMemberExpression(s) => self
                .expr(&s.object, m, scope)
                .get(s.property.name.as_str(), self),
            Expression::ComputedMemberExpression(c) => {
                match self.expr(&c.expression, m, scope).text() {
                    Some(key) => self.expr(&c.object, m, scope).get(&key, self),
                    None => unknown("a computed property could not be resolved", m, e),
                }
            }
            Expression::ArrowFunctionExpression(f) => Value::Func(Rc::new(Closure {
                params: &f.params,
                body: match (&f.body, f.get_function_body()) {
                    (_, Some(block)) => Body::Block(&block.statements),
                    (body, None) => match body.as_expression() {
                        Some(x) => Body::Expr(x),
                        None => return unknown("an arrow function without a body", m, e),
                    },
                },
                module: m.clone(),
                scope: scope.clone(),
            })),
            Expression::FunctionExpression(f) => closure(f, m, scope),
            Expression::CallExpression(c) => match self.expr(&c.callee, m, scope) {
                Value::Func(f) => {
                    let args = self.args(&c.arguments, m, scope);
                    self.call(&f, args)
                }
                Value::Unknown(why) => Value::Unknown(why),
                _ => unknown("this call is not evaluated statically", m, e),
            },
            // `new XroadConf({...})` and the like: the configuration object itself.
            Expression::NewExpression(n) => {
                match n.arguments.first().and_then(|a| a.as_expression()) {
                    Some(arg) => self.expr(arg, m, scope),
                    None => unknown("this constructor has no configuration object", m, e),
                }
            }
            Expression::BinaryExpression(b) if b.operator == BinaryOperator::Addition => {
                match (self.expr(&b.left, m, scope), self.expr(&b.right, m, scope)) {
                    (Value::Num(x), Value::Num(y)) => Value::Num(x + y),
                    (Value::Unknown(w), _) | (_, Value::Unknown(w)) => Value::Unknown(w),
                    (l, r) => match (l.text(), r.text()) {
                        (Some(l), Some(r)) => Value::Str(l + &r),
                        _ => unknown("this `+` is not of strings or numbers", m, e),
                    },
                }
            }
            Expression::LogicalExpression(l) if l.operator == LogicalOperator::Coalesce => {
                match self.expr(&l.left, m, scope) {
                    Value::Null => self.expr(&l.right, m, scope),
                    v => v,
                }
            }
            Expression::ParenthesizedExpression(p) => self.expr(&p.expression, m, scope),
            Expression::TSAsExpression(x) => self.expr(&x.expression, m, scope),
            Expression::TSSatisfiesExpression(x) => self.expr(&x.expression, m, scope),
            Expression::TSNonNullExpression(x) => self.expr(&x.expression, m, scope),
            Expression::TSTypeAssertion(x) => self.expr(&x.expression, m, scope),
            _ => unknown("this kind of expression is not evaluated statically", m, e),
        }
    }

    /// Evaluates call arguments, expanding spreads of arrays.
    pub fn args(
        &self,
        args: &'a oxc_allocator::Vec<'a, Argument<'a>>,
        m: &Rc<Module<'a>>,
        scope: &Scope<'a>,
    ) -> Vec<Value<'a>> {
        let mut out = Vec::new();
        for a in args {
            match a {
                Argument::SpreadElement(s) => match self.expr(&s.argument, m, scope) {
                    Value::Arr(items) => out.extend(items.iter().cloned()),
                    v => out.push(v),
                },
                _ => {
                    if let Some(x) = a.as_expression() {
                        out.push(self.expr(x, m, scope));
                    }
                }
            }
        }
        out
    }

    /// Calls a function value with arguments.
    pub fn call(&self, f: &Closure<'a>, args: Vec<Value<'a>>) -> Value<'a> {
        let mut scope = f.scope.clone();
        for (i, p) in f.params.items.iter().enumerate() {
            let arg = args.get(i).cloned().unwrap_or(Value::Null);
            let arg = match (&arg, &p.initializer) {
                (Value::Null, Some(default)) => self.expr(default, &f.module, &scope),
                _ => arg,
            };
            scope = self.bind(&p.pattern, arg, &f.module, scope);
        }
        match f.body {
            Body::Expr(x) => self.expr(x, &f.module, &scope),
            Body::Block(stmts) => {
                for stmt in stmts {
                    match stmt {
                        Statement::VariableDeclaration(v) => {
                            for d in &v.declarations {
                                if let Some(init) = &d.init {
                                    let value = self.expr(init, &f.module, &scope);
                                    scope = self.bind(&d.id, value, &f.module, scope);
                                }
                            }
                        }
                        Statement::ReturnStatement(r) => {
                            return match &r.argument {
                                Some(x) => self.expr(x, &f.module, &scope),
                                None => Value::Null,
                            };
                        }
                        _ => {}
                    }
                }
                Value::Null
            }
        }
    }

    /// Binds a parameter or declaration pattern to a value in `scope`.
    pub fn bind(
        &self,
        pattern: &'a BindingPattern<'a>,
        value: Value<'a>,
        m: &Rc<Module<'a>>,
        scope: Scope<'a>,
    ) -> Scope<'a> {
        match pattern {
            BindingPattern::BindingIdentifier(id) => scope.with(id.name.as_str(), value),
            BindingPattern::ObjectPattern(o) => {
                let mut scope = scope;
                for p in &o.properties {
                    if let Some(key) = p.key.static_name() {
                        let v = value.get(&key, self);
                        scope = self.bind(&p.value, v, m, scope);
                    }
                }
                scope
            }
            BindingPattern::AssignmentPattern(a) => {
                let v = match value {
                    Value::Null => self.expr(&a.right, m, &scope),
                    v => v,
                };
                self.bind(&a.left, v, m, scope)
            }
            BindingPattern::ArrayPattern(_) => scope,
        }
    }

    /// Looks a name up: local scope first, then the module's top level.
    fn name(
        &self,
        name: &str,
        m: &Rc<Module<'a>>,
        scope: &Scope<'a>,
        e: &'a Expression<'a>,
    ) -> Value<'a> {
        if let Some(v) = scope.vars.get(name) {
            return v.clone();
        }
        if name == "undefined" {
            return Value::Null;
        }
        match m.local(name) {
            Some(b) => self.binding(name, b, m),
            None => unknown(
                &format!("`{name}` is not a constant of this module or its imports"),
                m,
                e,
            ),
        }
    }

    /// The value of a module's exported name.
    pub fn export(&self, m: &Rc<Module<'a>>, name: &str) -> Value<'a> {
        match self.loader.export(m, name, 0) {
            Some((owner, b)) => self.binding(name, b, &owner),
            None => Value::Unknown(format!("{} exports no `{name}`", m.rel).into()),
        }
    }

    /// The value of a module-level binding, computed once.
    pub fn binding(&self, name: &str, b: Binding<'a>, m: &Rc<Module<'a>>) -> Value<'a> {
        let key = (Rc::as_ptr(m) as usize, name.to_string());
        match self.cache.borrow().get(&key) {
            Some(Some(v)) => return v.clone(),
            Some(None) => {
                return Value::Unknown(format!("`{name}` in {} refers to itself", m.rel).into());
            }
            None => {}
        }
        self.cache.borrow_mut().insert(key.clone(), None);
        let v = match b {
            Binding::Const(x) => self.expr(x, m, &Scope::default()),
            Binding::Function(f) => closure(f, m, &Scope::default()),
            Binding::Enum(e) => {
                let mut props = Vec::new();
                let mut next = 0.0;
                for member in &e.body.members {
                    let key = match &member.id {
                        TSEnumMemberName::Identifier(i) => i.name.to_string(),
                        TSEnumMemberName::String(s) | TSEnumMemberName::ComputedString(s) => {
                            s.value.to_string()
                        }
                        TSEnumMemberName::ComputedTemplateString(_) => continue,
                    };
                    let value = match &member.initializer {
                        Some(x) => self.expr(x, m, &Scope::default()),
                        None => Value::Num(next),
                    };
                    if let Value::Num(n) = value {
                        next = n + 1.0;
                    }
                    props.push((key, value, Some(m.loc(member.span))));
                }
                Value::Obj(Rc::new(props))
            }
            Binding::Import { source, imported } => match self.loader.resolve(m, source) {
                Some(target) => self.export(&target, imported),
                None => Value::Unknown(
                    format!(
                        "`{name}` comes from '{source}' ({}), which is not followed",
                        m.rel
                    )
                    .into(),
                ),
            },
            Binding::Namespace { source } => match self.loader.resolve(m, source) {
                Some(target) => Value::Namespace(target),
                None => Value::Unknown(format!("'{source}' ({}) is not followed", m.rel).into()),
            },
        };
        self.cache.borrow_mut().insert(key, Some(v.clone()));
        v
    }
}

fn closure<'a>(f: &'a Function<'a>, m: &Rc<Module<'a>>, scope: &Scope<'a>) -> Value<'a> {
    match &f.body {
        Some(body) => Value::Func(Rc::new(Closure {
            params: &f.params,
            body: Body::Block(&body.statements),
            module: m.clone(),
            scope: scope.clone(),
        })),
        None => Value::Unknown(format!("a function without a body ({})", m.rel).into()),
    }
}
