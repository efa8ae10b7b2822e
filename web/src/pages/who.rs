//! Who can see what: pick a user → their records with reasons and fields;
//! pick a record → every user who can access it; both → the decision.

use crate::components::sentence::Sentence;
use crate::components::user_picker::UserPicker;
use crate::state::AppState;
use crate::state::model::{RecordRow, decision_view, record_view, user_view};
use crate::state::worker::Reply;
use leptos::prelude::*;

/// One readable record: id, level, reasons explained, fields.
fn record_row(row: RecordRow) -> impl IntoView {
    view! {
        <tr data-testid="record-row" data-record=row.id.clone()>
            <td>{row.id.clone()}</td>
            <td>{row.level.clone()}</td>
            <td>
                <span class="kinds">{row.reasons.join(", ")}</span>
                <div class="message"><Sentence text=row.message.clone()/></div>
            </td>
            <td>{format!("{} / {}", row.read.join(", "), row.edit.join(", "))}</td>
        </tr>
    }
}

/// The page.
#[component]
pub fn WhoPage() -> impl IntoView {
    let state = AppState::get();
    let user = RwSignal::new(String::new());
    let record = RwSignal::new(String::new());
    let action = RwSignal::new("read".to_owned());
    let compiled = state.compiled;

    let record_options = move || {
        compiled.with(|c| match &*c.0 {
            Ok(c) => c
                .current_records
                .records()
                .map(|r| r.id().to_owned())
                .map(|id| view! { <option value=id.clone()>{id.clone()}</option> })
                .collect_view(),
            Err(_) => Vec::new().collect_view(),
        })
    };
    let actions = move || {
        compiled
            .with(|c| c.0.as_ref().as_ref().map(|c| c.current.action_names().map(str::to_owned).collect::<Vec<_>>()).unwrap_or_default())
    };

    // The large org's records live in the Web Worker: ask it.
    Effect::new(move |_| {
        let (u, lang) = (user.get(), state.lang.get());
        let (large, staged) = state.model.with(|m| (m.large, m.staged.clone()));
        if let (Some(records), false) = (large, u.is_empty()) {
            state.large.ask_user(records, staged, u, if lang == clearance_core::Lang::Zh { "zh" } else { "en" });
        }
    });
    let large_user_section = move || match state.large.user_reply.get() {
        Some(Reply::UserRecords { user: u, objects, .. }) if u == user.get() => view! {
            <section data-testid="user-records">
                <h2>{state.t("who.records_of")}</h2>
                {objects
                    .into_iter()
                    .filter(|(_, count, _)| *count > 0)
                    .map(|(object, count, rows)| view! {
                        <h3>{format!("{object} ({count})")}</h3>
                        <table>{rows.into_iter().map(record_row).collect_view()}</table>
                    })
                    .collect_view()}
            </section>
        }
        .into_any(),
        _ => state.large.progress.get().map(|(step, _, _)| view! { <p data-testid="large-progress">{step}</p> }).into_any(),
    };
    let user_section = move || {
        let (u, lang) = (user.get(), state.lang.get());
        if u.is_empty() {
            return ().into_any();
        }
        if state.model.with(|m| m.large.is_some()) {
            return large_user_section().into_any();
        }
        compiled.with(|c| {
            let Ok(c) = &*c.0 else { return ().into_any() };
            let objects = user_view(&c.current, &c.current_records, &u, lang);
            view! {
                <section data-testid="user-records">
                    <h2>{state.t("who.records_of")}</h2>
                    {objects
                        .into_iter()
                        .filter(|(_, rows)| !rows.is_empty())
                        .map(|(object, rows)| {
                            view! {
                                <h3>{object}</h3>
                                <table>
                                    <tr>
                                        <th>{state.t("who.record")}</th>
                                        <th>{state.t("who.level")}</th>
                                        <th>{state.t("who.reasons")}</th>
                                        <th>{state.t("who.fields")}</th>
                                    </tr>
                                    {rows.into_iter().map(record_row).collect_view()}
                                </table>
                            }
                        })
                        .collect_view()}
                </section>
            }
            .into_any()
        })
    };

    let record_section = move || {
        let (r, a, lang) = (record.get(), action.get(), state.lang.get());
        if r.is_empty() {
            return ().into_any();
        }
        compiled.with(|c| {
            let Ok(c) = &*c.0 else { return ().into_any() };
            let rows = record_view(&c.current, &c.current_records, &r, &a, lang);
            view! {
                <section data-testid="record-users">
                    <h2>{state.t("who.users_of")}</h2>
                    <ul>
                        {rows.into_iter().map(|row| view! { <li data-testid="user-row" data-user=row.user.clone()><Sentence text=row.message/></li> }).collect_view()}
                    </ul>
                </section>
            }
            .into_any()
        })
    };

    let decision_section = move || {
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
    };

    view! {
        <div class="page" data-testid="page-who">
            <div class="pickers">
                <label>
                    {move || state.t("who.user")}
                    <UserPicker testid="who-user" on_pick=Callback::new(move |id| user.set(id))/>
                </label>
                <label>
                    {move || state.t("who.record")}
                    <select data-testid="who-record" on:change=move |ev| record.set(event_target_value(&ev))>
                        <option value="">{move || state.t("who.pick_record")}</option>
                        {record_options}
                    </select>
                </label>
                <label>
                    {move || state.t("who.action")}
                    <select data-testid="who-action" on:change=move |ev| action.set(event_target_value(&ev))>
                        {move || actions().into_iter().map(|a| view! { <option value=a.clone() selected=a == "read">{a.clone()}</option> }).collect_view()}
                    </select>
                </label>
            </div>
            {decision_section}
            {user_section}
            {record_section}
        </div>
    }
}
