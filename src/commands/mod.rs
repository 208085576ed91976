//! One module per subcommand; this one turns the parsed command line into plain options and
//! builds the real store and output handles.

pub mod create;
pub mod get;

use anyhow::{Context, Result};

use std::sync::Arc;

use crate::cli::{Cli, Command, CreateArgs, FormatArg, KindArg, TierArg};
use crate::envfile::Format;
use crate::error::Error;
use crate::output::{Output, Verbosity};
use crate::prompt::Terminal;
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
    };
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    match cli.command {
        Command::Get(args) => {
            let opts = get::Options {
                projects: args.projects,
                reset: args.reset,
                root: args.root,
                file: args.file,
                format: format(args.format),
                dry_run: args.dry_run,
            };
            if profiles.len() > 1 {
                return Err(Error::Input {
                    message: "get reads from one account, but --profile was given more than once"
                        .into(),
                    hint: "pass a single --profile".into(),
                }
                .into());
            }
            let settings = AwsSettings {
                profile: profiles.into_iter().next(),
                ..settings
            };
            let store = SsmStore::connect(settings).await;
            get::run(opts, &cwd, &store, &mut out).await
        }
        Command::Create(args) => {
            let targets: Vec<Option<String>> = if profiles.is_empty() {
                vec![None]
            } else {
                profiles.into_iter().map(Some).collect()
            };
            let mut accounts = Vec::with_capacity(targets.len());
            for profile in targets {
                let store = SsmStore::connect(AwsSettings {
                    profile: profile.clone(),
                    ..settings.clone()
                })
                .await;
                accounts.push(create::Account { profile, store });
            }
            create::run(
                create_options(args),
                accounts,
                Arc::new(Terminal::detect()),
                &mut out,
            )
            .await
        }
    }
}

fn create_options(args: CreateArgs) -> create::Options {
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
    }
}

fn format(arg: FormatArg) -> Format {
    match arg {
        FormatArg::Export => Format::Export,
        FormatArg::Dotenv => Format::Dotenv,
        FormatArg::Json => Format::Json,
    }
}
