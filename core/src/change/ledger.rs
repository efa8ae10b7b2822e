//! The change-control state as one value: versions, requests, the audit log
//! and review campaigns, with every step of SPEC §4 as a method that either
//! commits (and appends its audit entry) or changes nothing. The admin app
//! keeps a `Ledger` in IndexedDB; the CLI keeps the same data in SQLite rows
//! and exports this same JSON (`clearance state export`).

use super::request::ChangeRequest;
use super::request::codes::{HISTORY_DIVERGES, HISTORY_SHORTER, NOT_AN_APPROVER};
use super::review::{Campaign, Reviewers, Verdict};
use super::steps;
use super::{Operation, version};
use crate::audit::{self, Entry};
use crate::engine::Engine;
use crate::error::{Error, Problems, code};
use crate::policy::Policy;
use serde::{Deserialize, Serialize};

/// The export format's name.
pub const FORMAT: &str = "clearance-state/1";

/// Everything, as stored, exported and imported.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Ledger {
    /// [`FORMAT`].
    pub format: String,
    /// Versions, oldest first.
    pub versions: Vec<Version>,
    /// Change requests, oldest first.
    pub requests: Vec<ChangeRequest>,
    /// The audit log.
    pub audit: Vec<Entry>,
    /// Review campaigns, oldest first.
    pub campaigns: Vec<Campaign>,
}

pub use super::steps::{Step, Version};

impl Ledger {
    /// A ledger whose first version is `policy`.
    ///
    /// # Errors
    /// The policy's problems; an actor who is not one of its users.
    pub fn new(policy: Policy, actor: &str, at: &str) -> Result<Ledger, Error> {
        let mut ledger = Ledger::empty();
        steps::init(&mut ledger, policy, actor, at)?;
        Ok(ledger)
    }

    /// The newest version.
    pub fn current(&self) -> Option<&Version> {
        self.versions.last()
    }

    /// Runs `f` on a copy and keeps it only if `f` succeeds: every step is all or nothing.
    fn atomically<T>(&mut self, f: impl FnOnce(&mut Ledger) -> Result<T, Error>) -> Result<T, Error> {
        let mut copy = self.clone();
        let value = f(&mut copy)?;
        *self = copy;
        Ok(value)
    }

    /// A state with nothing in it: what an import into a fresh store replaces.
    pub fn empty() -> Ledger {
        Ledger { format: FORMAT.to_owned(), versions: Vec::new(), requests: Vec::new(), audit: Vec::new(), campaigns: Vec::new() }
    }

    /// The state that importing `incoming` as `actor` leaves: `incoming`,
    /// checked whole, with a `state_imported` audit entry appended. The
    /// actor must hold the approver permission under the current policy (or,
    /// importing into an empty state, under the incoming one); an incoming
    /// audit log that does not extend the current one (shorter, or differing
    /// at some entry: an older or doctored export) is refused unless `force`,
    /// and a forced import names the head it replaced.
    ///
    /// # Errors
    /// `not_an_approver`, `history_shorter`, `history_diverges`, or every
    /// problem of `incoming`.
    pub fn admit_import(&self, incoming: Ledger, actor: &str, at: &str, force: bool) -> Result<Ledger, Error> {
        incoming.check(None)?;
        let judge = self
            .current()
            .or(incoming.current())
            .ok_or_else(|| Error::one("/versions", crate::Code::NoVersion, "the import holds no policy version"))?;
        let engine = Engine::compile(judge.policy.clone())?;
        if !super::request::is_approver(&engine, actor) {
            return Err(Error::one("/as", NOT_AN_APPROVER, format!("`{actor}` may not import a state: it needs the approver permission")));
        }
        if !force {
            self.extended_by(&incoming)?;
        }
        let mut next = incoming;
        let details = serde_json::json!({
            "versions": next.versions.len(), "requests": next.requests.len(), "audit": next.audit.len(),
            "forced": force, "replaced_head": self.audit.last().map(|e| e.hash.clone()),
        });
        steps::record(&mut next, at, actor, "state_imported", "state", details)?;
        Ok(next)
    }

