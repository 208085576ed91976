//! Checks for what `create`, `cp`, `mv`, `rm` and `history` send to SSM, all pure and all run
//! before any request.

use std::collections::HashSet;

use crate::model::{Tag, Tier};

/// Shortest and longest name, counted after the prefix (`my-app/MY_KEY` is 13).
pub const NAME_LEN: (usize, usize) = (6, 128);
/// Most tags on one parameter.
pub const MAX_TAGS: usize = 50;
/// Most path levels SSM allows in a name.
pub const MAX_LEVELS: usize = 15;

/// Turns `my-app/KEY` or `/k8s/my-app/KEY` into the full name under `prefix` (which starts
/// and ends with `/`), or says in one sentence what is wrong.
pub fn full_name(input: &str, prefix: &str) -> Result<String, String> {
    let rest = match input.strip_prefix(prefix) {
        Some(rest) => rest,
        None if input.starts_with('/') => {
            return Err(format!(
                "the name must be under {prefix}, e.g. {prefix}my-app/MY_KEY"
            ));
        }
        None => input,
    };
    if rest.chars().any(char::is_whitespace) {
        return Err("the name must not contain whitespace".into());
    }
    if let Some(bad) = rest
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_')))
    {
        return Err(format!(
            "the name may hold only letters, digits, `/`, `-` and `_`, not `{bad}`"
        ));
    }
    let len = rest.chars().count();
    if len < NAME_LEN.0 || len > NAME_LEN.1 {
        return Err(format!(
            "the name after {prefix} must be {} to {} characters long, not {len}",
            NAME_LEN.0, NAME_LEN.1
        ));
    }
    if rest.ends_with('/') {
        return Err("the name must not end with `/`".into());
    }
    if rest.starts_with('/') || rest.contains("//") {
        return Err("the name must not contain an empty path level (`//`)".into());
    }
    let full = format!("{prefix}{rest}");
    let first = full
        .trim_start_matches('/')
        .split('/')
        .next()
        .unwrap_or_default()
        .to_ascii_lowercase();
    if first.starts_with("aws") || first.starts_with("ssm") {
        return Err("SSM reserves names starting with `aws` or `ssm`".into());
    }
    let levels = full.trim_start_matches('/').split('/').count();
    if levels > MAX_LEVELS {
        return Err(format!(
            "SSM allows at most {MAX_LEVELS} path levels, this name has {levels}"
        ));
    }
    Ok(full)
}

/// The name of a parameter that should exist (`cp`/`mv` source, `rm`, `history`): a relative
/// name goes under `prefix`; an absolute one is taken as it is, so parameters made by other
/// tools, outside the namespace or shorter than `create` allows, can still be reached.
pub fn existing_name(input: &str, prefix: &str) -> Result<String, String> {
    let full = absolute(input, prefix);
    check_chars(&full)?;
    if full.ends_with('/') {
        return Err(format!(
            "{full} ends with `/`: a name's last level cannot be empty (for everything under \
             it, use --prefix)"
        ));
    }
    Ok(full)
}

/// A name prefix for `--prefix` (it matches every name that begins with it, as SSM's
/// `BeginsWith` filter does): a relative one goes under `prefix`; it must lie under `prefix`.
pub fn name_prefix(input: &str, prefix: &str) -> Result<String, String> {
    let full = absolute(input, prefix);
    check_chars(&full)?;
    if !full.starts_with(prefix) && format!("{full}/") != prefix {
        return Err(format!("the prefix {full} is not under {prefix}"));
    }
    Ok(full)
}

/// The guard of every delete by prefix: it must reach below the namespace itself, so that
/// `/k8s/` (every secret of every service) or `/k8s` can never be deleted at once. `/k8s/` is
/// the first level; `/k8s/feature-foo-` reaches into the second.
pub fn deep_enough(full: &str, prefix: &str) -> Result<(), String> {
    match full.strip_prefix(prefix) {
        Some(rest) if !rest.trim_start_matches('/').is_empty() => Ok(()),
        _ => Err(format!(
            "{full} would delete every parameter under {prefix}: a prefix must reach at least \
             two levels deep, e.g. {prefix}my-app/"
        )),
    }
}

