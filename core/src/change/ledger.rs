//! The change-control state as one value: versions, requests, the audit log
//! and review campaigns, with every step of SPEC §4 as a method that either
//! commits (and appends its audit entry) or changes nothing. The admin app
//! keeps a `Ledger` in IndexedDB; the CLI keeps the same data in SQLite rows
//! and exports this same JSON (`clearance state export`).

use super::request::codes::{HISTORY_DIVERGES, HISTORY_SHORTER, NOT_AN_APPROVER};
use super::request::{ChangeRequest, short};
use super::review::{Campaign, Reviewers, Verdict};
use super::{Operation, version};
use crate::audit::{self, Entry};
use crate::engine::Engine;
use crate::error::{Error, Problems, code};
use crate::policy::Policy;
use serde::{Deserialize, Serialize};

/// The export format's name.
pub const FORMAT: &str = "clearance-state/1";

/// One policy version.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Version {
    /// Its position, from 1.
    pub seq: u64,
    /// The hash of the policy's canonical form.
    pub hash: String,
    /// When it was created.
    pub at: String,
    /// Who created it (the request's applier, or the initializer).
    pub author: String,
    /// The request that produced it, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub request: Option<String>,
    /// The policy.
    pub policy: Policy,
}

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

/// A step an approver takes on a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Step {
    /// Approve.
    Approve,
    /// Reject.
    Reject,
    /// Apply (approved requests only).
    Apply,
    /// Review after applying.
    Review,
}

fn known(engine: &Engine, actor: &str) -> Result<(), Error> {
    if engine.user_position(actor).is_some() {
        Ok(())
    } else {
        Err(Error::one("/actor", code::UNKNOWN_USER, format!("unknown user `{actor}`")))
    }
}

impl Ledger {
    /// A ledger whose first version is `policy`.
    ///
    /// # Errors
    /// The policy's problems; an actor who is not one of its users.
    pub fn new(policy: Policy, actor: &str, at: &str) -> Result<Ledger, Error> {
        let engine = Engine::compile(policy.clone())?;
        known(&engine, actor)?;
        let mut ledger = Ledger::empty();
        ledger.add_version(policy, at, actor, None);
        Ok(ledger)
    }

    /// The newest version.
    pub fn current(&self) -> Option<&Version> {
        self.versions.last()
    }

    fn current_engine(&self) -> Result<(Policy, Engine), Error> {
        let policy = self.current().map(|v| v.policy.clone()).ok_or_else(|| Error::one("", "no_version", "no policy version yet"))?;
        let engine = Engine::compile(policy.clone())?;
        Ok((policy, engine))
    }

    fn record(&mut self, at: &str, actor: &str, action: &str, subject: &str, details: serde_json::Value) {
        let entry = audit::next(self.audit.last(), at, actor, action, subject, details);
        self.audit.push(entry);
    }

