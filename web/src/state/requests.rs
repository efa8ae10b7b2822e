//! Change requests as the Requests pages show them: the list's filters and
//! order (kept in the address, so a filtered list is a link), the steps a
//! request's state allows with the reason one is refused now, and the audit
//! entries that speak of one request. Plain functions, tested natively.

use super::model::name_of;
use super::route::Route;
use clearance_core::change::Operation;
use clearance_core::change::ledger::Step;
use clearance_core::change::request::{ChangeRequest, State};
use clearance_core::change::steps::may_step;
use clearance_core::diff::Diff;
use clearance_core::policy::Policy;
use clearance_core::{Engine, Error, Problem};

/// The list's orders, the first the default: newest first.
pub const SORTS: [&str; 4] = ["newest", "oldest", "state", "author"];

/// Every state, in the order of a request's life (the filter's choices).
pub const STATES: [State; 6] = [State::Draft, State::Pending, State::Approved, State::Rejected, State::Applied, State::Reviewed];

/// What the list shows: a state, an author (empty: any) and an order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Filter {
    /// A state's JSON name (`pending`), or empty.
    pub state: String,
    /// An author's id, or empty.
    pub author: String,
    /// One of [`SORTS`]; anything else is the default.
    pub sort: String,
}

impl Filter {
    /// The filter the address names (`/requests?state=pending&author=…&sort=author`).
    pub fn of(route: &Route) -> Filter {
        Filter { state: route.get("state"), author: route.get("author"), sort: route.get("sort") }
    }
}

/// A request id's number (`R12` → 12), so that R10 comes after R9.
fn number(id: &str) -> u64 {
    id.trim_start_matches(|c: char| !c.is_ascii_digit()).parse().unwrap_or(0)
}

fn rank(state: State) -> usize {
    STATES.iter().position(|s| *s == state).unwrap_or(STATES.len())
}

/// The requests the filter keeps, in its order (ties: newest first).
pub fn shown(requests: &[ChangeRequest], filter: &Filter) -> Vec<ChangeRequest> {
    let mut kept: Vec<ChangeRequest> = requests
        .iter()
        .filter(|r| filter.state.is_empty() || name_of(&r.state) == filter.state)
        .filter(|r| filter.author.is_empty() || r.author == filter.author)
        .cloned()
        .collect();
    let newest = |a: &ChangeRequest, b: &ChangeRequest| number(&b.id).cmp(&number(&a.id));
    match filter.sort.as_str() {
        "oldest" => kept.sort_by(|a, b| newest(b, a)),
        "state" => kept.sort_by(|a, b| rank(a.state).cmp(&rank(b.state)).then_with(|| newest(a, b))),
        "author" => kept.sort_by(|a, b| a.author.cmp(&b.author).then_with(|| newest(a, b))),
        _ => kept.sort_by(newest),
    }
    kept
}

/// Everyone who proposed a request, once each, in order (the author filter's choices).
pub fn authors(requests: &[ChangeRequest]) -> Vec<String> {
    let mut all: Vec<String> = requests.iter().map(|r| r.author.clone()).collect();
    all.sort();
    all.dedup();
    all
}

/// Whether a request in `state` can take `step` at all (whoever asks).
pub fn state_allows(state: State, step: Step) -> bool {
    matches!(
        (state, step),
        (State::Pending, Step::Approve | Step::Reject) | (State::Approved, Step::Apply) | (State::Applied, Step::Review)
    )
}

/// A step the request's state allows, and why `actor` may not take it now
/// (`None`: they may). The server still judges the step when it is taken.
#[derive(Debug, Clone, PartialEq)]
pub struct Offered {
    /// The step.
    pub step: Step,
    /// The refusal the step would meet, by the core's own rules.
    pub refusal: Option<Problem>,
}

/// The steps `request`'s state allows, each with the refusal `actor` would
/// meet under the applied policy (`None` when it is not compiled: the step
/// is offered and judged when taken).
pub fn offered(request: &ChangeRequest, applied: Option<&Engine>, actor: &str) -> Vec<Offered> {
    Step::ALL
        .into_iter()
        .filter(|step| state_allows(request.state, *step))
        .map(|step| Offered {
            step,
            refusal: applied.and_then(|engine| may_step(request, step, engine, actor).err()).and_then(|e| e.problems().first().cloned()),
        })
        .collect()
}

/// Who gains and loses what by a request, on `records`: from the version it
/// was drafted against to the version its apply made, or, before it is
/// applied, to that version with its changes. Both versions are named by
/// their content's hash and never change, so the preview a request showed
/// when it was submitted is the one it shows for ever, and an applied
/// request shows what it did (not a diff against the policy it already
/// changed).
///
/// # Errors
/// A change set that no longer applies, or a policy that does not compile.
pub fn preview(base: &Policy, applied: Option<&Policy>, changes: &[Operation], records: &serde_json::Value) -> Result<Diff, Error> {
    let after = match applied {
        Some(policy) => policy.clone(),
        None => clearance_core::change::apply(base, changes)?.0,
    };
    let (before, after) = (Engine::compile(base.clone())?, Engine::compile(after)?);
    clearance_core::diff::diff(&before, &after, records, &Default::default())
}

#[cfg(test)]
mod tests {
    use super::*;
    use clearance_core::change::ledger::Ledger;
    use clearance_core::change::request::Step as Recorded;

    fn request(id: &str, author: &str, state: State) -> ChangeRequest {
        ChangeRequest {
            id: id.to_owned(),
            author: author.to_owned(),
            base: "v".to_owned(),
            changes: Vec::new(),
            state,
            approvals_needed: 1,
            two_approvals_because: None,
            approvers: Vec::new(),
            applied_version: None,
            history: vec![Recorded {
                action: "drafted".into(),
                actor: author.into(),
                at: "2026-12-01T00:00:00Z".into(),
                comment: String::new(),
            }],
        }
    }

