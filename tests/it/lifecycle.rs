//! `cp`, `mv`, `rm` and `history` against two accounts (of one moto server): a 25-parameter prefix deleted
//! 10 a request, throttling, Ctrl-C between requests, unchanged skips, refusal to overwrite,
//! the depth guard, metadata carried across accounts, the KMS key fallback, read-back before
//! a move deletes, the infra references a move leaves, and never a value in any output.

use std::time::{Duration, Instant};

use aws_sdk_ssm::types::{ParameterTier, ParameterType, Tag};
use rexpect::process::WaitStatus;

use crate::support::proxy::{Proxy, Reply, Rule};
use crate::support::{Account, Moto, Stored, TestEnv, runtime, ssm_client, stored};

/// Two accounts reached through profiles `dev` and `prod` (each endpoint may be a proxy).
struct Accounts {
    env: TestEnv,
    dev: Account,
    prod: Account,
}

fn accounts(fixture: bool) -> Accounts {
    let (dev, prod) = (Moto::account(), Moto::account());
    let env = match fixture {
        true => TestEnv::with_fixture(&dev.url),
        false => TestEnv::with_moto(&dev.url),
    };
    let t = Accounts { env, dev, prod };
    t.profiles(&t.dev.url.clone(), &t.prod.url.clone());
    t
}

impl Accounts {
    fn profiles(&self, dev: &str, prod: &str) {
        self.env.aws_config(&format!(
            "[profile dev]\nregion = eu-west-1\nendpoint_url = {dev}\n\n\
             [profile prod]\nregion = eu-west-1\nendpoint_url = {prod}\n"
        ));
        self.env.aws_credentials(
            "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n\n\
             [prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = prod-secret\n",
        );
    }

    /// Runs with no credentials in the environment: profiles only.
    fn run(&self, args: &[&str]) -> crate::support::Run {
        self.env.bare_cmd(args).run()
    }
}

/// Stores `count` SecureStrings `{prefix}KEY_nn` in `url`, watched by the leak scan.
fn seed_many(env: &mut TestEnv, url: &str, prefix: &str, count: usize) -> Vec<String> {
    let client = ssm_client(url, "eu-west-1");
    let rt = runtime();
    let mut names = Vec::new();
    for i in 0..count {
        let name = format!("{prefix}KEY_{i:02}");
        let value = format!("lifecycle-value-{i:02}-{}", prefix.len());
        rt.block_on(
            client
                .put_parameter()
                .name(&name)
                .value(&value)
                .r#type(ParameterType::SecureString)
                .send(),
        )
        .expect("seed");
        env.watch(&value);
        names.push(name);
    }
    names
}

fn names_in(url: &str, prefix: &str) -> Vec<String> {
    let client = ssm_client(url, "eu-west-1");
    let filter = aws_sdk_ssm::types::ParameterStringFilter::builder()
        .key("Name")
        .option("BeginsWith")
        .values(prefix)
        .build()
        .unwrap();
    let mut out = Vec::new();
    let rt = runtime();
    let mut token = None;
    loop {
        let page = rt
            .block_on(
                client
                    .describe_parameters()
                    .parameter_filters(filter.clone())
                    .set_next_token(token)
                    .send(),
            )
            .expect("describe");
        out.extend(
            page.parameters()
                .iter()
                .filter_map(|p| p.name().map(str::to_string)),
        );
        token = page.next_token().map(str::to_string);
        if token.is_none() {
            break;
        }
    }
    out.sort();
    out
}

