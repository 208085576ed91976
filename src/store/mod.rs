//! Where secrets live: the `SecretStore` trait the commands use, the facts its failures
//! carry (hints are rendered in `error/`), and its implementations.

#[cfg(test)]
pub mod memory;
pub mod ssm;

use std::future::Future;

use crate::model::{
    Deleted, Existing, Identity, NewParameter, Parameter, Session, Stored, Version,
};

/// Reads and writes secrets. Implemented by SSM; commands take it as a parameter.
/// What a sweep found, and how.
#[derive(Debug, Default)]
pub struct Swept {
    /// The parameters, decrypted.
    pub params: Vec<Parameter>,
    /// DescribeParameters was denied, so the slower GetParametersByPath swept instead.
    pub fell_back: bool,
}

pub trait SecretStore: Sync {
    /// Starts what every request will need (resolving credentials: an SSO, STS or
    /// credential_process round trip) so that it overlaps other work; never fails, since the
    /// requests report any problem themselves.
    fn warm_up(&self) -> impl Future<Output = ()> + Send;

    /// Every parameter under `prefix` (recursively, decrypted, all pages), in store order.
    fn list_under(&self, prefix: &str) -> impl Future<Output = Result<Swept, StoreError>> + Send;

    /// The named parameters (decrypted), fetched 10 names per GetParameters call with
    /// bounded parallelism; names that do not exist are simply absent from the result.
    fn get_many(
        &self,
        names: &[String],
    ) -> impl Future<Output = Result<Vec<Parameter>, StoreError>> + Send;

    /// Which of `names` exist, from their metadata only (DescribeParameters): no value is
    /// ever fetched, decrypted or held.
    fn existing(
        &self,
        names: &[String],
    ) -> impl Future<Output = Result<std::collections::HashSet<String>, StoreError>> + Send;

