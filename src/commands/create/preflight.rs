//! The identities of every account, then whether the name exists in any: before the value is
//! asked (on a terminal) and again before anything is written.

use anyhow::Result;
use futures_util::future::join_all;

use super::{Account, NOTHING};
use crate::commands::accounts::identities;
use crate::error::{Error, Report, exit};
use crate::model::Identity;
use crate::output::Output;
use crate::store::SecretStore;

/// Refuses a name that exists in any account, before anything else is asked: the identities,
/// then one DescribeParameters each (`Err(code)`: refused, with the messages shown).
pub async fn refuse_existing<S: SecretStore>(
    name: &str,
    overwrite: bool,
    accounts: &[Account<S>],
    out: &mut Output,
) -> Result<Result<(), u8>> {
    Ok(preflight(accounts, name, overwrite, out).await?.map(|_| ()))
}

/// Checks every account before anything is created anywhere: its identity, then that the
/// name is free (unless overwriting). `Ok(Err(code))` means refused, with the messages shown.
pub(super) async fn preflight<S: SecretStore>(
    accounts: &[Account<S>],
    name: &str,
    overwrite: bool,
    out: &mut Output,
) -> Result<Result<Vec<Identity>, u8>> {
    let all: Vec<&Account<S>> = accounts.iter().collect();
    let identities = match identities(&all, NOTHING, out).await {
        Ok(ids) => ids,
        Err(code) => return Ok(Err(code)),
    };
    if overwrite {
        return Ok(Ok(identities));
    }
    let existing = join_all(accounts.iter().map(|a| a.store.describe(name))).await;
    let mut refused = false;
    for ((account, id), found) in accounts.iter().zip(&identities).zip(existing) {
        if let Some(e) = found.map_err(Error::from)? {
            let err = Error::Exists {
                name: name.to_string(),
                account: id.account.clone(),
                profile: account.label().to_string(),
                version: e.version,
                modified: e.last_modified.unwrap_or_else(|| "unknown".into()),
            };
            out.report(&Report::from(&err));
            refused = true;
        }
    }
    Ok(if refused {
        Err(exit::EXISTS)
    } else {
        Ok(identities)
    })
}
