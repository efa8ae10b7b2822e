//! Object baselines (what every user gets on an object's records) and
//! hierarchy access (what a role above the owner gets), one row per object.

use super::named;
use crate::pages::org::stage;
use crate::state::AppState;
use crate::state::model::{name_of, parse_name};
use clearance_core::Problem;
use clearance_core::change::Operation;
use clearance_core::policy::{Baseline, Hierarchy, HierarchyAccess, Policy};
use leptos::prelude::*;

const HIERARCHY: [HierarchyAccess; 4] = [HierarchyAccess::Full, HierarchyAccess::Edit, HierarchyAccess::Read, HierarchyAccess::None];
const BASELINES: [Baseline; 4] = [Baseline::Private, Baseline::PublicRead, Baseline::PublicReadWrite, Baseline::ControlledByParent];

/// The table's rows; every change is staged.
#[component]
pub fn Baselines(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    move || {
        let p: Policy = state.current_policy();
        p.schema
            .objects
            .into_iter()
            .map(|(object, ty)| {
                let (key, hkey) = (object.clone(), object.clone());
                let hierarchy = ty.hierarchy;
                view! {
                    <tr>
                        <td>{object.clone()}</td>
                        <td>
                            <select aria-label=format!("{} · {object}", state.t("perm.baselines")) on:change=move |ev| {
                                if let Some(baseline) = parse_name::<Baseline>(&event_target_value(&ev)) {
                                    stage(state, problems, Operation::SetBaseline { object: key.clone(), baseline })
                                }
                            }>
                                {named(&BASELINES, Some(name_of(&ty.baseline)))}
                            </select>
                        </td>
                        <td>
                            <label>
                            {state.t("perm.hierarchy")}" "
                            <select on:change=move |ev| {
                                if let Some(access) = parse_name::<HierarchyAccess>(&event_target_value(&ev)) {
                                    stage(state, problems, Operation::SetHierarchy { object: hkey.clone(), hierarchy: Hierarchy { access, ..hierarchy } })
                                }
                            }>
                                {named(&HIERARCHY, Some(name_of(&hierarchy.access)))}
                            </select>
                            </label>
                            {hierarchy.depth.map(|d| format!(" ≤ {d}"))}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    }
}
