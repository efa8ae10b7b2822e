//! The JSON form of a decision (SPEC §5): names instead of indices.

use crate::check::Query;
use crate::decision::{Decision, Denial, Reason};
use crate::engine::{Engine, Principal};
use crate::explain::{Lang, Subject, explain, write_explanation};
use crate::policy::{Baseline, Recipient};

pub use crate::output::{DecisionOut, DenialOut, FieldsOut, ReasonOut};

impl Engine {
    /// Field sets of `object` by name.
    pub fn fields_out(&self, object: u32, sets: &crate::decision::FieldSets) -> FieldsOut {
        let names = |bits: &crate::fields::FieldBits| {
            bits.iter().map(|f| self.objects[object as usize].fields[f as usize].name.to_string()).collect()
        };
        FieldsOut { read: names(&sets.read), edit: names(&sets.edit) }
    }

    /// Renders a decision for output, with its English message.
    pub fn render(&self, decision: &Decision, query: &Query<'_>) -> DecisionOut {
        let mut out = self.render_parts(decision, query, true);
        out.message = explain(&out, &self.subject(decision, query), Lang::En);
        out
    }

    /// The decision's English message alone, written into `out`, from a
    /// rendering without the parts sentences do not read (field lists, the
    /// paths checked).
    pub fn write_sentence(&self, decision: &Decision, query: &Query<'_>, out: &mut String) {
        write_explanation(out, &self.render_parts(decision, query, false), &self.subject(decision, query), Lang::En);
    }

    fn render_parts(&self, decision: &Decision, query: &Query<'_>, lists: bool) -> DecisionOut {
        DecisionOut {
            allowed: decision.allowed,
            level: decision.level,
            stage: decision.stage(),
            reasons: self.reasons_out(&decision.reasons),
            denial: decision.denial.as_ref().map(|d| self.denial_out(d, decision, query.user, lists)),
            remedy: decision.remedy_mfa.then(|| "mfa".to_owned()),
            fields: decision.fields.as_ref().filter(|_| lists).map(|sets| self.fields_out(decision.object, sets)),
            message: String::new(),
        }
    }

    /// Reasons for output: what `diff` reports of a change, without the
    /// message and field lists a whole decision's rendering builds.
    pub fn reasons_out(&self, reasons: &[Reason]) -> Vec<ReasonOut> {
        reasons.iter().map(|r| self.reason_out(r)).collect()
    }

    /// Who did what to which record, for sentences.
    pub fn subject<'a>(&'a self, decision: &Decision, query: &Query<'a>) -> Subject<'a> {
        Subject {
            user: query.user,
            user_name: decision.user.and_then(|u| self.user_name(u)),
            action: self.actions.get(decision.action as usize).map(|a| &*a.name).unwrap_or_default(),
            object: self.object_name(decision.object).unwrap_or_default(),
            record: query.record.map(|r| r.id()),
        }
    }

    fn reason_out(&self, reason: &Reason) -> ReasonOut {
        let mut out = ReasonOut::new(reason.kind(), reason.level());
        match reason {
            Reason::Owner | Reason::Team { .. } => {}
            Reason::Scope { scope, bundle, .. } => {
                out.scope = Some(*scope);
                out.bundle = Some(self.bundles[*bundle as usize].id.to_string());
            }
            Reason::Baseline { baseline, .. } => out.baseline = Some(*baseline),
            Reason::Hierarchy { role, owner_role, .. } => {
                out.role = Some(self.roles.ids[*role as usize].to_string());
                out.owner_role = Some(self.roles.ids[*owner_role as usize].to_string());
            }
            Reason::Peers { role, .. } => out.role = Some(self.roles.ids[*role as usize].to_string()),
            Reason::SharingRule { rule, superior, .. } => {
                out.rule = Some(self.sharing[*rule as usize].id.to_string());
                out.via_superior = Some(*superior);
            }
            Reason::ManualShare { with, .. } => out.with = Some(self.recipient(*with)),
            Reason::Parent { object, record, reasons, .. } => {
                out.object = Some(self.objects[*object as usize].name.to_string());
                out.record = Some(record.to_string());
                out.reasons = Some(reasons.iter().map(|r| self.reason_out(r)).collect());
            }
        }
        out
    }

    fn denial_out(&self, denial: &Denial, decision: &Decision, user: &str, lists: bool) -> DenialOut {
        let mut out = DenialOut::default();
        match denial {
            Denial::UnknownUser | Denial::InactiveUser => out.user = Some(user.to_owned()),
            Denial::Session { bundle, missing, .. } => {
                out.bundle = Some(self.bundles[*bundle as usize].id.to_string());
                out.missing_context = missing.map(str::to_owned);
            }
            Denial::NoPrivilege => {
                let bundles = self.user_bundles(decision.user);
                out.bundles = Some(bundles.iter().map(|&b| self.bundles[b as usize].id.to_string()).collect());
            }
            Denial::NoRecordAccess { needs } => {
                out.needs = Some(*needs);
                out.checked = lists.then(|| self.checked_kinds(decision.object).iter().map(|&k| k.to_owned()).collect());
            }
            Denial::Forbidden { rule, unknown } => {
                out.rule = Some(self.forbid[*rule as usize].id.to_string());
                out.missing_context = unknown.as_deref().map(str::to_owned);
            }
            Denial::FieldNotEditable { fields } => {
                out.fields =
                    Some(fields.iter().map(|&f| self.objects[decision.object as usize].fields[f as usize].name.to_string()).collect());
            }
        }
        out
    }

    /// The bundles a `no_privilege` denial lists: the user's.
    pub(crate) fn user_bundles(&self, user: Option<u32>) -> &[u32] {
        user.map(|u| &*self.merged[self.users[u as usize].merged as usize].bundles).unwrap_or(&[])
    }

    /// The paths a `no_record_access` denial says were checked: every
    /// reason kind, the parent's only where records follow their parent.
    pub(crate) fn checked_kinds(&self, object: u32) -> &'static [&'static str] {
        let parent = self.objects[object as usize].baseline == Baseline::ControlledByParent;
        &Reason::KINDS[..Reason::KINDS.len() - usize::from(!parent)]
    }

    /// The policy-file form of a principal.
    pub(crate) fn recipient(&self, principal: Principal) -> Recipient {
        match principal {
            Principal::User(u) => Recipient::User(self.user_id(u).to_string()),
            Principal::Group(g) => Recipient::Group(self.groups[g as usize].to_string()),
            Principal::Role(r) => Recipient::Role(self.roles.ids[r as usize].to_string()),
            Principal::RoleAndSubordinates(r) => Recipient::RoleAndSubordinates(self.roles.ids[r as usize].to_string()),
            Principal::Department(d) => Recipient::Department(self.departments.ids[d as usize].to_string()),
            Principal::DepartmentTree(d) => Recipient::DepartmentTree(self.departments.ids[d as usize].to_string()),
        }
    }
}
