//! Each subcommand's own arguments.

use std::path::PathBuf;

use clap::Args;

use super::{AuditFormat, EnvArg, FormatArg, KindArg, TierArg};

/// How a plan is applied (`cp`, `mv`, `rm`).
#[derive(Debug, Args)]
pub struct ApplyArgs {
    /// Apply the plan without asking (required without a terminal, unless --dry-run).
    #[arg(short, long)]
    pub yes: bool,

    /// Print the plan and change nothing.
    #[arg(long, conflicts_with = "yes")]
    pub dry_run: bool,

    /// Print the plan or the results as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `secrets cp` and `secrets mv`.
#[derive(Debug, Args)]
pub struct CopyArgs {
    /// The parameter (`my-app/KEY` is /k8s/my-app/KEY), or with --prefix the name prefix.
    #[arg(value_name = "SRC")]
    pub source: String,

    /// The new name, or with --prefix the prefix that replaces SRC in each name.
    #[arg(value_name = "DST")]
    pub destination: String,

    /// Treat SRC and DST as name prefixes: every parameter whose name begins with SRC,
    /// with the rest of its name kept.
    #[arg(long)]
    pub prefix: bool,

    /// Profile of the source account [default: --profile, else the default credentials].
    #[arg(long, value_name = "NAME")]
    pub from_profile: Option<String>,

    /// Profile of the destination account [default: the source's].
    #[arg(long, value_name = "NAME")]
    pub to_profile: Option<String>,

    /// Replace destinations that hold another value (or type) with a new version.
    #[arg(long)]
    pub overwrite: bool,
    /// `mv`: after the move, rewrite the old path where the infra code declares it (with
    /// --dry-run, print the changes as a diff); what cannot be rewritten safely is listed.
    #[arg(long)]
    pub update_infra: bool,

    /// How the plan is applied.
    #[command(flatten)]
    pub apply: ApplyArgs,
}

/// Arguments of `secrets rm`.
#[derive(Debug, Args)]
pub struct RmArgs {
    /// Parameters to delete (`my-app/KEY` is /k8s/my-app/KEY).
    #[arg(
        value_name = "NAME",
        conflicts_with = "prefix",
        required_unless_present = "prefix"
    )]
    pub names: Vec<String>,

    /// Delete every parameter whose name begins with PATH.
    #[arg(long, value_name = "PATH")]
    pub prefix: Option<String>,

    /// How the plan is applied.
    #[command(flatten)]
    pub apply: ApplyArgs,
}

/// Arguments of `secrets history`.
#[derive(Debug, Args)]
pub struct HistoryArgs {
    /// The parameter (`my-app/KEY` is /k8s/my-app/KEY).
    #[arg(value_name = "NAME")]
    pub name: String,

    /// Print the versions as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `secrets list`.
#[derive(Debug, Args)]
pub struct ListArgs {
    /// Projects to list, e.g. `api`.
    #[arg(required_unless_present = "all", value_name = "PROJECT")]
    pub projects: Vec<String>,

    /// Every service the infra code defines, with its declared count and warnings (reads no
    /// AWS; `--json` adds each secret with its file, line and column).
    #[arg(long, conflicts_with_all = ["projects", "check"])]
    pub all: bool,

    /// Read the infra code only: no credentials, no request; each row's status is
    /// `declared`.
    #[arg(long, conflicts_with = "check")]
    pub offline: bool,

    /// Repository root [default: the git top-level of the current directory].
    #[arg(short = 'C', long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// A JSON array of {project, name, path, source, file, line, column, status} instead of a
    /// table.
    #[arg(long)]
    pub json: bool,

    /// Exit 1 when any declared secret is missing from SSM (for CI).
    #[arg(long)]
    pub check: bool,

    /// Only the declared secrets, from the infra code; asks AWS nothing (as --offline)
    /// unless --check needs to look them up.
    #[arg(long)]
    pub declared_only: bool,

    /// Environment whose `.features` count [default: `env` in .secrets.toml, else dev].
    #[arg(long, value_enum)]
    pub env: Option<EnvArg>,
}

/// Arguments of `secrets audit`.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Environments to audit [default: every one in .secrets.toml].
    #[arg(long, value_enum, value_delimiter = ',', value_name = "ENV")]
    pub env: Vec<EnvArg>,

    /// Output: a matrix and details (text), one JSON object (json), or GitHub workflow
    /// annotations on the declaring lines (github).
    #[arg(long, value_enum, default_value_t = AuditFormat::Text)]
    pub format: AuditFormat,

    /// Same as --format json.
    #[arg(long, conflicts_with = "format")]
    pub json: bool,

    /// Also list parameters under the prefix that no service declares and no sweep of
    /// /k8s/<service>/ would read (a clean-up list, never an error).
    #[arg(long)]
    pub unreferenced: bool,

    /// Repository root [default: the git top-level of the current directory].
    #[arg(short = 'C', long, value_name = "DIR")]
    pub root: Option<PathBuf>,
}

