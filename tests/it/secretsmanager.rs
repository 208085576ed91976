//! Secrets Manager values through Parameter Store's `/aws/reference/secretsmanager/` paths,
//! and JSON keys as variables, against moto (which serves those paths from its Secrets
//! Manager).

use std::fs;
use std::process::{Command, Stdio};

use crate::support::proxy::Proxy;
use crate::support::{TestEnv, project, source_value};

const REF: &str = "/aws/reference/secretsmanager";

/// Creates a secret in moto's Secrets Manager (through boto3, which moto brings).
fn create_secret(env: &mut TestEnv, name: &str, value: &str) {
    let script = "import boto3, sys; boto3.client('secretsmanager', region_name='eu-west-1', \
                  endpoint_url=sys.argv[1], aws_access_key_id='AKIDTESTING', \
                  aws_secret_access_key='testing-secret').create_secret(Name=sys.argv[2], \
                  SecretString=sys.stdin.read())";
    let mut child = Command::new("python3")
        .args(["-c", script, &env.moto_url, name])
        .stdin(Stdio::piped())
        .spawn()
        .expect("python3");
    use std::io::Write;
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(value.as_bytes())
        .expect("write");
    assert!(
        child.wait().expect("wait").success(),
        "creating secret {name}"
    );
    env.watch(value);
}

#[test]
fn extras_pick_keys_expand_objects_and_warn_without_values() {
    let mut env = TestEnv::new();
    let p = project("sm");
    let plain = "plain line one\nline 'two' with \"quotes\" and $HOME";
    let db = r#"{"username":"app-user-1","password":"s3cr3t-db-password","port":5432,"options":{"ssl":true}}"#;
    create_secret(&mut env, &format!("{p}/plain"), plain);
    create_secret(&mut env, &format!("{p}/db"), db);
    env.watch("s3cr3t-db-password");
    env.write(
        ".secrets.toml",
        &format!(
            "[projects.{p}.extra]\n\
             PLAIN_REF = \"{REF}/{p}/plain\"\n\
             DB_USER = \"{REF}/{p}/db#username\"\n\
             DB_PORT_NUMBER = \"{REF}/{p}/db#port\"\n\
             DB_OPTIONS_JSON = \"{REF}/{p}/db#options\"\n\
             \"PG_*\" = \"{REF}/{p}/db#*\"\n\
             GONE = \"{REF}/{p}/missing\"\n\
             NO_KEY = \"{REF}/{p}/db#nope\"\n\
             PLAIN_KEY = \"{REF}/{p}/plain#x\"\n"
        ),
    );
    let run = env.run(&["get", &p]);
    run.expect_code(0);
    let file = env.env_file();
    let value = |name: &str| source_value("bash", &file, name, &env.repo());
    assert_eq!(value("PLAIN_REF"), plain);
    assert_eq!(value("DB_USER"), "app-user-1");
    assert_eq!(value("DB_PORT_NUMBER"), "5432");
    assert_eq!(value("DB_OPTIONS_JSON"), r#"{"ssl":true}"#);
    assert_eq!(value("PG_USERNAME"), "app-user-1");
    assert_eq!(value("PG_PASSWORD"), "s3cr3t-db-password");
    assert_eq!(value("PG_PORT"), "5432");
    assert_eq!(value("PG_OPTIONS"), r#"{"ssl":true}"#);
    let text = fs::read_to_string(&file).unwrap();
    assert!(!text.contains("GONE") && !text.contains("NO_KEY") && !text.contains("PLAIN_KEY"));
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(
        warnings,
        [
            format!("warning: {p}: NO_KEY: the secret {REF}/{p}/db has no such key (key `nope`)"),
            format!(
                "warning: {p}: PLAIN_KEY: the secret {REF}/{p}/plain is not a JSON object (key `x`)"
            ),
            format!(
                "warning: {p}: GONE: {REF}/{p}/missing is not in Secrets Manager (.secrets.toml \
                 [projects.{p}.extra])"
            ),
        ]
    );

    // `list` shows them with their source, and which are missing.
    let run = env.run(&["list", &p, "--json"]);
    run.expect_code(0);
    let items: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let status = |name: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .map(|i| {
                (
                    i["status"].as_str().unwrap().to_string(),
                    i["source"].as_str().unwrap().to_string(),
                )
            })
            .unwrap()
    };
    assert_eq!(
        status("PLAIN_REF"),
        (
            "ok".to_string(),
            format!(".secrets.toml [projects.{p}.extra]")
        )
    );
    assert_eq!(status("PG_PASSWORD").0, "ok");
    assert_eq!(status("GONE").0, "missing");
    assert_eq!(status("NO_KEY").0, "no-key");
    env.run(&["list", &p, "--check"]).expect_code(1);
}

#[test]
fn a_reference_declared_in_the_infra_code_is_fetched_beside_the_batched_paths() {
    let mut env = TestEnv::new();
    let p = project("smq");
    create_secret(&mut env, &format!("{p}/token"), "reference-token-value");
    env.seed(&[(&format!("/k8s/other-{p}/PARAM"), "plain-param-value")]);
    env.write(
        &format!("apps/{p}/infra/{p}.ts"),
        &format!(
            "export const serviceSetup = () =>\n  service('{p}').secrets({{\n    \
             REF_TOKEN: '{REF}/{p}/token',\n    PARAM: '/k8s/other-{p}/PARAM',\n  }})\n"
        ),
    );
    let proxy = Proxy::start(&env.moto_url, vec![]);
    env.endpoint = proxy.url.clone();
    env.run(&["get", &p, "--declared-only"]).expect_code(0);
    let file = env.env_file();
    assert_eq!(
        source_value("sh", &file, "REF_TOKEN", &env.repo()),
        "reference-token-value"
    );
    assert_eq!(
        source_value("sh", &file, "PARAM", &env.repo()),
        "plain-param-value"
    );
    assert_eq!(
        (
            proxy.count("GetParameter"),
            proxy.count("GetParameters"),
            proxy.count("GetParametersByPath")
        ),
        (1, 1, 0),
        "one GetParameter for the reference, the rest batched, no sweep"
    );
}
