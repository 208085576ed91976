//! One module per subcommand. Each takes plain options (built by `app.rs`), checks them
//! before anything touches the network, and receives its store, prompter and output.

pub mod audit;
pub mod create;
pub mod exec;
pub mod fetch;
pub mod get;
pub mod list;
pub mod whoami;

#[cfg(test)]
mod tests;
