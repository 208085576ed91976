//! `exec`, `whoami`, completions and the man page: fitting the shell and AWS ecosystem.

use crate::support::{TestEnv, project};

const MULTI: &str = "line one\nline 'two' $HOME\n\ttab `cmd`\n";

fn seeded(stem: &str) -> (TestEnv, String) {
    let mut env = TestEnv::new();
    let p = project(stem);
    env.seed(&[
        (&format!("/k8s/{p}/MULTI"), MULTI),
        (&format!("/k8s/{p}/PLAIN_KEY"), "plain-exec-value"),
    ]);
    (env, p)
}

#[test]
fn exec_passes_values_intact_and_the_exit_status_through() {
    let (env, p) = seeded("exec");
    let run = env
        .cmd(&[
            "exec",
            &p,
            "--endpoint-url",
            &env.endpoint,
            "--",
            "sh",
            "-c",
            "printf %s \"$MULTI\"; exit 7",
        ])
        .values_on_stdout()
        .run();
    run.expect_code(7);
    assert_eq!(run.stdout, MULTI);
    assert_eq!(run.stderr, "");
    assert!(!env.env_file().exists(), "exec writes no file");
}

#[test]
fn exec_replaces_the_process() {
    let (env, p) = seeded("execpid");
    let mut cmd = env.cmd(&[
        "exec",
        &p,
        "--endpoint-url",
        &env.endpoint,
        "--",
        "sh",
        "-c",
        "echo $$",
    ]);
    cmd.command.stdout(std::process::Stdio::piped());
    let child = cmd.command.spawn().unwrap();
    let pid = child.id();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        pid.to_string(),
        "the command runs as the same process"
    );
}

#[test]
fn exec_without_a_command_or_with_a_missing_one() {
    let (env, p) = seeded("nocmd");
    let run = env.run(&["exec", &p]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("required arguments were not provided"),
        "{}",
        run.stderr
    );
    let run = env
        .cmd(&[
            "exec",
            &p,
            "--endpoint-url",
            &env.endpoint,
            "--",
            "no-such-command-here",
        ])
        .run();
    run.expect_code(2);
    assert!(
        run.stderr
            .starts_with("error: cannot run `no-such-command-here`: "),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .ends_with("hint: check the command's name and that it is on PATH\n")
    );
}

#[test]
fn whoami_lines_and_json() {
    let env = TestEnv::new();
    let run = env.run(&["whoami"]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        format!(
            "profile      (none)\nregion       eu-west-1\nendpoint     {} (--endpoint-url)\naccount      123456789012\n\
         arn          arn:aws:sts::123456789012:user/moto\ncredentials  environment variables\n\
         expires      (not reported)\n",
            env.endpoint
        )
    );
    let run = env
        .cmd(&["whoami", "--json", "--endpoint-url", &env.endpoint])
        .env("AWS_VAULT", "islandis-dev")
        .run();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        json["credentials"],
        "environment variables (aws-vault exec islandis-dev)"
    );
    assert_eq!(json["account"], "123456789012");
}

#[test]
fn whoami_names_the_credential_source_and_expiry_of_an_assumed_role() {
    let env = TestEnv::new();
    env.aws_config(&format!(
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\nendpoint_url = {0}\n\n\
         [profile role]\nrole_arn = arn:aws:iam::123456789012:role/reader\nsource_profile = base\n\
         region = eu-west-1\nendpoint_url = {0}\n",
        env.endpoint
    ));
    let run = env.bare_cmd(&["whoami", "--profile", "base"]).run();
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("credentials  static keys (profile base)\n"),
        "{}",
        run.stdout
    );
    let run = env
        .bare_cmd(&["whoami", "--profile", "role", "--json"])
        .env("AWS_ENDPOINT_URL_STS", &env.endpoint)
        .run();
    run.expect_code(0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["profile"], "role");
    assert_eq!(
        json["credentials"],
        "assume-role arn:aws:iam::123456789012:role/reader from base (profile role)"
    );
    let left = json["expires_in_seconds"].as_i64().unwrap();
    assert!((0..=3600).contains(&left), "{left}");
}

#[test]
fn whoami_shows_the_endpoint_really_used_whatever_set_it() {
    let env = TestEnv::new();
    let url = &env.endpoint;
    let endpoint = |run: &crate::support::Run| {
        run.expect_code(0);
        let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        (
            json["endpoint"].as_str().unwrap().to_string(),
            json["endpoint_source"].as_str().unwrap().to_string(),
        )
    };
    // Each of these sends its requests to moto (else whoami would fail), and says so.
    for var in ["AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_SSM"] {
        let run = env
            .cmd(&["whoami", "--json"])
            .env(var, url)
            .env("AWS_ENDPOINT_URL_STS", url)
            .run();
        assert_eq!(endpoint(&run), (url.clone(), var.to_string()));
    }
    let run = env.cmd(&["whoami"]).env("AWS_ENDPOINT_URL", url).run();
    assert!(
        run.stdout
            .contains(&format!("endpoint     {url} (AWS_ENDPOINT_URL)\n")),
        "{}",
        run.stdout
    );
    // A profile's endpoint_url (its keys sign the requests).
    env.aws_config(&format!(
        "[profile local]\nregion = eu-west-1\nendpoint_url = {url}\n\
         aws_access_key_id = AKIDTESTING\naws_secret_access_key = testing-secret\n"
    ));
    let run = env
        .bare_cmd(&["whoami", "--json", "--profile", "local"])
        .run();
    assert_eq!(endpoint(&run), (url.clone(), "profile local".to_string()));
}

