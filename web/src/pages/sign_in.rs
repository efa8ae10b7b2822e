//! Signing in to the server: password, then a second factor when the
//! policy asks for one. Every refusal is shown with its reason (wrong
//! password, account locked, outside the allowed network or hours).

use crate::components::problems::Problems;
use crate::components::sentence::Sentence;
use crate::state::AppState;
use clearance_core::Problem;
use leptos::prelude::*;

/// The page shown in place of every other while no admin is signed in.
#[component]
pub fn SignInPage() -> impl IntoView {
    let state = AppState::get();
    let user = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let asks_code = RwSignal::new(false);
    let problems = RwSignal::new(Vec::<Problem>::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        busy.set(true);
        leptos::task::spawn_local(async move {
            let result = state.server.sign_in(state, &user.get_untracked(), &password.get_untracked(), &code.get_untracked()).await;
            busy.set(false);
            match result {
                Ok(()) => {
                    password.set(String::new());
                    problems.set(Vec::new());
                }
                Err(refused) => {
                    if refused.iter().any(|p| p.code == "mfa_code_required") {
                        asks_code.set(true);
                    }
                    problems.set(refused);
                }
            }
        });
    };
    view! {
        <div class="page" data-testid="page-sign-in">
            <section>
                <h2>{move || state.t("signin.title")}</h2>
                {move || {
                    state
                        .server
                        .ended
                        .get()
                        .map(|why| view! { <p class="notice" data-testid="signed-out-notice">{state.t("signin.ended")}" "<Sentence text=why/></p> })
                }}
                <form class="form signin" on:submit=submit>
                    <label>
                        {move || state.t("signin.user")}
                        <input data-testid="signin-user" autocomplete="username" required prop:value=user on:input=move |ev| user.set(event_target_value(&ev))/>
                    </label>
                    <label>
                        {move || state.t("signin.password")}
                        <input
                            data-testid="signin-password"
                            type="password"
                            autocomplete="current-password"
                            required
                            prop:value=password
                            on:input=move |ev| password.set(event_target_value(&ev))
                        />
                    </label>
                    {move || {
                        asks_code
                            .get()
                            .then(|| {
                                view! {
                                    <label>
                                        {state.t("signin.code")}
                                        <input
                                            data-testid="signin-code"
                                            autocomplete="one-time-code"
                                            inputmode="numeric"
                                            prop:value=code
                                            on:input=move |ev| code.set(event_target_value(&ev))
                                        />
                                    </label>
                                }
                            })
                    }}
                    <button data-testid="signin-submit" type="submit" disabled=move || busy.get()>{move || state.t("signin.submit")}</button>
                </form>
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
        </div>
    }
}
