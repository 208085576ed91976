//! The SSM Parameter Store implementation: the only module that knows the AWS SDK.

mod eager;
pub mod mfa;
mod put;
pub(super) mod session;
mod tls;

use std::error::Error as StdError;
use std::time::Duration;

use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region};
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::{
    CredentialProblem, Existing, Identity, NewParameter, Parameter, SecretStore, SecretValue,
    SignIn, StoreError,
};

/// The island.is default region, used when neither flag, environment nor profile names one.
pub const DEFAULT_REGION: &str = "eu-west-1";

/// How to reach AWS, from flags; everything unset falls back to the AWS environment and
/// config files as the AWS CLI reads them.
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
    /// Region when neither flag, environment nor profile names one.
    pub default_region: String,
    /// `--ca-bundle` / AWS_CA_BUNDLE: CA certificates trusted besides the built-in roots.
    pub ca_bundle: Option<std::path::PathBuf>,
}

/// SSM and STS clients built once from one configuration; cheap to clone.
#[derive(Clone)]
pub struct SsmStore {
    ssm: aws_sdk_ssm::Client,
    sts: aws_sdk_sts::Client,
    credentials: Option<eager::EagerCredentials>,
    settings: AwsSettings,
    region: String,
}

impl SsmStore {
    /// Builds the clients. No request is made (credentials load on first use, once), except
    /// for a role that requires MFA: its code is asked for (through `ask`) and AssumeRole
    /// called here, unless the AWS CLI's cache still holds valid credentials for it.
    pub async fn connect(settings: AwsSettings, ask: &mfa::AskCode) -> Result<Self, StoreError> {
        let region = resolve_region(&settings).await;
        let http = tls::http_client(settings.ca_bundle.as_deref())?;
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .http_client(http.clone())
            .region(region.clone())
            .retry_config(RetryConfig::standard().with_max_attempts(settings.max_attempts.max(1)))
            .timeout_config(
                TimeoutConfig::builder()
                    .connect_timeout(Duration::from_secs(5).min(settings.timeout))
                    .operation_timeout(settings.timeout)
                    .build(),
            );
        if let Some(profile) = &settings.profile {
            loader = loader
                .profile_name(profile)
                .credentials_provider(profile_credentials(profile, &region, &http));
        }
        if let Some(url) = &settings.endpoint_url {
            loader = loader.endpoint_url(url);
        }
        if let Some(role) = mfa::mfa_role(&settings).await {
            let creds = mfa::credentials(&role, &settings, &region, ask, http).await?;
            loader = loader.credentials_provider(creds);
        }
        let config = loader.load().await;
        let credentials = config
            .credentials_provider()
            .map(eager::EagerCredentials::new);
        let mut ssm = aws_sdk_ssm::config::Builder::from(&config)
            .retry_classifier(tls::CertificateErrorsAreFinal);
        let mut sts = aws_sdk_sts::config::Builder::from(&config)
            .retry_classifier(tls::CertificateErrorsAreFinal);
        if let Some(c) = &credentials {
            ssm = ssm.credentials_provider(c.clone());
            sts = sts.credentials_provider(c.clone());
        }
        Ok(Self {
            ssm: aws_sdk_ssm::Client::from_conf(ssm.build()),
            sts: aws_sdk_sts::Client::from_conf(sts.build()),
            credentials,
            region: region.to_string(),
            settings,
        })
    }

