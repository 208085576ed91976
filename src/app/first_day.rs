//! The wiring of a newcomer's first day: `setup`, `login`, `doctor`.

use std::path::PathBuf;

use anyhow::Result;

use super::{Wiring, aws_settings, env_of, repo};
use crate::cli::{DoctorArgs, LoginArgs, SetupArgs};
use crate::commands::{doctor, login, setup};
use crate::config::{CONFIG_FILE, RepoConfig};
use crate::error::{Error, Report};
use crate::model::Env;
use crate::store::ssm::SsmStore;
use crate::store::ssm::sso;

impl Wiring {
    /// The profile: --profile, else the one --env names, else AWS_PROFILE, else the one of
    /// the default environment in .secrets.toml.
    pub(super) async fn login(&mut self, args: LoginArgs) -> Result<u8> {
        let (_, config) = repo(None, &self.cwd, false)?;
        let of_env = |env: Env| {
            config
                .environments
                .get(&env)
                .and_then(|a| a.profile.clone())
        };
        let profile = match (self.g.profile.first(), args.env) {
            (Some(p), _) => Some(p.clone()),
            (None, Some(env)) => of_env(env_of(Some(env), &config)),
            (None, None) => std::env::var("AWS_PROFILE")
                .ok()
                .filter(|p| !p.is_empty())
                .or_else(|| of_env(config.env)),
        }
        .unwrap_or_else(|| "default".to_string());
        let settings = aws_settings(&self.g, &config, Some(profile.clone()))?;
        let opts = login::Options {
            profile,
            browser: self.prompter.interactive() && !args.no_browser,
        };
        login::run(opts, &settings, &mut self.out).await
    }

    pub(super) async fn setup(&mut self, args: SetupArgs) -> Result<u8> {
        let (_, config) = repo(None, &self.cwd, true)?;
        let opts = setup::Options {
            file: aws_config_file().ok_or_else(|| Error::Config {
                path: PathBuf::from("~/.aws/config"),
                reason: "neither AWS_CONFIG_FILE nor HOME is set".into(),
            })?,
            yes: args.yes,
            dry_run: args.dry_run,
        };
        setup::run(opts, &config, &self.prompter, &mut self.out).await
    }

    /// Local checks first (no AWS), then each environment's account (or the current
    /// profile's), all at once. Nothing is renewed or asked: doctor only looks.
    pub(super) async fn doctor(&mut self, args: DoctorArgs) -> Result<u8> {
        let (root, config, config_error) = match repo(None, &self.cwd, false) {
            Ok((root, config)) => (root, config, None),
            Err(e @ Error::Config { .. }) => {
                let root = crate::config::find_repo_root(&self.cwd);
                (root, RepoConfig::default(), Some(Report::from(&e)))
            }
            Err(e) => return Err(e.into()),
        };
        let local = doctor::Local {
            config_present: root.as_ref().is_some_and(|r| r.join(CONFIG_FILE).exists()),
            root,
            file: config.file.clone(),
            config_error,
        };
        let checks = doctor::local_checks(&local);
        let wanted: Vec<(String, Option<String>, Option<String>)> =
            match config.environments.is_empty() {
                true => {
                    let profile =
                        self.g.profile.first().cloned().or_else(|| {
                            std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty())
                        });
                    let label = match &profile {
                        Some(p) => format!("profile {p}"),
                        None => "default credentials".to_string(),
                    };
                    vec![(label, profile, None)]
                }
                false => config
                    .environments
                    .iter()
                    .map(|(env, a)| (env.name().to_string(), a.profile.clone(), a.account.clone()))
                    .collect(),
            };
        let mut targets = Vec::new();
        for (label, profile, expected) in wanted {
            let settings = aws_settings(&self.g, &config, profile.clone())?;
            let profile_exists = match &profile {
                Some(p) => sso::profile_exists(p).await,
                None => true,
            };
            let sso = match &profile {
                Some(p) => sso::target(p).await.map(|t| {
                    let state = sso::token_state(&t);
                    (t, state)
                }),
                None => None,
            };
            let store = SsmStore::connect(settings, &self.prompter)
                .await
                .map_err(Error::from);
            targets.push(doctor::Target {
                label,
                profile,
                profile_exists,
                expected,
                sso,
                store,
                prefix: config.prefix.clone(),
            });
        }
        doctor::run(checks, targets, args.json, &mut self.out).await
    }
}

/// AWS_CONFIG_FILE, else ~/.aws/config.
fn aws_config_file() -> Option<PathBuf> {
    match std::env::var_os("AWS_CONFIG_FILE").filter(|p| !p.is_empty()) {
        Some(p) => Some(PathBuf::from(p)),
        None => std::env::var_os("HOME")
            .filter(|h| !h.is_empty())
            .map(|h| PathBuf::from(h).join(".aws/config")),
    }
}
