//! One module per subcommand; this one turns the parsed command line into plain options and
//! builds the real store and output handles.

pub mod get;

use anyhow::{Context, Result};

use crate::cli::{Cli, Command, FormatArg};
use crate::envfile::Format;
use crate::output::{Output, Verbosity};
use crate::store::ssm::{AwsSettings, SsmStore};

/// Runs the command the user asked for and returns its exit code.
pub async fn dispatch(cli: Cli) -> Result<u8> {
    let g = cli.global;
    let mut out = Output::stdio(Verbosity {
        quiet: g.quiet,
        verbose: g.verbose,
    });
    let settings = AwsSettings {
        profile: g.profile,
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
            let store = SsmStore::connect(settings).await;
            get::run(opts, &cwd, &store, &mut out).await
        }
    }
}

fn format(arg: FormatArg) -> Format {
    match arg {
        FormatArg::Export => Format::Export,
        FormatArg::Dotenv => Format::Dotenv,
        FormatArg::Json => Format::Json,
    }
}
