//! `secrets create`: scripted, validated, never overwriting by accident, several accounts,
//! and interactive through a pseudo-terminal.

use std::fs;

use crate::support::proxy::{Proxy, Reply, Rule};
use crate::support::{Account, Moto, Stored, TestEnv, project, runtime, ssm_client, stored};

#[test]
fn scripted_create_from_stdin_file_and_flag() {
    let mut env = TestEnv::new();
    let p = project("create");
    for v in [
        "stdin-secret-value",
        "file-secret-value",
        "flag-secret-value",
    ] {
        env.watch(v);
    }
    let name = format!("/k8s/{p}/FROM_STDIN");
    let mut cmd = env.cmd(&[
        "create",
        "--name",
        &format!("{p}/FROM_STDIN"),
        "--value-stdin",
        "--tags",
        "Key=team,Value=core Key=env,Value=dev",
        "--description",
        "for tests",
        "-y",
        "--endpoint-url",
        &env.endpoint,
    ]);
    let run = cmd.run_with_stdin(b"stdin-secret-value\n");
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        format!("Created {name} (SecureString, version 1) in 123456789012 (environment keys)\n")
    );
    let Stored {
        value,
        kind,
        version,
        mut tags,
        ..
    } = stored(&env.moto_url, &name).unwrap();
    tags.sort();
    assert_eq!(
        (value.as_str(), kind.as_str(), version),
        ("stdin-secret-value", "SecureString", 1)
    );
    assert_eq!(
        tags,
        [
            ("env".to_string(), "dev".to_string()),
            ("team".to_string(), "core".to_string())
        ]
    );

    let file = env.home().join("value.pem");
    fs::write(
        &file,
        "-----BEGIN KEY-----\nfile-secret-value\n-----END KEY-----\n",
    )
    .unwrap();
    let run = env.run(&[
        "create",
        "--name",
        &format!("/k8s/{p}/FROM_FILE"),
        "--value-file",
        file.to_str().unwrap(),
        "--type",
        "String",
        "--yes",
    ]);
    run.expect_code(0);
    assert!(!run.stdout.contains("file-secret-value") && !run.stderr.contains("file-secret-value"));
    let Stored { value, kind, .. } = stored(&env.moto_url, &format!("/k8s/{p}/FROM_FILE")).unwrap();
    assert_eq!(
        (value.as_str(), kind.as_str()),
        (
            "-----BEGIN KEY-----\nfile-secret-value\n-----END KEY-----\n",
            "String"
        )
    );

    let run = env.run(&[
        "create",
        "--name",
        &format!("{p}/FROM_FLAG"),
        "--value",
        "flag-secret-value",
        "--yes",
        "--json",
    ]);
    run.expect_code(0);
    assert!(!run.stdout.contains("flag-secret-value"));
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json,
        serde_json::json!([{"name": format!("/k8s/{p}/FROM_FLAG"), "type": "SecureString", "version": 1, "account": "123456789012", "profile": null, "status": "created"}])
    );
}

