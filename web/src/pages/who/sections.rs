//! The sections of Who can see what, one component each: a user's records,
//! a record's users, and the decision for the pair.

use crate::components::paged_table::PagedTable;
use crate::components::sentence::Sentence;
use crate::state::AppState;
use crate::state::model::{decision_view, record_view, user_view};
use crate::state::record_rows::{COLUMNS, KEY_COLUMN, record_rows};
use crate::state::worker::{LISTED_PER_OBJECT, Reply};
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
            state.large.ask_user(records, staged, u, if lang == clearance_core::Lang::Zh { "zh" } else { "en" });
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
        let Some(objects) = answer.get() else {
            return state.large.progress.get().map(|(step, _, _)| view! { <p data-testid="large-progress">{step}</p> }).into_any();
        };
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

/// Every user who may do `action` on `record`, each with the reason: a
/// page at a time, filterable, downloadable (a record of the large org can
/// have thousands).
#[component]
pub fn RecordUsers(record: Signal<String>, action: Signal<String>) -> impl IntoView {
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
        (!record.get().is_empty()).then(|| {
            view! {
                <section data-testid="record-users">
                    <h2>{state.t("who.users_of")}</h2>
                    <PagedTable keys=&["who.user", "who.reasons"] rows testid="user" file="users-of-record.csv" key_column=0/>
                </section>
            }
        })
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
            let verdict = if d.allowed { state.t("who.allowed") } else { state.t("who.denied") };
            view! {
                <section data-testid="decision" class:allowed=d.allowed class:denied=!d.allowed>
                    <h2>{state.t("who.decision")}": "{verdict}</h2>
                    {d.stage.map(|s| view! { <p data-testid="decision-stage">{state.t("who.stage")}": "<code>{s}</code></p> })}
                    {d.remedy.map(|_| view! { <p data-testid="decision-remedy">{state.t("who.remedy")}</p> })}
                    <p data-testid="decision-message"><Sentence text=d.message/></p>
                </section>
            }
            .into_any()
        })
    }
}
