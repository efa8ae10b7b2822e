//! Who can see what: pick a user → their records with reasons and fields;
//! pick a record → every user who can access it; both → the decision.

mod sections;

use crate::components::record_picker::RecordPicker;
use crate::components::user_picker::UserPicker;
use crate::state::AppState;
use leptos::prelude::*;
use sections::{Decision, RecordUsers, UserRecords};

/// The page.
#[component]
pub fn WhoPage() -> impl IntoView {
    let state = AppState::get();
    // The picks live in the address (`/who?user=…&record=…&action=…`).
    let pick = move |key: &'static str| Signal::derive(move || state.route.with(|r| r.get(key)));
    let (user, record) = (pick("user"), pick("record"));
    let action =
        Signal::derive(move || Some(state.route.with(|r| r.get("action"))).filter(|a| !a.is_empty()).unwrap_or_else(|| "read".to_owned()));
    let compiled = state.compiled;

    let actions = move || {
        compiled
            .with(|c| c.0.as_ref().as_ref().map(|c| c.current.action_names().map(str::to_owned).collect::<Vec<_>>()).unwrap_or_default())
    };

    view! {
        <div class="page" data-testid="page-who">
            <div class="pickers">
                <label>
                    {move || state.t("who.user")}
                    <UserPicker testid="who-user" selected=user on_pick=Callback::new(move |id: String| state.show("user", &id))/>
                </label>
                <label>
                    {move || state.t("who.record")}
                    <RecordPicker testid="who-record" selected=record on_pick=Callback::new(move |id: String| state.show("record", &id))/>
                </label>
                <label>
                    {move || state.t("who.action")}
                    <select data-testid="who-action" on:change=move |ev| state.show("action", &event_target_value(&ev))>
                        {move || actions().into_iter().map(|a| { let is = a.clone(); view! { <option value=a.clone() selected=move || action.get() == is>{a.clone()}</option> } }).collect_view()}
                    </select>
                </label>
            </div>
            <FirstSteps user record/>
            <Decision user record action/>
            <UserRecords user/>
            <RecordUsers user record action/>
        </div>
    }
}

/// Before anything is picked: what the page answers, and one link each to
/// a user's records and a record's users (the first of each), so the first
/// screen is never blank.
#[component]
fn FirstSteps(user: Signal<String>, record: Signal<String>) -> impl IntoView {
    let state = AppState::get();
    move || {
        if !user.get().is_empty() || !record.get().is_empty() {
            return None;
        }
        let first_user =
            state.staged_policy.with(|p| p.0.users.first().map(|u| (u.id.clone(), u.name.clone().unwrap_or_else(|| u.id.clone()))));
        let first_record =
            state.compiled.with(|c| c.0.as_ref().as_ref().ok().and_then(|c| c.current_records.records().next().map(|r| r.id().to_owned())));
        let link = move |key: &'static str, id: String, text: String| {
            let href = state.route.with_untracked(|r| r.with(key, &id).address());
            view! {
                <li><a href=href data-testid=format!("who-try-{key}") on:click=move |ev| { ev.prevent_default(); state.show(key, &id); }>{text}</a></li>
            }
        };
        Some(view! {
            <section class="first-steps" data-testid="who-first-steps">
                <p>{state.t("who.intro")}</p>
                <ul>
                    {first_user.map(|(id, name)| link("user", id, format!("{} {name}", state.t("who.try_user"))))}
                    {first_record.map(|id| link("record", id.clone(), format!("{} {id}", state.t("who.try_record"))))}
                </ul>
            </section>
        })
    }
}
