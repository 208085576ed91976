//! `cp`, `mv` and `rm` decisions, in-process: what happens when an account cannot sign in,
//! when a delete fails, when the plan is declined or interrupted at its question. Their
//! contract with SSM (batches, throttling, Ctrl-C on a terminal) is tested against moto in
//! `tests/it/lifecycle.rs`.

use std::sync::Arc;

use super::accounts::Account;
use super::plan::Confirm;
use super::{copy, remove};
use crate::error::Error;
use crate::interrupt::Interrupts;
use crate::output::capture::Captured;
use crate::output::{Output, Verbosity};
use crate::prompt::Prompter;
use crate::prompt::scripted::{Answer, Scripted};
use crate::store::memory::MemoryStore;
use crate::store::{CredentialProblem, SignIn, StoreError};

fn account(profile: &str, store: MemoryStore) -> Account<MemoryStore> {
    Account::new(Some(profile.to_string()), store)
}

fn rm_plan(names: &[&str], confirm: Confirm, interactive: bool) -> remove::Plan {
    remove::plan(
        remove::Options {
            names: names.iter().map(|n| n.to_string()).collect(),
            prefix: None,
            confirm,
            namespace: "/k8s/".into(),
        },
        interactive,
    )
    .unwrap()
}

/// `cp`/`mv` SRC DST with --yes and no terminal; `prefix`, `moving` and `same_account` as given.
fn cp_plan(src: &str, dst: &str, prefix: bool, moving: bool, same_account: bool) -> copy::Plan {
    copy::plan(
        copy::Options {
            source: src.into(),
            destination: dst.into(),
            prefix,
            overwrite: false,
            moving,
            same_account,
            confirm: YES,
            update_infra: None,
            namespace: "/k8s/".into(),
        },
        false,
    )
    .unwrap()
}

/// No terminal, captured output, interrupts fired by hand.
fn unattended() -> (
    Arc<dyn Prompter>,
    Output,
    Captured,
    (crate::interrupt::Trigger, Interrupts),
) {
    let (out, seen) = Output::capture(Verbosity::default());
    (
        Arc::new(Scripted::nobody()),
        out,
        seen,
        Interrupts::manual(),
    )
}

const YES: Confirm = Confirm {
    yes: true,
    dry_run: false,
    json: false,
};

#[tokio::test]
async fn a_failed_delete_is_reported_for_every_name_it_carried_with_its_hint() {
    let store = MemoryStore::new("1")
        .with(&[
            ("/k8s/a/ONE", "value-one-111"),
            ("/k8s/a/TWO", "value-two-222"),
        ])
        .failing(
            "delete",
            Box::new(|_| StoreError::AccessDenied {
                action: "DeleteParameters",
                path: "/k8s/a/ONE".into(),
                identity: "arn:aws:iam::1:user/tester".into(),
            }),
        );
    let acct = account("dev", store);
    let (prompter, mut out, seen, (_, interrupts)) = unattended();
    let plan = rm_plan(&["a/ONE", "a/TWO"], YES, false);
    let code = remove::run(plan, &acct, &[], &prompter, &mut out, &interrupts)
        .await
        .unwrap();
    assert_eq!(code, 1);
    assert_eq!(seen.stdout(), "failed /k8s/a/ONE\nfailed /k8s/a/TWO\n");
    assert!(seen.stderr().contains(
        "error: in 1 (dev): deleting 2 parameters (/k8s/a/ONE ...) failed: access denied"
    ));
    assert!(seen.stderr().contains("hint: use a profile whose role may"));
    assert!(!seen.stderr().contains("value-one-111"));
    assert!(acct.store.get("/k8s/a/ONE").is_some());
}

#[tokio::test]
async fn ctrl_c_or_no_at_the_question_deletes_nothing() {
    for (answer, expected) in [(Answer::Interrupt, Err(130)), (Answer::Yes(false), Ok(1))] {
        let acct = account(
            "dev",
            MemoryStore::new("1").with(&[("/k8s/a/ONE", "value-one-111")]),
        );
        let prompter: Arc<dyn Prompter> = Arc::new(Scripted::person(vec![answer]));
        let (mut out, seen) = Output::capture(Verbosity::default());
        let (_, interrupts) = Interrupts::manual();
        let plan = rm_plan(&["a/ONE"], Confirm::default(), true);
        let result = remove::run(plan, &acct, &[], &prompter, &mut out, &interrupts).await;
        match (result, expected) {
            (Ok(code), Ok(want)) => assert_eq!(code, want),
            (Err(e), Err(want)) => {
                let e = e.downcast::<Error>().unwrap();
                assert_eq!(e.exit_code(), want);
                assert_eq!(e.to_string(), "interrupted: nothing was deleted");
            }
            (other, want) => panic!("{:?} instead of {want:?}", other.map_err(|e| e.to_string())),
        }
        assert!(
            seen.stderr()
                .contains("About to delete 1 parameter from account 1")
        );
        assert!(!acct.store.calls().iter().any(|c| c.starts_with("delete")));
        assert!(acct.store.get("/k8s/a/ONE").is_some());
    }
}

