//! The edits' exact text.

use super::*;

fn repo(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let infra = dir.path().join("apps/x/infra");
    std::fs::create_dir_all(&infra).unwrap();
    std::fs::write(infra.join("x.ts"), text).unwrap();
    dir
}

fn declared(text: &str, name: &str) -> Result<String, Refusal> {
    let dir = repo(text);
    declare(dir.path(), "x", name, &format!("/k8s/x/{name}")).map(|e| e.after)
}

#[test]
fn the_files_quotes_an_empty_object_and_a_single_line_trailing_comma_are_kept() {
    assert_eq!(
        declared("service(\"x\").secrets({})\n", "K").unwrap(),
        "service(\"x\").secrets({ K: \"/k8s/x/K\" })\n"
    );
    assert_eq!(
        declared("service('x').secrets({ A: '/k8s/x/A', })\n", "K").unwrap(),
        "service('x').secrets({ A: '/k8s/x/A', K: '/k8s/x/K', })\n"
    );
    // A name that is not an identifier is a quoted key.
    assert_eq!(
        declared("service('x').secrets({ A: '/k8s/x/A' })\n", "K-2").unwrap(),
        "service('x').secrets({ A: '/k8s/x/A', 'K-2': '/k8s/x/K-2' })\n"
    );
    // Without a trailing comma, one entry a line: the comma goes after the old last one.
    assert_eq!(
        declared("service('x').secrets({\n  A: '/k8s/x/A'\n})\n", "K").unwrap(),
        "service('x').secrets({\n  A: '/k8s/x/A',\n  K: '/k8s/x/K'\n})\n"
    );
}

#[test]
fn spreads_only_and_names_already_there_are_refused() {
    let spread = declared("const C = {}\nservice('x').secrets({ ...C })\n", "K").unwrap_err();
    assert_eq!(
        spread.reason,
        "the .secrets object at apps/x/infra/x.ts:2 only spreads other objects"
    );
    assert_eq!(
        spread.by_hand.as_deref(),
        Some("add `K: '/k8s/x/K',` to the .secrets call at apps/x/infra/x.ts:2")
    );
    let twice = declared("service('x').secrets({ K: '/k8s/x/OTHER' })\n", "K").unwrap_err();
    assert!(
        twice
            .reason
            .starts_with("K is already in the .secrets object"),
        "{}",
        twice.reason
    );
}

#[test]
fn a_rewrite_touches_only_the_plain_literal_on_the_declarations_line() {
    let dir = repo(
        "const P = '/k8s/x'\nservice('x').secrets({\n  A: '/k8s/x/OLD',\n  B: `${P}/OLD`,\n})\n",
    );
    let places = [
        ("apps/x/infra/x.ts".to_string(), 3),
        ("apps/x/infra/x.ts".to_string(), 4),
    ];
    let done = rewrite(dir.path(), &places, "/k8s/x/OLD", "/k8s/x/NEW");
    assert_eq!(done.len(), 2);
    assert!(matches!(&done[0], Rewrite::ByHand(at, _) if at == "apps/x/infra/x.ts:4"));
    let Rewrite::Done(edit) = &done[1] else {
        panic!("{done:?}")
    };
    assert_eq!(
        edit.after,
        "const P = '/k8s/x'\nservice('x').secrets({\n  A: '/k8s/x/NEW',\n  B: `${P}/OLD`,\n})\n"
    );
    assert_eq!(edit.line, 3);
}
