//! The first day: `secrets login` (the device flow against a fake SSO OIDC and portal in the
//! proxy, SSM from moto), the cache the SDK then reads, an expired session renewed on a
//! terminal, `secrets setup` and `secrets doctor`.

use std::fs;

use rexpect::process::WaitStatus;

use crate::support::proxy::{Proxy, Reply, Rule};
use crate::support::{Moto, TestEnv, mode, project};

const SESSION_CONFIG: &str = "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n\
    sso_role_name = Developer\nregion = eu-west-1\n\n[profile team]\nsso_session = corp\n\
    sso_account_id = 123456789012\nsso_role_name = ReadOnly\nregion = eu-west-1\n\n\
    [sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\nsso_region = eu-west-1\n";

/// IAM Identity Center as the proxy plays it: a registration, a device authorization, the
/// token after `pending` "authorization_pending" answers (and one "slow_down" when asked),
/// and role credentials from the portal; everything else goes on to moto.
fn identity_center(pending: usize, slow_down: bool) -> Proxy {
    let json = |s: &str| Reply::Json(s.to_string());
    let mut rules = vec![
        Rule::new(
            "RegisterClient",
            0,
            usize::MAX,
            1,
            json(
                r#"{"clientId": "fake-client", "clientSecret": "fake-client-secret",
                "clientIdIssuedAt": 1700000000, "clientSecretExpiresAt": 4102444800}"#,
            ),
        ),
        Rule::new(
            "StartDeviceAuthorization",
            0,
            usize::MAX,
            1,
            json(
                r#"{"deviceCode": "fake-device-code", "userCode": "ABCD-EFGH",
                "verificationUri": "https://device.sso.example/",
                "verificationUriComplete": "https://device.sso.example/?user_code=ABCD-EFGH",
                "expiresIn": 600, "interval": 1}"#,
            ),
        ),
        Rule::new(
            "CreateToken",
            0,
            pending,
            1,
            Reply::AwsError(400, "AuthorizationPendingException"),
        ),
    ];
    let mut after = pending;
    if slow_down {
        rules.push(Rule::new(
            "CreateToken",
            pending,
            1,
            1,
            Reply::AwsError(400, "SlowDownException"),
        ));
        after += 1;
    }
    rules.push(Rule::new(
        "CreateToken",
        after,
        usize::MAX,
        1,
        json(
            r#"{"accessToken": "fresh-sso-bearer", "tokenType": "Bearer",
            "expiresIn": 28800, "refreshToken": "fresh-refresh-token"}"#,
        ),
    ));
    rules.push(Rule::new(
        "GetRoleCredentials",
        0,
        usize::MAX,
        1,
        json(r#"{"roleCredentials": {"accessKeyId": "ASIASSOLOGIN", "secretAccessKey":
            "sso-login-secret", "sessionToken": "sso-login-session", "expiration": 4102444800000}}"#),
    ));
    Proxy::start(&Moto::shared().url, rules)
}

/// A repository with one seeded project, the SSO profiles, and every AWS endpoint (SSM, STS,
/// SSO, SSO OIDC) at `proxy`.
fn env_for(proxy: &Proxy, config: &str) -> (TestEnv, String) {
    let mut env = TestEnv::new();
    env.endpoint = proxy.url.clone();
    env.aws_config(config);
    let p = project("sso");
    env.seed(&[(&format!("/k8s/{p}/SSO_KEY"), "sso-key-value")]);
    (env, p)
}

fn run_with(env: &TestEnv, proxy: &Proxy, args: &[&str]) -> crate::support::Run {
    env.bare_cmd(args)
        .env("AWS_ENDPOINT_URL", &proxy.url)
        .env("AWS_ENDPOINT_URL_SSO", &proxy.url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &proxy.url)
        .env("SECRETS_NO_BROWSER", "1")
        .run()
}

fn cache_file(env: &TestEnv, key: &str) -> std::path::PathBuf {
    let digest = sha1_smol::Sha1::from(key).digest().to_string();
    env.home().join(format!(".aws/sso/cache/{digest}.json"))
}

