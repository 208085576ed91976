//! The commands' decisions, tested in-process: an in-memory store, a scripted prompter and
//! captured output, no binary and no AWS. What touches the SDK, credentials or the binary's
//! contract is tested against moto in `tests/it/`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use super::{create, exec, fetch, get, list, whoami};
use crate::config::RepoConfig;
use crate::envfile::{Entry, Format, Target};
use crate::error::Error;
use crate::interrupt::Interrupts;
use crate::model::{Env, SecretValue, Tier};
use crate::output::capture::Captured;
use crate::output::{Output, Verbosity};
use crate::prompt::Prompter;
use crate::prompt::scripted::{Answer, Scripted};
use crate::store::memory::MemoryStore;
use crate::store::{CredentialProblem, SignIn, StoreError};

fn output() -> (Output, Captured) {
    Output::capture(Verbosity::default())
}

/// Fails the test if any of `values` appears in what the command printed.
fn no_values(captured: &Captured, values: &[&str]) {
    for v in values {
        assert!(!captured.stderr().contains(v), "a value appeared on stderr");
        assert!(!captured.stdout().contains(v), "a value appeared on stdout");
    }
}

fn request(projects: &[&str], root: Option<PathBuf>) -> fetch::Request {
    let projects = projects.iter().map(|p| p.to_string()).collect();
    fetch::Request::new(projects, root, RepoConfig::default(), Env::Dev, false).unwrap()
}

fn fixture() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/monorepo")
}

/// `get` in the repository that holds `file` (it has no infra code: only the sweep counts).
fn get_options(projects: &[&str], file: &Path) -> get::Options {
    get::Options {
        fetch: request(projects, file.parent().map(Path::to_path_buf)),
        reset: false,
        target: Target::File(file.to_path_buf()),
        format: Format::Export,
        dry_run: false,
    }
}

#[tokio::test]
async fn get_merges_in_place_keeps_foreign_lines_and_never_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".env.secret");
    let store = MemoryStore::new("1").with(&[
        ("/k8s/merge/API_KEY", "api-key-value-2"),
        ("/k8s/merge/NEW_ONE", "new-one-value"),
    ]);
    let before = "# my own settings\nexport MINE='keep me'\n\nexport API_KEY='stale'\nFOO=bar # comment\nexport API_KEY='stale again'\n";
    std::fs::write(&file, before).unwrap();
    for _ in 0..3 {
        let (mut out, captured) = output();
        let opts = get_options(&["merge"], &file);
        get::validate(&opts).unwrap();
        assert_eq!(
            get::run(opts, dir.path(), &store, &mut out).await.unwrap(),
            0
        );
        no_values(&captured, &["api-key-value-2", "new-one-value"]);
    }
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "# my own settings\nexport MINE='keep me'\n\nexport API_KEY='api-key-value-2'\nFOO=bar # comment\nexport NEW_ONE='new-one-value'\n"
    );
}

#[tokio::test]
async fn get_reset_and_dry_run() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".env.secret");
    let store = MemoryStore::new("1").with(&[
        ("/k8s/dry/KEEP", "keep-value-1"),
        ("/k8s/dry/CHANGE", "change-value-2"),
        ("/k8s/dry/ADD", "add-value-3"),
    ]);
    let before = "export KEEP='keep-value-1'\nexport CHANGE='old-value'\n";
    std::fs::write(&file, before).unwrap();
    let (mut out, captured) = output();
    let opts = get::Options {
        dry_run: true,
        ..get_options(&["dry"], &file)
    };
    get::run(opts, dir.path(), &store, &mut out).await.unwrap();
    assert_eq!(
        captured.stdout(),
        "new       ADD\nchanged   CHANGE\nunchanged KEEP\n"
    );
    assert_eq!(
        captured.stderr(),
        "dry: 3 secrets would be written to .env.secret (1 new, 1 changed, 1 unchanged); account 1\n"
    );
    assert_eq!(std::fs::read_to_string(&file).unwrap(), before);

    let (mut out, _) = output();
    let opts = get::Options {
        reset: true,
        ..get_options(&["dry"], &file)
    };
    get::run(opts, dir.path(), &store, &mut out).await.unwrap();
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "export ADD='add-value-3'\nexport CHANGE='change-value-2'\nexport KEEP='keep-value-1'\n"
    );
}

