//! Errors the user can fix, the one place their hints are written, the exit-code contract,
//! and the one renderer of a failure ([`Report`]). Store failures carry facts (operation,
//! path, profile, how the user signs in); `store.rs` turns them into the next step.

mod hints;
mod report;
mod store;

use std::path::PathBuf;

use crate::store::StoreError;

pub use hints::{Field, Needed};
use hints::{field_hint, needed_hint, needed_message};
pub use report::Report;
use store::{store_exit_code, store_hint};

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
    /// Not found: the project, or the parameter or prefix to copy, move, delete or show.
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
  3    AWS credentials missing, expired or rejected (or the profile does not exist)
  4    not found (project; parameter or prefix to copy, move, delete or show)
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
    /// `.secrets.toml` cannot be read or has a bad key or value.
    #[error("{}: {reason}", .path.display())]
    Config {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
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
    /// A command that reads from one account got several `--profile`s.
    #[error("this command reads from one account, but --profile was given more than once")]
    OneProfileOnly,
    /// An input of `create` fails its check.
    #[error("{reason}")]
    Invalid {
        /// Which input.
        field: Field,
        /// What is wrong, in one sentence (never quoting a value).
        reason: String,
    },
    /// Something must be asked and there is nobody to ask.
    #[error("{}", needed_message(*.0))]
    NoTerminal(Needed),
    /// `exec` without a command.
    #[error("no command given to run")]
    NoCommand,
    /// `exec` could not start the command.
    #[error("cannot run `{program}`: {reason}")]
    CannotRun {
        /// The program.
        program: String,
        /// Why.
        reason: String,
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
    /// `list --check`: declared secrets that SSM does not hold.
    #[error("{} missing from SSM", crate::output::count(*.count, "declared secret"))]
    MissingDeclared {
        /// How many.
        count: usize,
    },
    /// `create` stopped waiting for an account's answer (a second Ctrl-C).
    #[error(
        "in {account} ({profile}): unknown whether {name} was created: the request was sent, and the answer not awaited"
    )]
    OutcomeUnknown {
        /// Full name.
        name: String,
        /// Account ID.
        account: String,
        /// Profile label.
        profile: String,
    },
    /// `--offline`: a project the infra code does not define (SSM was not asked).
    #[error("project `{name}` is not defined in the infra code")]
    NotInInfra {
        /// The name given.
        name: String,
        /// Close known service names.
        suggestions: Vec<String>,
    },
    /// `audit` has no environment to audit; says whether `.secrets.toml` exists.
    #[error(
        "no environments to audit: {} and no --env was given",
        if *.0 { ".secrets.toml has no [environments] table" } else { "there is no .secrets.toml" }
    )]
    NoEnvironments(bool),
    /// `audit --profile` with several environments.
    #[error("--profile names one account, but {0} environments are audited")]
    ProfileForOneEnv(usize),
    /// `audit`: an environment's profile reaches another account than configured.
    #[error(
        "{env}: profile {profile} signs in to account {actual}, but .secrets.toml says {expected}"
    )]
    WrongAccount {
        /// The environment.
        env: &'static str,
        /// The profile used.
        profile: String,
        /// The account configured.
        expected: String,
        /// The account STS reported.
        actual: String,
    },
    /// `cp`, `mv`, `rm`, `history`: nothing by that name or under that prefix.
    #[error("{what} in account {account} ({profile})")]
    NotFound {
        /// `no parameter /k8s/a/B`, `no parameter begins with /k8s/a/`.
        what: String,
        /// Account ID.
        account: String,
        /// Profile label.
        profile: String,
    },
    /// `cp`/`mv`: destinations that exist with other values, without `--overwrite`.
    #[error(
        "{count} destination{} exist{} with a different value or type (marked `differs` above)",
        if *.count == 1 { "" } else { "s" },
        if *.count == 1 { "s" } else { "" }
    )]
    WouldOverwrite {
        /// How many.
        count: usize,
    },
    /// `mv`: copies that did not read back with their sources' values (no source deleted).
    #[error("{names} did not read back with its source's value, so no source was deleted")]
    ReadBackDiffers {
        /// The destinations, comma-separated.
        names: String,
    },
    /// `login` for a profile that does not sign in through IAM Identity Center.
    #[error(
        "profile {profile} is not an SSO profile (it has neither sso_session nor sso_start_url)"
    )]
    NotSso {
        /// The profile.
        profile: String,
    },
    /// `create --declare` / `mv --update-infra`: the infra code cannot be edited safely.
    #[error("{reason}")]
    CannotEdit {
        /// What stands in the way.
        reason: String,
        /// The change to make by hand, and where.
        by_hand: Option<String>,
    },
    /// `cp --update-infra`: a copy leaves the old path in place.
    #[error("--update-infra rewrites the paths a move takes away; `cp` takes none away")]
    UpdateInfraIsForMv,
    /// The env file's directory takes no new file (checked before any request).
    #[error("cannot write in {}: {reason}", .dir.display())]
    CannotWriteDir {
        /// The directory.
        dir: PathBuf,
        /// What the system said.
        reason: String,
    },
    /// `setup` without `[sso]` in .secrets.toml.
    #[error(".secrets.toml names no IAM Identity Center ([sso]), so there is nothing to set up")]
    NoSsoConfig,
    /// Ctrl-C; says what was and was not done.
    #[error("interrupted: {0}")]
    Interrupted(String),
    /// A failure talking to AWS.
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl Error {
    /// The exit code this error ends the process with.
    pub fn exit_code(&self) -> u8 {
        match self {
            Error::Store(e) => store_exit_code(e),
            Error::Exists { .. } | Error::WouldOverwrite { .. } => exit::EXISTS,
            Error::NotFound { .. } | Error::ProjectNotFound { .. } | Error::NotInInfra { .. } => {
                exit::NOT_FOUND
            }
            Error::Interrupted(_) | Error::OutcomeUnknown { .. } => exit::INTERRUPTED,
            Error::MissingDeclared { .. } | Error::ReadBackDiffers { .. } => exit::FAILURE,
            Error::NotInRepo(_)
            | Error::CannotRun { .. }
            | Error::BadRoot(_)
            | Error::Config { .. }
            | Error::InvalidProject { .. }
            | Error::EnvFileSyntax { .. }
            | Error::OneProfileOnly
            | Error::Invalid { .. }
            | Error::NoTerminal(_)
            | Error::NoCommand
            | Error::NoEnvironments(_)
            | Error::ProfileForOneEnv(_)
            | Error::WrongAccount { .. }
            | Error::NotSso { .. }
            | Error::NoSsoConfig
            | Error::CannotEdit { .. }
            | Error::UpdateInfraIsForMv => exit::USAGE,
            Error::CannotWriteDir { .. } => exit::FAILURE,
        }
    }

    /// The exact next step.
    pub fn hint(&self) -> Option<String> {
        let text = match self {
            Error::NotInRepo(_) => {
                "run it from the monorepo (any directory inside it), or pass --root DIR"
            }
            Error::BadRoot(_) => "pass the monorepo's top directory to --root",
            Error::Config { .. } => {
                "fix the file (`secrets --help` and the README list its keys), or remove it"
            }
            Error::InvalidProject { .. } => {
                "give the project as it appears in /k8s/<project>/, e.g. `secrets get api`"
            }
            Error::EnvFileSyntax { .. } => {
                "fix that line, or run with --reset to start the file afresh"
            }
            Error::OneProfileOnly => "pass a single --profile",
            Error::Invalid { field, .. } => field_hint(*field),
            Error::NoTerminal(needed) => needed_hint(*needed),
            Error::NoCommand => "put it after `--`, e.g. `secrets exec api -- yarn start api`",
            Error::CannotRun { .. } => "check the command's name and that it is on PATH",
            Error::Exists { .. } => {
                "pass --overwrite to replace it with a new version (nothing was created)"
            }
            Error::ProjectNotFound { suggestions, .. } | Error::NotInInfra { suggestions, .. }
                if !suggestions.is_empty() =>
            {
                return Some(format!("did you mean {}?", suggestions.join(", ")));
            }
            Error::ProjectNotFound { .. } => {
                "check the spelling: projects are the names in service('...') in the infra code, \
                 and the folders under /k8s/ in SSM (and check --profile and --region)"
            }
            Error::NoEnvironments(_) => {
                "add one table per environment to .secrets.toml, e.g. `[environments.dev]` with \
                 `profile = \"islandis-dev\"` and `account = \"123456789012\"`, or pass \
                 `--env dev --profile NAME`"
            }
            Error::ProfileForOneEnv(_) => {
                "pass one --env with --profile, or set each environment's profile in .secrets.toml"
            }
            Error::WrongAccount { .. } => {
                "fix `profile` or `account` of that environment in .secrets.toml (nothing was \
                 checked)"
            }
            Error::NotInInfra { .. } => {
                "check the spelling (`secrets list --all --offline` lists every service), or drop \
                 --offline to look under /k8s/<project>/ in SSM too"
            }
            Error::MissingDeclared { .. } => {
                "create them with `secrets create`, or fix the paths in the infra code"
            }
            Error::OutcomeUnknown { .. } => {
                "check with `secrets list` or `aws ssm describe-parameters` in that account, \
                 then run `secrets create` again (with --overwrite if it exists)"
            }
            Error::NotFound { .. } => {
                "check the name and the account (`secrets whoami`, --profile, --region); \
                 `secrets list` shows what a project has"
            }
            Error::WouldOverwrite { .. } => {
                "pass --overwrite to replace them with new versions (nothing was written)"
            }
            Error::ReadBackDiffers { .. } => {
                "someone may be writing there at the same time; check it, then run `secrets mv` \
                 again"
            }
            Error::NotSso { .. } => {
                "add the organisation's SSO profiles with `secrets setup` (from `[sso]` in \
                 .secrets.toml) or `aws configure sso`, then pass --profile NAME"
            }
            Error::CannotEdit {
                by_hand: Some(change),
                ..
            } => return Some(format!("{change} (nothing was created or written)")),
            Error::CannotEdit { by_hand: None, .. } => {
                "check the service's name and its infra file (nothing was created or written)"
            }
            Error::UpdateInfraIsForMv => "use `secrets mv ... --update-infra`, or drop the flag",
            Error::CannotWriteDir { .. } => {
                "make the directory writable, or write elsewhere with --file PATH (--file - \
                 prints to stdout)"
            }
            Error::NoSsoConfig => {
                "add to .secrets.toml `[sso]` with `start_url = \"https://NAME.awsapps.com/start\"` \
                 and `role = \"ROLE\"`, and per environment `[environments.dev]` with `profile` \
                 and `account`"
            }
            Error::Interrupted(_) => return None,
            Error::Store(e) => return store_hint(e),
        };
        Some(text.to_string())
    }
}

#[cfg(test)]
mod tests;