#[test]
fn rm_prefix_deletes_25_parameters_ten_a_request_and_nothing_beside_them() {
    let mut t = accounts(false);
    let dev_id = t.dev.id.clone();
    let proxy = Proxy::start(&t.dev.url, vec![]);
    t.profiles(&proxy.url, &t.prod.url.clone());
    let dev = t.dev.url.clone();
    let doomed = seed_many(&mut t.env, &dev, "/k8s/feature-foo-api/", 25);
    let kept = seed_many(&mut t.env, &dev, "/k8s/feature-foobar-api/", 2);
    let run = t.run(&[
        "rm",
        "--prefix",
        "/k8s/feature-foo-",
        "--profile",
        "dev",
        "--yes",
        "--json",
    ]);
    run.expect_code(0);
    assert_eq!(
        proxy.count("DeleteParameters"),
        3,
        "25 names are 3 requests"
    );
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc["account"], dev_id);
    assert_eq!(doc["profile"], "dev");
    let items = doc["items"].as_array().unwrap();
    assert_eq!(items.len(), 25);
    assert!(items.iter().all(|i| i["status"] == "deleted"), "{doc:#}");
    let listed: Vec<&str> = items.iter().map(|i| i["name"].as_str().unwrap()).collect();
    assert_eq!(
        listed,
        doomed.iter().map(String::as_str).collect::<Vec<_>>()
    );
    assert!(names_in(&dev, "/k8s/feature-foo-").is_empty());
    assert_eq!(names_in(&dev, "/k8s/feature-foobar-"), kept);
    // The plan came first, naming the account and profile.
    assert!(
        run.stderr.contains(&format!(
            "About to delete 25 parameters from account {dev_id} as arn:aws:sts::{dev_id}:user/moto (profile dev):"
        )),
        "{}",
        run.stderr
    );
}

#[test]
fn a_shallow_prefix_or_a_missing_confirmation_is_refused_before_any_request() {
    let t = accounts(false);
    let proxy = Proxy::start(&t.dev.url, vec![]);
    t.profiles(&proxy.url, &proxy.url);
    for prefix in ["/k8s/", "/k8s", "/"] {
        let run = t.run(&["rm", "--prefix", prefix, "--profile", "dev", "--yes"]);
        run.expect_code(2);
        assert!(
            run.stderr
                .contains("a prefix must reach at least two levels deep")
                || run.stderr.contains("is not under /k8s/"),
            "{prefix}: {}",
            run.stderr
        );
    }
    let run = t.run(&[
        "mv",
        "--prefix",
        "/k8s/",
        "/k8s-old/x/",
        "--profile",
        "dev",
        "--yes",
    ]);
    run.expect_code(2);
    // Without a terminal, no --yes: exit 2 with the fix, for each writing command.
    for args in [
        &["rm", "/k8s/api/KEY", "--profile", "dev"][..],
        &["cp", "api/KEY", "api/KEY2", "--profile", "dev"][..],
        &[
            "mv",
            "api/KEY",
            "api/KEY2",
            "--from-profile",
            "dev",
            "--to-profile",
            "prod",
        ][..],
    ] {
        let run = t.run(args);
        run.expect_code(2);
        assert!(
            run.stderr
                .contains("needs confirmation, and there is no terminal to ask on"),
            "{}",
            run.stderr
        );
        assert!(
            run.stderr
                .contains("hint: pass --yes to apply the plan, or --dry-run")
        );
    }
    let run = t.run(&["cp", "api/KEY", "/k8s/api/KEY", "--profile", "dev", "--yes"]);
    run.expect_code(2);
    assert!(run.stderr.contains("overlaps"), "{}", run.stderr);
    assert!(
        proxy.seen.lock().unwrap().is_empty(),
        "no request may be sent: {:?}",
        proxy.seen.lock().unwrap()
    );
}

