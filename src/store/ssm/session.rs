//! What `whoami` shows beyond the caller identity: which profile, how its credentials are
//! obtained, and when they expire; read the way aws-config reads them.

use std::borrow::Cow;
use std::collections::HashMap;
use std::time::SystemTime;

use aws_config::profile::Profile;
use aws_credential_types::provider::ProvideCredentials;
use aws_runtime::env_config::file::EnvConfigFiles;
use aws_types::os_shim_internal::{Env, Fs};

use super::{AwsSettings, SsmStore};

/// The profile in use, as far as the config files describe it.
pub(super) struct ProfileView {
    /// Selected profile name (`default` when none was chosen).
    pub name: String,
    /// Whether a profile was chosen (`--profile` or AWS_PROFILE).
    pub chosen: bool,
    /// Keys in AWS_ACCESS_KEY_ID win (no `--profile` given).
    pub env_keys: bool,
    /// The profile's keys that decide how it signs in, if it exists.
    pub profile: Option<Keys>,
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
];

/// The session behind the store's credentials.
#[derive(Debug, Clone)]
pub struct Session {
    /// Profile in use, if any.
    pub profile: Option<String>,
    /// Region requests go to.
    pub region: String,
    /// Endpoint override, if any.
    pub endpoint: Option<String>,
    /// How the credentials are obtained, e.g. `SSO (profile islandis-dev)`.
    pub source: String,
    /// When they expire, if they do.
    pub expires: Option<SystemTime>,
    /// The same, RFC 3339.
    pub expires_at: Option<String>,
}

impl SsmStore {
    pub(super) async fn profile_view(&self) -> ProfileView {
        load_view(&self.settings).await
    }

    /// Profile, region, endpoint, credential source and expiry. Loads the credentials once
    /// more to learn their expiry; call after `identity`, which reports failures precisely.
    pub async fn session(&self) -> Session {
        let view = self.profile_view().await;
        let env = Env::real();
        let source = describe(&view, &env);
        let expires = match &self.credentials {
            Some(p) => p.provide_credentials().await.ok().and_then(|c| c.expiry()),
            None => None,
        };
        Session {
            profile: (view.chosen && !view.env_keys).then_some(view.name),
            region: self.region.clone(),
            endpoint: self.settings.endpoint_url.clone(),
            source,
            expires_at: expires.and_then(|t| {
                aws_smithy_types::DateTime::from(t)
                    .fmt(aws_smithy_types::date_time::Format::DateTime)
                    .ok()
            }),
            expires,
        }
    }
}

/// The selected profile as aws-config selects it: `--profile`, else AWS_PROFILE (keys in the
/// environment win when no `--profile` is given).
pub(super) async fn load_view(settings: &AwsSettings) -> ProfileView {
    let env = Env::real();
    let env_keys = settings.profile.is_none() && env.get("AWS_ACCESS_KEY_ID").is_ok();
    let chosen = settings
        .profile
        .clone()
        .or_else(|| env.get("AWS_PROFILE").ok());
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
    ProfileView {
        name,
        chosen: chosen.is_some(),
        env_keys,
        profile,
    }
}

fn keys(p: &Profile) -> Keys {
    Keys(
        KEYS.iter()
            .filter_map(|k| p.get(k).map(|v| (*k, v.to_string())))
            .collect(),
    )
}

fn describe(view: &ProfileView, env: &Env) -> String {
    if view.env_keys {
        return match env.get("AWS_VAULT") {
            Ok(vault) => format!("environment variables (aws-vault exec {vault})"),
            Err(_) => "environment variables".to_string(),
        };
    }
    let name = &view.name;
    match &view.profile {
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
        Some(p) if p.has("credential_process") => format!("credential_process (profile {name})"),
        Some(p) if p.has("aws_access_key_id") => format!("static keys (profile {name})"),
        _ if env.get("AWS_WEB_IDENTITY_TOKEN_FILE").is_ok() => {
            "web identity (AWS_ROLE_ARN)".to_string()
        }
        _ => "container or instance metadata".to_string(),
    }
}
