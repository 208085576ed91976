//! One way to report a failure: the `cause:` line `whoami` shows is shown by every command
//! that reports per account (create with two profiles, cp, rm, audit); a refused connection
//! or an unknown host is said within seconds, naming the endpoint; no request is made for an
//! override nobody declares.

use std::time::{Duration, Instant};

use crate::support::proxy::Proxy;
use crate::support::{Moto, TestEnv, project};

/// The text a failing sign-in prints, as aws-vault or an expired SSO helper would.
const CAUSE: &str = "token expired: run login";

/// A profile `good` reaching a fresh account, and a profile `bad` whose credential_process
/// fails with [`CAUSE`].
fn good_and_bad() -> (TestEnv, crate::support::Account) {
    let account = Moto::account();
    let env = TestEnv::with_moto(&account.url);
    env.aws_config(&format!(
        "[profile good]\nregion = eu-west-1\nendpoint_url = {}\n\n\
         [profile bad]\nregion = eu-west-1\nendpoint_url = {}\n\
         credential_process = sh -c 'echo \"{CAUSE}\" >&2; exit 1'\n",
        account.url, account.url
    ));
    env.aws_credentials(
        "[good]\naws_access_key_id = AKIDGOOD\naws_secret_access_key = good-secret\n",
    );
    (env, account)
}

/// Asserts that `stderr` reports profile `bad`'s failure with the cause line and the hint.
fn assert_cause(stderr: &str) {
    let lines: Vec<&str> = stderr.lines().collect();
    let at = lines
        .iter()
        .position(|l| l.starts_with("error: ") && l.contains("profile bad"))
        .unwrap_or_else(|| panic!("no error line for profile bad:\n{stderr}"));
    assert!(
        lines
            .get(at + 1)
            .is_some_and(|l| l.starts_with("cause: ") && l.contains(CAUSE)),
        "{stderr}"
    );
    assert!(
        lines.get(at + 2).is_some_and(|l| l.starts_with("hint: ")),
        "{stderr}"
    );
}

#[test]
fn the_cause_of_a_failed_sign_in_is_shown_by_every_command_that_reports_per_account() {
    let (env, _account) = good_and_bad();
    // whoami: the reference.
    let run = env.bare_cmd(&["whoami", "--profile", "bad"]).run();
    run.expect_code(3);
    assert_cause(&run.stderr);

    let p = project("cause");
    let name = format!("{p}/KEY");
    let run = env
        .bare_cmd(&[
            "create",
            "--name",
            &name,
            "--value",
            "cause-value-1",
            "-y",
            "--profile",
            "good",
            "--profile",
            "bad",
        ])
        .run();
    run.expect_code(3);
    assert_cause(&run.stderr);

    let run = env
        .bare_cmd(&[
            "cp",
            &name,
            &format!("{p}/COPY"),
            "--from-profile",
            "good",
            "--to-profile",
            "bad",
            "--yes",
        ])
        .run();
    run.expect_code(3);
    assert_cause(&run.stderr);

    let run = env
        .bare_cmd(&["rm", &name, "--profile", "bad", "--yes"])
        .run();
    run.expect_code(3);
    assert_cause(&run.stderr);

    env.write(".secrets.toml", "[environments.dev]\nprofile = \"bad\"\n");
    let run = env.bare_cmd(&["audit"]).run();
    run.expect_code(3);
    assert_cause(&run.stderr);
}

/// Runs `args` against `endpoint` with the default retries and timeout; returns the run and
/// how long it took.
fn against(env: &TestEnv, endpoint: &str, args: &[&str]) -> (crate::support::Run, Duration) {
    let mut all = args.to_vec();
    all.extend(["--endpoint-url", endpoint]);
    let started = Instant::now();
    let run = env.cmd(&all).run();
    (run, started.elapsed())
}

#[test]
fn a_refused_connection_is_said_at_once_naming_the_endpoint() {
    let env = TestEnv::new();
    let port = crate::support::moto::free_port();
    let endpoint = format!("http://127.0.0.1:{port}");
    for args in [&["whoami"][..], &["get", "refused-api"][..]] {
        let (run, took) = against(&env, &endpoint, args);
        run.expect_code(1);
        assert!(
            run.stderr
                .starts_with(&format!("error: cannot connect to {endpoint} (")),
            "{args:?}: {}",
            run.stderr
        );
        assert!(run.stderr.contains("refused"), "{}", run.stderr);
        assert!(
            run.stderr.contains("\nhint: check the endpoint"),
            "{}",
            run.stderr
        );
        assert!(!run.stderr.contains("timed out"), "{}", run.stderr);
        // The default is 8 attempts within --timeout 30: the connection retries are bounded.
        assert!(took < Duration::from_secs(8), "{args:?} took {took:?}");
    }
}

#[test]
fn an_unknown_host_is_said_at_once_naming_the_endpoint() {
    let env = TestEnv::new();
    let endpoint = "http://no-such-host.invalid:4566";
    for args in [&["whoami"][..], &["get", "unknown-host-api"][..]] {
        let (run, took) = against(&env, endpoint, args);
        run.expect_code(1);
        assert!(
            run.stderr
                .starts_with(&format!("error: cannot connect to {endpoint} (")),
            "{args:?}: {}",
            run.stderr
        );
        assert!(!run.stderr.contains("timed out"), "{}", run.stderr);
        assert!(took < Duration::from_secs(8), "{args:?} took {took:?}");
    }
}

#[test]
fn no_request_is_made_for_an_override_nobody_declares() {
    // The default [overrides] maps IDENTITY_SERVER_CLIENT_SECRET to /k8s/local-dev/...; a
    // project that neither declares it nor stores it must not ask for it.
    let mut env = TestEnv::new();
    let p = project("no-override");
    env.seed(&[(&format!("/k8s/{p}/ONLY_KEY"), "only-key-value")]);
    let proxy = Proxy::start(&env.moto_url, vec![]);
    env.endpoint = proxy.url.clone();
    // The one GetParameters call is the sweep's (its one name); nothing by name.
    let run = env.run(&["get", &p, "-v"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains("trace: GetParameters for 0 names"),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("of swept names"), "{}", run.stderr);
    assert_eq!(proxy.count("GetParameters"), 1, "{:?}", proxy.seen);
    // An unknown project: only the sweep's discovery is asked, and it is exit 4.
    env.run(&["get", &project("nobody")]).expect_code(4);
    assert_eq!(proxy.count("GetParameters"), 1, "{:?}", proxy.seen);

    // A swept name that has an override: its override is fetched, once.
    env.seed(&[
        (
            &format!("/k8s/{p}/IDENTITY_SERVER_CLIENT_SECRET"),
            "swept-client-secret",
        ),
        (
            "/k8s/local-dev/IDENTITY_SERVER_CLIENT_SECRET",
            "local-dev-client-secret",
        ),
    ]);
    let run = env.run(&["get", &p, "-v"]);
    run.expect_code(0);
    assert!(
        run.stderr
            .contains("trace: GetParameters for 1 override of swept names"),
        "{}",
        run.stderr
    );
    // The sweep's page, then the override.
    assert_eq!(proxy.count("GetParameters"), 3, "{:?}", proxy.seen);
    let text = std::fs::read_to_string(env.env_file()).unwrap();
    assert!(
        text.contains("export IDENTITY_SERVER_CLIENT_SECRET='local-dev-client-secret'\n"),
        "the override's value is written"
    );
}
