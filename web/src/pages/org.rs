//! The organisation: role and department trees, and the users.

use crate::state::AppState;
use clearance_core::policy::Policy;
use leptos::prelude::*;

/// `(depth, id, name)` of a tree's nodes in pre-order, roots in file order.
fn tree(nodes: &[(String, Option<String>, Option<String>)]) -> Vec<(usize, String, String)> {
    fn walk(
        nodes: &[(String, Option<String>, Option<String>)],
        parent: Option<&str>,
        depth: usize,
        out: &mut Vec<(usize, String, String)>,
    ) {
        for (id, name, p) in nodes.iter().filter(|(_, _, p)| p.as_deref() == parent) {
            out.push((depth, id.clone(), name.clone().unwrap_or_else(|| id.clone())));
            if depth < 64 {
                walk(nodes, Some(id), depth + 1, out);
            }
            let _ = p;
        }
    }
    let mut out = Vec::new();
    walk(nodes, None, 0, &mut out);
    out
}

fn tree_view(rows: Vec<(usize, String, String)>, testid: &'static str) -> impl IntoView {
    view! {
        <ul class="tree" data-testid=testid>
            {rows
                .into_iter()
                .map(|(depth, id, name)| view! { <li style=format!("margin-left: {}em", depth * 2)>{name}" "<code>{id}</code></li> })
                .collect_view()}
        </ul>
    }
}

/// The page.
#[component]
pub fn OrgPage() -> impl IntoView {
    let state = AppState::get();
    let policy =
        move || state.compiled.with(|c| c.0.as_ref().as_ref().ok().and_then(|c| c.current.policy().ok().cloned()).unwrap_or_default());
    let roles = move || {
        let p: Policy = policy();
        tree_view(tree(&p.roles.iter().map(|r| (r.id.clone(), r.name.clone(), r.parent.clone())).collect::<Vec<_>>()), "role-tree")
    };
    let departments = move || {
        let p: Policy = policy();
        tree_view(
            tree(&p.departments.iter().map(|d| (d.id.clone(), d.name.clone(), d.parent.clone())).collect::<Vec<_>>()),
            "department-tree",
        )
    };
    let users = move || {
        policy()
            .users
            .into_iter()
            .map(|u| {
                view! {
                    <tr data-testid="org-user" data-user=u.id.clone()>
                        <td>{u.name.clone().unwrap_or_default()}" "<code>{u.id.clone()}</code></td>
                        <td>{u.role.clone().unwrap_or_default()}</td>
                        <td>{u.department.clone().unwrap_or_default()}</td>
                        <td>{u.profile.clone().unwrap_or_default()}</td>
                        <td>{u.permission_sets.join(", ")}</td>
                        <td>{if u.active { state.t("org.yes") } else { state.t("org.no") }}</td>
                    </tr>
                }
            })
            .collect_view()
    };
    view! {
        <div class="page" data-testid="page-org">
            <div class="columns">
                <section><h2>{move || state.t("org.roles")}</h2>{roles}</section>
                <section><h2>{move || state.t("org.departments")}</h2>{departments}</section>
            </div>
            <section>
                <h2>{move || state.t("org.users")}</h2>
                <table>
                    <tr>
                        <th>{move || state.t("org.users")}</th>
                        <th>{move || state.t("org.role")}</th>
                        <th>{move || state.t("org.department")}</th>
                        <th>{move || state.t("org.profile")}</th>
                        <th>{move || state.t("org.permission_sets")}</th>
                        <th>{move || state.t("org.active")}</th>
                    </tr>
                    {users}
                </table>
            </section>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trees_are_listed_in_pre_order_with_depth() {
        let nodes = vec![
            ("ceo".to_owned(), None, None),
            ("rep".to_owned(), None, Some("mgr".to_owned())),
            ("mgr".to_owned(), Some("Manager".to_owned()), Some("ceo".to_owned())),
        ];
        let rows = tree(&nodes);
        assert_eq!(rows, [(0, "ceo".into(), "ceo".into()), (1, "mgr".into(), "Manager".into()), (2, "rep".into(), "rep".into())]);
    }
}
