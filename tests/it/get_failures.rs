//! `secrets get` when things go wrong: exit codes, messages, and the file left untouched.

use std::fs;

use crate::support::proxy::{Proxy, Reply, Rule};
use crate::support::{TestEnv, project};

pub const BEFORE: &str = "# precious\nexport KEEP='unchanged'\n";

pub fn env_with_pages(stem: &str, n: usize) -> (TestEnv, String) {
    let mut env = TestEnv::new();
    let p = project(stem);
    let names: Vec<String> = (0..n).map(|i| format!("/k8s/{p}/K{i:02}")).collect();
    let values: Vec<String> = (0..n).map(|i| format!("{stem}-value-{i:02}")).collect();
    let params: Vec<(&str, &str)> = names
        .iter()
        .zip(&values)
        .map(|(a, b)| (a.as_str(), b.as_str()))
        .collect();
    env.seed(&params);
    fs::write(env.env_file(), BEFORE).unwrap();
    (env, p)
}

fn fault(op: &'static str, skip: usize, times: usize, status: u16, code: &'static str) -> Rule {
    Rule {
        op,
        skip,
        times,
        every: 1,
        reply: Reply::AwsError(status, code),
    }
}

/// Every DescribeParameters answered with this AWS error.
fn always(status: u16, code: &'static str) -> Rule {
    fault("DescribeParameters", 0, usize::MAX, status, code)
}

/// Puts a proxy with `rules` between the binary and moto.
pub fn behind_proxy(env: &mut TestEnv, rules: Vec<Rule>) -> Proxy {
    let proxy = Proxy::start(&env.moto_url, rules);
    env.endpoint = proxy.url.clone();
    proxy
}

pub fn assert_untouched(env: &TestEnv) {
    assert_eq!(fs::read_to_string(env.env_file()).unwrap(), BEFORE);
    let leftovers: Vec<_> = fs::read_dir(env.repo())
        .unwrap()
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".tmp"))
        .collect();
    assert!(leftovers.is_empty(), "temp files left: {leftovers:?}");
}

#[test]
fn failure_mid_pagination_leaves_the_file_byte_identical() {
    let (mut env, p) = env_with_pages("midpage", 25);
    let proxy = behind_proxy(
        &mut env,
        vec![fault(
            "DescribeParameters",
            1,
            usize::MAX,
            500,
            "InternalServerError",
        )],
    );
    let run = env.run(&["get", &p, "--max-attempts", "2"]);
    run.expect_code(1);
    assert_eq!(
        proxy.count("DescribeParameters"),
        3,
        "one good page, then two attempts"
    );
    assert!(
        run.stderr.starts_with(&format!(
            "error: DescribeParameters on /k8s/{p}/ failed: InternalServerError"
        )),
        "{}",
        run.stderr
    );
    assert_untouched(&env);
}

#[test]
fn throttling_is_ridden_out_by_retries() {
    let (mut env, p) = env_with_pages("throttle", 15);
    let proxy = behind_proxy(
        &mut env,
        vec![fault(
            "DescribeParameters",
            1,
            2,
            400,
            "ThrottlingException",
        )],
    );
    env.run(&["get", &p]).expect_code(0);
    assert_eq!(
        proxy.count("DescribeParameters"),
        4,
        "2 pages + 2 throttled attempts"
    );
    assert_eq!(
        fs::read_to_string(env.env_file()).unwrap().lines().count(),
        2 + 15
    );
}

#[test]
fn expired_token_exits_3_with_the_login_hint_and_keeps_the_file() {
    let (mut env, p) = env_with_pages("expired", 3);
    let proxy = behind_proxy(&mut env, vec![always(400, "ExpiredTokenException")]);
    env.aws_config("[profile islandis-dev]\nregion = eu-west-1\n");
    let run = env
        .cmd(&["get", &p, "--endpoint-url", &proxy.url])
        .env("AWS_PROFILE", "islandis-dev")
        .run();
    run.expect_code(3);
    // AWS_PROFILE is set but the keys in the environment win: said at once, and the hint
    // says it again.
    assert_eq!(
        run.stderr,
        "warning: AWS_PROFILE=islandis-dev is ignored: the keys in the environment \
        (AWS_ACCESS_KEY_ID) win, as in the AWS CLI; pass --profile islandis-dev to use the \
        profile\n\
        error: the AWS credentials in the environment have expired\n\
        cause: injected ExpiredTokenException\n\
        hint: AWS_PROFILE=islandis-dev is ignored because AWS_ACCESS_KEY_ID is set (keys in the \
        environment win, as in the AWS CLI): pass --profile islandis-dev, or `unset \
        AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN`, or get fresh keys\n"
    );
    assert_untouched(&env);
    let run = env.cmd(&["get", &p, "--endpoint-url", &proxy.url]).run();
    run.expect_code(3);
    assert!(
        run.stderr.ends_with(
            "hint: get fresh credentials into AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and \
             AWS_SESSION_TOKEN (with aws-vault: `aws-vault exec PROFILE -- secrets ...`), or unset \
             them and pass --profile\n"
        ),
        "{}",
        run.stderr
    );
    assert_untouched(&env);
}

