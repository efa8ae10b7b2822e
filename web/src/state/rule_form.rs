//! The forms that add a sharing rule or a forbid rule: what the admin
//! filled in, the rule it makes, and the problems compiling the staged
//! policy with it would report, at the form's own paths (`/criteria`,
//! `/share_with/role`). Outside the components, so it is tested natively;
//! the same compiler as every other edit judges it.

use super::model::Model;
use clearance_core::Problem;
use clearance_core::change;
use clearance_core::policy::{ForbidRule, Level, Recipient, SharingRule};

/// The kinds of principal a rule names, by their JSON keys.
pub const PRINCIPAL_KINDS: [&str; 6] = ["user", "group", "role", "role_and_subordinates", "department", "department_tree"];

/// A principal from its kind (one of [`PRINCIPAL_KINDS`]) and id.
pub fn recipient(kind: &str, id: &str) -> Recipient {
    let id = id.trim().to_owned();
    match kind {
        "user" => Recipient::User(id),
        "group" => Recipient::Group(id),
        "role_and_subordinates" => Recipient::RoleAndSubordinates(id),
        "department" => Recipient::Department(id),
        "department_tree" => Recipient::DepartmentTree(id),
        _ => Recipient::Role(id),
    }
}

/// A new sharing rule as the form holds it.
#[derive(Debug, Clone, PartialEq)]
pub struct SharingRuleForm {
    /// The rule's id (unique among sharing rules).
    pub id: String,
    /// The object whose records it shares.
    pub object: String,
    /// Share records owned by a principal (else: records matching `criteria`).
    pub by_owner: bool,
    /// The condition on records (when not by owner).
    pub criteria: String,
    /// The owning principal's kind (one of [`PRINCIPAL_KINDS`]), when by owner.
    pub owner_kind: String,
    /// The owning principal's id, when by owner.
    pub owner_id: String,
    /// The receiving principal's kind.
    pub share_kind: String,
    /// The receiving principal's id.
    pub share_id: String,
    /// The level the receivers get.
    pub access: Level,
    /// Whether the receivers' superiors get it too.
    pub superiors: bool,
}

impl SharingRuleForm {
    /// An empty form on `object`.
    pub fn new(object: &str) -> SharingRuleForm {
        SharingRuleForm {
            id: String::new(),
            object: object.to_owned(),
            by_owner: false,
            criteria: String::new(),
            owner_kind: "role".to_owned(),
            owner_id: String::new(),
            share_kind: "role".to_owned(),
            share_id: String::new(),
            access: Level::Read,
            superiors: true,
        }
    }

    /// The rule the form describes.
    pub fn rule(&self) -> SharingRule {
        SharingRule {
            id: self.id.trim().to_owned(),
            object: self.object.clone(),
            owned_by: self.by_owner.then(|| recipient(&self.owner_kind, &self.owner_id)),
            criteria: (!self.by_owner).then(|| self.criteria.clone()),
            share_with: recipient(&self.share_kind, &self.share_id),
            access: self.access,
            superiors: self.superiors,
            description: None,
        }
    }

    /// What compiling the staged policy with this rule would report about it.
    pub fn problems(&self, model: &Model) -> Vec<Problem> {
        problems_of(model, |policy| {
            policy.sharing_rules.push(self.rule());
            format!("/sharing_rules/{}", policy.sharing_rules.len() - 1)
        })
    }
}

/// A new forbid rule as the form holds it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ForbidRuleForm {
    /// The rule's id (unique among forbid rules).
    pub id: String,
    /// The objects it covers; none ticked: every object.
    pub objects: Vec<String>,
    /// The actions it denies; none ticked: every action.
    pub actions: Vec<String>,
    /// Hide these fields instead of denying (comma-separated; empty: deny).
    pub fields: String,
    /// The condition; empty: always.
    pub when: String,
}

impl ForbidRuleForm {
    /// The rule the form describes.
    pub fn rule(&self) -> ForbidRule {
        let fields: Vec<String> = self.fields.split(',').map(str::trim).filter(|f| !f.is_empty()).map(str::to_owned).collect();
        ForbidRule {
            id: self.id.trim().to_owned(),
            objects: (!self.objects.is_empty()).then(|| self.objects.clone()),
            actions: (!self.actions.is_empty()).then(|| self.actions.clone()),
            fields: (!fields.is_empty()).then_some(fields),
            when: Some(self.when.clone()).filter(|w| !w.trim().is_empty()),
            description: None,
        }
    }

    /// What compiling the staged policy with this rule would report about it.
    pub fn problems(&self, model: &Model) -> Vec<Problem> {
        problems_of(model, |policy| {
            policy.forbid.push(self.rule());
            format!("/forbid/{}", policy.forbid.len() - 1)
        })
    }
}

