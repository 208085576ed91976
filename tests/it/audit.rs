//! `secrets audit` against three accounts (of one moto server), the fixture monorepo and its
//! uber chart: per-environment services and features, a secret missing only in prod, a
//! profile reaching the wrong account, throttling, and no value ever printed.

use std::collections::BTreeSet;

use crate::support::proxy::{Proxy, Reply, Rule};
use crate::support::{Account, Moto, TestEnv, runtime, ssm_client};

struct Accounts {
    env: TestEnv,
    dev: Account,
    staging: Account,
    prod: Account,
}

/// The services each environment runs: the chart's, and in dev those in no chart.
fn services(env: &str) -> &'static [&'static str] {
    match env {
        "dev" => &[
            "api",
            "web",
            "user-profile",
            "portals-my-pages",
            "user-profile-worker",
            "services-bff-admin-portal",
            "consultation-portal",
            "application-system-api",
        ],
        "staging" => &[
            "api",
            "web",
            "user-profile",
            "portals-my-pages",
            "services-bff-admin-portal",
            "consultation-portal",
        ],
        _ => &["api", "web", "user-profile", "services-bff-admin-portal"],
    }
}

/// The declared paths an environment's services need, from `list --all --json` (each row's
/// `declared_path`: what a deployment reads, whatever `exclude` and `[overrides]` say for a
/// developer's file). Of the two files defining consultation-portal, the one the chart
/// imports.
fn declared(t: &Accounts, env: &str) -> BTreeSet<String> {
    let run = t
        .env
        .bare_cmd(&["list", "--all", "--json", "--env", env])
        .run();
    run.expect_code(0);
    let all: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let mut paths = BTreeSet::new();
    for s in all.as_array().unwrap() {
        let name = s["service"].as_str().unwrap();
        let at = s["defined_at"].as_str().unwrap();
        if !services(env).contains(&name)
            || (name == "consultation-portal" && !at.starts_with("apps/moved/"))
        {
            continue;
        }
        for secret in s["secrets"].as_array().unwrap() {
            paths.insert(secret["declared_path"].as_str().unwrap().to_string());
        }
    }
    paths
}

fn seed(t: &mut Accounts, url: &str, paths: &BTreeSet<String>, skip: &str) {
    let client = ssm_client(url, "eu-west-1");
    let rt = runtime();
    for (i, path) in paths.iter().filter(|p| *p != skip).enumerate() {
        let value = format!("audit-value-{i}-{}", path.len());
        rt.block_on(
            client
                .put_parameter()
                .name(path)
                .value(&value)
                .r#type(aws_sdk_ssm::types::ParameterType::SecureString)
                .overwrite(true)
                .send(),
        )
        .expect("seed");
        t.env.watch(&value);
    }
}

/// Three new accounts (staging's given, with the endpoint the binary reaches it through);
/// `.secrets.toml` names prod's as `prod_account` when given (a wrong one).
fn three_accounts(staging: Option<(Account, &str)>, prod_account: Option<&str>) -> Accounts {
    let (dev, prod) = (Moto::account(), Moto::account());
    let (staging, staging_endpoint) = match staging {
        Some((account, url)) => (account, url.to_string()),
        None => {
            let account = Moto::account();
            let url = account.url.clone();
            (account, url)
        }
    };
    let env = TestEnv::with_fixture(&dev.url);
    env.aws_config(&format!(
        "[profile dev]\nregion = eu-west-1\nendpoint_url = {}\n\n\
         [profile staging]\nregion = eu-west-1\nendpoint_url = {staging_endpoint}\n\n\
         [profile prod]\nregion = eu-west-1\nendpoint_url = {}\n",
        dev.url, prod.url
    ));
    env.aws_credentials(
        "[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n\n\
         [staging]\naws_access_key_id = AKIDSTAGING\naws_secret_access_key = staging-secret\n\n\
         [prod]\naws_access_key_id = AKIDPROD\naws_secret_access_key = prod-secret\n",
    );
    env.write(
        ".secrets.toml",
        &format!(
            "[environments.dev]\nprofile = \"dev\"\naccount = \"{}\"\n\n\
             [environments.staging]\nprofile = \"staging\"\naccount = \"{}\"\n\n\
             [environments.prod]\nprofile = \"prod\"\naccount = \"{}\"\n",
            dev.id,
            staging.id,
            prod_account.unwrap_or(&prod.id)
        ),
    );
    Accounts {
        env,
        dev,
        staging,
        prod,
    }
}

