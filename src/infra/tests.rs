use std::path::PathBuf;

use proptest::prelude::*;

use super::*;

fn fixture() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/monorepo")
}

/// `(name, path, construct)` of a reading.
fn triples(r: &Reading) -> Vec<(&str, &str, &str)> {
    r.secrets
        .iter()
        .map(|d| (d.name.as_str(), d.path.as_str(), d.construct.as_str()))
        .collect()
}

#[test]
fn api_follows_the_dsl_order_and_rules() {
    let r = read_service(&fixture(), "api", Env::Dev);
    assert!(r.found);
    assert_eq!(
        triples(&r),
        [
            (
                "CONFIGCAT_SDK_KEY",
                "/k8s/configcat/CONFIGCAT_SDK_KEY",
                "COMMON_SECRETS"
            ),
            (
                "IDENTITY_SERVER_CLIENT_SECRET",
                "/k8s/api/IDENTITY_SERVER_CLIENT_SECRET",
                ".secrets"
            ),
            (
                "INTELLECTUAL_PROPERTY_API_KEY",
                "/k8s/api/IP_API_KEY",
                ".secrets"
            ),
            (
                "DOCUMENTS_TOKEN",
                "/k8s/documents/DOCUMENTS_TOKEN",
                ".secrets"
            ),
            ("CONTENTFUL_TOKEN", "/k8s/api/CONTENTFUL_TOKEN", ".secrets"),
            (
                "PAYMENT_BACKUP_USER",
                "/k8s/payments/PAYMENT_USER",
                ".secrets"
            ),
            ("BETA_KEY", "/k8s/api/BETA_KEY", ".features(beta-thing)"),
            (
                "XROAD_CLIENT_ID",
                "/k8s/xroad/client/IS-DEV/GOV/10000/island-is-client/ID",
                ".xroad(Client)"
            ),
            (
                "XROAD_PAYMENT_USER",
                "/k8s/payments/PAYMENT_USER",
                ".xroad(Payment)"
            ),
            (
                "XROAD_PAYMENT_PASSWORD",
                "/k8s/payments/PAYMENT_PASSWORD",
                ".xroad(Payment)"
            ),
            // The Helm renderer merges the database password in last.
            ("DB_PASS", "/k8s/api/DB_PASSWORD", ".db"),
        ]
    );
    // Each entry points at its own property, with the call that brings it in as context.
    let d = &r.secrets[1];
    assert_eq!(
        (d.file.as_str(), d.line, d.column),
        ("apps/api/infra/api.ts", 23, 9)
    );
    assert_eq!(d.source(), "apps/api/infra/api.ts:23, via .secrets at :22");
    assert_eq!(
        r.secrets[0].source(),
        "infra/src/dsl/consts.ts:6 COMMON_SECRETS"
    );
    let xroad = r
        .secrets
        .iter()
        .find(|d| d.name == "XROAD_PAYMENT_USER")
        .unwrap();
    assert!(
        xroad
            .source()
            .ends_with(", via .xroad(Payment) at apps/api/infra/api.ts:16"),
        "{}",
        xroad.source()
    );
    assert!(
        xroad.origin.starts_with("infra/src/dsl/xroad.ts:"),
        "{}",
        xroad.origin
    );
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert_eq!(
        r.warnings[0],
        "the path of UNRESOLVED_SECRET (apps/api/infra/api.ts:28, via .secrets at apps/api/infra/api.ts:22) could not be resolved: \
         `computeSomething` comes from '@island.is/somewhere' (apps/api/infra/api.ts), which is not followed"
    );
}

#[test]
fn features_follow_the_selected_environment() {
    let names = |env| {
        read_service(&fixture(), "api", env)
            .secrets
            .iter()
            .filter(|d| d.construct.starts_with(".features"))
            .map(|d| d.name.clone())
            .collect::<Vec<_>>()
    };
    assert_eq!(names(Env::Dev), ["BETA_KEY"]);
    assert!(names(Env::Staging).is_empty());
    assert_eq!(names(Env::Prod), ["DRIVING_LICENSE_KEY"]);
}

