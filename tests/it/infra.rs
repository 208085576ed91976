//! `get` and `list` driven by the infra code of the fixture monorepo.

use std::fs;

use crate::support::proxy::Proxy;
use crate::support::{Account, Moto, TestEnv};

/// Everything the fixture's `api` declares that is stored, plus extras under /k8s/api/.
const STORED: &[(&str, &str)] = &[
    ("/k8s/configcat/CONFIGCAT_SDK_KEY", "configcat-value"),
    ("/k8s/api/IDENTITY_SERVER_CLIENT_SECRET", "api-ids-value"),
    (
        "/k8s/local-dev/IDENTITY_SERVER_CLIENT_SECRET",
        "local-dev-ids-value",
    ),
    ("/k8s/api/IP_API_KEY", "ip-api-key-value"),
    ("/k8s/documents/DOCUMENTS_TOKEN", "documents-value"),
    ("/k8s/payments/PAYMENT_USER", "payment-user-value"),
    ("/k8s/payments/PAYMENT_PASSWORD", "payment-password-value"),
    ("/k8s/api/BETA_KEY", "beta-key-value"),
    ("/k8s/api/DRIVING_LICENSE_KEY", "driving-value"),
    ("/k8s/api/DB_PASSWORD", "db-password-value"),
    (
        "/k8s/xroad/client/IS-DEV/GOV/10000/island-is-client/ID",
        "xroad-client-value",
    ),
    ("/k8s/api/EXTRA_SWEPT", "extra-swept-value"),
    ("/k8s/api/NOVA_PASSWORD", "nova-password-value"),
];

/// The fixture against an account of its own (its paths are fixed, not per test).
fn fixture_env() -> (TestEnv, Account) {
    let account = Moto::account();
    let mut env = TestEnv::with_fixture(&account.url);
    env.seed(STORED);
    (env, account)
}

#[test]
fn get_writes_declared_secrets_in_dsl_order_then_the_sweep() {
    let (mut env, account) = fixture_env();
    let proxy = Proxy::start(&env.moto_url, vec![]);
    env.endpoint = proxy.url.clone();
    let run = env.run(&["get", "api"]);
    run.expect_code(0);
    assert_eq!(
        fs::read_to_string(env.env_file()).unwrap(),
        "export CONFIGCAT_SDK_KEY='configcat-value'\n\
         export IDENTITY_SERVER_CLIENT_SECRET='local-dev-ids-value'\n\
         export INTELLECTUAL_PROPERTY_API_KEY='ip-api-key-value'\n\
         export DOCUMENTS_TOKEN='documents-value'\n\
         export PAYMENT_BACKUP_USER='payment-user-value'\n\
         export BETA_KEY='beta-key-value'\n\
         export XROAD_CLIENT_ID='xroad-client-value'\n\
         export XROAD_PAYMENT_USER='payment-user-value'\n\
         export XROAD_PAYMENT_PASSWORD='payment-password-value'\n\
         export DRIVING_LICENSE_KEY='driving-value'\n\
         export EXTRA_SWEPT='extra-swept-value'\n"
    );
    // /k8s/api/IP_API_KEY, stored under the sweep, is INTELLECTUAL_PROPERTY_API_KEY's
    // declared path: written once, under the declared name, never as IP_API_KEY.
    let lines: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(
        lines,
        [
            "warning: api: the path of UNRESOLVED_SECRET (apps/api/infra/api.ts:28, via .secrets at apps/api/infra/api.ts:22) could not be resolved: `computeSomething` comes from '@island.is/somewhere' (apps/api/infra/api.ts), which is not followed",
            "warning: api: CONTENTFUL_TOKEN: /k8s/api/CONTENTFUL_TOKEN is not in SSM (apps/api/infra/api.ts:26, via .secrets at :22)",
            &format!(
                "api: 11 secrets written to .env.secret (11 new, 0 changed, 0 unchanged); 1 declared but not stored; account {}",
                account.id
            ),
        ]
    );
    // The sweep: one page of names (DescribeParameters) and one GetParameters for them; the
    // declared names outside /k8s/api/: one GetParameters batch. Nothing more.
    assert_eq!(
        (
            proxy.count("DescribeParameters"),
            proxy.count("GetParametersByPath"),
            proxy.count("GetParameters")
        ),
        (1, 0, 2)
    );
}

