//! One module per subcommand; this one turns the parsed command line into plain options and
//! builds the real store and output handles.

pub mod create;
pub mod exec;
pub mod fetch;
pub mod get;
pub mod list;
pub mod whoami;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, CreateArgs, EnvArg, FormatArg, KindArg, TierArg};
use crate::config::{RepoConfig, find_repo_root};
use crate::envfile::{Format, Target};
use crate::error::Error;
use crate::infra::Env;
use crate::output::{Output, Verbosity};
use crate::prompt::Terminal;
use crate::store::ssm::mfa::AskCode;
use crate::store::ssm::{AwsSettings, SsmStore};
use crate::validate::Tier;

/// Runs the command the user asked for and returns its exit code.
pub async fn dispatch(cli: Cli) -> Result<u8> {
    let g = cli.global;
    let mut out = Output::stdio(Verbosity {
        quiet: g.quiet,
        verbose: g.verbose,
    });
    let profiles = g.profile;
    let settings = AwsSettings {
        profile: None,
        region: g.region,
        endpoint_url: g.endpoint_url,
        max_attempts: g.max_attempts,
        timeout: std::time::Duration::from_secs(g.timeout.max(1)),
        default_region: crate::store::ssm::DEFAULT_REGION.to_string(),
        ca_bundle: g.ca_bundle.filter(|p| !p.is_empty()).map(PathBuf::from),
    };
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let token = g.mfa_token;
    let ask: AskCode = Arc::new(move |prompt: &str| match &token {
        Some(code) => Ok(code.clone()),
        None => crate::prompt::mfa_code(prompt),
    });
    match cli.command {
        Command::Get(args) => {
            let to_stdout = args.file.as_deref() == Some(Path::new("-"));
            let (root, config) = repo(args.root, &cwd, !to_stdout)?;
            let target = match (&args.file, &root) {
                (_, _) if to_stdout => Target::Stdout,
                (Some(file), _) => Target::File(cwd.join(file)),
                (None, Some(root)) => Target::File(root.join(&config.file)),
                (None, None) => return Err(Error::NotInRepo(cwd).into()),
            };
            let store = reader(profiles, settings, &config, &ask).await?;
            let opts = get::Options {
                fetch: request(args.projects, root, config, args.env, args.declared_only),
                reset: args.reset,
                target,
                format: format(args.format),
                dry_run: args.dry_run,
            };
            get::run(opts, &cwd, &store, &mut out).await
        }
        Command::List(args) => {
            let (root, config) = repo(args.root, &cwd, true)?;
            let store = reader(profiles, settings, &config, &ask).await?;
            let fetch = request(args.projects, root, config, args.env, args.declared_only);
            let opts = list::Options {
                fetch,
                json: args.json,
                check: args.check,
            };
            list::run(opts, &store, &mut out).await
        }
        Command::Exec(args) => {
            let (root, config) = repo(args.root, &cwd, false)?;
            let store = reader(profiles, settings, &config, &ask).await?;
            let fetch = request(args.projects, root, config, args.env, args.declared_only);
            let opts = exec::Options {
                fetch,
                no_clobber: args.no_clobber,
                command: args.command,
            };
            let is_set = |name: &str| std::env::var_os(name).is_some();
            exec::run(opts, &is_set, &store, &mut out).await
        }
        Command::Whoami(args) => {
            let (_, config) = repo(None, &cwd, false)?;
            let store = reader(profiles, settings, &config, &ask).await?;
            whoami::run(&store, args.json, &mut out).await
        }
        Command::Completions { shell } => {
            // Into a buffer first: `generate` panics when its writer fails (a closed pipe).
            let mut cmd = <Cli as clap::CommandFactory>::command();
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut cmd, "secrets", &mut script);
            out.data().write_all(&script)?;
            Ok(crate::error::exit::OK)
        }
        Command::Man => {
            let cmd = <Cli as clap::CommandFactory>::command();
            let mut page = Vec::new();
            clap_mangen::Man::new(cmd).render(&mut page)?;
            out.data().write_all(&page)?;
            Ok(crate::error::exit::OK)
        }
        Command::Create(args) => {
            let targets: Vec<Option<String>> = if profiles.is_empty() {
                vec![None]
            } else {
                profiles.into_iter().map(Some).collect()
            };
            let mut accounts = Vec::with_capacity(targets.len());
            for profile in targets {
                let settings = AwsSettings {
                    profile: profile.clone(),
                    ..settings.clone()
                };
                let store = SsmStore::connect(settings, &ask)
                    .await
                    .map_err(Error::from)?;
                accounts.push(create::Account { profile, store });
            }
            // Names go under the repository's prefix when run inside it.
            let (_, config) = repo(None, &cwd, false)?;
            let opts = create_options(args, config.prefix);
            create::run(opts, accounts, Arc::new(Terminal::detect()), &mut out).await
        }
    }
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
        Some(root) => RepoConfig::load(root).map_err(|message| Error::Input {
            message,
            hint: "fix the file (the README lists its keys under Configuration), or remove it"
                .into(),
        })?,
        None => RepoConfig::default(),
    };
    Ok((root, config))
}

/// The store of a command that reads from one account.
async fn reader(
    profiles: Vec<String>,
    settings: AwsSettings,
    config: &RepoConfig,
    ask: &AskCode,
) -> Result<SsmStore, Error> {
    if profiles.len() > 1 {
        return Err(Error::Input {
            message: "this command reads from one account, but --profile was given more than once"
                .into(),
            hint: "pass a single --profile".into(),
        });
    }
    let settings = AwsSettings {
        profile: profiles.into_iter().next(),
        default_region: config.region.clone(),
        ..settings
    };
    Ok(SsmStore::connect(settings, ask).await?)
}

/// What to fetch for `get`, `list` and `exec`.
fn request(
    projects: Vec<String>,
    root: Option<PathBuf>,
    config: RepoConfig,
    env: Option<EnvArg>,
    declared_only: bool,
) -> fetch::Request {
    let env = env_of(env, &config);
    fetch::Request {
        projects,
        root,
        config,
        env,
        declared_only,
    }
}

fn env_of(flag: Option<EnvArg>, config: &RepoConfig) -> Env {
    match flag {
        Some(EnvArg::Dev) => Env::Dev,
        Some(EnvArg::Staging) => Env::Staging,
        Some(EnvArg::Prod) => Env::Prod,
        None => match config.env.as_str() {
            "staging" => Env::Staging,
            "prod" => Env::Prod,
            _ => Env::Dev,
        },
    }
}

fn create_options(args: CreateArgs, prefix: String) -> create::Options {
    let value = match (args.value, args.value_stdin, args.value_file) {
        (Some(v), _, _) => create::ValueSource::Literal(v),
        (_, true, _) => create::ValueSource::Stdin,
        (_, _, Some(path)) => create::ValueSource::File(path),
        _ => create::ValueSource::Ask,
    };
    create::Options {
        name: args.name,
        value,
        secure: args.kind.map(|k| k == KindArg::SecureString),
        tags: args.tags.into_iter().chain(args.tag).collect(),
        description: args.description,
        key_id: args.key_id,
        tier: match args.tier {
            TierArg::Standard => Tier::Standard,
            TierArg::Advanced => Tier::Advanced,
        },
        overwrite: args.overwrite,
        yes: args.yes,
        json: args.json,
        prefix,
    }
}

fn format(arg: FormatArg) -> Format {
    match arg {
        FormatArg::Export => Format::Export,
        FormatArg::Dotenv => Format::Dotenv,
        FormatArg::Json => Format::Json,
    }
}
