//! The domain's plain types, shared by the store, validation, the reader and the commands:
//! none of them depends on another for these.

use std::fmt;
use std::time::SystemTime;

use serde::Deserialize;

/// A secret's value. Its `Debug` is redacted and it has no `Display`, so it cannot slip into
/// a message by accident; `expose` is the one way to the bytes.
#[derive(Clone, PartialEq, Eq)]
pub struct SecretValue(String);

impl SecretValue {
    /// Wraps a value.
    pub fn new(value: String) -> Self {
        Self(value)
    }

    /// The value itself, for the env file, a child's environment or the store only.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for SecretValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretValue(<redacted>)")
    }
}

impl std::str::FromStr for SecretValue {
    type Err = std::convert::Infallible;

    /// For `--value`: the value is kept redacted from the moment it is parsed.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(Self(s.to_string()))
    }
}

/// A deployment environment, whose `.features` (and, later, account) count. Parsed once,
/// from `--env` or `env` in `.secrets.toml`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Env {
    /// `type: 'dev'`.
    #[default]
    Dev,
    /// `type: 'staging'`.
    Staging,
    /// `type: 'prod'`.
    Prod,
}

impl Env {
    /// The name the infra code uses for it.
    pub fn name(self) -> &'static str {
        match self {
            Env::Dev => "dev",
            Env::Staging => "staging",
            Env::Prod => "prod",
        }
    }
}

/// A parameter's storage tier, which bounds its size.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tier {
    /// Up to 4 KB.
    Standard,
    /// Up to 8 KB (costs money).
    Advanced,
}

impl Tier {
    /// SSM's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Tier::Standard => "Standard",
            Tier::Advanced => "Advanced",
        }
    }

    /// Largest value in bytes.
    pub fn max_bytes(self) -> usize {
        match self {
            Tier::Standard => 4096,
            Tier::Advanced => 8192,
        }
    }
}

/// A parameter's type, as SSM names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Plain text.
    String,
    /// Comma-separated plain text.
    StringList,
    /// Encrypted with a KMS key.
    SecureString,
}

impl Kind {
    /// SSM's name for it.
    pub fn name(self) -> &'static str {
        match self {
            Kind::String => "String",
            Kind::StringList => "StringList",
            Kind::SecureString => "SecureString",
        }
    }
}

/// One resource tag.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    /// Tag key, 1–128 characters.
    pub key: String,
    /// Tag value, 0–256 characters.
    pub value: String,
}

/// One stored parameter.
#[derive(Debug, Clone)]
pub struct Parameter {
    /// Full name, e.g. `/k8s/api/API_KEY`.
    pub name: String,
    /// The decrypted value.
    pub value: SecretValue,
}

/// Who the credentials belong to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// 12-digit account ID.
    pub account: String,
    /// Caller ARN.
    pub arn: String,
}

/// What is known about an existing parameter; never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Existing {
    /// Current version.
    pub version: i64,
    /// Last modification, RFC 3339, if the store said.
    pub last_modified: Option<String>,
}

/// A parameter to create.
#[derive(Debug, Clone)]
pub struct NewParameter {
    /// Full name.
    pub name: String,
    /// The value.
    pub value: SecretValue,
    /// Its type.
    pub kind: Kind,
    /// Optional description.
    pub description: Option<String>,
    /// KMS key for a SecureString; None is the account's default key.
    pub key_id: Option<String>,
    /// Storage tier.
    pub tier: Tier,
    /// Tags to apply.
    pub tags: Vec<Tag>,
    /// Replace an existing parameter.
    pub overwrite: bool,
}

/// A stored parameter with everything a copy carries over.
#[derive(Debug, Clone)]
pub struct Stored {
    /// Full name.
    pub name: String,
    /// The decrypted value.
    pub value: SecretValue,
    /// Its type.
    pub kind: Kind,
    /// Its description.
    pub description: Option<String>,
    /// Its tier.
    pub tier: Tier,
    /// The KMS key of a SecureString as SSM reports it (`alias/aws/ssm` is the default key).
    pub key_id: Option<String>,
    /// Its tags.
    pub tags: Vec<Tag>,
    /// Current version.
    pub version: i64,
}

/// One version of a parameter, as `history` shows it: never its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Version {
    /// Version number.
    pub version: i64,
    /// When it was written, RFC 3339.
    pub modified: Option<String>,
    /// Who wrote it: the ARN SSM records.
    pub user: Option<String>,
    /// Its labels.
    pub labels: Vec<String>,
    /// Its description.
    pub description: Option<String>,
    /// Its type.
    pub kind: Kind,
    /// Its tier.
    pub tier: Tier,
    /// Its KMS key, for a SecureString.
    pub key_id: Option<String>,
}

/// What one DeleteParameters call did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Deleted {
    /// Names deleted.
    pub deleted: Vec<String>,
    /// Names that did not exist (already deleted, or never there).
    pub absent: Vec<String>,
}

/// How the store is reached and signed in to, as `whoami` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    /// Profile in use, if any.
    pub profile: Option<String>,
    /// A profile that is selected (AWS_PROFILE) but not used, because keys in the
    /// environment win.
    pub ignored_profile: Option<String>,
    /// Keys in the environment (AWS_ACCESS_KEY_ID) are what signs the requests.
    pub env_keys: bool,
    /// The profile is the one `.secrets.toml` names, taken because nothing else chose one.
    pub from_repo: bool,
    /// Region requests go to.
    pub region: String,
    /// The endpoint requests really go to.
    pub endpoint: String,
    /// What chose that endpoint: `--endpoint-url`, `AWS_ENDPOINT_URL_SSM`, ..., or `AWS default`.
    pub endpoint_source: String,
    /// How the credentials are obtained, e.g. `SSO (profile islandis-dev)`.
    pub source: String,
    /// When they expire, if they do.
    pub expires: Option<SystemTime>,
    /// The same, RFC 3339.
    pub expires_at: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_redacted_in_debug_output() {
        let p = Parameter {
            name: "/k8s/a/B".into(),
            value: SecretValue::new("hunter2".into()),
        };
        assert!(!format!("{p:?}").contains("hunter2"));
    }

    #[test]
    fn a_value_from_the_command_line_is_redacted_in_debug_output() {
        use clap::Parser;
        let cli =
            crate::cli::Cli::try_parse_from(["secrets", "create", "--value", "hunter2-secret"])
                .unwrap();
        assert!(!format!("{cli:?}").contains("hunter2-secret"));
    }

    #[test]
    fn env_is_parsed_once_from_its_lowercase_name() {
        #[derive(Deserialize)]
        struct T {
            env: Env,
        }
        let t: T = toml::from_str("env = \"staging\"").unwrap();
        assert_eq!(t.env, Env::Staging);
        assert!(toml::from_str::<T>("env = \"qa\"").is_err());
    }
}
