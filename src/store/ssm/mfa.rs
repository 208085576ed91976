//! Roles that require MFA (`role_arn` + `source_profile` + `mfa_serial`), which the SDK's
//! default chain cannot prompt for. The code is asked once, AssumeRole is called with it, and
//! the temporary credentials are cached exactly where and how the AWS CLI caches them
//! (`~/.aws/cli/cache/<sha1 of the AssumeRole arguments>.json`, mode 0600), so a code typed
//! in either tool serves both until the credentials expire.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use aws_config::{BehaviorVersion, Region};
use aws_credential_types::Credentials;
use aws_credential_types::provider::ProvideCredentials;
use aws_smithy_runtime_api::client::http::SharedHttpClient;
use aws_smithy_types::DateTime;
use aws_smithy_types::date_time::Format;
use aws_types::os_shim_internal::Env;
use serde_json::{Value, json};

use super::classify::chain;
use super::profile::{ProfileView, profile_credentials};
use super::settings::AwsSettings;
use crate::atomic_file;
use crate::prompt::{Asked, Prompter, ask};
use crate::store::{CredentialProblem, SignIn, StoreError};

/// The CLI refreshes cached credentials this long before they expire; so do we.
const EXPIRY_WINDOW: Duration = Duration::from_secs(900);

/// An MFA-protected role profile.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MfaRole {
    /// The profile's name.
    pub profile: String,
    /// `role_arn`.
    pub role_arn: String,
    /// `mfa_serial`.
    pub serial: String,
    /// `source_profile`.
    pub source_profile: String,
    /// `role_session_name`, if set.
    pub session_name: Option<String>,
    /// `external_id`, if set.
    pub external_id: Option<String>,
    /// `duration_seconds`, if set.
    pub duration: Option<i32>,
}

/// The selected profile, if it is an MFA-protected role this module must handle.
pub(super) fn mfa_role(view: &ProfileView) -> Option<MfaRole> {
    if view.env_keys || !view.chosen {
        return None;
    }
    let p = view.profile.as_ref()?;
    Some(MfaRole {
        role_arn: p.get("role_arn")?.to_string(),
        serial: p.get("mfa_serial")?.to_string(),
        source_profile: p.get("source_profile")?.to_string(),
        session_name: p.get("role_session_name").map(str::to_string),
        external_id: p.get("external_id").map(str::to_string),
        duration: p.get("duration_seconds").and_then(|d| d.parse().ok()),
        profile: view.name.clone(),
    })
}

/// The AWS CLI's cache key: SHA-1 of the AssumeRole arguments as Python's
/// `json.dumps(args, sort_keys=True)` writes them (a generated session name left out).
pub fn cache_key(role: &MfaRole) -> String {
    let mut fields: Vec<(&str, String)> = vec![
        ("RoleArn", py_str(&role.role_arn)),
        ("SerialNumber", py_str(&role.serial)),
    ];
    if let Some(d) = role.duration {
        fields.push(("DurationSeconds", d.to_string()));
    }
    if let Some(e) = &role.external_id {
        fields.push(("ExternalId", py_str(e)));
    }
    if let Some(n) = &role.session_name {
        fields.push(("RoleSessionName", py_str(n)));
    }
    fields.sort_by_key(|(k, _)| *k);
    let body: Vec<String> = fields
        .iter()
        .map(|(k, v)| format!("\"{k}\": {v}"))
        .collect();
    sha1_smol::Sha1::from(format!("{{{}}}", body.join(", ")))
        .digest()
        .to_string()
}

/// A JSON string as Python's `json.dumps` writes it (`ensure_ascii`).
fn py_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || (c as u32) > 0x7e => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.push_str(&format!("\\u{u:04x}"));
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

fn cache_path(role: &MfaRole) -> Option<PathBuf> {
    let home = Env::real().get("HOME").ok()?;
    Some(
        PathBuf::from(home)
            .join(".aws/cli/cache")
            .join(format!("{}.json", cache_key(role))),
    )
}

/// Credentials for the role: from the shared cache while valid, else by asking for a code.
pub(super) async fn credentials(
    role: &MfaRole,
    settings: &AwsSettings,
    region: &Region,
    prompter: &Arc<dyn Prompter>,
    http: SharedHttpClient,
) -> Result<Credentials, StoreError> {
    if let Some(creds) = cache_path(role).and_then(|p| read_cache(&p)) {
        return Ok(creds);
    }
    let rejected = |detail: String| StoreError::Credentials {
        problem: CredentialProblem::Rejected,
        sign_in: SignIn::Profile(role.profile.clone()),
        detail,
    };
    let source = profile_credentials(&role.source_profile, region, &http)
        .provide_credentials()
        .await
        .map_err(|e| StoreError::Credentials {
            problem: CredentialProblem::Missing,
            sign_in: SignIn::Profile(role.source_profile.clone()),
            detail: e.to_string(),
        })?;
    let code = match &settings.mfa_token {
        Some(code) => code.trim().to_string(),
        None => ask_code(role, prompter).await?,
    };
    let out = assume_role(role, settings, region, http, source, code)
        .await
        .map_err(rejected)?;
    let c = out
        .credentials
        .ok_or_else(|| rejected("AssumeRole returned no credentials".into()))?;
    let expires = SystemTime::try_from(c.expiration).unwrap_or_else(|_| SystemTime::now());
    if let Some(path) = cache_path(role) {
        let arn = out.assumed_role_user.map(|u| (u.assumed_role_id, u.arn));
        write_cache(
            &path,
            &c.access_key_id,
            &c.secret_access_key,
            &c.session_token,
            c.expiration,
            arn,
        );
    }
    Ok(Credentials::new(
        c.access_key_id,
        c.secret_access_key,
        Some(c.session_token),
        Some(expires),
        "mfa-assume-role",
    ))
}