#[test]
fn whoami_says_when_aws_profile_is_ignored_for_keys_in_the_environment() {
    let env = TestEnv::new();
    env.aws_config("[profile islandis-dev]\nregion = eu-west-1\n");
    let run = env
        .cmd(&["whoami", "--endpoint-url", &env.endpoint])
        .env("AWS_PROFILE", "islandis-dev")
        .run();
    run.expect_code(0);
    assert!(
        run.stdout.starts_with(
            "profile      (none: AWS_PROFILE=islandis-dev is ignored because AWS_ACCESS_KEY_ID \
             is set; pass --profile islandis-dev to use it)\n"
        ),
        "{}",
        run.stdout
    );
    let run = env
        .cmd(&["whoami", "--json", "--endpoint-url", &env.endpoint])
        .env("AWS_PROFILE", "islandis-dev")
        .run();
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(json["ignored_profile"], "islandis-dev");
    assert_eq!(json["profile"], serde_json::Value::Null);
}

#[test]
fn whoami_without_credentials_exits_3() {
    let env = TestEnv::new();
    let run = env
        .bare_cmd(&["whoami", "--endpoint-url", &env.endpoint])
        .run();
    run.expect_code(3);
    assert!(
        run.stderr
            .starts_with("error: no AWS credentials found\nhint: no AWS profile is configured"),
        "{}",
        run.stderr
    );
}

#[test]
fn completions_for_every_shell_and_a_man_page() {
    let env = TestEnv::new();
    for shell in ["bash", "zsh", "fish", "powershell", "elvish"] {
        let run = env.bare_cmd(&["completions", shell]).run();
        run.expect_code(0);
        assert!(
            run.stdout.contains("secrets") && run.stdout.contains("whoami"),
            "{shell}"
        );
        assert!(
            run.stdout.len() > 1000,
            "{shell}: {} bytes",
            run.stdout.len()
        );
    }
    let run = env.bare_cmd(&["man"]).run();
    run.expect_code(0);
    assert!(run.stdout.contains(".TH secrets 1"));
    assert!(run.stdout.contains("Exit codes:"));
}

#[test]
fn a_closed_stdout_pipe_exits_quietly() {
    let (env, p) = seeded("pipe");
    for args in [
        vec!["completions", "bash"],
        vec![
            "get",
            p.as_str(),
            "--file",
            "-",
            "--endpoint-url",
            &env.endpoint,
        ],
        vec!["list", p.as_str(), "--endpoint-url", &env.endpoint],
    ] {
        // A pipe whose read end is already gone: the first write fails with EPIPE.
        let (reader, writer) = std::io::pipe().unwrap();
        drop(reader);
        let mut cmd = env.cmd(&args);
        let out = cmd
            .command
            .stdout(writer)
            .stderr(std::process::Stdio::piped())
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(0), "{args:?}");
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!stderr.contains("error"), "{args:?}: {stderr}");
        env.assert_no_values("stderr", &stderr);
    }
}

#[test]
fn colour_only_on_a_terminal_and_never_with_no_color() {
    let env = TestEnv::new();
    let styled = |text: &str| text.contains("\u{1b}[1m") || text.contains("\u{1b}[4m");
    let run = env.cmd_in_pty(&["--help"]).run();
    run.expect_code(0);
    assert!(
        styled(&run.stdout),
        "help on a terminal is styled: {:?}",
        &run.stdout[..80.min(run.stdout.len())]
    );
    let run = env.cmd_in_pty(&["--help"]).env("NO_COLOR", "1").run();
    run.expect_code(0);
    assert!(
        !run.stdout.contains('\u{1b}'),
        "NO_COLOR: {:?}",
        &run.stdout[..80.min(run.stdout.len())]
    );
    let run = env.bare_cmd(&["--help"]).run();
    assert!(!run.stdout.contains('\u{1b}'), "not a terminal");
}

#[test]
fn help_lists_commands_in_the_order_people_use_them_and_own_flags_first() {
    let env = TestEnv::new();
    let run = env.cmd(&["--help"]).run();
    run.expect_code(0);
    let commands: Vec<&str> = run
        .stdout
        .lines()
        .skip_while(|l| *l != "Commands:")
        .skip(1)
        .take_while(|l| !l.is_empty())
        .filter(|l| l.starts_with("  ") && !l.starts_with("   "))
        .filter_map(|l| l.split_whitespace().next())
        .collect();
    assert_eq!(
        commands[..5],
        ["get", "create", "list", "exec", "whoami"],
        "{commands:?}"
    );
    let run = env.cmd(&["get", "--help"]).run();
    run.expect_code(0);
    let own = run.stdout.find("--dry-run").expect("get's own flag");
    let global = run
        .stdout
        .find("Global options:")
        .expect("a global heading");
    let profile = run.stdout.find("--profile").expect("--profile");
    assert!(own < global && global < profile, "{}", run.stdout);
    assert!(run.stdout.contains("infra code"), "{}", run.stdout);
    assert!(!run.stdout.contains("`create`"), "{}", run.stdout);
}
