//! Whole records (value and everything a copy carries over), deletes and version history:
//! the requests behind `cp`, `mv`, `rm` and `history`.

use std::collections::HashMap;

use aws_sdk_ssm::types::{ParameterTier, ParameterType, ResourceTypeForTagging};

use super::classify::classify;
use super::context::Context;
use super::read::{batched, describe_by_name, get_many};
use crate::model::{Deleted, Kind, Stored, Tag, Tier, Version};
use crate::store::StoreError;

/// The named parameters with type, description, tier, KMS key, tags and value: their
/// metadata from DescribeParameters (50 names a call), values from GetParameters (10 a
/// call, decrypted), with `tags` tags from ListTagsForResource (one a call); all bounded in
/// parallel. Names that do not exist are absent from the result.
pub(super) async fn read_full(
    ctx: &Context,
    names: &[String],
    tags: bool,
) -> Result<Vec<Stored>, StoreError> {
    let (metadata, values) = tokio::join!(
        batched(names, 50, |chunk| describe_by_name(ctx, chunk)),
        get_many(ctx, names)
    );
    let mut values: HashMap<String, _> = values?.into_iter().map(|p| (p.name, p.value)).collect();
    let found: Vec<String> = names
        .iter()
        .filter(|n| values.contains_key(*n))
        .cloned()
        .collect();
    let tagged: &[String] = if tags { &found } else { &[] };
    let mut tags: HashMap<String, Vec<Tag>> = batched(tagged, 1, |one| tags_of(ctx, one))
        .await?
        .into_iter()
        .collect();
    let mut by_name: HashMap<String, aws_sdk_ssm::types::ParameterMetadata> = metadata?
        .into_iter()
        .filter_map(|m| Some((m.name.clone()?, m)))
        .collect();
    Ok(found
        .into_iter()
        .filter_map(|name| {
            let meta = by_name.remove(&name)?;
            let value = values.remove(&name)?;
            Some(Stored {
                kind: kind_of(meta.r#type.as_ref()),
                description: meta.description.filter(|d| !d.is_empty()),
                tier: tier_of(meta.tier.as_ref()),
                key_id: meta.key_id,
                tags: tags.remove(&name).unwrap_or_default(),
                version: meta.version,
                value,
                name,
            })
        })
        .collect())
}

async fn tags_of(ctx: &Context, name: &[String]) -> Result<Vec<(String, Vec<Tag>)>, StoreError> {
    let Some(name) = name.first() else {
        return Ok(Vec::new());
    };
    let out = ctx
        .ssm
        .list_tags_for_resource()
        .resource_type(ResourceTypeForTagging::Parameter)
        .resource_id(name)
        .send()
        .await;
    match out {
        Ok(out) => Ok(vec![(
            name.clone(),
            out.tag_list
                .unwrap_or_default()
                .into_iter()
                .map(|t| Tag {
                    key: t.key,
                    value: t.value,
                })
                .collect(),
        )]),
        Err(err) => Err(classify(ctx, err, "ListTagsForResource", name).await),
    }
}

/// One DeleteParameters call (at most 10 names, as SSM allows).
pub(super) async fn delete(ctx: &Context, names: &[String]) -> Result<Deleted, StoreError> {
    let out = ctx
        .ssm
        .delete_parameters()
        .set_names(Some(names.to_vec()))
        .send()
        .await;
    match out {
        Ok(out) => Ok(Deleted {
            deleted: out.deleted_parameters.unwrap_or_default(),
            absent: out.invalid_parameters.unwrap_or_default(),
        }),
        Err(err) => {
            let first = names.first().map_or("", String::as_str);
            Err(classify(ctx, err, "DeleteParameters", first).await)
        }
    }
}

/// Every version of `name`, oldest first, all pages; None when it does not exist. Asked
/// without decryption, and the value SSM still returns (a String's text, a SecureString's
/// ciphertext) is dropped here.
pub(super) async fn history(ctx: &Context, name: &str) -> Result<Option<Vec<Version>>, StoreError> {
    let mut pages = ctx
        .ssm
        .get_parameter_history()
        .name(name)
        .with_decryption(false)
        .max_results(50)
        .into_paginator()
        .send();
    let mut out = Vec::new();
    while let Some(page) = pages.next().await {
        let page = match page {
            Ok(page) => page,
            Err(err)
                if err
                    .as_service_error()
                    .is_some_and(|e| e.is_parameter_not_found()) =>
            {
                return Ok(None);
            }
            Err(err) => return Err(classify(ctx, err, "GetParameterHistory", name).await),
        };
        for h in page.parameters.unwrap_or_default() {
            out.push(Version {
                version: h.version,
                modified: h
                    .last_modified_date
                    .and_then(|d| d.fmt(aws_smithy_types::date_time::Format::DateTime).ok()),
                user: h.last_modified_user,
                labels: h.labels.unwrap_or_default(),
                description: h.description.filter(|d| !d.is_empty()),
                kind: kind_of(h.r#type.as_ref()),
                tier: tier_of(h.tier.as_ref()),
                key_id: h.key_id,
            });
        }
    }
    out.sort_by_key(|v| v.version);
    Ok(Some(out))
}

fn kind_of(t: Option<&ParameterType>) -> Kind {
    match t {
        Some(ParameterType::String) => Kind::String,
        Some(ParameterType::StringList) => Kind::StringList,
        _ => Kind::SecureString,
    }
}

fn tier_of(t: Option<&ParameterTier>) -> Tier {
    match t {
        Some(ParameterTier::Advanced) => Tier::Advanced,
        _ => Tier::Standard,
    }
}
