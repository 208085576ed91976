//! JSON keys of a secret: a path may end in `#key` (one key of a JSON value) or `#*` (every
//! key, each its own variable: `DB_*` with `username` gives `DB_USERNAME`). `#` cannot occur
//! in an SSM parameter name nor in a Secrets Manager secret's, so it is never ambiguous. Pure.

use serde_json::Value;

/// The prefix of the paths through which Parameter Store reads Secrets Manager.
pub const SECRETS_MANAGER: &str = "/aws/reference/secretsmanager/";

/// Which part of a stored value a variable takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Key<'p> {
    /// The whole value.
    Whole,
    /// One key of a JSON object.
    One(&'p str),
    /// Every key of a JSON object, each a variable of its own.
    All,
}

/// Splits `path#key` into the stored path and the key.
pub fn split(path: &str) -> (&str, Key<'_>) {
    match path.split_once('#') {
        None => (path, Key::Whole),
        Some((base, "*")) => (base, Key::All),
        Some((base, key)) => (base, Key::One(key)),
    }
}

/// Why a key could not be taken; never shows the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Miss {
    /// The value is not a JSON object.
    NotJson,
    /// The object has no such key.
    NoKey,
}

impl Miss {
    /// The reason, to follow "the secret ".
    pub fn reason(self) -> &'static str {
        match self {
            Miss::NotJson => "is not a JSON object",
            Miss::NoKey => "has no such key",
        }
    }
}

/// The text of one key: strings as they are, numbers and booleans as their JSON text, nested
/// objects and arrays as compact JSON, null as the empty string.
pub fn pick(value: &str, key: &str) -> Result<String, Miss> {
    let object = object(value)?;
    object.get(key).map(text).ok_or(Miss::NoKey)
}

/// Every key of a JSON object with its text, in the object's order.
pub fn expand(value: &str) -> Result<Vec<(String, String)>, Miss> {
    Ok(object(value)?
        .iter()
        .map(|(k, v)| (k.clone(), text(v)))
        .collect())
}

/// The variable for `key` under a `PREFIX*` declaration: the prefix, then the key in upper
/// case with every character that a variable cannot hold turned into `_`.
pub fn variable(prefix: &str, key: &str) -> String {
    let tail: String = key
        .chars()
        .map(|c| match c.is_ascii_alphanumeric() {
            true => c.to_ascii_uppercase(),
            false => '_',
        })
        .collect();
    format!("{prefix}{tail}")
}

fn object(value: &str) -> Result<serde_json::Map<String, Value>, Miss> {
    match serde_json::from_str::<Value>(value) {
        Ok(Value::Object(map)) => Ok(map),
        _ => Err(Miss::NotJson),
    }
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_split_into_the_stored_path_and_the_key() {
        let p = "/aws/reference/secretsmanager/app/db";
        assert_eq!(split(p), (p, Key::Whole));
        assert_eq!(split(&format!("{p}#username")), (p, Key::One("username")));
        assert_eq!(split(&format!("{p}#*")), (p, Key::All));
    }

    #[test]
    fn keys_are_taken_as_text_and_misses_never_show_the_value() {
        let v = r#"{"username":"u s","port":5432,"tls":true,"opts":{"a":[1,2]},"none":null}"#;
        assert_eq!(pick(v, "username").unwrap(), "u s");
        assert_eq!(pick(v, "port").unwrap(), "5432");
        assert_eq!(pick(v, "tls").unwrap(), "true");
        assert_eq!(pick(v, "opts").unwrap(), r#"{"a":[1,2]}"#);
        assert_eq!(pick(v, "none").unwrap(), "");
        assert_eq!(pick(v, "nope"), Err(Miss::NoKey));
        assert_eq!(pick("hunter2", "x"), Err(Miss::NotJson));
        assert_eq!(pick("[1]", "x"), Err(Miss::NotJson));
        let all = expand(v).unwrap();
        assert_eq!(all[0], ("username".to_string(), "u s".to_string()));
        assert_eq!(variable("DB_", "user-name.v2"), "DB_USER_NAME_V2");
    }
}
