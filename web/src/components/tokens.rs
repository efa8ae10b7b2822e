//! The signed-in admin's API tokens: made for automation or for an edge
//! (the `edge` scope reads bundles and reports the revision it runs), the
//! secret shown once, revoked at any time.

use crate::components::problems::Problems;
use crate::components::table_head::TableHead;
use crate::state::AppState;
use crate::state::api::Token;
use clearance_core::Problem;
use leptos::prelude::*;

/// Every scope a token can hold, as the server names them.
const SCOPES: [&str; 6] = ["edge", "read", "propose", "approve", "apply", "review"];

/// The token list and the form that makes one.
#[component]
pub fn Tokens() -> impl IntoView {
    let state = AppState::get();
    let tokens = RwSignal::new(Vec::<Token>::new());
    let problems = RwSignal::new(Vec::<Problem>::new());
    let secret = RwSignal::new(None::<String>);
    let name = RwSignal::new(String::new());
    let scope = RwSignal::new("edge".to_owned());
    let days = RwSignal::new("90".to_owned());
    let load = move || {
        leptos::task::spawn_local(async move {
            match state.server.tokens().await {
                Ok(list) => tokens.set(list),
                Err(refused) => problems.set(refused),
            }
        });
    };
    load();
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            let days = days.get_untracked().trim().parse().unwrap_or(0);
            match state.server.create_token(&name.get_untracked(), &[scope.get_untracked().as_str()], days).await {
                Ok(made) => {
                    problems.set(Vec::new());
                    secret.set(Some(made));
                    load();
                }
                Err(refused) => problems.set(refused),
            }
        });
    };
    let revoke = move |id: String| {
        leptos::task::spawn_local(async move {
            match state.server.revoke_token(&id).await {
                Ok(()) => load(),
                Err(refused) => problems.set(refused),
            }
        });
    };
    let rows = move || {
        tokens
            .get()
            .into_iter()
            .map(|t| {
                let id = t.id.clone();
                view! {
                    <tr data-testid="token" data-token=t.id.clone() data-revoked=t.revoked.to_string()>
                        <td>{t.name}</td>
                        <td>{t.scopes.join(", ")}</td>
                        <td>{clearance_core::format_rfc3339(t.expires_ms)}</td>
                        <td>
                            {(!t.revoked).then(|| view! { <button data-testid="token-revoke" on:click=move |_| revoke(id.clone())>{state.t("tokens.revoke")}</button> })}
                            {t.revoked.then(|| state.t("tokens.revoked"))}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <section>
            <h2>{move || state.t("tokens.title")}</h2>
            <form class="form" on:submit=create>
                <label>
                    {move || state.t("tokens.name")}
                    <input data-testid="token-name" required prop:value=name on:input=move |ev| name.set(event_target_value(&ev))/>
                </label>
                <label>
                    {move || state.t("tokens.scope")}
                    <select data-testid="token-scope" on:change=move |ev| scope.set(event_target_value(&ev))>
                        {SCOPES.map(|s| view! { <option value=s selected=move || scope.get() == s>{s}</option> })}
                    </select>
                </label>
                <label>
                    {move || state.t("tokens.days")}
                    <input data-testid="token-days" type="number" min="1" max="365" prop:value=days on:input=move |ev| days.set(event_target_value(&ev))/>
                </label>
                <button data-testid="token-create" type="submit">{move || state.t("tokens.create")}</button>
            </form>
            {move || secret.get().map(|s| view! { <p class="notice">{state.t("tokens.secret")}" "<code data-testid="token-secret">{s}</code></p> })}
            <table>
                <TableHead keys=&["tokens.name", "tokens.scope", "tokens.expires", "tokens.state"]/>
                <tbody>{rows}</tbody>
            </table>
            {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
        </section>
    }
}
