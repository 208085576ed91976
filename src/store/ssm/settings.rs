//! How to reach AWS, as plain values; built once by the wiring (`app/`) from flags and
//! `.secrets.toml`. Everything unset falls back to the AWS environment and config files, read
//! as the AWS CLI reads them.

use std::path::PathBuf;
use std::time::Duration;

/// Connection settings for one account.
#[derive(Debug, Clone)]
pub struct AwsSettings {
    /// `--profile`: wins over credentials in the environment, as with the AWS CLI.
    pub profile: Option<String>,
    /// `--region`.
    pub region: Option<String>,
    /// `--endpoint-url`, for SSM and STS.
    pub endpoint_url: Option<String>,
    /// Attempts per request, throttling included.
    pub max_attempts: u32,
    /// Time limit for one request, retries included.
    pub timeout: Duration,
    /// Region when neither flag, environment nor profile names one (`.secrets.toml`).
    pub default_region: String,
    /// `--ca-bundle` / AWS_CA_BUNDLE: CA certificates trusted besides the built-in roots.
    pub ca_bundle: Option<PathBuf>,
    /// `--mfa-token`: the MFA code, so none is asked for.
    pub mfa_token: Option<String>,
    /// `--in-flight`: GetParameters requests in flight at once, for the whole run.
    pub in_flight: usize,
    /// The profile `.secrets.toml` names for its default environment: used when nothing else
    /// chooses credentials (see [`super::profile::with_repo_profile`]).
    pub repo_profile: Option<String>,
    /// Set when `profile` is `repo_profile`, taken because nothing else chose credentials.
    pub from_repo: bool,
}
