//! A value that must never be printed.

use std::fmt;

/// A secret's value. Its `Debug` is redacted and it has no `Display`, so it cannot slip into
/// a message by accident; `expose` is the one way to the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    /// Wraps a value.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The value itself, for the env file or a child's environment only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

impl std::str::FromStr for SecretValue {
    type Err = std::convert::Infallible;

    /// For `--value`: the value is kept redacted from the moment it is parsed.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_value_from_the_command_line_is_redacted_in_debug_output() {
        use clap::Parser;
        let cli =
            crate::cli::Cli::try_parse_from(["secrets", "create", "--value", "hunter2-secret"])
                .unwrap();
        assert!(!format!("{cli:?}").contains("hunter2-secret"));
    }
}
