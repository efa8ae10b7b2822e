//! One change request's whole story at `/requests/R7`: its changes in
//! sentences, who gains and loses what (frozen: from the version it was
//! drafted against), the steps its state allows with the reason each
//! refused one is refused, every step with its comment, and its audit
//! entries.

use super::{Link, StateChip, all};
use crate::components::problems::Problems;
use crate::components::request_preview::RequestPreview;
use crate::components::request_steps::RequestSteps;
use crate::components::sentence::Sentence;
use crate::components::table_head::TableHead;
use crate::state::AppState;
use crate::state::Page;
use crate::state::requests::offered;
use crate::state::route::Route;
use crate::state::versions::short;
use clearance_core::Problem;
use clearance_core::audit::{Entry, about_request};
use clearance_core::change::request::ChangeRequest;
use clearance_core::change::summarize;
use leptos::prelude::*;

/// The text key of a recorded step's action.
fn action_key(action: &str) -> &'static str {
    match action {
        "drafted" => "req.did_drafted",
        "submitted" => "req.did_submitted",
        "approved" => "req.did_approved",
        "rejected" => "req.did_rejected",
        "applied" => "req.did_applied",
        "reviewed" => "req.did_reviewed",
        _ => "req.did_other",
    }
}

/// The audit entries about request `id`: the sandbox's ledger, or the server's log.
fn entries_of(state: AppState, id: String, entries: RwSignal<Vec<Entry>>, problems: RwSignal<Vec<Problem>>) {
    Effect::new(move |_| {
        if !state.on_server() {
            entries.set(state.control.ledger.with(|l| l.as_ref().map(|l| about_request(&l.audit, &id)).unwrap_or_default()));
            return;
        }
        // Asked again after every step: the server's requests are read anew then.
        state.server.requests.track();
        let id = id.clone();
        leptos::task::spawn_local(async move {
            match state.server.audit_of(&id).await {
                Ok(found) => entries.set(found),
                Err(refused) => problems.set(refused),
            }
        });
    });
}

/// What the request is: author, versions, approvals.
#[component]
fn Facts(request: ChangeRequest) -> impl IntoView {
    let state = AppState::get();
    let versions = |to: Option<&str>| {
        let route = Route::page(Page::Versions).with("from", &request.base);
        to.map_or(route.clone(), |to| route.with("to", to))
    };
    let applied = request.applied_version.clone().map(|hash| {
        let route = versions(Some(&hash));
        view! {
            <dt>{move || state.t("req.applied_as")}</dt>
            <dd><Link route testid="request-applied-version"><code>{short(&hash)}</code></Link></dd>
        }
    });
    let because = request.two_approvals_because.clone().map(|why| view! { <span class="hint">" · "<Sentence text=why/></span> });
    view! {
        <dl class="facts">
            <dt>{move || state.t("req.col_author")}</dt>
            <dd data-testid="request-author">{request.author.clone()}</dd>
            <dt>{move || state.t("req.base")}</dt>
            <dd><Link route=versions(None) testid="request-base"><code>{short(&request.base)}</code></Link></dd>
            <dt>{move || state.t("req.col_approvals")}</dt>
            <dd data-testid="request-approvals">{format!("{}/{}", request.approvers.len(), request.approvals_needed)}" "{request.approvers.join(", ")}{because}</dd>
            {applied}
        </dl>
    }
}

/// Every recorded step, with who, when and the comment.
#[component]
fn History(request: ChangeRequest) -> impl IntoView {
    let state = AppState::get();
    let rows = request
        .history
        .into_iter()
        .map(|step| {
            let key = action_key(&step.action);
            view! {
                <tr data-testid="request-event" data-action=step.action.clone()>
                    <td>{step.at}</td>
                    <td>{step.actor}</td>
                    <td>{move || state.t(key)}</td>
                    <td data-testid="request-event-comment">{step.comment}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <table>
            <TableHead keys=&["req.col_when", "req.col_who", "req.col_what", "req.col_comment"]/>
            <tbody>{rows}</tbody>
        </table>
    }
}

/// The page of request `id`.
#[component]
pub fn RequestPage(id: String) -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let comment = RwSignal::new(String::new());
    let entries = RwSignal::new(Vec::<Entry>::new());
    entries_of(state, id.clone(), entries, problems);
    let (wanted, missing) = (id.clone(), id.clone());
    let found = Memo::new(move |_| all(state).into_iter().find(|r| r.id == wanted));
    let back = move || view! { <Link route=Route::page(Page::Requests) testid="request-back">{move || state.t("req.back")}</Link> };
    let story = move || {
        let Some(request) = found.get() else {
            let probing = state.server.mode.with(|m| matches!(m, crate::state::api::Mode::Probing));
            if probing || (state.on_server() && !state.server.listed.get()) {
                return view! { <section><p data-testid="request-loading" role="status">{move || state.t("req.loading")}</p></section> }
                    .into_any();
            }
            return view! { <section><p data-testid="request-unknown">{move || state.t("req.unknown")}" "<code>{missing.clone()}</code></p></section> }.into_any();
        };
        let lang = state.lang.get();
        let diff_key = if request.applied_version.is_some() { "req.diff_applied" } else { "req.diff_preview" };
        // A closed request says so; an open one takes a comment with its step.
        let steps = if offered(&request, None, "").is_empty() {
            view! { <p class="hint" data-testid="request-no-steps">{state.t("req.no_steps")}</p> }.into_any()
        } else {
            view! {
                <label>{move || state.t("req.comment")}" "<input data-testid="request-step-comment" on:input=move |ev| comment.set(event_target_value(&ev))/></label>
                <RequestSteps request=request.clone() comment problems explain=true/>
            }
            .into_any()
        };
        let audit = move || {
            entries
                .get()
                .into_iter()
                .map(|e| {
                    let action = e.action.clone();
                    view! { <tr data-testid="request-audit" data-action=action><td>{e.seq}</td><td>{e.at}</td><td>{e.actor}</td><td>{e.action}</td></tr> }
                })
                .collect_view()
        };
        view! {
            <section data-testid="request-page" data-request=request.id.clone() data-state=crate::state::model::name_of(&request.state)>
                <h2>{move || state.t("req.col_id")}" "<code>{request.id.clone()}</code>" "<StateChip state=request.state/></h2>
                <Facts request=request.clone()/>
                <h3>{move || state.t("req.col_changes")}</h3>
                <ul data-testid="request-changes">{summarize(&request.changes, lang).into_iter().map(|s| view! { <li><Sentence text=s/></li> }).collect_view()}</ul>
            </section>
            <section>
                <h3>{move || state.t("req.col_diff")}</h3>
                <p class="hint">{move || state.t(diff_key)}</p>
                <RequestPreview request=request.clone() full=true/>
            </section>
            <section>
                <h3>{move || state.t("req.col_steps")}</h3>
                {steps}
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
            <section>
                <h3>{move || state.t("req.history")}</h3>
                <History request=request.clone()/>
            </section>
            <section>
                <h3>{move || state.t("nav.audit")}</h3>
                <table>
                    <TableHead keys=&["req.col_seq", "req.col_when", "req.col_who", "req.col_what"]/>
                    <tbody>{audit}</tbody>
                </table>
            </section>
        }
        .into_any()
    };
    view! {
        <div class="page" data-testid="page-request">
            <p>{back}</p>
            {story}
        </div>
    }
}
