//! Where the infra code declares each parameter, for every environment at once: what `mv`
//! and `rm` point at when they take a name away.

use std::collections::HashMap;
use std::path::Path;

use super::{Env, read_for_audit};

/// One place the infra code declares a parameter, in one or more environments.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Reference {
    /// The parameter's full name (a `#key` selector dropped).
    pub path: String,
    /// The service declaring it.
    pub service: String,
    /// The environment variable it becomes.
    pub name: String,
    /// File, relative to the root.
    pub file: String,
    /// Line, 1-based.
    pub line: usize,
    /// The environments in which it is declared there.
    pub envs: Vec<&'static str>,
}

/// Every parameter the infra code declares for any environment, with where; one entry per
/// place, listing the environments. For `mv` and `rm`, which say what still points at a
/// name they take away.
pub fn references(root: &Path) -> Vec<Reference> {
    let envs = [Env::Dev, Env::Staging, Env::Prod];
    let (per_env, _) = read_for_audit(root, &envs);
    let mut out: Vec<Reference> = Vec::new();
    let mut at: HashMap<(String, String, usize, String), usize> = HashMap::new();
    for (env, services) in per_env {
        for service in services {
            for d in service.reading.secrets {
                let path = crate::selector::split(&d.path).0.to_string();
                let key = (path.clone(), d.file.clone(), d.line, d.name.clone());
                match at.get(&key) {
                    Some(&i) if !out[i].envs.contains(&env.name()) => {
                        out[i].envs.push(env.name());
                    }
                    Some(_) => {}
                    None => {
                        at.insert(key, out.len());
                        out.push(Reference {
                            path,
                            service: service.name.clone(),
                            name: d.name,
                            file: d.file,
                            line: d.line,
                            envs: vec![env.name()],
                        });
                    }
                }
            }
        }
    }
    out.sort_by(|a, b| (&a.file, a.line, &a.name).cmp(&(&b.file, b.line, &b.name)));
    out
}
