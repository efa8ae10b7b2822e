//! The sections of Who can see what, one component each: a user's records,
//! a record's users, and the decision for the pair.

use crate::components::paged_table::PagedTable;
use crate::components::problems::Problems;
use crate::components::sentence::Sentence;
use crate::state::AppState;
use crate::state::model::{DecisionRow, decision_view, record_view, user_view};
use crate::state::record_rows::{COLUMNS, KEY_COLUMN, record_rows};
use crate::state::worker::{LISTED_PER_OBJECT, LISTED_USERS, Question, Reply};
use leptos::prelude::*;

/// The records `user` can read, with reasons and fields: one paged table
/// over every object, filterable and downloadable.
#[component]
pub fn UserRecords(user: Signal<String>) -> impl IntoView {
    let state = AppState::get();
    let compiled = state.compiled;
    let rows = Signal::derive(move || {
        let (u, lang) = (user.get(), state.lang.get());
        compiled.with(|c| match &*c.0 {
            Ok(c) if !u.is_empty() => record_rows(&user_view(&c.current, &c.current_records, &u, lang)),
            _ => Vec::new(),
        })
    });
    move || {
        if user.get().is_empty() {
            return ().into_any();
        }
        if state.model.with(|m| m.large.is_some()) {
            return view! { <LargeUserRecords user/> }.into_any();
        }
        view! {
            <section data-testid="user-records">
                <h2>{state.t("who.records_of")}</h2>
                <PagedTable keys=COLUMNS rows testid="record" file="records-of-user.csv" key_column=KEY_COLUMN/>
            </section>
        }
        .into_any()
    }
}

/// The large org's answer for `user`, from the Web Worker (which it asks):
/// how many records of each object, and the first of each listed.
#[component]
fn LargeUserRecords(user: Signal<String>) -> impl IntoView {
    let state = AppState::get();
    // The large org's records live in the Web Worker: ask it.
    Effect::new(move |_| {
        let (u, lang) = (user.get(), state.lang.get());
        let (large, staged) = state.model.with(|m| (m.large, m.staged.clone()));
        if let (Some(records), false) = (large, u.is_empty()) {
            state.large.ask_user(records, staged, u, lang.code());
        }
    });
    let answer = Memo::new(move |_| match state.large.user_reply.get() {
        Some(Reply::UserRecords { user: u, objects, .. }) if u == user.get() => Some(objects),
        _ => None,
    });
    let rows = Signal::derive(move || {
        answer.with(|a| {
            let listed: Vec<_> = a.iter().flatten().map(|(object, _, rows)| (object.clone(), rows.clone())).collect();
            record_rows(&listed)
        })
    });
    move || {
        let Some(objects) = answer.get() else { return waiting(state, state.large.user_reply) };
        let counts: Vec<String> = objects.iter().filter(|(_, n, _)| *n > 0).map(|(object, n, _)| format!("{object} {n}")).collect();
        view! {
            <section data-testid="user-records">
                <h2>{state.t("who.records_of")}</h2>
                <p data-testid="user-records-counts">{counts.join(" · ")}" ("{state.t("who.first_listed")}" "{LISTED_PER_OBJECT}")"</p>
                <PagedTable keys=COLUMNS rows testid="record" file="records-of-user.csv" key_column=KEY_COLUMN/>
            </section>
        }
        .into_any()
    }
}

/// What a large-org section shows until the worker's answer is in: the
/// worker's failure to answer the latest question of that section, else
/// its progress.
fn waiting(state: AppState, reply: RwSignal<Option<Reply>>) -> AnyView {
    match reply.get() {
        Some(Reply::Failed { about: Some((kind, id)), problems }) if state.large.is_latest(kind, id) => {
            view! { <Problems problems/> }.into_any()
        }
        _ => state.large.progress.get().map(|(step, _, _)| view! { <p data-testid="large-progress">{step}</p> }).into_any(),
    }
}