/// `api/KEY` under `prefix`; an absolute name as it is.
fn absolute(input: &str, prefix: &str) -> String {
    match input.starts_with('/') {
        true => input.to_string(),
        false => format!("{prefix}{input}"),
    }
}

fn check_chars(full: &str) -> Result<(), String> {
    if full.chars().any(char::is_whitespace) {
        return Err("a name must not contain whitespace".into());
    }
    if let Some(bad) = full
        .chars()
        .find(|c| !(c.is_ascii_alphanumeric() || matches!(c, '/' | '-' | '_' | '.')))
    {
        return Err(format!(
            "a name may hold only letters, digits, `/`, `-`, `_` and `.`, not `{bad}`"
        ));
    }
    if full.contains("//") {
        return Err("a name must not contain an empty path level (`//`)".into());
    }
    Ok(())
}

/// Checks a value's size for `tier`. Never quotes the value.
pub fn check_value(value: &str, tier: Tier) -> Result<(), String> {
    if value.is_empty() {
        return Err("the value is empty".into());
    }
    let max = tier.max_bytes();
    if value.len() > max {
        return Err(format!(
            "the value is {} bytes; the {tier:?} tier allows {max}",
            value.len()
        ));
    }
    Ok(())
}

/// Parses `Key=a,Value=b Key=c,Value=d` (case-sensitive `Key` and `Value`, pairs separated by
/// whitespace).
pub fn parse_tags(text: &str) -> Result<Vec<Tag>, String> {
    text.split_whitespace().map(parse_tag).collect()
}

/// Parses one `Key=a,Value=b`.
pub fn parse_tag(text: &str) -> Result<Tag, String> {
    let shape = || format!("tag `{text}` is not of the form Key=NAME,Value=VALUE (case-sensitive)");
    let (k, v) = text.split_once(',').ok_or_else(shape)?;
    let key = k.strip_prefix("Key=").ok_or_else(shape)?;
    let value = v.strip_prefix("Value=").ok_or_else(shape)?;
    Ok(Tag {
        key: key.to_string(),
        value: value.to_string(),
    })
}

/// Checks tags against AWS's rules.
pub fn check_tags(tags: &[Tag]) -> Result<(), String> {
    if tags.len() > MAX_TAGS {
        return Err(format!(
            "at most {MAX_TAGS} tags are allowed, not {}",
            tags.len()
        ));
    }
    let allowed = |c: char| c.is_alphanumeric() || " _.:/=+-@".contains(c);
    let mut seen = HashSet::new();
    for tag in tags {
        let (k, v) = (&tag.key, &tag.value);
        if k.is_empty() || k.chars().count() > 128 {
            return Err(format!("tag key `{k}` must be 1 to 128 characters long"));
        }
        if v.chars().count() > 256 {
            return Err(format!(
                "the value of tag `{k}` is longer than 256 characters"
            ));
        }
        if let Some(c) = k.chars().chain(v.chars()).find(|c| !allowed(*c)) {
            return Err(format!(
                "tag `{k}` holds `{c}`; tags may hold letters, digits, spaces and _ . : / = + - @"
            ));
        }
        if k.to_ascii_lowercase().starts_with("aws:") {
            return Err(format!("tag key `{k}` uses the reserved prefix `aws:`"));
        }
        if !seen.insert(k.as_str()) {
            return Err(format!("tag key `{k}` is given twice"));
        }
    }
    Ok(())
}

/// True when `get` can turn the name's last level into a variable.
pub fn last_level_is_identifier(full: &str) -> bool {
    crate::envfile::is_shell_identifier(full.rsplit('/').next().unwrap_or_default())
}

#[cfg(test)]
mod tests {
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
}