#[tokio::test]
async fn get_with_several_projects_reports_each_and_later_projects_win() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".env.secret");
    let store = MemoryStore::new("1").with(&[
        ("/k8s/a/SHARED", "shared-from-a"),
        ("/k8s/a/ONLY_A", "only-a-value"),
        ("/k8s/b/SHARED", "shared-from-b"),
        ("/k8s/empty/", "not-a-variable"),
    ]);
    let (mut out, captured) = output();
    get::run(
        get_options(&["a", "b", "empty"], &file),
        dir.path(),
        &store,
        &mut out,
    )
    .await
    .unwrap();
    assert_eq!(
        captured.stderr().lines().collect::<Vec<_>>(),
        [
            "warning: empty: skipped /k8s/empty/: `` is not a valid environment variable name",
            "warning: empty: no secrets found (check the project name, --profile and --region)",
            "warning: SHARED: /k8s/b/SHARED overrides /k8s/a/SHARED (later projects win)",
            "a: 1 secret written to .env.secret (1 new, 0 changed, 0 unchanged); account 1",
            "b: 1 secret written to .env.secret (1 new, 0 changed, 0 unchanged); account 1",
            "empty: 0 secrets written to .env.secret (0 new, 0 changed, 0 unchanged); account 1",
        ]
    );
    assert_eq!(
        std::fs::read_to_string(&file).unwrap(),
        "export ONLY_A='only-a-value'\nexport SHARED='shared-from-b'\n"
    );
}

#[tokio::test]
async fn get_reads_the_infra_and_fetches_declared_paths_outside_the_prefix_by_name() {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join(".env.secret");
    let store = MemoryStore::new("1").with(&[
        ("/k8s/api/IP_API_KEY", "ip-api-key-value"),
        ("/k8s/documents/DOCUMENTS_TOKEN", "documents-value"),
    ]);
    let (mut out, _) = output();
    let opts = get::Options {
        fetch: request(&["api"], Some(fixture())),
        ..get_options(&["api"], &file)
    };
    get::run(opts, dir.path(), &store, &mut out).await.unwrap();
    let calls = store.calls();
    assert!(
        calls.contains(&"list_under /k8s/api/".to_string()),
        "{calls:?}"
    );
    let by_name = calls.iter().find(|c| c.starts_with("get_many")).unwrap();
    assert!(
        by_name.contains("/k8s/documents/DOCUMENTS_TOKEN"),
        "{by_name}"
    );
    assert!(
        !by_name.contains("/k8s/api/IP_API_KEY"),
        "the sweep covers it: {by_name}"
    );
    let text = std::fs::read_to_string(&file).unwrap();
    assert!(
        text.contains("export INTELLECTUAL_PROPERTY_API_KEY='ip-api-key-value'\n"),
        "{text}"
    );
    assert!(
        text.contains("export DOCUMENTS_TOKEN='documents-value'\n"),
        "{text}"
    );
}

#[tokio::test]
async fn list_shows_statuses_and_check_fails_on_missing() {
    let store = MemoryStore::new("1").with(&[
        ("/k8s/payments/PAYMENT_USER", "payment-user-value"),
        ("/k8s/api/EXTRA_SWEPT", "extra-swept-value"),
        ("/k8s/api/NOVA_PASSWORD", "nova-password-value"),
    ]);
    let opts = |json, check| list::Options {
        fetch: request(&["api"], Some(fixture())),
        json,
        check,
    };
    let (mut out, captured) = output();
    assert_eq!(
        list::run(opts(false, false), &store, &mut out)
            .await
            .unwrap(),
        0
    );
    let stdout = captured.stdout();
    let row = |name: &str| {
        stdout
            .lines()
            .find(|l| l.starts_with(&format!("{name} ")))
            .map(|l| l.split_whitespace().collect::<Vec<_>>())
    };
    assert_eq!(
        row("XROAD_PAYMENT_USER").unwrap().last(),
        Some(&"ok"),
        "{stdout}"
    );
    assert_eq!(row("CONTENTFUL_TOKEN").unwrap().last(), Some(&"missing"));
    assert_eq!(
        row("EXTRA_SWEPT").unwrap(),
        ["EXTRA_SWEPT", "/k8s/api/EXTRA_SWEPT", "sweep", "undeclared"]
    );
    assert!(
        row("NOVA_PASSWORD").is_none(),
        "excluded names are not listed"
    );
    no_values(&captured, &["payment-user-value", "extra-swept-value"]);

    let (mut out, captured) = output();
    let err = list::run(opts(true, true), &store, &mut out)
        .await
        .unwrap_err();
    let err = err.downcast_ref::<Error>().unwrap();
    assert_eq!(err.exit_code(), 1);
    assert!(
        err.to_string()
            .ends_with(" declared secrets missing from SSM"),
        "{err}"
    );
    let items: serde_json::Value = serde_json::from_str(&captured.stdout()).unwrap();
    let ok: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "ok")
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(ok, ["PAYMENT_BACKUP_USER", "XROAD_PAYMENT_USER"]);
}