#[test]
fn every_validation_rule_refuses_before_any_request() {
    let env = TestEnv::new();
    let proxy = Proxy::start(&env.moto_url, vec![]);
    let big = "v".repeat(4097);
    let table: Vec<(Vec<&str>, &str)> = vec![
        (
            vec!["--name", "/other/app/KEY1", "--value", "x"],
            "error: the name must be under /k8s/",
        ),
        (
            vec!["--name", "my app/KEY", "--value", "x"],
            "error: the name must not contain whitespace",
        ),
        (
            vec!["--name", "my.app/KEY", "--value", "x"],
            "error: the name may hold only letters, digits, `/`, `-` and `_`, not `.`",
        ),
        (
            vec!["--name", "a/KEY", "--value", "x"],
            "error: the name after /k8s/ must be 6 to 128 characters long, not 5",
        ),
        (
            vec!["--name", "my-app/KEY/", "--value", "x"],
            "error: the name must not end with `/`",
        ),
        (
            vec!["--name", "my-app//KEY", "--value", "x"],
            "error: the name must not contain an empty path level",
        ),
        (
            vec!["--name", "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o", "--value", "x"],
            "error: SSM allows at most 15 path levels",
        ),
        (
            vec!["--name", "my-app/KEY", "--value", ""],
            "error: the value is empty",
        ),
        (
            vec!["--name", "my-app/KEY", "--value", &big],
            "error: the value is 4097 bytes; the Standard tier allows 4096",
        ),
        (
            vec![
                "--name",
                "my-app/KEY",
                "--value",
                "x",
                "--tags",
                "key=a,Value=b",
            ],
            "is not of the form Key=NAME,Value=VALUE",
        ),
        (
            vec![
                "--name",
                "my-app/KEY",
                "--value",
                "x",
                "--tag",
                "Key=aws:owner,Value=me",
            ],
            "uses the reserved prefix `aws:`",
        ),
        (
            vec![
                "--name",
                "my-app/KEY",
                "--value",
                "x",
                "--tag",
                "Key=a,Value=b*",
            ],
            "tag `a` holds `*`",
        ),
        (
            vec![
                "--name",
                "my-app/KEY",
                "--value",
                "x",
                "--tag",
                "Key=a,Value=1",
                "--tag",
                "Key=a,Value=2",
            ],
            "tag key `a` is given twice",
        ),
        (
            vec!["--name", "my-app/KEY", "--type", "Secure", "--value", "x"],
            "invalid value 'Secure' for '--type <TYPE>'",
        ),
    ];
    for (args, message) in table {
        let mut all = vec!["create", "--yes", "--endpoint-url", &proxy.url];
        all.extend(args.iter());
        let run = env.cmd(&all).run();
        run.expect_code(2);
        assert!(run.stderr.contains(message), "{args:?}: {}", run.stderr);
        assert!(
            run.stderr.contains("hint:") || message.contains("invalid value"),
            "{args:?} has no hint"
        );
    }
    let many: String = (0..51).map(|i| format!("Key=k{i},Value=v ")).collect();
    let run = env
        .cmd(&[
            "create",
            "--yes",
            "--name",
            "my-app/KEY",
            "--value",
            "x",
            "--tags",
            &many,
            "--endpoint-url",
            &proxy.url,
        ])
        .run();
    run.expect_code(2);
    assert!(run.stderr.contains("at most 50 tags are allowed, not 51"));
    assert_eq!(proxy.seen.lock().unwrap().len(), 0, "a request was sent");
}

#[test]
fn without_a_terminal_missing_input_names_the_flag() {
    let env = TestEnv::new();
    let p = project("noterm");
    let cases: [(&[&str], &str); 3] = [
        (
            &["create", "--value", "x"],
            "error: no --name given, and there is no terminal to ask on\nhint: pass --name my-app/MY_APP_KEY\n",
        ),
        (
            &["create", "--name", "my-app/KEY"],
            "error: no value given, and there is no terminal to ask on\nhint: pass --value-stdin",
        ),
        (
            &["create", "--name", "my-app/KEY", "--value", "xyz-value"],
            "error: creating a secret needs confirmation, and there is no terminal to ask on\nhint: pass --yes\n",
        ),
    ];
    for (args, start) in cases {
        let run = env.run(args);
        run.expect_code(2);
        assert!(run.stderr.starts_with(start), "{args:?}: {}", run.stderr);
    }
    assert!(stored(&env.moto_url, &format!("/k8s/{p}/KEY")).is_none());
}

