//! The wiring: the parsed command line becomes plain options, each command's plan is checked
//! (no request, no prompt, no credential provider), and only then are the real store,
//! prompter and output built and handed to the command.

mod create_secret;
mod first_day;
mod lifecycle;
mod preflight;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context, Result};

use crate::cli::{
    AuditArgs, AuditFormat, Cli, Command, EnvArg, ExecArgs, FormatArg, GetArgs, GlobalArgs,
    ListArgs,
};
use crate::commands::login;
use crate::commands::{audit, exec, fetch, get, list, whoami};
use crate::config::{RepoConfig, find_repo_root};
use crate::envfile::{Format, Target};
use crate::error::{Error, exit};
use crate::interrupt::Interrupts;
use crate::model::Env;
use crate::output::{Output, Verbosity};
use crate::prompt::{Prompter, Terminal};
use crate::store::ssm::sso::{self, TokenState};
use crate::store::ssm::{AwsSettings, SsmStore};
use preflight::{account_of, writable_dir};

/// What every command's wiring needs.
struct Wiring {
    g: GlobalArgs,
    cwd: PathBuf,
    out: Output,
    prompter: Arc<dyn Prompter>,
}

/// Runs the command the user asked for and returns its exit code.
pub async fn run(cli: Cli, interrupts: Interrupts) -> Result<u8> {
    let g = cli.global;
    let out = Output::stdio(Verbosity {
        quiet: g.quiet,
        verbose: g.verbose,
    });
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let prompter: Arc<dyn Prompter> = Arc::new(Terminal::detect());
    let mut w = Wiring {
        g,
        cwd,
        out,
        prompter,
    };
    match cli.command {
        Command::Get(args) => w.get(args).await,
        Command::List(args) => w.list(args).await,
        Command::Exec(args) => w.exec(args).await,
        Command::Whoami(args) => w.whoami(args.json).await,
        Command::Login(args) => w.login(args).await,
        Command::Setup(args) => w.setup(args).await,
        Command::Doctor(args) => w.doctor(args).await,
        Command::Create(args) => w.create(args, &interrupts).await,
        Command::Audit(args) => w.audit(args).await,
        Command::Cp(args) => w.copy(args, false, &interrupts).await,
        Command::Mv(args) => w.copy(args, true, &interrupts).await,
        Command::Rm(args) => w.rm(args, &interrupts).await,
        Command::History(args) => w.history(args).await,
        Command::Completions { shell } => {
            // Into a buffer first: `generate` panics when its writer fails (a closed pipe).
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "secrets", &mut script);
            w.out.data().write_all(&script)?;
            Ok(exit::OK)
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut page)?;
            w.out.data().write_all(&page)?;
            Ok(exit::OK)
        }
    }
}

impl Wiring {
    async fn get(&mut self, args: GetArgs) -> Result<u8> {
        let to_stdout = args.file.as_deref() == Some(Path::new("-"));
        let (root, config) = repo(args.root, &self.cwd, !to_stdout)?;
        let target = match (&args.file, &root) {
            _ if to_stdout => Target::Stdout,
            (Some(file), _) => Target::File(self.cwd.join(file)),
            (None, Some(root)) => Target::File(root.join(&config.file)),
            (None, None) => return Err(Error::NotInRepo(self.cwd.clone()).into()),
        };
        let settings = aws_settings(&self.g, &config, None)?;
        let opts = get::Options {
            fetch: request(args.projects, root, config, args.env, args.declared_only)?,
            reset: args.reset,
            target,
            format: format(args.format),
            dry_run: args.dry_run,
        };
        get::validate(&opts)?;
        self.warn_ignored_profile();
        if let (Target::File(path), false) = (&opts.target, opts.dry_run) {
            writable_dir(path)?;
        }
        let store = connect(settings, &self.prompter, &mut self.out).await?;
        get::run(opts, &self.cwd, &store, &mut self.out).await
    }

    /// Reading the infra code needs no AWS: `--all`, `--offline` and `--declared-only`
    /// (without `--check`) never build a store.
    async fn list(&mut self, args: ListArgs) -> Result<u8> {
        let (root, config) = repo(args.root, &self.cwd, true)?;
        if args.all {
            let root = root.ok_or_else(|| Error::NotInRepo(self.cwd.clone()))?;
            let env = env_of(args.env, &config);
            let rules = config.rules();
            return list::run_all(root, env, &rules, args.json, &mut self.out).await;
        }
        let offline = args.offline || (args.declared_only && !args.check);
        let settings = aws_settings(&self.g, &config, None)?;
        let opts = list::Options {
            fetch: request(args.projects, root, config, args.env, args.declared_only)?,
            json: args.json,
            check: args.check,
        };
        if offline {
            return list::run_offline(opts, &mut self.out).await;
        }
        let store = connect(settings, &self.prompter, &mut self.out).await?;
        list::run(opts, &store, &mut self.out).await
    }