#[test]
fn rejected_keys_of_a_profile_exit_3_naming_the_profile() {
    let (mut env, p) = env_with_pages("rejected", 2);
    let proxy = behind_proxy(&mut env, vec![always(400, "UnrecognizedClientException")]);
    env.aws_credentials("[ci]\naws_access_key_id = AKIDCI\naws_secret_access_key = ci-secret\n");
    let run = env
        .bare_cmd(&["get", &p, "--profile", "ci", "--endpoint-url", &proxy.url])
        .run();
    run.expect_code(3);
    assert!(
        run.stderr
            .starts_with("error: AWS rejected the credentials of profile ci\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains("hint: refresh the credentials of profile ci"),
        "{}",
        run.stderr
    );
    assert_untouched(&env);
}

#[test]
fn access_denied_names_the_path_and_the_caller() {
    let (mut env, p) = env_with_pages("denied", 2);
    // Both ways to sweep are denied (DescribeParameters alone falls back to the other).
    let proxy = behind_proxy(
        &mut env,
        vec![
            always(400, "AccessDeniedException"),
            fault(
                "GetParametersByPath",
                0,
                usize::MAX,
                400,
                "AccessDeniedException",
            ),
        ],
    );
    let run = env.run(&["get", &p]);
    run.expect_code(1);
    // One for the summary's account (asked beside the fetch), one for the error's caller.
    assert_eq!(proxy.count("GetCallerIdentity"), 2);
    let first = run.stderr.lines().next().unwrap_or_default();
    assert_eq!(
        first,
        format!(
            "error: access denied: arn:aws:sts::123456789012:user/moto may not call GetParametersByPath on /k8s/{p}/"
        )
    );
    assert!(
        run.stderr
            .contains("hint: use a profile whose role may read this path")
    );
    assert_untouched(&env);
}

#[test]
fn unreachable_endpoint_is_a_runtime_failure() {
    let (env, p) = env_with_pages("unreachable", 1);
    let port = crate::support::moto::free_port();
    let run = env
        .cmd(&[
            "get",
            &p,
            "--endpoint-url",
            &format!("http://127.0.0.1:{port}"),
        ])
        .run();
    run.expect_code(1);
    assert!(
        run.stderr.starts_with(&format!(
            "error: cannot connect to http://127.0.0.1:{port} ("
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains("Connection refused"), "{}", run.stderr);
    assert_untouched(&env);
}

#[test]
fn a_file_that_cannot_be_merged_is_refused_before_any_request() {
    let (mut env, p) = env_with_pages("syntax", 1);
    let proxy = behind_proxy(&mut env, vec![]);
    let broken = "export A='fine'\nexport B='never closed\n";
    fs::write(env.env_file(), broken).unwrap();
    let run = env.run(&["get", &p]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: cannot merge into {}: line 2: a single quote is never closed\n\
         hint: fix that line, or run with --reset to start the file afresh\n",
            env.env_file().display()
        )
    );
    assert_eq!(proxy.seen.lock().unwrap().len(), 0);
    assert_eq!(fs::read_to_string(env.env_file()).unwrap(), broken);
    // --reset does not need to read it.
    env.run(&["get", &p, "--reset"]).expect_code(0);
}

#[test]
fn usage_errors_exit_2_with_a_hint() {
    let env = TestEnv::new();
    let run = env.run(&["get"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("required arguments were not provided"),
        "{}",
        run.stderr
    );
    // A CA bundle set in the environment (common behind a TLS-inspecting proxy) is not shown
    // as a flag the user typed.
    let run = env.cmd(&["get"]).env("AWS_CA_BUNDLE", "/some/ca.pem").run();
    run.expect_code(2);
    assert!(
        run.stderr.contains("Usage: secrets get <PROJECT>..."),
        "{}",
        run.stderr
    );

    let run = env.run(&["get", "../etc"]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        "error: invalid project name `../etc`: only letters, digits, `-`, `_` and `.` are allowed\n\
        hint: give the project as it appears in /k8s/<project>/, e.g. `secrets get api`\n"
    );

    let outside = tempfile::tempdir().unwrap();
    let mut cmd = env.cmd(&["get", "api", "--endpoint-url", &env.endpoint]);
    cmd.command.current_dir(outside.path());
    let run = cmd.run();
    run.expect_code(2);
    assert!(
        run.stderr
            .contains("is not inside a git repository\nhint: run it from the monorepo"),
        "{}",
        run.stderr
    );

    let run = env.run(&["get", "api", "--root", "/nonexistent/dir"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .starts_with("error: --root /nonexistent/dir is not a directory"),
        "{}",
        run.stderr
    );
}

#[test]
fn help_lists_the_exit_codes() {
    let env = TestEnv::new();
    for args in [&["--help"][..], &["get", "--help"][..]] {
        let run = env.run(args);
        run.expect_code(0);
        for line in [
            "0    success",
            "2    invalid usage or input",
            "3    AWS credentials missing, expired or rejected",
            "130  interrupted",
        ] {
            assert!(run.stdout.contains(line), "{args:?} lacks {line}");
        }
    }
}

#[test]
fn ctrl_c_mid_fetch_exits_130_and_writes_nothing() {
    let (mut env, p) = env_with_pages("sigint", 3);
    let proxy = behind_proxy(
        &mut env,
        vec![Rule {
            op: "DescribeParameters",
            skip: 0,
            times: usize::MAX,
            every: 1,
            reply: Reply::Stall(std::time::Duration::from_secs(20)),
        }],
    );
    let mut cmd = env.cmd(&["get", &p, "--endpoint-url", &proxy.url]);
    cmd.command
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let child = cmd.command.spawn().unwrap();
    let start = std::time::Instant::now();
    while proxy.count("DescribeParameters") == 0 {
        assert!(start.elapsed().as_secs() < 10, "no request arrived");
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
    let kill = std::process::Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(130));
    assert!(start.elapsed().as_secs() < 10, "did not stop promptly");
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "interrupted: nothing was written\n"
    );
    assert_untouched(&env);
}

#[test]
fn a_symlinked_env_file_is_followed_and_the_link_kept() {
    let (env, p) = env_with_pages("symlink", 1);
    let shared = tempfile::tempdir().unwrap();
    let target = shared.path().join("island.env");
    fs::rename(env.env_file(), &target).unwrap();
    std::os::unix::fs::symlink(&target, env.env_file()).unwrap();
    env.run(&["get", &p]).expect_code(0);
    assert!(
        fs::symlink_metadata(env.env_file())
            .unwrap()
            .file_type()
            .is_symlink()
    );
    let text = fs::read_to_string(&target).unwrap();
    assert_eq!(text, format!("{BEFORE}export K00='symlink-value-00'\n"));
    assert_eq!(crate::support::mode(&target), 0o600);
}

#[test]
fn concurrent_runs_on_one_file_keep_every_key_and_user_line() {
    let mut env = TestEnv::new();
    let projects: Vec<String> = (0..8).map(|_| project("concurrent")).collect();
    let names: Vec<String> = projects
        .iter()
        .map(|p| format!("/k8s/{p}/KEY_{}", p.replace('-', "_")))
        .collect();
    let values: Vec<String> = projects.iter().map(|p| format!("{p}-value")).collect();
    let params: Vec<(&str, &str)> = names
        .iter()
        .zip(&values)
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect();
    env.seed(&params);
    fs::write(env.env_file(), BEFORE).unwrap();
    let children: Vec<_> = projects
        .iter()
        .map(|p| {
            let mut cmd = env.cmd(&["get", p, "--endpoint-url", &env.endpoint]);
            cmd.command
                .stdout(std::process::Stdio::null())
                .stderr(std::process::Stdio::null());
            cmd.command.spawn().unwrap()
        })
        .collect();
    for mut child in children {
        assert!(child.wait().unwrap().success());
    }
    let text = fs::read_to_string(env.env_file()).unwrap();
    assert!(text.starts_with(BEFORE), "{text}");
    for p in &projects {
        let line = format!("export KEY_{}='{p}-value'\n", p.replace('-', "_"));
        assert_eq!(text.matches(&line).count(), 1, "{line:?} in {text}");
    }
    assert_eq!(text.lines().count(), 2 + projects.len());
}
