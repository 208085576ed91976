//! The reading requests: the sweep of a prefix, GetParameters by name, the caller's identity
//! and a parameter's metadata.

use std::collections::HashSet;

use aws_sdk_ssm::error::ProvideErrorMetadata;
use aws_sdk_ssm::types::ParameterMetadata;
use futures_util::future::try_join_all;
use futures_util::stream::{self, StreamExt, TryStreamExt};

use super::classify::{classify, classify_sts};
use super::context::Context;
use crate::model::{Existing, Identity, Parameter, SecretValue};
use crate::selector::SECRETS_MANAGER;
use crate::store::{StoreError, Swept};

/// DescribeParameters calls in flight at once (existence checks): enough to hide round
/// trips, few enough for DescribeParameters' lower request rate. GetParameters calls are
/// bounded by `--in-flight` instead (the context's `reads`).
const IN_FLIGHT: usize = 8;

/// Every parameter under `prefix`, decrypted: its names discovered with DescribeParameters
/// (`Path` recursive, 50 a page, metadata only), each page's names fetched with GetParameters
/// (10 a call) as soon as the page arrives, while the next page is asked for. Where
/// DescribeParameters is denied, GetParametersByPath sweeps instead (10 a page, one page after
/// another), and the result says so.
pub(super) async fn sweep(ctx: &Context, prefix: &str) -> Result<Swept, StoreError> {
    match discover_and_fetch(ctx, prefix).await? {
        Some(params) => Ok(Swept {
            params,
            fell_back: false,
        }),
        None => Ok(Swept {
            params: list_under(ctx, prefix).await?,
            fell_back: true,
        }),
    }
}

/// None when DescribeParameters is denied (told apart before any other request: the caller's
/// identity is looked up only for an error that is reported).
async fn discover_and_fetch(
    ctx: &Context,
    prefix: &str,
) -> Result<Option<Vec<Parameter>>, StoreError> {
    let path = prefix.trim_end_matches('/').to_string();
    let filter = string_filter("Path", "Recursive", &[path], prefix)?;
    let mut pages = describe_request(ctx, filter).into_paginator().send();
    let mut fetches = Vec::new();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(err) if matches!(err.code(), Some("AccessDeniedException" | "AccessDenied")) => {
                return Ok(None);
            }
            Err(err) => return Err(classify(ctx, err, "DescribeParameters", prefix).await),
        };
        let names = names_of(page.parameters.unwrap_or_default());
        // Started now, on this runtime, so they run while the next page is asked for.
        for chunk in names.chunks(10) {
            let (ctx, chunk) = (ctx.clone(), chunk.to_vec());
            fetches.push(tokio::spawn(async move { get_batch(&ctx, &chunk).await }));
        }
    }
    let mut out = Vec::new();
    for fetch in fetches {
        let found = fetch.await.map_err(|e| StoreError::Service {
            action: "GetParameters",
            path: prefix.to_string(),
            code: "TaskFailed".to_string(),
            message: e.to_string(),
        })??;
        out.extend(found);
    }
    Ok(Some(out))
}

