//! Sharing rules: each criteria-based rule's condition edited with
//! validation as you type, and a form that adds a rule (JSON stays
//! available as the advanced way). Every edit is staged.

use crate::components::options::options;
use crate::components::principal_picker::PrincipalPicker;
use crate::components::problems::Problems;
use crate::pages::org::stage;
use crate::state::AppState;
use crate::state::model::{criteria_problems, name_of, parse_name};
use crate::state::rule_form::SharingRuleForm;
use clearance_core::Problem;
use clearance_core::change::Operation;
use clearance_core::policy::{Level, Policy};
use leptos::prelude::*;

/// The rules with criteria, each editable.
#[component]
pub fn SharingRules(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    move || {
        let p: Policy = state.current_policy();
        p.sharing_rules
            .into_iter()
            .enumerate()
            .filter(|(_, r)| r.criteria.is_some())
            .map(|(i, rule)| {
                let text = RwSignal::new(rule.criteria.clone().unwrap_or_default());
                let errors = Memo::new(move |_| state.model.with(|m| criteria_problems(m, i, &text.get())));
                let (id, label, object) = (rule.id.clone(), rule.id.clone(), rule.object.clone());
                let remove = rule.id.clone();
                view! {
                    <div class="rule" data-testid="rule" data-rule=id>
                        <code>{label.clone()}</code>" → "{object}" "
                        <input
                            class="criteria"
                            data-testid="rule-criteria"
                            aria-label=move || format!("{} · {label}", state.t("perm.criteria"))
                            prop:value=move || text.get()
                            on:input=move |ev| text.set(event_target_value(&ev))
                        />
                        <button data-testid="rule-remove" on:click=move |_| stage(state, problems, Operation::RemoveSharingRule { rule: remove.clone() })>
                            {state.t("org.delete")}
                        </button>
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
    }
}

/// The form that adds a sharing rule: object, who receives it, what it
/// shares (records matching criteria, or owned by a principal), the level;
/// every problem shown at its field as you type, the button disabled until
/// there is none.
#[component]
pub fn NewSharingRule(problems: RwSignal<Vec<Problem>>) -> impl IntoView {
    let state = AppState::get();
    let first_object = state.current_policy().schema.objects.keys().next().cloned().unwrap_or_default();
    let empty = SharingRuleForm::new(&first_object);
    let (id, object, criteria) = (RwSignal::new(String::new()), RwSignal::new(first_object), RwSignal::new(String::new()));
    let by_owner = RwSignal::new(false);
    let (owner_kind, owner_id) = (RwSignal::new(empty.owner_kind.clone()), RwSignal::new(String::new()));
    let (share_kind, share_id) = (RwSignal::new(empty.share_kind.clone()), RwSignal::new(String::new()));
    let (access, superiors) = (RwSignal::new(Level::Read), RwSignal::new(true));
    let form = Memo::new(move |_| SharingRuleForm {
        id: id.get(),
        object: object.get(),
        by_owner: by_owner.get(),
        criteria: criteria.get(),
        owner_kind: owner_kind.get(),
        owner_id: owner_id.get(),
        share_kind: share_kind.get(),
        share_id: share_id.get(),
        access: access.get(),
        superiors: superiors.get(),
    });
    let found = Memo::new(move |_| state.model.with(|m| form.with(|f| f.problems(m))));
    let objects = move || options(state.current_policy().schema.objects.keys().cloned().collect(), Some(object.get_untracked()), false);
    let add = move |_| {
        stage(state, problems, Operation::AddSharingRule { rule: form.get_untracked().rule() });
        id.set(String::new());
    };
    view! {
        <form class="new-rule" data-testid="new-rule-form" on:submit=|ev| ev.prevent_default()>
            <h3>{move || state.t("rule.new_sharing")}</h3>
            <label>{move || state.t("rule.id")}" "<input data-testid="new-rule-id" prop:value=move || id.get() on:input=move |ev| id.set(event_target_value(&ev))/></label>
            <label>{move || state.t("rule.object")}" "<select data-testid="new-rule-object" on:change=move |ev| object.set(event_target_value(&ev))>{objects}</select></label>
            <fieldset>
                <legend>{move || state.t("rule.shares")}</legend>
                <label><input type="radio" name="rule-source" data-testid="new-rule-by-criteria" prop:checked=move || !by_owner.get() on:change=move |_| by_owner.set(false)/>{move || state.t("rule.by_criteria")}</label>
                <label><input type="radio" name="rule-source" data-testid="new-rule-by-owner" prop:checked=move || by_owner.get() on:change=move |_| by_owner.set(true)/>{move || state.t("rule.by_owner")}</label>
                <Show when=move || !by_owner.get()>
                    <label>{move || state.t("perm.criteria")}" "<input class="criteria" data-testid="new-rule-criteria" placeholder="record.region == \"EU\"" prop:value=move || criteria.get() on:input=move |ev| criteria.set(event_target_value(&ev))/></label>
                </Show>
                <Show when=move || by_owner.get()>
                    <PrincipalPicker label="rule.owned_by" kind=owner_kind id=owner_id testid="new-rule-owner"/>
                </Show>
            </fieldset>
            <PrincipalPicker label="rule.share_with" kind=share_kind id=share_id testid="new-rule-share"/>
            <label>
                {move || state.t("who.level")}" "
                <select data-testid="new-rule-access" on:change=move |ev| { if let Some(level) = parse_name::<Level>(&event_target_value(&ev)) { access.set(level) } }>
                    {move || options(vec![name_of(&Level::Read), name_of(&Level::Edit)], Some(name_of(&access.get_untracked())), false)}
                </select>
            </label>
            <label><input type="checkbox" data-testid="new-rule-superiors" prop:checked=move || superiors.get() on:change=move |ev| superiors.set(event_target_checked(&ev))/>{move || state.t("rule.superiors")}</label>
            {move || {
                let list = found.get();
                (!list.is_empty()).then(|| view! { <div data-testid="new-rule-errors"><Problems problems=list/></div> })
            }}
            <button type="button" data-testid="new-rule-add" disabled=move || !found.get().is_empty() on:click=add>{move || state.t("rule.add")}</button>
        </form>
        <AdvancedJson
            problems
            testid="new-rule"
            start=serde_json::json!({"id": "", "object": "Account", "criteria": "", "share_with": {"role": ""}, "access": "read"}).to_string()
            make=|text| serde_json::from_str(text).map(|rule| Operation::AddSharingRule { rule }).map_err(|e| format!("not a sharing rule: {e}"))
        />
    }
}

/// The advanced way to add a rule: its JSON, as in the policy file.
#[component]
pub fn AdvancedJson(
    problems: RwSignal<Vec<Problem>>,
    testid: &'static str,
    start: String,
    make: fn(&str) -> Result<Operation, String>,
) -> impl IntoView {
    let state = AppState::get();
    let text = RwSignal::new(start);
    let add = move |_| match make(&text.get_untracked()) {
        Ok(op) => stage(state, problems, op),
        Err(message) => problems.set(vec![Problem::new("/rule", clearance_core::Code::BadValue, message)]),
    };
    view! {
        <details class="advanced">
            <summary>{move || state.t("rule.advanced")}</summary>
            <label>
                {move || state.t("rule.json")}" "
                <textarea class="criteria" rows="4" data-testid=testid prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </label>
            <button type="button" data-testid=format!("add-{}", testid.trim_start_matches("new-")) on:click=add>{move || state.t("rule.add")}</button>
        </details>
    }
}