    /// Whether `incoming`'s audit log begins with this one, entry for entry.
    fn extended_by(&self, incoming: &Ledger) -> Result<(), Error> {
        if incoming.audit.len() < self.audit.len() {
            return Err(Error::one(
                "/audit",
                HISTORY_SHORTER,
                format!(
                    "the import's audit log has {} entries, the current one {}: an older export would erase history (pass --force to replace it anyway)",
                    incoming.audit.len(),
                    self.audit.len()
                ),
            ));
        }
        match self.audit.iter().zip(&incoming.audit).position(|(mine, theirs)| mine.hash != theirs.hash) {
            Some(i) => Err(Error::one(
                format!("/audit/{i}"),
                HISTORY_DIVERGES,
                format!("the import's audit log differs from the current one at entry {} (pass --force to replace it anyway)", i + 1),
            )),
            None => Ok(()),
        }
    }

    /// Drafts and submits a change request; returns its id.
    ///
    /// # Errors
    /// As [`steps::propose`].
    pub fn propose(&mut self, actor: &str, changes: Vec<Operation>, comment: &str, at: &str) -> Result<String, Error> {
        self.atomically(|ledger| steps::propose(ledger, actor, changes, comment, at).map(|r| r.id))
    }

    /// Approves, rejects, applies or reviews a request.
    ///
    /// # Errors
    /// As [`steps::step`].
    pub fn step(&mut self, id: &str, step: Step, actor: &str, comment: &str, at: &str) -> Result<(), Error> {
        self.atomically(|ledger| steps::step(ledger, id, step, actor, comment, at).map(|_| ()))
    }

    /// Proposes restoring the version whose hash starts with `prefix`.
    ///
    /// # Errors
    /// As [`steps::restore`].
    pub fn restore(&mut self, prefix: &str, actor: &str, at: &str) -> Result<String, Error> {
        self.atomically(|ledger| steps::restore(ledger, prefix, actor, "", at).map(|r| r.id))
    }

    /// The version whose hash starts with `prefix`.
    ///
    /// # Errors
    /// `unknown_version`.
    pub fn version(&self, prefix: &str) -> Result<&Version, Error> {
        steps::find_version(&self.versions, prefix)
    }

    /// Starts an access review over the current version; returns its id.
    ///
    /// # Errors
    /// As [`steps::start_review`].
    pub fn start_review(&mut self, actor: &str, due: &str, reviewers: &Reviewers, at: &str) -> Result<String, Error> {
        self.atomically(|ledger| steps::start_review(ledger, actor, due, reviewers, at).map(|c| c.id))
    }

    /// A reviewer's verdict on an item.
    ///
    /// # Errors
    /// As [`steps::decide`].
    pub fn decide(&mut self, campaign: &str, item: u32, verdict: Verdict, actor: &str, comment: &str, at: &str) -> Result<(), Error> {
        self.atomically(|ledger| steps::decide(ledger, campaign, item, verdict, actor, comment, at).map(|_| ()))
    }

    /// Closes a campaign (its owner); its revocations become a request, whose id is returned.
    ///
    /// # Errors
    /// As [`steps::close_review`].
    pub fn close_review(&mut self, campaign: &str, actor: &str, at: &str) -> Result<Option<String>, Error> {
        self.atomically(|ledger| steps::close_review(ledger, campaign, actor, at).map(|(_, r)| r.map(|r| r.id)))
    }

    /// Verifies a stored state against its recorded head and, given a
    /// checkpoint (its signature checked by the caller), that the log still
    /// holds the entry it signed: what `clearance audit verify` and every
    /// store's verification run. Returns the number of audit entries.
    ///
    /// # Errors
    /// Every problem of [`Ledger::check`]; an empty log is a broken chain,
    /// since every state starts with an entry; a checkpoint the log no
    /// longer holds.
    pub fn verify_stored(&self, head: Option<&str>, checkpoint: Option<&crate::checkpoint::Checkpoint>) -> Result<usize, Error> {
        if self.audit.is_empty() {
            return Err(Error::one("", audit::code::BROKEN_CHAIN, "the audit log is empty: nothing proves this state's history"));
        }
        self.check(head)?;
        if let Some(checkpoint) = checkpoint {
            checkpoint.covers(&self.audit)?;
        }
        Ok(self.audit.len())
    }

