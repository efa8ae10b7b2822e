//! The one sequencer of change control: every step of SPEC §4 (start a
//! state, propose, approve, reject, apply, review, restore, access reviews)
//! as a function over a [`Storage`]. The CLI's SQLite file, the admin app's
//! in-memory [`super::ledger::Ledger`] and the server's databases implement
//! the storage; none of them orders steps, checks who may act or writes an
//! audit entry itself, so they cannot differ on any of it.
//!
//! Atomicity is the caller's: run a step inside one transaction (a database
//! transaction, or the ledger's copy-and-swap) and commit only when it
//! returns `Ok`. A refused step may have written nothing the caller keeps.

use super::request::{ChangeRequest, short};
use super::review::{Campaign, Reviewers, Verdict};
use super::{Operation, summarize, version};
use crate::audit::{self, Entry};
use crate::engine::Engine;
use crate::error::{Error, code};
use crate::policy::Policy;
use serde::{Deserialize, Serialize};
use std::sync::Arc;

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

/// What change control keeps, row by row. Reads see the caller's
/// transaction; writes are kept only when it commits.
pub trait Storage {
    /// The newest version.
    ///
    /// # Errors
    /// The store's own failures.
    fn current(&self) -> Result<Option<Version>, Error>;
    /// Every version, oldest first.
    ///
    /// # Errors
    /// The store's own failures.
    fn versions(&self) -> Result<Vec<Version>, Error>;
    /// Keeps a new version (its `seq` follows the newest one's).
    ///
    /// # Errors
    /// The store's own failures.
    fn add_version(&mut self, version: &Version) -> Result<(), Error>;
    /// The next unused id of a request (`R…`) or campaign (`C…`).
    ///
    /// # Errors
    /// The store's own failures.
    fn next_id(&mut self, kind: IdKind) -> Result<String, Error>;
    /// A request by id.
    ///
    /// # Errors
    /// `unknown_request`; the store's own failures.
    fn request(&self, id: &str) -> Result<ChangeRequest, Error>;
    /// Inserts or replaces a request.
    ///
    /// # Errors
    /// The store's own failures.
    fn save_request(&mut self, request: &ChangeRequest) -> Result<(), Error>;
    /// A campaign by id.
    ///
    /// # Errors
    /// `unknown_campaign`; the store's own failures.
    fn campaign(&self, id: &str) -> Result<Campaign, Error>;
    /// Inserts or replaces a campaign.
    ///
    /// # Errors
    /// The store's own failures.
    fn save_campaign(&mut self, campaign: &Campaign) -> Result<(), Error>;
    /// The newest audit entry.
    ///
    /// # Errors
    /// The store's own failures.
    fn last_entry(&self) -> Result<Option<Entry>, Error>;
    /// Appends an entry chained to [`Storage::last_entry`] (and moves the head).
    ///
    /// # Errors
    /// The store's own failures.
    fn append(&mut self, entry: &Entry) -> Result<(), Error>;

    /// The compiled policy of `version`: compiled here by default; a store
    /// that keeps compiled policies (the server's) answers its own.
    ///
    /// # Errors
    /// A policy that does not compile.
    fn compiled(&self, version: &Version) -> Result<Arc<Engine>, Error> {
        Ok(Arc::new(Engine::compile(version.policy.clone())?))
    }

    /// The compiled policy of a version a step just made (by `apply`), for
    /// a store that keeps compiled policies; others drop it.
    fn remember(&mut self, _hash: &str, _engine: Engine) {}
}

/// Which id [`Storage::next_id`] hands out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IdKind {
    /// A change request: `R1`, `R2`, …
    Request,
    /// A review campaign: `C1`, `C2`, …
    Campaign,
}

impl IdKind {
    /// The table a database store keeps these rows in.
    pub fn table(self) -> &'static str {
        match self {
            IdKind::Request => "requests",
            IdKind::Campaign => "campaigns",
        }
    }

    /// The id's letter.
    pub fn prefix(self) -> &'static str {
        match self {
            IdKind::Request => "R",
            IdKind::Campaign => "C",
        }
    }
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

impl Step {
    /// Every step, in the order a request meets them.
    pub const ALL: [Step; 4] = [Step::Approve, Step::Reject, Step::Apply, Step::Review];

    /// Its name, as the API's paths (`/v1/requests/R7/approve`) and the
    /// state file spell it.
    pub fn name(self) -> &'static str {
        match self {
            Step::Approve => "approve",
            Step::Reject => "reject",
            Step::Apply => "apply",
            Step::Review => "review",
        }
    }

    /// The step `name` names.
    pub fn from_name(name: &str) -> Option<Step> {
        Step::ALL.into_iter().find(|step| step.name() == name)
    }
}

