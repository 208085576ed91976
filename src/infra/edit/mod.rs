//! Edits of the infra code, exact and checked: a secret declared in its service's own
//! `.secrets({...})` (`create --declare`), and a moved path rewritten where a declaration
//! names it (`mv --update-infra`). Each edit keeps the file's style, changes nothing else, and
//! is re-read with the reader before it is offered; writing it is the caller's.

use std::path::{Path, PathBuf};

use oxc_allocator::Allocator;
mod diff;
mod rewrite;

use oxc_ast::ast::{Expression, ObjectExpression, ObjectPropertyKind};
use oxc_span::GetSpan;

pub use diff::diff;
pub use rewrite::{Rewrite, rewrite, rewrite_text};

use super::chain::{self, strip};
use super::eval::Eval;
use super::loader::Loader;
use super::{Env, search};

/// One file's new text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The file, relative to the root.
    pub file: String,
    /// Its absolute path.
    pub path: PathBuf,
    /// The 1-based line of the change (the new entry, or the rewritten literal).
    pub line: usize,
    /// The text before.
    pub before: String,
    /// The text after.
    pub after: String,
}

/// Why an edit is not made: one sentence, and the exact change to make by hand when there is
/// one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// What stands in the way.
    pub reason: String,
    /// The line to add (or the change to make), and where.
    pub by_hand: Option<String>,
}

fn refuse(reason: impl Into<String>, by_hand: Option<String>) -> Refusal {
    Refusal {
        reason: reason.into(),
        by_hand,
    }
}

/// `NAME: 'path'` as a property, the key quoted only when it must be.
fn entry(name: &str, path: &str, quote: char) -> String {
    let bare = name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_' || c == '$')
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '$');
    let key = match bare {
        true => name.to_string(),
        false => format!("{quote}{name}{quote}"),
    };
    format!("{key}: {quote}{path}{quote}")
}

/// Adds `name: 'path'` to `service`'s own `.secrets({...})` (the last one written in its
/// file), or a `.secrets({ ... })` call after its `service(...)` when it has none.
pub fn declare(root: &Path, service: &str, name: &str, path: &str) -> Result<Edit, Refusal> {
    let alloc = Allocator::default();
    let loader = Loader::new(&alloc, root);
    let ev = Eval::new(&loader);
    let (infra, other) = search::typescript_files(root);
    let (chains, _) = super::chains_of(&ev, &loader, [&infra, &other], service);
    let Some(chain) = chains.into_iter().next() else {
        return Err(refuse(
            format!("no service('{service}') is defined in the infra code"),
            None,
        ));
    };
    let module = chain
        .calls
        .first()
        .map(|c| c.module.clone())
        .filter(|m| m.rel == chain.file)
        .or_else(|| loader.load(&root.join(&chain.file)));
    let Some(module) = module else {
        return Err(refuse(format!("{} cannot be read", chain.file), None));
    };
    let source = module.source;
    let quote = quote_of(source);
    let wanted = entry(name, path, quote);
    let own = |c: &&chain::Call<'_>| c.method == "secrets" && c.module.rel == chain.file;
    let last = chain.calls.iter().rev().find(own);
    let (at, after) = match last {
        Some(call) => {
            let arg = call.call.arguments.first().and_then(|a| a.as_expression());
            let where_ = module.at(call.at);
            let hand = Some(format!("add `{wanted},` to the .secrets call at {where_}"));
            match arg.map(strip) {
                Some(Expression::ObjectExpression(obj)) => {
                    if obj.properties.iter().any(|p| {
                        matches!(p, ObjectPropertyKind::ObjectProperty(prop)
                            if prop.key.static_name().as_deref() == Some(name))
                    }) {
                        return Err(refuse(
                            format!("{name} is already in the .secrets object at {where_}"),
                            None,
                        ));
                    }
                    if !obj.properties.is_empty()
                        && obj
                            .properties
                            .iter()
                            .all(|p| matches!(p, ObjectPropertyKind::SpreadProperty(_)))
                    {
                        return Err(refuse(
                            format!("the .secrets object at {where_} only spreads other objects"),
                            hand,
                        ));
                    }
                    insert_property(source, obj, &wanted)
                }
                _ => {
                    return Err(refuse(
                        format!("the .secrets call at {where_} is not given an object literal"),
                        hand,
                    ));
                }
            }
        }
        None => {
            // After `service(...)`: on a line of its own, indented as the next call, when the
            // chain is written one call a line; else right after it.
            let end = chain.span.end as usize;
            let rest = &source[end..];
            let next_line = rest
                .strip_prefix('\n')
                .or_else(|| rest.strip_prefix("\r\n"))
                .map(|r| {
                    r.chars()
                        .take_while(|c| *c == ' ' || *c == '\t')
                        .collect::<String>()
                })
                .filter(|indent| rest.trim_start().starts_with('.') && !indent.is_empty());
            let call = format!(".secrets({{ {wanted} }})");
            let call = match next_line {
                Some(indent) => format!("\n{indent}{call}"),
                None => call,
            };
            (end, format!("{}{call}{}", &source[..end], &source[end..]))
        }
    };
    // The line the new entry stands on.
    let at = after[at.min(after.len())..]
        .find(&wanted)
        .map_or(at, |i| at + i);
    let line = after[..at.min(after.len())].matches('\n').count() + 1;
    let edit = Edit {
        file: chain.file.clone(),
        path: root.join(&chain.file),
        line,
        before: source.to_string(),
        after,
    };
    check_declared(root, service, name, path, &edit)?;
    Ok(edit)
}

