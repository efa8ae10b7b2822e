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
//! - then, after the words, the message.
//!
//! The words cross as text ([`push_word`]): a typed array costs JavaScript
//! an `ArrayBuffer` per answer, which took longer than deciding.
//!
//! A parent's reasons and a forbid rule's missing context key have no words:
//! such a decision is answered as JSON.

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
/// The stages, in their enum's order.
const STAGES: [Stage; 9] = Stage::ALL;
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
const MISSING: [&str; 3] = ["mfa", "ip", "time"];

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

    /// One query decided into `out`: its words as text (the module's
    /// layout), then its message; the decision, for the caller to record
    /// (`Engine::record_event`). `out` stays empty, and there is no
    /// decision, when it has a part the words do not carry: the caller then
    /// answers it as JSON, which records it.
    pub fn answer_compact(&self, query: &Query<'_>, out: &mut String) -> Option<Decision> {
        let decision = self.check_query(query);
        out.reserve(200);
        if self.write_words(&decision, out).is_none() {
            out.clear();
            return None;
        }
        self.write_sentence(&decision, query, out);
        Some(decision)
    }

    fn write_words(&self, decision: &Decision, out: &mut String) -> Option<()> {
        // The sum of distinct bits.
        let flags = u32::from(decision.allowed)
            + 2 * u32::from(decision.level.is_some())
            + 4 * u32::from(decision.remedy_mfa)
            + 8 * u32::from(decision.fields.is_some())
            + 16 * u32::from(decision.denial.is_some());
        let stage = decision.stage().map_or(0, |s| s as u32);
        for word in [flags, decision.level.map_or(0, |l| l as u32), stage, decision.object] {
            push_word(out, word);
        }
        push_count(out, decision.reasons.len());
        for reason in &decision.reasons {
            let (a, b) = particulars(reason)?;
            for word in [u32::from(reason.kind_index()), reason.level() as u32, a, b] {
                push_word(out, word);
            }
        }
        if let Some(denial) = &decision.denial {
            self.denial_words(denial, decision, out)?;
        }
        for bits in decision.fields.iter().flat_map(|sets| [&sets.read, &sets.edit]) {
            push_count(out, bits.len());
            bits.iter().for_each(|field| push_word(out, field));
        }
        Some(())
    }

    fn denial_words(&self, denial: &Denial, decision: &Decision, out: &mut String) -> Option<()> {
        let counted = |out: &mut String, items: &[u32]| {
            push_count(out, items.len());
            items.iter().for_each(|&item| push_word(out, item));
        };
        match denial {
            Denial::UnknownUser | Denial::InactiveUser => {}
            Denial::Session { bundle, missing, .. } => {
                let missing = match missing {
                    None => 0,
                    Some(key) => 1 + MISSING.iter().position(|m| m == key)?,
                };
                push_word(out, *bundle);
                push_count(out, missing);
            }
            Denial::NoPrivilege => counted(out, self.user_bundles(decision.user)),
            Denial::NoRecordAccess { needs } => {
                push_word(out, *needs as u32);
                push_count(out, self.checked_kinds(decision.object).len());
            }
            Denial::Forbidden { rule, unknown: None } => push_word(out, *rule),
            Denial::Forbidden { unknown: Some(_), .. } => return None,
            Denial::FieldNotEditable { fields } => counted(out, fields),
        }
        Some(())
    }
}

/// A length as a word (none reaches 2^32: lists of an engine's names).
fn push_count(out: &mut String, count: usize) {
    push_word(out, u32::try_from(count).unwrap_or(u32::MAX));
}

/// One word as text: its 6-bit digits as ASCII chars, lowest first, each
/// but the last with 0x40 added. All-ASCII text is the cheapest to cross:
/// JavaScript decodes it with a copy, into a one-byte string (14-bit chars
/// took three UTF-8 bytes each and a two-byte string). Text, not a typed
/// array: an `ArrayBuffer` per answer took longer than deciding.
#[inline(always)]
fn push_word(out: &mut String, mut word: u32) {
    while word >= 0x40 {
        out.push(char::from(0x40 + (word & 0x3F) as u8));
        word >>= 6;
    }
    out.push(char::from(word as u8));
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
mod tests;