#[tokio::test]
async fn a_destination_that_cannot_sign_in_stops_the_move_before_any_read() {
    let from = account(
        "dev",
        MemoryStore::new("1").with(&[("/k8s/api/KEY", "moving-value-1")]),
    );
    let to = account(
        "prod",
        MemoryStore::new("2").failing(
            "identity",
            Box::new(|_| StoreError::Credentials {
                problem: CredentialProblem::Expired,
                sign_in: SignIn::Sso("prod".into()),
                detail: String::new(),
            }),
        ),
    );
    let (prompter, mut out, seen, (_, interrupts)) = unattended();
    let plan = cp_plan("api/KEY", "api-v2/KEY", false, true, false);
    let code = copy::run(plan, &from, &to, &[], &prompter, &mut out, &interrupts)
        .await
        .unwrap();
    assert_eq!(code, 3);
    assert!(seen.stderr().contains(
        "error: profile prod: the AWS credentials of profile prod have expired\nhint: run `secrets login --profile prod`"
    ));
    assert!(seen.stderr().ends_with("nothing was moved\n"));
    assert_eq!(from.store.calls(), ["identity "]);
    assert!(from.store.get("/k8s/api/KEY").is_some());
}

#[tokio::test]
async fn a_move_in_one_account_copies_reads_back_and_then_deletes() {
    let acct = account(
        "dev",
        MemoryStore::new("1").with(&[("/k8s/api/KEY", "moving-value-1")]),
    );
    let (prompter, mut out, seen, (_, interrupts)) = unattended();
    let plan = cp_plan("api/KEY", "api-v2/KEY", false, true, true);
    let code = copy::run(plan, &acct, &acct, &[], &prompter, &mut out, &interrupts)
        .await
        .unwrap();
    assert_eq!(code, 0, "{}", seen.stderr());
    assert_eq!(
        seen.stdout(),
        "moved /k8s/api/KEY -> /k8s/api-v2/KEY (version 1)\n"
    );
    let calls = acct.store.calls();
    let put = calls
        .iter()
        .position(|c| c == "put /k8s/api-v2/KEY")
        .unwrap();
    let back = calls
        .iter()
        .position(|c| c == "get_many /k8s/api-v2/KEY")
        .unwrap();
    let delete = calls
        .iter()
        .position(|c| c == "delete /k8s/api/KEY")
        .unwrap();
    assert!(put < back && back < delete, "{calls:?}");
    assert_eq!(
        acct.store.get("/k8s/api-v2/KEY").unwrap().0,
        "moving-value-1"
    );
    assert!(acct.store.get("/k8s/api/KEY").is_none());
}

#[tokio::test]
async fn a_move_stopped_by_ctrl_c_before_its_writes_keeps_every_source() {
    let names: Vec<String> = (0..12).map(|i| format!("/k8s/api/KEY_{i:02}")).collect();
    let params: Vec<(&str, &str)> = names
        .iter()
        .map(|n| (n.as_str(), "moving-value-x"))
        .collect();
    let acct = account("dev", MemoryStore::new("1").with(&params));
    let (prompter, mut out, seen, (trigger, interrupts)) = unattended();
    trigger.fire();
    let plan = cp_plan("api/", "api-v2/", true, true, true);
    let err = copy::run(plan, &acct, &acct, &[], &prompter, &mut out, &interrupts)
        .await
        .unwrap_err()
        .downcast::<Error>()
        .unwrap();
    assert_eq!(err.exit_code(), 130);
    assert!(
        err.to_string()
            .contains("no source is deleted unless its line says so")
    );
    let lines: Vec<String> = seen.stdout().lines().map(str::to_string).collect();
    assert_eq!(lines.len(), 12);
    assert_eq!(
        lines[0],
        "not-started /k8s/api/KEY_00 -> /k8s/api-v2/KEY_00 (source kept)"
    );
    let calls = acct.store.calls();
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("put") || c.starts_with("delete")),
        "{calls:?}"
    );
    assert!(names.iter().all(|n| acct.store.get(n).is_some()));
}

