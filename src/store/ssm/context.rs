//! What every request of one store needs: the clients, the settings they were built from,
//! and where they really send requests.

use super::settings::AwsSettings;

/// The clients of one account and the facts errors are reported with.
#[derive(Clone)]
pub(super) struct Context {
    /// SSM.
    pub ssm: aws_sdk_ssm::Client,
    /// STS, for the caller's identity.
    pub sts: aws_sdk_sts::Client,
    /// The settings the clients were built from.
    pub settings: AwsSettings,
    /// The region requests go to.
    pub region: String,
    /// The SSM endpoint requests go to, and what chose it.
    pub endpoint: Endpoint,
    /// The STS endpoint identity requests go to.
    pub sts_endpoint: String,
    /// Permits for GetParameters requests in flight, shared by the whole run (declared
    /// batches and the sweep's), as many as `--in-flight`.
    pub reads: std::sync::Arc<tokio::sync::Semaphore>,
}

/// An endpoint and what chose it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(super) struct Endpoint {
    /// The URL.
    pub url: String,
    /// `--endpoint-url`, `AWS_ENDPOINT_URL_SSM`, `AWS_ENDPOINT_URL`, `profile NAME` or
    /// `AWS default`.
    pub source: String,
}