#[test]
fn login_caches_the_token_as_the_aws_cli_does_and_every_profile_of_the_session_uses_it() {
    let proxy = identity_center(2, true);
    let (env, p) = env_for(&proxy, SESSION_CONFIG);
    let run = run_with(&env, &proxy, &["login", "--profile", "dev"]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(
            "open https://device.sso.example/?user_code=ABCD-EFGH\n\
             and check that the page shows the code ABCD-EFGH."
        ),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains("Signed in (SSO session corp) until "),
        "{}",
        run.stderr
    );
    // Two "pending", one "slow down" (5 s more between polls), then the token.
    assert_eq!(proxy.count("CreateToken"), 4);
    assert_eq!(proxy.count("RegisterClient"), 1);
    let path = cache_file(&env, "corp");
    assert_eq!(mode(&path), 0o600);
    let doc: serde_json::Value = serde_json::from_str(&fs::read_to_string(&path).unwrap()).unwrap();
    let mut keys: Vec<&str> = doc
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "accessToken",
            "clientId",
            "clientSecret",
            "expiresAt",
            "refreshToken",
            "region",
            "registrationExpiresAt",
            "startUrl"
        ]
    );
    assert_eq!(doc["accessToken"], "fresh-sso-bearer");
    assert_eq!(doc["startUrl"], "https://corp.awsapps.com/start");
    assert!(doc["expiresAt"].as_str().unwrap().ends_with('Z'));

    // The SDK's own SSO provider reads that cache: `get` signs in through the portal.
    let run = run_with(&env, &proxy, &["get", &p, "--profile", "dev"]);
    run.expect_code(0);
    assert_eq!(proxy.count("GetRoleCredentials"), 1);
    assert!(
        fs::read_to_string(env.env_file())
            .unwrap()
            .contains("export SSO_KEY='sso-key-value'\n")
    );
    // Another profile of the same session: no second sign-in.
    let run = run_with(&env, &proxy, &["get", &p, "--profile", "team"]);
    run.expect_code(0);
    assert_eq!(proxy.count("StartDeviceAuthorization"), 1);
    assert_eq!(proxy.count("GetRoleCredentials"), 2);
}

#[test]
fn a_legacy_sso_profile_is_cached_under_its_start_url_without_a_refresh_token() {
    let proxy = identity_center(0, false);
    let (env, _) = env_for(
        &proxy,
        "[profile old]\nsso_start_url = https://legacy.awsapps.com/start\nsso_region = eu-west-1\n\
         sso_account_id = 123456789012\nsso_role_name = Developer\nregion = eu-west-1\n",
    );
    run_with(&env, &proxy, &["login", "--profile", "old"]).expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(cache_file(&env, "https://legacy.awsapps.com/start")).unwrap(),
    )
    .unwrap();
    assert_eq!(doc["accessToken"], "fresh-sso-bearer");
    assert!(doc.get("refreshToken").is_none(), "{doc}");
    // A profile that is not an SSO one: exit 2, naming the way to add one.
    let (env, _) = env_for(&proxy, "[profile keys]\nregion = eu-west-1\n");
    let run = run_with(&env, &proxy, &["login", "--profile", "keys"]);
    run.expect_code(2);
    assert!(
        run.stderr
            .starts_with("error: profile keys is not an SSO profile"),
        "{}",
        run.stderr
    );
}

/// A session token that expired an hour ago and cannot be refreshed.
fn expired_cache(env: &TestEnv) {
    let path = cache_file(env, "corp");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(
        &path,
        r#"{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
            "accessToken": "old-bearer", "expiresAt": "2020-01-01T00:00:00Z"}"#,
    )
    .unwrap();
}