/// Appends the audit entry of one step.
///
/// # Errors
/// The store's own failures.
pub fn record(
    s: &mut (impl Storage + ?Sized),
    at: &str,
    actor: &str,
    action: &str,
    subject: &str,
    details: serde_json::Value,
) -> Result<Entry, Error> {
    let entry = audit::next(s.last_entry()?.as_ref(), at, actor, action, subject, details);
    s.append(&entry)?;
    Ok(entry)
}

/// The acting user must be a user of the policy: every recorded step names a real person.
///
/// # Errors
/// `unknown_user`.
pub fn known(engine: &Engine, actor: &str) -> Result<(), Error> {
    if engine.user_position(actor).is_some() {
        Ok(())
    } else {
        Err(Error::one("/actor", code::UNKNOWN_USER, format!("unknown user `{actor}`")))
    }
}

/// The current policy, compiled.
///
/// # Errors
/// `no_version` when the state has none yet; a policy that does not compile.
pub fn current(s: &(impl Storage + ?Sized)) -> Result<(Version, Arc<Engine>), Error> {
    let version =
        s.current()?.ok_or_else(|| Error::one("", crate::Code::NoVersion, "the state has no policy yet: start it with a first version"))?;
    let engine = s.compiled(&version)?;
    Ok((version, engine))
}

fn add_version(s: &mut (impl Storage + ?Sized), policy: Policy, at: &str, author: &str, request: Option<&str>) -> Result<Version, Error> {
    let seq = s.current()?.map_or(1, |v| v.seq + 1);
    let hash = version(&policy);
    let version = Version { seq, hash, at: at.to_owned(), author: author.to_owned(), request: request.map(str::to_owned), policy };
    s.add_version(&version)?;
    let details = match request {
        Some(id) => serde_json::json!({"seq": seq, "request": id}),
        None => serde_json::json!({"seq": seq, "init": true}),
    };
    record(s, at, author, "version_created", &version.hash, details)?;
    Ok(version)
}

/// Starts a state with its first version, by one of the policy's users.
///
/// # Errors
/// `has_version`; an actor who is not a user of `policy`; its problems.
pub fn init(s: &mut (impl Storage + ?Sized), policy: Policy, actor: &str, at: &str) -> Result<Version, Error> {
    if s.current()?.is_some() {
        return Err(Error::one("", crate::Code::HasVersion, "the state already has a policy: propose changes instead"));
    }
    let engine = Engine::compile(policy.clone())?;
    known(&engine, actor)?;
    add_version(s, policy, at, actor, None)
}

/// Drafts and submits a change request against the current version.
///
/// # Errors
/// An unknown author; the change set's problems.
pub fn propose(
    s: &mut (impl Storage + ?Sized),
    actor: &str,
    changes: Vec<Operation>,
    comment: &str,
    at: &str,
) -> Result<ChangeRequest, Error> {
    let (current, engine) = current(s)?;
    known(&engine, actor)?;
    let id = s.next_id(IdKind::Request)?;
    let mut request = ChangeRequest::draft(&id, actor, &current.policy, changes, at, comment)?;
    request.submit(actor, at)?;
    s.save_request(&request)?;
    let details = serde_json::json!({
        "base": request.base, "summary": summarize(&request.changes, crate::Lang::En), "request_hash": super::request_hash(&request),
    });
    record(s, at, actor, "request_submitted", &id, details)?;
    Ok(request)
}

/// Whether `actor` may take `step` on `request` under `current`, by the
/// rules the step itself applies (the admin app disables a button with
/// this refusal; the server, taking the step, still judges).
///
/// # Errors
/// The refusal the step would meet.
pub fn may_step(request: &ChangeRequest, step: Step, current: &Engine, actor: &str) -> Result<(), Error> {
    match step {
        Step::Approve => request.may_approve(current, actor),
        Step::Reject => request.may_reject(current, actor),
        Step::Review => request.may_review(current, actor),
        Step::Apply => request.may_apply(current, actor),
    }
}

/// Approves, rejects, applies or reviews a request.
///
/// # Errors
/// `unknown_request`, and the request's own refusals (see `request.rs`).
pub fn step(s: &mut (impl Storage + ?Sized), id: &str, step: Step, actor: &str, comment: &str, at: &str) -> Result<ChangeRequest, Error> {
    let (_, engine) = current(s)?;
    let mut request = s.request(id)?;
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
            let (after, compiled) = request.apply(&engine, actor, at)?;
            let version = add_version(s, after, at, actor, Some(id))?;
            s.remember(&version.hash, compiled);
            "request_applied"
        }
    };
    s.save_request(&request)?;
    let details = serde_json::json!({"state": request.state, "comment": comment, "request_hash": super::request_hash(&request)});
    record(s, at, actor, action, id, details)?;
    Ok(request)
}