#[test]
fn declared_only_and_env_prod() {
    let (mut env, _moto) = fixture_env();
    let proxy = Proxy::start(&env.moto_url, vec![]);
    env.endpoint = proxy.url.clone();
    let run = env
        .cmd(&[
            "get",
            "api",
            "--declared-only",
            "--env",
            "prod",
            "--file",
            "-",
            "--endpoint-url",
            &proxy.url,
        ])
        .values_on_stdout()
        .run();
    run.expect_code(0);
    let names: Vec<&str> = run
        .stdout
        .lines()
        .map(|l| l.split('=').next().unwrap_or_default())
        .collect();
    assert_eq!(
        names,
        [
            "export CONFIGCAT_SDK_KEY",
            "export IDENTITY_SERVER_CLIENT_SECRET",
            "export INTELLECTUAL_PROPERTY_API_KEY",
            "export DOCUMENTS_TOKEN",
            "export PAYMENT_BACKUP_USER",
            "export DRIVING_LICENSE_KEY",
            "export XROAD_CLIENT_ID",
            "export XROAD_PAYMENT_USER",
            "export XROAD_PAYMENT_PASSWORD",
        ]
    );
    assert_eq!(proxy.count("GetParametersByPath"), 0);
    // 11 declared names, 10 distinct paths (two share one, and the override takes the place
    // of a declared path rather than adding to it): one call of 10.
    assert_eq!(proxy.count("GetParameters"), 1, "10 paths in one call");
}

#[test]
fn config_file_changes_prefix_excludes_and_overrides() {
    let (env, _moto) = fixture_env();
    env.write(
        ".secrets.toml",
        "exclude = [\"EXTRA_SWEPT\"]\nfile = \"local.env\"\n[overrides]\n",
    );
    env.run(&["get", "api"]).expect_code(0);
    let text = fs::read_to_string(env.repo().join("local.env")).unwrap();
    assert!(
        text.contains("export IDENTITY_SERVER_CLIENT_SECRET='api-ids-value'\n"),
        "{text}"
    );
    assert!(text.contains("export NOVA_PASSWORD='nova-password-value'\n"));
    // /k8s/api/DB_PASSWORD is what `.db()` declares as DB_PASS: one parameter, one
    // variable, under the declared name.
    assert!(text.contains("export DB_PASS='db-password-value'\n"));
    assert!(!text.contains("DB_PASSWORD="), "{text}");
    assert!(!text.contains("EXTRA_SWEPT"));
    // Without the default exclude, the DSL's DB_PASS is written, after the X-Road secrets.
    let names: Vec<&str> = text
        .lines()
        .map(|l| l.split('=').next().unwrap_or(""))
        .collect();
    let at = |n: &str| {
        names
            .iter()
            .position(|x| *x == format!("export {n}"))
            .unwrap()
    };
    assert!(at("DB_PASS") > at("XROAD_PAYMENT_PASSWORD"), "{text}");
    env.write(".secrets.toml", "exclud = []\n");
    let run = env.run(&["get", "api"]);
    run.expect_code(2);
    assert!(
        run.stderr.contains("unknown field `exclud`"),
        "{}",
        run.stderr
    );
}

