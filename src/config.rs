//! Where the repository is, and the optional `.secrets.toml` at its root.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::error::Error;
use crate::model::Env;

/// The optional configuration file, at the repository root.
pub const CONFIG_FILE: &str = ".secrets.toml";

/// Settings a repository can change; every key is optional.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(default, deny_unknown_fields)]
pub struct RepoConfig {
    /// Namespace every project lives under.
    pub prefix: String,
    /// The env file, relative to the root.
    pub file: String,
    /// Region when neither flag, environment nor profile names one.
    pub region: String,
    /// Environment whose `.features` count (`dev`, `staging`, `prod`).
    pub env: Env,
    /// Variable names never written (they are set up locally).
    pub exclude: Vec<String>,
    /// Variable name → parameter read instead, for local development.
    pub overrides: BTreeMap<String, String>,
    /// Each environment's account, for `audit`.
    pub environments: BTreeMap<Env, Account>,
    /// Per project, local-only additions.
    pub projects: BTreeMap<String, ProjectConfig>,
    /// The organisation's IAM Identity Center, for `setup` and `login`.
    pub sso: Option<SsoConfig>,
}

/// The organisation's IAM Identity Center (`[sso]`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct SsoConfig {
    /// The portal's start URL, e.g. `https://island-is.awsapps.com/start`.
    pub start_url: String,
    /// Its region [default: the repository's region].
    pub region: Option<String>,
    /// The `[sso-session NAME]` that `setup` writes [default: `secrets`].
    #[serde(default = "default_session")]
    pub session: String,
    /// The role each environment's profile signs in with, unless the environment names one.
    pub role: Option<String>,
}

fn default_session() -> String {
    "secrets".to_string()
}

/// A project's local-only settings.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct ProjectConfig {
    /// Variable → path, declared here in addition to the infra code (a `#key` picks one key
    /// of a JSON secret; `PREFIX*` with `#*` takes every key).
    #[serde(default)]
    pub extra: BTreeMap<String, String>,
}

/// Where one environment's parameters live.
#[derive(Debug, Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Account {
    /// The AWS profile that reaches it.
    pub profile: Option<String>,
    /// Its region, when not the profile's.
    pub region: Option<String>,
    /// Its 12-digit account ID, checked with STS before anything is looked up.
    pub account: Option<String>,
    /// The IAM Identity Center role its profile signs in with (`setup`) [default: `[sso]`'s].
    pub role: Option<String>,
}

impl Default for RepoConfig {
    fn default() -> Self {
        Self {
            prefix: DEFAULT_PREFIX.to_string(),
            file: DEFAULT_FILE.to_string(),
            region: DEFAULT_REGION.to_string(),
            env: Env::Dev,
            // A developer's services use their local database, so neither the password the DSL
            // declares (DB_PASS) nor one swept from /k8s/<project>/DB_PASSWORD is written.
            // `yarn get-secrets` meant this but named only DB_PASSWORD.
            exclude: ["DB_PASS", "DB_PASSWORD", "NOVA_USERNAME", "NOVA_PASSWORD"]
                .map(String::from)
                .to_vec(),
            overrides: BTreeMap::from([(
                "IDENTITY_SERVER_CLIENT_SECRET".to_string(),
                "/k8s/local-dev/IDENTITY_SERVER_CLIENT_SECRET".to_string(),
            )]),
            environments: BTreeMap::new(),
            projects: BTreeMap::new(),
            sso: None,
        }
    }
}

impl RepoConfig {
    /// The rules every resolution applies (`exclude`, `[overrides]`).
    pub fn rules(&self) -> crate::resolve::Rules {
        crate::resolve::Rules {
            exclude: self.exclude.clone(),
            overrides: self.overrides.clone(),
        }
    }

    /// Reads `<root>/.secrets.toml`, or the defaults when there is none.
    pub fn load(root: &Path) -> Result<Self, Error> {
        let path = root.join(CONFIG_FILE);
        let bad = |reason: String| Error::Config {
            path: path.clone(),
            reason,
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Self::default()),
            Err(e) => return Err(bad(format!("cannot read it: {e}"))),
        };
        let config: Self = toml::from_str(&text).map_err(|e| bad(e.message().to_string()))?;
        if !config.prefix.starts_with('/') || !config.prefix.ends_with('/') {
            return Err(bad("prefix must start and end with `/`".into()));
        }
        for (project, p) in &config.projects {
            for (name, path) in &p.extra {
                check_extra(name, path)
                    .map_err(|why| bad(format!("[projects.{project}.extra] {name}: {why}")))?;
            }
        }
        Ok(config)
    }
}

/// The island.is region, used when neither flag, environment nor profile names one (and
/// `.secrets.toml` does not change it).
pub const DEFAULT_REGION: &str = "eu-west-1";

/// The parameter namespace every project lives under.
pub const DEFAULT_PREFIX: &str = "/k8s/";

