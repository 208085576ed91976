//! The checks that need no AWS: the repository and its infra code, .secrets.toml, direnv and
//! the root's .envrc, .env.secret in git and on disk, and the version.

use std::path::Path;
use std::process::{Command, Stdio};

use super::{Check, Local, State};
use crate::output::count;

/// Every local check, in the order a newcomer meets them.
pub fn local_checks(local: &Local) -> Vec<Check> {
    let mut checks = Vec::new();
    checks.push(version());
    let Some(root) = &local.root else {
        checks.push(Check::new(
            "repository",
            State::Fail,
            "not inside a git repository",
            Some("run it from the monorepo, or pass --root DIR".into()),
        ));
        return checks;
    };
    let (services, warnings) = crate::infra::read_all(root, crate::model::Env::Dev);
    let warned = warnings.len()
        + services
            .iter()
            .map(|s| s.reading.warnings.len())
            .sum::<usize>();
    checks.push(match services.is_empty() {
        true => Check::new(
            "repository",
            State::Warn,
            format!(
                "{}: no service(...) found in the infra code",
                root.display()
            ),
            Some("run it from the monorepo, or pass --root DIR".into()),
        ),
        false => Check::ok(
            "repository",
            format!(
                "{}: {} in the infra code, {}",
                root.display(),
                count(services.len(), "service"),
                count(warned, "warning")
            ),
        ),
    });
    checks.push(match (&local.config_error, local.config_present) {
        (Some(report), _) => {
            let (message, hint) = report.parts();
            Check::new(
                ".secrets.toml",
                State::Fail,
                message,
                hint.map(str::to_string),
            )
        }
        (None, true) => Check::ok(".secrets.toml", "read"),
        (None, false) => Check::ok(".secrets.toml", "none (the defaults apply)"),
    });
    checks.extend(direnv(root, &local.file));
    checks.extend(env_file(root, &local.file));
    checks
}

/// The version running, and the npm package's when run through it.
fn version() -> Check {
    let own = env!("CARGO_PKG_VERSION");
    match std::env::var("SECRETS_NPM_PACKAGE") {
        Ok(pkg) if !pkg.ends_with(&format!("@{own}")) => Check::new(
            "version",
            State::Warn,
            format!("secrets {own}, run through the npm package {pkg}"),
            Some("reinstall the package (`yarn install`): its binary is another version".into()),
        ),
        Ok(pkg) => Check::ok("version", format!("secrets {own} (npm package {pkg})")),
        Err(_) => Check::ok("version", format!("secrets {own}")),
    }
}

/// direnv installed, and the root's .envrc loading the env file and allowed.
fn direnv(root: &Path, file: &str) -> Vec<Check> {
    let load = format!("echo 'source_env_if_exists {file}' >> .envrc && direnv allow");
    let envrc = std::fs::read_to_string(root.join(".envrc")).ok();
    let mut checks = vec![match &envrc {
        Some(text) if text.contains(file) => Check::ok(".envrc", format!("loads {file}")),
        Some(_) => Check::new(
            ".envrc",
            State::Warn,
            format!("the root's .envrc does not load {file}"),
            Some(load.clone()),
        ),
        None => Check::new(
            ".envrc",
            State::Warn,
            "the repository root has no .envrc",
            Some(load.clone()),
        ),
    }];
    let status = Command::new("direnv")
        .arg("status")
        .current_dir(root)
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    checks.push(match status {
        Err(_) => Check::new(
            "direnv",
            State::Warn,
            "not installed: .env.secret is not loaded into your shell by itself",
            Some("install direnv (https://direnv.net) and hook it into your shell".into()),
        ),
        Ok(out) => {
            let text = String::from_utf8_lossy(&out.stdout);
            let allowed = text.lines().any(|l| {
                l.strip_prefix("Found RC allowed ")
                    .is_some_and(|v| matches!(v.trim(), "true" | "0"))
            });
            match (envrc.is_some(), allowed) {
                (true, false) => Check::new(
                    "direnv",
                    State::Warn,
                    "installed, but the root's .envrc is not allowed",
                    Some(format!("direnv allow {}", root.display())),
                ),
                _ => Check::ok("direnv", "installed"),
            }
        }
    });
    checks
}

/// The env file: never tracked by git, ignored, and private.
fn env_file(root: &Path, file: &str) -> Vec<Check> {
    let git = |args: &[&str]| {
        Command::new("git")
            .args(args)
            .current_dir(root)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .ok()
            .map(|s| s.success())
    };
    let name = file.to_string();
    let mut checks = Vec::new();
    let tracked = git(&["ls-files", "--error-unmatch", "--", file]);
    let ignored = git(&["check-ignore", "-q", "--no-index", "--", file]);
    checks.push(match (tracked, ignored) {
        (Some(true), _) => Check::new(
            name.clone(),
            State::Fail,
            "tracked by git: its secrets are in the repository's history",
            Some(format!(
                "git rm --cached {file} && echo '{file}' >> .gitignore, then rotate the secrets"
            )),
        ),
        (_, Some(true)) => Check::ok(name.clone(), "ignored by git"),
        (None, _) => Check::new(
            name.clone(),
            State::Warn,
            "git cannot be run here to check it is ignored",
            Some("install git".into()),
        ),
        _ => Check::new(
            name.clone(),
            State::Warn,
            "not ignored by git",
            Some(format!("echo '{file}' >> .gitignore")),
        ),
    });
    #[cfg(unix)]
    if let Ok(meta) = std::fs::metadata(root.join(file)) {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        checks.push(match mode & 0o077 {
            0 => Check::ok(format!("{name} mode"), format!("{mode:o}")),
            _ => Check::new(
                format!("{name} mode"),
                State::Warn,
                format!("{mode:o}: others can read it"),
                Some(format!(
                    "chmod 600 {file} (the next `secrets get` does it too)"
                )),
            ),
        });
    }
    checks
}
