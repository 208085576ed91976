//! `secrets`: AWS SSM Parameter Store secrets into a developer's shell and into CI.

mod app;
mod atomic_file;
mod cli;
mod commands;
mod config;
mod envfile;
mod error;
mod infra;
mod interrupt;
mod model;
mod output;
mod prompt;
mod resolve;
mod selector;
mod store;
mod validate;

use std::io;
use std::process::ExitCode;

use clap::Parser;

use crate::error::{Error, Report, exit};
use crate::interrupt::Interrupts;

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let cli = cli::Cli::parse();
    let interrupts = match Interrupts::from_ctrl_c() {
        Ok(i) => i,
        Err(e) => {
            return ExitCode::from(report(
                &anyhow::Error::new(e).context("cannot watch for Ctrl-C"),
            ));
        }
    };
    let modes = prompt::TerminalModes::save();
    let code = tokio::select! {
        result = app::run(cli, interrupts.clone()) => match result {
            Ok(code) => code,
            Err(err) => report(&err),
        },
        () = interrupts.unshielded() => {
            // Every file is replaced atomically, and `create` shields its writes, so nothing
            // was written when an interrupt lands here.
            eprintln!("interrupted: nothing was written");
            exit::INTERRUPTED
        }
    };
    modes.restore();
    ExitCode::from(code)
}

/// Prints an error and its hint to stderr and picks the exit code.
fn report(err: &anyhow::Error) -> u8 {
    // `secrets get api --file - | head -1` must end quietly, like any Unix filter.
    if err.chain().any(|e| {
        e.downcast_ref::<io::Error>()
            .is_some_and(|e| e.kind() == io::ErrorKind::BrokenPipe)
    }) {
        return exit::OK;
    }
    match err.downcast_ref::<Error>() {
        Some(e) => {
            let report = Report::from(e);
            eprint!("{report}");
            report.code()
        }
        None => {
            eprintln!("error: {err:#}");
            exit::FAILURE
        }
    }
}
