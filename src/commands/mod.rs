//! One module per subcommand. Each takes plain options (built by `app.rs`), checks them
//! before anything touches the network, and receives its store, prompter and output.

pub mod accounts;
pub mod audit;
pub mod batches;
pub mod copy;
pub mod create;
pub mod exec;
pub mod fetch;
pub mod get;
pub mod history;
pub mod list;
pub mod plan;
pub mod remove;
pub mod whoami;

#[cfg(test)]
mod tests;

#[cfg(test)]
mod lifecycle_tests;