    /// The names of every parameter under `prefix`, recursively, from metadata only.
    fn names_under(
        &self,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// The identity behind the credentials (STS GetCallerIdentity).
    fn identity(&self) -> impl Future<Output = Result<Identity, StoreError>> + Send;

    /// How the store is reached and signed in to: profile, region, endpoint, credential
    /// source and expiry. Call after `identity`, which reports failures precisely.
    fn session(&self) -> impl Future<Output = Session> + Send;

    /// Metadata of `name` if it exists.
    fn describe(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<Existing>, StoreError>> + Send;

    /// Creates (or, with `overwrite`, replaces) a parameter and applies its tags; returns the
    /// new version.
    fn put(&self, param: &NewParameter) -> impl Future<Output = Result<i64, StoreError>> + Send;

    /// The named parameters whole: value (decrypted), type, description, tier, KMS key,
    /// version, and with `tags` their tags (one more request each; without, none are read).
    /// Names that do not exist are absent from the result.
    fn read_full(
        &self,
        names: &[String],
        tags: bool,
    ) -> impl Future<Output = Result<Vec<Stored>, StoreError>> + Send;

    /// The names of every parameter whose name begins with `prefix` (metadata only).
    fn names_beginning(
        &self,
        prefix: &str,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;

    /// Deletes the named parameters in one request; at most `DELETE_BATCH` names.
    fn delete(&self, names: &[String]) -> impl Future<Output = Result<Deleted, StoreError>> + Send;

    /// Every version of `name`, oldest first, without values; None if it does not exist.
    fn history(
        &self,
        name: &str,
    ) -> impl Future<Output = Result<Option<Vec<Version>>, StoreError>> + Send;
}

/// Names one DeleteParameters request takes at most.
pub const DELETE_BATCH: usize = 10;

/// Why a credential could not be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialProblem {
    /// No credentials could be found or loaded.
    Missing,
    /// The session or token has expired.
    Expired,
    /// AWS rejected them (unknown key, bad signature).
    Rejected,
}

/// How the user signs in, so a hint can name the exact fix.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignIn {
    /// An SSO profile: `secrets login --profile NAME`.
    Sso(String),
    /// Another named profile (static keys, credential_process, assume-role).
    Profile(String),
    /// Keys in AWS_ACCESS_KEY_ID and friends, as `aws-vault exec` sets them.
    Environment {
        /// AWS_PROFILE, when it is set too and so ignored.
        ignored_profile: Option<String>,
    },
    /// Nothing selected.
    Nothing {
        /// The profiles the config files define, to choose from.
        profiles: Vec<String>,
    },
}

/// A failure talking to the store, already classified for the user.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Credentials missing, expired or rejected.
    #[error("{}", credential_message(*.problem, .sign_in))]
    Credentials {
        /// What is wrong with them.
        problem: CredentialProblem,
        /// How the user signs in.
        sign_in: SignIn,
        /// The SDK's own explanation, without any secret.
        detail: String,
    },
    /// The identity may not perform `action` on `path`.
    #[error("access denied: {identity} may not call {action} on {path}")]
    AccessDenied {
        /// SSM action, e.g. `GetParametersByPath`.
        action: &'static str,
        /// Parameter path or prefix.
        path: String,
        /// Caller ARN, or a note that it is unknown.
        identity: String,
    },
    /// SSM kept throttling after every retry.
    #[error("SSM kept throttling {action} on {path} after {attempts} attempts")]
    Throttled {
        /// SSM action.
        action: &'static str,
        /// Parameter path or prefix.
        path: String,
        /// Attempts made.
        attempts: u32,
    },
    /// No answer in time.
    #[error("{action} on {path} timed out")]
    Timeout {
        /// SSM action.
        action: &'static str,
        /// Parameter path or prefix.
        path: String,
    },
    /// No connection could be made: refused, no such host, a TLS handshake that failed.
    #[error("cannot connect to {endpoint} ({reason})")]
    Connect {
        /// The endpoint's URL.
        endpoint: String,
        /// Why, as the system said it.
        reason: String,
    },
    /// The connection broke, or the answer was cut off or malformed.
    #[error("the connection to {endpoint} failed ({detail})")]
    Network {
        /// Endpoint or region.
        endpoint: String,
        /// What broke.
        detail: String,
    },
    /// PutParameter found the name taken (created by someone else since we looked).
    #[error("{name} already exists")]
    AlreadyExists {
        /// Full name.
        name: String,
    },
    /// TLS refused the server's certificate (it does not chain to a trusted authority).
    #[error("cannot connect to {endpoint}: its TLS certificate was refused ({detail})")]
    Certificate {
        /// Endpoint or region.
        endpoint: String,
        /// What TLS said.
        detail: String,
    },
    /// The CA bundle given for TLS cannot be used.
    #[error("cannot use the CA bundle {}: {reason}", .path.display())]
    CaBundle {
        /// The file named by --ca-bundle or AWS_CA_BUNDLE.
        path: std::path::PathBuf,
        /// What is wrong with it.
        reason: String,
    },
    /// The chosen profile is defined in neither AWS config file.
    #[error("there is no profile {profile} in ~/.aws/config or ~/.aws/credentials")]
    NoSuchProfile {
        /// The profile named.
        profile: String,
        /// The profiles that exist.
        profiles: Vec<String>,
    },
    /// An SSO profile with a key left empty.
    #[error("profile {profile} has an empty {key}")]
    EmptyKey {
        /// The profile.
        profile: String,
        /// The empty key.
        key: &'static str,
    },
    /// Ctrl-C while the store asked for something (an MFA code).
    #[error("interrupted: nothing was written")]
    Interrupted,
    /// Any other error SSM answered with.
    #[error("{action} on {path} failed: {code}: {message}")]
    Service {
        /// SSM action.
        action: &'static str,
        /// Parameter path or prefix.
        path: String,
        /// AWS error code.
        code: String,
        /// AWS error message.
        message: String,
    },
}

fn credential_message(problem: CredentialProblem, sign_in: &SignIn) -> String {
    let whose = match sign_in {
        SignIn::Sso(p) | SignIn::Profile(p) => format!(" of profile {p}"),
        SignIn::Environment { .. } => " in the environment".to_string(),
        SignIn::Nothing { .. } => String::new(),
    };
    match (problem, sign_in) {
        (CredentialProblem::Missing, SignIn::Nothing { .. }) => {
            "no AWS credentials found".to_string()
        }
        (CredentialProblem::Missing, _) => format!("cannot load the AWS credentials{whose}"),
        (CredentialProblem::Expired, _) => format!("the AWS credentials{whose} have expired"),
        (CredentialProblem::Rejected, _) => format!("AWS rejected the credentials{whose}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_messages_name_the_sign_in() {
        let msg = |problem, sign_in| {
            StoreError::Credentials {
                problem,
                sign_in,
                detail: String::new(),
            }
            .to_string()
        };
        assert_eq!(
            msg(
                CredentialProblem::Expired,
                SignIn::Sso("islandis-dev".into())
            ),
            "the AWS credentials of profile islandis-dev have expired"
        );
        assert_eq!(
            msg(
                CredentialProblem::Missing,
                SignIn::Nothing { profiles: vec![] }
            ),
            "no AWS credentials found"
        );
        assert_eq!(
            msg(
                CredentialProblem::Rejected,
                SignIn::Environment {
                    ignored_profile: None
                }
            ),
            "AWS rejected the credentials in the environment"
        );
    }
}
