//! Forbid rules: each rule's condition edited with validation as you type,
//! and a form that adds a rule (JSON stays available as the advanced way).

use super::sharing_rules::AdvancedJson;
use crate::components::problems::Problems;
use crate::pages::org::stage;
use crate::state::AppState;
use crate::state::model::{RuleKind, condition_problems};
use crate::state::rule_form::{ForbidRuleForm, toggled};
use clearance_core::Problem;
use clearance_core::change::Operation;
use clearance_core::policy::Policy;
use leptos::prelude::*;

/// Every forbid rule, each editable.
#[component]
pub fn ForbidRules(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    move || {
        let p: Policy = state.current_policy();
        p.forbid
            .into_iter()
            .enumerate()
            .map(|(i, rule)| {
                let text = RwSignal::new(rule.when.clone().unwrap_or_default());
                let errors = Memo::new(move |_| state.model.with(|m| condition_problems(m, RuleKind::Forbid, i, &text.get())));
                let (id, label, remove) = (rule.id.clone(), rule.id.clone(), rule.id.clone());
                view! {
                    <div class="rule" data-testid="forbid" data-rule=id>
                        <code>{label.clone()}</code>" "
                        <input
                            class="criteria"
                            data-testid="forbid-when"
                            aria-label=move || format!("{} · {label}", state.t("rule.when"))
                            prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))
                        />
                        <button data-testid="forbid-remove" on:click=move |_| stage(state, problems, Operation::RemoveForbidRule { rule: remove.clone() })>
                            {state.t("org.delete")}
                        </button>
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
    }
}

/// Checkboxes, one per name, bound to the ticked list.
fn ticks(names: Vec<String>, ticked: RwSignal<Vec<String>>, testid: &'static str) -> impl IntoView {
    names
        .into_iter()
        .map(|name| {
            let (is, on) = (name.clone(), name.clone());
            view! {
                <label class="tick">
                    <input
                        type="checkbox"
                        data-testid=format!("{testid}-{name}")
                        prop:checked=move || ticked.with(|t| t.contains(&is))
                        on:change=move |ev| ticked.update(|t| *t = toggled(t, &on, event_target_checked(&ev)))
                    />
                    {name.clone()}
                </label>
            }
        })
        .collect_view()
}

/// The form that adds a forbid rule: objects and actions ticked (none: all),
/// fields to hide instead of denying, the condition; problems at their
/// fields as you type.
#[component]
pub fn NewForbidRule(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    let (id, fields, when) = (RwSignal::new(String::new()), RwSignal::new(String::new()), RwSignal::new(String::new()));
    let (objects, actions) = (RwSignal::new(Vec::<String>::new()), RwSignal::new(Vec::<String>::new()));
    let form = Memo::new(move |_| ForbidRuleForm {
        id: id.get(),
        objects: objects.get(),
        actions: actions.get(),
        fields: fields.get(),
        when: when.get(),
    });
    let found = Memo::new(move |_| state.model.with(|m| form.with(|f| f.problems(m))));
    let object_names = move || ticks(state.current_policy().schema.objects.keys().cloned().collect(), objects, "new-forbid-object");
    let action_names = move || {
        let names: Vec<String> = state
            .compiled
            .with(|c| c.0.as_ref().as_ref().map(|c| c.current.action_names().map(str::to_owned).collect()).unwrap_or_default());
        ticks(names, actions, "new-forbid-action")
    };
    let add = move |_| {
        stage(state, problems, Operation::AddForbidRule { rule: form.get_untracked().rule() });
        id.set(String::new());
    };
    view! {
        <form class="new-rule" data-testid="new-forbid-form" on:submit=|ev| ev.prevent_default()>
            <h3>{move || state.t("rule.new_forbid")}</h3>
            <label>{move || state.t("rule.id")}" "<input data-testid="new-forbid-id" prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev))/></label>
            <fieldset><legend>{move || state.t("rule.objects_all")}</legend>{object_names}</fieldset>
            <fieldset><legend>{move || state.t("rule.actions_all")}</legend>{action_names}</fieldset>
            <label>{move || state.t("rule.hide_fields")}" "<input data-testid="new-forbid-fields" prop:value=move || fields.get() on:input=move |ev| fields.set(event_target_value(&ev))/></label>
            <label>{move || state.t("rule.when")}" "<input class="criteria" data-testid="new-forbid-when" placeholder="not context.mfa" prop:value=move || when.get() on:input=move |ev| when.set(event_target_value(&ev))/></label>
            {move || {
                let list = found.get();
                (!list.is_empty()).then(|| view! { <div data-testid="new-forbid-errors"><Problems problems=list/></div> })
            }}
            <button type="button" data-testid="new-forbid-add" disabled=move || !found.get().is_empty() on:click=add>{move || state.t("rule.add")}</button>
        </form>
        <AdvancedJson
            problems
            testid="new-forbid"
            start=serde_json::json!({"id": "", "actions": ["export"], "when": ""}).to_string()
            make=|text| serde_json::from_str(text).map(|rule| Operation::AddForbidRule { rule }).map_err(|e| format!("not a forbid rule: {e}"))
        />
    }
}
