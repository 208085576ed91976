//! `secrets whoami`: which account and identity the other commands would act as.

use std::time::SystemTime;

use anyhow::Result;

use crate::error::{Error, exit};
use crate::output::Output;
use crate::store::SecretStore;

/// Prints the identity and session; exit 3 when the credentials do not work.
pub async fn run<S: SecretStore>(store: &S, json: bool, out: &mut Output) -> Result<u8> {
    let id = store.identity().await.map_err(Error::from)?;
    let session = store.session().await;
    let now = SystemTime::now();
    if json {
        let value = serde_json::json!({
            "profile": session.profile,
            "profile_from_secrets_toml": session.from_repo,
            "ignored_profile": session.ignored_profile,
            "region": session.region,
            "endpoint": session.endpoint,
            "endpoint_source": session.endpoint_source,
            "account": id.account,
            "arn": id.arn,
            "credentials": session.source,
            "expires_at": session.expires_at,
            "expires_in_seconds": session.expires.map(|t| seconds_left(t, now)),
        });
        writeln!(out.data(), "{value:#}")?;
        return Ok(exit::OK);
    }
    let profile = match (&session.profile, &session.ignored_profile) {
        (Some(p), _) if session.from_repo => format!(
            "{p} (.secrets.toml's default environment: no --profile, AWS_PROFILE or keys in \
             the environment chose one)"
        ),
        (Some(p), _) => p.clone(),
        (None, Some(ignored)) => format!(
            "(none: AWS_PROFILE={ignored} is ignored because AWS_ACCESS_KEY_ID is set; \
             pass --profile {ignored} to use it)"
        ),
        (None, None) => "(none)".to_string(),
    };
    let rows = [
        ("profile", profile),
        ("region", session.region),
        (
            "endpoint",
            format!("{} ({})", session.endpoint, session.endpoint_source),
        ),
        ("account", id.account),
        ("arn", id.arn),
        ("credentials", session.source),
        (
            "expires",
            session
                .expires
                .map_or_else(|| "(not reported)".into(), |t| remaining(t, now)),
        ),
    ];
    for (key, value) in rows {
        writeln!(out.data(), "{key:<12} {value}")?;
    }
    Ok(exit::OK)
}

fn seconds_left(t: SystemTime, now: SystemTime) -> i64 {
    match t.duration_since(now) {
        Ok(d) => d.as_secs() as i64,
        Err(e) => -(e.duration().as_secs() as i64),
    }
}

/// `in 3h12m`, `in 4m`, or `expired 5m ago`.
fn remaining(t: SystemTime, now: SystemTime) -> String {
    let secs = seconds_left(t, now);
    let span = |s: i64| {
        let (h, m) = (s / 3600, (s % 3600) / 60);
        if h > 0 {
            format!("{h}h{m:02}m")
        } else {
            format!("{m}m")
        }
    };
    if secs >= 0 {
        format!("in {}", span(secs))
    } else {
        format!("expired {} ago", span(-secs))
    }
}

#[cfg(test)]
mod tests {
    use std::time::Duration;

    use super::*;

    #[test]
    fn remaining_time_reads_like_a_person_wrote_it() {
        let now = SystemTime::UNIX_EPOCH + Duration::from_secs(1_000_000);
        assert_eq!(
            remaining(now + Duration::from_secs(3 * 3600 + 12 * 60 + 5), now),
            "in 3h12m"
        );
        assert_eq!(remaining(now + Duration::from_secs(240), now), "in 4m");
        assert_eq!(
            remaining(now - Duration::from_secs(300), now),
            "expired 5m ago"
        );
    }
}
