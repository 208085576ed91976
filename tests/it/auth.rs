//! Every way users sign in, against moto's SSM and STS.

use std::fs;
use std::os::unix::fs::PermissionsExt;

use crate::support::proxy::{Proxy, Reply, Rule};
use crate::support::{TestEnv, project};

fn seeded(stem: &str) -> (TestEnv, String) {
    let mut env = TestEnv::new();
    let p = project(stem);
    env.seed(&[(
        &format!("/k8s/{p}/AUTH_VALUE"),
        &format!("{stem}-auth-value"),
    )]);
    (env, p)
}

fn assert_fetched(env: &TestEnv, p: &str) {
    let text = fs::read_to_string(env.env_file()).unwrap_or_default();
    let stem = p.rsplit_once('-').map_or(p, |(s, _)| s);
    assert_eq!(text, format!("export AUTH_VALUE='{stem}-auth-value'\n"));
}

#[test]
fn no_credentials_anywhere_exits_3_with_a_sign_in_hint() {
    let (env, p) = seeded("nocreds");
    let run = env
        .bare_cmd(&["get", &p, "--endpoint-url", &env.endpoint])
        .run();
    run.expect_code(3);
    assert_eq!(
        run.stderr,
        "error: no AWS credentials found\n\
        hint: no AWS profile is configured: add them with `secrets setup` (or `aws configure \
        sso`), then pass `--profile NAME` or `export AWS_PROFILE=NAME`\n"
    );
    assert!(!env.env_file().exists());
    // With profiles configured but none chosen, the hint offers them by name.
    env.aws_config("[profile islandis-prod]\nregion = eu-west-1\n\n[profile islandis-dev]\nregion = eu-west-1\n");
    let run = env
        .bare_cmd(&["get", &p, "--endpoint-url", &env.endpoint])
        .run();
    run.expect_code(3);
    assert!(
        run.stderr.ends_with(
            "hint: choose one of your profiles (islandis-dev, islandis-prod) with `--profile NAME` \
             or `export AWS_PROFILE=NAME` (for an SSO profile, run `secrets login --profile NAME` first)\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn sso_profile_without_login_names_the_exact_login_command() {
    let (env, p) = seeded("sso");
    env.aws_config("[profile islandis-dev]\nsso_start_url = https://example.awsapps.com/start\n\
        sso_account_id = 013313053092\nsso_role_name = AWSPowerUserAccess\nsso_region = eu-west-1\n\
        region = eu-west-1\n\n[profile team]\nsso_session = corp\nsso_account_id = 013313053092\n\
        sso_role_name = Secret_Service\n\n[sso-session corp]\nsso_start_url = https://example.awsapps.com/start\n\
        sso_region = eu-west-1\n");
    for (how, profile) in [("env", "islandis-dev"), ("flag", "team")] {
        let mut cmd = env.bare_cmd(&["get", &p, "--endpoint-url", &env.endpoint]);
        if how == "env" {
            cmd.env("AWS_PROFILE", profile);
        } else {
            cmd.command.args(["--profile", profile]);
        }
        let run = cmd.run();
        run.expect_code(3);
        assert!(
            run.stderr.starts_with(&format!(
                "error: cannot load the AWS credentials of profile {profile}\n"
            )),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr.ends_with(&format!(
                "hint: run `secrets login --profile {profile}` and try again\n"
            )),
            "{}",
            run.stderr
        );
    }
}

#[test]
fn static_keys_in_a_profile() {
    let (env, p) = seeded("static");
    env.aws_credentials("[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n");
    env.bare_cmd(&[
        "get",
        &p,
        "--profile",
        "dev",
        "--endpoint-url",
        &env.endpoint,
    ])
    .run()
    .expect_code(0);
    assert_fetched(&env, &p);
}

#[test]
fn profile_flag_wins_over_environment_credentials_like_the_aws_cli() {
    let (env, p) = seeded("precedence");
    // The named profile's credential_process fails, so success would mean the flag was ignored.
    env.aws_config("[profile broken]\ncredential_process = false\n");
    let run = env
        .cmd(&[
            "get",
            &p,
            "--profile",
            "broken",
            "--endpoint-url",
            &env.endpoint,
        ])
        .run();
    run.expect_code(3);
    assert!(
        run.stderr
            .starts_with("error: cannot load the AWS credentials of profile broken"),
        "{}",
        run.stderr
    );
}

/// A `credential_process` that appends a line to `log` each time it runs, then prints
/// credentials (or, with `fail`, an error and exit 1, as aws-vault does when cancelled).
fn counting_process(env: &TestEnv, log: &std::path::Path, fail: bool) -> std::path::PathBuf {
    let script = env
        .home()
        .join(if fail { "vault-cancelled" } else { "vault-ok" });
    let body = if fail {
        "echo 'aws-vault: the MFA prompt was cancelled' >&2; exit 1".to_string()
    } else {
        "echo '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": \"s\"}'"
            .to_string()
    };
    fs::write(
        &script,
        format!("#!/bin/sh\necho run >> '{}'\n{body}\n", log.display()),
    )
    .unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    script
}

#[test]
fn credential_process_runs_once_per_command_even_when_it_fails() {
    // `get` sends the sweep and GetParameters at once, and starts resolving credentials
    // before either: none of them may start an aws-vault of its own.
    let (env, p) = seeded("once");
    for fail in [false, true] {
        let log = env.home().join(format!("runs-{fail}"));
        let script = counting_process(&env, &log, fail);
        env.aws_config(&format!(
            "[profile vault]\ncredential_process = {}\nregion = eu-west-1\n",
            script.display()
        ));
        let run = env
            .bare_cmd(&["get", &p, "--file", "-", "--endpoint-url", &env.endpoint])
            .env("AWS_PROFILE", "vault")
            .values_on_stdout()
            .run();
        run.expect_code(if fail { 3 } else { 0 });
        let runs = fs::read_to_string(&log).unwrap_or_default();
        assert_eq!(runs.lines().count(), 1, "fail={fail}: {}", run.stderr);
    }
}

#[test]
fn credential_process_as_aws_vault_sets_it_up() {
    let (env, p) = seeded("process");
    let script = env.home().join("fake-aws-vault");
    fs::write(&script, "#!/bin/sh\necho '{\"Version\": 1, \"AccessKeyId\": \"AKIDPROCESS\", \"SecretAccessKey\": \"process-secret\", \"SessionToken\": \"tok\"}'\n").unwrap();
    fs::set_permissions(&script, fs::Permissions::from_mode(0o755)).unwrap();
    env.aws_config(&format!(
        "[profile vault]\ncredential_process = {} exec vault --json\nregion = eu-west-1\n",
        script.display()
    ));
    env.bare_cmd(&["get", &p, "--endpoint-url", &env.endpoint])
        .env("AWS_PROFILE", "vault")
        .run()
        .expect_code(0);
    assert_fetched(&env, &p);
}

#[test]
fn assume_role_with_source_profile_through_sts() {
    let (env, p) = seeded("assume");
    env.aws_config(&format!(
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n\n\
         [profile role]\nrole_arn = arn:aws:iam::123456789012:role/secrets-reader\nsource_profile = base\n\
         region = eu-west-1\nendpoint_url = {}\n", env.endpoint));
    // STS through a counting proxy: the sweep and GetParameters start together, and both
    // must wait for the one AssumeRole rather than each making its own.
    let sts = Proxy::start(&env.moto_url, vec![]);
    let run = env
        .bare_cmd(&["get", &p, "--profile", "role"])
        .env("AWS_ENDPOINT_URL_STS", &sts.url)
        .run();
    run.expect_code(0);
    assert_fetched(&env, &p);
    assert_eq!(sts.count("AssumeRole"), 1, "credentials resolved once");
}

#[test]
fn web_identity_as_in_ci() {
    let (env, p) = seeded("webid");
    let token = env.home().join("token");
    fs::write(&token, "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJjaSJ9.c2ln").unwrap();
    let run = env
        .bare_cmd(&["get", &p])
        .env("AWS_WEB_IDENTITY_TOKEN_FILE", &token)
        .env("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci")
        .env("AWS_ROLE_SESSION_NAME", "ci")
        .env("AWS_REGION", "eu-west-1")
        .env("AWS_ENDPOINT_URL", &env.endpoint)
        .run();
    run.expect_code(0);
    assert_fetched(&env, &p);
}

/// SHA-1 of `text` in hex, as the SSO token cache names its files.
fn sha1_hex(text: &str) -> String {
    let out = std::process::Command::new("python3")
        .args([
            "-c",
            "import hashlib,sys; print(hashlib.sha1(sys.argv[1].encode()).hexdigest())",
            text,
        ])
        .output()
        .expect("python3");
    String::from_utf8(out.stdout)
        .expect("utf-8")
        .trim()
        .to_string()
}

#[test]
fn sso_session_profile_after_login_fetches_through_the_portal() {
    let (env, p) = seeded("ssologin");
    env.aws_config(
        "[profile islandis-dev]\nsso_session = island\nsso_account_id = 013313053092\n\
         sso_role_name = AWSPowerUserAccess\nregion = eu-west-1\n\n[sso-session island]\n\
         sso_start_url = https://island.awsapps.com/start\nsso_region = eu-west-1\n",
    );
    // What `aws sso login` leaves behind: a bearer token cached under the session's name.
    let cache = env.home().join(".aws/sso/cache");
    fs::create_dir_all(&cache).unwrap();
    fs::write(
        cache.join(format!("{}.json", sha1_hex("island"))),
        r#"{"accessToken": "cached-sso-bearer", "expiresAt": "2099-01-01T00:00:00Z",
            "region": "eu-west-1", "startUrl": "https://island.awsapps.com/start"}"#,
    )
    .unwrap();
    let portal = r#"{"roleCredentials": {"accessKeyId": "ASIASSO", "secretAccessKey": "sso-secret",
        "sessionToken": "sso-session", "expiration": 4102444800000}}"#;
    let proxy = Proxy::start(
        &env.moto_url,
        vec![Rule {
            op: "GetRoleCredentials",
            skip: 0,
            times: usize::MAX,
            every: 1,
            reply: Reply::Json(portal.to_string()),
        }],
    );
    let run = env
        .bare_cmd(&["get", &p, "--endpoint-url", &proxy.url])
        .env("AWS_PROFILE", "islandis-dev")
        .env("AWS_ENDPOINT_URL_SSO", &proxy.url)
        .run();
    run.expect_code(0);
    assert_eq!(proxy.count("GetRoleCredentials"), 1);
    assert_fetched(&env, &p);
}

#[test]
fn a_missing_profile_and_an_empty_sso_key_are_named_as_such() {
    let (env, p) = seeded("noprofile");
    env.aws_config(
        "[profile islandis-prod]\nregion = eu-west-1\n\n[profile islandis-dev]\n\
         sso_start_url =\nsso_region = eu-west-1\nsso_account_id = 013313053092\n\
         sso_role_name = AWSPowerUserAccess\nregion = eu-west-1\n",
    );
    let run = env
        .bare_cmd(&["get", &p, "--endpoint-url", &env.endpoint])
        .env("AWS_PROFILE", "islandis-staging")
        .run();
    run.expect_code(3);
    assert_eq!(
        run.stderr,
        "error: there is no profile islandis-staging in ~/.aws/config or ~/.aws/credentials\n\
         hint: use one of islandis-dev, islandis-prod (--profile NAME or AWS_PROFILE), or add it \
         with `secrets setup`\n"
    );
    let run = env
        .bare_cmd(&[
            "get",
            &p,
            "--profile",
            "islandis-dev",
            "--endpoint-url",
            &env.endpoint,
        ])
        .run();
    run.expect_code(3);
    assert!(
        run.stderr.starts_with(
            "error: profile islandis-dev has an empty sso_start_url\nhint: fill in sso_start_url"
        ),
        "{}",
        run.stderr
    );
    assert!(!env.env_file().exists());
}
