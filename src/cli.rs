//! The command line: clap types and their help, nothing else.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::error::EXIT_CODES_HELP;

/// Fetch AWS SSM Parameter Store secrets into .env.secret for direnv, and into CI.
#[derive(Debug, Parser)]
#[command(name = "secrets", version, after_help = EXIT_CODES_HELP, max_term_width = 100)]
pub struct Cli {
    /// Options for every command.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options that apply to every command.
#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// AWS profile to use; wins over credentials in the environment, like the AWS CLI.
    /// Without it: AWS_ACCESS_KEY_ID etc. if set, else AWS_PROFILE, else `default`.
    /// `create` takes it several times to create the secret in several accounts.
    #[arg(long, global = true, value_name = "NAME", action = clap::ArgAction::Append)]
    pub profile: Vec<String>,

    /// AWS region [default: AWS_REGION, else the profile's region, else eu-west-1].
    #[arg(long, global = true, value_name = "REGION")]
    pub region: Option<String>,

    /// Send SSM and STS requests to this URL instead of AWS (a local emulator, a proxy).
    /// Without it: AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, or the profile's endpoint_url.
    #[arg(long, global = true, value_name = "URL")]
    pub endpoint_url: Option<String>,

    /// Also trust the CA certificates in this PEM file, for a network that inspects TLS
    /// (Mozilla's roots are built in, as in the AWS CLI). An empty AWS_CA_BUNDLE counts as
    /// unset, as with the AWS CLI.
    #[arg(long, global = true, env = "AWS_CA_BUNDLE", value_name = "PATH")]
    pub ca_bundle: Option<std::ffi::OsString>,

    /// The current code of your MFA device, for a profile with `mfa_serial` (otherwise it is
    /// asked for on the terminal, or read from stdin without one).
    #[arg(long, global = true, value_name = "CODE")]
    pub mfa_token: Option<String>,

