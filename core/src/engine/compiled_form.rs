//! Comparing two engines' compiled forms: what an unsigned bundle's
//! compiled section is held to (see `bundle::open_owned`).

use super::Engine;

impl Engine {
    /// Whether `other` has the same compiled form (what a bundle carries:
    /// every table and index, not the policy source, the engine id or the
    /// tables rebuilt at load). An unsigned bundle is trusted by nothing, so
    /// loading one holds its compiled section to what compiling its policy
    /// gives: a corrupted index is refused at load instead of surfacing as a
    /// wrong answer or a trap at the first check.
    pub(crate) fn same_compiled_form(&self, other: &Engine) -> bool {
        let Engine {
            source: _,
            users,
            user_ids,
            user_names,
            user_groups,
            user_rules,
            value_rows,
            user_value_rows,
            users_by_role: _,
            users_by_department: _,
            user_index: _,
            roles,
            peer_roles,
            departments,
            groups,
            group_index,
            attributes,
            objects,
            object_index,
            actions,
            action_index,
            bundles,
            merged,
            field_offsets,
            sharing,
            rule_owners,
            forbid,
            conditions,
            forbid_deny,
            forbid_hide,
            mfa_matters,
            id: _,
        } = self;
        (users, user_ids, user_names, user_groups, user_rules, value_rows, user_value_rows, roles, peer_roles, departments)
            == (
                &other.users,
                &other.user_ids,
                &other.user_names,
                &other.user_groups,
                &other.user_rules,
                &other.value_rows,
                &other.user_value_rows,
                &other.roles,
                &other.peer_roles,
                &other.departments,
            )
            && (groups, group_index, attributes, objects, object_index, actions, action_index, bundles, merged, field_offsets)
                == (
                    &other.groups,
                    &other.group_index,
                    &other.attributes,
                    &other.objects,
                    &other.object_index,
                    &other.actions,
                    &other.action_index,
                    &other.bundles,
                    &other.merged,
                    &other.field_offsets,
                )
            && (sharing, rule_owners, forbid, conditions, forbid_deny, forbid_hide, mfa_matters)
                == (
                    &other.sharing,
                    &other.rule_owners,
                    &other.forbid,
                    &other.conditions,
                    &other.forbid_deny,
                    &other.forbid_hide,
                    &other.mfa_matters,
                )
    }
}