#[test]
fn an_existing_parameter_is_refused_and_overwritten_only_when_asked() {
    let mut env = TestEnv::new();
    let p = project("exists");
    for v in ["first-value", "second-value", "third-value"] {
        env.watch(v);
    }
    let name = format!("/k8s/{p}/TAKEN");
    env.run(&["create", "--name", &name, "--value", "first-value", "-y"])
        .expect_code(0);
    let run = env.run(&["create", "--name", &name, "--value", "second-value", "-y"]);
    run.expect_code(5);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert!(first.starts_with(&format!("error: {name} already exists in 123456789012 (environment keys): version 1, last modified 20")), "{first}");
    assert!(run.stderr.contains("hint: pass --overwrite"));
    assert_eq!(stored(&env.moto_url, &name).unwrap().value, "first-value");

    let run = env.run(&[
        "create",
        "--name",
        &name,
        "--value",
        "third-value",
        "-y",
        "--overwrite",
        "--tag",
        "Key=rotated,Value=yes",
    ]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        format!("Updated {name} (SecureString, version 2) in 123456789012 (environment keys)\n")
    );
    let Stored {
        value,
        version,
        tags,
        ..
    } = stored(&env.moto_url, &name).unwrap();
    assert_eq!((value.as_str(), version), ("third-value", 2));
    assert_eq!(tags, [("rotated".to_string(), "yes".to_string())]);
}

struct TwoAccounts {
    env: TestEnv,
    dev: Account,
    prod: Account,
}

fn two_accounts() -> TwoAccounts {
    let (dev, prod) = (Moto::account(), Moto::account());
    let env = TestEnv::with_moto(&dev.url);
    env.aws_config(&format!(
        "[profile dev]\nregion = eu-west-1\nendpoint_url = {}\n\n[profile prod]\nregion = eu-west-1\nendpoint_url = {}\n\n\
         [profile expired]\nregion = eu-west-1\ncredential_process = false\n",
        dev.url, prod.url
    ));
    env.aws_credentials(
        "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n\n\
        [prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = prod-secret\n",
    );
    TwoAccounts { env, dev, prod }
}

#[test]
fn one_secret_in_two_accounts() {
    let mut t = two_accounts();
    t.env.watch("two-account-value");
    let run = t
        .env
        .bare_cmd(&[
            "create",
            "--name",
            "my-app/SHARED_KEY",
            "--value",
            "two-account-value",
            "-y",
            "--profile",
            "dev",
            "--profile",
            "prod",
        ])
        .run();
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        format!(
            "Created /k8s/my-app/SHARED_KEY (SecureString, version 1) in {} (dev)\n\
             Created /k8s/my-app/SHARED_KEY (SecureString, version 1) in {} (prod)\n",
            t.dev.id, t.prod.id
        )
    );
    for url in [&t.dev.url, &t.prod.url] {
        assert_eq!(
            stored(url, "/k8s/my-app/SHARED_KEY").unwrap().value,
            "two-account-value"
        );
    }
}

