//! PutParameter so that one request creates at most one version: the SDK does not retry it;
//! after a failure that may have been applied (the answer was lost), the parameter is read
//! back, and a write that landed with our value counts as done instead of being repeated.

use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_sdk_ssm::types::{ParameterTier, ParameterType, ResourceTypeForTagging, Tag};

use super::classify::{classify, scrub};
use super::context::Context;
use super::read::describe;
use crate::model::{Kind, NewParameter, Tier};
use crate::store::StoreError;

/// Creates or overwrites `param` exactly once, then applies its tags.
pub(super) async fn put_once_only(ctx: &Context, param: &NewParameter) -> Result<i64, StoreError> {
    let before = match param.overwrite {
        true => describe(ctx, &param.name).await?.map(|e| e.version),
        false => None,
    };
    let attempts = ctx.settings.max_attempts.max(1);
    let mut attempt = 1;
    let version = loop {
        let err = match put_parameter(ctx, param).await {
            Ok(version) => break version,
            Err(err) => err,
        };
        // A lost answer looks like a network failure, a timeout, a 5xx, or (for a create
        // retried by someone) "already exists": check whether our write landed.
        let maybe_applied = retryable(&err) || matches!(err, StoreError::AlreadyExists { .. });
        if maybe_applied && let Some(version) = landed(ctx, param, before).await? {
            break version;
        }
        if !retryable(&err) || attempt >= attempts {
            return Err(err);
        }
        tokio::time::sleep(backoff(attempt)).await;
        attempt += 1;
    };
    tag_after_overwrite(ctx, param).await?;
    Ok(version)
}

/// One PutParameter call, never retried by the SDK.
async fn put_parameter(ctx: &Context, param: &NewParameter) -> Result<i64, StoreError> {
    let mut req = ctx
        .ssm
        .put_parameter()
        .name(&param.name)
        .value(param.value.expose())
        .r#type(match param.kind {
            Kind::String => ParameterType::String,
            Kind::StringList => ParameterType::StringList,
            Kind::SecureString => ParameterType::SecureString,
        })
        .tier(match param.tier {
            Tier::Standard => ParameterTier::Standard,
            Tier::Advanced => ParameterTier::Advanced,
        })
        .set_description(param.description.clone())
        .set_key_id(
            param
                .key_id
                .clone()
                .filter(|_| param.kind == Kind::SecureString),
        );
    // SSM rejects Tags together with Overwrite; tags then go through AddTagsToResource.
    if param.overwrite {
        req = req.overwrite(true);
    } else if !param.tags.is_empty() {
        req = req.set_tags(Some(tags(param)));
    }
    let sent = req
        .customize()
        .config_override(
            aws_sdk_ssm::config::Builder::default().retry_config(RetryConfig::disabled()),
        )
        .send()
        .await;
    match sent {
        Ok(out) => Ok(out.version),
        Err(err) => {
            let err = classify(ctx, err, "PutParameter", &param.name).await;
            Err(scrub(err, param.value.expose()))
        }
    }
}

/// The version our write produced, if the parameter now holds our value in a version
/// newer than `before`.
async fn landed(
    ctx: &Context,
    param: &NewParameter,
    before: Option<i64>,
) -> Result<Option<i64>, StoreError> {
    let out = ctx
        .ssm
        .get_parameter()
        .name(&param.name)
        .with_decryption(true)
        .send()
        .await;
    let p = match out {
        Ok(out) => out.parameter,
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_parameter_not_found()) =>
        {
            None
        }
        Err(err) => return Err(classify(ctx, err, "GetParameter", &param.name).await),
    };
    Ok(p.filter(|p| {
        p.version > before.unwrap_or(0) && p.value.as_deref() == Some(param.value.expose())
    })
    .map(|p| p.version))
}

async fn tag_after_overwrite(ctx: &Context, param: &NewParameter) -> Result<(), StoreError> {
    if !param.overwrite || param.tags.is_empty() {
        return Ok(());
    }
    let res = ctx
        .ssm
        .add_tags_to_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id(&param.name)
        .set_tags(Some(tags(param)))
        .send()
        .await;
    match res {
        Ok(_) => Ok(()),
        Err(err) => Err(classify(ctx, err, "AddTagsToResource", &param.name).await),
    }
}

fn tags(param: &NewParameter) -> Vec<Tag> {
    param
        .tags
        .iter()
        .filter_map(|t| Tag::builder().key(&t.key).value(&t.value).build().ok())
        .collect()
}

/// Failures after which the write may or may not have been applied, and a retry may work.
fn retryable(err: &StoreError) -> bool {
    match err {
        StoreError::Throttled { .. } | StoreError::Timeout { .. } | StoreError::Network { .. } => {
            true
        }
        StoreError::Service { code, .. } => {
            matches!(
                code.as_str(),
                "InternalServerError" | "InternalFailure" | "ServiceUnavailable"
            )
        }
        _ => false,
    }
}

/// 0.2 s, 0.4 s, 0.8 s, ... up to 5 s.
fn backoff(attempt: u32) -> Duration {
    let doublings = attempt.saturating_sub(1).min(5);
    Duration::from_millis(200u64 << doublings).min(Duration::from_secs(5))
}
