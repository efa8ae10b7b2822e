//! A decision as numbers, for the npm package's `check`: writing a
//! decision as JSON text and parsing it in JavaScript took three fifths of
//! a call, while the package can build the same object from a few numbers
//! and the engine's names, sent once ([`Names`]).
//!
//! The words, in order (every index into a list of [`Names`]):
//! - flags: 1 allowed, 2 a level, 4 the MFA remedy, 8 field lists, 16 a denial;
//! - level, stage, object (0 when absent);
//! - the number of reasons, then four words per reason: kind, level and two
//!   particulars (`scope`: scope and bundle; `baseline`: baseline;
//!   `hierarchy`: role and owner's role; `peers`: role; `sharing_rule`: rule
//!   and 1 when received as a superior; `manual_share`: recipient kind and
//!   index; `owner`, `team`: none);
//! - with a denial, by stage: session stages a bundle and the missing
//!   context (0 none, else 1 + its index in `missing`); `no_privilege` a
//!   count and bundles; `no_record_access` the level needed and how many
//!   reason kinds were checked; `forbidden` a rule; `field_not_editable` a
//!   count and fields; the user stages nothing (the request names the user);
//! - with field lists, a count and the readable fields, a count and the
//!   editable ones;
//! - the message's UTF-8 bytes, four a word (little-endian, the last word
//!   padded with zeros), and its length in bytes last.
//!
//! A parent's reasons and a forbid rule's missing context key have no words:
//! such a decision is answered as JSON.

use crate::activity::Logged;
use crate::check::Query;
use crate::decision::{Decision, Denial, Reason, Stage};
use crate::engine::{Engine, Principal};
use crate::explain::level_word;
use crate::policy::{Baseline, Level, Scope};

const LEVELS: [Level; 3] = [Level::Read, Level::Edit, Level::Full];
const SCOPES: [(Scope, &str); 4] =
    [(Scope::Own, "own"), (Scope::Department, "department"), (Scope::DepartmentTree, "department_tree"), (Scope::All, "all")];
const BASELINES: [(Baseline, &str); 4] = [
    (Baseline::Private, "private"),
    (Baseline::PublicRead, "public_read"),
    (Baseline::PublicReadWrite, "public_read_write"),
    (Baseline::ControlledByParent, "controlled_by_parent"),
];
const STAGES: [Stage; 9] = [
    Stage::UnknownUser,
    Stage::InactiveUser,
    Stage::MfaRequired,
    Stage::IpNotAllowed,
    Stage::OutsideLoginHours,
    Stage::NoPrivilege,
    Stage::NoRecordAccess,
    Stage::Forbidden,
    Stage::FieldNotEditable,
];
/// A manual share's recipient kinds: the JSON key, and the list of
/// [`Engine::names`] that names its index.
const RECIPIENTS: [(&str, &str); 6] = [
    ("user", "users"),
    ("group", "groups"),
    ("role", "roles"),
    ("role_and_subordinates", "roles"),
    ("department", "departments"),
    ("department_tree", "departments"),
];
const MISSING: [&str; 2] = ["ip", "time"];

impl Engine {
    /// The names the words index, as lists in this order: levels, stages,
    /// scopes, baselines, reason kinds, recipient keys, the list naming each
    /// recipient kind's index, missing context attributes, objects,
    /// bundles, roles, sharing rules, forbid rules, users, groups,
    /// departments, then each object's fields. They never change for an
    /// engine, so the package asks once.
    pub fn names(&self) -> Vec<Vec<&str>> {
        let mut lists = vec![
            LEVELS.map(|l| level_word(l, crate::Lang::En)).to_vec(),
            STAGES.map(Stage::as_str).to_vec(),
            SCOPES.map(|(_, name)| name).to_vec(),
            BASELINES.map(|(_, name)| name).to_vec(),
            Reason::KINDS.to_vec(),
            RECIPIENTS.map(|(key, _)| key).to_vec(),
            RECIPIENTS.map(|(_, list)| list).to_vec(),
            MISSING.to_vec(),
            self.objects.iter().map(|o| &*o.name).collect(),
            self.bundles.iter().map(|b| &*b.id).collect(),
            self.roles.ids.iter().map(|r| &**r).collect(),
            self.sharing.iter().map(|r| &*r.id).collect(),
            self.forbid.iter().map(|r| &*r.id).collect(),
            self.user_ids.iter().collect(),
            self.groups.iter().map(|g| &**g).collect(),
            self.departments.ids.iter().map(|d| &**d).collect(),
        ];
        lists.extend(self.objects.iter().map(|o| o.fields.iter().map(|f| &*f.name).collect()));
        lists
    }

    /// One query decided into `words` (the module's layout), with its
    /// event when `now_ms` (the recorder's clock) is given. `words` stays
    /// empty, and there is no event, when the decision has a part the words
    /// do not carry: the caller then answers it as JSON, which records it.
    pub fn answer_compact(&self, query: &Query<'_>, now_ms: Option<i64>, words: &mut Vec<u32>) -> Option<Logged> {
        let decision = self.check_query(query);
        words.clear();
        if self.write_words(&decision, words).is_none() {
            words.clear();
            return None;
        }
        push_text(words, &self.sentence(&decision, query));
        now_ms.map(|now| self.logged(query, &decision, now))
    }

