//! A change request's life: draft → pending → approved / rejected →
//! applied → reviewed. Every transition is checked here, so the CLI and the
//! admin app cannot differ on who may do what:
//!
//! - only the author submits; the author never approves or rejects;
//! - approvers hold the policy's `change_control.approvers_need` system
//!   permission (default `approve_access_changes`) and are active;
//! - a change that `needs_two_approvals` needs two distinct approvers;
//! - only an approved request applies, only by an approver, never by its
//!   author unless `change_control.author_may_apply`, and only to the
//!   version it was drafted against (else it is stale and must be drafted
//!   again).
//!
//! Time comes from the caller (`at`, RFC 3339): the core reads no clock.

use super::{Operation, apply, needs_two_approvals, version};
use crate::engine::Engine;
use crate::error::Error;
use crate::policy::Policy;
use serde::{Deserialize, Serialize};

/// Stable error codes of the request flow.
pub mod codes {
    /// The transition is not allowed from the request's state.
    pub const BAD_STATE: crate::error::Code = crate::error::Code::BadState;
    /// The author tried to approve or reject their own request.
    pub const SELF_APPROVAL: crate::error::Code = crate::error::Code::SelfApproval;
    /// The actor lacks the approver permission (or is unknown or inactive).
    pub const NOT_AN_APPROVER: crate::error::Code = crate::error::Code::NotAnApprover;
    /// An import whose audit log is shorter than the current one.
    pub const HISTORY_SHORTER: crate::error::Code = crate::error::Code::HistoryShorter;
    /// An import whose audit log does not begin with the current one.
    pub const HISTORY_DIVERGES: crate::error::Code = crate::error::Code::HistoryDiverges;
    /// The actor approved this request already.
    pub const ALREADY_APPROVED: crate::error::Code = crate::error::Code::AlreadyApproved;
    /// The policy changed since the request was drafted.
    pub const STALE_REQUEST: crate::error::Code = crate::error::Code::StaleRequest;
    /// Only the author may submit or withdraw.
    pub const NOT_THE_AUTHOR: crate::error::Code = crate::error::Code::NotTheAuthor;
    /// The author tried to apply their own request, which the policy does not allow.
    pub const SELF_APPLY: crate::error::Code = crate::error::Code::SelfApply;
}

/// Where a request is in its life.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum State {
    /// Being written by its author.
    Draft,
    /// Waiting for approvals.
    Pending,
    /// Approved by enough approvers; ready to apply.
    Approved,
    /// Rejected by an approver (final).
    Rejected,
    /// Applied: a new version exists.
    Applied,
    /// Reviewed after applying (final).
    Reviewed,
}

/// One recorded step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Step {
    /// `drafted`, `submitted`, `approved`, `rejected`, `applied`, `reviewed`.
    pub action: String,
    /// Who.
    pub actor: String,
    /// When (RFC 3339).
    pub at: String,
    /// Their comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
}

/// A change request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ChangeRequest {
    /// Its id.
    pub id: String,
    /// Who drafted it.
    pub author: String,
    /// The version it was drafted against.
    pub base: String,
    /// The operations.
    pub changes: Vec<Operation>,
    /// Where it is.
    pub state: State,
    /// Approvals needed (1 or 2), fixed when drafted.
    pub approvals_needed: u8,
    /// Why two approvals are needed, if they are.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub two_approvals_because: Option<String>,
    /// Distinct approvers so far.
    #[serde(default)]
    pub approvers: Vec<String>,
    /// The version applying it produced.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub applied_version: Option<String>,
    /// Every step, in order.
    pub history: Vec<Step>,
}

fn refuse(code: crate::Code, message: impl Into<String>) -> Error {
    Error::one("", code, message)
}

