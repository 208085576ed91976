use std::process::Command;

use proptest::prelude::*;

use super::*;
use crate::model::SecretValue;

fn entries(pairs: &[(&str, &str)]) -> Vec<Entry> {
    pairs
        .iter()
        .map(|(n, v)| Entry {
            name: n.to_string(),
            value: SecretValue::new(v.to_string()),
        })
        .collect()
}

/// Sources `text` in bash and returns the values of `names`, NUL-separated by printf.
fn source_in_bash(text: &str, names: &[String]) -> Vec<String> {
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("env");
    std::fs::write(&file, text).unwrap();
    let mut script = String::from("set -eu; source \"$1\"");
    for n in names {
        script.push_str(&format!("; printf '%s\\0' \"${n}\""));
    }
    let out = Command::new("bash")
        .args(["-c", &script, "bash"])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "bash failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let text = String::from_utf8(out.stdout).unwrap();
    let mut values: Vec<String> = text.split('\0').map(str::to_owned).collect();
    values.pop();
    values
}

const ADVERSARIAL: &[&str] = &[
    "",
    "plain",
    "two words",
    "  leading and trailing  ",
    "tab\there",
    "line1\nline2\n",
    "-----BEGIN KEY-----\nMIIB\n  indented\n-----END KEY-----\n",
    "it's \"quoted\"",
    "'''",
    "$HOME ${HOME} $(touch marker) `touch marker`",
    "back\\slash\\",
    "# not a comment = still value",
    "ünïcödé ✓ 🔑",
    "\r\nwindows\r\n",
    "!history !! ^x^y",
];

#[test]
fn export_round_trips_adversarial_values_through_bash() {
    let pairs: Vec<(String, &str)> = ADVERSARIAL
        .iter()
        .enumerate()
        .map(|(i, v)| (format!("K{i}"), *v))
        .collect();
    let list: Vec<(&str, &str)> = pairs.iter().map(|(n, v)| (n.as_str(), *v)).collect();
    let (text, _) = render(Format::Export, "", &entries(&list)).unwrap();
    let names: Vec<String> = pairs.iter().map(|(n, _)| n.clone()).collect();
    let got = source_in_bash(&text, &names);
    assert_eq!(got, ADVERSARIAL);
}

#[test]
fn dotenv_round_trips_adversarial_values_through_dotenvy() {
    for value in ADVERSARIAL.iter().filter(|v| !v.contains('\r')) {
        let (text, _) = render(Format::Dotenv, "", &entries(&[("K", value)])).unwrap();
        let parsed: Vec<(String, String)> = dotenvy::from_read_iter(text.as_bytes())
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(
            parsed,
            [("K".to_string(), value.to_string())],
            "rendered as {text:?}"
        );
    }
}

#[test]
fn merge_replaces_in_place_appends_and_keeps_foreign_lines() {
    let existing = "# mine\nexport A='old'\nOTHER=1 # keep\n\nexport B='b'";
    let (text, st) = render(
        Format::Export,
        existing,
        &entries(&[("B", "b"), ("A", "new"), ("C", "c")]),
    )
    .unwrap();
    assert_eq!(
        text,
        "# mine\nexport A='new'\nOTHER=1 # keep\n\nexport B='b'\nexport C='c'\n"
    );
    assert_eq!(st, [Status::Unchanged, Status::Changed, Status::New]);
}

#[test]
fn merge_removes_duplicates_left_by_older_tools_only_for_written_keys() {
    let existing = "export A='1'\nexport X=1\nexport A='1'\nexport X=2\n";
    let (text, st) = render(Format::Export, existing, &entries(&[("A", "1")])).unwrap();
    assert_eq!(text, "export A='1'\nexport X=1\nexport X=2\n");
    assert_eq!(st, [Status::Changed]);
}

#[test]
fn merge_understands_multi_line_values() {
    let existing = "export PEM='a\nexport B=\\'nope\\'\n'\n";
    let (text, st) = render(Format::Export, existing, &entries(&[("B", "b")])).unwrap();
    assert_eq!(text, format!("{existing}export B='b'\n"));
    assert_eq!(st, [Status::New]);
}

#[test]
fn merge_refuses_a_file_it_cannot_read() {
    let err = render(Format::Export, "A=1\nB='x\n", &entries(&[("A", "2")])).unwrap_err();
    assert_eq!(err.line, 2);
}

#[test]
fn json_merges_into_an_object_and_rejects_others() {
    let (text, st) = render(
        Format::Json,
        "{\"Z\": \"1\", \"A\": \"x\"}",
        &entries(&[("A", "y"), ("B", "\n")]),
    )
    .unwrap();
    assert_eq!(
        text,
        "{\n  \"Z\": \"1\",\n  \"A\": \"y\",\n  \"B\": \"\\n\"\n}\n"
    );
    assert_eq!(st, [Status::Changed, Status::New]);
    assert!(render(Format::Json, "[1]", &[]).is_err());
}

fn name() -> impl Strategy<Value = String> {
    "[A-Z_][A-Z0-9_]{0,6}"
}

fn value() -> impl Strategy<Value = String> {
    // Any text but NUL, which no environment variable can hold.
    any::<String>().prop_map(|s| s.replace('\0', ""))
}

fn foreign_line() -> impl Strategy<Value = String> {
    prop_oneof![
        Just(String::new()),
        "# [ -~]{0,20}",
        "echo [a-z ]{0,10}",
        "alias [a-z]{1,5}=ls",
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn any_values_round_trip_through_bash(values in prop::collection::vec(value(), 1..6)) {
        let list: Vec<Entry> = values.iter().enumerate()
            .map(|(i, v)| Entry { name: format!("V{i}"), value: SecretValue::new(v.clone()) }).collect();
        let (text, _) = render(Format::Export, "", &list).unwrap();
        let names: Vec<String> = list.iter().map(|e| e.name.clone()).collect();
        prop_assert_eq!(source_in_bash(&text, &names), values);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, ..ProptestConfig::default() })]

    #[test]
    fn merge_is_idempotent_and_keeps_foreign_lines(
        foreign in prop::collection::vec(foreign_line(), 0..5),
        first in prop::collection::vec((name(), value()), 0..6),
        second in prop::collection::vec((name(), value()), 0..6),
    ) {
        let dedup = |pairs: Vec<(String, String)>| {
            let mut seen = std::collections::HashSet::new();
            pairs.into_iter().filter(|(n, _)| seen.insert(n.clone()))
                .map(|(name, value)| Entry { name, value: SecretValue::new(value) }).collect::<Vec<_>>()
        };
        let (first, second) = (dedup(first), dedup(second));
        let start: String = foreign.iter().map(|l| format!("{l}\n")).collect();
        let (a, _) = render(Format::Export, &start, &first).unwrap();
        let (b, _) = render(Format::Export, &a, &second).unwrap();
        let (c, st) = render(Format::Export, &b, &second).unwrap();
        prop_assert_eq!(&b, &c);
        prop_assert!(st.iter().all(|s| *s == Status::Unchanged));
        for line in &foreign {
            let want = format!("{line}\n");
            prop_assert!(c.contains(&want), "foreign line {:?} lost", line);
        }
        for e in first.iter().chain(&second) {
            let prefix = format!("export {}=", e.name);
            let count = c.lines().filter(|l| l.starts_with(&prefix)).count();
            prop_assert_eq!(count, 1, "{} appears {} times", e.name, count);
        }
    }
}
