//! Applying a copy plan: each write with the source's metadata (and the KMS key fallback),
//! what was done name by name, and a move's read-back and deletes.

use std::collections::HashMap;

use anyhow::Result;
use futures_util::future::join_all;

use super::{DEFAULT_KEY, Item, State, WRITE_BATCH};
use crate::commands::accounts::Account;
use crate::commands::batches::{End, in_batches};
use crate::error::{Error, Report};
use crate::interrupt::Interrupts;
use crate::model::{Kind, NewParameter};
use crate::output::Output;
use crate::store::{DELETE_BATCH, SecretStore, StoreError};

/// Every write, `WRITE_BATCH` at once, batch after batch until done or Ctrl-C; what each did.
pub(super) async fn write_all<S: SecretStore>(
    writes: &[&Item],
    to: &Account<S>,
    interrupts: &Interrupts,
    out: &mut Output,
) -> Applied {
    let (results, end) = in_batches(writes, WRITE_BATCH, interrupts, out, |batch| {
        join_all(batch.iter().map(|i| write_one(&to.store, i)))
    })
    .await;
    let mut applied = Applied::default();
    applied.record_writes(writes, results.into_iter().flatten(), end, out);
    applied
}

/// One PutParameter with the source's type, description, tier, tags and key; a key the
/// destination rejects (`InvalidKeyId`) is replaced by its default key, with a warning.
async fn write_one<S: SecretStore>(
    to: &S,
    item: &Item,
) -> (Result<i64, StoreError>, Option<String>) {
    let src = &item.src;
    let mut param = NewParameter {
        name: item.dst.clone(),
        value: src.value.clone(),
        kind: src.kind,
        description: src.description.clone(),
        key_id: src
            .key_id
            .clone()
            .filter(|k| src.kind == Kind::SecureString && k != DEFAULT_KEY),
        tier: src.tier,
        // `aws:` tags are AWS's own (CloudFormation's, for one); SSM refuses them from us.
        tags: src
            .tags
            .iter()
            .filter(|t| !t.key.starts_with("aws:"))
            .cloned()
            .collect(),
        overwrite: item.state == State::Overwrite,
    };
    let first = to.put(&param).await;
    let rejected =
        matches!(&first, Err(StoreError::Service { code, .. }) if code == "InvalidKeyId");
    match param.key_id.take() {
        Some(key) if rejected => {
            let warning = format!(
                "{}: the destination account cannot use KMS key {key}; encrypted with its \
                 default key ({DEFAULT_KEY}) instead",
                item.dst
            );
            (to.put(&param).await, Some(warning))
        }
        _ => (first, None),
    }
}

/// What was done, name by name.
#[derive(Default)]
pub(super) struct Applied {
    pub(super) written: HashMap<String, Result<i64, String>>,
    pub(super) codes: Vec<u8>,
    pub(super) unknown: Vec<String>,
    pub(super) sources_deleted: Vec<String>,
    pub(super) end: End,
}

impl Applied {
    fn record_writes(
        &mut self,
        writes: &[&Item],
        results: impl Iterator<Item = (Result<i64, StoreError>, Option<String>)>,
        end: End,
        out: &mut Output,
    ) {
        for (item, (result, warning)) in writes.iter().zip(results) {
            if let Some(w) = warning {
                out.warn(&w);
            }
            let result = result.map_err(|e| {
                let within = format!("writing {} failed", item.dst);
                self.codes
                    .push(out.report(&Report::from(&e).within(within)));
                e.to_string()
            });
            self.written.insert(item.dst.clone(), result);
        }
        if let End::Abandoned { pending } = end {
            let batch = writes.chunks(WRITE_BATCH).nth(pending).unwrap_or_default();
            self.unknown.extend(batch.iter().map(|i| i.dst.clone()));
        }
        self.end = end;
    }

    /// Every write done, and nothing interrupted: the condition for a move to go on.
    pub(super) fn all_written(&self, writes: &[&Item]) -> bool {
        self.end == End::Complete
            && writes
                .iter()
                .all(|i| matches!(self.written.get(&i.dst), Some(Ok(_))))
    }

    /// What became of `item`: unchanged, copied, overwritten, failed, unknown, not-started.
    pub(super) fn status(&self, item: &Item) -> &'static str {
        match (item.state, self.written.get(&item.dst)) {
            (State::Unchanged, _) => "unchanged",
            (State::Overwrite, Some(Ok(_))) => "overwritten",
            (_, Some(Ok(_))) => "copied",
            (_, Some(Err(_))) => "failed",
            _ if self.unknown.contains(&item.dst) => "unknown",
            _ => "not-started",
        }
    }
}

/// `mv`'s second half: every destination read back and compared with its source; only if
/// all match are the sources deleted, 10 a request.
pub(super) async fn move_sources<S: SecretStore>(
    items: &[Item],
    from: &Account<S>,
    to: &Account<S>,
    applied: &mut Applied,
    interrupts: &Interrupts,
    out: &mut Output,
) -> Result<()> {
    let dsts: Vec<String> = items.iter().map(|i| i.dst.clone()).collect();
    let back: HashMap<String, _> = match to.store.get_many(&dsts).await {
        Ok(found) => found.into_iter().map(|p| (p.name, p.value)).collect(),
        Err(e) => {
            let within = "reading the copies back failed, so no source was deleted";
            applied
                .codes
                .push(out.report(&Report::from(&e).within(within)));
            return Ok(());
        }
    };
    let differ: Vec<&str> = items
        .iter()
        .filter(|i| back.get(&i.dst) != Some(&i.src.value))
        .map(|i| i.dst.as_str())
        .collect();
    if !differ.is_empty() {
        let err = Error::ReadBackDiffers {
            names: differ.join(", "),
        };
        applied.codes.push(out.report(&Report::from(&err)));
        return Ok(());
    }
    let names: Vec<String> = items.iter().map(|i| i.src.name.clone()).collect();
    let (results, end) = in_batches(&names, DELETE_BATCH, interrupts, out, |batch| {
        from.store.delete(batch)
    })
    .await;
    for (batch, result) in names.chunks(DELETE_BATCH).zip(results) {
        match result {
            Ok(done) => {
                applied.sources_deleted.extend(done.deleted);
                applied.sources_deleted.extend(done.absent);
            }
            Err(e) => {
                let within = format!(
                    "deleting the sources {} ... failed (their copies are in place)",
                    batch.first().map_or("", String::as_str)
                );
                applied
                    .codes
                    .push(out.report(&Report::from(&e).within(within)));
            }
        }
    }
    applied.end = end;
    Ok(())
}
