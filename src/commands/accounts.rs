//! The accounts a writing command works in: the profile that reaches each, its store, and
//! the identity check every such command makes before anything else (create, cp, mv, rm).

use futures_util::future::join_all;

use crate::error::Report;
use crate::model::Identity;
use crate::output::Output;
use crate::store::SecretStore;

/// One account: the profile that reaches it (None: the default chain), how the user chose
/// the credentials, and its store.
pub struct Account<S> {
    /// Profile name.
    pub profile: Option<String>,
    /// How the credentials were chosen: named so in every confirmation, plan and report.
    pub via: Via,
    /// The store behind it.
    pub store: S,
}

/// How the user chose an account's credentials.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    /// `--profile NAME`.
    Flag,
    /// AWS_PROFILE.
    AwsProfile,
    /// The profile of `.secrets.toml`'s default environment, nothing else having chosen one.
    RepoConfig,
    /// AWS_ACCESS_KEY_ID and the rest in the environment.
    EnvKeys,
    /// Nothing chosen: the default profile or chain.
    Default,
}

impl<S> Account<S> {
    /// An account reached through `--profile` (or, without one, the default credentials).
    pub fn new(profile: Option<String>, store: S) -> Self {
        let via = match profile {
            Some(_) => Via::Flag,
            None => Via::Default,
        };
        Account {
            profile,
            via,
            store,
        }
    }

    /// The profile as the user chose it, or what stands in for it, for messages: `dev`,
    /// `dev (AWS_PROFILE)`, `environment keys`, `default credentials`.
    pub fn label(&self) -> String {
        match (&self.profile, self.via) {
            (Some(p), Via::AwsProfile) => format!("{p} (AWS_PROFILE)"),
            (Some(p), Via::RepoConfig) => format!("{p} (.secrets.toml)"),
            (Some(p), _) => p.clone(),
            (None, Via::EnvKeys) => "environment keys".to_string(),
            (None, _) => "default credentials".to_string(),
        }
    }

    /// `account 111111111111 as ARN (profile dev)`, as plans show each side.
    pub fn describe(&self, id: &Identity) -> String {
        let how = match (&self.profile, self.via) {
            (Some(p), Via::AwsProfile) => format!("profile {p} from AWS_PROFILE"),
            (Some(p), Via::RepoConfig) => format!("profile {p} from .secrets.toml"),
            (Some(p), _) => format!("profile {p}"),
            (None, _) => self.label(),
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
