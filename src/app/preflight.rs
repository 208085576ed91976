//! What the wiring settles before a command's requests: whether the env file's directory
//! takes a file, and how the user chose each account's credentials (for every message).

use std::path::{Path, PathBuf};

use crate::error::Error;
use crate::store::ssm::SsmStore;

/// Whether the env file's directory takes a new file (the atomic write's temp file), tried
/// before any request so that a read-only place fails first, with a hint.
pub(super) fn writable_dir(file: &Path) -> Result<(), Error> {
    let dir = match file.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    };
    tempfile::Builder::new()
        .prefix(".secrets-probe")
        .tempfile_in(&dir)
        .map(drop)
        .map_err(|e| Error::CannotWriteDir {
            reason: std::io::Error::from(e.kind()).to_string(),
            dir,
        })
}

/// An account as the user chose it: `--profile`, else AWS_PROFILE or keys in the environment
/// as the store resolved them, else `.secrets.toml`'s profile, else the default credentials;
/// named so in every message.
pub(super) async fn account_of(
    flag: Option<String>,
    store: SsmStore,
) -> crate::commands::accounts::Account<SsmStore> {
    use crate::commands::accounts::{Account, Via};
    use crate::store::SecretStore;
    if flag.is_some() {
        return Account::new(flag, store);
    }
    let session = store.session().await;
    let via = match (&session.profile, session.env_keys) {
        (Some(_), _) if session.from_repo => Via::RepoConfig,
        (Some(_), _) => Via::AwsProfile,
        (None, true) => Via::EnvKeys,
        (None, false) => Via::Default,
    };
    Account {
        profile: session.profile,
        via,
        store,
    }
}