#[test]
fn rm_survives_throttling_and_reports_absent_names() {
    let mut t = accounts(false);
    let dev_id = t.dev.id.clone();
    let throttle = Reply::AwsError(400, "ThrottlingException");
    let proxy = Proxy::start(
        &t.dev.url,
        vec![Rule::new("DeleteParameters", 0, usize::MAX, 2, throttle)],
    );
    t.profiles(&proxy.url, &t.prod.url.clone());
    let dev = t.dev.url.clone();
    let names = seed_many(&mut t.env, &dev, "/k8s/throttled-api/", 25);
    let mut args = vec!["rm", "--profile", "dev", "--yes"];
    args.extend(names.iter().map(String::as_str));
    args.push("/k8s/throttled-api/NEVER_THERE");
    let run = t.run(&args);
    run.expect_code(0);
    assert!(names_in(&dev, "/k8s/throttled-api/").is_empty());
    assert!(
        proxy.count("DeleteParameters") >= 5,
        "throttled requests are retried"
    );
    assert!(run.stdout.contains("deleted /k8s/throttled-api/KEY_24"));
    assert!(
        run.stderr
            .contains("/k8s/throttled-api/NEVER_THERE (not found; skipped)"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr
            .contains(&format!("Deleted 25 of 25 parameters in {dev_id} (dev)"))
    );
    // Nothing at all to delete is "not found".
    let run = t.run(&[
        "rm",
        "--profile",
        "dev",
        "--yes",
        "/k8s/throttled-api/KEY_00",
    ]);
    run.expect_code(4);
    assert!(
        run.stderr
            .contains("no parameter /k8s/throttled-api/KEY_00 in account")
    );
}

#[test]
fn ctrl_c_mid_delete_finishes_the_request_in_flight_and_starts_no_other() {
    let mut t = accounts(false);
    let slow = Proxy::start(
        &t.dev.url,
        vec![Rule::new(
            "DeleteParameters",
            0,
            usize::MAX,
            1,
            Reply::Delay(Duration::from_millis(1500)),
        )],
    );
    t.profiles(&slow.url, &t.prod.url.clone());
    let dev = t.dev.url.clone();
    let names = seed_many(&mut t.env, &dev, "/k8s/feature-stop-api/", 25);
    let mut s = t.env.spawn_in_pty(&[
        "rm",
        "--prefix",
        "/k8s/feature-stop-",
        "--profile",
        "dev",
        "--yes",
    ]);
    let started = Instant::now();
    while slow.count("DeleteParameters") == 0 {
        assert!(
            started.elapsed() < Duration::from_secs(15),
            "no delete sent"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    s.send_control('c').unwrap();
    s.exp_string("interrupted: finishing the request already sent")
        .unwrap();
    let rest = s.exp_eof().unwrap();
    assert_eq!(exit_code(&s), 130, "{rest}");
    assert_eq!(slow.count("DeleteParameters"), 1, "no second request");
    for n in &names[..10] {
        assert!(rest.contains(&format!("deleted {n}")), "{n}: {rest}");
    }
    for n in &names[10..] {
        assert!(rest.contains(&format!("not-started {n}")), "{n}: {rest}");
    }
    assert!(
        rest.contains("interrupted: deleted 10 of 25; the rest were not touched"),
        "{rest}"
    );
    t.env.assert_no_values("the terminal", &rest);
    assert_eq!(names_in(&dev, "/k8s/feature-stop-"), names[10..].to_vec());
}

fn version_of(p: Stored) -> (String, i64) {
    (p.value, p.version)
}

fn exit_code(s: &rexpect::session::PtySession) -> i32 {
    match s.process().wait().unwrap() {
        WaitStatus::Exited(_, code) => code,
        other => panic!("not a normal exit: {other:?}"),
    }
}

/// A String with description, tags, Advanced tier; a SecureString under its own key.
fn seed_rich(t: &mut Accounts) {
    let client = ssm_client(&t.dev.url, "eu-west-1");
    let rt = runtime();
    let put = |name: &str, value: &str, kind: ParameterType, key: Option<&str>| {
        rt.block_on(
            client
                .put_parameter()
                .name(name)
                .value(value)
                .r#type(kind)
                .description(format!("about {name}"))
                .tier(ParameterTier::Advanced)
                .set_key_id(key.map(str::to_string))
                .tags(Tag::builder().key("team").value("core").build().unwrap())
                .send(),
        )
        .expect("seed");
    };
    put(
        "/k8s/old-api/SENDER_NAME",
        "rich-plain-sender",
        ParameterType::String,
        None,
    );
    put(
        "/k8s/old-api/TOKEN",
        "rich-secure-token",
        ParameterType::SecureString,
        Some("alias/team-key"),
    );
    t.env.watch("rich-plain-sender");
    t.env.watch("rich-secure-token");
}

#[test]
fn cp_across_accounts_carries_everything_then_skips_unchanged_and_refuses_to_overwrite() {
    let mut t = accounts(false);
    let dev_id = t.dev.id.clone();
    let prod_id = t.prod.id.clone();
    seed_rich(&mut t);
    let proxy = Proxy::start(&t.prod.url, vec![]);
    t.profiles(&t.dev.url.clone(), &proxy.url);
    let args = [
        "cp",
        "--prefix",
        "old-api/",
        "new-api/",
        "--from-profile",
        "dev",
        "--to-profile",
        "prod",
        "--yes",
    ];
    let run = t.run(&args);
    run.expect_code(0);
    assert!(
        run.stderr.contains(&format!(
            "  from account {dev_id} as arn:aws:sts::{dev_id}:user/moto (profile dev)"
        )),
        "{}",
        run.stderr
    );
    assert!(run.stderr.contains(&format!(
        "  to   account {prod_id} as arn:aws:sts::{prod_id}:user/moto (profile prod)"
    )));
    assert!(
        run.stdout
            .contains("copied /k8s/old-api/TOKEN -> /k8s/new-api/TOKEN (version 1)")
    );
    let prod = t.prod.url.clone();
    for (old, new) in [
        ("/k8s/old-api/SENDER_NAME", "/k8s/new-api/SENDER_NAME"),
        ("/k8s/old-api/TOKEN", "/k8s/new-api/TOKEN"),
    ] {
        let (source, copy) = (
            stored(&t.dev.url, old).unwrap(),
            stored(&prod, new).unwrap(),
        );
        assert_eq!(copy.value, source.value);
        assert_eq!(copy.kind, source.kind);
        assert_eq!(
            copy.description.as_deref(),
            Some(format!("about {old}").as_str())
        );
        assert_eq!(copy.tier, "Advanced");
        assert_eq!(copy.tags, [("team".to_string(), "core".to_string())]);
        assert_eq!(copy.key, source.key);
    }
    assert_eq!(
        stored(&prod, "/k8s/new-api/TOKEN").unwrap().key.as_deref(),
        Some("alias/team-key")
    );
    assert_eq!(
        stored(&prod, "/k8s/new-api/SENDER_NAME").unwrap().kind,
        "String"
    );

    let run = t.run(&[
        "cp",
        "old-api/NOPE",
        "new-api/NOPE",
        "--from-profile",
        "dev",
        "--to-profile",
        "prod",
        "--yes",
    ]);
    run.expect_code(4);
    assert!(run.stderr.contains(&format!(
        "error: no parameter /k8s/old-api/NOPE in account {dev_id} (dev)"
    )));

    // Again: both unchanged, nothing written, no question needed.
    let puts = proxy.count("PutParameter");
    let run = t.run(&args);
    run.expect_code(0);
    assert!(
        run.stdout
            .contains("unchanged /k8s/old-api/TOKEN -> /k8s/new-api/TOKEN")
    );
    assert_eq!(
        proxy.count("PutParameter"),
        puts,
        "unchanged values are not written"
    );
    assert_eq!(
        proxy.count("ListTagsForResource"),
        0,
        "a destination's tags are not read to compare it"
    );

    // A destination with another value: refused (exit 5), even in a dry run; then --overwrite.
    let client = ssm_client(&prod, "eu-west-1");
    runtime()
        .block_on(
            client
                .put_parameter()
                .name("/k8s/new-api/TOKEN")
                .value("rotated-in-prod-token")
                .r#type(ParameterType::SecureString)
                .overwrite(true)
                .send(),
        )
        .unwrap();
    t.env.watch("rotated-in-prod-token");
    let mut dry = args.to_vec();
    dry.retain(|a| *a != "--yes");
    dry.push("--dry-run");
    let run = t.run(&dry);
    run.expect_code(5);
    assert!(
        run.stdout
            .contains("differs    /k8s/old-api/TOKEN -> /k8s/new-api/TOKEN"),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .contains("error: 1 destination exists with a different value")
    );
    assert!(run.stderr.contains("hint: pass --overwrite"));
    t.run(&args).expect_code(5);
    assert_eq!(
        version_of(stored(&prod, "/k8s/new-api/TOKEN").unwrap()),
        ("rotated-in-prod-token".into(), 2)
    );
    let mut over = args.to_vec();
    over.extend(["--overwrite", "--json"]);
    let run = t.run(&over);
    run.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let token = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["destination"] == "/k8s/new-api/TOKEN")
        .unwrap();
    assert_eq!(token["status"], "overwritten");
    assert_eq!(token["version"], 3);
    assert_eq!(
        version_of(stored(&prod, "/k8s/new-api/TOKEN").unwrap()),
        ("rich-secure-token".into(), 3)
    );
    assert_eq!(doc["to"]["account"], prod_id);
}

#[test]
fn a_kms_key_the_destination_rejects_falls_back_to_its_default_key_with_a_warning() {
    let mut t = accounts(false);
    seed_rich(&mut t);
    let proxy = Proxy::start(
        &t.prod.url,
        vec![Rule::new(
            "PutParameter",
            0,
            1,
            1,
            Reply::AwsError(400, "InvalidKeyId"),
        )],
    );
    t.profiles(&t.dev.url.clone(), &proxy.url);
    let run = t.run(&[
        "cp",
        "old-api/TOKEN",
        "new-api/TOKEN",
        "--from-profile",
        "dev",
        "--to-profile",
        "prod",
        "--yes",
    ]);
    run.expect_code(0);
    assert!(
        run.stderr.contains(
            "warning: /k8s/new-api/TOKEN: the destination account cannot use KMS key alias/team-key; encrypted with its default key (alias/aws/ssm) instead"
        ),
        "{}",
        run.stderr
    );
    assert_eq!(proxy.count("PutParameter"), 2);
    assert_eq!(
        stored(&t.prod.url, "/k8s/new-api/TOKEN")
            .unwrap()
            .key
            .unwrap(),
        "alias/aws/ssm"
    );
}

#[test]
fn mv_reads_back_deletes_the_source_and_lists_what_the_infra_code_still_declares() {
    let mut t = accounts(true);
    let dev = t.dev.url.clone();
    t.env
        .seed_in("eu-west-1", &[("/k8s/api/IP_API_KEY", "ip-api-key-moving")]);
    let run = t.run(&[
        "mv",
        "api/IP_API_KEY",
        "api/INTELLECTUAL_PROPERTY_API_KEY",
        "--profile",
        "dev",
        "--yes",
    ]);
    run.expect_code(0);
    assert!(
        run.stdout.contains(
            "moved /k8s/api/IP_API_KEY -> /k8s/api/INTELLECTUAL_PROPERTY_API_KEY (version 1)"
        ),
        "{}",
        run.stdout
    );
    assert!(stored(&dev, "/k8s/api/IP_API_KEY").is_none());
    assert_eq!(
        stored(&dev, "/k8s/api/INTELLECTUAL_PROPERTY_API_KEY")
            .unwrap()
            .value,
        "ip-api-key-moving"
    );
    let line = "still declared at apps/api/infra/api.ts:24: INTELLECTUAL_PROPERTY_API_KEY = /k8s/api/IP_API_KEY (api; dev, staging, prod)";
    let fixture = std::fs::read_to_string(t.env.repo().join("apps/api/infra/api.ts")).unwrap();
    assert!(
        fixture
            .lines()
            .nth(23)
            .unwrap()
            .contains("'/k8s/api/IP_API_KEY'")
    );
    assert!(run.stderr.contains(line), "{}", run.stderr);
    assert!(run.stderr.contains("update them in the same pull request"));
}

#[test]
fn mv_keeps_every_source_when_a_copy_fails_and_reports_each_name() {
    let mut t = accounts(false);
    let denied = Reply::AwsError(400, "AccessDeniedException");
    let proxy = Proxy::start(
        &t.prod.url,
        vec![Rule::new("PutParameter", 1, 1, 1, denied)],
    );
    t.profiles(&t.dev.url.clone(), &proxy.url);
    let dev = t.dev.url.clone();
    let names = seed_many(&mut t.env, &dev, "/k8s/half-api/", 3);
    let run = t.run(&[
        "mv",
        "--prefix",
        "half-api/",
        "whole-api/",
        "--from-profile",
        "dev",
        "--to-profile",
        "prod",
        "--yes",
        "--json",
    ]);
    run.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let statuses: Vec<&str> = doc["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["status"].as_str().unwrap())
        .collect();
    let mut sorted = statuses.clone();
    sorted.sort();
    assert_eq!(sorted, ["copied", "copied", "failed"], "{doc:#}");
    let items = doc["items"].as_array().unwrap();
    assert!(items.iter().all(|i| i["source_deleted"] == false));
    assert_eq!(
        names_in(&dev, "/k8s/half-api/"),
        names,
        "every source is kept"
    );
    let failed = items.iter().find(|i| i["status"] == "failed").unwrap();
    let dst = failed["destination"].as_str().unwrap();
    assert!(
        run.stderr.contains(&format!("error: writing {dst} failed")),
        "{}",
        run.stderr
    );
}

#[test]
fn history_lists_versions_labels_and_descriptions_but_never_a_value() {
    let mut t = accounts(false);
    let dev_id = t.dev.id.clone();
    let client = ssm_client(&t.dev.url, "eu-west-1");
    let rt = runtime();
    for (i, value) in ["history-first-value", "history-second-value"]
        .iter()
        .enumerate()
    {
        rt.block_on(
            client
                .put_parameter()
                .name("/k8s/hist-api/TOKEN")
                .value(*value)
                .r#type(ParameterType::SecureString)
                .description(format!("rotation {}", i + 1))
                .overwrite(true)
                .send(),
        )
        .unwrap();
        t.env.watch(value);
    }
    rt.block_on(
        client
            .label_parameter_version()
            .name("/k8s/hist-api/TOKEN")
            .parameter_version(2)
            .labels("current")
            .send(),
    )
    .unwrap();
    let run = t.run(&["history", "hist-api/TOKEN", "--profile", "dev"]);
    run.expect_code(0);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(lines[0].starts_with("VERSION  DATE"), "{}", run.stdout);
    assert!(
        lines[1].starts_with("1 ") && lines[1].ends_with("rotation 1"),
        "{}",
        run.stdout
    );
    assert!(lines[2].contains("current") && lines[2].ends_with("rotation 2"));
    // moto stores ciphertext as `kms:<key>:<value>`, so a value slipping through would show.
    assert!(!run.stdout.contains("kms:"));
    let run = t.run(&[
        "history",
        "/k8s/hist-api/TOKEN",
        "--profile",
        "dev",
        "--json",
    ]);
    run.expect_code(0);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(doc.as_array().unwrap().len(), 2);
    assert_eq!(doc[1]["labels"][0], "current");
    assert_eq!(doc[1]["version"], 2);
    assert!(doc[0].get("value").is_none());
    let run = t.run(&["history", "hist-api/NOPE", "--profile", "dev"]);
    run.expect_code(4);
    assert!(run.stderr.contains(&format!(
        "no parameter /k8s/hist-api/NOPE in account {dev_id} (dev)"
    )));
}

#[test]
fn on_a_terminal_rm_asks_and_enter_alone_keeps_everything() {
    let mut t = accounts(false);
    let dev = t.dev.url.clone();
    let names = seed_many(&mut t.env, &dev, "/k8s/asked-api/", 2);
    let args = [
        "rm",
        "--prefix",
        "asked-api/",
        "--endpoint-url",
        dev.as_str(),
    ];
    let mut s = t.env.spawn_in_pty(&args);
    s.exp_string("About to delete 2 parameters from account")
        .unwrap();
    s.exp_string("Delete 2 parameters?").unwrap();
    s.send_line("").unwrap();
    let rest = s.exp_eof().unwrap();
    assert!(rest.contains("nothing was deleted"), "{rest}");
    assert_eq!(exit_code(&s), 1);
    assert_eq!(names_in(&dev, "/k8s/asked-api/"), names);
    let mut s = t.env.spawn_in_pty(&args);
    s.exp_string("Delete 2 parameters?").unwrap();
    s.send_line("y").unwrap();
    let rest = s.exp_eof().unwrap();
    assert!(rest.contains(&format!("deleted {}", names[1])), "{rest}");
    assert_eq!(exit_code(&s), 0);
    assert!(names_in(&dev, "/k8s/asked-api/").is_empty());
}