    /// Turns an SDK error into one the user can act on. Never includes response bodies,
    /// which could hold values.
    async fn classify<E, R>(
        &self,
        err: SdkError<E, R>,
        action: &'static str,
        path: &str,
    ) -> StoreError
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
        R: std::fmt::Debug + 'static,
    {
        if let Some(cred) = find_source::<CredentialsError>(&err) {
            let detail = chain(cred);
            let problem = if detail.to_lowercase().contains("expired") {
                CredentialProblem::Expired
            } else {
                CredentialProblem::Missing
            };
            let sign_in = self.sign_in().await;
            // With nothing configured, the chain's list of every provider it tried is noise.
            let detail = if sign_in == SignIn::Nothing {
                String::new()
            } else {
                detail
            };
            return StoreError::Credentials {
                problem,
                sign_in,
                detail,
            };
        }
        let path = path.to_string();
        match &err {
            SdkError::ServiceError(ctx) => {
                let code = ctx.err().code().unwrap_or("Unknown").to_string();
                let message = ctx.err().message().unwrap_or_default().to_string();
                match code.as_str() {
                    "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => {
                        StoreError::Credentials {
                            problem: CredentialProblem::Expired,
                            sign_in: self.sign_in().await,
                            detail: message,
                        }
                    }
                    "UnrecognizedClientException"
                    | "InvalidClientTokenId"
                    | "InvalidSignatureException"
                    | "SignatureDoesNotMatch"
                    | "IncompleteSignature" => StoreError::Credentials {
                        problem: CredentialProblem::Rejected,
                        sign_in: self.sign_in().await,
                        detail: message,
                    },
                    "AccessDeniedException" | "AccessDenied" => StoreError::AccessDenied {
                        action,
                        path,
                        identity: self.caller_arn().await,
                    },
                    "ParameterAlreadyExists" => StoreError::AlreadyExists { name: path },
                    "ThrottlingException" | "Throttling" | "TooManyUpdates" => {
                        StoreError::Throttled {
                            action,
                            path,
                            attempts: self.settings.max_attempts,
                        }
                    }
                    _ => StoreError::Service {
                        action,
                        path,
                        code,
                        message,
                    },
                }
            }
            SdkError::TimeoutError(_) => StoreError::Timeout { action, path },
            SdkError::DispatchFailure(d) if d.is_timeout() => StoreError::Timeout { action, path },
            SdkError::DispatchFailure(d)
                if d.as_connector_error()
                    .is_some_and(|c| tls::is_certificate_error(c)) =>
            {
                StoreError::Certificate {
                    endpoint: self.endpoint(),
                    detail: d.as_connector_error().map(|c| chain(c)).unwrap_or_default(),
                }
            }
            SdkError::DispatchFailure(d) => StoreError::Network {
                endpoint: self.endpoint(),
                detail: d
                    .as_connector_error()
                    .map_or_else(|| "the request could not be sent".to_string(), |c| chain(c)),
            },
            SdkError::ResponseError(_) => StoreError::Network {
                endpoint: self.endpoint(),
                detail: "the response was cut off or malformed".to_string(),
            },
            _ => StoreError::Service {
                action,
                path,
                code: "RequestNotSent".to_string(),
                message: chain(&err),
            },
        }
    }

    fn endpoint(&self) -> String {
        match &self.settings.endpoint_url {
            Some(url) => url.clone(),
            None => format!("region {}", self.region),
        }
    }

    /// Who we are, for an access-denied message; never fails.
    async fn caller_arn(&self) -> String {
        match self.sts.get_caller_identity().send().await {
            Ok(out) => out.arn.unwrap_or_else(|| "an unknown identity".to_string()),
            Err(_) => "the current identity (STS GetCallerIdentity failed)".to_string(),
        }
    }

    /// How the user signs in, read from the environment and profile files as aws-config does.
    async fn sign_in(&self) -> SignIn {
        let view = self.profile_view().await;
        if view.env_keys {
            return SignIn::Environment;
        }
        match &view.profile {
            Some(p) if p.has("sso_start_url") || p.has("sso_session") => SignIn::Sso(view.name),
            Some(_) => SignIn::Profile(view.name),
            None if view.chosen => SignIn::Profile(view.name),
            None => SignIn::Nothing,
        }
    }
}

/// GetParameters calls in flight at once: enough to hide round trips, few enough not to
/// trip SSM's per-account throttling on a laptop's burst.
const GET_CONCURRENCY: usize = 8;

impl SsmStore {
    async fn get_batch(&self, names: &[String]) -> Result<Vec<Parameter>, StoreError> {
        let out = self
            .ssm
            .get_parameters()
            .set_names(Some(names.to_vec()))
            .with_decryption(true)
            .send()
            .await;
        let out = match out {
            Ok(out) => out,
            Err(err) => {
                let first = names.first().map_or("", String::as_str);
                return Err(self.classify(err, "GetParameters", first).await);
            }
        };
        Ok(out
            .parameters
            .unwrap_or_default()
            .into_iter()
            .filter_map(|p| {
                Some(Parameter {
                    name: p.name?,
                    value: SecretValue::new(p.value?),
                })
            })
            .collect())
    }
}

impl SecretStore for SsmStore {
    async fn warm_up(&self) {
        if let Some(c) = &self.credentials {
            let _ = c.warm().await;
        }
    }

    async fn list_under(&self, prefix: &str) -> Result<Vec<Parameter>, StoreError> {
        let mut pages = self
            .ssm
            .get_parameters_by_path()
            .path(prefix)
            .recursive(true)
            .with_decryption(true)
            .max_results(10)
            .into_paginator()
            .send();
        let mut out = Vec::new();
        while let Some(page) = pages.next().await {
            let page = match page {
                Ok(page) => page,
                Err(err) => return Err(self.classify(err, "GetParametersByPath", prefix).await),
            };
            for p in page.parameters.unwrap_or_default() {
                if let (Some(name), Some(value)) = (p.name, p.value) {
                    out.push(Parameter {
                        name,
                        value: SecretValue::new(value),
                    });
                }
            }
        }
        Ok(out)
    }