/// Arguments of `secrets exec`.
#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Projects whose secrets to add, e.g. `api`.
    #[arg(required = true, value_name = "PROJECT")]
    pub projects: Vec<String>,

    /// Keep variables that are already set instead of replacing them.
    #[arg(long)]
    pub no_clobber: bool,

    /// Repository root [default: the git top-level of the current directory].
    #[arg(short = 'C', long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// Only the declared secrets; skip the sweep of /k8s/<PROJECT>/.
    #[arg(long)]
    pub declared_only: bool,

    /// Environment whose `.features` count [default: `env` in .secrets.toml, else dev].
    #[arg(long, value_enum)]
    pub env: Option<EnvArg>,

    /// The command to run and its arguments, after `--`.
    #[arg(last = true, required = true, value_name = "COMMAND")]
    pub command: Vec<std::ffi::OsString>,
}

/// Arguments of `secrets whoami`.
#[derive(Debug, Args)]
pub struct WhoamiArgs {
    /// A JSON object instead of lines.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `secrets create`.
#[derive(Debug, Args)]
pub struct CreateArgs {
    /// Name, `my-app/MY_KEY` or `/k8s/my-app/MY_KEY`: letters, digits, `/`, `-`, `_`;
    /// 6 to 128 characters after `/k8s/`.
    #[arg(long, value_name = "NAME")]
    pub name: Option<String>,

    /// Read the value from stdin (one trailing newline is dropped).
    #[arg(long, group = "value_source")]
    pub value_stdin: bool,

    /// Read the value from a file, byte for byte.
    #[arg(long, value_name = "PATH", group = "value_source")]
    pub value_file: Option<PathBuf>,

    /// The value itself. Unsafe: it lands in shell history and is visible in `ps`.
    #[arg(long, value_name = "VALUE", group = "value_source")]
    pub value: Option<crate::model::SecretValue>,

    /// Parameter type [default: SecureString].
    #[arg(long = "type", value_enum, value_name = "TYPE")]
    pub kind: Option<KindArg>,

    /// Tags, `Key=a,Value=b Key=c,Value=d` (Key and Value are case-sensitive).
    #[arg(long, value_name = "TAGS")]
    pub tags: Option<String>,

    /// One tag, `Key=a,Value=b`; may be repeated.
    #[arg(long, value_name = "TAG")]
    pub tag: Vec<String>,

    /// Description stored with the parameter.
    #[arg(long, value_name = "TEXT")]
    pub description: Option<String>,

    /// KMS key ID, ARN or alias for a SecureString [default: the account's aws/ssm key].
    #[arg(long, value_name = "KEY")]
    pub key_id: Option<String>,

    /// Storage tier: Standard (values up to 4096 bytes) or Advanced (8192, costs money).
    #[arg(long, value_enum, default_value_t = TierArg::Standard)]
    pub tier: TierArg,

    /// Replace an existing parameter with a new version.
    #[arg(long)]
    pub overwrite: bool,

    /// Do not ask for confirmation (required without a terminal).
    #[arg(short, long)]
    pub yes: bool,
    /// Also declare it in SERVICE's infra code: `NAME: '/k8s/...'` added to its own
    /// `.secrets({...})` (or a `.secrets` call added), the file's style kept.
    #[arg(long, value_name = "SERVICE")]
    pub declare: Option<String>,
    /// The variable name to declare it as [default: the name's last segment].
    #[arg(long = "as", value_name = "VAR", requires = "declare")]
    pub declare_as: Option<String>,
    /// Check everything (identities, existence, the declaration's edit, as a diff) and
    /// write nothing.
    #[arg(long)]
    pub dry_run: bool,

    /// Print the results as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Arguments of `secrets get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Projects to fetch, e.g. `api` for /k8s/api/.
    #[arg(required = true, value_name = "PROJECT")]
    pub projects: Vec<String>,

    /// Start the file afresh instead of merging into it: every line this run does not write is
    /// removed, comments too, and each name they assigned is said (--dry-run lists them as
    /// `removed`).
    #[arg(short, long)]
    pub reset: bool,

    /// Repository root [default: the git top-level of the current directory].
    #[arg(short = 'C', long, value_name = "DIR")]
    pub root: Option<PathBuf>,

    /// File to write [default: <root>/.env.secret]; `-` writes to stdout.
    #[arg(long, value_name = "PATH")]
    pub file: Option<PathBuf>,

    /// Output syntax.
    #[arg(long, value_enum, default_value_t = FormatArg::Export)]
    pub format: FormatArg,

    /// Show which names would be new, changed or unchanged; write nothing, show no values.
    #[arg(long)]
    pub dry_run: bool,

    /// Fetch only the secrets the infra code declares, skipping the sweep of /k8s/<PROJECT>/.
    #[arg(long)]
    pub declared_only: bool,

    /// Environment whose `.features` count [default: `env` in .secrets.toml, else dev].
    #[arg(long, value_enum)]
    pub env: Option<EnvArg>,
}

/// Arguments of `secrets login`.
#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Sign in the profile of this environment in .secrets.toml.
    #[arg(long, value_enum)]
    pub env: Option<EnvArg>,
    /// Do not open the browser; only print the page and the code.
    #[arg(long, env = "SECRETS_NO_BROWSER", value_parser = clap::builder::FalseyValueParser::new())]
    pub no_browser: bool,
}

/// Arguments of `secrets setup`.
#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Write without asking.
    #[arg(long, short = 'y')]
    pub yes: bool,
    /// Print what would be added, and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// Arguments of `secrets doctor`.
#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// One JSON array of checks (check, state, detail, fix).
    #[arg(long)]
    pub json: bool,
}
