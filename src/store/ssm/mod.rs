//! The SSM Parameter Store implementation: the only code that knows the AWS SDK. Its parts,
//! each depending only on those listed before it: `settings` (plain values), `context` (the
//! clients), `tls`, `profile` (the config files as aws-config reads them), `classify` (SDK
//! errors to `StoreError`s), `eager` (credentials resolved once), `mfa`, `sso` (IAM Identity
//! Center sign-in and its cache), `read`, `records` (whole records, deletes, history), `put`.

mod classify;
mod context;
mod eager;
mod mfa;
mod profile;
mod put;
mod read;
mod records;
mod settings;
pub mod sso;
mod tls;

use std::sync::Arc;
use std::time::Duration;

use aws_config::BehaviorVersion;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_credential_types::provider::ProvideCredentials;

pub use profile::with_repo_profile;
pub use settings::AwsSettings;

use super::{SecretStore, StoreError, Swept};
use crate::model::{
    Deleted, Existing, Identity, NewParameter, Parameter, Session, Stored, Version,
};
use crate::prompt::Prompter;
use context::Context;

/// SSM and STS clients built once from one configuration; cheap to clone.
#[derive(Clone)]
pub struct SsmStore {
    ctx: Context,
    credentials: Option<eager::EagerCredentials>,
}

impl SsmStore {
    /// Builds the clients. No request is made (credentials load on first use, once), except
    /// for a role that requires MFA: its code is asked for (through `prompter`, unless
    /// `--mfa-token` gave it) and AssumeRole called here, unless the AWS CLI's cache still
    /// holds valid credentials for it.
    pub async fn connect(
        settings: AwsSettings,
        prompter: &Arc<dyn Prompter>,
    ) -> Result<Self, StoreError> {
        let region = profile::resolve_region(&settings).await;
        let view = profile::load_view(&settings).await;
        view.check()?;
        let http = tls::http_client(settings.ca_bundle.as_deref())?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http.clone())
            .region(region.clone())
            .retry_config(retry(&settings))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5).min(settings.timeout))
                    .operation_timeout(settings.timeout)
                    .build(),
            );
        if let Some(profile) = &settings.profile {
            loader = loader
                .profile_name(profile)
                .credentials_provider(profile::profile_credentials(profile, &region, &http));
        }
        if let Some(url) = &settings.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(role) = mfa::mfa_role(&view) {
            let creds = mfa::credentials(&role, &settings, &region, prompter, http).await?;
            loader = loader.credentials_provider(creds);
        }
        let config = loader.load().await;
        let credentials = config
            .credentials_provider()
            .map(eager::EagerCredentials::new);
        let connects = tls::ConnectRetries::default();
        let mut ssm = aws_sdk_ssm::config::Builder::from(&config)
            .retry_classifier(tls::CertificateErrorsAreFinal)
            .retry_classifier(connects.clone());
        let mut sts = aws_sdk_sts::config::Builder::from(&config)
            .retry_classifier(tls::CertificateErrorsAreFinal)
            .retry_classifier(connects);
        if let Some(c) = &credentials {
            ssm = ssm.credentials_provider(c.clone());
            sts = sts.credentials_provider(c.clone());
        }
        let endpoint = view.endpoint(&settings, region.as_ref(), "ssm");
        let sts_endpoint = view.endpoint(&settings, region.as_ref(), "sts").url;
        Ok(Self {
            ctx: Context {
                ssm: aws_sdk_ssm::Client::from_conf(ssm.build()),
                sts: aws_sdk_sts::Client::from_conf(sts.build()),
                region: region.to_string(),
                reads: Arc::new(tokio::sync::Semaphore::new(settings.in_flight.max(1))),
                settings,
                endpoint,
                sts_endpoint,
            },
            credentials,
        })
    }
}

/// Standard retries: exponential backoff with jitter, throttling included. (Adaptive mode
/// was measured and rejected, for `audit` and again for `rm`: after a few throttled answers
/// its client-side limiter falls to about half a request a second; see BENCHMARKS.md.)
fn retry(settings: &AwsSettings) -> RetryConfig {
    RetryConfig::standard().with_max_attempts(settings.max_attempts.max(1))
}

impl SecretStore for SsmStore {
    async fn warm_up(&self) {
        if let Some(c) = &self.credentials {
            let _ = c.warm().await;
        }
    }

    async fn list_under(&self, prefix: &str) -> Result<Swept, StoreError> {
        read::sweep(&self.ctx, prefix).await
    }

    async fn get_many(&self, names: &[String]) -> Result<Vec<Parameter>, StoreError> {
        read::get_many(&self.ctx, names).await
    }

    async fn existing(
        &self,
        names: &[String],
    ) -> Result<std::collections::HashSet<String>, StoreError> {
        read::existing(&self.ctx, names).await
    }

    async fn names_under(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        read::names_under(&self.ctx, prefix).await
    }

    async fn identity(&self) -> Result<Identity, StoreError> {
        read::identity(&self.ctx).await
    }

    async fn session(&self) -> Session {
        let view = profile::load_view(&self.ctx.settings).await;
        let expires = match &self.credentials {
            Some(p) => p.provide_credentials().await.ok().and_then(|c| c.expiry()),
            None => None,
        };
        Session {
            profile: view.used_profile(),
            ignored_profile: view.ignored_profile(),
            env_keys: view.env_keys,
            from_repo: self.ctx.settings.from_repo,
            region: self.ctx.region.clone(),
            endpoint: self.ctx.endpoint.url.clone(),
            endpoint_source: self.ctx.endpoint.source.clone(),
            source: view.credential_source(),
            expires_at: expires.and_then(|t| {
                aws_smithy_types::DateTime::from(t)
                    .fmt(aws_smithy_types::date_time::Format::DateTime)
                    .ok()
            }),
            expires,
        }
    }

    async fn describe(&self, name: &str) -> Result<Option<Existing>, StoreError> {
        read::describe(&self.ctx, name).await
    }

    async fn put(&self, param: &NewParameter) -> Result<i64, StoreError> {
        put::put_once_only(&self.ctx, param).await
    }

    async fn read_full(&self, names: &[String], tags: bool) -> Result<Vec<Stored>, StoreError> {
        records::read_full(&self.ctx, names, tags).await
    }

    async fn names_beginning(&self, prefix: &str) -> Result<Vec<String>, StoreError> {
        read::names_beginning(&self.ctx, prefix).await
    }

    async fn delete(&self, names: &[String]) -> Result<Deleted, StoreError> {
        records::delete(&self.ctx, names).await
    }

    async fn history(&self, name: &str) -> Result<Option<Vec<Version>>, StoreError> {
        records::history(&self.ctx, name).await
    }
}