#[test]
fn an_expired_session_on_a_terminal_signs_in_once_and_the_command_goes_on() {
    let proxy = identity_center(1, false);
    let (env, p) = env_for(&proxy, SESSION_CONFIG);
    expired_cache(&env);
    let mut cmd = env.cmd(&["get", &p, "--profile", "dev"]);
    cmd.env("AWS_ENDPOINT_URL", &proxy.url)
        .env("AWS_ENDPOINT_URL_SSO", &proxy.url)
        .env("AWS_ENDPOINT_URL_SSO_OIDC", &proxy.url)
        .env("SECRETS_NO_BROWSER", "1");
    let mut s = cmd.spawn_in_pty();
    s.exp_string("The SSO session of profile dev has expired: signing in.")
        .unwrap();
    s.exp_string("ABCD-EFGH").unwrap();
    let rest = s.exp_eof().unwrap();
    env.assert_no_values("the terminal", &rest);
    assert!(rest.contains("1 secret written"), "{rest}");
    match s.process().wait() {
        Ok(WaitStatus::Exited(_, code)) => assert_eq!(code, 0, "{rest}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(proxy.count("StartDeviceAuthorization"), 1);
    assert!(
        fs::read_to_string(env.env_file())
            .unwrap()
            .contains("SSO_KEY=")
    );

    // Without a terminal: exit 3, and the hint names the command that signs in.
    expired_cache(&env);
    let run = run_with(&env, &proxy, &["get", &p, "--profile", "dev"]);
    run.expect_code(3);
    assert!(
        run.stderr
            .ends_with("hint: run `secrets login --profile dev` and try again\n"),
        "{}",
        run.stderr
    );
    assert_eq!(proxy.count("StartDeviceAuthorization"), 1);
}

const REPO_CONFIG: &str = "[sso]\nstart_url = \"https://corp.awsapps.com/start\"\nsession = \"corp\"\n\
    role = \"Developer\"\n\n[environments.dev]\nprofile = \"corp-dev\"\naccount = \"123456789012\"\n";

#[test]
fn setup_adds_the_missing_profiles_once_and_login_and_get_then_work() {
    let proxy = identity_center(0, false);
    let (env, p) = env_for(&proxy, "[default]\nregion = eu-west-1\n");
    env.write(".secrets.toml", REPO_CONFIG);
    let config = env.home().join(".aws/config");
    let before = fs::read_to_string(&config).unwrap();
    // Without a terminal, nothing is written without --yes.
    let run = run_with(&env, &proxy, &["setup"]);
    run.expect_code(2);
    assert_eq!(fs::read_to_string(&config).unwrap(), before);
    let dry = run_with(&env, &proxy, &["setup", "--dry-run"]);
    dry.expect_code(0);
    let added = "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n\
                 sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n\n\
                 [profile corp-dev]\nsso_session = corp\nsso_account_id = 123456789012\n\
                 sso_role_name = Developer\nregion = eu-west-1\n";
    assert_eq!(dry.stdout, added);
    assert_eq!(fs::read_to_string(&config).unwrap(), before);

    run_with(&env, &proxy, &["setup", "--yes"]).expect_code(0);
    assert_eq!(
        fs::read_to_string(&config).unwrap(),
        format!("{before}\n{added}")
    );
    assert_eq!(
        fs::read_to_string(env.home().join(".aws/config.secrets-backup")).unwrap(),
        before
    );
    // Run twice, it adds nothing.
    let again = run_with(&env, &proxy, &["setup", "--yes"]);
    again.expect_code(0);
    assert!(again.stderr.contains("nothing to add"), "{}", again.stderr);
    assert_eq!(
        fs::read_to_string(&config).unwrap(),
        format!("{before}\n{added}")
    );

    // The first day goes on as the README writes it: `login`, then `get`, no profile named
    // anywhere: both take the default environment's profile from .secrets.toml.
    run_with(&env, &proxy, &["login"]).expect_code(0);
    let run = run_with(&env, &proxy, &["get", &p, "-v"]);
    run.expect_code(0);
    assert!(
        run.stderr
            .contains("trace: profile corp-dev: the default environment's in .secrets.toml"),
        "{}",
        run.stderr
    );
    assert!(
        fs::read_to_string(env.env_file())
            .unwrap()
            .contains("SSO_KEY="),
        "nothing written"
    );
}

#[test]
fn the_default_environments_profile_is_taken_only_when_nothing_else_chooses() {
    let proxy = identity_center(0, false);
    let (env, _) = env_for(&proxy, "[default]\nregion = eu-west-1\n");
    env.write(".secrets.toml", REPO_CONFIG);
    run_with(&env, &proxy, &["setup", "--yes"]).expect_code(0);
    run_with(&env, &proxy, &["login"]).expect_code(0);
    let who = |extra: &[(&str, &str)]| {
        let mut cmd = env.bare_cmd(&["whoami", "--json"]);
        cmd.env("AWS_ENDPOINT_URL", &proxy.url)
            .env("AWS_ENDPOINT_URL_SSO", &proxy.url)
            .env("AWS_ENDPOINT_URL_SSO_OIDC", &proxy.url);
        for (k, v) in extra {
            cmd.env(k, v);
        }
        let run = cmd.run();
        run.expect_code(0);
        let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
        (
            doc["profile"].as_str().map(str::to_string),
            doc["profile_from_secrets_toml"].as_bool(),
        )
    };
    // Nothing chooses (a `default` profile holding only a region does not): .secrets.toml's.
    assert_eq!(who(&[]), (Some("corp-dev".to_string()), Some(true)));
    let text = run_with(&env, &proxy, &["whoami"]);
    assert!(
        text.stdout
            .contains("corp-dev (.secrets.toml's default environment"),
        "{}",
        text.stdout
    );
    // Plans name it so too.
    let plan = run_with(
        &env,
        &proxy,
        &[
            "create",
            "--name",
            "sso-plan/NEW_KEY",
            "--value",
            "plan-value",
            "--dry-run",
        ],
    );
    plan.expect_code(0);
    assert!(
        plan.stdout
            .contains("(profile corp-dev from .secrets.toml)")
            || plan
                .stderr
                .contains("(profile corp-dev from .secrets.toml)"),
        "{}{}",
        plan.stdout,
        plan.stderr
    );
    // AWS_PROFILE or keys in the environment: theirs, as with the AWS CLI.
    let mut config = fs::read_to_string(env.home().join(".aws/config")).unwrap();
    config.push_str(
        "\n[profile keys]\naws_access_key_id = AKIDOTHER\naws_secret_access_key = other-secret\n",
    );
    env.aws_config(&config);
    assert_eq!(
        who(&[("AWS_PROFILE", "keys")]),
        (Some("keys".to_string()), Some(false))
    );
    assert_eq!(
        who(&[
            ("AWS_ACCESS_KEY_ID", "AKIDENV"),
            ("AWS_SECRET_ACCESS_KEY", "env-secret")
        ]),
        (None, Some(false))
    );
    // A `default` profile that signs in wins, as with the AWS CLI.
    env.aws_credentials("[default]\naws_access_key_id = AKIDDEFAULT\naws_secret_access_key = d\n");
    assert_eq!(who(&[]), (None, Some(false)));
}

fn git(env: &TestEnv, args: &[&str]) {
    let status = std::process::Command::new("git")
        .args(args)
        .current_dir(env.repo())
        .env("HOME", env.home())
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .unwrap();
    assert!(status.success(), "git {args:?}");
}

/// `doctor`'s line for `check`, and the fix line after it, if any.
fn line<'a>(run: &'a crate::support::Run, check: &str) -> (&'a str, Option<&'a str>) {
    let lines: Vec<&str> = run.stdout.lines().collect();
    let at = lines
        .iter()
        .position(|l| {
            l.get(6..)
                .is_some_and(|rest| rest.starts_with(&format!("{check} ")))
        })
        .unwrap_or_else(|| panic!("no check {check}:\n{}", run.stdout));
    let fix = lines
        .get(at + 1)
        .and_then(|l| l.trim_start().strip_prefix("fix: "));
    (lines[at], fix)
}

#[test]
fn doctor_names_each_problem_with_its_fix() {
    let proxy = identity_center(0, false);
    let (env, p) = env_for(&proxy, "[default]\nregion = eu-west-1\n");
    fs::remove_dir_all(env.repo().join(".git")).unwrap();
    git(&env, &["init", "-q"]);
    env.write(".secrets.toml", REPO_CONFIG);
    env.write(".gitignore", ".env.secret\n");
    env.write(".envrc", "source_env_if_exists .env.secret\n");
    env.write(
        "apps/x/infra/x.ts",
        "service('x').secrets({ X_KEY: '/k8s/x/X_KEY' })\n",
    );
    run_with(&env, &proxy, &["setup", "--yes"]).expect_code(0);
    run_with(&env, &proxy, &["login", "--env", "dev"]).expect_code(0);
    run_with(&env, &proxy, &["get", &p, "--profile", "corp-dev"]).expect_code(0);

    // Healthy: every required check passes (direnv may be missing: only a warning).
    let run = run_with(&env, &proxy, &["doctor"]);
    run.expect_code(0);
    for check in [
        "version",
        "repository",
        ".secrets.toml",
        ".envrc",
        ".env.secret",
        ".env.secret mode",
        "dev: profile",
        "dev: SSO session",
        "dev: credentials",
        "dev: account",
        "dev: ssm:DescribeParameters",
    ] {
        assert!(
            line(&run, check).0.starts_with("ok "),
            "{check}:\n{}",
            run.stdout
        );
    }
    // Counts read as English: one service, not "1 services".
    assert!(
        line(&run, "repository")
            .0
            .ends_with(": 1 service in the infra code, 0 warnings"),
        "{}",
        run.stdout
    );
    let json = run_with(&env, &proxy, &["doctor", "--json"]);
    json.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&json.stdout).unwrap();
    assert!(
        doc.as_array()
            .unwrap()
            .iter()
            .any(|c| c["check"] == "dev: account" && c["state"] == "ok")
    );

    // A missing .envrc: a warning with the line to add.
    fs::remove_file(env.repo().join(".envrc")).unwrap();
    let run = run_with(&env, &proxy, &["doctor"]);
    run.expect_code(0);
    let (text, fix) = line(&run, ".envrc");
    assert!(text.starts_with("warn "), "{text}");
    assert_eq!(
        fix,
        Some("echo 'source_env_if_exists .env.secret' >> .envrc && direnv allow")
    );

    // A tracked .env.secret: an error, with the fix.
    git(&env, &["add", "-f", ".env.secret"]);
    let run = run_with(&env, &proxy, &["doctor"]);
    run.expect_code(1);
    let (text, fix) = line(&run, ".env.secret");
    assert!(text.starts_with("FAIL "), "{text}");
    assert!(
        fix.unwrap().starts_with("git rm --cached .env.secret"),
        "{fix:?}"
    );
    git(&env, &["rm", "-q", "--cached", ".env.secret"]);

    // An expired session: the check fails and names the sign-in.
    expired_cache(&env);
    let run = run_with(&env, &proxy, &["doctor"]);
    run.expect_code(1);
    let (text, fix) = line(&run, "dev: SSO session");
    assert!(
        text.starts_with("FAIL ") && text.ends_with("expired"),
        "{text}"
    );
    assert_eq!(fix, Some("secrets login --profile corp-dev"));

    // A profile reaching another account than .secrets.toml says.
    run_with(&env, &proxy, &["login", "--env", "dev"]).expect_code(0);
    env.write(
        ".secrets.toml",
        &REPO_CONFIG.replace("account = \"123456789012\"", "account = \"999999999999\""),
    );
    let run = run_with(&env, &proxy, &["doctor"]);
    run.expect_code(1);
    let (text, _) = line(&run, "dev: account");
    assert!(
        text.starts_with("FAIL ")
            && text.contains("reaches 123456789012, .secrets.toml says 999999999999"),
        "{text}"
    );
}