    async fn exec(&mut self, args: ExecArgs) -> Result<u8> {
        let (root, config) = repo(args.root, &self.cwd, false)?;
        let settings = aws_settings(&self.g, &config, None)?;
        let opts = exec::Options {
            fetch: request(args.projects, root, config, args.env, args.declared_only)?,
            no_clobber: args.no_clobber,
            command: args.command,
        };
        exec::validate(&opts)?;
        self.warn_ignored_profile();
        let store = connect(settings, &self.prompter, &mut self.out).await?;
        let is_set = |name: &str| std::env::var_os(name).is_some();
        exec::run(opts, &is_set, &store, &mut self.out).await
    }

    /// AWS_PROFILE set, keys in the environment, no --profile: the keys win, as in the AWS
    /// CLI; said rather than done silently (`whoami` shows it too).
    fn warn_ignored_profile(&mut self) {
        let set = |v: &str| std::env::var(v).is_ok_and(|x| !x.is_empty());
        if self.g.profile.is_empty() && set("AWS_ACCESS_KEY_ID") && set("AWS_PROFILE") {
            let p = std::env::var("AWS_PROFILE").unwrap_or_default();
            self.out.warn(&format!(
                "AWS_PROFILE={p} is ignored: the keys in the environment (AWS_ACCESS_KEY_ID) \
                 win, as in the AWS CLI; pass --profile {p} to use the profile"
            ));
        }
    }

    async fn whoami(&mut self, json: bool) -> Result<u8> {
        let (_, config) = repo(None, &self.cwd, false)?;
        let settings = aws_settings(&self.g, &config, None)?;
        let store = connect(settings, &self.prompter, &mut self.out).await?;
        whoami::run(&store, json, &mut self.out).await
    }

    /// Environments and accounts checked, the infra code read, then each account connected
    /// and audited.
    async fn audit(&mut self, args: AuditArgs) -> Result<u8> {
        let (root, config) = repo(args.root, &self.cwd, true)?;
        let root = root.ok_or_else(|| Error::NotInRepo(self.cwd.clone()))?;
        let envs: Vec<Env> = match args.env.is_empty() {
            true => config.environments.keys().copied().collect(),
            false => args.env.iter().map(|e| env_of(Some(*e), &config)).collect(),
        };
        if envs.is_empty() {
            let exists = root.join(crate::config::CONFIG_FILE).exists();
            return Err(Error::NoEnvironments(exists).into());
        }
        if self.g.profile.len() > 1 {
            return Err(Error::OneProfileOnly.into());
        }
        if !self.g.profile.is_empty() && envs.len() > 1 {
            return Err(Error::ProfileForOneEnv(envs.len()).into());
        }
        let mut targets = Vec::new();
        for env in &envs {
            let account = config.environments.get(env).cloned().unwrap_or_default();
            let profile = self.g.profile.first().cloned().or(account.profile);
            let mut settings = aws_settings(&self.g, &config, profile.clone())?;
            settings.region = self.g.region.clone().or(account.region);
            targets.push((*env, profile, account.account, settings));
        }
        let format = match (args.json, args.format) {
            (true, _) | (_, AuditFormat::Json) => audit::Format::Json,
            (_, AuditFormat::Github) => audit::Format::Github,
            (_, AuditFormat::Text) => audit::Format::Text,
        };
        let read_envs = envs.clone();
        let (services, deployments) =
            tokio::task::spawn_blocking(move || crate::infra::read_for_audit(&root, &read_envs))
                .await
                .context("reading the infra code failed")?;
        if deployments.charts.is_empty() {
            self.out.warn(&format!(
                "no uber charts under {}: every service is audited for dev only",
                crate::infra::charts::CHARTS_DIR
            ));
        }
        for w in &deployments.warnings {
            self.out.warn(w);
        }
        let plan = audit::Plan {
            services,
            deployments,
            prefix: config.prefix.clone(),
            format,
            unreferenced: args.unreferenced,
            rules: config.rules(),
            step_summary: match format {
                audit::Format::Github => std::env::var_os("GITHUB_STEP_SUMMARY")
                    .filter(|p| !p.is_empty())
                    .map(PathBuf::from),
                _ => None,
            },
        };
        let mut connected = Vec::with_capacity(targets.len());
        for (env, profile, expected, settings) in targets {
            let store = connect(settings, &self.prompter, &mut self.out).await?;
            // Named as the user chose it: the profile of .secrets.toml or --profile, else what
            // the default chain resolved (AWS_PROFILE, keys in the environment).
            let account = account_of(profile.clone(), store).await;
            connected.push(audit::Target {
                env,
                label: account.label(),
                profile,
                expected,
                store: account.store,
            });
        }
        audit::run(plan, &connected, &mut self.out).await
    }
}

