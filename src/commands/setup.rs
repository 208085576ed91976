//! `secrets setup`: the organisation's SSO profiles added to `~/.aws/config` from
//! `.secrets.toml`, only those missing, never changing another section.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use anyhow::{Context, Result};

use super::ask;
use crate::atomic_file;
use crate::config::RepoConfig;
use crate::error::{Error, Needed, exit};
use crate::output::{Output, count};
use crate::prompt::Prompter;

/// What `setup` was asked to do.
#[derive(Debug, Clone)]
pub struct Options {
    /// The AWS config file (AWS_CONFIG_FILE, else ~/.aws/config).
    pub file: PathBuf,
    /// Write without asking.
    pub yes: bool,
    /// Print only.
    pub dry_run: bool,
}

/// One section of the AWS config file: its header and its keys.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Section {
    /// `profile islandis-dev`, `sso-session secrets`.
    pub name: String,
    /// Keys and values, in order.
    pub keys: Vec<(&'static str, String)>,
}

impl Section {
    fn text(&self) -> String {
        let mut s = format!("[{}]\n", self.name);
        for (k, v) in &self.keys {
            s.push_str(&format!("{k} = {v}\n"));
        }
        s
    }
}

/// The sections `.secrets.toml` asks for, and warnings for environments it cannot set up.
pub fn wanted(config: &RepoConfig) -> Result<(Vec<Section>, Vec<String>), Error> {
    let sso = config.sso.as_ref().ok_or(Error::NoSsoConfig)?;
    let region = sso.region.clone().unwrap_or_else(|| config.region.clone());
    let mut sections = vec![Section {
        name: format!("sso-session {}", sso.session),
        keys: vec![
            ("sso_start_url", sso.start_url.clone()),
            ("sso_region", region),
            ("sso_registration_scopes", "sso:account:access".to_string()),
        ],
    }];
    let mut warnings = Vec::new();
    for (env, account) in &config.environments {
        let role = account.role.clone().or_else(|| sso.role.clone());
        let (Some(profile), Some(id), Some(role)) = (&account.profile, &account.account, role)
        else {
            warnings.push(format!(
                "[environments.{}] needs profile, account and role (or [sso] role) to be set \
                 up; skipped",
                env.name()
            ));
            continue;
        };
        sections.push(Section {
            name: format!("profile {profile}"),
            keys: vec![
                ("sso_session", sso.session.clone()),
                ("sso_account_id", id.clone()),
                ("sso_role_name", role),
                (
                    "region",
                    account
                        .region
                        .clone()
                        .unwrap_or_else(|| config.region.clone()),
                ),
            ],
        });
    }
    Ok((sections, warnings))
}

/// The section names a config file's text has (`profile x`, `sso-session y`, `default`),
/// whitespace inside the brackets normalised.
fn present(text: &str) -> Vec<String> {
    text.lines()
        .filter_map(|l| l.trim().strip_prefix('[')?.split(']').next())
        .map(|name| name.split_whitespace().collect::<Vec<_>>().join(" "))
        .collect()
}

/// What `wanted` adds to `text`: the sections it lacks, in order.
pub fn missing(text: &str, wanted: &[Section]) -> Vec<Section> {
    let have = present(text);
    wanted
        .iter()
        .filter(|s| !have.contains(&s.name))
        .cloned()
        .collect()
}

/// Adds the missing sections to the AWS config file.
pub async fn run(
    opts: Options,
    config: &RepoConfig,
    prompter: &Arc<dyn Prompter>,
    out: &mut Output,
) -> Result<u8> {
    let (wanted, warnings) = wanted(config)?;
    for w in &warnings {
        out.warn(w);
    }
    let before = match std::fs::read_to_string(&opts.file) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => String::new(),
        Err(e) => {
            return Err(e).with_context(|| format!("cannot read {}", opts.file.display()));
        }
    };
    let add = missing(&before, &wanted);
    if add.is_empty() {
        out.info(&format!(
            "{} already has every profile .secrets.toml names; nothing to add.",
            opts.file.display()
        ));
        return Ok(exit::OK);
    }
    let text: Vec<String> = add.iter().map(Section::text).collect();
    let text = text.join("\n");
    if opts.dry_run {
        write!(out.data(), "{text}")?;
        return Ok(exit::OK);
    }
    out.info(&format!("To add to {}:\n\n{text}", opts.file.display()));
    if !opts.yes {
        if !prompter.interactive() {
            return Err(Error::NoTerminal(Needed::Apply("adding profiles")).into());
        }
        let nothing = "interrupted: nothing was written";
        if !ask(prompter, nothing, |p| p.confirm("Add them?", true)).await? {
            out.info("Nothing was written.");
            return Ok(exit::FAILURE);
        }
    }
    write(&opts.file, &before, &text)?;
    out.info(&format!(
        "Added {} to {}. Next: `secrets login`.",
        count(add.len(), "section"),
        opts.file.display()
    ));
    Ok(exit::OK)
}

/// The file with `text` appended (a blank line between), after a backup of the old one.
fn write(file: &Path, before: &str, text: &str) -> Result<()> {
    if let Some(dir) = file.parent() {
        std::fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
    }
    if file.exists() {
        let backup = PathBuf::from(format!("{}.secrets-backup", file.display()));
        atomic_file::write_private(&backup, before.as_bytes())?;
    }
    let mut all = before.to_string();
    if !all.is_empty() && !all.ends_with('\n') {
        all.push('\n');
    }
    if !all.is_empty() {
        all.push('\n');
    }
    all.push_str(text);
    Ok(atomic_file::write_private(file, all.as_bytes())?)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> RepoConfig {
        toml::from_str(
            "[sso]\nstart_url = \"https://corp.awsapps.com/start\"\nrole = \"Dev\"\n\
             [environments.dev]\nprofile = \"corp-dev\"\naccount = \"111111111111\"\n\
             [environments.prod]\nprofile = \"corp-prod\"\naccount = \"222222222222\"\n\
             role = \"ReadOnly\"\n[environments.staging]\nprofile = \"corp-staging\"\n",
        )
        .unwrap()
    }

    #[test]
    fn only_missing_sections_are_added_and_incomplete_environments_are_named() {
        let (wanted, warnings) = wanted(&config()).unwrap();
        assert_eq!(
            warnings,
            [
                "[environments.staging] needs profile, account and role (or [sso] role) to be set up; skipped"
            ]
        );
        let text = "[default]\nregion = eu-west-1\n[ profile  corp-dev ]\nsso_session = x\n";
        let add: Vec<String> = missing(text, &wanted).iter().map(Section::text).collect();
        assert_eq!(
            add,
            [
                "[sso-session secrets]\nsso_start_url = https://corp.awsapps.com/start\n\
                 sso_region = eu-west-1\nsso_registration_scopes = sso:account:access\n",
                "[profile corp-prod]\nsso_session = secrets\nsso_account_id = 222222222222\n\
                 sso_role_name = ReadOnly\nregion = eu-west-1\n",
            ]
        );
    }

    #[test]
    fn without_an_sso_table_setup_says_what_to_add() {
        let err = wanted(&RepoConfig::default()).unwrap_err();
        assert_eq!(err.exit_code(), exit::USAGE);
        assert!(err.hint().unwrap().contains("[sso]"));
    }
}