/// The quote character the file writes strings with (the first string literal's), else `'`.
fn quote_of(source: &str) -> char {
    source
        .chars()
        .find(|c| *c == '\'' || *c == '"')
        .unwrap_or('\'')
}

/// `wanted` added as the object's last property, in the object's form: one entry a line
/// (indented as the others, with a trailing comma when the object has one) or one line.
/// Returns where the change is and the new text.
fn insert_property(source: &str, obj: &ObjectExpression<'_>, wanted: &str) -> (usize, String) {
    let (start, end) = (obj.span.start as usize, obj.span.end as usize);
    let text = &source[start..end];
    let Some(last) = obj.properties.last() else {
        // `{}`: the entry inside, one line.
        let insert = format!("{{ {wanted} }}");
        return (
            start,
            format!("{}{insert}{}", &source[..start], &source[end..]),
        );
    };
    let last_end = last.span().end as usize;
    let between = &source[last_end..end - 1];
    let trailing = between.trim_start().starts_with(',');
    if !text.contains('\n') {
        // `{ A: 'a' }` → `{ A: 'a', NAME: 'path' }`.
        let cut = match trailing {
            true => last_end + between.find(',').map_or(0, |i| i + 1),
            false => last_end,
        };
        let insert = format!(", {wanted}");
        let insert = match trailing {
            true => format!(" {wanted},"),
            false => insert,
        };
        return (cut, format!("{}{insert}{}", &source[..cut], &source[cut..]));
    }
    // One entry a line: the new one after the last, indented as it is.
    let line_start = source[..last.span().start as usize]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let indent: String = source[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let (cut, insert) = match trailing {
        true => {
            let comma = last_end + between.find(',').map_or(0, |i| i + 1);
            (comma, format!("\n{indent}{wanted},"))
        }
        false => (last_end, format!(",\n{indent}{wanted}")),
    };
    (cut, format!("{}{insert}{}", &source[..cut], &source[cut..]))
}

/// Re-reads the service with the edited file: it must declare `name` as `path`.
fn check_declared(
    root: &Path,
    service: &str,
    name: &str,
    path: &str,
    edit: &Edit,
) -> Result<(), Refusal> {
    let alloc = Allocator::default();
    let loader = Loader::new(&alloc, root);
    let module = loader.load_text(&edit.path, &edit.after);
    if let Some(w) = loader.parse_warnings.borrow().first() {
        return Err(refuse(
            format!("the edited file would not parse: {w}"),
            None,
        ));
    }
    drop(module);
    // The reader itself, as `get` reads the service, with the edited text in its cache.
    let ev = Eval::new(&loader);
    let (infra, other) = search::typescript_files(root);
    let reading = super::find(&ev, &loader, [&infra, &other], service, Env::Dev);
    match reading
        .secrets
        .iter()
        .any(|d| d.name == name && d.path == path)
    {
        true => Ok(()),
        false => Err(refuse(
            format!(
                "after the edit, the reader does not find {name} declared as {path} in \
                 {service}; nothing was written"
            ),
            None,
        )),
    }
}

#[cfg(test)]
mod tests;
