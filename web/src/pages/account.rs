//! The signed-in admin's own account on the server: the password (changed
//! under the policy's rules, each broken rule answered), the second factor,
//! and signing out everywhere.

use crate::components::problems::Problems;
use crate::state::AppState;
use crate::state::password::checklist;
use clearance_core::Problem;
use leptos::prelude::*;

/// The page.
#[component]
pub fn AccountPage() -> impl IntoView {
    let state = AppState::get();
    let (current, code, new, again) =
        (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let problems = RwSignal::new(Vec::<Problem>::new());
    let changed = RwSignal::new(false);
    let enrolled = move || state.server.mode.with(|m| m.session().is_some_and(|s| s.mfa));
    let rules = move || state.model.with(|m| m.policy.sign_in.clone().unwrap_or_default().password);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        changed.set(false);
        if new.get_untracked() != again.get_untracked() {
            problems.set(vec![Problem::new("/new_password", clearance_core::Code::PasswordsDiffer, "the two new passwords differ")]);
            return;
        }
        leptos::task::spawn_local(async move {
            match state.server.change_password(&current.get_untracked(), code.get_untracked().trim(), &new.get_untracked()).await {
                Ok(()) => {
                    for field in [current, code, new, again] {
                        field.set(String::new());
                    }
                    problems.set(Vec::new());
                    changed.set(true);
                }
                Err(refused) => problems.set(refused),
            }
        });
    };
    let field = move |key: &'static str, id: &'static str, value: RwSignal<String>, complete: &'static str| {
        view! {
            <label>
                {move || state.t(key)}
                <input data-testid=id type="password" autocomplete=complete required prop:value=value on:input=move |ev| value.set(event_target_value(&ev))/>
            </label>
        }
    };
    view! {
        <div class="page" data-testid="page-account">
            <section>
                <h2>{move || state.t("account.password")}</h2>
                <p class="hint">{move || state.t("account.rules")}</p>
                <ul data-testid="password-rules">{move || checklist(&rules(), state.lang.get()).into_iter().map(|line| view! { <li>{line}</li> }).collect_view()}</ul>
                <form class="form" on:submit=submit>
                    {field("account.current", "password-current", current, "current-password")}
                    {move || {
                        enrolled()
                            .then(|| {
                                view! {
                                    <label>
                                        {state.t("signin.code")}
                                        <input data-testid="password-code" autocomplete="one-time-code" inputmode="numeric" prop:value=code on:input=move |ev| code.set(event_target_value(&ev))/>
                                    </label>
                                }
                            })
                    }}
                    {field("account.new", "password-new", new, "new-password")}
                    {field("account.again", "password-again", again, "new-password")}
                    <button data-testid="password-submit" type="submit">{move || state.t("account.change")}</button>
                </form>
                {move || changed.get().then(|| view! { <p class="notice" data-testid="password-changed">{state.t("account.changed")}</p> })}
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
            <section>
                <h2>{move || state.t("account.mfa")}</h2>
                <p data-testid="mfa-state">{move || state.t(if enrolled() { "account.mfa_on" } else { "account.mfa_off" })}</p>
            </section>
            <section>
                <h2>{move || state.t("account.sessions")}</h2>
                <button data-testid="sign-out-everywhere" on:click=move |_| leptos::task::spawn_local(state.server.sign_out_everywhere())>
                    {move || state.t("account.everywhere")}
                </button>
            </section>
            <crate::components::tokens::Tokens/>
        </div>
    }
}
