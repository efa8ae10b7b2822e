//! One bundle's grants: object scopes as a matrix (objects × actions),
//! field access, system permissions and the session policy its holders
//! must meet. Every change is staged.

use super::named;
use crate::pages::org::stage;
use crate::state::AppState;
use crate::state::model::{name_of, parse_name};
use clearance_core::Problem;
use clearance_core::change::{BundleKind, BundleRef, Operation};
use clearance_core::policy::{Bundle, FieldAccess, LoginHours, Policy, Scope, SessionPolicy};
use leptos::prelude::*;

const SCOPES: [Scope; 4] = [Scope::Own, Scope::Department, Scope::DepartmentTree, Scope::All];
const ACCESS: [FieldAccess; 3] = [FieldAccess::Hidden, FieldAccess::Read, FieldAccess::Edit];

/// The bundle picker: profiles, then permission sets.
#[component]
pub fn BundlePicker(bundle: RwSignal<Option<BundleRef>>) -> impl IntoView {
    let state = AppState::get();
    let entries = move || {
        let p: Policy = state.current_policy();
        p.bundles
            .profiles
            .keys()
            .map(|id| (format!("profile:{id}"), format!("{} · {id}", state.t("perm.profile"))))
            .chain(
                p.bundles
                    .permission_sets
                    .keys()
                    .map(|id| (format!("permission_set:{id}"), format!("{} · {id}", state.t("perm.permission_set")))),
            )
            .map(|(v, label)| view! { <option value=v>{label}</option> })
            .collect_view()
    };
    view! {
        <label>
            {move || state.t("perm.bundle")}" "
            <select
                data-testid="perm-bundle"
                on:change=move |ev| {
                    let value = event_target_value(&ev);
                    bundle.set(value.split_once(':').map(|(kind, id)| BundleRef {
                        kind: if kind == "profile" { BundleKind::Profile } else { BundleKind::PermissionSet },
                        id: id.to_owned(),
                    }))
                }
            >
                <option value="">"—"</option>
                {entries}
            </select>
        </label>
    }
}

/// The picked bundle's grants, or nothing before one is picked.
#[component]
pub fn BundleAccess(bundle: RwSignal<Option<BundleRef>>, problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    move || {
        let b = bundle.get()?;
        let p: Policy = state.current_policy();
        let map = if b.kind == BundleKind::Profile { &p.bundles.profiles } else { &p.bundles.permission_sets };
        let granted = map.get(&b.id).cloned()?;
        Some(view! {
            <section data-testid="perm-matrix">
                <h2>{state.t("perm.matrix")}</h2>
                <ScopeMatrix bundle=b.clone() granted=granted.clone() problems/>
                <h2>{state.t("perm.fields")}</h2>
                <FieldAccessTable bundle=b.clone() granted=granted.clone() problems/>
                <h2>{state.t("perm.system")}</h2>
                <SystemPermissions bundle=b.clone() granted=granted.clone() problems/>
                <h2>{state.t("perm.session")}</h2>
                <SessionForm bundle=b session=granted.session.unwrap_or_default() problems/>
            </section>
        })
    }
}

/// Objects × actions, each cell the scope granted.
#[component]
fn ScopeMatrix(bundle: BundleRef, granted: Bundle, problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    let actions: Vec<String> =
        state.compiled.with(|c| c.0.as_ref().as_ref().map(|c| c.current.action_names().map(str::to_owned).collect()).unwrap_or_default());
    let objects: Vec<String> = state.current_policy().schema.objects.keys().cloned().collect();
    let header = actions.iter().map(|a| view! { <th scope="col">{a.clone()}</th> }).collect_view();
    let rows = objects
        .iter()
        .map(|object| {
            let cells = actions
                .iter()
                .map(|action| {
                    let current = granted.objects.get(object).and_then(|a| a.get(action)).map(name_of);
                    let (b, object, action) = (bundle.clone(), object.clone(), action.clone());
                    let (testid, label) = (format!("scope-{object}-{action}"), format!("{object} · {action}"));
                    view! {
                        <td>
                            <select
                                data-testid=testid
                                aria-label=label
                                on:change=move |ev| {
                                    let scope = parse_name::<Scope>(&event_target_value(&ev));
                                    stage(state, problems, Operation::SetScope { bundle: b.clone(), object: object.clone(), action: action.clone(), scope })
                                }
                            >
                                {named(&SCOPES, current)}
                            </select>
                        </td>
                    }
                })
                .collect_view();
            view! { <tr><th scope="row">{object.clone()}</th>{cells}</tr> }
        })
        .collect_view();
    view! { <table><thead><tr><th scope="col">{state.t("who.object")}</th>{header}</tr></thead><tbody>{rows}</tbody></table> }
}

