//! SDK errors turned into `StoreError`s that carry what the user needs to know: which
//! operation on which path, who was calling, how they sign in. Never a response body, which
//! could hold values.

use std::error::Error as StdError;

use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_ssm::error::{ProvideErrorMetadata, SdkError};

use super::context::Context;
use super::profile::load_view;
use super::tls;
use crate::store::{CredentialProblem, SignIn, StoreError};

/// Classifies a failed SSM request of `action` on `path`.
pub(super) async fn classify<E, R>(
    ctx: &Context,
    err: SdkError<E, R>,
    action: &'static str,
    path: &str,
) -> StoreError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    classify_at(ctx, err, action, path, &ctx.endpoint.url).await
}

/// Classifies a failed STS request of `action`; its "path" is the STS endpoint.
pub(super) async fn classify_sts<E, R>(
    ctx: &Context,
    err: SdkError<E, R>,
    action: &'static str,
) -> StoreError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    let endpoint = ctx.sts_endpoint.clone();
    classify_at(ctx, err, action, &endpoint, &endpoint).await
}

async fn classify_at<E, R>(
    ctx: &Context,
    err: SdkError<E, R>,
    action: &'static str,
    path: &str,
    endpoint: &str,
) -> StoreError
where
    E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    R: std::fmt::Debug + 'static,
{
    if let Some(cred) = find_source::<CredentialsError>(&err) {
        return credentials_failure(ctx, cred).await;
    }
    match &err {
        SdkError::ServiceError(c) => {
            let code = c.err().code().unwrap_or("Unknown").to_string();
            let message = c.err().message().unwrap_or_default().to_string();
            service_failure(ctx, code, message, action, path).await
        }
        _ => transport_failure(&err, action, path, endpoint),
    }
}

/// The credential provider failed before a request could be signed.
async fn credentials_failure(ctx: &Context, cred: &CredentialsError) -> StoreError {
    let detail = one_line(&chain(cred));
    let problem = if detail.to_lowercase().contains("expired") {
        CredentialProblem::Expired
    } else {
        CredentialProblem::Missing
    };
    let sign_in = load_view(&ctx.settings).await.sign_in();
    // With nothing configured, the chain's list of every provider it tried is noise.
    let detail = match sign_in {
        SignIn::Nothing { .. } => String::new(),
        _ => detail,
    };
    StoreError::Credentials {
        problem,
        sign_in,
        detail,
    }
}

/// AWS answered with an error code.
async fn service_failure(
    ctx: &Context,
    code: String,
    message: String,
    action: &'static str,
    path: &str,
) -> StoreError {
    let path = path.to_string();
    let problem = match code.as_str() {
        "ExpiredTokenException" | "ExpiredToken" | "RequestExpired" => {
            Some(CredentialProblem::Expired)
        }
        "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "InvalidSignatureException"
        | "SignatureDoesNotMatch"
        | "IncompleteSignature" => Some(CredentialProblem::Rejected),
        _ => None,
    };
    if let Some(problem) = problem {
        return StoreError::Credentials {
            problem,
            sign_in: load_view(&ctx.settings).await.sign_in(),
            detail: message,
        };
    }
    match code.as_str() {
        "AccessDeniedException" | "AccessDenied" => StoreError::AccessDenied {
            action,
            path,
            identity: caller_arn(ctx).await,
        },
        "ParameterAlreadyExists" => StoreError::AlreadyExists { name: path },
        "ThrottlingException" | "Throttling" | "TooManyUpdates" => StoreError::Throttled {
            action,
            path,
            attempts: ctx.settings.max_attempts,
        },
        _ => StoreError::Service {
            action,
            path,
            code,
            message,
        },
    }
}

/// The request never got an answer: timeout, no connection (refused, no such host, TLS),
/// a connection that broke, a cut-off response.
fn transport_failure<E, R>(
    err: &SdkError<E, R>,
    action: &'static str,
    path: &str,
    endpoint: &str,
) -> StoreError
where
    E: StdError + 'static,
    R: std::fmt::Debug + 'static,
{
    let path = path.to_string();
    let endpoint = endpoint.to_string();
    match err {
        SdkError::TimeoutError(_) => StoreError::Timeout { action, path },
        SdkError::DispatchFailure(d) if d.is_timeout() => StoreError::Timeout { action, path },
        SdkError::DispatchFailure(d) => match d.as_connector_error() {
            Some(c) if tls::is_certificate_error(c) => StoreError::Certificate {
                endpoint,
                detail: chain(c),
            },
            Some(c) if tls::is_connect_error(c) => StoreError::Connect {
                endpoint,
                reason: root_cause(c),
            },
            Some(c) => StoreError::Network {
                endpoint,
                detail: chain(c),
            },
            None => StoreError::Network {
                endpoint,
                detail: "the request could not be sent".to_string(),
            },
        },
        SdkError::ResponseError(_) => StoreError::Network {
            endpoint,
            detail: "the response was cut off or malformed".to_string(),
        },
        _ => StoreError::Service {
            action,
            path,
            code: "RequestNotSent".to_string(),
            message: chain(err),
        },
    }
}

/// Who we are, for an access-denied message; never fails.
async fn caller_arn(ctx: &Context) -> String {
    match ctx.sts.get_caller_identity().send().await {
        Ok(out) => out.arn.unwrap_or_else(|| "an unknown identity".to_string()),
        Err(_) => "the current identity (STS GetCallerIdentity failed)".to_string(),
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

/// Why a connection could not be made, as the operating system or TLS said it: the deepest
/// error of the chain ("Connection refused (os error 111)", "failed to lookup address
/// information: Name or service not known"), without the HTTP client's wrappers.
fn root_cause(err: &(dyn StdError + 'static)) -> String {
    let mut cur = err;
    while let Some(next) = cur.source() {
        cur = next;
    }
    let text = cur.to_string();
    match text.is_empty() {
        true => chain(err),
        false => text,
    }
}

/// Text for a `cause:` line: one line (a credential_process's stderr may end in a newline or
/// hold several), each `a: a: b` said once as `a: b` (the SDK nests one message in another
/// of the same text).
fn one_line(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let mut parts: Vec<&str> = Vec::new();
    for part in flat.split(": ") {
        if parts.last() != Some(&part) {
            parts.push(part);
        }
    }
    parts.join(": ")
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

#[cfg(test)]
mod tests {
    #[test]
    fn a_cause_is_one_line_without_repeats() {
        let text = "an error occurred while loading credentials: an error occurred while loading \
                    credentials: Error retrieving credentials: external process exited. Stderr: \
                    token expired: run login\n\n";
        assert_eq!(
            super::one_line(text),
            "an error occurred while loading credentials: Error retrieving credentials: \
             external process exited. Stderr: token expired: run login"
        );
    }
}
