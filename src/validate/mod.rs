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
mod tests;
