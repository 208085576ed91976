//! From stored parameters to the final list of variables: names, clashes, skips. Pure.

use std::collections::HashMap;

use crate::envfile::{Entry, is_shell_identifier};
use crate::store::Parameter;

/// The variables to write, each with the index of the project it came from.
#[derive(Debug, Default)]
pub struct Resolved {
    /// Final variables, in first-seen order, names unique.
    pub entries: Vec<Entry>,
    /// `owners[i]` is the index (into the input) of the project `entries[i]` belongs to.
    pub owners: Vec<usize>,
    /// Parameters found per project, before skips and clashes.
    pub found: Vec<usize>,
    /// One sentence per parameter skipped or overridden; never a value.
    pub warnings: Vec<String>,
}

/// Resolves each project's swept parameters. The variable name is the last path segment.
/// Within a project, a parameter nearer the prefix wins over a nested one of the same name;
/// across projects, the later project on the command line wins.
pub fn resolve(projects: &[Vec<Parameter>]) -> Resolved {
    let mut out = Resolved::default();
    let mut slot: HashMap<String, (usize, String)> = HashMap::new();
    for (owner, params) in projects.iter().enumerate() {
        out.found.push(params.len());
        let mut ordered: Vec<&Parameter> = params.iter().collect();
        ordered.sort_by_key(|p| (p.name.matches('/').count(), p.name.clone()));
        let mut seen: HashMap<&str, &str> = HashMap::new();
        for p in ordered {
            let name = p.name.rsplit('/').next().unwrap_or_default();
            if !is_shell_identifier(name) {
                out.warnings.push(format!(
                    "skipped {}: `{name}` is not a valid environment variable name",
                    p.name
                ));
                continue;
            }
            if p.value.expose().contains('\0') {
                out.warnings.push(format!(
                    "skipped {}: its value holds a NUL byte, which no environment variable can",
                    p.name
                ));
                continue;
            }
            if let Some(kept) = seen.get(name) {
                out.warnings
                    .push(format!("skipped {}: {kept} also sets {name}", p.name));
                continue;
            }
            seen.insert(name, &p.name);
            let entry = Entry {
                name: name.to_string(),
                value: p.value.clone(),
            };
            match slot.get(name) {
                Some((i, earlier)) => {
                    out.warnings.push(format!(
                        "{name}: {} overrides {earlier} (later projects win)",
                        p.name
                    ));
                    let i = *i;
                    out.entries[i] = entry;
                    out.owners[i] = owner;
                    slot.insert(name.to_string(), (i, p.name.clone()));
                }
                None => {
                    slot.insert(name.to_string(), (out.entries.len(), p.name.clone()));
                    out.entries.push(entry);
                    out.owners.push(owner);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::SecretValue;

    fn p(name: &str, value: &str) -> Parameter {
        Parameter {
            name: name.into(),
            value: SecretValue::new(value.into()),
        }
    }

    fn names(r: &Resolved) -> Vec<(String, String, usize)> {
        r.entries
            .iter()
            .zip(&r.owners)
            .map(|(e, o)| (e.name.clone(), e.value.expose().to_string(), *o))
            .collect()
    }

    #[test]
    fn last_segment_names_and_skips() {
        let r = resolve(&[vec![
            p("/k8s/api/sub/KEY", "nested"),
            p("/k8s/api/KEY", "top"),
            p("/k8s/api/bad-name", "x"),
            p("/k8s/api/NUL", "a\0b"),
        ]]);
        assert_eq!(names(&r), [("KEY".into(), "top".into(), 0)]);
        assert_eq!(r.found, [4]);
        assert_eq!(r.warnings.len(), 3);
        assert!(
            r.warnings
                .iter()
                .all(|w| !w.contains("top") && !w.contains("nested"))
        );
        assert!(r.warnings.iter().any(|w| w.contains("/k8s/api/bad-name")));
    }

    #[test]
    fn later_project_wins() {
        let r = resolve(&[
            vec![p("/k8s/api/A", "1"), p("/k8s/api/B", "2")],
            vec![p("/k8s/web/A", "3")],
        ]);
        assert_eq!(
            names(&r),
            [("A".into(), "3".into(), 1), ("B".into(), "2".into(), 0)]
        );
        assert_eq!(
            r.warnings,
            ["A: /k8s/web/A overrides /k8s/api/A (later projects win)"]
        );
    }
}