#[tokio::test]
async fn the_plan_of_a_delete_points_at_the_infra_code_that_still_declares_a_name() {
    let acct = account(
        "dev",
        MemoryStore::new("1").with(&[("/k8s/api/OLD_KEY", "old-value-xyz")]),
    );
    let (prompter, mut out, seen, (_, interrupts)) = unattended();
    let refs = [crate::infra::Reference {
        path: "/k8s/api/OLD_KEY".into(),
        service: "api".into(),
        name: "OLD_KEY".into(),
        file: "apps/api/infra/api.ts".into(),
        line: 12,
        envs: vec!["dev", "prod"],
    }];
    let dry = Confirm {
        dry_run: true,
        ..Confirm::default()
    };
    let plan = rm_plan(&["api/OLD_KEY"], dry, false);
    let code = remove::run(plan, &acct, &refs, &prompter, &mut out, &interrupts)
        .await
        .unwrap();
    assert_eq!(code, 0);
    assert!(seen.stdout().ends_with(
        "  /k8s/api/OLD_KEY\nstill declared at apps/api/infra/api.ts:12: OLD_KEY = /k8s/api/OLD_KEY (api; dev, prod)\n"
    ), "{}", seen.stdout());
    assert_eq!(seen.stderr(), "dry run: nothing was changed\n");
    assert!(acct.store.get("/k8s/api/OLD_KEY").is_some());
}

#[tokio::test]
async fn two_profiles_reaching_one_account_cannot_move_a_name_onto_itself() {
    let from = account(
        "dev",
        MemoryStore::new("1").with(&[("/k8s/api/KEY", "moving-value-1")]),
    );
    let to = account(
        "dev-admin",
        MemoryStore::new("1").with(&[("/k8s/api/KEY", "moving-value-1")]),
    );
    let (prompter, mut out, _seen, (_, interrupts)) = unattended();
    let plan = cp_plan("api/KEY", "api/KEY", false, true, false);
    let err = copy::run(plan, &from, &to, &[], &prompter, &mut out, &interrupts)
        .await
        .unwrap_err()
        .downcast::<Error>()
        .unwrap();
    assert_eq!(err.exit_code(), 2);
    assert_eq!(
        err.to_string(),
        "/k8s/api/KEY overlaps /k8s/api/KEY in account 1 (eu-west-1)"
    );
    for store in [&from.store, &to.store] {
        assert_eq!(store.calls(), ["identity "]);
    }
}

#[tokio::test]
async fn a_copy_carries_the_metadata_but_not_the_tags_aws_owns() {
    use crate::model::{Kind, NewParameter, SecretValue, Tag, Tier};
    use crate::store::SecretStore;
    let acct = account("dev", MemoryStore::new("1"));
    let tag = |key: &str, value: &str| Tag {
        key: key.into(),
        value: value.into(),
    };
    acct.store
        .put(&NewParameter {
            name: "/k8s/api/LIST".into(),
            value: SecretValue::new("a,b,c-list-value".into()),
            kind: Kind::StringList,
            description: Some("three letters".into()),
            key_id: None,
            tier: Tier::Advanced,
            tags: vec![
                tag("team", "core"),
                tag("aws:cloudformation:stack-name", "x"),
            ],
            overwrite: false,
        })
        .await
        .unwrap();
    let (prompter, mut out, _seen, (_, interrupts)) = unattended();
    let plan = cp_plan("api/LIST", "api-v2/LIST", false, false, true);
    let code = copy::run(plan, &acct, &acct, &[], &prompter, &mut out, &interrupts)
        .await
        .unwrap();
    assert_eq!(code, 0);
    let copy = acct
        .store
        .read_full(&["/k8s/api-v2/LIST".to_string()], true)
        .await
        .unwrap();
    let copy = &copy[0];
    assert_eq!(copy.kind, Kind::StringList);
    assert_eq!(copy.description.as_deref(), Some("three letters"));
    assert_eq!(copy.tier, Tier::Advanced);
    assert_eq!(copy.tags, [tag("team", "core")]);
}
