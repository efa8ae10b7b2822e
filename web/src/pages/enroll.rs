//! Enrolling a second factor, shown in place of every page while the
//! policy requires one the signed-in admin has not enrolled: a QR code for
//! an authenticator app (and its secret, to type), a code to confirm, then
//! the recovery codes, shown once.

use crate::components::problems::Problems;
use crate::state::AppState;
use crate::state::api::Enrollment;
use crate::state::qr;
use clearance_core::Problem;
use leptos::prelude::*;

/// The enrollment page.
#[component]
pub fn EnrollPage() -> impl IntoView {
    let state = AppState::get();
    let enrollment = RwSignal::new(None::<Enrollment>);
    let codes = RwSignal::new(None::<Vec<String>>);
    let code = RwSignal::new(String::new());
    let problems = RwSignal::new(Vec::<Problem>::new());
    leptos::task::spawn_local(async move {
        match state.server.enroll().await {
            Ok(started) => enrollment.set(Some(started)),
            Err(refused) => problems.set(refused),
        }
    });
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        leptos::task::spawn_local(async move {
            match state.server.confirm(code.get_untracked().trim()).await {
                Ok(recovery) => {
                    problems.set(Vec::new());
                    codes.set(Some(recovery));
                }
                Err(refused) => problems.set(refused),
            }
        });
    };
    let done = move |_| leptos::task::spawn_local(state.server.enrolled(state));
    let scan = move || {
        enrollment.get().map(|e| {
            let drawn = qr::draw(&e.otpauth_url);
            view! {
                {drawn.map(|d| {
                    view! {
                        <svg
                            data-testid="mfa-qr"
                            role="img"
                            aria-label=state.t("mfa.qr_label")
                            width="220"
                            height="220"
                            viewBox=format!("0 0 {0} {0}", d.size)
                            shape-rendering="crispEdges"
                        >
                            <rect width="100%" height="100%" fill="#ffffff"></rect>
                            <path d=d.path fill="#000000"></path>
                        </svg>
                    }
                })}
                <p>{state.t("mfa.secret")}" "<code data-testid="mfa-secret">{e.secret}</code></p>
                <form class="form" on:submit=confirm>
                    <label>
                        {state.t("mfa.code")}
                        <input data-testid="mfa-code" autocomplete="one-time-code" inputmode="numeric" required prop:value=code on:input=move |ev| code.set(event_target_value(&ev))/>
                    </label>
                    <button data-testid="mfa-confirm" type="submit">{state.t("mfa.confirm")}</button>
                </form>
            }
        })
    };
    let recovery = move || {
        codes.get().map(|list| {
            view! {
                <p>{state.t("mfa.recovery")}</p>
                <ul data-testid="recovery-codes">{list.into_iter().map(|c| view! { <li><code data-testid="recovery-code">{c}</code></li> }).collect_view()}</ul>
                <button data-testid="mfa-done" on:click=done>{state.t("mfa.done")}</button>
            }
        })
    };
    view! {
        <div class="page" data-testid="page-enroll">
            <section>
                <h2>{move || state.t("mfa.title")}</h2>
                <p class="hint">{move || state.t("mfa.why")}</p>
                {move || if codes.with(Option::is_some) { recovery().into_any() } else { scan().into_any() }}
                {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            </section>
        </div>
    }
}
