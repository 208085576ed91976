//! How a copy plan and its results are shown: text for people, JSON for scripts, and the
//! infra references a move leaves behind.

use anyhow::Result;

use super::apply::Applied;
use super::{Item, Plan, State};
use crate::commands::accounts::Account;
use crate::commands::plan::{self, Shown};
use crate::infra::Reference;
use crate::model::Identity;
use crate::output::{Output, count};

/// Both sides as plans and reports show them.
pub(super) struct Sides {
    from: String,
    to: String,
    from_json: serde_json::Value,
    to_json: serde_json::Value,
}

impl Sides {
    /// Each side's account, caller and profile, as text and as JSON.
    pub(super) fn new<S>(
        (from, from_id): (&Account<S>, &Identity),
        (to, to_id): (&Account<S>, &Identity),
    ) -> Self {
        Self {
            from: from.describe(from_id),
            to: to.describe(to_id),
            from_json: serde_json::json!({"account": from_id.account, "profile": from.profile}),
            to_json: serde_json::json!({"account": to_id.account, "profile": to.profile}),
        }
    }
}

/// The plan as shown: each name's state, both sides, the question, and the same as JSON.
pub(super) fn shown<'r>(
    plan: &Plan,
    items: &[Item],
    sides: &Sides,
    still: &'r [&'r Reference],
) -> Shown<'r> {
    let verb = if plan.opts.moving { "move" } else { "copy" };
    let mut text = format!(
        "About to {verb} {}\n  from {}\n  to   {}",
        count(items.len(), "parameter"),
        sides.from,
        sides.to
    );
    for i in items {
        text.push_str(&format!(
            "\n  {:<9}  {} -> {}",
            i.state.word(),
            i.src.name,
            i.dst
        ));
        if i.state == State::Differs {
            text.push_str("  (another value or type; --overwrite replaces it)");
        }
    }
    let rows: Vec<serde_json::Value> = items
        .iter()
        .map(|i| {
            serde_json::json!({
                "source": i.src.name, "source_version": i.src.version,
                "destination": i.dst, "status": i.state.word(),
            })
        })
        .collect();
    Shown {
        text,
        still,
        question: format!(
            "{} {}?",
            if plan.opts.moving { "Move" } else { "Copy" },
            count(items.len(), "parameter")
        ),
        json: serde_json::json!({
            "from": sides.from_json, "to": sides.to_json, "items": rows,
            "references": still,
        }),
    }
}

/// One line (or JSON row) per name, then what the infra code still declares; the exit code.
pub(super) fn report(
    plan: &Plan,
    items: &[Item],
    applied: &Applied,
    sides: &Sides,
    still: &[&Reference],
    out: &mut Output,
) -> Result<u8> {
    let moving = plan.opts.moving;
    let deleted = |i: &Item| applied.sources_deleted.contains(&i.src.name);
    if plan.opts.confirm.json {
        let rows: Vec<serde_json::Value> = items
            .iter()
            .map(|i| {
                let mut row = serde_json::json!({
                    "source": i.src.name, "destination": i.dst, "status": applied.status(i),
                });
                if let Some(Ok(v)) = applied.written.get(&i.dst) {
                    row["version"] = serde_json::json!(v);
                }
                if let Some(Err(e)) = applied.written.get(&i.dst) {
                    row["error"] = serde_json::json!(e);
                }
                if moving {
                    row["source_deleted"] = serde_json::json!(deleted(i));
                }
                row
            })
            .collect();
        let doc = serde_json::json!({
            "from": sides.from_json, "to": sides.to_json, "items": rows, "references": still,
        });
        writeln!(out.data(), "{doc:#}")?;
    } else {
        for i in items {
            let status = match moving && deleted(i) {
                true => "moved",
                false => applied.status(i),
            };
            let mut line = format!("{status} {} -> {}", i.src.name, i.dst);
            if let Some(Ok(v)) = applied.written.get(&i.dst) {
                line.push_str(&format!(" (version {v})"));
            }
            if moving && !deleted(i) {
                line.push_str(" (source kept)");
            }
            writeln!(out.data(), "{line}")?;
        }
    }
    if moving && !still.is_empty() {
        out.warn(
            "the infra code still declares the old names; update them in the same pull request:",
        );
        for line in plan::reference_lines(still) {
            out.warn(&line);
        }
    }
    Ok(plan::combined(&applied.codes))
}