/// Ticks or unticks `item` in a list of ticked items.
pub fn toggled(list: &[String], item: &str, on: bool) -> Vec<String> {
    let mut out: Vec<String> = list.iter().filter(|i| *i != item).cloned().collect();
    if on {
        out.push(item.to_owned());
    }
    out
}

/// The problems under the path `add` returns after adding a rule to the
/// staged policy, with that prefix taken off.
fn problems_of(model: &Model, add: impl FnOnce(&mut clearance_core::Policy) -> String) -> Vec<Problem> {
    let Ok((mut policy, _)) = change::apply(&model.policy, &model.staged) else { return Vec::new() };
    let prefix = add(&mut policy);
    match clearance_core::Engine::compile(policy) {
        Ok(_) => Vec::new(),
        Err(error) => error
            .into_problems()
            .into_iter()
            .filter_map(|p| {
                let rest = p.path.strip_prefix(&prefix)?;
                (rest.is_empty() || rest.starts_with('/')).then(|| Problem { path: rest.to_owned(), ..p })
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn demo() -> Model {
        Model::demo()
    }

    fn codes(problems: &[Problem]) -> Vec<(String, String)> {
        problems.iter().map(|p| (p.path.clone(), p.code.clone())).collect()
    }

    #[test]
    fn a_filled_in_sharing_rule_compiles_and_is_the_rule_the_json_would_be() {
        let mut form = SharingRuleForm::new("Case");
        (form.id, form.criteria, form.share_id) = ("cases_up".into(), "record.priority == \"high\"".into(), "sales_director".into());
        assert_eq!(form.problems(&demo()), vec![]);
        let json = serde_json::json!({"id": "cases_up", "object": "Case", "criteria": "record.priority == \"high\"",
            "share_with": {"role": "sales_director"}, "access": "read"});
        assert_eq!(form.rule(), serde_json::from_value::<SharingRule>(json).unwrap());
    }

    #[test]
    fn each_mistake_points_at_its_own_field() {
        let mut form = SharingRuleForm::new("Case");
        form.criteria = "record.nope == 1".into();
        form.share_id = "no_such_role".into();
        let found = codes(&form.problems(&demo()));
        assert!(found.contains(&("/id".into(), "empty_id".into())), "{found:?}");
        assert!(found.contains(&("/criteria".into(), "unknown_field".into())), "{found:?}");
        assert!(found.contains(&("/share_with/role".into(), "unknown_role".into())), "{found:?}");
        // A rule already in the policy is not this form's problem.
        assert!(found.iter().all(|(path, _)| path.starts_with('/')), "{found:?}");
    }

    #[test]
    fn an_owner_based_rule_names_its_owner_and_no_criteria() {
        let mut form = SharingRuleForm::new("Account");
        (form.id, form.by_owner, form.owner_kind, form.owner_id) = ("x".into(), true, "department".into(), " nowhere ".into());
        form.share_kind = "group".into();
        let rule = form.rule();
        assert_eq!((rule.owned_by, rule.criteria), (Some(Recipient::Department("nowhere".into())), None));
        let found = codes(&form.problems(&demo()));
        assert!(found.contains(&("/owned_by/department".into(), "unknown_department".into())), "{found:?}");
        assert!(
            found.contains(&("/share_with/group".into(), "empty_id".into())) || found.iter().any(|(p, _)| p == "/share_with/group"),
            "{found:?}"
        );
    }

    #[test]
    fn every_principal_kind_round_trips_through_its_json_key() {
        for kind in PRINCIPAL_KINDS {
            let json = serde_json::to_value(recipient(kind, "x")).unwrap();
            assert_eq!(json, serde_json::json!({ kind: "x" }));
        }
    }

    #[test]
    fn a_forbid_rule_leaves_out_what_is_not_ticked() {
        let mut form = ForbidRuleForm { id: "no_export".into(), actions: vec!["export".into()], ..ForbidRuleForm::default() };
        assert_eq!(
            form.rule(),
            serde_json::from_value::<ForbidRule>(serde_json::json!({"id": "no_export", "actions": ["export"]})).unwrap()
        );
        assert_eq!(form.problems(&demo()), vec![]);
        form.fields = " annual_revenue , ,".into();
        form.objects = vec!["Account".into()];
        assert_eq!(form.rule().fields, Some(vec!["annual_revenue".to_owned()]));
        assert_eq!(form.problems(&demo()), vec![]);
        form.when = "record.nope == 1".into();
        form.fields = "annual_revenue, nope".into();
        let found = codes(&form.problems(&demo()));
        assert!(found.contains(&("/when".into(), "unknown_field".into())), "{found:?}");
        assert!(found.contains(&("/fields/1".into(), "unknown_field".into())), "{found:?}");
    }

    #[test]
    fn ticking_twice_keeps_one_and_unticking_removes() {
        let list = toggled(&[], "a", true);
        assert_eq!(toggled(&list, "a", true), vec!["a".to_owned()]);
        assert_eq!(toggled(&list, "a", false), Vec::<String>::new());
    }
}