/// Whether `actor` may approve changes under `policy`: the one judge of
/// approving, reviewing and importing a state.
pub(crate) fn is_approver(engine: &Engine, actor: &str) -> bool {
    let permission = engine
        .policy()
        .ok()
        .and_then(|p| p.change_control.as_ref())
        .and_then(|c| c.approvers_need.clone())
        .unwrap_or_else(|| "approve_access_changes".to_owned());
    let active = engine.user_position(actor).is_some_and(|u| engine.users[u as usize].active);
    active && engine.has_system_permission(actor, &permission)
}

impl ChangeRequest {
    /// Drafts a request against `current`, checking that the change set
    /// applies (so a draft is never born broken) and fixing how many
    /// approvals it needs.
    ///
    /// # Errors
    /// The change set's problems (see [`super::apply`]).
    pub fn draft(
        id: &str,
        author: &str,
        current: &Policy,
        changes: Vec<Operation>,
        at: &str,
        comment: &str,
    ) -> Result<ChangeRequest, Error> {
        let (after, _) = apply(current, &changes)?;
        let because = needs_two_approvals(current, &after);
        Ok(ChangeRequest {
            id: id.to_owned(),
            author: author.to_owned(),
            base: version(current),
            changes,
            state: State::Draft,
            approvals_needed: if because.is_some() { 2 } else { 1 },
            two_approvals_because: because.map(str::to_owned),
            approvers: Vec::new(),
            applied_version: None,
            history: vec![Step { action: "drafted".into(), actor: author.to_owned(), at: at.to_owned(), comment: comment.to_owned() }],
        })
    }

    fn record(&mut self, action: &str, actor: &str, at: &str, comment: &str) {
        self.history.push(Step { action: action.to_owned(), actor: actor.to_owned(), at: at.to_owned(), comment: comment.to_owned() });
    }

    fn expect(&self, state: State, doing: &str) -> Result<(), Error> {
        if self.state == state {
            Ok(())
        } else {
            let name = serde_json::to_value(self.state).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default();
            Err(refuse(codes::BAD_STATE, format!("request `{}` is {name}: it cannot be {doing}", self.id)))
        }
    }

    /// The author submits the draft for approval.
    ///
    /// # Errors
    /// `bad_state`, `not_the_author`.
    pub fn submit(&mut self, actor: &str, at: &str) -> Result<(), Error> {
        self.expect(State::Draft, "submitted")?;
        if actor != self.author {
            return Err(refuse(codes::NOT_THE_AUTHOR, format!("only the author `{}` submits request `{}`", self.author, self.id)));
        }
        self.state = State::Pending;
        self.record("submitted", actor, at, "");
        Ok(())
    }

    /// Whether `actor` may approve now, by the rules [`ChangeRequest::approve`]
    /// applies (the admin app disables the button with this refusal; the
    /// step itself still checks).
    ///
    /// # Errors
    /// `bad_state`, `self_approval`, `not_an_approver`, `already_approved`.
    pub fn may_approve(&self, current: &Engine, actor: &str) -> Result<(), Error> {
        self.expect(State::Pending, "approved")?;
        self.check_approver(current, actor)?;
        if self.approvers.iter().any(|a| a == actor) {
            return Err(refuse(
                codes::ALREADY_APPROVED,
                format!("`{actor}` approved request `{}` already; it needs another approver", self.id),
            ));
        }
        Ok(())
    }

    /// An approver approves; with enough distinct approvals it is approved.
    ///
    /// # Errors
    /// See [`ChangeRequest::may_approve`].
    pub fn approve(&mut self, current: &Engine, actor: &str, at: &str, comment: &str) -> Result<(), Error> {
        self.may_approve(current, actor)?;
        self.approvers.push(actor.to_owned());
        if self.approvers.len() >= usize::from(self.approvals_needed) {
            self.state = State::Approved;
        }
        self.record("approved", actor, at, comment);
        Ok(())
    }

    /// Whether `actor` may reject now (see [`ChangeRequest::may_approve`]).
    ///
    /// # Errors
    /// `bad_state`, `self_approval`, `not_an_approver`.
    pub fn may_reject(&self, current: &Engine, actor: &str) -> Result<(), Error> {
        self.expect(State::Pending, "rejected")?;
        self.check_approver(current, actor)
    }

