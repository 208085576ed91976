//! Tests of validate.

use proptest::prelude::*;

use super::*;

const P: &str = "/k8s/";

#[test]
fn deleting_by_prefix_must_reach_below_the_namespace() {
    for shallow in ["/k8s/", "/k8s", "/k8s//"] {
        let full = name_prefix(shallow, P).unwrap_or_else(|_| shallow.to_string());
        assert!(deep_enough(&full, P).is_err(), "{shallow} must be refused");
    }
    assert!(deep_enough("/k8s/feature-foo-", P).is_ok());
    assert!(deep_enough("/k8s/api/", P).is_ok());
    assert!(deep_enough("/other/api/", P).is_err());
    assert_eq!(name_prefix("api/", P).unwrap(), "/k8s/api/");
    assert!(
        name_prefix("/other/x", P)
            .unwrap_err()
            .contains("not under /k8s/")
    );
    assert!(name_prefix("/k8s/a b", P).is_err());
}

#[test]
fn existing_names_may_lie_outside_the_namespace_but_not_end_with_a_slash() {
    assert_eq!(existing_name("api/KEY", P).unwrap(), "/k8s/api/KEY");
    assert_eq!(existing_name("/rds/x/pw", P).unwrap(), "/rds/x/pw");
    assert!(
        existing_name("/k8s/api/", P)
            .unwrap_err()
            .contains("--prefix")
    );
    assert!(existing_name("/k8s/a$b", P).is_err());
}

#[test]
fn names_are_normalised_under_the_prefix() {
    assert_eq!(
        full_name("my-app/MY_APP_KEY", P).unwrap(),
        "/k8s/my-app/MY_APP_KEY"
    );
    assert_eq!(
        full_name("/k8s/my-app/MY_APP_KEY", P).unwrap(),
        "/k8s/my-app/MY_APP_KEY"
    );
    assert_eq!(full_name("abcdef", P).unwrap(), "/k8s/abcdef");
    assert_eq!(full_name(&"a".repeat(128), P).unwrap().len(), 5 + 128);
}

#[test]
fn every_name_rule_has_its_own_message() {
    let table = [
        (
            "/other/app/KEY",
            "the name must be under /k8s/, e.g. /k8s/my-app/MY_KEY",
        ),
        ("my app/KEY", "the name must not contain whitespace"),
        ("my-app/KEY\t", "the name must not contain whitespace"),
        (
            "my.app/KEY",
            "the name may hold only letters, digits, `/`, `-` and `_`, not `.`",
        ),
        (
            "app/Ké",
            "the name may hold only letters, digits, `/`, `-` and `_`, not `é`",
        ),
        (
            "a/KEY",
            "the name after /k8s/ must be 6 to 128 characters long, not 5",
        ),
        (
            "",
            "the name after /k8s/ must be 6 to 128 characters long, not 0",
        ),
        ("my-app/KEY/", "the name must not end with `/`"),
        (
            "my-app//KEY",
            "the name must not contain an empty path level (`//`)",
        ),
        (
            "/k8s//app/KEY",
            "the name must not contain an empty path level (`//`)",
        ),
        (
            "a/b/c/d/e/f/g/h/i/j/k/l/m/n/o",
            "SSM allows at most 15 path levels, this name has 16",
        ),
    ];
    for (input, message) in table {
        assert_eq!(full_name(input, P).unwrap_err(), message, "{input:?}");
    }
    assert_eq!(
        full_name(&"a".repeat(129), P).unwrap_err(),
        "the name after /k8s/ must be 6 to 128 characters long, not 129"
    );
    assert_eq!(
        full_name("my-app/KEY", "/aws-x/").unwrap_err(),
        "SSM reserves names starting with `aws` or `ssm`"
    );
}

#[test]
fn values_are_checked_by_size_without_echoing_them() {
    assert_eq!(
        check_value("", Tier::Standard).unwrap_err(),
        "the value is empty"
    );
    assert!(check_value(&"x".repeat(4096), Tier::Standard).is_ok());
    let big = "s3cr3t".repeat(700);
    let err = check_value(&big, Tier::Standard).unwrap_err();
    assert_eq!(
        err,
        "the value is 4200 bytes; the Standard tier allows 4096"
    );
    assert!(check_value(&big, Tier::Advanced).is_ok());
    assert!(
        check_value(&"é".repeat(2049), Tier::Standard).is_err(),
        "bytes, not characters"
    );
}

#[test]
fn tags_parse_and_check() {
    assert_eq!(
        parse_tags("Key=team,Value=core  Key=env,Value=dev\n").unwrap(),
        [
            Tag {
                key: "team".into(),
                value: "core".into()
            },
            Tag {
                key: "env".into(),
                value: "dev".into()
            }
        ]
    );
    assert_eq!(parse_tags("Key=empty,Value=").unwrap()[0].value, "");
    for bad in [
        "key=a,Value=b",
        "Key=a,value=b",
        "Key=a",
        "Key=a;Value=b",
        "Value=b,Key=a",
    ] {
        assert!(
            parse_tags(bad)
                .unwrap_err()
                .contains("is not of the form Key=NAME,Value=VALUE"),
            "{bad}"
        );
    }
    let tag = |k: &str, v: &str| Tag {
        key: k.into(),
        value: v.into(),
    };
    let table: [(Vec<Tag>, &str); 6] = [
        (
            vec![tag("", "x")],
            "tag key `` must be 1 to 128 characters long",
        ),
        (
            vec![tag(&"k".repeat(129), "x")],
            "must be 1 to 128 characters long",
        ),
        (
            vec![tag("k", &"v".repeat(257))],
            "the value of tag `k` is longer than 256 characters",
        ),
        (vec![tag("k", "a*b")], "tag `k` holds `*`"),
        (
            vec![tag("AWS:x", "v")],
            "tag key `AWS:x` uses the reserved prefix `aws:`",
        ),
        (
            vec![tag("k", "1"), tag("k", "2")],
            "tag key `k` is given twice",
        ),
    ];
    for (tags, message) in table {
        assert!(
            check_tags(&tags).unwrap_err().contains(message),
            "{message}"
        );
    }
    let many: Vec<Tag> = (0..51).map(|i| tag(&format!("k{i}"), "v")).collect();
    assert_eq!(
        check_tags(&many).unwrap_err(),
        "at most 50 tags are allowed, not 51"
    );
    assert!(check_tags(&many[..50]).is_ok());
    assert!(check_tags(&[tag("owner", "dev@island.is"), tag("path", "a/b:c=d+e")]).is_ok());
}

proptest! {
    #[test]
    fn validators_never_panic(s in any::<String>()) {
        let _ = full_name(&s, P);
        let _ = check_value(&s, Tier::Standard);
        if let Ok(tags) = parse_tags(&s) {
            let _ = check_tags(&tags);
        }
    }

    #[test]
    fn accepted_names_are_well_formed(s in "[a-zA-Z0-9/_-]{0,140}") {
        if let Ok(full) = full_name(&s, P) {
            prop_assert!(full.starts_with(P) && !full.ends_with('/') && !full.contains("//"));
            let after = full.len() - P.len();
            prop_assert!((6..=128).contains(&after));
        }
    }
}
