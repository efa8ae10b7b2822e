//! The list of change requests: propose the staged edits; filter by state
//! and author and sort (kept in the address); each row links to its page
//! and offers the steps its state allows.

use super::{Link, StateChip, all, state_key};
use crate::components::problems::Problems;
use crate::components::request_preview::RequestPreview;
use crate::components::request_steps::RequestSteps;
use crate::components::sentence::Sentence;
use crate::components::table_head::TableHead;
use crate::state::AppState;
use crate::state::model::name_of;
use crate::state::requests::{Filter, SORTS, STATES, authors, shown};
use crate::state::route::Route;
use crate::state::{Page, i18n};
use clearance_core::Problem;
use clearance_core::change::summarize;
use leptos::prelude::*;

/// Proposes the staged edits with `comment`.
fn propose(state: AppState, comment: String, problems: RwSignal<Vec<Problem>>) {
    let staged = state.model.with_untracked(|m| m.staged.clone());
    if state.on_server() {
        leptos::task::spawn_local(
            async move { problems.set(state.server.propose(state, &staged, &comment).await.err().unwrap_or_default()) },
        );
    } else {
        let result = state.control.act(state, |ledger, actor, at| ledger.propose(actor, staged, &comment, at).map(|_| ()));
        problems.set(result.err().map(clearance_core::Error::into_problems).unwrap_or_default());
    }
}

/// The filters: state, author, order.
#[component]
fn Filters() -> impl IntoView {
    let state = AppState::get();
    let filter = Memo::new(move |_| state.route.with(Filter::of));
    let select = move |key: &'static str, label: &'static str, testid: &'static str, choices: Signal<Vec<(String, String)>>| {
        view! {
            <label>
                {move || state.t(label)}" "
                <select data-testid=testid on:change=move |ev| state.show(key, &event_target_value(&ev))>
                    {move || {
                        let picked = state.route.with(|r| r.get(key));
                        choices
                            .get()
                            .into_iter()
                            .map(|(value, text)| view! { <option selected=value == picked value=value>{text}</option> })
                            .collect_view()
                    }}
                </select>
            </label>
        }
    };
    let any = move || (String::new(), i18n::t(state.lang.get(), "req.any").to_owned());
    let states = Signal::derive(move || {
        let lang = state.lang.get();
        std::iter::once(any()).chain(STATES.iter().map(|s| (name_of(s), i18n::t(lang, state_key(*s)).to_owned()))).collect()
    });
    let people = Signal::derive(move || std::iter::once(any()).chain(authors(&all(state)).into_iter().map(|a| (a.clone(), a))).collect());
    let orders = Signal::derive(move || {
        let lang = state.lang.get();
        SORTS.iter().map(|s| ((*s).to_owned(), i18n::t(lang, sort_key(s)).to_owned())).collect()
    });
    view! {
        <div class="pickers" data-testid="request-filters" data-filter=move || format!("{:?}", filter.get())>
            {select("state", "req.col_state", "request-filter-state", states)}
            {select("author", "req.col_author", "request-filter-author", people)}
            {select("sort", "req.sort", "request-sort", orders)}
        </div>
    }
}

fn sort_key(sort: &str) -> &'static str {
    match sort {
        "oldest" => "req.sort_oldest",
        "state" => "req.sort_state",
        "author" => "req.sort_author",
        _ => "req.sort_newest",
    }
}

/// The page.
#[component]
pub fn RequestList() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let comment = RwSignal::new(String::new());
    let rows = move || {
        let lang = state.lang.get();
        let kept = shown(&all(state), &state.route.with(Filter::of));
        let empty =
            kept.is_empty().then(|| view! { <tr><td colspan="7" class="hint" data-testid="request-none">{state.t("req.none")}</td></tr> });
        let listed = kept
            .into_iter()
            .map(|r| {
                let route = Route::page(Page::Requests).with("id", &r.id);
                let (id, shown_id, sentences, at) = (r.id.clone(), r.id.clone(), summarize(&r.changes, lang), name_of(&r.state));
                view! {
                    <tr data-testid="request" data-request=id data-state=at>
                        <td><Link route testid="request-link"><code>{shown_id.clone()}</code></Link></td>
                        <td><StateChip state=r.state/></td>
                        <td>{r.author.clone()}</td>
                        <td>{sentences.into_iter().map(|s| view! { <div><Sentence text=s/></div> }).collect_view()}</td>
                        <td><RequestPreview request=r.clone()/></td>
                        <td>{format!("{}/{}", r.approvers.len(), r.approvals_needed)}</td>
                        <td><RequestSteps request=r comment problems/></td>
                    </tr>
                }
            })
            .collect_view();
        (empty, listed)
    };
    view! {
        <div class="page" data-testid="page-requests">
            <section>
                <h2>{move || state.t("req.propose_title")}</h2>
                <p class="hint">{move || format!("{} {}", state.model.with(|m| m.staged.len()), state.t("req.staged"))}</p>
                <label>
                    {move || state.t("req.comment")}" "
                    <input data-testid="request-comment" on:input=move |ev| comment.set(event_target_value(&ev))/>
                </label>
                <button data-testid="request-propose" on:click=move |_| propose(state, comment.get_untracked(), problems)>
                    {move || state.t("req.propose")}
                </button>
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
            <section>
                <h2>{move || state.t("nav.requests")}</h2>
                <Filters/>
                <table>
                    <TableHead keys=&["req.col_id", "req.col_state", "req.col_author", "req.col_changes", "req.col_diff", "req.col_approvals", "req.col_steps"]/>
                    <tbody>{rows}</tbody>
                </table>
            </section>
        </div>
    }
}