#[test]
fn one_account_without_credentials_means_nothing_is_created_anywhere() {
    let t = two_accounts();
    let run = t
        .env
        .bare_cmd(&[
            "create",
            "--name",
            "my-app/NOWHERE",
            "--value",
            "nowhere-value",
            "-y",
            "--profile",
            "dev",
            "--profile",
            "expired",
        ])
        .run();
    run.expect_code(3);
    assert!(
        run.stderr.starts_with(
            "error: profile expired: cannot load the AWS credentials of profile expired\n"
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.ends_with("nothing was created\n"),
        "{}",
        run.stderr
    );
    assert!(stored(&t.dev.url, "/k8s/my-app/NOWHERE").is_none());
}

#[test]
fn interactive_prompts_on_a_terminal_never_echo_the_value() {
    let env = TestEnv::new();
    let p = project("interactive");
    let value = "typed-secret-value-42";
    let mut s = env.spawn_in_pty(&["create", "--endpoint-url", &env.endpoint]);
    let mut screen = String::new();
    screen += &s.exp_string("Secret name").unwrap();
    s.send_line("bad name").unwrap();
    screen += &s.exp_string("must not contain whitespace").unwrap();
    s.send_line(&format!("{p}/TYPED_KEY")).unwrap();
    screen += &s.exp_string("Secret value (hidden, typed twice)").unwrap();
    s.send_line(value).unwrap();
    screen += &s.exp_string("Repeat the value").unwrap();
    s.send_line(value).unwrap();
    screen += &s.exp_string("SecureString?").unwrap();
    s.send_line("").unwrap();
    screen += &s.exp_string("Add tags?").unwrap();
    s.send_line("y").unwrap();
    screen += &s.exp_string("Tags").unwrap();
    s.send_line("Key=team,Value=core").unwrap();
    screen += &s.exp_string("Are you sure?").unwrap();
    s.send_line("y").unwrap();
    screen += &s.exp_eof().unwrap();
    assert!(
        screen.contains(&format!(
            "About to create /k8s/{p}/TYPED_KEY (SecureString) with tags team=core"
        )),
        "{screen}"
    );
    assert!(
        screen.contains(
            "in account 123456789012 as arn:aws:sts::123456789012:user/moto (environment keys)"
        ),
        "{screen}"
    );
    assert!(
        screen.contains(&format!(
            "Created /k8s/{p}/TYPED_KEY (SecureString, version 1)"
        )),
        "{screen}"
    );
    assert!(
        !screen.contains(value),
        "the typed value appeared on the screen"
    );
    let Stored {
        value: stored_value,
        kind,
        tags,
        ..
    } = stored(&env.moto_url, &format!("/k8s/{p}/TYPED_KEY")).unwrap();
    assert_eq!(
        (stored_value.as_str(), kind.as_str()),
        (value, "SecureString")
    );
    assert_eq!(tags, [("team".to_string(), "core".to_string())]);
}

#[test]
fn ctrl_c_at_a_prompt_exits_130_and_creates_nothing() {
    let env = TestEnv::new();
    let p = project("prompt-sigint");
    let name = format!("{p}/NEVER");
    let mut s = env.spawn_in_pty(&["create", "--name", &name, "--endpoint-url", &env.endpoint]);
    s.exp_string("Secret value").unwrap();
    s.send_control('c').unwrap();
    let rest = s.exp_eof().unwrap();
    assert!(rest.contains("interrupted"), "{rest}");
    match s.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => assert_eq!(code, 130),
        other => panic!("not a normal exit: {other:?}"),
    }
    assert!(stored(&env.moto_url, &format!("/k8s/{p}/NEVER")).is_none());
}

