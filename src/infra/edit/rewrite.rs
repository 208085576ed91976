//! `mv --update-infra`: a moved path rewritten in the string literals that declarations
//! write it in; what is not written as a plain literal is left for a person.

use std::path::Path;

use oxc_allocator::Allocator;

use super::Edit;

/// One place a declaration names a moved path: rewritten, or why not.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Rewrite {
    /// The string literal at the declaration, rewritten.
    Done(Edit),
    /// `file:line`, and why it cannot be rewritten safely.
    ByHand(String, String),
}

/// Rewrites `old` to `new` in the string literal each of `places` (`file`, `line`: where a
/// declaration names `old`) stands on. A path built from a template with substitutions, or a
/// constant written elsewhere (it may serve other declarations too), is listed, not changed.
pub fn rewrite(root: &Path, places: &[(String, usize)], old: &str, new: &str) -> Vec<Rewrite> {
    let mut out = Vec::new();
    let mut by_file: Vec<(String, Vec<usize>)> = Vec::new();
    for (file, line) in places {
        match by_file.iter_mut().find(|(f, _)| f == file) {
            Some((_, lines)) => lines.push(*line),
            None => by_file.push((file.clone(), vec![*line])),
        }
    }
    for (file, lines) in by_file {
        let path = root.join(&file);
        let Ok(before) = std::fs::read_to_string(&path) else {
            out.extend(
                lines
                    .iter()
                    .map(|l| Rewrite::ByHand(format!("{file}:{l}"), "it cannot be read".into())),
            );
            continue;
        };
        let (after, changed, missed) = rewrite_lines(&before, old, new, &lines);
        for line in missed {
            out.push(Rewrite::ByHand(
                format!("{file}:{line}"),
                "the path is not written there as a plain string (a template with \
                 substitutions, or a constant written elsewhere that other code may use)"
                    .into(),
            ));
        }
        if let Some(line) = changed.iter().min() {
            out.push(Rewrite::Done(Edit {
                file: file.clone(),
                path,
                line: *line,
                before,
                after,
            }));
        }
    }
    out
}

/// `text` with every string literal equal to `old` on one of `lines` rewritten to `new`;
/// the lines changed, and the lines where no such literal stands.
fn rewrite_lines(
    text: &str,
    old: &str,
    new: &str,
    lines: &[usize],
) -> (String, Vec<usize>, Vec<usize>) {
    let spans = literal_spans(text, old);
    let line_of = |s: usize| text[..s].matches('\n').count() + 1;
    let mut edits: Vec<(usize, usize, usize)> = Vec::new();
    let mut missed = Vec::new();
    for line in lines {
        let here: Vec<&(usize, usize)> =
            spans.iter().filter(|(s, _)| line_of(*s) == *line).collect();
        if here.is_empty() {
            missed.push(*line);
        }
        edits.extend(here.into_iter().map(|(s, e)| (*s, *e, *line)));
    }
    // From the end, so earlier offsets stay valid.
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    edits.dedup();
    let mut after = text.to_string();
    let mut changed = Vec::new();
    for (s, e, line) in &edits {
        after.replace_range(s + 1..e - 1, new);
        changed.push(*line);
    }
    (after, changed, missed)
}

/// The rewrite of `old` to `new` on the lines of `places` in `file`, applied to `text` (an
/// already edited version of it).
pub fn rewrite_text(
    text: &str,
    old: &str,
    new: &str,
    places: &[(String, usize)],
    file: &str,
) -> String {
    let lines: Vec<usize> = places
        .iter()
        .filter(|(f, _)| f == file)
        .map(|(_, l)| *l)
        .collect();
    rewrite_lines(text, old, new, &lines).0
}

/// The spans (quotes included) of every string literal whose value is exactly `value`.
fn literal_spans(source: &str, value: &str) -> Vec<(usize, usize)> {
    use oxc_ast_visit::Visit;
    struct Finder<'v> {
        value: &'v str,
        found: Vec<(usize, usize)>,
    }
    impl<'a> Visit<'a> for Finder<'_> {
        fn visit_string_literal(&mut self, lit: &oxc_ast::ast::StringLiteral<'a>) {
            if lit.value == self.value {
                self.found
                    .push((lit.span.start as usize, lit.span.end as usize));
            }
        }
    }
    let alloc = Allocator::default();
    let parsed = oxc_parser::Parser::new(&alloc, source, oxc_span::SourceType::ts()).parse();
    let mut finder = Finder {
        value,
        found: Vec::new(),
    };
    finder.visit_program(&parsed.program);
    // Only literals written with quotes around exactly the value (no escapes to keep).
    finder
        .found
        .into_iter()
        .filter(|(s, e)| source.get(s + 1..e - 1) == Some(value))
        .collect()
}
