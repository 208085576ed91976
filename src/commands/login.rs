//! `secrets login`: signs in to IAM Identity Center for an SSO profile with the device
//! authorization flow, as `aws sso login` does, and caches the token where the AWS CLI and the
//! SDK read it, so one sign-in serves both tools and every profile of that SSO session.

use anyhow::Result;

use crate::error::{Error, exit};
use crate::output::Output;
use crate::store::ssm::AwsSettings;
use crate::store::ssm::sso::{self, SsoTarget};

/// What `login` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The profile to sign in.
    pub profile: String,
    /// Open the verification page in the browser (only ever on a terminal).
    pub browser: bool,
}

/// Signs `opts.profile` in.
pub async fn run(opts: Options, settings: &AwsSettings, out: &mut Output) -> Result<u8> {
    let target = sso::target(&opts.profile)
        .await
        .ok_or_else(|| Error::NotSso {
            profile: opts.profile.clone(),
        })?;
    sign_in(&target, settings, opts.browser, out).await?;
    Ok(exit::OK)
}

/// The device flow for `target`: the page and code said (and the page opened in the browser
/// when `browser`), then the wait for its approval.
pub async fn sign_in(
    target: &SsoTarget,
    settings: &AwsSettings,
    browser: bool,
    out: &mut Output,
) -> Result<(), Error> {
    let expires = sso::login(target, settings, |a| {
        let url = a.url_with_code.as_deref().unwrap_or(&a.url);
        out.info(&format!(
            "To sign in to {}, open {url}\nand check that the page shows the code {}.",
            target.start_url, a.code
        ));
        if browser {
            open(url);
        }
        out.info("Waiting for the sign-in to be approved (Ctrl-C to stop)...");
    })
    .await?;
    let until = aws_smithy_types::DateTime::from(expires)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap_or_default();
    let session = match &target.session {
        Some(name) => format!("SSO session {name}"),
        None => format!("profile {}", target.profile),
    };
    out.info(&format!("Signed in ({session}) until {until}."));
    Ok(())
}

/// Opens `url` in the user's browser; a failure only means the user opens it by hand (the
/// URL was printed).
fn open(url: &str) {
    let opener = if cfg!(target_os = "macos") {
        "open"
    } else {
        "xdg-open"
    };
    let _ = std::process::Command::new(opener)
        .arg(url)
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn();
}
