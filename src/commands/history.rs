//! `secrets history NAME`: every version of a parameter with its date, the ARN that wrote
//! it, labels and description; never a value.

use anyhow::Result;

use super::accounts::Account;
use super::list::write_table;
use crate::error::{Error, exit};
use crate::model::Version;
use crate::output::Output;
use crate::store::SecretStore;

/// Reads the history (without decryption; the store drops any value) and prints it, oldest
/// version first.
pub async fn run<S: SecretStore>(
    name: &str,
    account: &Account<S>,
    json: bool,
    out: &mut Output,
) -> Result<u8> {
    let Some(versions) = account.store.history(name).await.map_err(Error::from)? else {
        let id = account.store.identity().await.map_err(Error::from)?;
        return Err(Error::NotFound {
            what: format!("no parameter {name}"),
            account: id.account,
            profile: account.label().to_string(),
        }
        .into());
    };
    if json {
        let rows: Vec<serde_json::Value> = versions.iter().map(|v| row(name, v)).collect();
        writeln!(out.data(), "{:#}", serde_json::Value::Array(rows))?;
        return Ok(exit::OK);
    }
    let mut lines = vec![[
        "VERSION".to_string(),
        "DATE".into(),
        "USER".into(),
        "TYPE".into(),
        "LABELS".into(),
        "DESCRIPTION".into(),
    ]];
    let or_dash = |s: Option<&str>| s.filter(|s| !s.is_empty()).unwrap_or("-").to_string();
    for v in &versions {
        lines.push([
            v.version.to_string(),
            or_dash(v.modified.as_deref()),
            or_dash(v.user.as_deref()),
            v.kind.name().to_string(),
            match v.labels.is_empty() {
                true => "-".to_string(),
                false => v.labels.join(","),
            },
            or_dash(v.description.as_deref()),
        ]);
    }
    write_table(&lines, 0, out)?;
    Ok(exit::OK)
}

fn row(name: &str, v: &Version) -> serde_json::Value {
    serde_json::json!({
        "name": name,
        "version": v.version,
        "modified": v.modified,
        "user": v.user,
        "type": v.kind.name(),
        "tier": v.tier.name(),
        "key_id": v.key_id,
        "labels": v.labels,
        "description": v.description,
    })
}