    /// Checks the whole ledger: format, every version compiles and matches
    /// its hash, unique request ids, and the audit chain (ending at `head`
    /// when given).
    ///
    /// # Errors
    /// Every problem, with its path.
    pub fn check(&self, head: Option<&str>) -> Result<(), Error> {
        let mut problems = Problems::default();
        if self.format != FORMAT {
            problems.push("/format", code::BAD_VALUE, format!("expected format `{FORMAT}`, found `{}`", self.format));
        }
        for (i, v) in self.versions.iter().enumerate() {
            if v.seq != i as u64 + 1 {
                problems.push(format!("/versions/{i}/seq"), code::BAD_VALUE, format!("expected seq {}", i + 1));
            }
            if let Err(error) = Engine::compile(v.policy.clone()) {
                problems.extend_at(&format!("/versions/{i}/policy"), error);
            }
            if version(&v.policy) != v.hash {
                problems.push(format!("/versions/{i}/hash"), code::BAD_VALUE, "the hash does not match the policy");
            }
        }
        if let Err(error) = audit::verify(&self.audit, head) {
            problems.extend_at("/audit", error);
        }
        self.check_commitments(&mut problems);
        let mut ids = std::collections::BTreeSet::new();
        for (i, r) in self.requests.iter().enumerate() {
            if !ids.insert(&r.id) {
                problems.push(format!("/requests/{i}/id"), code::DUPLICATE_ID, format!("request `{}` appears twice", r.id));
            }
        }
        problems.into_result()
    }
}