/// The real store of one account (an MFA role's code is asked for here). On a terminal, an
/// SSO profile whose session has expired and cannot be refreshed is signed in again first,
/// once (without one, the first request fails with exit 3 and the hint `secrets login`).
async fn connect(
    settings: AwsSettings,
    prompter: &Arc<dyn Prompter>,
    out: &mut Output,
) -> Result<SsmStore, Error> {
    let settings = crate::store::ssm::with_repo_profile(settings).await;
    if let (true, Some(p)) = (settings.from_repo, &settings.profile) {
        out.trace(&format!(
            "profile {p}: the default environment's in .secrets.toml (no --profile, \
             AWS_PROFILE or keys in the environment chose credentials)"
        ));
    }
    if prompter.interactive()
        && let Some(target) = sso::selected(&settings).await
        && let state @ (TokenState::Expired | TokenState::Missing) = sso::token_state(&target)
    {
        let why = match state {
            TokenState::Missing => "is not signed in",
            _ => "has expired",
        };
        out.info(&format!(
            "The SSO session of profile {} {why}: signing in.",
            target.profile
        ));
        // SECRETS_NO_BROWSER as `login --no-browser` reads it.
        let browser = std::env::var("SECRETS_NO_BROWSER").map_or(true, |v| {
            matches!(
                v.to_ascii_lowercase().as_str(),
                "" | "0" | "false" | "no" | "off"
            )
        });
        login::sign_in(&target, &settings, browser, out).await?;
    }
    Ok(SsmStore::connect(settings, prompter).await?)
}

/// The one constructor of the AWS settings: flags (and the environment variables clap reads
/// for them), `.secrets.toml`'s region, and one profile. Commands other than `create` read
/// from one account, so they refuse several `--profile`s.
fn aws_settings(
    g: &GlobalArgs,
    config: &RepoConfig,
    profile: Option<String>,
) -> Result<AwsSettings, Error> {
    let profile = match profile {
        Some(p) => Some(p),
        None if g.profile.len() > 1 => return Err(Error::OneProfileOnly),
        None => g.profile.first().cloned(),
    };
    Ok(AwsSettings {
        profile,
        region: g.region.clone(),
        endpoint_url: g.endpoint_url.clone(),
        max_attempts: g.max_attempts,
        timeout: Duration::from_secs(g.timeout.max(1)),
        default_region: config.region.clone(),
        ca_bundle: g
            .ca_bundle
            .clone()
            .or_else(|| std::env::var_os("AWS_CA_BUNDLE"))
            .filter(|p| !p.is_empty())
            .map(PathBuf::from),
        mfa_token: g.mfa_token.clone(),
        in_flight: g.in_flight.max(1),
        repo_profile: config
            .environments
            .get(&config.env)
            .and_then(|e| e.profile.clone()),
        from_repo: false,
    })
}

/// The repository root (`--root`, else the git top-level) and its `.secrets.toml`.
fn repo(
    flag: Option<PathBuf>,
    cwd: &Path,
    required: bool,
) -> Result<(Option<PathBuf>, RepoConfig), Error> {
    let root = match flag {
        Some(r) if cwd.join(&r).is_dir() => Some(cwd.join(r)),
        Some(r) => return Err(Error::BadRoot(r)),
        None => find_repo_root(cwd),
    };
    if required && root.is_none() {
        return Err(Error::NotInRepo(cwd.to_path_buf()));
    }
    let config = match &root {
        Some(root) => RepoConfig::load(root)?,
        None => RepoConfig::default(),
    };
    Ok((root, config))
}

/// What to fetch for `get`, `list` and `exec`, with the project names checked.
fn request(
    projects: Vec<String>,
    root: Option<PathBuf>,
    config: RepoConfig,
    env: Option<EnvArg>,
    declared_only: bool,
) -> Result<fetch::Request, Error> {
    let env = env_of(env, &config);
    fetch::Request::new(projects, root, config, env, declared_only)
}

/// `--env`, else `env` in `.secrets.toml`.
fn env_of(env: Option<EnvArg>, config: &RepoConfig) -> Env {
    match env {
        Some(EnvArg::Dev) => Env::Dev,
        Some(EnvArg::Staging) => Env::Staging,
        Some(EnvArg::Prod) => Env::Prod,
        None => config.env,
    }
}

fn format(arg: FormatArg) -> Format {
    match arg {
        FormatArg::Export => Format::Export,
        FormatArg::Dotenv => Format::Dotenv,
        FormatArg::Json => Format::Json,
    }
}
