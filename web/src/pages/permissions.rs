//! Permissions: a bundle's object scopes as a matrix (objects × actions),
//! its field access, and system permissions; sharing-rule criteria edited
//! and forbid-rule conditions edited with validation as you type; session
//! policies; object baselines and hierarchy access. Every edit is staged.

use super::org::stage;
use crate::components::options::options;
use crate::components::problems::Problems;
use crate::state::AppState;
use crate::state::model::{RuleKind, condition_problems, criteria_problems, name_of, parse_name};
use clearance_core::Problem;
use clearance_core::change::{BundleKind, BundleRef, Operation};
use clearance_core::policy::{Baseline, FieldAccess, Hierarchy, HierarchyAccess, Policy, Scope};
use leptos::prelude::*;

const SCOPES: [Scope; 4] = [Scope::Own, Scope::Department, Scope::DepartmentTree, Scope::All];
const ACCESS: [FieldAccess; 3] = [FieldAccess::Hidden, FieldAccess::Read, FieldAccess::Edit];
const HIERARCHY: [HierarchyAccess; 4] = [HierarchyAccess::Full, HierarchyAccess::Edit, HierarchyAccess::Read, HierarchyAccess::None];
const BASELINES: [Baseline; 4] = [Baseline::Private, Baseline::PublicRead, Baseline::PublicReadWrite, Baseline::ControlledByParent];

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
    let policy = move || state.current_policy();

    let bundle_picker = move || {
        let p: Policy = policy();
        let entries: Vec<(String, String)> = p
            .bundles
            .profiles
            .keys()
            .map(|id| (format!("profile:{id}"), format!("profile · {id}")))
            .chain(p.bundles.permission_sets.keys().map(|id| (format!("permission_set:{id}"), format!("permission set · {id}"))))
            .collect();
        view! {
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
                {entries.into_iter().map(|(v, label)| view! { <option value=v>{label}</option> }).collect_view()}
            </select>
        }
    };

    let matrix = move || {
        let Some(b) = bundle.get() else { return ().into_any() };
        let p: Policy = policy();
        let map = if b.kind == BundleKind::Profile { &p.bundles.profiles } else { &p.bundles.permission_sets };
        let Some(granted) = map.get(&b.id).cloned() else { return ().into_any() };
        let actions: Vec<String> = state
            .compiled
            .with(|c| c.0.as_ref().as_ref().map(|c| c.current.action_names().map(str::to_owned).collect()).unwrap_or_default());
        let objects: Vec<String> = p.schema.objects.keys().cloned().collect();
        let header = actions.iter().map(|a| view! { <th>{a.clone()}</th> }).collect_view();
        let rows = objects
            .iter()
            .map(|object| {
                let cells = actions
                    .iter()
                    .map(|action| {
                        let current = granted.objects.get(object).and_then(|a| a.get(action)).map(name_of);
                        let (b, object, action) = (b.clone(), object.clone(), action.clone());
                        let testid = format!("scope-{object}-{action}");
                        view! {
                            <td>
                                <select
                                    data-testid=testid
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
                view! { <tr><th>{object.clone()}</th>{cells}</tr> }
            })
            .collect_view();
        let fields = p
            .schema
            .objects
            .iter()
            .flat_map(|(object, ty)| ty.fields.iter().map(move |(field, f)| (format!("{object}.{field}"), f.sensitive)))
            .map(|(field, sensitive)| {
                let current = granted.fields.get(&field).map(name_of);
                let (b, key) = (b.clone(), field.clone());
                view! {
                    <tr>
                        <td>{field.clone()}{sensitive.then_some(" ⚠")}</td>
                        <td>
                            <select on:change=move |ev| {
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
        let system = granted
            .system
            .iter()
            .map(|permission| {
                let (b, permission) = (b.clone(), permission.clone());
                let label = permission.clone();
                view! {
                    <span class="chip" data-testid="system-permission">
                        {label}
                        <button title="revoke" on:click=move |_| stage(state, problems, Operation::RevokeSystemPermission { bundle: b.clone(), permission: permission.clone() })>"×"</button>
                    </span>
                }
            })
            .collect_view();
        let b_grant = b.clone();
        let session = granted.session.clone().unwrap_or_default();
        let hours = session.login_hours.clone();
        let (b3, s3) = (b.clone(), session.clone());
        let days = RwSignal::new(hours.as_ref().map(|h| h.days.join(",")).unwrap_or_default());
        let start = RwSignal::new(hours.as_ref().map(|h| h.start.clone()).unwrap_or_default());
        let end = RwSignal::new(hours.as_ref().map(|h| h.end.clone()).unwrap_or_default());
        let mfa = session.mfa_required;
        let ips = RwSignal::new(session.ip_ranges.join(", "));
        let (b1, b2) = (b.clone(), b.clone());
        let (s1, s2) = (session.clone(), session.clone());
        view! {
            <section data-testid="perm-matrix">
                <h2>{state.t("perm.matrix")}</h2>
                <table><tr><th></th>{header}</tr>{rows}</table>
                <h2>{state.t("perm.fields")}</h2>
                <table>{fields}</table>
                <h2>{state.t("perm.system")}</h2>
                <p>
                    {system}
                    <input data-testid="system-grant" placeholder=state.t("perm.grant_system") on:change=move |ev| {
                        let permission = event_target_value(&ev);
                        if !permission.trim().is_empty() {
                            stage(state, problems, Operation::GrantSystemPermission { bundle: b_grant.clone(), permission: permission.trim().to_owned() })
                        }
                    }/>
                </p>
                <h2>{state.t("perm.session")}</h2>
                <div class="form">
                    <label>
                        <input type="checkbox" data-testid="session-mfa" checked=mfa on:change=move |ev| {
                            let session = clearance_core::policy::SessionPolicy { mfa_required: event_target_checked(&ev), ..s1.clone() };
                            stage(state, problems, Operation::SetSession { bundle: b1.clone(), session: Some(session) })
                        }/>
                        {state.t("perm.mfa")}
                    </label>
                    <label>
                        {state.t("perm.ips")}" "
                        <input data-testid="session-ips" prop:value=move || ips.get() on:change=move |ev| {
                            let text = event_target_value(&ev);
                            ips.set(text.clone());
                            let ip_ranges = text.split(',').map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect();
                            let session = clearance_core::policy::SessionPolicy { ip_ranges, ..s2.clone() };
                            stage(state, problems, Operation::SetSession { bundle: b2.clone(), session: Some(session) })
                        }/>
                    </label>
                </div>
                <div class="form">
                    {state.t("perm.hours")}" "
                    <input data-testid="hours-days" placeholder="mon,tue,wed,thu,fri" prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev))/>
                    <input data-testid="hours-start" placeholder="08:00" size="5" prop:value=move || start.get() on:input=move |ev| start.set(event_target_value(&ev))/>
                    "–"
                    <input data-testid="hours-end" placeholder="18:00" size="5" prop:value=move || end.get() on:input=move |ev| end.set(event_target_value(&ev))/>
                    <button data-testid="hours-save" on:click=move |_| {
                        let list: Vec<String> = days.get().split(',').map(str::trim).filter(|d| !d.is_empty()).map(str::to_owned).collect();
                        let login_hours = (!list.is_empty()).then(|| clearance_core::policy::LoginHours {
                            days: list,
                            start: start.get(),
                            end: end.get(),
                            utc_offset_minutes: s3.login_hours.as_ref().map_or(0, |h| h.utc_offset_minutes),
                        });
                        let session = clearance_core::policy::SessionPolicy { login_hours, ..s3.clone() };
                        stage(state, problems, Operation::SetSession { bundle: b3.clone(), session: Some(session) })
                    }>{state.t("perm.save")}</button>
                </div>
            </section>
        }
        .into_any()
    };

    let rules = move || {
        let p: Policy = policy();
        p.sharing_rules
            .into_iter()
            .enumerate()
            .filter(|(_, r)| r.criteria.is_some())
            .map(|(i, rule)| {
                let text = RwSignal::new(rule.criteria.clone().unwrap_or_default());
                let errors = Memo::new(move |_| state.model.with(|m| criteria_problems(m, i, &text.get())));
                let (id, label, object) = (rule.id.clone(), rule.id.clone(), rule.object.clone());
                view! {
                    <div class="rule" data-testid="rule" data-rule=id>
                        <code>{label}</code>" → "{object}" "
                        <input
                            class="criteria"
                            data-testid="rule-criteria"
                            prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))
                        />
                        <button data-testid="rule-remove" on:click={
                            let id = rule.id.clone();
                            move |_| stage(state, problems, Operation::RemoveSharingRule { rule: id.clone() })
                        }>{state.t("org.delete")}</button>
                        <button
                            data-testid="rule-save"
                            disabled=move || !errors.get().is_empty()
                            on:click=move |_| {
                                let mut edited = rule.clone();
                                edited.criteria = Some(text.get());
                                stage(state, problems, Operation::EditSharingRule { rule: edited })
                            }
                        >
                            {state.t("perm.save")}
                        </button>
                        {move || {
                            let list = errors.get();
                            if list.is_empty() {
                                view! { <span class="ok" data-testid="rule-valid">"✓ "{state.t("perm.valid")}</span> }.into_any()
                            } else {
                                view! { <div data-testid="rule-errors"><Problems problems=list/></div> }.into_any()
                            }
                        }}
                    </div>
                }
            })
            .collect_view()
    };

    let new_rule = RwSignal::new(
        serde_json::json!({"id": "", "object": "Account", "criteria": "", "share_with": {"role": ""}, "access": "read"}).to_string(),
    );
    let new_forbid = RwSignal::new(serde_json::json!({"id": "", "actions": ["export"], "when": ""}).to_string());
    let add_rule = move |_| match serde_json::from_str::<clearance_core::policy::SharingRule>(&new_rule.get_untracked()) {
        Ok(rule) => stage(state, problems, Operation::AddSharingRule { rule }),
        Err(e) => problems.set(vec![Problem::new("/rule", "bad_value", format!("not a sharing rule: {e}"))]),
    };
    let add_forbid = move |_| match serde_json::from_str::<clearance_core::policy::ForbidRule>(&new_forbid.get_untracked()) {
        Ok(rule) => stage(state, problems, Operation::AddForbidRule { rule }),
        Err(e) => problems.set(vec![Problem::new("/rule", "bad_value", format!("not a forbid rule: {e}"))]),
    };
    let forbid = move || {
        let p: Policy = policy();
        p.forbid
            .into_iter()
            .enumerate()
            .map(|(i, rule)| {
                let text = RwSignal::new(rule.when.clone().unwrap_or_default());
                let errors = Memo::new(move |_| state.model.with(|m| condition_problems(m, RuleKind::Forbid, i, &text.get())));
                let (id, label) = (rule.id.clone(), rule.id.clone());
                view! {
                    <div class="rule" data-testid="forbid" data-rule=id>
                        <code>{label}</code>" "
                        <input class="criteria" data-testid="forbid-when" prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))/>
                        <button data-testid="forbid-remove" on:click={
                            let id = rule.id.clone();
                            move |_| stage(state, problems, Operation::RemoveForbidRule { rule: id.clone() })
                        }>{state.t("org.delete")}</button>
                        <button
                            disabled=move || !errors.get().is_empty()
                            on:click=move |_| {
                                let mut edited = rule.clone();
                                edited.when = Some(text.get()).filter(|t| !t.trim().is_empty());
                                stage(state, problems, Operation::EditForbidRule { rule: edited })
                            }
                        >
                            {state.t("perm.save")}
                        </button>
                        {move || {
                            let list = errors.get();
                            if list.is_empty() { view! { <span class="ok">"✓ "{state.t("perm.valid")}</span> }.into_any() } else { view! { <Problems problems=list/> }.into_any() }
                        }}
                    </div>
                }
            })
            .collect_view()
    };

    let baselines = move || {
        let p: Policy = policy();
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
                            <select on:change=move |ev| {
                                if let Some(baseline) = parse_name::<Baseline>(&event_target_value(&ev)) {
                                    stage(state, problems, Operation::SetBaseline { object: key.clone(), baseline })
                                }
                            }>
                                {named(&BASELINES, Some(name_of(&ty.baseline)))}
                            </select>
                        </td>
                        <td>
                            {state.t("perm.hierarchy")}" "
                            <select on:change=move |ev| {
                                if let Some(access) = parse_name::<HierarchyAccess>(&event_target_value(&ev)) {
                                    stage(state, problems, Operation::SetHierarchy { object: hkey.clone(), hierarchy: Hierarchy { access, ..hierarchy } })
                                }
                            }>
                                {named(&HIERARCHY, Some(name_of(&hierarchy.access)))}
                            </select>
                            {hierarchy.depth.map(|d| format!(" ≤ {d}"))}
                        </td>
                    </tr>
                }
            })
            .collect_view()
    };

    view! {
        <div class="page" data-testid="page-permissions">
            <p class="hint">{move || state.t("org.hint")}</p>
            {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            <section>
                <label>{move || state.t("perm.bundle")}" "{bundle_picker}</label>
            </section>
            {matrix}
            <section>
                <h2>{move || state.t("perm.rules")}</h2>
                {rules}
                <div class="form">
                    <input class="criteria" data-testid="new-rule" prop:value=move || new_rule.get() on:input=move |ev| new_rule.set(event_target_value(&ev))/>
                    <button data-testid="add-rule" on:click=add_rule>{move || state.t("perm.add_rule")}</button>
                </div>
            </section>
            <section>
                <h2>{move || state.t("perm.forbid")}</h2>
                {forbid}
                <div class="form">
                    <input class="criteria" data-testid="new-forbid" prop:value=move || new_forbid.get() on:input=move |ev| new_forbid.set(event_target_value(&ev))/>
                    <button data-testid="add-forbid" on:click=add_forbid>{move || state.t("perm.add_forbid")}</button>
                </div>
            </section>
            <section>
                <h2>{move || state.t("perm.baselines")}</h2>
                <table>{baselines}</table>
            </section>
        </div>
    }
}