/// Every user who may do `action` on `record`, each with the reason: a
/// page at a time, filterable, downloadable (a record of the large org can
/// have thousands).
#[component]
pub fn RecordUsers(user: Signal<String>, record: Signal<String>, action: Signal<String>) -> impl IntoView {
    let state = AppState::get();
    let compiled = state.compiled;
    let rows = Signal::derive(move || {
        let (r, a, lang) = (record.get(), action.get(), state.lang.get());
        compiled.with(|c| {
            let Ok(c) = &*c.0 else { return Vec::new() };
            record_view(&c.current, &c.current_records, &r, &a, lang).into_iter().map(|row| vec![row.user, row.message]).collect()
        })
    });
    move || {
        if state.model.with(|m| m.large.is_some()) && !record.get().is_empty() {
            return Some(view! { <LargeRecord user record action/> }.into_any());
        }
        (!record.get().is_empty()).then(|| {
            view! {
                <section data-testid="record-users">
                    <h2>{state.t("who.users_of")}</h2>
                    <PagedTable keys=&["who.user", "who.reasons"] rows testid="user" file="users-of-record.csv" key_column=0/>
                </section>
            }
            .into_any()
        })
    }
}

/// The large org's answer for `record` (and `user`'s decision on it), from
/// the Web Worker, which holds its records: how many users may, the first
/// [`LISTED_USERS`] of them explained.
#[component]
fn LargeRecord(user: Signal<String>, record: Signal<String>, action: Signal<String>) -> impl IntoView {
    let state = AppState::get();
    Effect::new(move |_| {
        let (record, user, action, lang) = (record.get(), user.get(), action.get(), state.lang.get().code().to_owned());
        let (large, staged) = state.model.with(|m| (m.large, m.staged.clone()));
        if let Some(records) = large {
            state.large.ask_record(records, staged, Question::Record { record, user, action, lang });
        }
    });
    let answer = Memo::new(move |_| match state.large.record_reply.get() {
        Some(Reply::Record { record: r, user: u, action: a, count, users, decision, .. })
            if r == record.get() && u == user.get() && a == action.get() =>
        {
            Some((count, users, decision))
        }
        _ => None,
    });
    let rows = Signal::derive(move || {
        answer.with(|a| a.iter().flat_map(|(_, users, _)| users.iter().map(|row| vec![row.user.clone(), row.message.clone()])).collect())
    });
    move || {
        let Some((count, _, decision)) = answer.get() else { return waiting(state, state.large.record_reply) };
        view! {
            {decision.map(|d| view! { <DecisionShown d/> })}
            <section data-testid="record-users">
                <h2>{state.t("who.users_of")}</h2>
                <p data-testid="record-users-count">{count}" "{state.t("who.users_may")}" ("{state.t("who.first_users_listed")}" "{LISTED_USERS}")"</p>
                <PagedTable keys=&["who.user", "who.reasons"] rows testid="user" file="users-of-record.csv" key_column=0/>
            </section>
        }
        .into_any()
    }
}

/// The decision for the user, the record and the action.
#[component]
pub fn Decision(user: Signal<String>, record: Signal<String>, action: Signal<String>) -> impl IntoView {
    let state = AppState::get();
    let compiled = state.compiled;
    move || {
        let (u, r, a, lang) = (user.get(), record.get(), action.get(), state.lang.get());
        if u.is_empty() || r.is_empty() {
            return ().into_any();
        }
        compiled.with(|c| {
            let Ok(c) = &*c.0 else { return ().into_any() };
            let Some(d) = decision_view(&c.current, &c.current_records, &u, &r, &a, lang) else { return ().into_any() };
            view! { <DecisionShown d/> }.into_any()
        })
    }
}

/// One decision: allowed or denied, the stage that denied it, whether
/// stepping up to MFA would allow it, and the sentence that explains it.
#[component]
fn DecisionShown(d: DecisionRow) -> impl IntoView {
    let state = AppState::get();
    let verdict = if d.allowed { state.t("who.allowed") } else { state.t("who.denied") };
    view! {
        <section data-testid="decision" class:allowed=d.allowed class:denied=!d.allowed>
            <h2>{state.t("who.decision")}": "{verdict}</h2>
            {d.stage.map(|s| view! { <p data-testid="decision-stage">{state.t("who.stage")}": "<code>{s}</code></p> })}
            {d.remedy.map(|_| view! { <p data-testid="decision-remedy">{state.t("who.remedy")}</p> })}
            <p data-testid="decision-message"><Sentence text=d.message/></p>
        </section>
    }
}
