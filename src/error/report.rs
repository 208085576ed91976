//! The one renderer of a failure, used by `main` for the error that ends a command and by
//! every per-account or per-name report: the sentence, the cause when the SDK's reason adds
//! something, the exact next step, and the exit code it stands for.

use std::fmt;

use super::store::{store_cause, store_exit_code, store_hint};
use super::{Error, exit};
use crate::store::StoreError;

/// A failure as it is shown.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Report {
    message: String,
    cause: Option<String>,
    hint: Option<String>,
    code: u8,
}

impl Report {
    /// The same failure said of one account, environment or name: `context: message`.
    pub fn within(mut self, context: impl fmt::Display) -> Self {
        self.message = format!("{context}: {}", self.message);
        self
    }

    /// The sentence and the hint, for a report that is not printed as lines (`doctor`).
    pub fn parts(&self) -> (String, Option<&str>) {
        let message = match &self.cause {
            Some(cause) => format!("{} ({cause})", self.message),
            None => self.message.clone(),
        };
        (message, self.hint.as_deref())
    }

    /// The exit code this failure stands for.
    pub fn code(&self) -> u8 {
        self.code
    }
}

impl From<&Error> for Report {
    fn from(err: &Error) -> Self {
        Report {
            message: err.to_string(),
            cause: match err {
                Error::Store(e) => store_cause(e),
                _ => None,
            },
            hint: err.hint(),
            code: err.exit_code(),
        }
    }
}

impl From<&StoreError> for Report {
    fn from(err: &StoreError) -> Self {
        Report {
            message: err.to_string(),
            cause: store_cause(err),
            hint: store_hint(err),
            code: store_exit_code(err),
        }
    }
}

/// `error: ...`, then `cause: ...` and `hint: ...` when there are any, a line each. An
/// interrupt is said as it is, without `error:` (it was asked for).
impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.code == exit::INTERRUPTED {
            return writeln!(f, "{}", self.message);
        }
        writeln!(f, "error: {}", self.message)?;
        if let Some(cause) = &self.cause {
            writeln!(f, "cause: {cause}")?;
        }
        if let Some(hint) = &self.hint {
            writeln!(f, "hint: {hint}")?;
        }
        Ok(())
    }
}