    /// Attempts per AWS request, throttling and network errors included.
    #[arg(
        long,
        global = true,
        env = "AWS_MAX_ATTEMPTS",
        default_value_t = 8,
        value_name = "N"
    )]
    pub max_attempts: u32,

    /// Give up on one AWS request (its retries included) after this many seconds.
    #[arg(long, global = true, default_value_t = 30, value_name = "SECONDS")]
    pub timeout: u64,

    /// Print only errors.
    #[arg(short, long, global = true, conflicts_with = "verbose")]
    pub quiet: bool,

    /// Trace what is done: requests, paths and names, never values.
    #[arg(short, long, global = true)]
    pub verbose: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Fetch projects' secrets into <repo root>/.env.secret (merged, atomic, mode 0600).
    ///
    /// Every parameter under /k8s/<PROJECT>/ is fetched (recursively, decrypted); the
    /// variable name is the parameter's last path segment. Lines for these names are
    /// replaced in place, new ones appended, and every other line is kept as it is.
    #[command(after_help = EXIT_CODES_HELP)]
    Get(GetArgs),

    /// Show what projects declare and what SSM holds: name, path, source, status (no values).
    ///
    /// Status is `ok` (declared and stored), `missing` (declared, not stored),
    /// `undeclared` (stored under /k8s/<PROJECT>/, not declared in the infra code) or, with
    /// --offline, `declared` (SSM not asked). --all lists every service instead.
    #[command(after_help = EXIT_CODES_HELP)]
    List(ListArgs),

    /// Run a command with projects' secrets added to its environment; writes no file.
    ///
    /// Secrets are resolved exactly as `get` resolves them. A variable already set is
    /// replaced (with a warning naming it) unless --no-clobber is given. On Unix the command
    /// replaces this process, so its signals and exit status are its own.
    #[command(after_help = EXIT_CODES_HELP)]
    Exec(ExecArgs),

    /// Show the profile, region, account, caller and credential source commands would use.
    #[command(after_help = EXIT_CODES_HELP)]
    Whoami(WhoamiArgs),

    /// Check every service's declared secrets exist in every environment's account (for CI).
    ///
    /// Which services run where comes from the uber charts (infra/src/uber-charts); a service
    /// in no chart is audited for dev only. Each environment's account comes from
    /// `[environments.<env>]` in .secrets.toml (profile, region, account), and its identity
    /// is checked with STS first. Only metadata is read (DescribeParameters): no value is
    /// ever fetched. Exit 1 when anything is missing.
    #[command(after_help = EXIT_CODES_HELP)]
    Audit(AuditArgs),

    /// Print a completion script: `secrets completions bash > ~/.local/share/bash-completion/completions/secrets`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff): `secrets man > ~/.local/share/man/man1/secrets.1`.
    Man,

    /// Create a secret under /k8s/, in one account or several (repeat --profile).
    ///
    /// On a terminal with nothing else given, it asks for the name, the value (hidden, typed
    /// twice), the type and tags, then shows the target accounts and asks to confirm. Flags
    /// answer any of those questions; without a terminal, nothing is ever asked and a missing
    /// name, value or --yes is an error. An existing parameter is never replaced without
    /// --overwrite.
    ///
    /// Every flag is checked before anything is asked or sent. Name: letters, digits, `/`,
    /// `-` and `_`; 6 to 128 characters after the prefix; no empty level, no trailing `/`; at
    /// most 15 levels; no `aws`/`ssm` first level. Value: not empty; at most 4096 bytes
    /// (Standard) or 8192 (Advanced). Tags: `Key=NAME,Value=VALUE`, at most 50, keys 1-128
    /// and values 0-256 characters of letters, digits, spaces and `_ . : / = + - @`, no `aws:`
    /// key, no key twice. `--json` prints one object per account: name, type, version,
    /// account, profile, status (created, updated, failed, unknown), error.
    #[command(after_help = EXIT_CODES_HELP)]
    Create(CreateArgs),

    /// Copy a parameter, or with --prefix every parameter whose name begins with SRC, to DST.
    ///
    /// Type, description, tags, tier and KMS key are carried over (a key the destination
    /// account cannot use is replaced by its default key, with a warning). The destination
    /// may be another account: --from-profile / --to-profile [default: --profile]. A
    /// destination holding the same value and type is skipped as `unchanged`; one holding
    /// another value or type is refused (exit 5) unless --overwrite. The plan (each name:
    /// new, unchanged, differs, overwrite; each account and identity) is shown first and
    /// applied only with --yes or a "yes" on the terminal; --dry-run prints it and stops.
    #[command(after_help = EXIT_CODES_HELP)]
    Cp(CopyArgs),

    /// Move: copy as `cp` does, read every copy back, then delete the sources.
    ///
    /// The sources are deleted only when every copy reads back with the source's value.
    /// Afterwards the places in the infra code that still declare an old name are listed
    /// (file:line), for the pull request that follows the move. A --prefix move deletes by
    /// prefix, so it obeys `rm --prefix`'s depth rule.
    #[command(after_help = EXIT_CODES_HELP)]
    Mv(CopyArgs),

    /// Delete parameters by name, or every one whose name begins with --prefix.
    ///
    /// DeleteParameters, 10 names a request, one request after another; Ctrl-C stops between
    /// requests and reports exactly what was deleted. A prefix must reach below the
    /// namespace (`/k8s/` or `/k8s` alone is refused; `/k8s/feature-foo-` is fine); it
    /// matches names as text, so end it with `/` to stay within one level. Names the infra
    /// code still declares are pointed out in the plan.
    #[command(after_help = EXIT_CODES_HELP)]
    Rm(RmArgs),

    /// Show a parameter's versions: date, user (the ARN SSM records), labels, description.
    ///
    /// Never a value: the history is read without decryption and any value dropped.
    #[command(after_help = EXIT_CODES_HELP)]
    History(HistoryArgs),
}

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

/// Output of `secrets audit`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum AuditFormat {
    /// A service × environment matrix, then the details.
    Text,
    /// One JSON object.
    Json,
    /// `::error file=…,line=…::` annotations for GitHub Actions.
    Github,
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

    /// Print the results as JSON on stdout.
    #[arg(long)]
    pub json: bool,
}

/// Parameter types.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum KindArg {
    /// Encrypted with KMS.
    #[value(name = "SecureString")]
    SecureString,
    /// Plain text (e.g. an e-mail sender's name).
    #[value(name = "String")]
    String,
}

/// Storage tiers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum TierArg {
    /// Up to 4096 bytes.
    #[value(name = "Standard")]
    Standard,
    /// Up to 8192 bytes.
    #[value(name = "Advanced")]
    Advanced,
}

/// Arguments of `secrets get`.
#[derive(Debug, Args)]
pub struct GetArgs {
    /// Projects to fetch, e.g. `api` for /k8s/api/.
    #[arg(required = true, value_name = "PROJECT")]
    pub projects: Vec<String>,

    /// Empty the file first instead of merging into it.
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

/// Deployment environments.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum EnvArg {
    /// Development.
    Dev,
    /// Staging.
    Staging,
    /// Production.
    Prod,
}

/// Output syntax choices.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// `export NAME='value'` lines, for `source` and direnv.
    Export,
    /// `NAME='value'` lines, for dotenv readers.
    Dotenv,
    /// One JSON object of NAME → value.
    Json,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn cli_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
