//! What `create` shows: the summary it asks to confirm, and one line (or JSON row) per
//! account afterwards.

use anyhow::Result;

use super::Account;
use crate::error::{Error, Report};
use crate::model::{Identity, NewParameter};
use crate::output::Output;
use crate::store::StoreError;

/// What the confirmation shows: name, type, tags, and every target account and identity.
pub(super) fn summary<S>(
    param: &NewParameter,
    accounts: &[Account<S>],
    identities: &[Identity],
) -> String {
    let mut text = format!("About to create {} ({})", param.name, param.kind.name());
    if !param.tags.is_empty() {
        let tags: Vec<String> = param
            .tags
            .iter()
            .map(|t| format!("{}={}", t.key, t.value))
            .collect();
        text.push_str(&format!(" with tags {}", tags.join(" ")));
    }
    for (account, id) in accounts.iter().zip(identities) {
        text.push_str(&format!("\n  in {}", account.describe(id)));
    }
    text
}

/// One line (or JSON row) per account, in the order given; returns the exit code of the
/// failures (1 if they differ).
pub(super) fn report<S>(
    accounts: &[Account<S>],
    identities: &[Identity],
    param: &NewParameter,
    results: Vec<Option<Result<i64, StoreError>>>,
    json: bool,
    out: &mut Output,
) -> Result<u8> {
    let kind = param.kind.name();
    let (verb, status) = match param.overwrite {
        true => ("Updated", "updated"),
        false => ("Created", "created"),
    };
    let mut codes = Vec::new();
    let mut rows = Vec::new();
    for ((account, id), result) in accounts.iter().zip(identities).zip(results) {
        let row = serde_json::json!({
            "name": param.name, "type": kind, "account": id.account, "profile": account.profile,
        });
        let (row, line) = match result {
            Some(Ok(version)) => (
                extend(
                    row,
                    serde_json::json!({"version": version, "status": status}),
                ),
                Some(format!(
                    "{verb} {} ({kind}, version {version}) in {} ({})",
                    param.name,
                    id.account,
                    account.label()
                )),
            ),
            Some(Err(e)) => {
                let err = Error::from(e);
                let within = format!("in {} ({})", id.account, account.label());
                codes.push(out.report(&Report::from(&err).within(within)));
                let fields = serde_json::json!({"status": "failed", "error": err.to_string()});
                (extend(row, fields), None)
            }
            None => {
                let err = Error::OutcomeUnknown {
                    name: param.name.clone(),
                    account: id.account.clone(),
                    profile: account.label().to_string(),
                };
                codes.push(out.report(&Report::from(&err)));
                (extend(row, serde_json::json!({"status": "unknown"})), None)
            }
        };
        match (json, line) {
            (false, Some(line)) => writeln!(out.data(), "{line}")?,
            (true, _) => rows.push(row),
            _ => {}
        }
    }
    if json {
        writeln!(out.data(), "{:#}", serde_json::Value::Array(rows))?;
    }
    Ok(crate::commands::plan::combined(&codes))
}

fn extend(mut row: serde_json::Value, more: serde_json::Value) -> serde_json::Value {
    if let (Some(row), serde_json::Value::Object(more)) = (row.as_object_mut(), more) {
        row.extend(more);
    }
    row
}
