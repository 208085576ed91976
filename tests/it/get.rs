//! `secrets get`: what ends up in the file.

use std::fs;

use crate::support::{TestEnv, mode, project, source_value};

/// Values that break naive quoting; each is long enough for the leak scan.
const ADVERSARIAL: &[(&str, &str)] = &[
    (
        "PEM",
        "-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n  kqhkiG9w0B\n-----END PRIVATE KEY-----\n",
    ),
    ("QUOTES", "single ' and double \" quotes '' \"\""),
    (
        "DOLLAR",
        "costs $HOME ${PATH} $1 $$ $(touch marker) `touch marker`",
    ),
    ("BACKSLASH", "back\\slash\\n not a newline \\"),
    ("HASH_EQ", "#not-a-comment=still=value #"),
    ("SPACES", "   leading and trailing   "),
    ("TABS", "\ttabs\tinside\t"),
    ("UNICODE", "þórður ærir ÆÐ 🔑 ñ"),
    ("BANG", "hello!world !! !$ history"),
    ("CRLF", "windows\r\nline\r\n"),
];

fn seed_adversarial(env: &mut TestEnv, p: &str) {
    let params: Vec<(String, &str)> = ADVERSARIAL
        .iter()
        .map(|(n, v)| (format!("/k8s/{p}/{n}"), *v))
        .collect();
    let refs: Vec<(&str, &str)> = params.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    env.seed(&refs);
}

#[test]
fn adversarial_values_round_trip_byte_for_byte_in_bash_and_sh() {
    let mut env = TestEnv::new();
    let p = project("adversarial");
    seed_adversarial(&mut env, &p);
    env.run(&["get", &p]).expect_code(0);
    let file = env.env_file();
    for shell in ["bash", "sh"] {
        for (name, value) in ADVERSARIAL {
            assert_eq!(
                source_value(shell, &file, name, &env.repo()),
                *value,
                "{shell} {name}"
            );
        }
    }
    assert!(
        !env.repo().join("marker").exists(),
        "sourcing the file ran a command"
    );
}

#[test]
fn new_file_is_private_and_summary_counts_statuses() {
    let mut env = TestEnv::new();
    let p = project("summary");
    env.seed(&[
        (&format!("/k8s/{p}/ALPHA"), "alpha-value-1"),
        (&format!("/k8s/{p}/BETA"), "beta-value-1"),
    ]);
    let run = env.run(&["get", &p]);
    run.expect_code(0);
    assert_eq!(
        run.stderr,
        format!(
            "{p}: 2 secrets written to .env.secret (2 new, 0 changed, 0 unchanged); account \
             123456789012\n"
        )
    );
    assert_eq!(run.stdout, "");
    assert_eq!(mode(&env.env_file()), 0o600);

    env.seed(&[(&format!("/k8s/{p}/GAMMA"), "gamma-value-1")]);
    let run = env.run(&["get", &p]);
    assert_eq!(
        run.stderr,
        format!(
            "{p}: 3 secrets written to .env.secret (1 new, 0 changed, 2 unchanged); account \
             123456789012\n"
        )
    );
}

#[test]
fn existing_readable_file_is_made_private() {
    use std::os::unix::fs::PermissionsExt;
    let mut env = TestEnv::new();
    let p = project("perm");
    env.seed(&[(&format!("/k8s/{p}/KEY"), "perm-value-1")]);
    fs::write(env.env_file(), "# mine\n").unwrap();
    fs::set_permissions(env.env_file(), fs::Permissions::from_mode(0o644)).unwrap();
    env.run(&["get", &p]).expect_code(0);
    assert_eq!(mode(&env.env_file()), 0o600);
    // Even when nothing changes, a readable file is tightened.
    fs::set_permissions(env.env_file(), fs::Permissions::from_mode(0o644)).unwrap();
    env.run(&["get", &p]).expect_code(0);
    assert_eq!(mode(&env.env_file()), 0o600);
}

#[test]
fn every_page_and_nested_path_is_fetched_and_bad_names_are_skipped() {
    let mut env = TestEnv::new();
    let p = project("pages");
    let names: Vec<String> = (0..27).map(|i| format!("/k8s/{p}/KEY_{i:02}")).collect();
    let values: Vec<String> = (0..27).map(|i| format!("page-value-{i:02}")).collect();
    let mut params: Vec<(&str, &str)> = names
        .iter()
        .zip(&values)
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    let nested = format!("/k8s/{p}/deep/er/NESTED");
    let bad = format!("/k8s/{p}/not-an-identifier");
    params.push((&nested, "nested-value-1"));
    params.push((&bad, "bad-name-value"));
    env.seed(&params);
    let run = env.run(&["get", &p]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(&format!(
            "warning: {p}: skipped {bad}: `not-an-identifier` is not a valid environment variable name"
        )),
        "{}",
        run.stderr
    );
    let text = fs::read_to_string(env.env_file()).unwrap();
    assert_eq!(text.lines().count(), 28, "{text}");
    assert!(text.contains("export KEY_26='page-value-26'\n"));
    assert!(text.contains("export NESTED='nested-value-1'\n"));
}