/// Every account holds what its environment declares, except /k8s/web/CRON_TOKEN in prod.
fn seeded(staging: Option<(Account, &str)>) -> Accounts {
    let mut t = three_accounts(staging, None);
    let (dev, staging, prod) = (
        declared(&t, "dev"),
        declared(&t, "staging"),
        declared(&t, "prod"),
    );
    // The fixture's features: beta-thing is on in dev only, driving-license in prod only.
    assert!(dev.contains("/k8s/api/BETA_KEY") && !prod.contains("/k8s/api/BETA_KEY"));
    assert!(prod.contains("/k8s/api/DRIVING_LICENSE_KEY"));
    assert!(!dev.contains("/k8s/api/DRIVING_LICENSE_KEY"));
    let (d, s, p) = (t.dev.url.clone(), t.staging.url.clone(), t.prod.url.clone());
    seed(&mut t, &d, &dev, "");
    seed(&mut t, &s, &staging, "");
    seed(&mut t, &p, &prod, "/k8s/web/CRON_TOKEN");
    t
}

#[test]
fn audit_finds_the_secret_missing_only_in_prod_and_points_at_its_declaration() {
    let t = seeded(None);
    let prod = &t.prod.id;
    let run = t.env.bare_cmd(&["audit"]).run();
    run.expect_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let row = |name: &str| -> Vec<String> {
        let line = lines.iter().find(|l| l.starts_with(name)).unwrap();
        line[name.len()..]
            .split("  ")
            .map(str::trim)
            .filter(|c| !c.is_empty())
            .map(String::from)
            .collect()
    };
    assert_eq!(
        lines[0].split_whitespace().collect::<Vec<_>>(),
        ["SERVICE", "dev", "staging", "prod"]
    );
    assert_eq!(row("web "), ["ok", "ok", "1 missing"]);
    assert_eq!(row("api "), ["ok", "ok", "ok"]);
    assert_eq!(row("portals-my-pages "), ["ok", "ok", "-"]);
    // Placed by the chart's import: a `*.infra` file, and the second of two files defining
    // consultation-portal (the one whose OLD_TOKEN was seeded), which is charted.
    assert_eq!(row("services-bff-admin-portal "), ["ok", "ok", "ok"]);
    assert_eq!(row("consultation-portal "), ["ok", "ok", "-"]);
    assert!(
        run.stderr.contains(
            "warning: consultation-portal is also defined in \
             apps/consultation-portal/infra/consultation-portal.ts; the charts import \
             apps/moved/infra/consultation-portal.ts, which is audited\n"
        ),
        "{}",
        run.stderr
    );
    assert!(!run.stderr.contains("not audited"), "{}", run.stderr);
    assert_eq!(
        row("application-system-api (in no chart)"),
        ["ok", "-", "-"]
    );
    assert!(
        run.stdout.contains(&format!(
            "missing in prod (account {prod}, prod):\n  web  CRON_TOKEN  /k8s/web/CRON_TOKEN  apps/web/infra/web.ts:7\n"
        )),
        "{}",
        run.stdout
    );
    assert!(
        run.stderr
            .ends_with("audit: 3 environments, 8 services, 1 missing\n"),
        "{}",
        run.stderr
    );

    let run = t.env.bare_cmd(&["audit", "--json"]).run();
    run.expect_code(1);
    let doc: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    assert_eq!(
        doc["missing"],
        serde_json::json!([{
            "env": "prod", "account": prod, "service": "web", "name": "CRON_TOKEN",
            "path": "/k8s/web/CRON_TOKEN", "declared_path": "/k8s/web/CRON_TOKEN",
            "source": "apps/web/infra/web.ts:7, via .secrets at :21",
            "file": "apps/web/infra/web.ts", "line": 7, "column": 3, "status": "declared",
        }])
    );

    let run = t.env.bare_cmd(&["audit", "--format", "github"]).run();
    run.expect_code(1);
    assert_eq!(
        run.stdout,
        format!(
            "::error file=apps/web/infra/web.ts,line=7,title=Secret missing in prod::CRON_TOKEN \
             (/k8s/web/CRON_TOKEN) is declared by web but missing from prod (account {prod})\n"
        )
    );

    t.env
        .bare_cmd(&["audit", "--env", "dev,staging"])
        .run()
        .expect_code(0);
}