#[test]
fn names_go_under_the_configured_prefix() {
    let mut env = TestEnv::new();
    env.watch("prefixed-value");
    env.write(".secrets.toml", "prefix = \"/team/\"\n");
    let run = env.run(&[
        "create",
        "--name",
        "my-app/PREFIXED",
        "--value",
        "prefixed-value",
        "-y",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.starts_with("Created /team/my-app/PREFIXED "),
        "{}",
        run.stdout
    );
    let run = env.run(&[
        "create",
        "--name",
        "/k8s/my-app/PREFIXED",
        "--value",
        "prefixed-value",
        "-y",
    ]);
    run.expect_code(2);
    assert!(
        run.stderr
            .starts_with("error: the name must be under /team/"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_put_whose_answer_is_lost_is_not_applied_twice() {
    let mut env = TestEnv::new();
    let p = project("idempotent");
    let name = format!("/k8s/{p}/ONCE");
    env.watch("once-value-1");
    env.watch("once-value-2");
    // The first PutParameter reaches moto, but its answer is cut off before the client sees it.
    let lose_first_answer = || {
        vec![Rule {
            op: "PutParameter",
            skip: 0,
            times: 1,
            every: 1,
            reply: Reply::ResetAfter(0),
        }]
    };
    let proxy = Proxy::start(&env.moto_url, lose_first_answer());
    let run = env
        .cmd(&[
            "create",
            "--name",
            &name,
            "--value",
            "once-value-1",
            "-y",
            "--endpoint-url",
            &proxy.url,
        ])
        .run();
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        format!("Created {name} (SecureString, version 1) in 123456789012 (environment keys)\n")
    );
    assert_eq!(
        proxy.count("PutParameter"),
        1,
        "the landed write is recognised, not repeated"
    );

    let proxy = Proxy::start(&env.moto_url, lose_first_answer());
    let run = env
        .cmd(&[
            "create",
            "--name",
            &name,
            "--value",
            "once-value-2",
            "-y",
            "--overwrite",
            "--endpoint-url",
            &proxy.url,
        ])
        .run();
    run.expect_code(0);
    let Stored { value, version, .. } = stored(&env.moto_url, &name).unwrap();
    assert_eq!(
        (value.as_str(), version),
        ("once-value-2", 2),
        "one request, one new version"
    );
}

#[test]
fn the_region_of_secrets_toml_applies_to_create_too() {
    let mut env = TestEnv::new();
    env.watch("regional-value-1");
    env.write(".secrets.toml", "region = \"us-west-2\"\n");
    let name = format!("/k8s/{}/REGIONAL", project("region"));
    env.run(&[
        "create",
        "--name",
        &name,
        "--value",
        "regional-value-1",
        "-y",
    ])
    .expect_code(0);
    let in_region = |region: &str| {
        let client = ssm_client(&env.moto_url, region);
        runtime()
            .block_on(client.get_parameter().name(&name).send())
            .is_ok()
    };
    assert!(in_region("us-west-2"), "created in the configured region");
    assert!(!in_region("eu-west-1"));
}

#[test]
fn the_profile_is_named_as_the_user_chose_it() {
    let mut env = TestEnv::new();
    env.aws_config(&format!(
        "[profile islandis-dev]\nregion = eu-west-1\nendpoint_url = {}\n",
        env.endpoint
    ));
    env.aws_credentials(
        "[islandis-dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n",
    );
    let name = format!("/k8s/{}/CHOSEN", project("chosen"));
    env.watch("chosen-value");
    let run = env
        .bare_cmd(&["create", "--name", &name, "--value", "chosen-value", "-y"])
        .env("AWS_PROFILE", "islandis-dev")
        .run();
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        format!(
            "Created {name} (SecureString, version 1) in 123456789012 (islandis-dev (AWS_PROFILE))\n"
        )
    );
    // And the next step.
    assert!(
        run.stderr.ends_with(
            "Next, if not done: declare it in its service's infra code (`--declare SERVICE`); \
             create it in the other environments' accounts (--profile, repeatable).\n"
        ),
        "{}",
        run.stderr
    );
    // The plan of a delete says where the profile came from.
    let run = env
        .bare_cmd(&["rm", &name, "--dry-run"])
        .env("AWS_PROFILE", "islandis-dev")
        .run();
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("(profile islandis-dev from AWS_PROFILE)")
            || run
                .stderr
                .contains("(profile islandis-dev from AWS_PROFILE)"),
        "{}{}",
        run.stdout,
        run.stderr
    );
}

#[test]
fn on_a_terminal_an_existing_name_is_refused_before_the_value_is_typed() {
    let mut env = TestEnv::new();
    let p = project("early");
    env.seed(&[(&format!("/k8s/{p}/TAKEN"), "taken-value-1")]);
    let mut s = env.spawn_in_pty(&["create", "--endpoint-url", &env.endpoint]);
    s.exp_string("Secret name").unwrap();
    s.send_line(&format!("{p}/TAKEN")).unwrap();
    let rest = s.exp_eof().unwrap();
    env.assert_no_values("the terminal", &rest);
    assert!(
        rest.contains(&format!(
            "error: /k8s/{p}/TAKEN already exists in 123456789012"
        )),
        "{rest}"
    );
    assert!(
        !rest.contains("Secret value"),
        "the value was asked for: {rest}"
    );
    match s.process().wait().unwrap() {
        rexpect::process::WaitStatus::Exited(_, code) => assert_eq!(code, 5),
        other => panic!("{other:?}"),
    }
}