    fn write_words(&self, decision: &Decision, words: &mut Vec<u32>) -> Option<()> {
        let flags = u32::from(decision.allowed)
            | u32::from(decision.level.is_some()) << 1
            | u32::from(decision.remedy_mfa) << 2
            | u32::from(decision.fields.is_some()) << 3
            | u32::from(decision.denial.is_some()) << 4;
        let stage = decision.stage().map_or(0, |s| s as u32);
        words.extend([flags, decision.level.map_or(0, |l| l as u32), stage, decision.object]);
        words.push(u32::try_from(decision.reasons.len()).ok()?);
        for reason in &decision.reasons {
            let (a, b) = particulars(reason)?;
            words.extend([u32::from(reason.kind_index()), reason.level() as u32, a, b]);
        }
        if let Some(denial) = &decision.denial {
            self.denial_words(denial, decision, words)?;
        }
        if let Some(sets) = &decision.fields {
            for bits in [&sets.read, &sets.edit] {
                let at = words.len();
                words.push(0);
                words.extend(bits.iter());
                words[at] = u32::try_from(words.len() - at - 1).ok()?;
            }
        }
        Some(())
    }

    fn denial_words(&self, denial: &Denial, decision: &Decision, words: &mut Vec<u32>) -> Option<()> {
        let counted = |words: &mut Vec<u32>, items: &[u32]| -> Option<()> {
            words.push(u32::try_from(items.len()).ok()?);
            words.extend_from_slice(items);
            Some(())
        };
        match denial {
            Denial::UnknownUser | Denial::InactiveUser => {}
            Denial::Session { bundle, missing, .. } => {
                let missing = match missing {
                    None => 0,
                    Some(key) => 1 + u32::try_from(MISSING.iter().position(|m| m == key)?).ok()?,
                };
                words.extend([*bundle, missing]);
            }
            Denial::NoPrivilege => counted(words, self.user_bundles(decision.user))?,
            Denial::NoRecordAccess { needs } => {
                let checked = self.checked_kinds(decision.object).len();
                words.extend([*needs as u32, u32::try_from(checked).ok()?]);
            }
            Denial::Forbidden { rule, unknown: None } => words.push(*rule),
            Denial::Forbidden { unknown: Some(_), .. } => return None,
            Denial::FieldNotEditable { fields } => counted(words, fields)?,
        }
        Some(())
    }
}

/// `text`'s bytes four a word, then its length in bytes.
fn push_text(words: &mut Vec<u32>, text: &str) {
    let bytes = text.as_bytes();
    let mut chunks = bytes.chunks_exact(4);
    for chunk in &mut chunks {
        words.push(u32::from_le_bytes([chunk[0], chunk[1], chunk[2], chunk[3]]));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut last = [0; 4];
        last[..rest.len()].copy_from_slice(rest);
        words.push(u32::from_le_bytes(last));
    }
    words.push(u32::try_from(bytes.len()).unwrap_or(u32::MAX));
}

/// A reason's two particular words; `None` for a parent's reasons.
fn particulars(reason: &Reason) -> Option<(u32, u32)> {
    Some(match reason {
        Reason::Owner | Reason::Team { .. } => (0, 0),
        Reason::Scope { scope, bundle, .. } => (*scope as u32, *bundle),
        Reason::Baseline { baseline, .. } => (*baseline as u32, 0),
        Reason::Hierarchy { role, owner_role, .. } => (*role, *owner_role),
        Reason::Peers { role, .. } => (*role, 0),
        Reason::SharingRule { rule, superior, .. } => (*rule, u32::from(*superior)),
        Reason::ManualShare { with, .. } => match *with {
            Principal::User(i) => (0, i),
            Principal::Group(i) => (1, i),
            Principal::Role(i) => (2, i),
            Principal::RoleAndSubordinates(i) => (3, i),
            Principal::Department(i) => (4, i),
            Principal::DepartmentTree(i) => (5, i),
        },
        Reason::Parent { .. } => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json_name(value: impl serde::Serialize) -> String {
        serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
    }

    #[test]
    fn each_list_is_in_the_order_of_its_enum_and_names_it_as_json_does() {
        assert!(LEVELS.iter().enumerate().all(|(i, l)| *l as usize == i && json_name(l) == level_word(*l, crate::Lang::En)));
        assert!(SCOPES.iter().enumerate().all(|(i, (s, name))| *s as usize == i && json_name(s) == *name));
        assert!(BASELINES.iter().enumerate().all(|(i, (b, name))| *b as usize == i && json_name(b) == *name));
        assert!(STAGES.iter().enumerate().all(|(i, s)| *s as usize == i && json_name(s) == s.as_str()));
        let recipients = [
            crate::policy::Recipient::User(String::new()),
            crate::policy::Recipient::Group(String::new()),
            crate::policy::Recipient::Role(String::new()),
            crate::policy::Recipient::RoleAndSubordinates(String::new()),
            crate::policy::Recipient::Department(String::new()),
            crate::policy::Recipient::DepartmentTree(String::new()),
        ];
        for (recipient, (key, _)) in recipients.iter().zip(RECIPIENTS) {
            let json = serde_json::to_value(recipient).unwrap_or_default();
            assert!(json.get(key).is_some(), "{json} has no `{key}`");
        }
    }
}
