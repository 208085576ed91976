//! Tests of resolve.

use super::*;

fn p(name: &str, value: &str) -> Parameter {
    Parameter {
        name: name.into(),
        value: SecretValue::new(value.into()),
    }
}

fn d(name: &str, path: &str) -> Declared {
    Declared {
        name: name.into(),
        path: path.into(),
        origin: "apps/a/infra/a.ts:3".into(),
        file: "apps/a/infra/a.ts".into(),
        line: 3,
        column: 5,
        construct: ".secrets".into(),
        via: None,
    }
}

fn view(rows: &[Row]) -> Vec<(String, String, String, &'static str, Option<String>)> {
    rows.iter()
        .map(|r| {
            (
                r.name.clone(),
                r.path.clone(),
                r.source.clone(),
                r.status.word(),
                r.value.as_ref().map(|v| v.expose().to_string()),
            )
        })
        .collect()
}

#[test]
fn declared_first_sweep_after_declared_wins_and_missing_is_reported() {
    let project = Project {
        declared: vec![
            d("RENAMED", "/k8s/api/IP_API_KEY"),
            d("DOCS", "/k8s/documents/TOKEN"),
            d("GONE", "/k8s/api/GONE"),
        ],
        swept: vec![
            p("/k8s/api/IP_API_KEY", "ip"),
            p("/k8s/api/RENAMED", "swept-renamed"),
            p("/k8s/api/EXTRA", "extra"),
            p("/k8s/api/bad-name", "x"),
        ],
        fetched: &[p("/k8s/documents/TOKEN", "docs")],
    };
    let (rows, warnings) = rows(&project, &Rules::default());
    let s = |x: &str| x.to_string();
    assert_eq!(
        view(&rows),
        [
            (
                s("RENAMED"),
                s("/k8s/api/IP_API_KEY"),
                s("apps/a/infra/a.ts:3 .secrets"),
                "ok",
                Some(s("ip"))
            ),
            (
                s("DOCS"),
                s("/k8s/documents/TOKEN"),
                s("apps/a/infra/a.ts:3 .secrets"),
                "ok",
                Some(s("docs"))
            ),
            (
                s("GONE"),
                s("/k8s/api/GONE"),
                s("apps/a/infra/a.ts:3 .secrets"),
                "missing",
                None
            ),
            (
                s("EXTRA"),
                s("/k8s/api/EXTRA"),
                s("sweep"),
                "undeclared",
                Some(s("extra"))
            ),
        ]
    );
    // /k8s/api/IP_API_KEY is RENAMED's declared path: the sweep finding it adds no second
    // variable, and /k8s/api/RENAMED (another parameter) loses to the declared name.
    assert_eq!(
        warnings,
        ["skipped /k8s/api/bad-name: `bad-name` is not a valid environment variable name",]
    );
}

#[test]
fn excludes_and_overrides() {
    let project = Project {
        declared: vec![
            d("DB_PASSWORD", "/k8s/api/DB_PASSWORD"),
            d("IDENTITY_SERVER_CLIENT_SECRET", "/k8s/api/IDS"),
        ],
        swept: vec![
            p("/k8s/api/NOVA_USERNAME", "nova"),
            p("/k8s/api/IDS", "prod-ish"),
        ],
        fetched: &[p("/k8s/local-dev/IDENTITY_SERVER_CLIENT_SECRET", "local")],
    };
    let rules = Rules {
        exclude: vec!["DB_PASSWORD".into(), "NOVA_USERNAME".into()],
        overrides: BTreeMap::from([(
            "IDENTITY_SERVER_CLIENT_SECRET".into(),
            "/k8s/local-dev/IDENTITY_SERVER_CLIENT_SECRET".into(),
        )]),
    };
    let (rows, _) = rows(&project, &rules);
    let names: Vec<(&str, &str, Option<&str>)> = rows
        .iter()
        .map(|r| {
            (
                r.name.as_str(),
                r.source.as_str(),
                r.value.as_ref().map(|v| v.expose()),
            )
        })
        .collect();
    assert_eq!(
        names,
        [
            ("DB_PASSWORD", "apps/a/infra/a.ts:3 .secrets", None),
            (
                "IDENTITY_SERVER_CLIENT_SECRET",
                "apps/a/infra/a.ts:3 .secrets (override)",
                Some("local")
            ),
        ]
    );
    // Excluded: listed, never given a value. The overridden row keeps its declared path, and
    // the sweep's /k8s/api/IDS (that declared path) is not a second variable.
    assert_eq!(rows[0].status, Status::Excluded);
    assert_eq!(rows[1].path, "/k8s/local-dev/IDENTITY_SERVER_CLIENT_SECRET");
    assert_eq!(rows[1].declared.as_deref(), Some("/k8s/api/IDS"));
    assert_eq!(
        rows[1].overridden().as_deref(),
        Some("instead of /k8s/api/IDS")
    );
    assert_eq!(rows[0].overridden(), None);
}

#[test]
fn nested_duplicates_nul_values_and_later_projects() {
    let a = Project {
        swept: vec![
            p("/k8s/a/sub/KEY", "nested"),
            p("/k8s/a/KEY", "top"),
            p("/k8s/a/NUL", "x\0y"),
            p("/k8s/a/SHARED", "from-a"),
        ],
        ..Project::default()
    };
    let b = Project {
        swept: vec![p("/k8s/b/SHARED", "from-b")],
        ..Project::default()
    };
    let (ra, wa) = rows(&a, &Rules::default());
    let (rb, _) = rows(&b, &Rules::default());
    assert_eq!(wa.len(), 2, "{wa:?}");
    assert!(
        wa.iter()
            .all(|w| !w.contains("nested") && !w.contains("x\0y"))
    );
    let (entries, owners, warnings) = entries(&[ra, rb]);
    let got: Vec<(&str, &str)> = entries
        .iter()
        .map(|e| (e.name.as_str(), e.value.expose()))
        .collect();
    assert_eq!(got, [("KEY", "top"), ("SHARED", "from-b")]);
    assert_eq!(owners, [0, 1]);
    assert_eq!(
        warnings,
        ["SHARED: /k8s/b/SHARED overrides /k8s/a/SHARED (later projects win)"]
    );
}