/// The env file, relative to the repository root.
pub const DEFAULT_FILE: &str = ".env.secret";

/// Checks one `[projects.<name>.extra]` entry: a variable name and a path, or `PREFIX*`
/// with a path ending in `#*`.
fn check_extra(name: &str, path: &str) -> Result<(), String> {
    if !path.starts_with('/') {
        return Err("the path must start with `/`".into());
    }
    let all = path.ends_with("#*");
    match name.strip_suffix('*') {
        Some(_) if !all => {
            Err("a name ending in `*` takes every key: end the path with `#*`".into())
        }
        Some(prefix) if !prefix.is_empty() && !is_identifier(prefix) => {
            Err("the part before `*` must be a variable name's start".into())
        }
        None if all => Err("a path ending in `#*` needs a name ending in `*`, e.g. `DB_*`".into()),
        None if !is_identifier(name) => Err("not a valid environment variable name".into()),
        _ => Ok(()),
    }
}

fn is_identifier(s: &str) -> bool {
    crate::envfile::is_shell_identifier(s)
}

/// The git top-level directory containing `start`: the nearest ancestor holding `.git`
/// (a directory, or a file in worktrees and submodules).
pub fn find_repo_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Checks a project name: it becomes one segment of a parameter path.
pub fn check_project_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name == "." || name == ".." {
        return Err("it is not a name");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("only letters, digits, `-`, `_` and `.` are allowed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nearest_git_dir() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("apps/api/src");
        std::fs::create_dir_all(&deep).unwrap();
        assert!(find_repo_root(&deep).is_none_or(|r| !r.starts_with(dir.path())));
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        assert_eq!(find_repo_root(&deep).as_deref(), Some(dir.path()));
        std::fs::write(dir.path().join("apps/.git"), "gitdir: x").unwrap();
        assert_eq!(find_repo_root(&deep), Some(dir.path().join("apps")));
    }

    #[test]
    fn config_file_defaults_overrides_and_errors() {
        let dir = tempfile::tempdir().unwrap();
        assert_eq!(RepoConfig::load(dir.path()).unwrap(), RepoConfig::default());
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "prefix = \"/secrets/\"\nexclude = []\n[overrides]\nA = \"/x/A\"\n",
        )
        .unwrap();
        let c = RepoConfig::load(dir.path()).unwrap();
        assert_eq!(
            (c.prefix.as_str(), c.file.as_str()),
            ("/secrets/", ".env.secret")
        );
        assert!(c.exclude.is_empty());
        assert_eq!(
            c.overrides,
            BTreeMap::from([("A".to_string(), "/x/A".to_string())])
        );
        let err = |text: &str| {
            std::fs::write(dir.path().join(CONFIG_FILE), text).unwrap();
            RepoConfig::load(dir.path()).unwrap_err().to_string()
        };
        assert!(err("prefx = \"/k8s/\"\n").contains("unknown field `prefx`"));
        assert!(err("prefix = \"k8s\"\n").ends_with("prefix must start and end with `/`"));
        assert!(err("env = \"qa\"\n").contains("unknown variant `qa`"));
        assert!(err("[environments.qa]\nprofile = \"x\"\n").contains("unknown variant `qa`"));
        assert!(err("[environments.dev]\nprofle = \"x\"\n").contains("unknown field `profle`"));
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[environments.prod]\nprofile = \"islandis-prod\"\naccount = \"251502586493\"\n",
        )
        .unwrap();
        assert!(
            err("[projects.api.extra]\nDB_USER = \"aws/x#username\"\n")
                .ends_with("must start with `/`")
        );
        assert!(
            err("[projects.api.extra]\nDB_ = \"/aws/x#*\"\n")
                .contains("needs a name ending in `*`")
        );
        assert!(
            err("[projects.api.extra]\n\"DB_*\" = \"/aws/x\"\n").contains("end the path with `#*`")
        );
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[projects.api.extra]\n\"DB_*\" = \"/aws/reference/secretsmanager/db#*\"\n",
        )
        .unwrap();
        assert!(RepoConfig::load(dir.path()).is_ok());
        std::fs::write(
            dir.path().join(CONFIG_FILE),
            "[environments.prod]\nprofile = \"islandis-prod\"\naccount = \"251502586493\"\n",
        )
        .unwrap();
        let prod = &RepoConfig::load(dir.path()).unwrap().environments[&Env::Prod];
        assert_eq!(prod.profile.as_deref(), Some("islandis-prod"));
        assert_eq!(prod.account.as_deref(), Some("251502586493"));
    }

    #[test]
    fn project_names() {
        assert!(check_project_name("application-system-api").is_ok());
        assert!(check_project_name("services-bff_v2.1").is_ok());
        for bad in ["", "..", "a/b", "a b", "api*"] {
            assert!(check_project_name(bad).is_err(), "{bad}");
        }
    }
}