    fn ids(requests: &[ChangeRequest]) -> Vec<&str> {
        requests.iter().map(|r| r.id.as_str()).collect()
    }

    #[test]
    fn the_list_filters_by_state_and_author_and_sorts_ids_by_number() {
        let all = [
            request("R9", "mike", State::Applied),
            request("R10", "ann", State::Pending),
            request("R2", "mike", State::Pending),
            request("R11", "mike", State::Rejected),
        ];
        let with = |state: &str, author: &str, sort: &str| {
            ids(&shown(&all, &Filter { state: state.into(), author: author.into(), sort: sort.into() })).join(" ")
        };
        assert_eq!(with("", "", ""), "R11 R10 R9 R2", "newest first by number, not by text");
        assert_eq!(with("", "", "no-such-order"), "R11 R10 R9 R2");
        assert_eq!(with("", "", "oldest"), "R2 R9 R10 R11");
        assert_eq!(with("", "", "state"), "R10 R2 R11 R9", "pending, then rejected, then applied; newest first within");
        assert_eq!(with("", "", "author"), "R10 R11 R9 R2");
        assert_eq!(with("pending", "", ""), "R10 R2");
        assert_eq!(with("pending", "mike", ""), "R2");
        assert_eq!(with("", "mike", "oldest"), "R2 R9 R11");
        assert_eq!(with("reviewed", "", ""), "");
        assert_eq!(authors(&all), ["ann", "mike"]);
        let route = Route::parse("/requests", "?state=pending&author=mike&sort=oldest");
        assert_eq!(Filter::of(&route), Filter { state: "pending".into(), author: "mike".into(), sort: "oldest".into() });
    }

    /// The table of what each state allows is the core's own rule: every
    /// step it hides is one the core refuses with `bad_state`, and every
    /// step it offers is one the core refuses for another reason or allows.
    #[test]
    fn the_steps_offered_are_those_the_core_does_not_refuse_for_the_state() {
        let engine = Engine::compile(clearance_core::parse_policy(clearance_core::generate::REFERENCE_ORG).unwrap()).unwrap();
        for state in STATES {
            for step in Step::ALL {
                let refused = may_step(&request("R1", "mgr_east_mike", state), step, &engine, "admin_ivy").err();
                let bad_state = refused.is_some_and(|e| e.problems()[0].code == "bad_state");
                assert_eq!(state_allows(state, step), !bad_state, "{state:?} {step:?}");
            }
        }
    }

    #[test]
    fn a_step_is_offered_with_the_reason_the_actor_would_be_refused() {
        let policy = clearance_core::parse_policy(clearance_core::generate::REFERENCE_ORG).unwrap();
        let mut ledger = Ledger::new(policy, "admin_ivy", "2026-12-01T10:00:00Z").unwrap();
        let ops = vec![clearance_core::change::Operation::MoveUser {
            user: "rep_east_bob".into(),
            role: Some("sales_rep_west".into()),
            department: None,
        }];
        let id = ledger.propose("mgr_east_mike", ops, "bob moves west", "2026-12-01T10:01:00Z").unwrap();
        let engine = Engine::compile(ledger.current().unwrap().policy.clone()).unwrap();
        let pending = ledger.requests.last().unwrap().clone();
        let steps = |actor: &str, applied: Option<&Engine>| {
            offered(&pending, applied, actor).into_iter().map(|o| (o.step, o.refusal.map(|p| p.code))).collect::<Vec<_>>()
        };
        assert_eq!(
            steps("mgr_east_mike", Some(&engine)),
            [(Step::Approve, Some("self_approval".to_owned())), (Step::Reject, Some("self_approval".to_owned()))]
        );
        assert_eq!(steps("admin_ivy", Some(&engine)), [(Step::Approve, None), (Step::Reject, None)]);
        assert_eq!(steps("mgr_east_mike", None), [(Step::Approve, None), (Step::Reject, None)], "judged when taken");
        ledger.step(&id, Step::Approve, "admin_ivy", "", "2026-12-01T10:02:00Z").unwrap();
        ledger.step(&id, Step::Apply, "fin_mgr_fiona", "", "2026-12-01T10:03:00Z").unwrap();
        let entries = clearance_core::audit::about_request(&ledger.audit, &id);
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert_eq!(actions, ["request_submitted", "request_approved", "version_created", "request_applied"]);
        assert!(clearance_core::audit::about_request(&ledger.audit, "R99").is_empty());
        // Applied, the request still shows what it did: its base and the version it made, not the current policy twice.
        let applied = ledger.requests.last().unwrap().clone();
        let (base, made) = (ledger.version(&applied.base).unwrap(), ledger.version(applied.applied_version.as_deref().unwrap()).unwrap());
        let records: serde_json::Value = serde_json::from_str(include_str!("../../../examples/reference-records.json")).unwrap();
        let did = preview(&base.policy, Some(&made.policy), &applied.changes, &records).unwrap();
        let would = preview(&base.policy, None, &pending.changes, &records).unwrap();
        assert_eq!((did.summary.total.gained, did.summary.total.lost), (4, 6), "what the CLI's diff says of this move");
        assert_eq!(did.changes, would.changes, "the preview at submission is what the apply did");
        let current = &ledger.current().unwrap().policy;
        let again = preview(current, None, &applied.changes, &records).unwrap();
        assert_eq!(again.summary.total.gained + again.summary.total.lost, 0, "against the policy it changed, the same move is +0 / −0");
    }
}
