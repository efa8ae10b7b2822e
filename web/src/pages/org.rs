//! The organisation: role and department trees, and the users. Every edit
//! is staged (and previewed on the Simulate page) before it is applied.

mod departments;
mod groups;
mod roles;
mod users;

use crate::components::problems::Problems;
use crate::state::AppState;
use clearance_core::Problem;
use clearance_core::change::Operation;
use departments::Departments;
use groups::Groups;
use leptos::prelude::*;
use roles::Roles;
use users::Users;

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

/// Above this many roles, parents are typed rather than picked.
const ROLE_LIST_LIMIT: usize = 200;
/// Users shown at once (the large org has ten thousand).
const USER_ROWS: usize = 100;

/// Stages an edit; its problems (if refused) go to `problems`.
///
/// Checking the edit (which compiles the policy) and re-rendering the pages
/// run as two tasks, so on the large org neither holds the page long.
pub(crate) fn stage(state: AppState, problems: RwSignal<Vec<Problem>>, op: Operation) {
    let mut next = state.model.get_untracked();
    match next.stage(op) {
        Ok(()) => {
            problems.set(Vec::new());
            set_timeout(move || state.model.set(next), std::time::Duration::ZERO);
        }
        Err(error) => problems.set(error.into_problems()),
    }
}

/// The page: trees and users; every edit is staged (see Simulate).
#[component]
pub fn OrgPage() -> impl IntoView {
    let state = AppState::get();
    let problems = RwSignal::new(Vec::<Problem>::new());
    view! {
        <div class="page" data-testid="page-org">
            <p class="hint">{move || state.t("org.hint")}</p>
            {move || (!problems.get().is_empty()).then(|| view! { <Problems problems=problems.get()/> })}
            <div class="columns">
                <section><h2>{move || state.t("org.roles")}</h2><Roles problems/></section>
                <section><h2>{move || state.t("org.departments")}</h2><Departments problems/></section>
            </div>
            <section>
                <h2>{move || state.t("org.groups")}</h2>
                <Groups problems/>
            </section>
            <section>
                <h2>{move || state.t("org.users")}</h2>
                <table>
                    <thead>
                        <tr>
                            <th scope="col">{move || state.t("org.users")}</th>
                            <th scope="col">{move || state.t("org.role")}</th>
                            <th scope="col">{move || state.t("org.department")}</th>
                            <th scope="col">{move || state.t("org.profile")}</th>
                            <th scope="col">{move || state.t("org.permission_sets")}</th>
                            <th scope="col">{move || state.t("org.attributes")}</th>
                            <th scope="col">{move || state.t("org.active")}</th>
                        </tr>
                    </thead>
                    <tbody><Users problems/></tbody>
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