/// Every parameter under `prefix`, recursively and decrypted, all pages (GetParametersByPath:
/// the fallback where DescribeParameters is denied).
async fn list_under(ctx: &Context, prefix: &str) -> Result<Vec<Parameter>, StoreError> {
    let mut pages = ctx
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
            Err(err) => return Err(classify(ctx, err, "GetParametersByPath", prefix).await),
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

/// The named parameters, 10 names a call, every call sent at once (up to `--in-flight`: the
/// context's `reads`). Secrets Manager references go one GetParameter each, alongside: one
/// missing reference fails a whole GetParameters call, so it cannot be told apart from the
/// names batched with it.
pub(super) async fn get_many(
    ctx: &Context,
    names: &[String],
) -> Result<Vec<Parameter>, StoreError> {
    let (references, plain): (Vec<String>, Vec<String>) = names
        .iter()
        .cloned()
        .partition(|n| n.starts_with(SECRETS_MANAGER));
    let singles = try_join_all(references.chunks(1).map(|one| get_reference(ctx, one)));
    let batches = try_join_all(plain.chunks(10).map(|chunk| get_batch(ctx, chunk)));
    let (batches, singles) = tokio::join!(batches, singles);
    let (batches, singles) = (
        batches.map(|b| b.into_iter().flatten().collect::<Vec<_>>()),
        singles.map(|s| s.into_iter().flatten().collect::<Vec<_>>()),
    );
    let mut found = batches?;
    found.extend(singles?);
    Ok(found)
}

/// One Secrets Manager secret through Parameter Store (decrypted, its AWSCURRENT version);
/// none when it does not exist.
async fn get_reference(ctx: &Context, name: &[String]) -> Result<Vec<Parameter>, StoreError> {
    let Some(name) = name.first() else {
        return Ok(Vec::new());
    };
    let _permit = ctx.reads.acquire().await.ok();
    let out = ctx
        .ssm
        .get_parameter()
        .name(name)
        .with_decryption(true)
        .send()
        .await;
    match out {
        Ok(out) => Ok(out
            .parameter
            .and_then(|p| p.value)
            .map(|value| Parameter {
                name: name.clone(),
                value: SecretValue::new(value),
            })
            .into_iter()
            .collect()),
        Err(err)
            if err
                .as_service_error()
                .is_some_and(|e| e.is_parameter_not_found()) =>
        {
            Ok(Vec::new())
        }
        Err(err) => Err(classify(ctx, err, "GetParameter", name).await),
    }
}

/// `call` on each `size`-name chunk of `names`, `IN_FLIGHT` at once; the results in order.
pub(super) async fn batched<'n, T, F, Fut>(
    names: &'n [String],
    size: usize,
    call: F,
) -> Result<Vec<T>, StoreError>
where
    F: Fn(&'n [String]) -> Fut,
    Fut: std::future::Future<Output = Result<Vec<T>, StoreError>>,
{
    // Futures built up front: a closure inside the stream trips the `Send` check.
    let calls: Vec<Fut> = names.chunks(size).map(call).collect();
    let batches: Vec<Vec<T>> = stream::iter(calls)
        .buffered(IN_FLIGHT)
        .try_collect()
        .await?;
    Ok(batches.into_iter().flatten().collect())
}

async fn get_batch(ctx: &Context, names: &[String]) -> Result<Vec<Parameter>, StoreError> {
    let _permit = ctx.reads.acquire().await.ok();
    let out = ctx
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
            return Err(classify(ctx, err, "GetParameters", first).await);
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

/// Which of `names` exist: DescribeParameters with a `Name Equals` filter of up to 50 names a
/// call, all pages. It returns metadata only, so no value is read (GetParameters without
/// decryption would still return String parameters' values).
pub(super) async fn existing(
    ctx: &Context,
    names: &[String],
) -> Result<HashSet<String>, StoreError> {
    let found = batched(names, 50, |chunk| describe_names(ctx, chunk)).await?;
    Ok(found.into_iter().collect())
}

async fn describe_names(ctx: &Context, names: &[String]) -> Result<Vec<String>, StoreError> {
    Ok(names_of(describe_by_name(ctx, names).await?))
}

/// The metadata of the named parameters that exist (up to 50 names, one filter), all pages.
pub(super) async fn describe_by_name(
    ctx: &Context,
    names: &[String],
) -> Result<Vec<ParameterMetadata>, StoreError> {
    let first = names.first().map_or("", String::as_str).to_string();
    let filter = string_filter("Name", "Equals", names, &first)?;
    describe_all(ctx, filter, &first).await
}

fn names_of(found: Vec<ParameterMetadata>) -> Vec<String> {
    found.into_iter().filter_map(|p| p.name).collect()
}

/// The names of every parameter under `prefix`, from DescribeParameters' `Path` filter.
pub(super) async fn names_under(ctx: &Context, prefix: &str) -> Result<Vec<String>, StoreError> {
    let path = prefix.trim_end_matches('/').to_string();
    let filter = string_filter("Path", "Recursive", &[path], prefix)?;
    Ok(names_of(describe_all(ctx, filter, prefix).await?))
}

/// The names of every parameter whose name begins with `prefix`.
pub(super) async fn names_beginning(
    ctx: &Context,
    prefix: &str,
) -> Result<Vec<String>, StoreError> {
    let filter = string_filter("Name", "BeginsWith", &[prefix.to_string()], prefix)?;
    Ok(names_of(describe_all(ctx, filter, prefix).await?))
}

pub(super) fn string_filter(
    key: &str,
    option: &str,
    values: &[String],
    path: &str,
) -> Result<aws_sdk_ssm::types::ParameterStringFilter, StoreError> {
    aws_sdk_ssm::types::ParameterStringFilter::builder()
        .key(key)
        .option(option)
        .set_values(Some(values.to_vec()))
        .build()
        .map_err(|e| StoreError::Service {
            action: "DescribeParameters",
            path: path.to_string(),
            code: "InvalidRequest".to_string(),
            message: e.to_string(),
        })
}

/// DescribeParameters with one filter, 50 names a page (the most SSM gives).
fn describe_request(
    ctx: &Context,
    filter: aws_sdk_ssm::types::ParameterStringFilter,
) -> aws_sdk_ssm::operation::describe_parameters::builders::DescribeParametersFluentBuilder {
    ctx.ssm
        .describe_parameters()
        .parameter_filters(filter)
        .max_results(50)
}

/// DescribeParameters with one filter, all pages: metadata, never a value.
pub(super) async fn describe_all(
    ctx: &Context,
    filter: aws_sdk_ssm::types::ParameterStringFilter,
    path: &str,
) -> Result<Vec<ParameterMetadata>, StoreError> {
    let mut pages = describe_request(ctx, filter).into_paginator().send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(err) => return Err(classify(ctx, err, "DescribeParameters", path).await),
        };
        out.extend(page.parameters.unwrap_or_default());
    }
    Ok(out)
}

/// STS GetCallerIdentity.
pub(super) async fn identity(ctx: &Context) -> Result<Identity, StoreError> {
    match ctx.sts.get_caller_identity().send().await {
        Ok(out) => Ok(Identity {
            account: out.account.unwrap_or_default(),
            arn: out.arn.unwrap_or_default(),
        }),
        Err(err) => Err(classify_sts(ctx, err, "GetCallerIdentity").await),
    }
}

/// A parameter's metadata through DescribeParameters, which returns no value.
pub(super) async fn describe(ctx: &Context, name: &str) -> Result<Option<Existing>, StoreError> {
    let found = describe_by_name(ctx, &[name.to_string()]).await?;
    Ok(found
        .into_iter()
        .find(|p| p.name.as_deref() == Some(name))
        .map(|p| Existing {
            version: p.version,
            last_modified: p
                .last_modified_date
                .and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
        }))
}
