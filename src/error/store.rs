//! The next step and exit code after a failure talking to AWS.

use crate::store::{SignIn, StoreError, StoreError as S};

use super::exit;

/// The next step after a store failure, if there is one.
pub(super) fn store_hint(e: &StoreError) -> Option<String> {
    let text = match e {
        S::Credentials { sign_in, .. } => return Some(sign_in_hint(sign_in)),
        S::AccessDenied { .. } => {
            "use a profile whose role may read this path (`--profile NAME`), or ask DevOps for \
             access"
        }
        S::Throttled { .. } => "wait a minute and try again, or raise --max-attempts",
        S::Timeout { .. } => "check your network or VPN, or allow more time with --timeout SECONDS",
        S::Certificate { .. } => {
            "if your network inspects TLS, point AWS_CA_BUNDLE (or --ca-bundle) at its CA \
             certificate in PEM form"
        }
        S::Connect { .. } => {
            "check the endpoint (--endpoint-url, AWS_ENDPOINT_URL, the profile's endpoint_url, \
             --region) and your network or VPN"
        }
        S::Network { .. } => "check your network or VPN, then try again",
        S::CaBundle { .. } => {
            "point AWS_CA_BUNDLE (or --ca-bundle) at a PEM file of CA certificates, or unset it"
        }
        S::AlreadyExists { .. } => "pass --overwrite to replace it with a new version",
        S::NoSuchProfile { profiles, .. } if profiles.is_empty() => {
            "no profile is configured: add the organisation's with `secrets setup` (or `aws \
             configure sso`)"
        }
        S::NoSuchProfile { profiles, .. } => {
            return Some(format!(
                "use one of {} (--profile NAME or AWS_PROFILE), or add it with `secrets setup`",
                profiles.join(", ")
            ));
        }
        S::EmptyKey { profile, key } => {
            return Some(format!(
                "fill in {key} in [profile {profile}] of ~/.aws/config (`secrets setup` writes \
                 the organisation's profiles complete)"
            ));
        }
        S::Interrupted | S::Service { .. } => return None,
    };
    Some(text.to_string())
}

fn sign_in_hint(sign_in: &SignIn) -> String {
    match sign_in {
        SignIn::Sso(p) => format!("run `secrets login --profile {p}` and try again"),
        SignIn::Profile(p) => format!(
            "refresh the credentials of profile {p} in ~/.aws/config or ~/.aws/credentials \
             (with aws-vault: `aws-vault exec {p} -- secrets ...`)"
        ),
        SignIn::Environment {
            ignored_profile: Some(p),
        } => format!(
            "AWS_PROFILE={p} is ignored because AWS_ACCESS_KEY_ID is set (keys in the \
             environment win, as in the AWS CLI): pass --profile {p}, or `unset \
             AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN`, or get fresh keys"
        ),
        SignIn::Environment {
            ignored_profile: None,
        } => "get fresh credentials into AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and \
              AWS_SESSION_TOKEN (with aws-vault: `aws-vault exec PROFILE -- secrets ...`), or \
              unset them and pass --profile"
            .to_string(),
        SignIn::Nothing { profiles } if profiles.is_empty() => {
            "no AWS profile is configured: add them with `secrets setup` (or `aws configure \
             sso`), then pass `--profile NAME` or `export AWS_PROFILE=NAME`"
                .to_string()
        }
        SignIn::Nothing { profiles } => format!(
            "choose one of your profiles ({}) with `--profile NAME` or `export AWS_PROFILE=NAME` \
             (for an SSO profile, run `secrets login --profile NAME` first)",
            profiles.join(", ")
        ),
    }
}

/// Extra detail worth a line of its own: the SDK's reason for a credential failure (what a
/// failing `credential_process` printed, an SSO token's state).
pub(super) fn store_cause(e: &StoreError) -> Option<String> {
    match e {
        S::Credentials { detail, .. } if !detail.is_empty() => Some(detail.clone()),
        _ => None,
    }
}

/// The exit code for a store failure.
pub(super) fn store_exit_code(e: &StoreError) -> u8 {
    match e {
        S::Credentials { .. } | S::NoSuchProfile { .. } | S::EmptyKey { .. } => exit::CREDENTIALS,
        S::AlreadyExists { .. } => exit::EXISTS,
        S::CaBundle { .. } => exit::USAGE,
        S::Interrupted => exit::INTERRUPTED,
        _ => exit::FAILURE,
    }
}