#[test]
fn a_profile_reaching_the_wrong_account_is_refused_before_anything_is_checked() {
    let t = three_accounts(None, Some("999999999999"));
    let prod = &t.prod.id;
    let run = t.env.bare_cmd(&["audit"]).run();
    run.expect_code(2);
    assert!(
        run.stderr.starts_with(&format!(
            "error: prod: profile prod signs in to account {prod}, but .secrets.toml says 999999999999\n"
        )),
        "{}",
        run.stderr
    );
    assert!(run.stdout.is_empty());
    // --profile names one account: with several environments, or twice, it is refused.
    t.env
        .bare_cmd(&["audit", "--profile", "dev"])
        .run()
        .expect_code(2);
    t.env
        .bare_cmd(&[
            "audit",
            "--env",
            "dev",
            "--profile",
            "dev",
            "--profile",
            "prod",
        ])
        .run()
        .expect_code(2);
    // One environment's profile overridden: dev's account through the dev profile.
    t.env
        .bare_cmd(&["audit", "--env", "staging", "--profile", "dev"])
        .run()
        .expect_code(2);
}

#[test]
fn throttling_on_one_account_is_ridden_out() {
    let staging = Moto::account();
    let proxy = Proxy::start(
        &staging.url,
        vec![Rule {
            op: "DescribeParameters",
            skip: 0,
            times: usize::MAX,
            every: 2,
            reply: Reply::AwsError(400, "ThrottlingException"),
        }],
    );
    let t = seeded(Some((staging, &proxy.url)));
    let started = std::time::Instant::now();
    let run = t.env.bare_cmd(&["audit", "--env", "staging"]).run();
    run.expect_code(0);
    // Every other answer was "slow down", and the audit still finished, in bounded time.
    let sent = proxy.count("DescribeParameters");
    assert!(sent >= 4, "{sent}");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(20),
        "{:?}",
        started.elapsed()
    );
}