#[tokio::test]
async fn an_unknown_project_is_exit_4_with_close_names() {
    let store = MemoryStore::new("1");
    let (mut out, _) = output();
    let opts = list::Options {
        fetch: request(&["apii"], Some(fixture())),
        json: false,
        check: false,
    };
    let err = list::run(opts, &store, &mut out).await.unwrap_err();
    let err = err.downcast_ref::<Error>().unwrap();
    assert_eq!(err.exit_code(), 4);
    assert_eq!(err.hint().as_deref(), Some("did you mean api?"));
}

#[test]
fn exec_replaces_or_keeps_variables_already_set() {
    let entries = [
        Entry {
            name: "PLAIN_KEY".into(),
            value: SecretValue::new("plain-exec-value".into()),
        },
        Entry {
            name: "OTHER".into(),
            value: SecretValue::new("other-exec-value".into()),
        },
    ];
    let is_set = |name: &str| name == "PLAIN_KEY";
    let (mut out, captured) = output();
    let added = exec::environment(&entries, &is_set, false, &mut out);
    assert_eq!(added.len(), 2);
    assert_eq!(
        captured.stderr(),
        "warning: PLAIN_KEY was already set; replaced it with the secret\n"
    );
    let (mut out, captured) = output();
    let added = exec::environment(&entries, &is_set, true, &mut out);
    assert_eq!(
        added.iter().map(|e| e.name.as_str()).collect::<Vec<_>>(),
        ["OTHER"]
    );
    assert_eq!(
        captured.stderr(),
        "warning: PLAIN_KEY is already set; kept it (--no-clobber)\n"
    );
    no_values(&captured, &["plain-exec-value", "other-exec-value"]);
}

#[tokio::test]
async fn whoami_shows_the_session_the_store_reports() {
    let store = MemoryStore::new("123456789012");
    let (mut out, captured) = output();
    whoami::run(&store, false, &mut out).await.unwrap();
    let text = captured.stdout();
    assert!(text.contains("account      123456789012\n"), "{text}");
    assert!(text.contains("endpoint     memory (test)\n"), "{text}");
}

fn create_options(name: Option<&str>, value: Option<&str>) -> create::Options {
    create::Options {
        name: name.map(str::to_string),
        value: match value {
            Some(v) => create::ValueSource::Literal(SecretValue::new(v.into())),
            None => create::ValueSource::Ask,
        },
        kind: None,
        tags: Vec::new(),
        description: None,
        key_id: None,
        tier: Tier::Standard,
        overwrite: false,
        yes: true,
        json: false,
        dry_run: false,
        prefix: "/k8s/".into(),
    }
}

fn accounts(stores: Vec<(&str, MemoryStore)>) -> Vec<create::Account<MemoryStore>> {
    stores
        .into_iter()
        .map(|(profile, store)| create::Account::new(Some(profile.to_string()), store))
        .collect()
}

async fn create_run(
    opts: create::Options,
    prompter: Scripted,
    stores: Vec<(&str, MemoryStore)>,
) -> (
    anyhow::Result<u8>,
    Captured,
    Vec<create::Account<MemoryStore>>,
    Arc<Scripted>,
) {
    let scripted = Arc::new(prompter);
    let prompter: Arc<dyn Prompter> = scripted.clone();
    let (mut out, captured) = output();
    let plan = match create::plan(opts, prompter.interactive(), &mut std::io::empty()) {
        Ok(plan) => plan,
        Err(e) => return (Err(e), captured, accounts(stores), scripted),
    };
    let job = match create::complete(plan, &prompter, &mut out).await {
        Ok(job) => job,
        Err(e) => return (Err(e), captured, accounts(stores), scripted),
    };
    let (_, interrupts) = Interrupts::manual();
    let accts = accounts(stores);
    let result = create::run(job, &accts, &prompter, &mut out, &interrupts).await;
    (result, captured, accts, scripted)
}

