//! The change-control state as one value: versions, requests, the audit log
//! and review campaigns, with every step of SPEC §4 as a method that either
//! commits (and appends its audit entry) or changes nothing. The admin app
//! keeps a `Ledger` in IndexedDB; the CLI keeps the same data in SQLite rows
//! and exports this same JSON (`clearance state export`).

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
        let mut ledger =
            Ledger { format: FORMAT.to_owned(), versions: Vec::new(), requests: Vec::new(), audit: Vec::new(), campaigns: Vec::new() };
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
            ledger.record(at, actor, "request_submitted", &id, serde_json::json!({"base": request.base, "summary": summary}));
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
            ledger.record(at, actor, action, id, serde_json::json!({"state": request.state, "comment": comment}));
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
        let mut ids = std::collections::BTreeSet::new();
        for (i, r) in self.requests.iter().enumerate() {
            if !ids.insert(&r.id) {
                problems.push(format!("/requests/{i}/id"), code::DUPLICATE_ID, format!("request `{}` appears twice", r.id));
            }
        }
        problems.into_result()
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
    }
}
