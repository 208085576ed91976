//! The selected profile, read from the environment and the config files the way aws-config
//! reads them: how the user signs in (for hints and `whoami`), the region, the endpoint really
//! used, and a profile's credential provider over our HTTP client.

use std::borrow::Cow;
use std::collections::HashMap;

use aws_config::Region;
use aws_config::meta::region::RegionProviderChain;
use aws_config::profile::{Profile, ProfileFileCredentialsProvider};
use aws_config::provider_config::ProviderConfig;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_types::os_shim_internal::{Env, Fs};

use super::context::Endpoint;
use super::settings::AwsSettings;
use crate::store::SignIn;

/// The profile in use, as far as the environment and config files describe it.
pub(super) struct ProfileView {
    /// Selected profile name (`default` when none was chosen).
    pub name: String,
    /// Whether a profile was chosen (`--profile` or AWS_PROFILE).
    pub chosen: bool,
    /// Keys in AWS_ACCESS_KEY_ID win (no `--profile` given).
    pub env_keys: bool,
    /// AWS_PROFILE, if set.
    pub aws_profile: Option<String>,
    /// The profile's keys that decide how it signs in, if it exists.
    pub profile: Option<Keys>,
    /// Every profile the config files define.
    pub all: Vec<String>,
}

/// A few keys of a profile.
pub(super) struct Keys(HashMap<&'static str, String>);

impl Keys {
    pub fn has(&self, key: &str) -> bool {
        self.0.contains_key(key)
    }

    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

const KEYS: &[&str] = &[
    "sso_start_url",
    "sso_session",
    "sso_region",
    "sso_account_id",
    "sso_role_name",
    "credential_process",
    "role_arn",
    "source_profile",
    "credential_source",
    "web_identity_token_file",
    "aws_access_key_id",
    "mfa_serial",
    "role_session_name",
    "external_id",
    "duration_seconds",
    "endpoint_url",
];

impl ProfileView {
    /// Refuses, before any request, a chosen profile the config files do not define, and a
    /// legacy SSO profile with one of its keys left empty (the handbook's copy-paste block).
    pub fn check(&self) -> Result<(), crate::store::StoreError> {
        use crate::store::StoreError;
        if self.env_keys || !self.chosen {
            return Ok(());
        }
        let Some(p) = &self.profile else {
            return Err(StoreError::NoSuchProfile {
                profile: self.name.clone(),
                profiles: self.all.clone(),
            });
        };
        if p.has("sso_start_url") {
            let empty = [
                "sso_start_url",
                "sso_region",
                "sso_account_id",
                "sso_role_name",
            ]
            .into_iter()
            .find(|k| p.get(k).is_some_and(|v| v.trim().is_empty()));
            if let Some(key) = empty {
                return Err(StoreError::EmptyKey {
                    profile: self.name.clone(),
                    key,
                });
            }
        }
        Ok(())
    }

    /// A profile that is selected through AWS_PROFILE but not used, because keys in the
    /// environment win.
    pub fn ignored_profile(&self) -> Option<String> {
        self.aws_profile.clone().filter(|_| self.env_keys)
    }

    /// The profile really in use, if one is.
    pub fn used_profile(&self) -> Option<String> {
        (self.chosen && !self.env_keys).then(|| self.name.clone())
    }

    /// How the user signs in, so a hint can name the fix.
    pub fn sign_in(&self) -> SignIn {
        if self.env_keys {
            return SignIn::Environment {
                ignored_profile: self.ignored_profile(),
            };
        }
        match &self.profile {
            Some(p) if p.has("sso_start_url") || p.has("sso_session") => {
                SignIn::Sso(self.name.clone())
            }
            Some(_) => SignIn::Profile(self.name.clone()),
            None if self.chosen => SignIn::Profile(self.name.clone()),
            None => SignIn::Nothing {
                profiles: self.all.clone(),
            },
        }
    }

    /// How the credentials are obtained, e.g. `SSO (profile islandis-dev)`.
    pub fn credential_source(&self) -> String {
        let env = Env::real();
        if self.env_keys {
            return match env.get("AWS_VAULT") {
                Ok(vault) => format!("environment variables (aws-vault exec {vault})"),
                Err(_) => "environment variables".to_string(),
            };
        }
        let name = &self.name;
        match &self.profile {
            Some(p) if p.has("role_arn") && p.has("web_identity_token_file") => {
                format!("web identity (profile {name})")
            }
            Some(p) if p.has("role_arn") => {
                let from = p
                    .get("source_profile")
                    .or(p.get("credential_source"))
                    .unwrap_or("?");
                let mfa = if p.has("mfa_serial") {
                    ", with MFA"
                } else {
                    ""
                };
                format!(
                    "assume-role {} from {from}{mfa} (profile {name})",
                    p.get("role_arn").unwrap_or("?")
                )
            }
            Some(p) if p.has("sso_start_url") || p.has("sso_session") => {
                format!("SSO (profile {name})")
            }
            Some(p) if p.has("credential_process") => {
                format!("credential_process (profile {name})")
            }
            Some(p) if p.has("aws_access_key_id") => format!("static keys (profile {name})"),
            _ if env.get("AWS_WEB_IDENTITY_TOKEN_FILE").is_ok() => {
                "web identity (AWS_ROLE_ARN)".to_string()
            }
            _ => "container or instance metadata".to_string(),
        }
    }

    /// The endpoint requests to `service` (`ssm`, `sts`) go to, by the SDK's precedence:
    /// `--endpoint-url`, then AWS_ENDPOINT_URL_<SERVICE>, AWS_ENDPOINT_URL, the profile's
    /// `endpoint_url` (the last three unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true),
    /// then AWS's own.
    pub fn endpoint(&self, settings: &AwsSettings, region: &str, service: &str) -> Endpoint {
        let found = |url: &str, source: &str| Endpoint {
            url: url.to_string(),
            source: source.to_string(),
        };
        if let Some(url) = &settings.endpoint_url {
            return found(url, "--endpoint-url");
        }
        let env = Env::real();
        let ignore = env
            .get("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")
            .is_ok_and(|v| v.eq_ignore_ascii_case("true"));
        if !ignore {
            let own = format!("AWS_ENDPOINT_URL_{}", service.to_ascii_uppercase());
            for var in [own.as_str(), "AWS_ENDPOINT_URL"] {
                if let Ok(url) = env.get(var).map(|u| u.trim().to_string())
                    && !url.is_empty()
                {
                    return found(&url, var);
                }
            }
            if let Some(url) = self.profile.as_ref().and_then(|p| p.get("endpoint_url")) {
                return found(url, &format!("profile {}", self.name));
            }
        }
        found(
            &format!("https://{service}.{region}.amazonaws.com"),
            "AWS default",
        )
    }
}

/// Variables with which the environment chooses credentials itself: keys (as aws-vault exec
/// sets them), a profile, CI web identity, a container's credentials endpoint.
const CHOOSING_VARS: &[&str] = &[
    "AWS_ACCESS_KEY_ID",
    "AWS_PROFILE",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
];

/// The settings with `.secrets.toml`'s profile taken as `--profile` would be, when nothing
/// else chooses credentials: no `--profile`, none of [`CHOOSING_VARS`], and no `default`
/// profile that signs in (one holding only a region does not); and only when the config files
/// define that profile (so a CI machine with instance credentials and no config is unchanged).
/// This is what makes `secrets setup`, `secrets login`, `secrets get api` work as written.
pub async fn with_repo_profile(mut settings: AwsSettings) -> AwsSettings {
    let Some(wanted) = settings.repo_profile.clone() else {
        return settings;
    };
    let env = Env::real();
    let chosen = CHOOSING_VARS
        .iter()
        .any(|v| env.get(v).is_ok_and(|x| !x.is_empty()));
    if settings.profile.is_some() || chosen {
        return settings;
    }
    let Ok(set) = aws_config::profile::load(
        &Fs::real(),
        &env,
        &EnvConfigFiles::default(),
        Some(Cow::Owned(wanted.clone())),
    )
    .await
    else {
        return settings;
    };
    let default_signs_in = set.get_profile("default").is_some_and(|p| {
        let default = keys(p);
        SIGN_IN_KEYS.iter().any(|k| default.has(k))
    });
    if set.get_profile(&wanted).is_some() && !default_signs_in {
        settings.profile = Some(wanted);
        settings.from_repo = true;
    }
    settings
}

/// The keys with which a profile signs in (a profile without any only sets a region or such).
const SIGN_IN_KEYS: &[&str] = &[
    "sso_start_url",
    "sso_session",
    "credential_process",
    "role_arn",
    "web_identity_token_file",
    "aws_access_key_id",
];

/// The selected profile as aws-config selects it: `--profile`, else AWS_PROFILE (keys in the
/// environment win when no `--profile` is given).
pub(super) async fn load_view(settings: &AwsSettings) -> ProfileView {
    let env = Env::real();
    let env_keys = settings.profile.is_none() && env.get("AWS_ACCESS_KEY_ID").is_ok();
    let aws_profile = env.get("AWS_PROFILE").ok().filter(|p| !p.is_empty());
    let chosen = settings.profile.clone().or_else(|| aws_profile.clone());
    let name = chosen.clone().unwrap_or_else(|| "default".to_string());
    let set = aws_config::profile::load(
        &Fs::real(),
        &env,
        &EnvConfigFiles::default(),
        Some(Cow::Owned(name.clone())),
    )
    .await
    .ok();
    let profile = set.as_ref().and_then(|s| s.get_profile(&name)).map(keys);
    let mut all: Vec<String> = set
        .as_ref()
        .map(|s| s.profiles().map(str::to_string).collect())
        .unwrap_or_default();
    all.sort();
    ProfileView {
        name,
        chosen: chosen.is_some(),
        env_keys,
        aws_profile,
        profile,
        all,
    }
}

fn keys(p: &Profile) -> Keys {
    Keys(
        KEYS.iter()
            .filter_map(|k| p.get(k).map(|v| (*k, v.to_string())))
            .collect(),
    )
}

/// Region: `--region`, else AWS_REGION / AWS_DEFAULT_REGION, else the profile's, else the
/// repository's configured default. Instance metadata is not asked: on a laptop it only adds
/// delay.
pub(super) async fn resolve_region(settings: &AwsSettings) -> Region {
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
