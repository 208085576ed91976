//! Where the repository is and what the defaults are.

use std::path::{Path, PathBuf};

/// The parameter namespace every project lives under.
pub const DEFAULT_PREFIX: &str = "/k8s/";

/// The env file, relative to the repository root.
pub const DEFAULT_FILE: &str = ".env.secret";

/// The git top-level directory containing `start`: the nearest ancestor holding `.git`
/// (a directory, or a file in worktrees and submodules).
pub fn find_repo_root(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| dir.join(".git").exists())
        .map(Path::to_path_buf)
}

/// Checks a project name: it becomes one segment of a parameter path.
pub fn check_project_name(name: &str) -> Result<(), &'static str> {
    if name.is_empty() {
        return Err("it is empty");
    }
    if name == "." || name == ".." {
        return Err("it is not a name");
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
    {
        return Err("only letters, digits, `-`, `_` and `.` are allowed");
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_the_nearest_git_dir() {
        let dir = tempfile::tempdir().unwrap();
        let deep = dir.path().join("apps/api/src");
        std::fs::create_dir_all(&deep).unwrap();
        assert!(find_repo_root(&deep).is_none_or(|r| !r.starts_with(dir.path())));
        std::fs::create_dir(dir.path().join(".git")).unwrap();
        assert_eq!(find_repo_root(&deep).as_deref(), Some(dir.path()));
        std::fs::write(dir.path().join("apps/.git"), "gitdir: x").unwrap();
        assert_eq!(find_repo_root(&deep), Some(dir.path().join("apps")));
    }

    #[test]
    fn project_names() {
        assert!(check_project_name("application-system-api").is_ok());
        assert!(check_project_name("services-bff_v2.1").is_ok());
        for bad in ["", "..", "a/b", "a b", "api*"] {
            assert!(check_project_name(bad).is_err(), "{bad}");
        }
    }
}
