//! The accounts a writing command works in: the profile that reaches each, its store, and
//! the identity check every such command makes before anything else (create, cp, mv, rm).

use futures_util::future::join_all;

use crate::error::Report;
use crate::model::Identity;
use crate::output::Output;
use crate::store::SecretStore;

/// One account: the profile that reaches it (None: the default chain) and its store.
pub struct Account<S> {
    /// Profile name.
    pub profile: Option<String>,
    /// The store behind it.
    pub store: S,
}

impl<S> Account<S> {
    /// The profile, or what stands in for it, for messages.
    pub fn label(&self) -> &str {
        self.profile.as_deref().unwrap_or("default credentials")
    }

    /// `account 111111111111 as ARN (profile dev)`, as plans show each side.
    pub fn describe(&self, id: &Identity) -> String {
        let how = match &self.profile {
            Some(p) => format!("profile {p}"),
            None => "default credentials".to_string(),
        };
        format!("account {} as {} ({how})", id.account, id.arn)
    }
}

/// Every account's identity (STS), asked at once. Each failure is reported with its hint,
/// and then `nothing` ("nothing was created"); the error is the exit code to end with.
pub async fn identities<S: SecretStore>(
    accounts: &[&Account<S>],
    nothing: &str,
    out: &mut Output,
) -> Result<Vec<Identity>, u8> {
    let found = join_all(accounts.iter().map(|a| a.store.identity())).await;
    let mut failed = None;
    let mut ids = Vec::with_capacity(found.len());
    for (account, identity) in accounts.iter().zip(found) {
        match identity {
            Ok(id) => ids.push(id),
            Err(e) => {
                let code =
                    out.report(&Report::from(&e).within(format!("profile {}", account.label())));
                failed.get_or_insert(code);
            }
        }
    }
    match failed {
        Some(code) => {
            out.info(nothing);
            Err(code)
        }
        None => Ok(ids),
    }
}
