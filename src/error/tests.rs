//! The hints, exit codes and rendering of failures.

use super::*;
use crate::model::Tier;
use crate::store::{CredentialProblem, SignIn};

fn credentials(sign_in: SignIn) -> Error {
    Error::Store(StoreError::Credentials {
        problem: CredentialProblem::Expired,
        sign_in,
        detail: String::new(),
    })
}

#[test]
fn an_ignored_aws_profile_is_named_with_the_fix() {
    let e = credentials(SignIn::Environment {
        ignored_profile: Some("islandis-dev".into()),
    });
    assert_eq!(e.exit_code(), exit::CREDENTIALS);
    let hint = e.hint().unwrap();
    assert!(
        hint.starts_with("AWS_PROFILE=islandis-dev is ignored because AWS_ACCESS_KEY_ID is set"),
        "{hint}"
    );
    assert!(hint.contains("pass --profile islandis-dev"), "{hint}");
}

#[test]
fn with_nothing_selected_the_hint_lists_the_configured_profiles() {
    let e = credentials(SignIn::Nothing {
        profiles: vec!["dev".into(), "prod".into()],
    });
    assert!(
        e.hint()
            .unwrap()
            .starts_with("choose one of your profiles (dev, prod) with")
    );
    let none = credentials(SignIn::Nothing { profiles: vec![] });
    assert!(
        none.hint()
            .unwrap()
            .starts_with("no AWS profile is configured")
    );
}

#[test]
fn the_tier_advice_is_given_once_and_only_where_it_helps() {
    let standard = Error::Invalid {
        field: Field::Value(Tier::Standard),
        reason: "the value is 5000 bytes; the Standard tier allows 4096".into(),
    };
    assert!(!standard.to_string().contains("--tier"));
    assert!(standard.hint().unwrap().contains("--tier Advanced"));
    let advanced = Error::Invalid {
        field: Field::Value(Tier::Advanced),
        reason: String::new(),
    };
    assert_eq!(advanced.hint().as_deref(), Some("shorten it"));
}

#[test]
fn interrupts_exit_130() {
    assert_eq!(
        Error::Interrupted("nothing was created".into()).exit_code(),
        130
    );
    assert_eq!(Error::Store(StoreError::Interrupted).exit_code(), 130);
}

#[test]
fn a_report_shows_the_cause_wherever_it_is_rendered() {
    let err = StoreError::Credentials {
        problem: CredentialProblem::Expired,
        sign_in: SignIn::Profile("bad".into()),
        detail: "token expired: run login".into(),
    };
    let expected = "error: profile bad: the AWS credentials of profile bad have expired\n\
                    cause: token expired: run login\n\
                    hint: refresh the credentials of profile bad in ~/.aws/config or \
                    ~/.aws/credentials (with aws-vault: `aws-vault exec bad -- secrets ...`)\n";
    let per_account = Report::from(&err).within("profile bad");
    assert_eq!(per_account.to_string(), expected);
    assert_eq!(per_account.code(), exit::CREDENTIALS);
    // The same failure ending the command, through `Error`: the same lines.
    let whole = Report::from(&Error::Store(err)).within("profile bad");
    assert_eq!(whole, per_account);
}

#[test]
fn an_interrupt_is_said_as_it_is() {
    let report = Report::from(&Error::Interrupted("nothing was created".into()));
    assert_eq!(report.to_string(), "interrupted: nothing was created\n");
    assert_eq!(report.code(), exit::INTERRUPTED);
}

#[test]
fn a_refused_connection_names_the_endpoint_and_its_fix() {
    let report = Report::from(&StoreError::Connect {
        endpoint: "http://127.0.0.1:9".into(),
        reason: "Connection refused (os error 111)".into(),
    });
    let text = report.to_string();
    assert!(
        text.starts_with(
            "error: cannot connect to http://127.0.0.1:9 (Connection refused (os error 111))\n\
             hint: check the endpoint"
        ),
        "{text}"
    );
    assert_eq!(report.code(), exit::FAILURE);
}
