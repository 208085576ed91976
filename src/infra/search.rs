//! Which files can define a service: a .gitignore-aware walk, infra folders first, and a
//! cheap text test before anything is parsed.

use std::path::{Path, PathBuf};

/// TypeScript files under `root` that are not ignored, tests or declarations, with those in
/// an `infra` folder first.
pub fn typescript_files(root: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let mut infra = Vec::new();
    let mut other = Vec::new();
    let walk = ignore::WalkBuilder::new(root)
        .hidden(true)
        .require_git(false)
        .filter_entry(|e| {
            !matches!(
                e.file_name().to_str(),
                Some("node_modules" | "dist" | ".git")
            )
        })
        .build();
    for entry in walk.flatten() {
        let path = entry.path();
        let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
            continue;
        };
        if !name.ends_with(".ts")
            || name.ends_with(".d.ts")
            || name.ends_with(".spec.ts")
            || name.ends_with(".test.ts")
        {
            continue;
        }
        let rel = path.strip_prefix(root).unwrap_or(path);
        if rel.components().any(|c| c.as_os_str() == "infra") {
            infra.push(path.to_path_buf());
        } else {
            other.push(path.to_path_buf());
        }
    }
    infra.sort();
    other.sort();
    (infra, other)
}

/// Whether `text` can define `service` at all: it calls `service(` and names the service or
/// the part of its name a template could build it from (`api` for `${name}-worker`).
pub fn may_define(text: &str, service: &str) -> bool {
    if !text.contains("service(") {
        return false;
    }
    let mut stem = service;
    loop {
        if text.contains(stem) {
            return true;
        }
        match stem.rfind('-') {
            Some(i) if i >= 2 => stem = &stem[..i],
            _ => return false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prefilter_needs_a_service_call_and_the_name_or_its_stem() {
        assert!(may_define("service('api')", "api"));
        assert!(may_define(
            "const n = 'application-system'; service(`${n}-api-worker`)",
            "application-system-api-worker"
        ));
        assert!(!may_define("const api = 1", "api"));
        assert!(!may_define("service('web')", "api"));
    }

    #[test]
    fn walk_respects_gitignore_and_puts_infra_first() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for f in [
            "apps/api/infra/api.ts",
            "apps/api/src/main.ts",
            "node_modules/x/infra/a.ts",
            "dist/infra/b.ts",
            "gen/infra/c.ts",
            "apps/api/infra/api.spec.ts",
        ] {
            std::fs::create_dir_all(root.join(f).parent().unwrap()).unwrap();
            std::fs::write(root.join(f), "").unwrap();
        }
        std::fs::write(root.join(".gitignore"), "gen/\n").unwrap();
        let (infra, other) = typescript_files(root);
        assert_eq!(infra, [root.join("apps/api/infra/api.ts")]);
        assert_eq!(other, [root.join("apps/api/src/main.ts")]);
    }
}
