//! Signing in to IAM Identity Center as the AWS CLI v2 does, so that both share one sign-in:
//! an SSO profile's session (its `[sso-session]`, or the legacy `sso_start_url` keys), the
//! token cache under `~/.aws/sso/cache/` (file and fields exactly as the CLI writes them,
//! which the SDK's own SSO provider reads and refreshes), and the OAuth device authorization
//! flow (RegisterClient, StartDeviceAuthorization, CreateToken polled as RFC 8628 says).

use std::path::PathBuf;
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, Region};
use aws_sdk_ssooidc::error::ProvideErrorMetadata;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use aws_types::os_shim_internal::{Env, Fs};
use serde_json::{Value, json};

use super::settings::AwsSettings;
use super::tls;
use crate::atomic_file;
use crate::store::StoreError;

/// The scope an SSO session registers for when its profile names none (the CLI's default).
const DEFAULT_SCOPE: &str = "sso:account:access";

/// How one profile signs in to IAM Identity Center.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SsoTarget {
    /// The profile.
    pub profile: String,
    /// The `[sso-session NAME]` it uses; None for the legacy form (no refresh token).
    pub session: Option<String>,
    /// The portal's start URL.
    pub start_url: String,
    /// The region of IAM Identity Center.
    pub region: String,
    /// Registration scopes (`sso_registration_scopes`).
    pub scopes: Vec<String>,
}

/// What the token cache says about a target, without any request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenState {
    /// A token valid until then.
    Valid(SystemTime),
    /// Expired (or about to), but its refresh token lets the SDK renew it without a browser.
    Refreshable,
    /// Expired, and nothing can renew it but a sign-in.
    Expired,
    /// Never signed in (no cache file, or one that cannot be read).
    Missing,
}

/// What the user is asked to do during a sign-in.
#[derive(Debug, Clone)]
pub struct Authorization {
    /// The page to open.
    pub url: String,
    /// The page with the code filled in.
    pub url_with_code: Option<String>,
    /// The code to check on the page.
    pub code: String,
}

/// The SSO settings of `profile`, if it is an SSO profile (sso_session or legacy keys).
pub async fn target(profile: &str) -> Option<SsoTarget> {
    let env = Env::real();
    let set = aws_config::profile::load(
        &Fs::real(),
        &env,
        &aws_runtime::env_config::file::EnvConfigFiles::default(),
        None,
    )
    .await
    .ok()?;
    let p = set.get_profile(profile)?;
    let (session, start_url, region, scopes) = match p.get("sso_session") {
        Some(name) => {
            let s = set.sso_session(name)?;
            (
                Some(name.to_string()),
                s.get("sso_start_url")?,
                s.get("sso_region")?,
                s.get("sso_registration_scopes"),
            )
        }
        None => (None, p.get("sso_start_url")?, p.get("sso_region")?, None),
    };
    let scopes = scopes
        .map(|s| {
            s.split(',')
                .map(|x| x.trim().to_string())
                .filter(|x| !x.is_empty())
                .collect()
        })
        .unwrap_or_else(|| vec![DEFAULT_SCOPE.to_string()]);
    if start_url.trim().is_empty() || region.trim().is_empty() {
        return None;
    }
    Some(SsoTarget {
        profile: profile.to_string(),
        session,
        start_url: start_url.trim().to_string(),
        region: region.trim().to_string(),
        scopes,
    })
}

/// The SSO settings of the profile `settings` select (`--profile`, else AWS_PROFILE, unless
/// keys in the environment win), if it is an SSO profile.
pub async fn selected(settings: &AwsSettings) -> Option<SsoTarget> {
    let view = super::profile::load_view(settings).await;
    target(&view.used_profile()?).await
}

/// Whether the AWS config files define the profile `name`.
pub async fn profile_exists(name: &str) -> bool {
    aws_config::profile::load(
        &Fs::real(),
        &Env::real(),
        &aws_runtime::env_config::file::EnvConfigFiles::default(),
        None,
    )
    .await
    .is_ok_and(|set| set.get_profile(name).is_some())
}