#[tokio::test]
async fn create_plans_before_asking_or_connecting() {
    // Invalid flags are refused before any question, without a terminal and with one.
    for prompter in [Scripted::nobody(), Scripted::person(vec![])] {
        let (result, _, _, scripted) = create_run(
            create_options(Some("bad name"), Some("v-123456")),
            prompter,
            vec![],
        )
        .await;
        let err = result.unwrap_err();
        assert_eq!(err.downcast_ref::<Error>().unwrap().exit_code(), 2);
        assert!(scripted.asked().is_empty());
    }
    // Without a terminal, a missing --yes is known before anything is sent.
    let opts = create::Options {
        yes: false,
        ..create_options(Some("my-app/KEY_1"), Some("v-123456"))
    };
    let (result, _, _, _) = create_run(opts, Scripted::nobody(), vec![]).await;
    assert_eq!(
        result.unwrap_err().to_string(),
        "creating a secret needs confirmation, and there is no terminal to ask on"
    );
    // A dry run asks nothing, so it needs no --yes.
    let opts = create::Options {
        yes: false,
        dry_run: true,
        ..create_options(Some("my-app/KEY_1"), Some("v-123456"))
    };
    let (result, _, _, _) = create_run(opts, Scripted::nobody(), vec![]).await;
    assert!(result.is_ok(), "{result:?}");
}

#[tokio::test]
async fn create_in_two_accounts_reports_each_and_a_failure_does_not_hide_the_other() {
    let denied = |path: &str| StoreError::AccessDenied {
        action: "PutParameter",
        path: path.to_string(),
        identity: "arn:aws:iam::222:user/tester".into(),
    };
    let stores = vec![
        ("dev", MemoryStore::new("111")),
        (
            "prod",
            MemoryStore::new("222").failing("put", Box::new(denied)),
        ),
    ];
    let (result, captured, accounts, _) = create_run(
        create_options(Some("my-app/HALF"), Some("half-value")),
        Scripted::nobody(),
        stores,
    )
    .await;
    assert_eq!(result.unwrap(), 1);
    assert_eq!(
        accounts[0].store.get("/k8s/my-app/HALF"),
        Some(("half-value".to_string(), 1))
    );
    assert_eq!(accounts[1].store.get("/k8s/my-app/HALF"), None);
    assert_eq!(
        captured.stdout(),
        "Created /k8s/my-app/HALF (SecureString, version 1) in 111 (dev)\n"
    );
    assert!(captured.stderr().starts_with(
        "error: in 222 (prod): access denied: arn:aws:iam::222:user/tester may not call PutParameter on /k8s/my-app/HALF\n"
    ), "{}", captured.stderr());
    no_values(&captured, &["half-value"]);
}

#[tokio::test]
async fn create_refuses_everywhere_when_one_account_cannot_sign_in_or_has_the_name() {
    let expired = |_: &str| StoreError::Credentials {
        problem: CredentialProblem::Expired,
        sign_in: SignIn::Sso("prod".into()),
        detail: String::new(),
    };
    let dev = MemoryStore::new("111");
    let stores = vec![
        ("dev", dev),
        (
            "prod",
            MemoryStore::new("222").failing("identity", Box::new(expired)),
        ),
    ];
    let (result, captured, accounts, _) = create_run(
        create_options(Some("my-app/NOWHERE"), Some("nowhere-value")),
        Scripted::nobody(),
        stores,
    )
    .await;
    assert_eq!(result.unwrap(), 3);
    assert_eq!(accounts[0].store.get("/k8s/my-app/NOWHERE"), None);
    assert!(
        !accounts[0]
            .store
            .calls()
            .iter()
            .any(|c| c.starts_with("put"))
    );
    assert!(
        captured
            .stderr()
            .contains("hint: run `secrets login --profile prod` and try again\n")
    );
    assert!(captured.stderr().ends_with("nothing was created\n"));

    let stores = vec![
        ("dev", MemoryStore::new("111")),
        (
            "prod",
            MemoryStore::new("222").with(&[("/k8s/my-app/TAKEN", "old-value-1")]),
        ),
    ];
    let (result, captured, _, _) = create_run(
        create_options(Some("my-app/TAKEN"), Some("new-value-1")),
        Scripted::nobody(),
        stores,
    )
    .await;
    assert_eq!(result.unwrap(), 5);
    assert!(
        captured
            .stderr()
            .starts_with("error: /k8s/my-app/TAKEN already exists in 222 (prod): version 1")
    );
    assert_eq!(captured.stdout(), "");
}