#[test]
fn list_json_and_check_through_the_binary() {
    // Statuses and the table are tested in-process (src/commands/tests.rs); this is the
    // binary's contract: JSON on stdout, exit 1 on a missing declared secret, exit 4.
    let (env, _moto) = fixture_env();
    let run = env.run(&["list", "api", "--json", "--check"]);
    run.expect_code(1);
    let items: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let missing: Vec<&str> = items
        .as_array()
        .unwrap()
        .iter()
        .filter(|i| i["status"] == "missing")
        .map(|i| i["name"].as_str().unwrap())
        .collect();
    assert_eq!(missing, ["CONTENTFUL_TOKEN"]);
    assert_eq!(
        items[0],
        serde_json::json!({"project": "api", "name": "CONFIGCAT_SDK_KEY", "path": "/k8s/configcat/CONFIGCAT_SDK_KEY", "declared_path": "/k8s/configcat/CONFIGCAT_SDK_KEY", "source": "infra/src/dsl/consts.ts:6 COMMON_SECRETS", "file": "infra/src/dsl/consts.ts", "line": 6, "column": 3, "status": "ok"})
    );
    assert!(
        run.stderr
            .contains("error: 1 declared secret missing from SSM"),
        "{}",
        run.stderr
    );

    let run = env.run(&["list", "user-profile-worker", "--check", "--declared-only"]);
    run.expect_code(1);
    let run = env.run(&["list", "apii"]);
    run.expect_code(4);
    assert!(
        run.stderr.ends_with("hint: did you mean api?\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn reading_the_infra_needs_no_aws() {
    let env = TestEnv::with_fixture(&Moto::shared().url);
    let proxy = Proxy::start(&env.moto_url, vec![]);
    // No keys anywhere; a credential process that leaves a mark if anything starts it.
    let mark = env.home().join("credential-process-ran");
    env.aws_config(&format!(
        "[default]\nregion = eu-west-1\ncredential_process = sh -c 'touch {}; exit 1'\n",
        mark.display()
    ));
    let cases: [&[&str]; 4] = [
        &["list", "api", "--declared-only"],
        &["list", "api", "web", "--offline", "--json"],
        &["list", "--all", "--declared-only"],
        &["list", "--all", "--json", "--env", "prod"],
    ];
    for args in cases {
        let mut all = args.to_vec();
        all.extend(["--endpoint-url", &proxy.url]);
        let run = env.bare_cmd(&all).run();
        run.expect_code(0);
        assert!(!run.stdout.is_empty(), "{args:?}");
        assert_eq!(
            *proxy.seen.lock().unwrap(),
            Vec::<String>::new(),
            "{args:?}"
        );
        assert!(!mark.exists(), "{args:?} started the credential provider");
    }
    let run = env.bare_cmd(&["list", "web", "--offline", "--json"]).run();
    let items: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let cron = items
        .as_array()
        .unwrap()
        .iter()
        .find(|i| i["name"] == "CRON_TOKEN")
        .unwrap();
    assert_eq!(cron["status"], "declared");
    assert_eq!(
        (&cron["file"], &cron["line"], &cron["column"]),
        (
            &serde_json::json!("apps/web/infra/web.ts"),
            &serde_json::json!(7),
            &serde_json::json!(3)
        )
    );
    assert_eq!(
        cron["source"],
        "apps/web/infra/web.ts:7, via .secrets at :21"
    );

    // `get` still needs AWS; --offline cannot check; an unknown service is exit 4 offline too.
    env.bare_cmd(&["get", "api", "--endpoint-url", &proxy.url])
        .run()
        .expect_code(3);
    assert!(mark.exists(), "get starts the credential provider");
    env.bare_cmd(&["list", "api", "--offline", "--check"])
        .run()
        .expect_code(2);
    let run = env.bare_cmd(&["list", "apii", "--offline"]).run();
    run.expect_code(4);
    assert!(
        run.stderr.ends_with("hint: did you mean api?\n"),
        "{}",
        run.stderr
    );
}

#[test]
fn list_all_reports_every_service_and_only_the_warnings_the_fixture_explains() {
    let env = TestEnv::with_fixture(&Moto::shared().url);
    let run = env.bare_cmd(&["list", "--all", "--declared-only"]).run();
    run.expect_code(0);
    let rows: Vec<Vec<&str>> = run
        .stdout
        .lines()
        .map(|l| l.split_whitespace().take(3).collect())
        .collect();
    assert_eq!(
        rows,
        [
            vec!["SERVICE", "DECLARED", "WARNINGS"],
            vec!["api", "11", "1"],
            vec!["application-system-api", "5", "0"],
            vec!["consultation-portal", "2", "1"],
            vec!["consultation-portal", "2", "1"],
            vec!["portals-my-pages", "5", "0"],
            vec!["services-bff-admin-portal", "3", "0"],
            vec!["user-profile", "4", "0"],
            vec!["user-profile-worker", "3", "0"],
            vec!["web", "9", "1"],
        ]
    );
    // Each warning is one the fixture sets up on purpose: an import that is not followed, a
    // service defined in two files, and calls made under a condition.
    assert_eq!(
        run.stderr.lines().collect::<Vec<_>>(),
        [
            "warning: api: the path of UNRESOLVED_SECRET (apps/api/infra/api.ts:28, via .secrets at apps/api/infra/api.ts:22) could not be resolved: `computeSomething` comes from '@island.is/somewhere' (apps/api/infra/api.ts), which is not followed",
            "warning: consultation-portal: service('consultation-portal') is also defined at apps/moved/infra/consultation-portal.ts:5; this one is used (the first in the walk: infra folders first, then by path)",
            "warning: consultation-portal: service('consultation-portal') is defined first at apps/consultation-portal/infra/consultation-portal.ts:4, which is used; this one is ignored",
            "warning: web: calls on the builder at apps/web/infra/web.ts:23 depend on a condition and are not counted",
        ]
    );
    let run = env.bare_cmd(&["list", "--all", "--json"]).run();
    let services: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let web = services
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["service"] == "web")
        .unwrap();
    assert_eq!(web["declared"], 9);
    assert_eq!(web["secrets"][8]["name"], "DB_PASS", "DB_PASS comes last");
}

#[test]
fn list_shows_every_declared_row_excluded_and_overridden_ones_too() {
    let (env, _account) = fixture_env();
    let run = env.run(&["list", "api", "--json"]);
    run.expect_code(0);
    let items: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let row = |name: &str| {
        items
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .cloned()
            .unwrap_or_else(|| panic!("no row {name}"))
    };
    // DB_PASS (the default exclude) is listed, marked, and has no value anywhere.
    assert_eq!(row("DB_PASS")["status"], "excluded");
    assert_eq!(row("DB_PASS")["declared_path"], "/k8s/api/DB_PASSWORD");
    // The overridden row shows both paths.
    let ids = row("IDENTITY_SERVER_CLIENT_SECRET");
    assert_eq!(ids["path"], "/k8s/local-dev/IDENTITY_SERVER_CLIENT_SECRET");
    assert_eq!(
        ids["declared_path"],
        "/k8s/api/IDENTITY_SERVER_CLIENT_SECRET"
    );
    // /k8s/api/IP_API_KEY is a declared row's path: no second, undeclared row.
    assert!(
        items
            .as_array()
            .unwrap()
            .iter()
            .all(|i| i["name"] != "IP_API_KEY")
    );
    assert_eq!(row("INTELLECTUAL_PROPERTY_API_KEY")["status"], "ok");
    let table = env.run(&["list", "api"]);
    assert!(
        table
            .stdout
            .lines()
            .any(|l| l.starts_with("DB_PASS ") && l.ends_with(" excluded")),
        "{}",
        table.stdout
    );
    // The overridden row: the path read, and the declared path after its status, so that the
    // path column is as wide as the paths read.
    let overridden = table
        .stdout
        .lines()
        .find(|l| l.starts_with("IDENTITY_SERVER_CLIENT_SECRET "))
        .unwrap_or_else(|| panic!("{}", table.stdout));
    let cells: Vec<&str> = overridden.split("  ").filter(|c| !c.is_empty()).collect();
    assert_eq!(
        cells[1].trim(),
        "/k8s/local-dev/IDENTITY_SERVER_CLIENT_SECRET",
        "{overridden}"
    );
    assert!(
        overridden.ends_with(" instead of /k8s/api/IDENTITY_SERVER_CLIENT_SECRET"),
        "{overridden}"
    );
    // The path column is as wide as the longest path read, and no wider.
    let header = table.stdout.lines().next().unwrap_or_default();
    let width = header.find("SOURCE").unwrap() - header.find("PATH").unwrap();
    let longest = table
        .stdout
        .lines()
        .skip(1)
        .filter_map(|l| l.split("  ").filter(|c| !c.is_empty()).nth(1))
        .map(|c| c.trim().len())
        .max()
        .unwrap_or(0);
    assert_eq!(width, longest + 2, "{}", table.stdout);
    // Written: never the excluded name.
    env.run(&["get", "api"]).expect_code(0);
    let text = fs::read_to_string(env.env_file()).unwrap();
    assert!(!text.contains("DB_PASS"), "an excluded name was written");

    // An excluded name is never fetched: excluding DOCUMENTS_TOKEN (outside /k8s/api/)
    // takes one name out of the GetParameters batch.
    let count = |run: &crate::support::Run| -> String {
        run.stderr
            .lines()
            .find_map(|l| l.strip_prefix("trace: GetParameters for "))
            .and_then(|l| l.split(' ').next())
            .unwrap_or_default()
            .to_string()
    };
    let before = count(&env.run(&["get", "api", "--dry-run", "-v"]));
    env.write(
        ".secrets.toml",
        "exclude = [\"DB_PASS\", \"DOCUMENTS_TOKEN\"]\n",
    );
    let after = env.run(&["list", "api", "-v", "--json"]);
    assert_eq!(
        after.stdout.matches("\"status\": \"excluded\"").count(),
        2,
        "{}",
        after.stdout
    );
    let before: usize = before.parse().unwrap();
    assert_eq!(count(&after), (before - 1).to_string(), "{}", after.stderr);
}

#[test]
fn list_all_and_list_service_give_the_same_rows_for_every_service() {
    let env = TestEnv::with_fixture(&Moto::shared().url);
    let run = env.bare_cmd(&["list", "--all", "--json"]).run();
    run.expect_code(0);
    let all: serde_json::Value = serde_json::from_str(&run.stdout).unwrap();
    let view = |rows: &serde_json::Value| -> Vec<(String, String, String, String)> {
        rows.as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let s = |k: &str| r[k].as_str().unwrap_or_default().to_string();
                (s("name"), s("path"), s("declared_path"), s("status"))
            })
            .collect()
    };
    let mut seen = std::collections::HashSet::new();
    let mut compared = 0;
    for service in all.as_array().unwrap() {
        let name = service["service"].as_str().unwrap();
        // A name defined twice: `list NAME` reads the first, as `get` does.
        if !seen.insert(name.to_string()) {
            continue;
        }
        let one = env.bare_cmd(&["list", name, "--offline", "--json"]).run();
        one.expect_code(0);
        let one: serde_json::Value = serde_json::from_str(&one.stdout).unwrap();
        assert_eq!(view(&service["secrets"]), view(&one), "{name}");
        assert_eq!(
            service["declared"].as_u64().unwrap() as usize,
            one.as_array().unwrap().len(),
            "{name}"
        );
        compared += 1;
    }
    assert_eq!(compared, 8, "every fixture service");
}