/// `~/.aws/sso/cache/<sha1 of the session name, or of the start URL>.json`.
pub fn cache_path(target: &SsoTarget) -> Option<PathBuf> {
    let home = std::env::var_os("HOME").filter(|h| !h.is_empty())?;
    let key = target.session.as_deref().unwrap_or(&target.start_url);
    let digest = sha1_smol::Sha1::from(key).digest().to_string();
    Some(
        PathBuf::from(home)
            .join(".aws/sso/cache")
            .join(format!("{digest}.json")),
    )
}

/// The cached token's state (a token within five minutes of expiring counts as expired, as
/// the SDK refreshes then).
pub fn token_state(target: &SsoTarget) -> TokenState {
    let Some(doc) = cache_path(target)
        .and_then(|p| std::fs::read_to_string(p).ok())
        .and_then(|t| serde_json::from_str::<Value>(&t).ok())
    else {
        return TokenState::Missing;
    };
    let time = |key: &str| {
        doc.get(key)
            .and_then(Value::as_str)
            .and_then(|s| DateTime::from_str(s, Format::DateTime).ok())
            .and_then(|d| SystemTime::try_from(d).ok())
    };
    let Some(expires) = time("expiresAt") else {
        return TokenState::Missing;
    };
    let now = SystemTime::now();
    if expires > now + Duration::from_secs(300) {
        return TokenState::Valid(expires);
    }
    let refreshable = target.session.is_some()
        && doc.get("refreshToken").and_then(Value::as_str).is_some()
        && doc.get("clientSecret").and_then(Value::as_str).is_some()
        && time("registrationExpiresAt").is_some_and(|r| r > now);
    match refreshable {
        true => TokenState::Refreshable,
        false => TokenState::Expired,
    }
}

/// Signs in with the device authorization flow: registers a client (or reuses the cached
/// registration), starts the authorization, hands the URL and code to `show`, polls for the
/// token, and caches it as the AWS CLI does. Returns when the token expires.
pub async fn login(
    target: &SsoTarget,
    settings: &AwsSettings,
    show: impl FnOnce(&Authorization),
) -> Result<SystemTime, StoreError> {
    let http = tls::http_client(settings.ca_bundle.as_deref())?;
    let config = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .region(Region::new(target.region.clone()))
        .no_credentials()
        .load()
        .await;
    let client = aws_sdk_ssooidc::Client::new(&config);
    let failed = |action: &'static str| {
        let url = target.start_url.clone();
        move |e: &dyn ProvideErrorMetadata, text: String| StoreError::Service {
            action,
            path: url.clone(),
            code: e.code().unwrap_or("RequestFailed").to_string(),
            message: e.message().map(str::to_string).unwrap_or(text),
        }
    };
    let registration = match cached_registration(target) {
        Some(r) => r,
        None => {
            let out = client
                .register_client()
                .client_name("secrets")
                .client_type("public")
                .set_scopes(Some(target.scopes.clone()))
                .send()
                .await
                .map_err(|e| failed("RegisterClient")(&e, super::classify::chain(&e)))?;
            Registration {
                id: out.client_id.unwrap_or_default(),
                secret: out.client_secret.unwrap_or_default(),
                expires: DateTime::from_secs(out.client_secret_expires_at),
            }
        }
    };
    let started = client
        .start_device_authorization()
        .client_id(&registration.id)
        .client_secret(&registration.secret)
        .start_url(&target.start_url)
        .send()
        .await
        .map_err(|e| failed("StartDeviceAuthorization")(&e, super::classify::chain(&e)))?;
    show(&Authorization {
        url: started.verification_uri.clone().unwrap_or_default(),
        url_with_code: started.verification_uri_complete.clone(),
        code: started.user_code.clone().unwrap_or_default(),
    });
    let device_code = started.device_code.unwrap_or_default();
    let deadline = SystemTime::now() + Duration::from_secs(started.expires_in.max(1) as u64);
    let mut interval = Duration::from_secs(started.interval.max(1) as u64);
    loop {
        tokio::time::sleep(interval).await;
        let sent = client
            .create_token()
            .client_id(&registration.id)
            .client_secret(&registration.secret)
            .grant_type("urn:ietf:params:oauth:grant-type:device_code")
            .device_code(&device_code)
            .send()
            .await;
        match sent {
            Ok(token) => {
                let expires =
                    SystemTime::now() + Duration::from_secs(token.expires_in.max(0) as u64);
                write_cache(
                    target,
                    &registration,
                    token.access_token.as_deref().unwrap_or_default(),
                    token.refresh_token.as_deref(),
                    expires,
                )?;
                return Ok(expires);
            }
            // RFC 8628 3.5: keep polling while pending; slow down by 5 s when asked to.
            Err(e) if e.code() == Some("AuthorizationPendingException") => {}
            Err(e) if e.code() == Some("SlowDownException") => interval += Duration::from_secs(5),
            Err(e) => return Err(failed("CreateToken")(&e, super::classify::chain(&e))),
        }
        if SystemTime::now() > deadline {
            return Err(StoreError::Service {
                action: "CreateToken",
                path: target.start_url.clone(),
                code: "ExpiredTokenException".to_string(),
                message: "the sign-in was not approved in time".to_string(),
            });
        }
    }
}