    fn add_version(&mut self, policy: Policy, at: &str, author: &str, request: Option<&str>) {
        let seq = self.versions.len() as u64 + 1;
        let hash = version(&policy);
        self.record(at, author, "version_created", &hash, serde_json::json!({"seq": seq, "request": request}));
        self.versions.push(Version {
            seq,
            hash,
            at: at.to_owned(),
            author: author.to_owned(),
            request: request.map(str::to_owned),
            policy,
        });
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
            .ok_or_else(|| Error::one("/versions", "no_version", "the import holds no policy version"))?;
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
        next.record(at, actor, "state_imported", "state", details);
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
    /// An unknown author; the change set's problems.
    pub fn propose(&mut self, actor: &str, changes: Vec<Operation>, comment: &str, at: &str) -> Result<String, Error> {
        self.atomically(|ledger| {
            let (policy, engine) = ledger.current_engine()?;
            known(&engine, actor)?;
            let id = format!("R{}", ledger.requests.len() + 1);
            let mut request = ChangeRequest::draft(&id, actor, &policy, changes, at, comment)?;
            request.submit(actor, at)?;
            let summary = super::summarize(&request.changes, crate::Lang::En);
            let hash = super::request_hash(&request);
            ledger.record(
                at,
                actor,
                "request_submitted",
                &id,
                serde_json::json!({"base": request.base, "summary": summary, "request_hash": hash}),
            );
            ledger.requests.push(request);
            Ok(id)
        })
    }

    /// Approves, rejects, applies or reviews a request.
    ///
    /// # Errors
    /// `unknown_request`, and the request's own refusals (see `request.rs`).
    pub fn step(&mut self, id: &str, step: Step, actor: &str, comment: &str, at: &str) -> Result<(), Error> {
        self.atomically(|ledger| {
            let (policy, engine) = ledger.current_engine()?;
            let index = ledger
                .requests
                .iter()
                .position(|r| r.id == id)
                .ok_or_else(|| Error::one("", "unknown_request", format!("no change request `{id}`")))?;
            let mut request = ledger.requests[index].clone();
            let action = match step {
                Step::Approve => {
                    request.approve(&engine, actor, at, comment)?;
                    "request_approved"
                }
                Step::Reject => {
                    request.reject(&engine, actor, at, comment)?;
                    "request_rejected"
                }
                Step::Review => {
                    request.review(&engine, actor, at, comment)?;
                    "request_reviewed"
                }
                Step::Apply => {
                    let (after, _) = request.apply(&policy, actor, at)?;
                    ledger.add_version(after, at, actor, Some(id));
                    "request_applied"
                }
            };
            let hash = super::request_hash(&request);
            ledger.record(at, actor, action, id, serde_json::json!({"state": request.state, "comment": comment, "request_hash": hash}));
            ledger.requests[index] = request;
            Ok(())
        })
    }

    /// Proposes restoring the version whose hash starts with `prefix`.
    ///
    /// # Errors
    /// `unknown_version`; as [`Ledger::propose`].
    pub fn restore(&mut self, prefix: &str, actor: &str, at: &str) -> Result<String, Error> {
        let target = self.version(prefix)?.clone();
        let comment = format!("restore version {}", short(&target.hash));
        self.propose(actor, vec![Operation::ReplacePolicy { policy: Box::new(target.policy) }], &comment, at)
    }

    /// The version whose hash starts with `prefix` (one hash; a restored
    /// version recurs with the same hash).
    ///
    /// # Errors
    /// `unknown_version`.
    pub fn version(&self, prefix: &str) -> Result<&Version, Error> {
        let matching: Vec<&Version> = self.versions.iter().filter(|v| !prefix.is_empty() && v.hash.starts_with(prefix)).collect();
        let distinct: std::collections::BTreeSet<&str> = matching.iter().map(|v| v.hash.as_str()).collect();
        match (distinct.len(), matching.first()) {
            (1, Some(v)) => Ok(v),
            (0, _) | (_, None) => Err(Error::one("", "unknown_version", format!("no version starts with `{prefix}`"))),
            (n, _) => Err(Error::one("", "unknown_version", format!("{n} versions start with `{prefix}`: give more digits"))),
        }
    }

    /// Starts an access review over the current version; returns its id.
    ///
    /// # Errors
    /// An unknown actor.
    pub fn start_review(&mut self, actor: &str, due: &str, reviewers: &Reviewers, at: &str) -> Result<String, Error> {
        self.atomically(|ledger| {
            let (policy, engine) = ledger.current_engine()?;
            known(&engine, actor)?;
            let id = format!("C{}", ledger.campaigns.len() + 1);
            let campaign = Campaign::start(&policy, &id, actor, at, due, reviewers);
            ledger.record(at, actor, "review_started", &id, serde_json::json!({"items": campaign.items.len(), "due": due}));
            ledger.campaigns.push(campaign);
            Ok(id)
        })
    }

    fn campaign_mut(&mut self, id: &str) -> Result<&mut Campaign, Error> {
        self.campaigns
            .iter_mut()
            .find(|c| c.id == id)
            .ok_or_else(|| Error::one("", "unknown_campaign", format!("no review campaign `{id}`")))
    }

    /// A reviewer's verdict on an item.
    ///
    /// # Errors
    /// `unknown_campaign`; the campaign's refusals.
    pub fn decide(&mut self, campaign: &str, item: u32, verdict: Verdict, actor: &str, comment: &str, at: &str) -> Result<(), Error> {
        self.atomically(|ledger| {
            let entry = ledger.campaign_mut(campaign)?;
            entry.decide(item, actor, verdict, comment, at)?;
            ledger.record(at, actor, "review_decided", campaign, serde_json::json!({"item": item, "verdict": verdict, "comment": comment}));
            Ok(())
        })
    }

    /// Closes a campaign (its owner); its revocations become a request, whose id is returned.
    ///
    /// # Errors
    /// `unknown_campaign`, `not_the_owner`; the campaign's refusals.
    pub fn close_review(&mut self, campaign: &str, actor: &str, at: &str) -> Result<Option<String>, Error> {
        self.atomically(|ledger| {
            let entry = ledger.campaign_mut(campaign)?;
            if entry.owner != actor {
                return Err(Error::one("", "not_the_owner", format!("campaign `{campaign}` is closed by its owner `{}`", entry.owner)));
            }
            let ops = entry.close(at)?;
            let request = if ops.is_empty() {
                None
            } else {
                Some(ledger.propose(actor, ops, &format!("revocations of access review {campaign}"), at)?)
            };
            ledger.record(at, actor, "review_closed", campaign, serde_json::json!({"request": request}));
            Ok(request)
        })
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

    #[test]
    fn the_cycle_and_its_audit_trail() {
        let mut ledger = Ledger::new(reference(), "admin_ivy", "2026-11-29T10:00:00Z").unwrap();
        let v1 = ledger.current().unwrap().hash.clone();
        let ops = vec![Operation::MoveUser { user: "rep_east_bob".into(), role: Some("sales_rep_west".into()), department: None }];
        let id = ledger.propose("mgr_east_mike", ops, "", "2026-11-29T10:01:00Z").unwrap();
        let before = ledger.clone();
        assert!(ledger.step(&id, Step::Approve, "mgr_east_mike", "", "2026-11-29T10:02:00Z").unwrap_err().has_code("self_approval"));
        assert_eq!(ledger, before, "a refused step changes nothing");
        ledger.step(&id, Step::Approve, "admin_ivy", "ok", "2026-11-29T10:03:00Z").unwrap();
        ledger.step(&id, Step::Apply, "admin_ivy", "", "2026-11-29T10:04:00Z").unwrap();
        assert_eq!(ledger.versions.len(), 2);
        let restore = ledger.restore(&v1[..8], "mgr_east_mike", "2026-11-29T10:05:00Z").unwrap();
        ledger.step(&restore, Step::Approve, "fin_mgr_fiona", "", "2026-11-29T10:06:00Z").unwrap();
        ledger.step(&restore, Step::Apply, "admin_ivy", "", "2026-11-29T10:07:00Z").unwrap();
        assert_eq!(ledger.current().unwrap().hash, v1);
        assert!(ledger.check(ledger.audit.last().map(|e| e.hash.as_str())).is_ok());
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
    fn an_import_needs_an_approver_and_a_history_that_extends_the_current_one() {
        let at = "2026-11-29T11:00:00Z";
        let old = Ledger::new(reference(), "admin_ivy", "2026-11-29T10:00:00Z").unwrap();
        let mut current = old.clone();
        let ops = vec![Operation::MoveUser { user: "rep_east_bob".into(), role: Some("sales_rep_west".into()), department: None }];
        current.propose("mgr_east_mike", ops, "", "2026-11-29T10:01:00Z").unwrap();
        let mut newer = current.clone();
        newer.start_review("admin_ivy", "2026-12-31T00:00:00Z", &Reviewers::Manager, "2026-11-29T10:02:00Z").unwrap();

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
