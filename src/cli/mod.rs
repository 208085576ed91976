//! The command line: clap types and their help, nothing else. The program and its global
//! options here, each subcommand's own arguments in `args.rs`.

mod args;

use clap::{Args, Parser, Subcommand, ValueEnum};

pub use args::*;

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

/// Options that apply to every command, shown after each command's own.
#[derive(Debug, Args)]
#[command(next_help_heading = "Global options")]
pub struct GlobalArgs {
    /// AWS profile to use; wins over credentials in the environment, like the AWS CLI.
    /// Without it: AWS_ACCESS_KEY_ID etc. if set, else AWS_PROFILE, else `default` if it signs
    /// in, else the default environment's profile in .secrets.toml.
    /// Repeat it where a command works in several accounts.
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
    /// (Mozilla's roots are built in, as in the AWS CLI) [default: AWS_CA_BUNDLE; empty counts
    /// as unset, as with the AWS CLI].
    // AWS_CA_BUNDLE is read in app::aws_settings, not by clap: clap's usage lines would name
    // `--ca-bundle <PATH>` in every usage error on machines that set it.
    #[arg(long, global = true, value_name = "PATH")]
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

    /// GetParameters requests in flight at once. The default, 40, is Parameter Store's default
    /// throughput per second for them, so one burst stays within it.
    #[arg(
        long,
        global = true,
        env = "SECRETS_IN_FLIGHT",
        default_value_t = 40,
        value_name = "N"
    )]
    pub in_flight: usize,

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
    /// What a project needs is read from the monorepo's infra code (its service('...')
    /// builder: .secrets, .features, .xroad, .bff, .db), and every parameter under
    /// /k8s/<PROJECT>/ is fetched too (recursively, decrypted; the variable is the last path
    /// segment). Lines for these names are replaced in place, new ones appended, and every
    /// other line is kept as it is. `secrets list` shows the same rows without values.
    #[command(after_help = EXIT_CODES_HELP)]
    Get(GetArgs),

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

    /// Show what projects declare and what SSM holds: name, path, source, status (no values).
    ///
    /// Status is `ok` (declared and stored), `missing` (declared, not stored), `no-key` (stored,
    /// without the `#key` it selects), `undeclared` (stored under /k8s/<PROJECT>/, not declared
    /// in the infra code), `excluded` (named by `exclude` in .secrets.toml: never fetched or
    /// written) or, with --offline, `declared` (SSM not asked). A row that `[overrides]`
    /// redirects shows the path read, and after its status `instead of` the declared path.
    /// --all lists every service instead.
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

    /// Add the organisation's SSO profiles to ~/.aws/config, from .secrets.toml.
    ///
    /// `[sso]` in .secrets.toml names the start URL, region and session; each
    /// `[environments.<env>]` its profile, account and role. Only missing sections are added
    /// (an existing one is never changed); what will be added is shown first and written
    /// with --yes or a "yes" on the terminal, atomically, after a backup
    /// (~/.aws/config.secrets-backup). Run twice, it adds nothing.
    #[command(after_help = EXIT_CODES_HELP)]
    Setup(SetupArgs),

    /// Sign in to IAM Identity Center (SSO) for a profile, as `aws sso login` does.
    ///
    /// The profile is --profile, else the one --env names in .secrets.toml, else AWS_PROFILE,
    /// else the one of `env` in .secrets.toml. It opens the verification page in the browser
    /// (on a terminal, unless --no-browser) and always prints it with its code, then waits
    /// for the approval. The token is cached in ~/.aws/sso/cache/ exactly as the AWS CLI v2
    /// caches it (0600), so `aws` and `secrets` share one sign-in, and one sign-in serves
    /// every profile of that SSO session. Commands run on a terminal sign in by themselves
    /// when the session has expired.
    #[command(after_help = EXIT_CODES_HELP)]
    Login(LoginArgs),

    /// Check the setup a developer needs, one line per check with the fix when it fails.
    ///
    /// The repository and its infra code, .secrets.toml, each environment's profile, SSO
    /// session (time left, from the cache), credentials and account (STS), and whether
    /// ssm:DescribeParameters is allowed (one metadata call, never a value); direnv and the
    /// root's .envrc; .env.secret ignored by git, untracked and 0600; the version. Exit 1 when
    /// a required check fails.
    #[command(after_help = EXIT_CODES_HELP)]
    Doctor(DoctorArgs),

    /// Check every service's declared secrets exist in every environment's account (for CI).
    ///
    /// Which services run where comes from the uber charts (infra/src/uber-charts); a service
    /// in no chart is audited for dev only. Each environment's account comes from
    /// `[environments.<env>]` in .secrets.toml (profile, region, account), and its identity
    /// is checked with STS first. Only metadata is read (DescribeParameters): no value is
    /// ever fetched. Exit 1 when anything is missing.
    #[command(after_help = EXIT_CODES_HELP)]
    Audit(AuditArgs),

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

    /// Print a completion script: `secrets completions bash > ~/.local/share/bash-completion/completions/secrets`.
    Completions {
        /// The shell.
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },

    /// Print the man page (roff): `secrets man > ~/.local/share/man/man1/secrets.1`.
    Man,
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
