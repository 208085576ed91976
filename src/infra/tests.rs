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
            ("DB_PASS", "/k8s/api/DB_PASSWORD", ".db"),
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
        ]
    );
    let secrets_origin = &r.secrets[1].origin;
    assert_eq!(secrets_origin, "apps/api/infra/api.ts:22");
    assert_eq!(r.secrets[0].origin, "infra/src/dsl/consts.ts");
    assert_eq!(r.warnings.len(), 1, "{:?}", r.warnings);
    assert_eq!(
        r.warnings[0],
        "the path of UNRESOLVED_SECRET (.secrets at apps/api/infra/api.ts:22) could not be resolved: \
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
            ("DB_PASS", "/k8s/user-profile/DB_PASSWORD", ".db"),
            (
                "XROAD_CLIENT_ID",
                "/k8s/xroad/client/IS-DEV/GOV/10000/island-is-client/ID",
                ".xroad(Client)"
            ),
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
            (
                "DB_PASS",
                "/k8s/user-profile-db/readonly/DB_PASSWORD",
                ".db"
            ),
            ("WORKER_TOKEN", "/k8s/user-profile/WORKER_TOKEN", ".secrets"),
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
            "portals-my-pages",
            "user-profile",
            "user-profile-worker"
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
    let m = Rc::new(loader.parse(Path::new("/nonexistent/apps/a/infra/a.ts"), text));
    for c in chain::chains(&ev, &m) {
        for call in &c.calls {
            let _ = chain::arguments(&ev, &m, call.call);
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