/// One row per `Object.field`: the access granted.
#[component]
fn FieldAccessTable(bundle: BundleRef, granted: Bundle, problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    let rows = state
        .current_policy()
        .schema
        .objects
        .iter()
        .flat_map(|(object, ty)| ty.fields.iter().map(move |(field, f)| (format!("{object}.{field}"), f.sensitive)))
        .map(|(field, sensitive)| {
            let current = granted.fields.get(&field).map(name_of);
            let (b, key, label) = (bundle.clone(), field.clone(), field.clone());
            view! {
                <tr>
                    <th scope="row">{field.clone()}{sensitive.then_some(" ⚠")}</th>
                    <td>
                        <select aria-label=label on:change=move |ev| {
                            let access = parse_name::<FieldAccess>(&event_target_value(&ev));
                            stage(state, problems, Operation::SetFieldAccess { bundle: b.clone(), field: key.clone(), access })
                        }>
                            {named(&ACCESS, current)}
                        </select>
                    </td>
                </tr>
            }
        })
        .collect_view();
    view! { <table>{rows}</table> }
}

/// The system permissions held, each revocable, and a field that grants one.
#[component]
fn SystemPermissions(bundle: BundleRef, granted: Bundle, problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    let held = granted
        .system
        .into_iter()
        .map(|permission| {
            let (b, label) = (bundle.clone(), permission.clone());
            let revoke = format!("{} · {permission}", state.t("perm.revoke"));
            view! {
                <span class="chip" data-testid="system-permission">
                    {label}
                    <button title=revoke.clone() aria-label=revoke on:click=move |_| stage(state, problems, Operation::RevokeSystemPermission { bundle: b.clone(), permission: permission.clone() })>"×"</button>
                </span>
            }
        })
        .collect_view();
    view! {
        <p>
            {held}
            <label>
                {state.t("perm.grant_system")}" "
                <input data-testid="system-grant" on:change=move |ev| {
                    let permission = event_target_value(&ev);
                    if !permission.trim().is_empty() {
                        stage(state, problems, Operation::GrantSystemPermission { bundle: bundle.clone(), permission: permission.trim().to_owned() })
                    }
                }/>
            </label>
        </p>
    }
}

/// MFA, IP ranges and login hours every holder's session must meet.
#[component]
fn SessionForm(bundle: BundleRef, session: SessionPolicy, problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    let hours = session.login_hours.clone();
    let days = RwSignal::new(hours.as_ref().map(|h| h.days.join(",")).unwrap_or_default());
    let start = RwSignal::new(hours.as_ref().map(|h| h.start.clone()).unwrap_or_default());
    let end = RwSignal::new(hours.as_ref().map(|h| h.end.clone()).unwrap_or_default());
    let ips = RwSignal::new(session.ip_ranges.join(", "));
    let set =
        move |session: SessionPolicy| stage(state, problems, Operation::SetSession { bundle: bundle.clone(), session: Some(session) });
    let (s1, s2, s3) = (session.clone(), session.clone(), session.clone());
    let (set1, set2, set3) = (set.clone(), set.clone(), set);
    view! {
        <div class="form">
            <label>
                <input type="checkbox" data-testid="session-mfa" checked=session.mfa_required on:change=move |ev| {
                    set1(SessionPolicy { mfa_required: event_target_checked(&ev), ..s1.clone() })
                }/>
                {state.t("perm.mfa")}
            </label>
            <label>
                {state.t("perm.ips")}" "
                <input data-testid="session-ips" prop:value=move || ips.get() on:change=move |ev| {
                    let text = event_target_value(&ev);
                    ips.set(text.clone());
                    let ip_ranges = text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
                    set2(SessionPolicy { ip_ranges, ..s2.clone() })
                }/>
            </label>
        </div>
        <fieldset class="form">
            <legend>{state.t("perm.hours")}</legend>
            <label>{state.t("perm.days")}" "<input data-testid="hours-days" placeholder="mon,tue,wed,thu,fri" prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/></label>
            <label>{state.t("perm.from")}" "<input data-testid="hours-start" placeholder="08:00" size="5" prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev))/></label>
            <label>{state.t("perm.to")}" "<input data-testid="hours-end" placeholder="18:00" size="5" prop:value=move || end.get() on:input=move |ev| end.set(event_target_value(&ev))/></label>
            <button data-testid="hours-save" on:click=move |_| {
                let list: Vec<String> = days.get().split(',').map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned).collect();
                let login_hours = (!list.is_empty()).then(|| LoginHours {
                    days: list,
                    start: start.get(),
                    end: end.get(),
                    utc_offset_minutes: s3.login_hours.as_ref().map_or(0, |h| h.utc_offset_minutes),
                });
                set3(SessionPolicy { login_hours, ..s3.clone() })
            }>{state.t("perm.save")}</button>
        </fieldset>
    }
}