    /// An approver rejects (final).
    ///
    /// # Errors
    /// See [`ChangeRequest::may_reject`].
    pub fn reject(&mut self, current: &Engine, actor: &str, at: &str, comment: &str) -> Result<(), Error> {
        self.may_reject(current, actor)?;
        self.state = State::Rejected;
        self.record("rejected", actor, at, comment);
        Ok(())
    }

    fn check_approver(&self, current: &Engine, actor: &str) -> Result<(), Error> {
        if actor == self.author {
            return Err(refuse(codes::SELF_APPROVAL, format!("`{actor}` drafted request `{}` and cannot approve or reject it", self.id)));
        }
        if !is_approver(current, actor) {
            return Err(refuse(codes::NOT_AN_APPROVER, format!("`{actor}` may not approve access changes")));
        }
        Ok(())
    }

    /// Whether `actor` may apply now: approved, by an approver, not its
    /// author unless the policy allows, and drafted against the current
    /// version (see [`ChangeRequest::may_approve`]).
    ///
    /// # Errors
    /// `bad_state`, `not_an_approver`, `self_apply`, `stale_request`.
    pub fn may_apply(&self, current: &Engine, actor: &str) -> Result<(), Error> {
        self.expect(State::Approved, "applied")?;
        let policy = current.policy()?;
        if !is_approver(current, actor) {
            return Err(refuse(codes::NOT_AN_APPROVER, format!("`{actor}` may not apply access changes")));
        }
        let author_may_apply = policy.change_control.as_ref().is_some_and(|c| c.author_may_apply);
        if actor == self.author && !author_may_apply {
            return Err(refuse(
                codes::SELF_APPLY,
                format!(
                    "`{actor}` drafted request `{}` and cannot apply it (the policy's `change_control.author_may_apply` is off)",
                    self.id
                ),
            ));
        }
        if version(policy) != self.base {
            return Err(refuse(
                codes::STALE_REQUEST,
                format!(
                    "request `{}` was drafted against version `{}`, but the policy has changed since: draft it again",
                    self.id,
                    short(&self.base)
                ),
            ));
        }
        Ok(())
    }

    /// Applies an approved request to the current policy (`current`'s),
    /// which must still be the version it was drafted against. Returns the
    /// new policy.
    ///
    /// # Errors
    /// See [`ChangeRequest::may_apply`]; the change set's problems.
    pub fn apply(&mut self, current: &Engine, actor: &str, at: &str) -> Result<(Policy, Engine), Error> {
        self.may_apply(current, actor)?;
        let (after, engine) = apply(current.policy()?, &self.changes)?;
        self.state = State::Applied;
        self.applied_version = Some(version(&after));
        self.record("applied", actor, at, "");
        Ok((after, engine))
    }

    /// Whether `actor` may review now (see [`ChangeRequest::may_approve`]).
    ///
    /// # Errors
    /// `bad_state`, `not_an_approver`.
    pub fn may_review(&self, current: &Engine, actor: &str) -> Result<(), Error> {
        self.expect(State::Applied, "reviewed")?;
        if !is_approver(current, actor) {
            return Err(refuse(codes::NOT_AN_APPROVER, format!("`{actor}` may not review access changes")));
        }
        Ok(())
    }

    /// An approver reviews the applied change (final).
    ///
    /// # Errors
    /// See [`ChangeRequest::may_review`].
    pub fn review(&mut self, current: &Engine, actor: &str, at: &str, comment: &str) -> Result<(), Error> {
        self.may_review(current, actor)?;
        self.state = State::Reviewed;
        self.record("reviewed", actor, at, comment);
        Ok(())
    }
}

/// The first 12 hex digits of a version.
pub fn short(version: &str) -> &str {
    &version[..12.min(version.len())]
}
