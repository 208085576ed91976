//! Roles that require MFA, without aws-vault: prompt, AssumeRole, and the AWS CLI's cache.

use std::fs;
use std::path::PathBuf;

use crate::support::TestEnv;
use crate::support::proxy::Proxy;

const ROLE: &str = "arn:aws:iam::123456789012:role/mfa-reader";
const SERIAL: &str = "arn:aws:iam::123456789012:mfa/dev";

fn mfa_env() -> (TestEnv, Proxy) {
    let env = TestEnv::new();
    let proxy = Proxy::start(&env.moto_url, vec![]);
    env.aws_config(&format!(
        "[profile base]\naws_access_key_id = AKIDBASE\naws_secret_access_key = base-secret\n\n\
         [profile mfa]\nrole_arn = {ROLE}\nsource_profile = base\nmfa_serial = {SERIAL}\n\
         region = eu-west-1\nendpoint_url = {}\n",
        proxy.url
    ));
    (env, proxy)
}

/// Where the AWS CLI keeps this role's credentials: computed by Python the way botocore does.
fn cli_cache_file(env: &TestEnv) -> PathBuf {
    let script = "import hashlib,json,sys; print(hashlib.sha1(json.dumps({'RoleArn': sys.argv[1], \
                  'SerialNumber': sys.argv[2]}, sort_keys=True).encode('utf-8')).hexdigest())";
    let out = std::process::Command::new("python3")
        .args(["-c", script, ROLE, SERIAL])
        .output()
        .unwrap();
    let key = String::from_utf8(out.stdout).unwrap().trim().to_string();
    env.home()
        .join(".aws/cli/cache")
        .join(format!("{key}.json"))
}

#[test]
fn the_code_is_asked_once_and_the_cli_cache_serves_the_next_run() {
    let (env, proxy) = mfa_env();
    let mut s = env.spawn_in_pty(&["whoami", "--profile", "mfa"]);
    s.exp_string(&format!("Enter MFA code for {SERIAL}"))
        .unwrap();
    s.send_line("123456").unwrap();
    let screen = s.exp_eof().unwrap();
    assert!(
        screen.contains("arn          arn:aws:sts::123456789012:assumed-role/mfa-reader/"),
        "{screen}"
    );
    assert!(screen.contains("assume-role arn:aws:iam::123456789012:role/mfa-reader from base, with MFA (profile mfa)"), "{screen}");
    assert_eq!(proxy.count("AssumeRole"), 1);

    let cache = cli_cache_file(&env);
    assert_eq!(crate::support::mode(&cache), 0o600);
    let json: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(&cache).unwrap()).unwrap();
    let expiration = json["Credentials"]["Expiration"].as_str().unwrap();
    assert!(
        expiration.ends_with("UTC") && expiration.len() == 22,
        "the CLI's own format: {expiration}"
    );

    // No terminal now, and no prompt needed: the cached credentials are used.
    let run = env.bare_cmd(&["whoami", "--profile", "mfa"]).run();
    run.expect_code(0);
    assert!(
        run.stdout.contains("assumed-role/mfa-reader/"),
        "{}",
        run.stdout
    );
    assert_eq!(proxy.count("AssumeRole"), 1, "no second AssumeRole");
}

#[test]
fn credentials_the_aws_cli_cached_are_used() {
    let (env, proxy) = mfa_env();
    let cache = cli_cache_file(&env);
    fs::create_dir_all(cache.parent().unwrap()).unwrap();
    let later = std::time::SystemTime::now() + std::time::Duration::from_secs(3600);
    let later = aws_smithy_types::DateTime::from(later)
        .fmt(aws_smithy_types::date_time::Format::DateTime)
        .unwrap();
    let expiration = format!("{}UTC", &later[..19]);
    fs::write(&cache, format!(
        r#"{{"Credentials": {{"AccessKeyId": "ASIACLI", "SecretAccessKey": "cli-secret", "SessionToken": "cli-token", "Expiration": "{expiration}"}}}}"#
    )).unwrap();
    let run = env
        .bare_cmd(&["whoami", "--profile", "mfa", "--json"])
        .run();
    run.expect_code(0);
    assert_eq!(proxy.count("AssumeRole"), 0);
    let json: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert!(json["expires_in_seconds"].as_i64().unwrap() > 3000);
}

#[test]
fn mfa_token_flag_and_no_terminal() {
    let (env, proxy) = mfa_env();
    let run = env.bare_cmd(&["whoami", "--profile", "mfa"]).run();
    run.expect_code(3);
    assert!(
        run.stderr.contains("pass --mfa-token CODE"),
        "{}",
        run.stderr
    );
    assert_eq!(proxy.count("AssumeRole"), 0);

    let run = env
        .bare_cmd(&["whoami", "--profile", "mfa", "--mfa-token", "654321"])
        .run();
    run.expect_code(0);
    assert_eq!(proxy.count("AssumeRole"), 1);
    assert!(cli_cache_file(&env).exists());
}

#[test]
fn without_a_terminal_the_code_is_read_from_stdin() {
    let (env, proxy) = mfa_env();
    let run = env
        .bare_cmd(&["whoami", "--profile", "mfa"])
        .run_with_stdin(b"246810\n");
    run.expect_code(0);
    assert!(run.stdout.contains("assumed-role/mfa-reader/"));
    assert_eq!(proxy.count("AssumeRole"), 1);

    // Not a 6-digit code: refused before any AssumeRole.
    fs::remove_file(cli_cache_file(&env)).unwrap();
    let run = env
        .bare_cmd(&["whoami", "--profile", "mfa"])
        .run_with_stdin(b"12ab\n");
    run.expect_code(3);
    assert_eq!(proxy.count("AssumeRole"), 1);
}