#[test]
fn get_reads_a_service_from_an_infra_ts_file_with_imported_configs_on_a_builder_variable() {
    let (mut env, _account) = fixture_env();
    env.seed(&[(
        "/k8s/services-bff-admin-portal/BFF_TOKEN",
        "admin-bff-token-value",
    )]);
    env.run(&["get", "services-bff-admin-portal"])
        .expect_code(0);
    assert_eq!(
        fs::read_to_string(env.env_file()).unwrap(),
        "export CONFIGCAT_SDK_KEY='configcat-value'\n\
         export BFF_TOKEN='admin-bff-token-value'\n\
         export XROAD_CLIENT_ID='xroad-client-value'\n"
    );
}

#[test]
fn the_warnings_of_several_projects_come_grouped_under_each() {
    let (env, _account) = fixture_env();
    let run = env.run(&["get", "web", "api"]);
    run.expect_code(0);
    let owners: Vec<&str> = run
        .stderr
        .lines()
        .filter_map(|l| l.strip_prefix("warning: "))
        .filter_map(|l| l.split(": ").next())
        .filter(|p| ["web", "api"].contains(p))
        .collect();
    // Every warning about one project names it (what concerns several does not).
    for line in run.stderr.lines().filter(|l| l.starts_with("warning: ")) {
        assert!(
            line.starts_with("warning: web: ")
                || line.starts_with("warning: api: ")
                || line.ends_with("(later projects win)"),
            "{line}"
        );
    }
    // The common secret both read from one path is not said to override itself.
    assert!(
        !run.stderr
            .contains("CONFIGCAT_SDK_KEY: /k8s/configcat/CONFIGCAT_SDK_KEY overrides"),
        "{}",
        run.stderr
    );
    let mut groups = owners.clone();
    groups.dedup();
    assert!(
        owners.contains(&"web") && owners.contains(&"api"),
        "{}",
        run.stderr
    );
    assert_eq!(groups, ["web", "api"], "{}", run.stderr);
}