/// The version whose hash starts with `prefix` (one hash; a restored
/// version recurs with the same hash).
///
/// # Errors
/// `unknown_version`.
pub fn find_version<'a>(versions: &'a [Version], prefix: &str) -> Result<&'a Version, Error> {
    let matching: Vec<&Version> = versions.iter().filter(|v| !prefix.is_empty() && v.hash.starts_with(prefix)).collect();
    let distinct: std::collections::BTreeSet<&str> = matching.iter().map(|v| v.hash.as_str()).collect();
    match (distinct.len(), matching.first()) {
        (1, Some(v)) => Ok(v),
        (0, _) | (_, None) => Err(Error::one("", crate::Code::UnknownVersion, format!("no version starts with `{prefix}`"))),
        (n, _) => Err(Error::one("", crate::Code::UnknownVersion, format!("{n} versions start with `{prefix}`: give more digits"))),
    }
}

/// Proposes restoring the version whose hash starts with `prefix` (a
/// restore is a change request like any other: it needs its approvals).
///
/// # Errors
/// `unknown_version`; as [`propose`].
pub fn restore(s: &mut (impl Storage + ?Sized), prefix: &str, actor: &str, comment: &str, at: &str) -> Result<ChangeRequest, Error> {
    let target = find_version(&s.versions()?, prefix)?.clone();
    let comment = if comment.is_empty() { format!("restore version {}", short(&target.hash)) } else { comment.to_owned() };
    propose(s, actor, vec![Operation::ReplacePolicy { policy: Box::new(target.policy) }], &comment, at)
}

/// Starts an access review over the current version.
///
/// # Errors
/// An unknown actor.
pub fn start_review(s: &mut (impl Storage + ?Sized), actor: &str, due: &str, reviewers: &Reviewers, at: &str) -> Result<Campaign, Error> {
    let (current, engine) = current(s)?;
    known(&engine, actor)?;
    let id = s.next_id(IdKind::Campaign)?;
    let campaign = Campaign::start(&current.policy, &id, actor, at, due, reviewers);
    s.save_campaign(&campaign)?;
    record(s, at, actor, "review_started", &id, serde_json::json!({"items": campaign.items.len(), "due": due}))?;
    Ok(campaign)
}

/// A reviewer's verdict on an item.
///
/// # Errors
/// `unknown_campaign`; the campaign's refusals.
pub fn decide(
    s: &mut (impl Storage + ?Sized),
    campaign: &str,
    item: u32,
    verdict: Verdict,
    actor: &str,
    comment: &str,
    at: &str,
) -> Result<Campaign, Error> {
    let mut entry = s.campaign(campaign)?;
    entry.decide(item, actor, verdict, comment, at)?;
    s.save_campaign(&entry)?;
    record(s, at, actor, "review_decided", campaign, serde_json::json!({"item": item, "verdict": verdict, "comment": comment}))?;
    Ok(entry)
}

/// Closes a campaign (its owner only); its revocations become a change
/// request, which needs approvals like any other.
///
/// # Errors
/// `unknown_campaign`, `not_the_owner`; the campaign's refusals.
pub fn close_review(
    s: &mut (impl Storage + ?Sized),
    campaign: &str,
    actor: &str,
    at: &str,
) -> Result<(Campaign, Option<ChangeRequest>), Error> {
    let mut entry = s.campaign(campaign)?;
    entry.may_close(actor)?;
    let ops = entry.close(at)?;
    s.save_campaign(&entry)?;
    let request =
        if ops.is_empty() { None } else { Some(propose(s, actor, ops, &format!("revocations of access review {campaign}"), at)?) };
    record(s, at, actor, "review_closed", campaign, serde_json::json!({"request": request.as_ref().map(|r| r.id.clone())}))?;
    Ok((entry, request))
}

#[cfg(test)]
mod tests {
    use super::Step;

    #[test]
    fn a_step_is_named_as_the_state_file_spells_it_and_read_back() {
        for step in Step::ALL {
            assert_eq!(serde_json::to_value(step).unwrap(), step.name());
            assert_eq!(Step::from_name(step.name()), Some(step));
        }
        assert_eq!(Step::ALL.map(Step::name), ["approve", "reject", "apply", "review"]);
        for other in ["", "Approve", "approved", "close"] {
            assert_eq!(Step::from_name(other), None, "{other}");
        }
    }
}
