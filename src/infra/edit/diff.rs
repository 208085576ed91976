//! The unified diff `--dry-run` prints for an edit.

use super::Edit;

/// A unified diff of one edit (3 lines of context), for `--dry-run`.
pub fn diff(edit: &Edit) -> String {
    let a: Vec<&str> = edit.before.split_inclusive('\n').collect();
    let b: Vec<&str> = edit.after.split_inclusive('\n').collect();
    let head = a.iter().zip(&b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let from = head.saturating_sub(3);
    let (a_end, b_end) = (a.len() - tail, b.len() - tail);
    let (a_to, b_to) = ((a_end + 3).min(a.len()), (b_end + 3).min(b.len()));
    let mut out = format!(
        "--- a/{0}\n+++ b/{0}\n@@ -{1},{2} +{1},{3} @@\n",
        edit.file,
        from + 1,
        a_to - from,
        b_to - from
    );
    let line = |prefix: char, text: &str| {
        let text = text.strip_suffix('\n').unwrap_or(text);
        format!("{prefix}{text}\n")
    };
    for l in &a[from..head] {
        out.push_str(&line(' ', l));
    }
    for l in &a[head..a_end] {
        out.push_str(&line('-', l));
    }
    for l in &b[head..b_end] {
        out.push_str(&line('+', l));
    }
    for l in &a[a_end..a_to] {
        out.push_str(&line(' ', l));
    }
    out
}
