//! Errors the user can fix, each with a hint and an exit code; the exit-code contract.

use std::path::PathBuf;

use crate::store::{StoreError, StoreError as S};

/// Exit codes, a contract with scripts. Listed in `--help` and the README.
pub mod exit {
    /// Success.
    pub const OK: u8 = 0;
    /// A runtime failure: network, AWS service error, file system.
    pub const FAILURE: u8 = 1;
    /// Invalid usage or input.
    pub const USAGE: u8 = 2;
    /// AWS credentials missing, expired or rejected.
    pub const CREDENTIALS: u8 = 3;
    /// The project was not found.
    pub const NOT_FOUND: u8 = 4;
    /// Refused because the thing already exists.
    pub const EXISTS: u8 = 5;
    /// Interrupted (Ctrl-C).
    pub const INTERRUPTED: u8 = 130;
}

/// The exit-code table shown under `--help`.
pub const EXIT_CODES_HELP: &str = "\
Exit codes:
  0    success
  1    runtime failure (network, AWS service error, file system)
  2    invalid usage or input
  3    AWS credentials missing, expired or rejected
  4    project not found
  5    refused because it already exists
  130  interrupted";

/// A failure the user can fix.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// No git repository around the working directory.
    #[error("{} is not inside a git repository", .0.display())]
    NotInRepo(PathBuf),
    /// `--root` does not name a directory.
    #[error("--root {} is not a directory", .0.display())]
    BadRoot(PathBuf),
    /// A project name that cannot be a parameter path segment.
    #[error("invalid project name `{name}`: {reason}")]
    InvalidProject {
        /// The name given.
        name: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// The existing env file cannot be merged into.
    #[error("cannot merge into {}: line {line}: {reason}", .path.display())]
    EnvFileSyntax {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong there.
        reason: &'static str,
    },
    /// Input that fails validation, or a flag that is needed.
    #[error("{message}")]
    Input {
        /// What is wrong.
        message: String,
        /// The exact fix.
        hint: String,
    },
    /// `create` found the parameter already there.
    #[error(
        "{name} already exists in {account} ({profile}): version {version}, last modified {modified}"
    )]
    Exists {
        /// Full name.
        name: String,
        /// Account ID.
        account: String,
        /// Profile label.
        profile: String,
        /// Current version.
        version: i64,
        /// Last modification time, or "unknown".
        modified: String,
    },
    /// A project found neither in the infra nor in SSM.
    #[error("project `{name}` was found neither in the infra code nor under {prefix}{name}/")]
    ProjectNotFound {
        /// The name given.
        name: String,
        /// The namespace searched.
        prefix: String,
        /// Close known service names.
        suggestions: Vec<String>,
    },
    /// A failure talking to AWS.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Error {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Store(e) => store_exit_code(e),
            Error::Exists { .. } => exit::EXISTS,
            Error::ProjectNotFound { .. } => exit::NOT_FOUND,
            _ => exit::USAGE,
        }
    }

    /// The exact next step.
    pub fn hint(&self) -> Option<String> {
        match self {
            Error::NotInRepo(_) => Some(
                "run it from the monorepo (any directory inside it), or pass --root DIR".into(),
            ),
            Error::BadRoot(_) => Some("pass the monorepo's top directory to --root".into()),
            Error::InvalidProject { .. } => Some(
                "give the project as it appears in /k8s/<project>/, e.g. `secrets get api`".into(),
            ),
            Error::EnvFileSyntax { .. } => {
                Some("fix that line, or run with --reset to start the file afresh".into())
            }
            Error::Input { hint, .. } => Some(hint.clone()),
            Error::Exists { .. } => Some(
                "pass --overwrite to replace it with a new version (nothing was created)".into(),
            ),
            Error::ProjectNotFound { suggestions, .. } if !suggestions.is_empty() => {
                Some(format!("did you mean {}?", suggestions.join(", ")))
            }
            Error::ProjectNotFound { .. } => Some(
                "check the spelling: projects are the names in service('...') in the infra code, \
                 and the folders under /k8s/ in SSM (and check --profile and --region)"
                    .into(),
            ),
            Error::Store(e) => e.hint(),
        }
    }

    /// Extra detail worth a line of its own (the SDK's reason for a credential failure).
    pub fn cause(&self) -> Option<&str> {
        match self {
            Error::Store(S::Credentials { detail, .. }) if !detail.is_empty() => Some(detail),
            _ => None,
        }
    }
}

/// The exit code for a store failure.
pub fn store_exit_code(e: &StoreError) -> u8 {
    match e {
        S::Credentials { .. } => exit::CREDENTIALS,
        S::AlreadyExists { .. } => exit::EXISTS,
        S::CaBundle { .. } => exit::USAGE,
        _ => exit::FAILURE,
    }
}
