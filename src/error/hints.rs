//! The hints and sentences of `create`'s inputs and of a missing terminal.

use crate::model::Tier;

/// Which input of `create` failed its check; decides the hint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Field {
    /// `--name` (or the typed name).
    Name,
    /// The value, for this tier.
    Value(Tier),
    /// `--tags` / `--tag`.
    Tags,
    /// A value that is not UTF-8 text (`--value-file`, stdin).
    Text,
    /// The parameter to copy, move, delete or show.
    Source,
    /// Where to copy or move to.
    Destination,
    /// `--prefix`.
    Prefix,
}

/// What `create` needs and could not ask for without a terminal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needed {
    /// The name.
    Name,
    /// The value.
    Value,
    /// The final confirmation of `create`.
    Confirmation,
    /// The confirmation of a plan: what it does, e.g. "deleting".
    Apply(&'static str),
}

pub(super) fn needed_message(needed: Needed) -> String {
    match needed {
        Needed::Name => "no --name given, and there is no terminal to ask on".into(),
        Needed::Value => "no value given, and there is no terminal to ask on".into(),
        Needed::Confirmation => {
            "creating a secret needs confirmation, and there is no terminal to ask on".into()
        }
        Needed::Apply(what) => {
            format!("{what} needs confirmation, and there is no terminal to ask on")
        }
    }
}

pub(super) fn field_hint(field: Field) -> &'static str {
    match field {
        Field::Name => "fix --name, e.g. --name my-app/MY_APP_KEY",
        Field::Value(Tier::Standard) => {
            "shorten it, or pass --tier Advanced (up to 8192 bytes; it costs money)"
        }
        Field::Value(Tier::Advanced) => "shorten it",
        Field::Tags => "write tags as Key=team,Value=core (Key and Value are case-sensitive)",
        Field::Text => "SSM stores text only: give a UTF-8 file or value",
        Field::Source => "give the parameter's name, e.g. my-app/MY_KEY or /k8s/my-app/MY_KEY",
        Field::Destination => "give the new name under the namespace, e.g. my-app/MY_KEY",
        Field::Prefix => "give a deeper prefix, e.g. --prefix /k8s/feature-foo- or /k8s/my-app/",
    }
}

pub(super) fn needed_hint(needed: Needed) -> &'static str {
    match needed {
        Needed::Name => "pass --name my-app/MY_APP_KEY",
        Needed::Value => {
            "pass --value-stdin (e.g. `printf %s \"$VALUE\" | secrets create --name ... \
             --value-stdin`) or --value-file PATH"
        }
        Needed::Confirmation => "pass --yes",
        Needed::Apply(_) => "pass --yes to apply the plan, or --dry-run to print it only",
    }
}