#[tokio::test]
async fn create_walks_the_questions_and_ctrl_c_at_the_confirmation_creates_nothing() {
    let opts = create::Options {
        yes: false,
        ..create_options(None, None)
    };
    let person = Scripted::person(vec![
        Answer::Text("my-app/TYPED_KEY".into()),
        Answer::Text("typed-value-1".into()),
        Answer::Yes(true),
        Answer::Yes(false),
        Answer::Interrupt,
    ]);
    let store = MemoryStore::new("111");
    let (result, captured, _, scripted) = create_run(opts, person, vec![("dev", store)]).await;
    let err = result.unwrap_err();
    let err = err.downcast_ref::<Error>().unwrap();
    assert_eq!(err.exit_code(), 130);
    assert_eq!(err.to_string(), "interrupted: nothing was created");
    assert_eq!(
        scripted.asked(),
        [
            "Secret name: /k8s/",
            "Secret value (hidden, typed twice)",
            "SecureString?",
            "Add tags?",
            "Are you sure?"
        ]
    );
    assert!(
        captured
            .stderr()
            .contains("About to create /k8s/my-app/TYPED_KEY (SecureString)\n  in account 111")
    );
    no_values(&captured, &["typed-value-1"]);
}

#[tokio::test]
async fn a_declined_confirmation_creates_nothing() {
    let opts = create::Options {
        yes: false,
        ..create_options(Some("my-app/DECLINED"), Some("declined-value"))
    };
    let (result, captured, _, _) = create_run(
        opts,
        Scripted::person(vec![Answer::Yes(false)]),
        vec![("dev", MemoryStore::new("1"))],
    )
    .await;
    assert_eq!(result.unwrap(), 1);
    assert!(captured.stderr().ends_with("nothing was created\n"));
}

fn audit_plan(envs: &[Env]) -> super::audit::Plan {
    let (services, deployments) = crate::infra::read_for_audit(&fixture(), envs);
    super::audit::Plan {
        services,
        deployments,
        prefix: "/k8s/".into(),
        format: super::audit::Format::Json,
        unreferenced: false,
        rules: crate::config::RepoConfig::default().rules(),
        step_summary: None,
    }
}

#[tokio::test]
async fn audit_checks_every_identity_before_looking_anything_up() {
    let targets = vec![
        super::audit::Target {
            env: Env::Dev,
            profile: Some("dev".into()),
            label: "dev".into(),
            expected: Some("111".into()),
            store: MemoryStore::new("111"),
        },
        super::audit::Target {
            env: Env::Prod,
            profile: Some("prod".into()),
            label: "prod".into(),
            expected: Some("333".into()),
            store: MemoryStore::new("999"),
        },
    ];
    let (mut out, captured) = output();
    let code = super::audit::run(audit_plan(&[Env::Dev, Env::Prod]), &targets, &mut out)
        .await
        .unwrap();
    assert_eq!(code, 2);
    assert!(captured.stderr().starts_with(
        "error: prod: profile prod signs in to account 999, but .secrets.toml says 333\n"
    ));
    for t in &targets {
        assert_eq!(t.store.calls(), ["identity "], "nothing looked up");
    }
}

#[tokio::test]
async fn audit_reads_each_environment_with_its_features_and_charts() {
    let dev = MemoryStore::new("111");
    let targets = vec![super::audit::Target {
        env: Env::Dev,
        profile: None,
        label: "default credentials".into(),
        expected: None,
        store: dev,
    }];
    let (mut out, captured) = output();
    let code = super::audit::run(audit_plan(&[Env::Dev]), &targets, &mut out)
        .await
        .unwrap();
    assert_eq!(code, 1, "an empty account misses everything");
    let doc: serde_json::Value = serde_json::from_str(&captured.stdout()).unwrap();
    let missing: Vec<&str> = doc["missing"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["path"].as_str().unwrap())
        .collect();
    // beta-thing is on in dev, driving-license only in prod.
    assert!(missing.contains(&"/k8s/api/BETA_KEY"));
    assert!(!missing.contains(&"/k8s/api/DRIVING_LICENSE_KEY"));
    let services: Vec<(&str, bool)> = doc["services"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            (
                s["service"].as_str().unwrap(),
                s["charted"].as_bool().unwrap(),
            )
        })
        .collect();
    assert!(services.contains(&("user-profile-worker", true)));
    assert!(services.contains(&("application-system-api", false)));
    // One existence check for the whole account, never a value.
    let calls = targets[0].store.calls();
    assert_eq!(
        calls.iter().filter(|c| c.starts_with("existing")).count(),
        1
    );
    assert!(
        !calls
            .iter()
            .any(|c| c.starts_with("get_many") || c.starts_with("list_under"))
    );
}
