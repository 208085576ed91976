//! Rendering one `NAME=value` assignment so that a reader gets the exact bytes back.

/// Quotes `value` for POSIX shells (bash, zsh, dash, direnv's `source_env`).
///
/// Single quotes make every byte literal; a single quote itself is closed, escaped and
/// reopened (`'\''`). No other form is safe against `$`, backticks and `\` all at once.
pub fn shell_single_quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('\'');
    for c in value.chars() {
        if c == '\'' {
            out.push_str("'\\''");
        } else {
            out.push(c);
        }
    }
    out.push('\'');
    out
}

/// Quotes `value` for dotenv readers (dotenvy, python-dotenv).
///
/// Single quotes are literal there too, so they are used whenever the value has no quote
/// and no backslash (dotenvy's line reader treats `\'` as an escape even inside single
/// quotes); otherwise double quotes with `\\`, `\"`, `\$` and `\n` escaped, which those
/// readers decode and which stops `$VAR` substitution.
pub fn dotenv_quote(value: &str) -> String {
    if !value.contains(['\'', '\\']) {
        return format!("'{value}'");
    }
    let mut out = String::with_capacity(value.len() + 8);
    out.push('"');
    for c in value.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '$' => out.push_str("\\$"),
            '\n' => out.push_str("\\n"),
            _ => out.push(c),
        }
    }
    out.push('"');
    out
}

/// True for a name a shell accepts as a variable: `[A-Za-z_][A-Za-z0-9_]*`.
pub fn is_shell_identifier(name: &str) -> bool {
    let mut chars = name.chars();
    matches!(chars.next(), Some(c) if c == '_' || c.is_ascii_alphabetic())
        && chars.all(|c| c == '_' || c.is_ascii_alphanumeric())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn single_quote_escapes_only_single_quotes() {
        assert_eq!(shell_single_quote("a b"), "'a b'");
        assert_eq!(shell_single_quote("it's"), "'it'\\''s'");
        assert_eq!(shell_single_quote("$(x) `y` \\z"), "'$(x) `y` \\z'");
        assert_eq!(shell_single_quote(""), "''");
    }

    #[test]
    fn dotenv_prefers_single_quotes() {
        assert_eq!(dotenv_quote("a$b\n"), "'a$b\n'");
        assert_eq!(dotenv_quote("a\\"), "\"a\\\\\"");
        assert_eq!(
            dotenv_quote("it's $HOME\n\"x\"\\"),
            "\"it's \\$HOME\\n\\\"x\\\"\\\\\""
        );
    }

    #[test]
    fn identifiers() {
        for ok in ["A", "_", "API_KEY", "a1", "_9"] {
            assert!(is_shell_identifier(ok), "{ok}");
        }
        for bad in ["", "1A", "A-B", "A.B", "A B", "É"] {
            assert!(!is_shell_identifier(bad), "{bad}");
        }
    }
}