#[test]
fn unreferenced_parameters_are_listed_and_never_an_error() {
    let mut t = seeded(None);
    let dev = t.dev.url.clone();
    let extra: BTreeSet<String> = ["/k8s/old-feature/STALE_TOKEN", "/k8s/api/SWEPT_EXTRA"]
        .map(String::from)
        .into();
    seed(&mut t, &dev, &extra, "");
    let run = t
        .env
        .bare_cmd(&["audit", "--env", "dev", "--unreferenced"])
        .run();
    run.expect_code(0);
    assert!(
        run.stdout
            .ends_with("unreferenced in dev (1 parameter):\n  /k8s/old-feature/STALE_TOKEN\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn annotations_land_where_the_service_owner_edits_one_per_line_with_a_job_summary() {
    let mut t = three_accounts(None, None);
    let prod_paths = declared(&t, "prod");
    // Missing in prod: a common secret (every service), and three X-Road secrets that api's
    // one `.xroad(Base, Client, Payment)` call brings in (the client ID also admin-bff's).
    let gone = [
        "/k8s/configcat/CONFIGCAT_SDK_KEY",
        "/k8s/xroad/client/IS-DEV/GOV/10000/island-is-client/ID",
        "/k8s/payments/PAYMENT_USER",
        "/k8s/payments/PAYMENT_PASSWORD",
    ];
    let kept: BTreeSet<String> = prod_paths
        .iter()
        .filter(|p| !gone.contains(&p.as_str()))
        .cloned()
        .collect();
    let p = t.prod.url.clone();
    seed(&mut t, &p, &kept, "");
    let summary = t.env.repo().join("summary.md");
    let run = t
        .env
        .bare_cmd(&["audit", "--env", "prod", "--format", "github"])
        .env("GITHUB_STEP_SUMMARY", &summary)
        .run();
    run.expect_code(1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    let places: Vec<&str> = lines
        .iter()
        .map(|l| l.split(",title=").next().unwrap_or_default())
        .collect();
    // Never on the shared DSL files; one annotation per file and line.
    assert!(
        places.iter().all(|p| p.starts_with("::error file=apps/")),
        "{}",
        run.stdout
    );
    let unique: BTreeSet<&&str> = places.iter().collect();
    assert_eq!(unique.len(), places.len(), "{}", run.stdout);
    let at = |place: &str| {
        lines
            .iter()
            .find(|l| l.starts_with(&format!("::error file={place},title=")))
            .unwrap_or_else(|| panic!("no annotation at {place}:\n{}", run.stdout))
    };
    let xroad = at("apps/api/infra/api.ts,line=16");
    assert!(
        xroad.contains("title=3 secrets missing in prod::"),
        "{xroad}"
    );
    for name in [
        "XROAD_CLIENT_ID",
        "XROAD_PAYMENT_USER",
        "XROAD_PAYMENT_PASSWORD",
    ] {
        assert!(xroad.contains(name), "{xroad}");
    }
    // The common secret at each service's own `service(...)` call.
    assert!(at("apps/api/infra/api.ts,line=13").contains("CONFIGCAT_SDK_KEY"));
    assert!(at("apps/web/infra/web.ts,line=14").contains("CONFIGCAT_SDK_KEY"));
    let bff = "apps/services/bff/infra/admin-portal.infra.ts";
    assert!(at(&format!("{bff},line=7")).contains("CONFIGCAT_SDK_KEY"));
    assert!(at(&format!("{bff},line=11")).contains("XROAD_CLIENT_ID"));

    let md = std::fs::read_to_string(&summary).unwrap();
    assert!(
        md.starts_with("## secrets audit\n\n| SERVICE | prod |\n| --- | --- |\n"),
        "{md}"
    );
    assert!(md.contains("| api | 5 missing |"), "{md}");
    assert!(
        md.contains(&format!(
            "| prod | {} | api | `XROAD_CLIENT_ID` | `/k8s/xroad/client/IS-DEV/GOV/10000/island-is-client/ID` | infra/src/dsl/xroad.ts:27 |",
            t.prod.id
        )),
        "{md}"
    );
}

#[test]
fn audit_without_a_config_file_says_there_is_none() {
    let env = TestEnv::new();
    let run = env.bare_cmd(&["audit"]).run();
    run.expect_code(2);
    assert!(
        run.stderr.starts_with(
            "error: no environments to audit: there is no .secrets.toml and no --env was given\n"
        ),
        "{}",
        run.stderr
    );
}

#[test]
fn an_environment_without_a_profile_is_named_by_what_signed_in() {
    let account = Moto::account();
    let env = TestEnv::with_fixture(&account.url);
    env.aws_config(&format!(
        "[profile dev]\nregion = eu-west-1\nendpoint_url = {}\n",
        account.url
    ));
    env.aws_credentials("[dev]\naws_access_key_id = AKIDDEV\naws_secret_access_key = dev-secret\n");
    env.write(".secrets.toml", "[environments.dev]\n");
    let run = env.bare_cmd(&["audit"]).env("AWS_PROFILE", "dev").run();
    run.expect_code(1);
    assert!(
        run.stdout.contains(&format!(
            "missing in dev (account {}, dev (AWS_PROFILE)):",
            account.id
        )),
        "{}",
        run.stdout
    );
}
