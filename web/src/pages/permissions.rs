//! Permissions: a bundle's object scopes as a matrix (objects × actions),
//! its field access, and system permissions; sharing-rule criteria edited
//! and forbid-rule conditions edited with validation as you type, and forms
//! that add rules; session policies; object baselines and hierarchy
//! access. Every edit is staged.

mod baselines;
mod bundle_access;
mod forbid_rules;
mod sharing_rules;

use crate::components::options::options;
use crate::components::problems::Problems;
use crate::state::AppState;
use crate::state::model::name_of;
use baselines::Baselines;
use bundle_access::{BundleAccess, BundlePicker};
use clearance_core::Problem;
use clearance_core::change::BundleRef;
use forbid_rules::{ForbidRules, NewForbidRule};
use leptos::prelude::*;
use sharing_rules::{NewSharingRule, SharingRules};

/// Options for enum values by their JSON names.
fn named<T: serde::Serialize>(values: &[T], selected: Option<String>) -> impl IntoView + use<T> {
    options(values.iter().map(name_of).collect(), selected, true)
}

/// The page.
#[component]
pub fn PermissionsPage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    let bundle = RwSignal::new(None::<BundleRef>);
    view! {
        <div class="page" data-testid="page-permissions">
            <p class="hint">{move || state.t("org.hint")}</p>
            {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            <section><BundlePicker bundle/></section>
            <BundleAccess bundle problems/>
            <section>
                <h2>{move || state.t("perm.rules")}</h2>
                <SharingRules problems/>
                <NewSharingRule problems/>
            </section>
            <section>
                <h2>{move || state.t("perm.forbid")}</h2>
                <ForbidRules problems/>
                <NewForbidRule problems/>
            </section>
            <section>
                <h2>{move || state.t("perm.baselines")}</h2>
                <table>
                    <thead><tr><th scope="col">{move || state.t("who.object")}</th><th scope="col">{move || state.t("perm.baseline")}</th><th scope="col">{move || state.t("perm.hierarchy")}</th></tr></thead>
                    <tbody><Baselines problems/></tbody>
                </table>
            </section>
        </div>
    }
}
