//! The values the evaluator produces: what a TypeScript expression of the DSL's
//! configuration comes to, and why when it cannot be known.

use std::collections::HashMap;
use std::rc::Rc;

use oxc_ast::ast::{Expression, FormalParameters, Statement};
use oxc_span::GetSpan;

use super::eval::Eval;
use super::loader::{Loc, Module};

/// An object's properties in order: key, value, and where the property is written.
pub type Props<'a> = Vec<(String, Value<'a>, Option<Loc>)>;

/// A value as far as it could be computed.
#[derive(Clone)]
pub enum Value<'a> {
    /// A string.
    Str(String),
    /// A number.
    Num(f64),
    /// A boolean.
    Bool(bool),
    /// `null` or `undefined`.
    Null,
    /// An object literal, keys in order, each with where it is written.
    Obj(Rc<Props<'a>>),
    /// An array literal.
    Arr(Rc<Vec<Value<'a>>>),
    /// A function with the module and names it closes over.
    Func(Rc<Closure<'a>>),
    /// `import * as ns`.
    Namespace(Rc<Module<'a>>),
    /// Could not be computed: why, and where.
    Unknown(Rc<str>),
}

impl<'a> Value<'a> {
    /// The property `key` of an object (or namespace export); Unknown otherwise.
    pub fn get(&self, key: &str, ev: &Eval<'_, 'a>) -> Value<'a> {
        match self {
            Value::Obj(props) => props
                .iter()
                .find(|(k, _, _)| k == key)
                .map_or(Value::Null, |(_, v, _)| v.clone()),
            Value::Namespace(m) => ev.export(m, key),
            Value::Unknown(_) => self.clone(),
            _ => Value::Null,
        }
    }

    /// The text of a string or number.
    pub fn text(&self) -> Option<String> {
        match self {
            Value::Str(s) => Some(s.clone()),
            Value::Num(n) => Some(if n.fract() == 0.0 {
                format!("{n:.0}")
            } else {
                n.to_string()
            }),
            Value::Bool(b) => Some(b.to_string()),
            _ => None,
        }
    }
}

/// A function value.
pub struct Closure<'a> {
    /// Its parameters.
    pub params: &'a FormalParameters<'a>,
    /// Its body.
    pub body: Body<'a>,
    /// The module it is written in.
    pub module: Rc<Module<'a>>,
    /// The names it closes over.
    pub scope: Scope<'a>,
}

/// A function's body.
pub enum Body<'a> {
    /// `=> expr`.
    Expr(&'a Expression<'a>),
    /// `{ statements }`.
    Block(&'a oxc_allocator::Vec<'a, Statement<'a>>),
}

/// Names visible inside a function: its parameters and local constants.
#[derive(Clone, Default)]
pub struct Scope<'a> {
    pub(super) vars: Rc<HashMap<String, Value<'a>>>,
}

impl<'a> Scope<'a> {
    /// This scope plus one name.
    pub fn with(&self, name: &str, value: Value<'a>) -> Scope<'a> {
        let mut vars = (*self.vars).clone();
        vars.insert(name.to_string(), value);
        Scope {
            vars: Rc::new(vars),
        }
    }
}

pub fn set<'a>(props: &mut Props<'a>, key: String, value: Value<'a>, at: Option<Loc>) {
    match props.iter_mut().find(|(k, _, _)| *k == key) {
        Some(slot) => {
            slot.1 = value;
            slot.2 = at;
        }
        None => props.push((key, value, at)),
    }
}

/// An Unknown value naming why and where.
pub fn unknown<'a>(why: &str, m: &Module<'a>, e: &Expression<'_>) -> Value<'a> {
    Value::Unknown(format!("{why} ({})", m.at(e.span())).into())
}
