//! One integration test binary (the AWS SDK is linked once): the built `secrets` against a
//! real moto_server.

mod support;

mod audit;
mod auth;
mod create;
mod declare;
mod faults;
mod get;
mod get_failures;
mod infra;
mod interrupts;
mod lifecycle;
mod mfa;
mod reports;
mod secretsmanager;
mod shell;
mod sso;
mod sweep;
mod tls;
