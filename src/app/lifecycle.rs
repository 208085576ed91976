//! The wiring of the lifecycle commands (`cp`, `mv`, `rm`, `history`): names and plans
//! checked before any request, the infra code read for the references a move or delete leaves
//! behind, then the accounts connected.

use std::path::PathBuf;
use std::sync::Arc;

use anyhow::{Context, Result};

use super::{Wiring, aws_settings, connect, repo};
use crate::cli::{ApplyArgs, CopyArgs, HistoryArgs, RmArgs};
use crate::commands::accounts::Account;
use crate::commands::plan::Confirm;
use crate::commands::{copy, history, remove};
use crate::error::{Error, Field};
use crate::infra::Reference;
use crate::interrupt::Interrupts;
use crate::output::Output;
use crate::prompt::Prompter;
use crate::store::ssm::{AwsSettings, SsmStore};
use crate::validate;

impl Wiring {
    /// Names and plan checked, then the infra code read (for the references a move leaves
    /// behind), then one or two accounts connected.
    pub(super) async fn copy(
        &mut self,
        args: CopyArgs,
        moving: bool,
        interrupts: &Interrupts,
    ) -> Result<u8> {
        let (root, config) = repo(None, &self.cwd, false)?;
        if self.g.profile.len() > 1 {
            return Err(Error::OneProfileOnly.into());
        }
        let from_profile = args
            .from_profile
            .or_else(|| self.g.profile.first().cloned());
        let to_profile = args.to_profile.or_else(|| from_profile.clone());
        let from_settings = aws_settings(&self.g, &config, from_profile.clone())?;
        let to_settings = aws_settings(&self.g, &config, to_profile.clone())?;
        let opts = copy::Options {
            source: args.source,
            destination: args.destination,
            prefix: args.prefix,
            overwrite: args.overwrite,
            moving,
            same_account: from_profile == to_profile,
            confirm: confirm(&args.apply),
            namespace: config.prefix.clone(),
            update_infra: match (args.update_infra, moving, &root) {
                (false, _, _) => None,
                (true, false, _) => return Err(Error::UpdateInfraIsForMv.into()),
                (true, true, Some(root)) => Some(root.clone()),
                (true, true, None) => return Err(Error::NotInRepo(self.cwd.clone()).into()),
            },
        };
        let same = opts.same_account;
        let plan = copy::plan(opts, self.prompter.interactive())?;
        let refs = match moving {
            true => references(root, &mut self.out).await?,
            false => Vec::new(),
        };
        let from = account(from_settings, &self.prompter, &mut self.out).await?;
        let to = match same {
            true => None,
            false => Some(account(to_settings, &self.prompter, &mut self.out).await?),
        };
        let to = to.as_ref().unwrap_or(&from);
        copy::run(
            plan,
            &from,
            to,
            &refs,
            &self.prompter,
            &mut self.out,
            interrupts,
        )
        .await
    }

    /// Names or prefix (and its depth) checked, the infra code read, then the account.
    pub(super) async fn rm(&mut self, args: RmArgs, interrupts: &Interrupts) -> Result<u8> {
        let (root, config) = repo(None, &self.cwd, false)?;
        let settings = aws_settings(&self.g, &config, None)?;
        let opts = remove::Options {
            names: args.names,
            prefix: args.prefix,
            confirm: confirm(&args.apply),
            namespace: config.prefix.clone(),
        };
        let plan = remove::plan(opts, self.prompter.interactive())?;
        let refs = references(root, &mut self.out).await?;
        let account = account(settings, &self.prompter, &mut self.out).await?;
        remove::run(
            plan,
            &account,
            &refs,
            &self.prompter,
            &mut self.out,
            interrupts,
        )
        .await
    }

    /// The name checked, then the account; never a value.
    pub(super) async fn history(&mut self, args: HistoryArgs) -> Result<u8> {
        let (_, config) = repo(None, &self.cwd, false)?;
        let settings = aws_settings(&self.g, &config, None)?;
        let name = validate::existing_name(&args.name, &config.prefix).map_err(|reason| {
            Error::Invalid {
                field: Field::Source,
                reason,
            }
        })?;
        let account = account(settings, &self.prompter, &mut self.out).await?;
        history::run(&name, &account, args.json, &mut self.out).await
    }
}

/// One account to write to or delete from: its store, and the profile that reaches it as
/// the user chose it (`--profile`, else AWS_PROFILE as the store resolved it).
async fn account(
    settings: AwsSettings,
    prompter: &Arc<dyn Prompter>,
    out: &mut Output,
) -> Result<Account<SsmStore>, Error> {
    let chosen = settings.profile.clone();
    let store = connect(settings, prompter, out).await?;
    Ok(super::account_of(chosen, store).await)
}

/// Every parameter the infra code declares, when run in the monorepo; nothing elsewhere.
async fn references(root: Option<PathBuf>, out: &mut Output) -> Result<Vec<Reference>> {
    let Some(root) = root else {
        out.trace("not in a repository: the infra code is not checked for references");
        return Ok(Vec::new());
    };
    tokio::task::spawn_blocking(move || crate::infra::references(&root))
        .await
        .context("reading the infra code failed")
}

fn confirm(args: &ApplyArgs) -> Confirm {
    Confirm {
        yes: args.yes,
        dry_run: args.dry_run,
        json: args.json,
    }
}
