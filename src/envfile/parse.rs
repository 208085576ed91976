//! Splits an existing env file into assignments and everything else, understanding shell
//! quoting well enough that a multi-line value is one assignment, never several lines.

use super::quote::is_shell_identifier;

/// One piece of an env file, holding its exact text (with its trailing newline, if any).
#[derive(Debug, PartialEq, Eq)]
pub enum Segment<'a> {
    /// `[export ]NAME=value`, possibly spanning lines inside quotes.
    Assignment { key: &'a str, text: &'a str },
    /// Any other line: comments, blank lines, shell code; kept byte for byte.
    Other(&'a str),
}

/// Why an env file could not be split.
#[derive(Debug, PartialEq, Eq)]
pub struct SyntaxError {
    /// 1-based line where the assignment that could not be read starts.
    pub line: usize,
    /// What was wrong, e.g. "a single quote is never closed".
    pub reason: &'static str,
}

/// Splits `text` into segments whose texts concatenate back to `text` exactly.
pub fn segments(text: &str) -> Result<Vec<Segment<'_>>, SyntaxError> {
    let mut out = Vec::new();
    let mut pos = 0;
    while pos < text.len() {
        let end = match assignment_header(&text[pos..]) {
            Some((key, value_offset)) => {
                let end = value_end(text, pos + value_offset).map_err(|reason| SyntaxError {
                    line: text[..pos].matches('\n').count() + 1,
                    reason,
                })?;
                out.push(Segment::Assignment {
                    key,
                    text: &text[pos..end],
                });
                end
            }
            None => {
                let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i + 1);
                out.push(Segment::Other(&text[pos..end]));
                end
            }
        };
        pos = end;
    }
    Ok(out)
}

/// If `line` starts with `[blanks][export blanks]NAME=`, returns NAME and the offset of the
/// value.
fn assignment_header(line: &str) -> Option<(&str, usize)> {
    let blanks = |s: &str| s.len() - s.trim_start_matches([' ', '\t']).len();
    let mut at = blanks(line);
    if let Some(rest) = line[at..].strip_prefix("export") {
        let gap = blanks(rest);
        if gap > 0 {
            at += "export".len() + gap;
        }
    }
    let eq = line[at..].find('=')? + at;
    let key = &line[at..eq];
    is_shell_identifier(key).then_some((key, eq + 1))
}

/// Byte offset just past the end of the value that starts at `start` (past its newline).
fn value_end(text: &str, start: usize) -> Result<usize, &'static str> {
    let b = text.as_bytes();
    let mut i = start;
    // `#` starts a comment only at the start of a word; `A=#x` is a value.
    let mut word_start = false;
    while i < b.len() {
        match b[i] {
            b'\n' => return Ok(i + 1),
            b'\'' => {
                let close = text[i + 1..]
                    .find('\'')
                    .ok_or("a single quote is never closed")?;
                i += close + 2;
                word_start = false;
            }
            b'"' => {
                let mut j = i + 1;
                loop {
                    match b.get(j) {
                        None => return Err("a double quote is never closed"),
                        Some(b'\\') => j += 2,
                        Some(b'"') => break,
                        Some(_) => j += 1,
                    }
                }
                i = j + 1;
                word_start = false;
            }
            b'\\' => {
                i += 2;
                word_start = false;
            }
            b' ' | b'\t' => {
                i += 1;
                word_start = true;
            }
            b'#' if word_start => i = text[i..].find('\n').map_or(b.len(), |n| i + n),
            _ => {
                i += 1;
                word_start = false;
            }
        }
    }
    Ok(b.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(text: &str) -> Vec<String> {
        segments(text)
            .unwrap()
            .iter()
            .map(|s| match s {
                Segment::Assignment { key, text } => format!("{key}:{text}"),
                Segment::Other(text) => format!("-:{text}"),
            })
            .collect()
    }

    #[test]
    fn multi_line_values_are_one_assignment() {
        let text = "# c\nexport A='x\nexport B=1\n'\nB=2 # it's fine\n  export   C=\"q\\\"\n\"\n";
        assert_eq!(
            keys(text),
            [
                "-:# c\n",
                "A:export A='x\nexport B=1\n'\n",
                "B:B=2 # it's fine\n",
                "C:  export   C=\"q\\\"\n\"\n"
            ]
        );
    }

    #[test]
    fn other_lines_and_missing_final_newline() {
        assert_eq!(
            keys("\nexportA=1\n1X=2\nexport D=4"),
            ["-:\n", "exportA:exportA=1\n", "-:1X=2\n", "D:export D=4"]
        );
    }

    #[test]
    fn hash_inside_word_is_value() {
        assert_eq!(keys("A=#x\nB=1 #'c\n"), ["A:A=#x\n", "B:B=1 #'c\n"]);
        assert!(segments("A=#'x\n").is_err());
    }

    #[test]
    fn unterminated_quote_names_line() {
        let err = segments("A=1\n\nB='open\n").unwrap_err();
        assert_eq!(
            err,
            SyntaxError {
                line: 3,
                reason: "a single quote is never closed"
            }
        );
        assert_eq!(
            segments("X=\"a\\\"").unwrap_err().reason,
            "a double quote is never closed"
        );
    }
}