#[test]
fn multi_service_file_template_names_and_db_options() {
    let r = read_service(&fixture(), "user-profile", Env::Dev);
    assert_eq!(
        triples(&r),
        [
            (
                "CONFIGCAT_SDK_KEY",
                "/k8s/configcat/CONFIGCAT_SDK_KEY",
                "COMMON_SECRETS"
            ),
            (
                "USER_PROFILE_SECRET",
                "/k8s/user-profile/USER_PROFILE_SECRET",
                ".secrets"
            ),
            (
                "XROAD_CLIENT_ID",
                "/k8s/xroad/client/IS-DEV/GOV/10000/island-is-client/ID",
                ".xroad(Client)"
            ),
            ("DB_PASS", "/k8s/user-profile/DB_PASSWORD", ".db"),
        ]
    );
    let r = read_service(&fixture(), "user-profile-worker", Env::Dev);
    assert_eq!(
        triples(&r),
        [
            (
                "CONFIGCAT_SDK_KEY",
                "/k8s/configcat/CONFIGCAT_SDK_KEY",
                "COMMON_SECRETS"
            ),
            ("WORKER_TOKEN", "/k8s/user-profile/WORKER_TOKEN", ".secrets"),
            (
                "DB_PASS",
                "/k8s/user-profile-db/readonly/DB_PASSWORD",
                ".db"
            ),
        ]
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn bff_secrets_come_first_and_password_secret_wins() {
    let r = read_service(&fixture(), "portals-my-pages", Env::Dev);
    assert_eq!(
        triples(&r),
        [
            (
                "BFF_TOKEN_SECRET_BASE64",
                "/k8s/services-bff/portals-my-pages/BFF_TOKEN_SECRET_BASE64",
                ".bff"
            ),
            (
                "IDENTITY_SERVER_CLIENT_SECRET",
                "/k8s/services-bff/portals-my-pages/IDENTITY_SERVER_CLIENT_SECRET",
                ".bff"
            ),
            (
                "CONFIGCAT_SDK_KEY",
                "/k8s/configcat/CONFIGCAT_SDK_KEY",
                "COMMON_SECRETS"
            ),
            (
                "MY_PAGES_KEY",
                "/k8s/portals-my-pages/MY_PAGES_KEY",
                ".secrets"
            ),
            ("DB_PASS", "/k8s/shared/MY_PAGES_DB_PASSWORD", ".postgres"),
        ]
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn block_bodied_parameterised_builder() {
    let r = read_service(&fixture(), "application-system-api", Env::Dev);
    let names: Vec<&str> = r.secrets.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CONFIGCAT_SDK_KEY",
            "DOCUMENTS_KEY",
            "APPLICATION_SYSTEM_KEY",
            "XROAD_PAYMENT_USER",
            "XROAD_PAYMENT_PASSWORD"
        ]
    );
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
}

#[test]
fn unknown_service_and_ignored_folders() {
    let r = read_service(&fixture(), "no-such-service", Env::Dev);
    assert!(!r.found && r.secrets.is_empty());
    // node_modules/ and dist/ define `api` too, with DECOY; they are never read.
    let api = read_service(&fixture(), "api", Env::Dev);
    assert!(api.secrets.iter().all(|d| d.name != "DECOY"));
    assert_eq!(
        service_names(&fixture()),
        [
            "api",
            "application-system-api",
            "consultation-portal",
            "portals-my-pages",
            "services-bff-admin-portal",
            "user-profile",
            "user-profile-worker",
            "web"
        ]
    );
}

#[test]
fn duplicate_names_warn_and_keep_the_first() {
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("apps/x/infra");
    std::fs::create_dir_all(&infra).unwrap();
    std::fs::write(
        infra.join("x.ts"),
        "service('x-svc').secrets({ A: '/k8s/x/A' }).secrets({ A: '/k8s/x/B', 'B': \"/k8s/x/C\" })",
    )
    .unwrap();
    let r = read_service(dir.path(), "x-svc", Env::Dev);
    let names: Vec<(&str, &str)> = r
        .secrets
        .iter()
        .map(|d| (d.name.as_str(), d.path.as_str()))
        .collect();
    assert_eq!(names, [("A", "/k8s/x/A"), ("B", "/k8s/x/C")]);
    assert_eq!(
        r.warnings,
        ["A is declared twice (again by .secrets at apps/x/infra/x.ts:1); the first is used"]
    );
}

#[test]
fn an_unresolvable_service_name_is_a_warning_when_the_service_is_not_found() {
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("apps/y/infra");
    std::fs::create_dir_all(&infra).unwrap();
    std::fs::write(
        infra.join("y.ts"),
        "import { prefix } from '@scope/names'\n// y-svc\nservice(`${prefix}-svc`).secrets({})\n",
    )
    .unwrap();
    let r = read_service(dir.path(), "y-svc", Env::Dev);
    assert!(!r.found);
    assert_eq!(
        r.warnings,
        [
            "the name of a service(...) could not be resolved: `prefix` comes from '@scope/names' (apps/y/infra/y.ts), which is not followed"
        ]
    );
}

fn evaluate_everything(text: &str) {
    let alloc = Allocator::default();
    let loader = Loader::new(&alloc, Path::new("/nonexistent"));
    let ev = Eval::new(&loader);
    let m = std::rc::Rc::new(loader.parse(Path::new("/nonexistent/apps/a/infra/a.ts"), text));
    for c in chain::chains(&ev, &m) {
        for call in &c.calls {
            let _ = call.arguments(&ev);
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn never_panics_on_arbitrary_text(text in any::<String>()) {
        evaluate_everything(&text);
    }

    #[test]
    fn never_panics_on_dsl_shaped_text(parts in prop::collection::vec(prop_oneof![
        Just("service('a')"), Just(".secrets({"), Just("})"), Just("A: '/k8s/a/A',"),
        Just("`${x}`"), Just(".xroad(X)"), Just("const x = "), Just("x"), Just("..."),
        Just("(() => ({"), Just("[k]: "), Just("new C("), Just(")"), Just("\n"), Just(";"),
        Just("function f(a) { return a }"), Just("f(x)"), Just("export { x as y }"),
    ], 0..40)) {
        evaluate_everything(&parts.concat());
    }
}

#[test]
fn several_services_in_one_walk_read_as_each_alone() {
    let names = [
        "api",
        "no-such-service",
        "user-profile",
        "portals-my-pages",
        "api",
    ];
    let together = read_services(&fixture(), &names, Env::Dev);
    assert_eq!(together.len(), names.len());
    for (name, reading) in names.iter().zip(&together) {
        let alone = read_service(&fixture(), name, Env::Dev);
        assert_eq!(reading.found, alone.found, "{name}");
        assert_eq!(triples(reading), triples(&alone), "{name}");
        assert_eq!(reading.warnings, alone.warnings, "{name}");
    }
}

#[test]
fn a_builder_extended_across_statements_and_through_helpers_contributes_everything() {
    let r = read_service(&fixture(), "web", Env::Dev);
    assert!(r.found);
    let names: Vec<&str> = r.secrets.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(
        names,
        [
            "CONFIGCAT_SDK_KEY",
            "DD_LOGS_CLIENT_TOKEN",
            "CRON_TOKEN",
            "CRON_SIGNING_KEY",
            "LOCAL_CONST_SECRET",
            "HELPER_SECRET",
            "DD_TRACE_TOKEN",
            "XROAD_CLIENT_ID",
            "DB_PASS",
        ]
    );
    let by_name = |n: &str| r.secrets.iter().find(|d| d.name == n).unwrap();
    assert_eq!(
        by_name("LOCAL_CONST_SECRET").path,
        "/k8s/web/LOCAL_CONST_SECRET"
    );
    assert_eq!(by_name("DB_PASS").path, "/k8s/web/DB_PASSWORD");
    // A spread constant points at where it is written, 15 lines above the call.
    assert_eq!(
        by_name("CRON_TOKEN").source(),
        "apps/web/infra/web.ts:7, via .secrets at :21"
    );
    // A helper's entry is written on its call's line: no separate context.
    assert_eq!(
        by_name("HELPER_SECRET").source(),
        "infra/src/dsl/helpers.ts:5 .secrets"
    );
    // What cannot be evaluated is a warning with file:line, never a silent omission.
    assert_eq!(
        r.warnings,
        [
            "calls on the builder at apps/web/infra/web.ts:23 depend on a condition and are not counted"
        ]
    );
}

#[test]
fn a_service_defined_in_two_files_warns_and_uses_the_first() {
    let r = read_service(&fixture(), "consultation-portal", Env::Dev);
    let names: Vec<&str> = r.secrets.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["CONFIGCAT_SDK_KEY", "SAMRADSGATT_TOKEN"]);
    assert_eq!(
        r.warnings,
        ["service('consultation-portal') is defined 2 times: at \
          apps/consultation-portal/infra/consultation-portal.ts:4 and \
          apps/moved/infra/consultation-portal.ts:5; the first is used (infra folders first, \
          then by path), so remove or rename the others"]
    );
}

/// One statement applied to the builder variable `b` in a generated service.
#[derive(Debug, Clone)]
enum Step {
    Secrets(u8),
    Chained(u8),
    Alias(u8),
    Helper(u8),
    Db,
}

fn step_code(step: &Step, i: usize) -> String {
    match step {
        Step::Secrets(n) => format!("  b.secrets({{ S{n}: '/k8s/p/S{n}' }})\n"),
        Step::Chained(n) => format!("  b.env({{ E: 'x' }}).secrets({{ S{n}: '/k8s/p/S{n}' }})\n"),
        Step::Alias(n) => {
            format!("  const a{i} = b.secrets({{ S{n}: '/k8s/p/S{n}' }})\n  a{i}.env({{}})\n")
        }
        Step::Helper(n) => format!("  add(b, 'S{n}')\n"),
        Step::Db => "  b.db()\n".to_string(),
    }
}

fn step() -> impl Strategy<Value = Step> {
    prop_oneof![
        (0u8..6).prop_map(Step::Secrets),
        (0u8..6).prop_map(Step::Chained),
        (0u8..6).prop_map(Step::Alias),
        (0u8..6).prop_map(Step::Helper),
        Just(Step::Db),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    /// Any sequence of statements on a builder variable contributes what the DSL would at run
    /// time: each name once (the first wins), in statement order, DB_PASS last.
    #[test]
    fn statement_sequences_on_a_builder_variable(steps in prop::collection::vec(step(), 0..12)) {
        let mut code = String::from(
            "const add = (x, n) => x.secrets({ [n]: '/k8s/p/' + n })\n\
             export const serviceSetup = () => {\n  const b = service('p')\n",
        );
        for (i, s) in steps.iter().enumerate() {
            code.push_str(&step_code(s, i));
        }
        code.push_str("  return b\n}\n");
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("apps/p/infra")).unwrap();
        std::fs::write(dir.path().join("apps/p/infra/p.ts"), &code).unwrap();
        let r = read_service(dir.path(), "p", Env::Dev);
        let mut expected: Vec<String> = Vec::new();
        for s in &steps {
            let name = match s {
                Step::Secrets(n) | Step::Chained(n) | Step::Alias(n) | Step::Helper(n) => format!("S{n}"),
                Step::Db => continue,
            };
            if !expected.contains(&name) {
                expected.push(name);
            }
        }
        if steps.iter().any(|s| matches!(s, Step::Db)) {
            expected.push("DB_PASS".into());
        }
        let names: Vec<String> = r.secrets.iter().map(|d| d.name.clone()).collect();
        prop_assert!(r.found);
        prop_assert_eq!(names, expected, "{}", code);
        prop_assert!(r.warnings.iter().all(|w| w.contains("declared twice")), "{:?}", r.warnings);
    }
}

#[test]
fn what_is_done_to_a_builder_and_not_evaluated_is_a_warning_with_its_place() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("apps/q/infra")).unwrap();
    std::fs::write(
        dir.path().join("apps/q/infra/q.ts"),
        "import { register } from '@scope/unfollowed'\n\
         export const serviceSetup = () => {\n\
         \x20 const q = service('q')\n\
         \x20 q.secrets({ KEPT: '/k8s/q/KEPT' })\n\
         \x20 for (const k of ['A']) { q.secrets({ [k]: '/k8s/q/' + k }) }\n\
         \x20 return register(q)\n\
         }\n",
    )
    .unwrap();
    let r = read_service(dir.path(), "q", Env::Dev);
    assert_eq!(triples(&r), [("KEPT", "/k8s/q/KEPT", ".secrets")]);
    assert_eq!(
        r.warnings,
        [
            "this statement at apps/q/infra/q.ts:5 uses `q` in a way that is not evaluated \
             statically; what it does to the service is not counted",
            "the builder is passed to a function at apps/q/infra/q.ts:6 that is not evaluated \
             statically; what it adds is not counted",
        ]
    );
}

#[test]
fn references_list_each_place_once_with_the_environments_that_declare_it() {
    let refs = references(&fixture());
    let find = |path: &str| {
        refs.iter()
            .filter(|r| r.path == path)
            .map(|r| (r.service.as_str(), r.file.as_str(), r.line, r.envs.clone()))
            .collect::<Vec<_>>()
    };
    assert_eq!(
        find("/k8s/api/IP_API_KEY"),
        [(
            "api",
            "apps/api/infra/api.ts",
            24,
            vec!["dev", "staging", "prod"]
        )]
    );
    // A feature on in prod only is declared for prod only.
    let driving = find("/k8s/api/DRIVING_LICENSE_KEY");
    assert_eq!(driving.len(), 1);
    assert_eq!(driving[0].3, ["prod"]);
}

#[test]
fn imports_resolve_as_typescript_resolves_them() {
    // The chart imports '../../../apps/services/bff/infra/admin-portal.infra' (a dot in the
    // last segment: the extension is added, not replaced) and the second of two files
    // defining consultation-portal; each entry is placed by the file its import leads to.
    let alloc = oxc_allocator::Allocator::default();
    let loader = super::loader::Loader::new(&alloc, &fixture());
    let ev = super::eval::Eval::new(&loader);
    let d = super::charts::read(&ev, &loader, &fixture());
    assert!(d.warnings.is_empty(), "{:?}", d.warnings);
    let file = |name: &str| {
        d.by_env[&Env::Dev]
            .iter()
            .find(|e| e.name == name)
            .map(|e| e.file.clone())
    };
    assert_eq!(
        file("services-bff-admin-portal").as_deref(),
        Some("apps/services/bff/infra/admin-portal.infra.ts")
    );
    assert_eq!(
        file("consultation-portal").as_deref(),
        Some("apps/moved/infra/consultation-portal.ts")
    );
    assert!(d.runs(
        "consultation-portal",
        "apps/moved/infra/consultation-portal.ts",
        Env::Staging
    ));
    assert!(!d.runs(
        "consultation-portal",
        "apps/consultation-portal/infra/consultation-portal.ts",
        Env::Staging
    ));
}

#[test]
fn a_builder_variable_takes_imported_configs_and_reassignments_in_later_statements() {
    let r = read_service(&fixture(), "services-bff-admin-portal", Env::Dev);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let names: Vec<&str> = r.secrets.iter().map(|d| d.name.as_str()).collect();
    assert_eq!(names, ["CONFIGCAT_SDK_KEY", "BFF_TOKEN", "XROAD_CLIENT_ID"]);
    let xroad = &r.secrets[2];
    assert_eq!(xroad.construct, ".xroad(Client)");
    assert_eq!(
        xroad.via.as_deref(),
        Some("apps/services/bff/infra/admin-portal.infra.ts:11")
    );
}

#[test]
fn a_reassigned_builder_variable_is_the_same_builder_and_imports_resolve_like_typescript() {
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("apps/z/infra");
    std::fs::create_dir_all(&infra).unwrap();
    std::fs::create_dir_all(dir.path().join("apps/z/consts")).unwrap();
    // `./keys.js` is the `.ts` file; `../consts` is the folder's index.ts.
    std::fs::write(infra.join("keys.ts"), "export const KEY = '/k8s/z/KEY'\n").unwrap();
    std::fs::write(
        dir.path().join("apps/z/consts/index.ts"),
        "export const OTHER = '/k8s/z/OTHER'\n",
    )
    .unwrap();
    std::fs::write(
        infra.join("z.ts"),
        "import { KEY } from './keys.js'\nimport { OTHER } from '../consts'\n\
         export const setup = () => {\n  let z = service('z')\n  z = z.secrets({ KEY, OTHER })\n  \
         return z\n}\n",
    )
    .unwrap();
    let r = read_service(dir.path(), "z", Env::Dev);
    assert!(r.warnings.is_empty(), "{:?}", r.warnings);
    let found: Vec<(&str, &str)> = r
        .secrets
        .iter()
        .map(|d| (d.name.as_str(), d.path.as_str()))
        .collect();
    assert_eq!(found, [("KEY", "/k8s/z/KEY"), ("OTHER", "/k8s/z/OTHER")]);
}
