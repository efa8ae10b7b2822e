//! Who can see what: pick a user → their records with reasons and fields;
//! pick a record → every user who can access it; both → the decision.

mod sections;

use crate::components::sentence::Sentence;
use crate::components::user_picker::UserPicker;
use crate::state::AppState;
use crate::state::model::RecordRow;
use leptos::prelude::*;
use sections::{Decision, RecordUsers, UserRecords};

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
            <Decision user record action/>
            <UserRecords user/>
            <RecordUsers record action/>
        </div>
    }
}