/// STS AssumeRole with the code, signed with the source profile's credentials.
async fn assume_role(
    role: &MfaRole,
    settings: &AwsSettings,
    region: &Region,
    http: SharedHttpClient,
    source: Credentials,
    code: String,
) -> Result<aws_sdk_sts::operation::assume_role::AssumeRoleOutput, String> {
    let mut loader = aws_config::defaults(BehaviorVersion::latest())
        .http_client(http)
        .region(region.clone())
        .profile_name(&role.profile)
        .credentials_provider(source);
    if let Some(url) = &settings.endpoint_url {
        loader = loader.endpoint_url(url);
    }
    let sts = aws_sdk_sts::Client::new(&loader.load().await);
    let session = role.session_name.clone().unwrap_or_else(|| {
        format!(
            "secrets-{}",
            SystemTime::now()
                .duration_since(SystemTime::UNIX_EPOCH)
                .map_or(0, |d| d.as_secs())
        )
    });
    sts.assume_role()
        .role_arn(&role.role_arn)
        .role_session_name(session)
        .serial_number(&role.serial)
        .token_code(code)
        .set_external_id(role.external_id.clone())
        .set_duration_seconds(role.duration)
        .send()
        .await
        .map_err(|e| chain(&e))
}

/// Asks for the code on its own thread, so Ctrl-C is noticed meanwhile.
async fn ask_code(role: &MfaRole, prompter: &Arc<dyn Prompter>) -> Result<String, StoreError> {
    let prompt = format!("Enter MFA code for {}: ", role.serial);
    match ask(prompter, move |p| p.mfa_code(&prompt)).await {
        Ok(Asked::Answer(code)) => Ok(code.trim().to_string()),
        Ok(Asked::Interrupted) => Err(StoreError::Interrupted),
        Err(e) => Err(StoreError::Credentials {
            problem: CredentialProblem::Rejected,
            sign_in: SignIn::Profile(role.profile.clone()),
            detail: format!("no MFA code: {e}"),
        }),
    }
}

fn read_cache(path: &std::path::Path) -> Option<Credentials> {
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).ok()?).ok()?;
    let c = v.get("Credentials")?;
    let text = |k: &str| c.get(k).and_then(Value::as_str).map(str::to_string);
    let expires = parse_expiration(&text("Expiration")?)?;
    if expires < SystemTime::now() + EXPIRY_WINDOW {
        return None;
    }
    Some(Credentials::new(
        text("AccessKeyId")?,
        text("SecretAccessKey")?,
        text("SessionToken"),
        Some(expires),
        "aws-cli-cache",
    ))
}

/// `2026-11-24T10:59:59UTC` (what the CLI writes), `...Z` or `...+00:00`.
fn parse_expiration(s: &str) -> Option<SystemTime> {
    let s = s.trim();
    let normal = match s.strip_suffix("UTC").or_else(|| s.strip_suffix("+00:00")) {
        Some(base) => format!("{base}Z"),
        None => s.to_string(),
    };
    SystemTime::try_from(DateTime::from_str(&normal, Format::DateTime).ok()?).ok()
}

fn write_cache(
    path: &std::path::Path,
    key: &str,
    secret: &str,
    token: &str,
    expires: DateTime,
    user: Option<(String, String)>,
) {
    let Some(dir) = path.parent() else { return };
    // Whole seconds and a `UTC` suffix, as the CLI's cache writes `Expiration`.
    let expiration = DateTime::from_secs(expires.secs())
        .fmt(Format::DateTime)
        .map(|s| s.replace('Z', "UTC"))
        .unwrap_or_default();
    let mut doc = json!({"Credentials": {
        "AccessKeyId": key, "SecretAccessKey": secret, "SessionToken": token, "Expiration": expiration,
    }});
    if let Some((id, arn)) = user {
        doc["AssumedRoleUser"] = json!({"AssumedRoleId": id, "Arn": arn});
    }
    // Best effort, like the CLI: a cache that cannot be written only costs a prompt next time.
    let _ = std::fs::create_dir_all(dir)
        .and_then(|()| atomic_file::write_private(path, doc.to_string().as_bytes()));
}

#[cfg(test)]
mod tests {
    use super::*;

    fn role() -> MfaRole {
        MfaRole {
            profile: "dev".into(),
            role_arn: "arn:aws:iam::123456789012:role/dev".into(),
            serial: "arn:aws:iam::123456789012:mfa/ÞÓR".into(),
            source_profile: "base".into(),
            session_name: None,
            external_id: None,
            duration: Some(3600),
        }
    }

    #[test]
    fn cache_key_matches_python_json_dumps_sort_keys() {
        let script = "import hashlib,json,sys; print(hashlib.sha1(json.dumps({'RoleArn': sys.argv[1], \
                      'SerialNumber': sys.argv[2], 'DurationSeconds': 3600}, sort_keys=True).encode()).hexdigest())";
        let r = role();
        let out = std::process::Command::new("python3")
            .args(["-c", script, &r.role_arn, &r.serial])
            .output()
            .unwrap();
        assert_eq!(cache_key(&r), String::from_utf8(out.stdout).unwrap().trim());
    }

    #[test]
    fn expiration_formats_the_cli_writes_and_reads() {
        let a = parse_expiration("2030-01-02T03:04:05UTC").unwrap();
        assert_eq!(parse_expiration("2030-01-02T03:04:05Z"), Some(a));
        assert_eq!(parse_expiration("2030-01-02T03:04:05+00:00"), Some(a));
        assert_eq!(parse_expiration("soon"), None);
    }
}
