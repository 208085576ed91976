//! From a created secret to a declared one: `create --declare` edits the service's own
//! `.secrets({...})` exactly (byte-compared with the expected file, which prettier accepts
//! with the monorepo's settings), refuses what it cannot edit, and `mv --update-infra`
//! rewrites the moved path where a declaration writes it.

use std::fs;
use std::path::Path;
use std::process::Command;

use crate::support::{TestEnv, mode, stored};

fn fixture(case: &str, file: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/declare")
        .join(case)
        .join(file);
    fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// A repository holding the case's infra file (mode 0640, to see it kept) and the monorepo's
/// prettier settings; returns the file's path inside it.
fn repo_with(env: &TestEnv, case: &str) -> String {
    let rel = format!("apps/{case}/infra/{case}.ts");
    env.write(&rel, &fixture(case, "input.ts"));
    env.write(".prettierrc", &fixture(".", ".prettierrc"));
    let path = env.repo().join(&rel);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        fs::set_permissions(&path, fs::Permissions::from_mode(0o640)).unwrap();
    }
    rel
}

/// `prettier --check` with the monorepo's settings, from the tools folder test.sh fills.
fn assert_prettier(env: &TestEnv, rel: &str) {
    let prettier =
        Path::new(env!("CARGO_MANIFEST_DIR")).join(".tools/node_modules/prettier/bin/prettier.cjs");
    assert!(
        prettier.is_file(),
        "prettier is missing: run scripts/test.sh, which installs it into .tools/"
    );
    let out = Command::new("node")
        .arg(&prettier)
        .args(["--check", rel])
        .current_dir(env.repo())
        .output()
        .expect("run prettier");
    assert!(
        out.status.success(),
        "prettier rejects {rel}:\n{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn create_declare_edits_each_shape_exactly_and_in_the_files_style() {
    let cases: [(&str, &str, &[&str], usize); 5] = [
        (
            "multi",
            "decl-multi/IP_KEY",
            &[
                "--declare",
                "decl-multi",
                "--as",
                "INTELLECTUAL_PROPERTY_KEY",
            ],
            10,
        ),
        ("single", "decl-one/B", &["--declare", "decl-one"], 4),
        (
            "after-env",
            "decl-env/NEW_KEY",
            &["--declare", "decl-env"],
            11,
        ),
        (
            "builder",
            "decl-var/NEW_KEY",
            &["--declare", "decl-var"],
            11,
        ),
        ("bare", "decl-bare/NEW_KEY", &["--declare", "decl-bare"], 5),
    ];
    for (case, name, flags, line) in cases {
        let mut env = TestEnv::new();
        let rel = repo_with(&env, case);
        let value = format!("declared-value-{case}");
        env.watch(&value);
        let mut args = vec!["create", "--name", name, "--value", &value, "-y"];
        args.extend(flags);
        let run = env.run(&args);
        run.expect_code(0);
        let var = flags
            .get(3)
            .copied()
            .unwrap_or_else(|| name.rsplit('/').next().unwrap());
        assert!(
            run.stderr
                .contains(&format!("declared {var} in {rel}:{line}\n")),
            "{case}: {}",
            run.stderr
        );
        assert_eq!(
            fs::read_to_string(env.repo().join(&rel)).unwrap(),
            fixture(case, "expected.ts"),
            "{case}"
        );
        assert_eq!(
            mode(&env.repo().join(&rel)),
            0o640,
            "{case}: the mode is kept"
        );
        assert_prettier(&env, &rel);
        assert!(
            stored(&env.moto_url, &format!("/k8s/{name}")).is_some(),
            "{case}"
        );
    }
}

#[test]
fn an_object_it_cannot_edit_is_refused_before_anything_is_created() {
    let env = TestEnv::new();
    let rel = repo_with(&env, "constant");
    let run = env.run(&[
        "create",
        "--name",
        "decl-const/NEW_KEY",
        "--value",
        "never-created-value",
        "-y",
        "--declare",
        "decl-const",
    ]);
    run.expect_code(2);
    assert_eq!(
        run.stderr,
        format!(
            "error: the .secrets call at {rel}:8 is not given an object literal\n\
             hint: add `NEW_KEY: '/k8s/decl-const/NEW_KEY',` to the .secrets call at {rel}:8 \
             (nothing was created or written)\n"
        )
    );
    assert_eq!(
        fs::read_to_string(env.repo().join(&rel)).unwrap(),
        fixture("constant", "input.ts")
    );
    assert!(stored(&env.moto_url, "/k8s/decl-const/NEW_KEY").is_none());
    // A service the infra code does not define: the same, before any request.
    let run = env.run(&[
        "create",
        "--name",
        "decl-const/NEW_KEY",
        "--value",
        "never-created-value",
        "-y",
        "--declare",
        "no-such-service",
    ]);
    run.expect_code(2);
    assert!(
        run.stderr
            .starts_with("error: no service('no-such-service') is defined"),
        "{}",
        run.stderr
    );
}

#[test]
fn dry_run_prints_the_diff_and_writes_nothing() {
    let env = TestEnv::new();
    let rel = repo_with(&env, "after-env");
    let run = env.run(&[
        "create",
        "--name",
        "decl-env/DRY_KEY",
        "--value",
        "dry-run-value",
        "-y",
        "--declare",
        "decl-env",
        "--dry-run",
    ]);
    run.expect_code(0);
    assert_eq!(
        run.stdout,
        format!(
            "--- a/{rel}\n+++ b/{rel}\n@@ -8,5 +8,6 @@\n     }})\n     .secrets({{\n       \
             TOKEN: '/k8s/decl-env/TOKEN',\n+      DRY_KEY: '/k8s/decl-env/DRY_KEY',\n     }})\n     \
             .replicaCount({{ min: 1, max: 2, default: 1 }})\n"
        )
    );
    assert_eq!(
        fs::read_to_string(env.repo().join(&rel)).unwrap(),
        fixture("after-env", "input.ts")
    );
    assert!(stored(&env.moto_url, "/k8s/decl-env/DRY_KEY").is_none());
}

const MOVED: &str = "import { service } from '../../../infra/src/dsl/dsl'\n\n\
const PREFIX = '/k8s/decl-mv'\n\n\
export const serviceSetup = () =>\n  service('decl-mv')\n    .namespace('decl-mv')\n    \
.secrets({\n      OLD_TOKEN: '/k8s/decl-mv/OLD_TOKEN',\n      BUILT: `${PREFIX}/OLD_TOKEN`,\n    \
})\n    .readiness('/health')\n";

#[test]
fn mv_update_infra_rewrites_the_plain_literal_and_lists_the_template() {
    let mut env = TestEnv::new();
    env.write("apps/mv/infra/mv.ts", MOVED);
    env.write(".prettierrc", &fixture(".", ".prettierrc"));
    env.seed(&[("/k8s/decl-mv/OLD_TOKEN", "moved-token-value")]);
    let args = [
        "mv",
        "decl-mv/OLD_TOKEN",
        "decl-mv/NEW_TOKEN",
        "--update-infra",
    ];
    // --dry-run: the plan, then the diff; nothing moved, nothing written.
    let mut dry = args.to_vec();
    dry.push("--dry-run");
    let run = env.run(&dry);
    run.expect_code(0);
    assert!(
        run.stdout.contains(
            "-      OLD_TOKEN: '/k8s/decl-mv/OLD_TOKEN',\n+      OLD_TOKEN: '/k8s/decl-mv/NEW_TOKEN',\n"
        ),
        "{}",
        run.stdout
    );
    assert_eq!(
        fs::read_to_string(env.repo().join("apps/mv/infra/mv.ts")).unwrap(),
        MOVED
    );
    let mut real = args.to_vec();
    real.push("--yes");
    let run = env.run(&real);
    run.expect_code(0);
    assert_eq!(
        fs::read_to_string(env.repo().join("apps/mv/infra/mv.ts")).unwrap(),
        MOVED.replace(
            "OLD_TOKEN: '/k8s/decl-mv/OLD_TOKEN'",
            "OLD_TOKEN: '/k8s/decl-mv/NEW_TOKEN'"
        )
    );
    assert!(
        run.stderr.contains("updated apps/mv/infra/mv.ts:9\n"),
        "{}",
        run.stderr
    );
    assert!(
        run.stderr.contains(
            "warning: change /k8s/decl-mv/OLD_TOKEN to /k8s/decl-mv/NEW_TOKEN at apps/mv/infra/mv.ts:10 by hand: the path is not written there as a plain string"
        ),
        "{}",
        run.stderr
    );
    assert_prettier(&env, "apps/mv/infra/mv.ts");
    // cp has nothing to update.
    let run = env.run(&[
        "cp",
        "decl-mv/NEW_TOKEN",
        "decl-mv/COPY",
        "--update-infra",
        "--yes",
    ]);
    run.expect_code(2);
}

#[test]
fn on_a_terminal_a_created_secret_of_a_known_service_is_offered_for_declaration() {
    let mut env = TestEnv::new();
    let rel = repo_with(&env, "after-env");
    env.watch("offered-value");
    let mut s = env.spawn_in_pty(&[
        "create",
        "--name",
        "decl-env/OFFERED_KEY",
        "--value",
        "offered-value",
        "-y",
        "--endpoint-url",
        &env.endpoint,
    ]);
    s.exp_string(&format!("Declare OFFERED_KEY in {rel}?"))
        .unwrap();
    s.send_line("y").unwrap();
    let rest = s.exp_eof().unwrap();
    env.assert_no_values("the terminal", &rest);
    assert!(
        rest.contains(&format!("declared OFFERED_KEY in {rel}:11")),
        "{rest}"
    );
    assert!(
        fs::read_to_string(env.repo().join(&rel))
            .unwrap()
            .contains("      OFFERED_KEY: '/k8s/decl-env/OFFERED_KEY',\n")
    );
}
