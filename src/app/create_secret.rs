//! The wiring of `create`: flags checked, then questions, then (with `--declare`) the
//! declaration's edit checked, then the accounts connected, the secret created, and the
//! declaration written (or, on a terminal, offered).

use std::path::Path;

use anyhow::Result;

use super::{Wiring, aws_settings, connect, repo};
use crate::cli::{CreateArgs, KindArg, TierArg};
use crate::commands::{ask, create, declare};
use crate::error::{Error, exit};
use crate::infra;
use crate::interrupt::Interrupts;
use crate::model::{Kind, Tier};
use crate::store::ssm::AwsSettings;

impl Wiring {
    /// Flags checked, then questions, then the accounts connected (MFA asked), then create.
    pub(super) async fn create(&mut self, args: CreateArgs, interrupts: &Interrupts) -> Result<u8> {
        // Names go under the repository's prefix, and its region applies, when run in it.
        let (root, config) = repo(None, &self.cwd, false)?;
        let profiles: Vec<Option<String>> = match self.g.profile.is_empty() {
            true => vec![None],
            false => self.g.profile.iter().cloned().map(Some).collect(),
        };
        let settings: Vec<AwsSettings> = profiles
            .iter()
            .map(|p| aws_settings(&self.g, &config, p.clone()))
            .collect::<Result<_, _>>()?;
        let declaring = (args.declare.clone(), args.declare_as.clone());
        let opts = create_options(args, config.prefix.clone());
        let mut plan = create::plan(opts, self.prompter.interactive(), &mut std::io::stdin())?;
        // On a terminal, a name asked for is checked in every account before the value is
        // typed: an existing one is refused at once (the check before writing stays).
        let mut early = None;
        if plan.asks_name() {
            let name = create::name_first(&mut plan, &self.prompter, &mut self.out).await?;
            let mut accounts = Vec::with_capacity(settings.len());
            for (profile, settings) in profiles.iter().cloned().zip(settings.iter().cloned()) {
                let store = connect(settings, &self.prompter, &mut self.out).await?;
                accounts.push(super::account_of(profile, store).await);
            }
            let overwrite = plan.overwrite();
            if let Err(code) =
                create::refuse_existing(&name, overwrite, &accounts, &mut self.out).await?
            {
                return Ok(code);
            }
            early = Some(accounts);
        }
        let job = create::complete(plan, &self.prompter, &mut self.out).await?;
        // The declaration's edit, checked before any request: a refusal creates nothing.
        let edit = match &declaring.0 {
            Some(service) => {
                let root = root
                    .as_ref()
                    .ok_or_else(|| Error::NotInRepo(self.cwd.clone()))?;
                Some(declare::plan(
                    root,
                    service,
                    declaring.1.as_deref(),
                    &job.param.name,
                )?)
            }
            None => None,
        };
        let accounts = match early {
            Some(accounts) => accounts,
            None => {
                let mut accounts = Vec::with_capacity(settings.len());
                for (profile, settings) in profiles.into_iter().zip(settings) {
                    let store = connect(settings, &self.prompter, &mut self.out).await?;
                    accounts.push(super::account_of(profile, store).await);
                }
                accounts
            }
        };
        let (dry, json, name) = (job.dry_run, job.json, job.param.name.clone());
        let code = create::run(job, &accounts, &self.prompter, &mut self.out, interrupts).await?;
        if code != exit::OK {
            return Ok(code);
        }
        match (edit, dry) {
            (Some(e), true) => declare::show(&[e], &mut self.out)?,
            (Some(e), false) => {
                let var = declaring.1.as_deref().unwrap_or(last_segment(&name));
                let what = format!("declared {var} in");
                declare::write(&[e], &what, &mut self.out)?;
            }
            (None, false) if self.prompter.interactive() => {
                if let Some(root) = &root {
                    self.offer_declaration(root, &config.prefix, &name).await?;
                }
            }
            (None, _) => {}
        }
        if !dry && !json {
            // The next step: a created secret reaches a deployment only once its service
            // declares it, and only in the accounts it was created in.
            let declare = match declaring.0.is_some() {
                true => None,
                false => Some("declare it in its service's infra code (`--declare SERVICE`)"),
            };
            let accounts = (self.g.profile.len() < 2)
                .then_some("create it in the other environments' accounts (--profile, repeatable)");
            let steps: Vec<&str> = declare.into_iter().chain(accounts).collect();
            if !steps.is_empty() {
                self.out
                    .info(&format!("Next, if not done: {}.", steps.join("; ")));
            }
        }
        Ok(code)
    }

    /// On a terminal after a create whose name is `<prefix><service>/NAME` for a service of
    /// the infra code: the question whether to declare it there (the edit checked first).
    async fn offer_declaration(&mut self, root: &Path, prefix: &str, name: &str) -> Result<()> {
        let Some((service, var)) = name.strip_prefix(prefix).and_then(|r| r.split_once('/')) else {
            return Ok(());
        };
        if var.contains('/') || !infra::service_names(root).iter().any(|s| s == service) {
            return Ok(());
        }
        let edit = match declare::plan(root, service, None, name) {
            Ok(edit) => edit,
            Err(e) => {
                self.out
                    .info(&format!("Not declared in the infra code: {e}"));
                return Ok(());
            }
        };
        let question = format!("Declare {var} in {}?", edit.file);
        let nothing = "interrupted: the secret was created; nothing was declared";
        if ask(&self.prompter, nothing, move |p| p.confirm(&question, true)).await? {
            declare::write(&[edit], &format!("declared {var} in"), &mut self.out)?;
        }
        Ok(())
    }
}

fn last_segment(name: &str) -> &str {
    name.rsplit('/').next().unwrap_or(name)
}

fn create_options(args: CreateArgs, prefix: String) -> create::Options {
    let value = match (args.value, args.value_stdin, args.value_file) {
        (Some(v), _, _) => create::ValueSource::Literal(v),
        (_, true, _) => create::ValueSource::Stdin,
        (_, _, Some(path)) => create::ValueSource::File(path),
        _ => create::ValueSource::Ask,
    };
    create::Options {
        name: args.name,
        value,
        kind: args.kind.map(|k| match k {
            KindArg::SecureString => Kind::SecureString,
            KindArg::String => Kind::String,
        }),
        tags: args.tags.into_iter().chain(args.tag).collect(),
        description: args.description,
        key_id: args.key_id,
        tier: match args.tier {
            TierArg::Standard => Tier::Standard,
            TierArg::Advanced => Tier::Advanced,
        },
        overwrite: args.overwrite,
        yes: args.yes,
        json: args.json,
        dry_run: args.dry_run,
        prefix,
    }
}
