//! One module per subcommand. Each takes plain options (built by `app/`), checks them
//! before anything touches the network, and receives its store, prompter and output.

use std::io;
use std::sync::Arc;

use anyhow::{Context, Result};

use crate::error::Error;
use crate::prompt::{Asked, Prompter};

pub mod accounts;
pub mod audit;
pub mod batches;
pub mod copy;
pub mod create;
pub mod declare;
pub mod doctor;
pub mod exec;
pub mod fetch;
pub mod get;
pub mod history;
pub mod list;
pub mod login;
pub mod plan;
pub mod remove;
pub mod setup;
pub mod whoami;

/// Asks one question (see [`crate::prompt::ask`]); Ctrl-C at it ends the command as
/// `Error::Interrupted`, with `outcome` saying what that leaves done.
pub async fn ask<T, F>(prompter: &Arc<dyn Prompter>, outcome: &str, question: F) -> Result<T>
where
    T: Send + 'static,
    F: FnOnce(&dyn Prompter) -> io::Result<T> + Send + 'static,
{
    match crate::prompt::ask(prompter, question)
        .await
        .context("cannot read the answer")?
    {
        Asked::Answer(answer) => Ok(answer),
        Asked::Interrupted => Err(Error::Interrupted(outcome.to_string()).into()),
    }
}

#[cfg(test)]
mod tests;

#[cfg(test)]
mod lifecycle_tests;
