//! `secrets doctor`: everything a developer's setup needs, checked at once, one line per
//! check with the exact fix when it fails. The network checks of every account run
//! concurrently: about one round trip per account.

mod local;

use std::path::PathBuf;

use anyhow::Result;
use futures_util::future::join_all;

use crate::error::{Error, Report, exit};
use crate::output::{Output, count};
use crate::store::SecretStore;
use crate::store::ssm::sso::{SsoTarget, TokenState};

pub use local::local_checks;

/// How a check came out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// Fine.
    Ok,
    /// Worth fixing; nothing fails because of it.
    Warn,
    /// Required, and not met: `doctor` exits 1.
    Fail,
}

impl State {
    fn word(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Warn => "warn",
            State::Fail => "FAIL",
        }
    }
}

/// One check's outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked, e.g. `dev: credentials`.
    pub name: String,
    /// How it came out.
    pub state: State,
    /// What was found.
    pub detail: String,
    /// The exact fix, when it is not ok.
    pub fix: Option<String>,
}

impl Check {
    /// A passed check.
    pub fn ok(name: impl Into<String>, detail: impl Into<String>) -> Self {
        Self::new(name, State::Ok, detail, None)
    }

    /// A check in `state` with its fix.
    pub fn new(
        name: impl Into<String>,
        state: State,
        detail: impl Into<String>,
        fix: Option<String>,
    ) -> Self {
        Check {
            name: name.into(),
            state,
            detail: detail.into(),
            fix,
        }
    }
}

/// One account to check: an environment of .secrets.toml, or the current profile.
pub struct Target<S> {
    /// `dev`, or `profile NAME` / `default credentials` without environments.
    pub label: String,
    /// The profile, if one is named.
    pub profile: Option<String>,
    /// Whether the config files define that profile.
    pub profile_exists: bool,
    /// The account it must reach, if configured.
    pub expected: Option<String>,
    /// Its SSO session and the token cache's state, for an SSO profile.
    pub sso: Option<(SsoTarget, TokenState)>,
    /// Its store, or why none could be built.
    pub store: Result<S, Error>,
    /// The namespace whose metadata is read (`/k8s/`).
    pub prefix: String,
}

/// Runs the account checks, prints every check, and returns the exit code.
pub async fn run<S: SecretStore>(
    mut checks: Vec<Check>,
    targets: Vec<Target<S>>,
    json: bool,
    out: &mut Output,
) -> Result<u8> {
    let accounts = join_all(targets.iter().map(account_checks)).await;
    checks.extend(accounts.into_iter().flatten());
    if json {
        let items: Vec<serde_json::Value> = checks
            .iter()
            .map(|c| {
                serde_json::json!({
                    "check": c.name, "state": c.state.word().to_lowercase(),
                    "detail": c.detail, "fix": c.fix,
                })
            })
            .collect();
        writeln!(out.data(), "{:#}", serde_json::Value::Array(items))?;
    } else {
        let width = checks.iter().map(|c| c.name.len()).max().unwrap_or(0);
        for c in &checks {
            writeln!(
                out.data(),
                "{:<4}  {:<width$}  {}",
                c.state.word(),
                c.name,
                c.detail
            )?;
            if let Some(fix) = &c.fix {
                writeln!(out.data(), "      {:<width$}  fix: {fix}", "")?;
            }
        }
    }
    let failed = checks.iter().filter(|c| c.state == State::Fail).count();
    out.info(&format!(
        "doctor: {}, {failed} failed, {} to look at",
        count(checks.len(), "check"),
        checks.iter().filter(|c| c.state == State::Warn).count()
    ));
    Ok(if failed == 0 { exit::OK } else { exit::FAILURE })
}

/// One account's checks: the profile, its SSO session, credentials and account (STS), and
/// DescribeParameters on the namespace (one metadata call, never a value).
async fn account_checks<S: SecretStore>(t: &Target<S>) -> Vec<Check> {
    let name = |what: &str| format!("{}: {what}", t.label);
    let mut checks = Vec::new();
    if let Some(profile) = &t.profile {
        checks.push(match t.profile_exists {
            true => Check::ok(name("profile"), format!("{profile} is configured")),
            false => Check::new(
                name("profile"),
                State::Fail,
                format!("no profile {profile} in the AWS config files"),
                Some(
                    "`secrets setup` (from [sso] in .secrets.toml), or `aws configure sso`".into(),
                ),
            ),
        });
        if !t.profile_exists {
            return checks;
        }
    }
    if let Some((sso, state)) = &t.sso {
        let login = Some(format!("secrets login --profile {}", sso.profile));
        checks.push(match state {
            TokenState::Valid(until) => {
                let left = until
                    .duration_since(std::time::SystemTime::now())
                    .unwrap_or_default()
                    .as_secs();
                Check::ok(
                    name("SSO session"),
                    format!("signed in, {}h{:02}m left", left / 3600, left % 3600 / 60),
                )
            }
            TokenState::Refreshable => Check::ok(
                name("SSO session"),
                "expired, and renews itself with its refresh token",
            ),
            TokenState::Expired => {
                Check::new(name("SSO session"), State::Fail, "expired", login.clone())
            }
            TokenState::Missing => Check::new(
                name("SSO session"),
                State::Fail,
                "not signed in",
                login.clone(),
            ),
        });
        if matches!(state, TokenState::Expired | TokenState::Missing) {
            return checks;
        }
    }
    let store = match &t.store {
        Ok(store) => store,
        Err(e) => {
            checks.push(failed(name("credentials"), &Report::from(e)));
            return checks;
        }
    };
    let identity = match store.identity().await {
        Ok(id) => id,
        Err(e) => {
            checks.push(failed(name("credentials"), &Report::from(&e)));
            return checks;
        }
    };
    checks.push(Check::ok(
        name("credentials"),
        format!("{} in account {}", identity.arn, identity.account),
    ));
    match &t.expected {
        Some(want) if *want != identity.account => {
            checks.push(Check::new(
                name("account"),
                State::Fail,
                format!(
                    "the profile reaches {}, .secrets.toml says {want}",
                    identity.account
                ),
                Some(format!(
                    "fix `profile` or `account` of [environments.{}] in .secrets.toml",
                    t.label
                )),
            ));
            return checks;
        }
        Some(want) => checks.push(Check::ok(name("account"), format!("{want}, as configured"))),
        None => {}
    }
    let probe = vec![format!("{}doctor-probe", t.prefix)];
    checks.push(match store.existing(&probe).await {
        Ok(_) => Check::ok(
            name("ssm:DescribeParameters"),
            format!("allowed on {}", t.prefix),
        ),
        Err(e) => failed(name("ssm:DescribeParameters"), &Report::from(&e)),
    });
    checks
}

/// A failed check from a failure's report: its sentence, and its hint as the fix.
fn failed(name: String, report: &Report) -> Check {
    let (message, hint) = report.parts();
    Check::new(name, State::Fail, message, hint.map(str::to_string))
}

/// Where the root's files are, for the local checks.
#[derive(Debug, Clone)]
pub struct Local {
    /// The repository root, if found.
    pub root: Option<PathBuf>,
    /// The env file's name relative to the root.
    pub file: String,
    /// `.secrets.toml`'s state: None if fine or absent (with `present`), else the error.
    pub config_error: Option<Report>,
    /// Whether `.secrets.toml` exists.
    pub config_present: bool,
}