/// A registered OIDC client.
struct Registration {
    id: String,
    secret: String,
    expires: DateTime,
}

/// The client registration in the session's cache file, while it is valid for another day.
fn cached_registration(target: &SsoTarget) -> Option<Registration> {
    target.session.as_ref()?;
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(cache_path(target)?).ok()?).ok()?;
    let text = |k: &str| doc.get(k).and_then(Value::as_str).map(str::to_string);
    let expires = DateTime::from_str(&text("registrationExpiresAt")?, Format::DateTime).ok()?;
    let until = SystemTime::try_from(expires).ok()?;
    (until > SystemTime::now() + Duration::from_secs(86_400)).then_some(Registration {
        id: text("clientId")?,
        secret: text("clientSecret")?,
        expires,
    })
}

/// The token file, in the AWS CLI v2's form: the session form carries the registration and
/// the refresh token (the SDK refreshes with them); the legacy form only the token.
fn write_cache(
    target: &SsoTarget,
    registration: &Registration,
    token: &str,
    refresh: Option<&str>,
    expires: SystemTime,
) -> Result<(), StoreError> {
    let stamp = |t: DateTime| {
        DateTime::from_secs(t.secs())
            .fmt(Format::DateTime)
            .unwrap_or_default()
    };
    let mut doc = json!({
        "startUrl": target.start_url,
        "region": target.region,
        "accessToken": token,
        "expiresAt": stamp(DateTime::from(expires)),
    });
    if target.session.is_some() {
        doc["clientId"] = json!(registration.id);
        doc["clientSecret"] = json!(registration.secret);
        doc["registrationExpiresAt"] = json!(stamp(registration.expires));
        if let Some(r) = refresh {
            doc["refreshToken"] = json!(r);
        }
    }
    let path = cache_path(target).ok_or_else(|| StoreError::Service {
        action: "CreateToken",
        path: target.start_url.clone(),
        code: "NoHome".to_string(),
        message: "HOME is not set, so the token cannot be cached".to_string(),
    })?;
    let written = path
        .parent()
        .map_or(Ok(()), std::fs::create_dir_all)
        .and_then(|()| atomic_file::write_private(&path, doc.to_string().as_bytes()));
    written.map_err(|e| StoreError::Service {
        action: "CreateToken",
        path: target.start_url.clone(),
        code: "CacheNotWritten".to_string(),
        message: e.to_string(),
    })
}