impl Ledger {
    /// What the audit log commits to: every version was recorded with its
    /// hash (`version_created`, by seq), and every request as stored is the
    /// one the last entry about it hashed (`request_hash`). A version or a
    /// request edited where it is kept, without a matching entry, is found.
    fn check_commitments(&self, problems: &mut Problems) {
        // One pass over the log: the versions it recorded, and the last hash
        // it recorded of each request.
        let mut versions = std::collections::BTreeSet::new();
        let mut requests = std::collections::BTreeMap::new();
        for e in &self.audit {
            if e.action == "version_created"
                && let Some(seq) = e.details.get("seq").and_then(serde_json::Value::as_u64)
            {
                versions.insert((seq, e.subject.as_str()));
            }
            if let Some(hash) = e.details.get("request_hash").and_then(serde_json::Value::as_str) {
                requests.insert(e.subject.as_str(), hash);
            }
        }
        for (i, v) in self.versions.iter().enumerate() {
            if !versions.contains(&(v.seq, v.hash.as_str())) {
                problems.push(
                    format!("/versions/{i}"),
                    audit::code::BROKEN_CHAIN,
                    format!("version {} is not the one the audit log recorded", v.seq),
                );
            }
        }
        for (i, r) in self.requests.iter().enumerate() {
            if requests.get(r.id.as_str()).copied() != Some(super::request_hash(r).as_str()) {
                problems.push(
                    format!("/requests/{i}"),
                    audit::code::BROKEN_CHAIN,
                    format!("request `{}` is not the one the audit log last recorded", r.id),
                );
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reference() -> Policy {
        crate::parse_policy(crate::generate::REFERENCE_ORG).unwrap()
    }

    /// Every step by every kind of actor on a request in every state: the
    /// refusal `may_step` predicts is the one the step meets, and a step it
    /// allows succeeds.
    #[test]
    fn may_step_predicts_every_step_outcome() {
        let actors = ["mgr_east_mike", "admin_ivy", "fin_mgr_fiona", "rep_east_alice", "nobody"];
        let steps = [Step::Approve, Step::Reject, Step::Apply, Step::Review];
        let mut ledger = Ledger::new(reference(), "admin_ivy", "2026-11-29T10:00:00Z").unwrap();
        let ops = || vec![Operation::MoveUser { user: "rep_east_bob".into(), role: Some("sales_rep_west".into()), department: None }];
        let pending = ledger.propose("mgr_east_mike", ops(), "", "2026-11-29T10:01:00Z").unwrap();
        let approved = ledger.propose("mgr_east_mike", ops(), "", "2026-11-29T10:01:00Z").unwrap();
        ledger.step(&approved, Step::Approve, "admin_ivy", "", "2026-11-29T10:02:00Z").unwrap();
        let mut stale_ledger = ledger.clone();
        let applied = ledger.propose("mgr_east_mike", ops(), "", "2026-11-29T10:01:00Z").unwrap();
        ledger.step(&applied, Step::Approve, "admin_ivy", "", "2026-11-29T10:02:00Z").unwrap();
        ledger.step(&applied, Step::Apply, "fin_mgr_fiona", "", "2026-11-29T10:03:00Z").unwrap();
        // `approved` is stale now: the policy changed under it.
        stale_ledger.step(&approved, Step::Apply, "fin_mgr_fiona", "", "2026-11-29T10:03:00Z").unwrap();
        // Granting every Account to sales reps needs two approvers: one has approved.
        let all = Operation::SetScope {
            bundle: super::super::BundleRef { kind: super::super::BundleKind::Profile, id: "sales_rep".into() },
            object: "Account".into(),
            action: "read".into(),
            scope: Some(crate::policy::Scope::All),
        };
        let half = ledger.propose("mgr_east_mike", vec![all], "", "2026-11-29T10:04:00Z").unwrap();
        ledger.step(&half, Step::Approve, "admin_ivy", "", "2026-11-29T10:05:00Z").unwrap();
        let mut seen = std::collections::BTreeSet::new();
        for id in [&pending, &approved, &applied, &half] {
            for step in steps {
                for actor in actors {
                    let engine = Engine::compile(ledger.current().unwrap().policy.clone()).unwrap();
                    let request = ledger.requests.iter().find(|r| &r.id == id).unwrap();
                    let predicted =
                        super::super::steps::may_step(request, step, &engine, actor).err().map(|e| e.problems()[0].code.clone());
                    let mut trial = ledger.clone();
                    let outcome = trial.step(id, step, actor, "", "2026-11-29T10:09:00Z").err().map(|e| e.problems()[0].code.clone());
                    assert_eq!(predicted, outcome, "{id} {step:?} by {actor}");
                    seen.insert(outcome.unwrap_or_else(|| "ok".to_owned()));
                }
            }
        }
        let want = ["ok", "bad_state", "self_approval", "not_an_approver", "stale_request", "already_approved"];
        assert!(want.iter().all(|c| seen.contains(*c)), "{seen:?}");
        // And what the rules say, step by step (agreement alone would pass a rule dropped from both).
        let engine = Engine::compile(ledger.current().unwrap().policy.clone()).unwrap();
        let code = |id: &str, step: Step, actor: &str| {
            let request = ledger.requests.iter().find(|r| r.id == id).unwrap();
            super::super::steps::may_step(request, step, &engine, actor).err().map_or("ok".to_owned(), |e| e.problems()[0].code.clone())
        };
        let expected = [
            (&pending, Step::Reject, "mgr_east_mike", "self_approval"),
            (&pending, Step::Reject, "rep_east_alice", "not_an_approver"),
            (&pending, Step::Reject, "admin_ivy", "ok"),
            (&pending, Step::Review, "admin_ivy", "bad_state"),
            (&applied, Step::Review, "rep_east_alice", "not_an_approver"),
            (&applied, Step::Review, "fin_mgr_fiona", "ok"),
            (&applied, Step::Reject, "admin_ivy", "bad_state"),
            (&half, Step::Approve, "admin_ivy", "already_approved"),
            (&half, Step::Approve, "fin_mgr_fiona", "ok"),
            (&approved, Step::Apply, "admin_ivy", "stale_request"),
        ];
        for (id, step, actor, want) in expected {
            assert_eq!(code(id, step, actor), want, "{id} {step:?} by {actor}");
        }
    }

    #[test]
    fn the_cycle_and_its_audit_trail() {
        let mut ledger = Ledger::new(reference(), "admin_ivy", "2026-11-29T10:00:00Z").unwrap();
        let v1 = ledger.current().unwrap().hash.clone();
        let ops = vec![Operation::MoveUser { user: "rep_east_bob".into(), role: Some("sales_rep_west".into()), department: None }];
        let id = ledger.propose("mgr_east_mike", ops, "", "2026-11-29T10:01:00Z").unwrap();
        let before = ledger.clone();
        assert!(
            ledger.step(&id, Step::Approve, "mgr_east_mike", "", "2026-11-29T10:02:00Z").unwrap_err().has_code(crate::Code::SelfApproval)
        );
        assert_eq!(ledger, before, "a refused step changes nothing");
        ledger.step(&id, Step::Approve, "admin_ivy", "ok", "2026-11-29T10:03:00Z").unwrap();
        ledger.step(&id, Step::Apply, "admin_ivy", "", "2026-11-29T10:04:00Z").unwrap();
        assert_eq!(ledger.versions.len(), 2);
        let restore = ledger.restore(&v1[..8], "mgr_east_mike", "2026-11-29T10:05:00Z").unwrap();
        ledger.step(&restore, Step::Approve, "fin_mgr_fiona", "", "2026-11-29T10:06:00Z").unwrap();
        ledger.step(&restore, Step::Apply, "admin_ivy", "", "2026-11-29T10:07:00Z").unwrap();
        assert_eq!(ledger.current().unwrap().hash, v1);
        assert!(ledger.check(ledger.audit.last().map(|e| e.hash.as_str())).is_ok());
        // Verified whole, and against a checkpoint of an entry it still holds (or no longer does).
        let head = ledger.audit.last().map(|e| e.hash.clone());
        let signed = crate::checkpoint::Checkpoint::sign(&ledger.audit[3], "2026-11-29T10:08:00Z", &[7; 32]);
        assert_eq!(ledger.verify_stored(head.as_deref(), Some(&signed)).unwrap(), ledger.audit.len());
        let shorter = Ledger::new(reference(), "admin_ivy", "2026-11-29T10:00:00Z").unwrap();
        let short_head = shorter.audit.last().map(|e| e.hash.clone());
        assert_eq!(shorter.verify_stored(short_head.as_deref(), None).unwrap(), 1);
        assert!(shorter.verify_stored(short_head.as_deref(), Some(&signed)).is_err(), "the log no longer holds the checkpoint's entry");
        assert!(Ledger::empty().verify_stored(None, None).is_err(), "an empty log proves nothing");
        let text = serde_json::to_string(&ledger).unwrap();
        let back: Ledger = serde_json::from_str(&text).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), text, "export → import → export is identical");
        let mut tampered = ledger.clone();
        tampered.audit[2].actor = "mallory".into();
        assert!(tampered.check(None).unwrap_err().problems()[0].path.starts_with("/audit/2"));
        // What the log commits to: a request or a version edited in place (hash recomputed) is found.
        let mut edited = ledger.clone();
        edited.requests[0].approvers.push("mallory".into());
        assert_eq!(edited.check(None).unwrap_err().problems()[0].path, "/requests/0");
        let mut edited = ledger.clone();
        edited.versions[1].policy.name = Some("another org".into());
        edited.versions[1].hash = version(&edited.versions[1].policy);
        assert_eq!(edited.check(None).unwrap_err().problems()[0].path, "/versions/1");
    }

    #[test]
    fn an_access_review_decides_and_closes_into_a_request() {
        let mut ledger = Ledger::new(reference(), "admin_ivy", "2026-11-29T10:00:00Z").unwrap();
        let reviewers = Reviewers::Named("fin_mgr_fiona".into());
        let id = ledger.start_review("admin_ivy", "2026-12-31T00:00:00Z", &reviewers, "2026-11-29T10:01:00Z").unwrap();
        let item = ledger.campaigns[0].items[0].id;
        assert!(ledger.decide(&id, item, Verdict::Revoke, "rep_east_alice", "", "2026-11-29T10:02:00Z").is_err(), "not the reviewer");
        ledger.decide(&id, item, Verdict::Revoke, "fin_mgr_fiona", "no longer needed", "2026-11-29T10:02:00Z").unwrap();
        assert_eq!(ledger.audit.last().unwrap().action, "review_decided");
        assert!(ledger.close_review(&id, "fin_mgr_fiona", "2026-11-29T10:03:00Z").unwrap_err().has_code(crate::Code::NotTheOwner));
        let request = ledger.close_review(&id, "admin_ivy", "2026-11-29T10:03:00Z").unwrap();
        assert_eq!(request.as_deref(), Some("R1"));
        assert_eq!(ledger.requests[0].state, super::super::request::State::Pending);
        assert!(ledger.check(None).is_ok());
    }

    #[test]
    fn may_decide_and_may_close_predict_the_steps() {
        let mut ledger = Ledger::new(reference(), "admin_ivy", "2026-11-29T10:00:00Z").unwrap();
        let id = ledger
            .start_review("admin_ivy", "2026-12-31T00:00:00Z", &Reviewers::Named("fin_mgr_fiona".into()), "2026-11-29T10:01:00Z")
            .unwrap();
        let item = ledger.campaigns[0].items[0].id;
        let code = |result: Result<(), crate::Error>| result.err().map(|e| e.problems()[0].code.clone());
        let at = "2026-11-29T10:02:00Z";
        for (actor, item) in [("rep_east_alice", item), ("fin_mgr_fiona", 9999), ("fin_mgr_fiona", item)] {
            let predicted = code(ledger.campaigns[0].may_decide(item, actor));
            assert_eq!(predicted, code(ledger.clone().decide(&id, item, Verdict::Keep, actor, "", at).map(|_| ())), "{actor} {item}");
        }
        assert_eq!(code(ledger.campaigns[0].may_decide(item, "rep_east_alice")).as_deref(), Some("not_the_reviewer"));
        assert_eq!(code(ledger.campaigns[0].may_decide(9999, "fin_mgr_fiona")).as_deref(), Some("bad_item"));
        assert_eq!(code(ledger.campaigns[0].may_close("fin_mgr_fiona")).as_deref(), Some("not_the_owner"));
        assert_eq!(code(ledger.campaigns[0].may_close("admin_ivy")), None);
        ledger.close_review(&id, "admin_ivy", at).unwrap();
        let closed = &ledger.campaigns[0];
        assert_eq!(code(closed.may_close("admin_ivy")).as_deref(), Some("bad_item"), "closed already");
        assert_eq!(code(closed.may_decide(item, "fin_mgr_fiona")).as_deref(), Some("bad_item"), "a closed campaign takes no verdict");
        assert_eq!(code(ledger.close_review(&id, "admin_ivy", at).map(|_| ())).as_deref(), Some("bad_item"));
    }

    #[test]
    fn an_import_needs_an_approver_and_a_history_that_extends_the_current_one() {
        let at = "2026-11-29T11:00:00Z";
        let old = Ledger::new(reference(), "admin_ivy", "2026-11-29T10:00:00Z").unwrap();
        let mut current = old.clone();
        let ops = vec![Operation::MoveUser { user: "rep_east_bob".into(), role: Some("sales_rep_west".into()), department: None }];
        current.propose("mgr_east_mike", ops, "", "2026-11-29T10:01:00Z").unwrap();
        let mut newer = current.clone();
        let campaign = newer.start_review("admin_ivy", "2026-12-31T00:00:00Z", &Reviewers::Manager, "2026-11-29T10:02:00Z").unwrap();
        assert_eq!(campaign, "C1");

        let refused = current.admit_import(newer.clone(), "rep_east_bob", at, false).unwrap_err();
        assert!(refused.has_code(NOT_AN_APPROVER), "{refused:?}");
        assert!(current.admit_import(newer.clone(), "nobody", at, true).unwrap_err().has_code(NOT_AN_APPROVER));

        let shorter = current.admit_import(old.clone(), "admin_ivy", at, false).unwrap_err();
        assert!(shorter.has_code(HISTORY_SHORTER), "{shorter:?}");
        let forked = Ledger::new(reference(), "admin_ivy", "2026-11-29T09:00:00Z").unwrap();
        let mut forked_longer = forked.clone();
        forked_longer.propose("mgr_east_mike", Vec::new(), "", "2026-11-29T09:01:00Z").ok();
        forked_longer.start_review("admin_ivy", "2026-12-31T00:00:00Z", &Reviewers::Manager, "2026-11-29T09:02:00Z").unwrap();
        forked_longer.start_review("admin_ivy", "2026-12-31T00:00:00Z", &Reviewers::Manager, "2026-11-29T09:03:00Z").unwrap();
        let diverges = current.admit_import(forked_longer.clone(), "admin_ivy", at, false).unwrap_err();
        assert!(diverges.has_code(HISTORY_DIVERGES), "{diverges:?}");
        assert_eq!(diverges.problems()[0].path, "/audit/0");
        let mut doctored = newer.clone();
        doctored.audit[1].actor = "mallory".into();
        assert!(current.admit_import(doctored, "admin_ivy", at, true).is_err(), "a broken chain is refused even when forced");

        let next = current.admit_import(newer.clone(), "admin_ivy", at, false).unwrap();
        assert_eq!(next.audit.len(), newer.audit.len() + 1);
        assert_eq!(next.audit[..newer.audit.len()], newer.audit[..]);
        let entry = next.audit.last().unwrap();
        assert_eq!((entry.action.as_str(), entry.actor.as_str()), ("state_imported", "admin_ivy"));
        assert_eq!(entry.details["forced"], false);
        assert!(next.check(Some(&entry.hash)).is_ok());
        assert_eq!(current.admit_import(current.clone(), "admin_ivy", at, false).unwrap().audit.len(), current.audit.len() + 1);

        let forced = current.admit_import(old.clone(), "admin_ivy", at, true).unwrap();
        let entry = forced.audit.last().unwrap();
        assert_eq!(entry.details["forced"], true);
        assert_eq!(entry.details["replaced_head"], current.audit.last().unwrap().hash.as_str());

        // Into an empty state, the incoming policy judges the actor.
        assert!(Ledger::empty().admit_import(newer.clone(), "admin_ivy", at, false).is_ok());
        assert!(Ledger::empty().admit_import(newer, "rep_east_bob", at, false).unwrap_err().has_code(NOT_AN_APPROVER));
        assert!(Ledger::empty().admit_import(Ledger::empty(), "admin_ivy", at, false).is_err());
    }
}