#[test]
fn a_project_found_nowhere_exits_4_with_suggestions() {
    let mut env = TestEnv::new();
    let known = project("payments");
    env.seed(&[(&format!("/k8s/{known}/KEY"), "payments-value-1")]);
    env.write(
        &format!("apps/{known}/infra/{known}.ts"),
        &format!("service('{known}').secrets({{ KEY: '/k8s/{known}/KEY' }})\n"),
    );
    fs::write(env.env_file(), "export KEEP='me'\n").unwrap();
    let typo = known.replacen("payments", "payment", 1);
    let run = env.run(&["get", &known, &typo]);
    run.expect_code(4);
    assert_eq!(
        run.stderr,
        format!(
            "error: project `{typo}` was found neither in the infra code nor under /k8s/{typo}/\nhint: did you mean {known}?\n"
        )
    );
    assert_eq!(
        fs::read_to_string(env.env_file()).unwrap(),
        "export KEEP='me'\n"
    );
}

#[test]
fn file_dash_prints_to_stdout_and_writes_nothing() {
    let mut env = TestEnv::new();
    let p = project("stdout");
    env.seed(&[(&format!("/k8s/{p}/TOKEN"), "stdout-token-value")]);
    let run = env
        .cmd(&["get", &p, "--file", "-", "--endpoint-url", &env.endpoint])
        .values_on_stdout()
        .run();
    run.expect_code(0);
    assert_eq!(run.stdout, "export TOKEN='stdout-token-value'\n");
    assert_eq!(
        run.stderr,
        format!("{p}: 1 secret written to stdout; account 123456789012\n")
    );
    assert!(!env.env_file().exists());
}

#[test]
fn file_flag_and_formats() {
    let mut env = TestEnv::new();
    let p = project("formats");
    env.seed(&[
        (&format!("/k8s/{p}/MULTI"), "line one\nit's \"two\" $X\\"),
        (&format!("/k8s/{p}/SIMPLE"), "simple-value"),
    ]);
    env.run(&["get", &p, "--format", "dotenv", "--file", "out.env"])
        .expect_code(0);
    let parsed: Vec<(String, String)> = dotenvy::from_path_iter(env.repo().join("out.env"))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap();
    assert_eq!(
        parsed,
        [
            (
                "MULTI".to_string(),
                "line one\nit's \"two\" $X\\".to_string()
            ),
            ("SIMPLE".to_string(), "simple-value".to_string()),
        ]
    );
    env.run(&["get", &p, "--format", "json", "--file", "out.json"])
        .expect_code(0);
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(env.repo().join("out.json")).unwrap()).unwrap();
    assert_eq!(
        json,
        serde_json::json!({"MULTI": "line one\nit's \"two\" $X\\", "SIMPLE": "simple-value"})
    );
    assert_eq!(mode(&env.repo().join("out.json")), 0o600);
}