    async fn get_many(&self, names: &[String]) -> Result<Vec<Parameter>, StoreError> {
        use futures_util::stream::{self, StreamExt, TryStreamExt};

        // Futures built up front: a closure inside the stream trips the `Send` check.
        let calls: Vec<_> = names
            .chunks(10)
            .map(|chunk| self.get_batch(chunk))
            .collect();
        let batches: Vec<Vec<Parameter>> = stream::iter(calls)
            .buffered(GET_CONCURRENCY)
            .try_collect()
            .await?;
        Ok(batches.into_iter().flatten().collect())
    }

    async fn identity(&self) -> Result<Identity, StoreError> {
        match self.sts.get_caller_identity().send().await {
            Ok(out) => Ok(Identity {
                account: out.account.unwrap_or_default(),
                arn: out.arn.unwrap_or_default(),
            }),
            Err(err) => Err(self.classify(err, "GetCallerIdentity", "-").await),
        }
    }

    async fn describe(&self, name: &str) -> Result<Option<Existing>, StoreError> {
        // DescribeParameters returns metadata only, so no value is ever fetched to check.
        let filter = aws_sdk_ssm::types::ParameterStringFilter::builder()
            .key("Name")
            .option("Equals")
            .values(name)
            .build()
            .map_err(|e| StoreError::Service {
                action: "DescribeParameters",
                path: name.to_string(),
                code: "InvalidRequest".to_string(),
                message: e.to_string(),
            })?;
        let out = match self
            .ssm
            .describe_parameters()
            .parameter_filters(filter)
            .send()
            .await
        {
            Ok(out) => out,
            Err(err) => return Err(self.classify(err, "DescribeParameters", name).await),
        };
        Ok(out
            .parameters
            .unwrap_or_default()
            .into_iter()
            .find(|p| p.name.as_deref() == Some(name))
            .map(|p| Existing {
                version: p.version,
                last_modified: p
                    .last_modified_date
                    .and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
            }))
    }

    async fn put(&self, param: &NewParameter) -> Result<i64, StoreError> {
        self.put_once_only(param).await
    }
}

/// Removes a value from an error's text, in case a service error ever echoes the request.
pub(super) fn scrub(err: StoreError, value: &str) -> StoreError {
    if value.is_empty() {
        return err;
    }
    let clean = |s: String| s.replace(value, "<value>");
    match err {
        StoreError::Service {
            action,
            path,
            code,
            message,
        } => StoreError::Service {
            action,
            path,
            code,
            message: clean(message),
        },
        StoreError::Credentials {
            problem,
            sign_in,
            detail,
        } => StoreError::Credentials {
            problem,
            sign_in,
            detail: clean(detail),
        },
        StoreError::Network { endpoint, detail } => StoreError::Network {
            endpoint,
            detail: clean(detail),
        },
        other => other,
    }
}

/// The credentials of a named profile, loaded as the AWS CLI would, over our HTTP client (SSO
/// and STS calls included).
pub(super) fn profile_credentials(
    profile: &str,
    region: &Region,
    http: &SharedHttpClient,
) -> ProfileFileCredentialsProvider {
    let config = ProviderConfig::without_region()
        .with_region(Some(region.clone()))
        .with_http_client(http.clone());
    ProfileFileCredentialsProvider::builder()
        .configure(&config)
        .profile_name(profile)
        .build()
}

/// Region: `--region`, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's, else the
/// repository's configured default (eu-west-1 unless .secrets.toml says otherwise). Instance metadata is not asked: on a laptop it only adds delay.
async fn resolve_region(settings: &AwsSettings) -> Region {
    if let Some(r) = &settings.region {
        return Region::new(r.clone());
    }
    let mut profile = aws_config::profile::ProfileFileRegionProvider::builder();
    if let Some(p) = &settings.profile {
        profile = profile.profile_name(p);
    }
    let chain = RegionProviderChain::first_try(
        aws_config::environment::EnvironmentVariableRegionProvider::new(),
    )
    .or_else(profile.build());
    match chain.region().await {
        Some(region) => region,
        None => Region::new(settings.default_region.clone()),
    }
}

fn find_source<'a, T: StdError + 'static>(err: &'a (dyn StdError + 'static)) -> Option<&'a T> {
    let mut cur: Option<&(dyn StdError + 'static)> = Some(err);
    while let Some(e) = cur {
        if let Some(found) = e.downcast_ref::<T>() {
            return Some(found);
        }
        cur = e.source();
    }
    None
}

/// An error and its sources as one line, `outer: inner: root`, skipping a source whose text
/// its parent already shows. Display texts only: Debug dumps could carry response bodies.
pub(super) fn chain(err: &(dyn StdError + 'static)) -> String {
    let mut parts: Vec<String> = Vec::new();
    let mut cur = Some(err);
    while let Some(e) = cur {
        let text = e.to_string();
        if !text.is_empty() && !parts.last().is_some_and(|p| p.contains(&text)) {
            parts.push(text);
        }
        cur = e.source();
    }
    parts.join(": ")
}