#[test]
fn an_expired_token_with_a_refresh_token_is_renewed_by_the_sdk_without_a_sign_in() {
    let proxy = identity_center(0, false);
    let (env, p) = env_for(&proxy, SESSION_CONFIG);
    let path = cache_file(&env, "corp");
    fs::create_dir_all(path.parent().unwrap()).unwrap();
    fs::write(
        &path,
        r#"{"startUrl": "https://corp.awsapps.com/start", "region": "eu-west-1",
            "accessToken": "old-bearer", "expiresAt": "2020-01-01T00:00:00Z",
            "clientId": "fake-client", "clientSecret": "fake-client-secret",
            "registrationExpiresAt": "2099-01-01T00:00:00Z", "refreshToken": "old-refresh"}"#,
    )
    .unwrap();
    // No terminal needed, and no device flow: the SDK's refresh (CreateToken) is enough.
    run_with(&env, &proxy, &["get", &p, "--profile", "dev"]).expect_code(0);
    assert_eq!(proxy.count("StartDeviceAuthorization"), 0);
    assert_eq!(proxy.count("CreateToken"), 1);
    // The SDK cached the renewed token where it read the old one.
    let run = run_with(&env, &proxy, &["doctor", "--profile", "dev"]);
    let (text, _) = line(&run, "profile dev: SSO session");
    assert!(
        text.starts_with("ok ") && text.contains("signed in"),
        "{text}"
    );
}