#[test]
fn quiet_prints_nothing_and_verbose_traces_without_values() {
    let mut env = TestEnv::new();
    let p = project("verbosity");
    env.seed(&[(&format!("/k8s/{p}/V"), "verbose-value-1")]);
    let run = env.run(&["get", &p, "-q"]);
    run.expect_code(0);
    assert_eq!((run.stdout.as_str(), run.stderr.as_str()), ("", ""));
    let run = env.run(&["get", &p, "-v"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(&format!(
            "trace: sweep /k8s/{p}/ (DescribeParameters for the names, GetParameters as each page arrives)"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn works_from_a_subdirectory_and_with_root() {
    let mut env = TestEnv::new();
    let p = project("root");
    env.seed(&[(&format!("/k8s/{p}/R"), "root-value-1")]);
    let sub = env.repo().join("apps/api/src");
    fs::create_dir_all(&sub).unwrap();
    let mut cmd = env.cmd(&["get", &p, "--endpoint-url", &env.endpoint]);
    cmd.command.current_dir(&sub);
    cmd.run().expect_code(0);
    assert!(env.env_file().exists());
    assert!(!sub.join(".env.secret").exists());

    let other = tempfile::tempdir().unwrap();
    let mut cmd = env.cmd(&[
        "get",
        &p,
        "-C",
        other.path().to_str().unwrap(),
        "--endpoint-url",
        &env.endpoint,
    ]);
    cmd.command.current_dir(other.path());
    cmd.run().expect_code(0);
    assert!(other.path().join(".env.secret").exists());
}

#[test]
fn region_and_endpoint_come_from_the_environment_and_profile() {
    let mut env = TestEnv::new();
    let p = project("region");
    env.seed_in("us-east-1", &[(&format!("/k8s/{p}/R"), "us-east-value")]);
    env.seed(&[(&format!("/k8s/{p}/R"), "eu-west-value")]);
    // Default region is eu-west-1.
    let run = env
        .cmd(&["get", &p, "--file", "-"])
        .env("AWS_ENDPOINT_URL", &env.endpoint)
        .values_on_stdout()
        .run();
    assert_eq!(run.expect_code(0).stdout, "export R='eu-west-value'\n");
    let run = env
        .cmd(&["get", &p, "--file", "-", "--region", "us-east-1"])
        .env("AWS_ENDPOINT_URL_SSM", &env.endpoint)
        .values_on_stdout()
        .run();
    assert_eq!(run.expect_code(0).stdout, "export R='us-east-value'\n");
    // A profile's region and endpoint_url, selected by AWS_PROFILE.
    env.aws_config(&format!(
        "[profile local]\nregion = us-east-1\nendpoint_url = {}\n",
        env.endpoint
    ));
    env.aws_credentials(
        "[local]\naws_access_key_id = AKIDPROFILE\naws_secret_access_key = profile-secret\n",
    );
    let run = env
        .bare_cmd(&["get", &p, "--file", "-"])
        .env("AWS_PROFILE", "local")
        .values_on_stdout()
        .run();
    assert_eq!(run.expect_code(0).stdout, "export R='us-east-value'\n");
}

#[test]
fn a_slow_fetch_shows_a_spinner_on_a_terminal_only() {
    use crate::support::proxy::{Proxy, Reply, Rule};
    let mut env = TestEnv::new();
    let p = project("spinner");
    env.seed(&[(&format!("/k8s/{p}/SLOW"), "slow-value-1")]);
    let stall = || Rule {
        op: "DescribeParameters",
        skip: 0,
        times: 1,
        every: 1,
        reply: Reply::Delay(std::time::Duration::from_millis(1200)),
    };
    for (quiet, expect_spinner) in [(false, true), (true, false)] {
        let proxy = Proxy::start(&env.moto_url, vec![stall()]);
        let mut args = vec!["get", p.as_str(), "--endpoint-url", &proxy.url];
        if quiet {
            args.push("-q");
        }
        let mut cmd = env.cmd_in_pty(&args);
        let run = cmd.run();
        run.expect_code(0);
        assert_eq!(
            run.stdout.contains("fetching secrets from SSM"),
            expect_spinner,
            "quiet={quiet}: {:?}",
            run.stdout
        );
    }
    assert!(env.env_file().exists());
}

#[test]
fn outside_a_repository_file_dash_sweeps_ssm_only() {
    let mut env = TestEnv::new();
    let p = project("norepo");
    env.seed(&[(&format!("/k8s/{p}/OUTSIDE"), "outside-value-1")]);
    let outside = tempfile::tempdir().unwrap();
    let mut cmd = env.cmd(&["get", &p, "--file", "-", "--endpoint-url", &env.endpoint]);
    cmd.command.current_dir(outside.path());
    let run = cmd.values_on_stdout().run();
    run.expect_code(0);
    assert_eq!(run.stdout, "export OUTSIDE='outside-value-1'\n");
}

#[test]
fn reset_says_what_it_removes_in_a_dry_run_and_warns_when_it_does() {
    let mut env = TestEnv::new();
    let p = project("reset-says");
    env.seed(&[(&format!("/k8s/{p}/RESET_KEY"), "reset-key-value")]);
    let before = "# mine\nexport MY_LOCAL_THING='on'\n";
    std::fs::write(env.env_file(), before).unwrap();
    let run = env.run(&["get", &p, "--reset", "--dry-run"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        "new       RESET_KEY\nremoved   MY_LOCAL_THING\n"
    );
    assert_eq!(std::fs::read_to_string(env.env_file()).unwrap(), before);
    let run = env.run(&["get", &p, "--reset"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(
            "warning: --reset removed 1 assignment this run does not write: MY_LOCAL_THING\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        !std::fs::read_to_string(env.env_file())
            .unwrap()
            .contains("MY_LOCAL_THING")
    );
}

#[test]
fn outside_a_repository_get_to_stdout_says_the_infra_code_was_not_read() {
    let mut env = TestEnv::new();
    std::fs::remove_dir_all(env.repo().join(".git")).unwrap();
    let p = project("norepo");
    env.seed(&[(&format!("/k8s/{p}/NOREPO_KEY"), "norepo-value")]);
    let run = env
        .cmd(&["get", &p, "--file", "-", "--endpoint-url", &env.endpoint])
        .values_on_stdout()
        .run();
    run.expect_code(0);
    assert!(
        run.stderr.starts_with(
            "warning: not inside a git repository, so the infra code was not read: only what \
             is stored under /k8s/<project>/ is fetched (run it in the monorepo, or pass --root DIR)\n"
        ),
        "{}",
        run.stderr
    );
}
