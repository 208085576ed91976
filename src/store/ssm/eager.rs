//! Credentials resolved once, and early: `warm` starts the provider (an SSO, STS or
//! credential_process round trip) while the infra is still being read, and every request then
//! shares that one result, failures included (so aws-vault never prompts twice).

use std::error::Error as _;
use std::sync::Arc;
use std::time::Duration;

use aws_credential_types::Credentials;
use aws_credential_types::provider::error::CredentialsError;
use aws_credential_types::provider::{self, ProvideCredentials, SharedCredentialsProvider, future};
use tokio::sync::OnceCell;

/// Wraps the chain's provider; cheap to clone.
#[derive(Debug, Clone)]
pub(super) struct EagerCredentials {
    inner: SharedCredentialsProvider,
    first: Arc<OnceCell<Result<Credentials, Failure>>>,
}

/// A provider's failure, kept so that every caller gets an error of the same kind and text.
#[derive(Debug, Clone)]
enum Failure {
    NotLoaded(String),
    TimedOut(Duration),
    Invalid(String),
    Provider(String),
    Unhandled(String),
}

impl Failure {
    fn of(err: &CredentialsError) -> Self {
        let cause = err.source().map(super::classify::chain).unwrap_or_default();
        match err {
            CredentialsError::CredentialsNotLoaded(_) => Failure::NotLoaded(cause),
            CredentialsError::ProviderTimedOut(t) => Failure::TimedOut(t.timeout_duration()),
            CredentialsError::InvalidConfiguration(_) => Failure::Invalid(cause),
            CredentialsError::ProviderError(_) => Failure::Provider(cause),
            _ => Failure::Unhandled(cause),
        }
    }

    fn error(&self) -> CredentialsError {
        match self.clone() {
            Failure::NotLoaded(c) => CredentialsError::not_loaded(c),
            Failure::TimedOut(t) => CredentialsError::provider_timed_out(t),
            Failure::Invalid(c) => CredentialsError::invalid_configuration(c),
            Failure::Provider(c) => CredentialsError::provider_error(c),
            Failure::Unhandled(c) => CredentialsError::unhandled(c),
        }
    }
}

impl EagerCredentials {
    pub(super) fn new(inner: SharedCredentialsProvider) -> Self {
        Self {
            inner,
            first: Arc::new(OnceCell::new()),
        }
    }

    /// Resolves the credentials if nobody has yet; callers arriving meanwhile wait for it.
    pub(super) async fn warm(&self) -> provider::Result {
        let resolved = self
            .first
            .get_or_init(|| async {
                self.inner
                    .provide_credentials()
                    .await
                    .map_err(|e| Failure::of(&e))
            })
            .await;
        resolved.clone().map_err(|f| f.error())
    }
}

impl ProvideCredentials for EagerCredentials {
    fn provide_credentials<'a>(&'a self) -> future::ProvideCredentials<'a>
    where
        Self: 'a,
    {
        future::ProvideCredentials::new(self.warm())
    }
}
