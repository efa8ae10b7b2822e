//! Every string of the UI in English and Chinese, looked up by key.

use clearance_core::Lang;

const TEXTS: &[(&str, &str, &str)] = &[
    ("title", "Clearance admin", "Clearance 管理后台"),
    ("nav.who", "Who can see what", "谁能看到什么"),
    ("nav.simulate", "Simulate changes", "模拟变更"),
    ("nav.org", "Organisation", "组织"),
    ("nav.lint", "Lint", "检查"),
    ("nav.data", "Import / export", "导入 / 导出"),
    ("lang.switch", "中文", "English"),
    ("who.user", "User", "用户"),
    ("who.record", "Record", "记录"),
    ("who.action", "Action", "操作"),
    ("who.pick_user", "— pick a user —", "— 选择用户 —"),
    ("who.pick_record", "— pick a record —", "— 选择记录 —"),
    ("who.type_user", "user id", "用户 ID"),
    ("who.records_of", "Records this user can read", "该用户可读取的记录"),
    ("who.users_of", "Users who can access this record", "可访问该记录的用户"),
    ("who.decision", "Decision", "决策"),
    ("who.allowed", "allowed", "允许"),
    ("who.denied", "denied", "拒绝"),
    ("who.stage", "denied at stage", "拒绝阶段"),
    ("who.remedy", "would be allowed with MFA", "启用多因素认证后将被允许"),
    ("who.level", "Level", "级别"),
    ("who.reasons", "Reasons", "原因"),
    ("who.fields", "Visible / editable fields", "可见 / 可编辑字段"),
    ("who.none", "nothing", "无"),
    ("sim.stage_title", "Stage an edit", "暂存一项编辑"),
    ("sim.move_user", "Move user", "调动用户"),
    ("sim.to_role", "to role", "至角色"),
    ("sim.stage", "Stage", "暂存"),
    ("sim.staged", "Staged edits (not applied)", "已暂存的编辑（未应用）"),
    ("sim.no_staged", "No staged edits: the preview shows the applied policy.", "没有暂存的编辑：预览显示当前已应用的策略。"),
    ("sim.remove", "Remove", "移除"),
    ("sim.apply", "Apply all", "全部应用"),
    ("sim.discard", "Discard all", "全部放弃"),
    ("sim.effect", "Effect of the staged edits", "暂存编辑的影响"),
    ("sim.gained", "gained", "获得"),
    ("sim.lost", "lost", "失去"),
    ("sim.by_object", "By object and action", "按对象和操作"),
    ("sim.changes", "Every change", "全部变化"),
    ("sim.set_active", "Deactivate / activate user", "停用 / 启用用户"),
    ("sim.toggle", "Toggle", "切换"),
    ("org.roles", "Role tree", "角色树"),
    ("org.departments", "Department tree", "部门树"),
    ("org.users", "Users", "用户"),
    ("org.role", "Role", "角色"),
    ("org.department", "Department", "部门"),
    ("org.profile", "Profile", "简档"),
    ("org.permission_sets", "Permission sets", "权限集"),
    ("org.active", "Active", "启用"),
    ("org.yes", "yes", "是"),
    ("org.no", "no", "否"),
    ("org.delete", "Delete", "删除"),
    ("org.add", "Add role", "新增角色"),
    ("org.new_role", "new role id", "新角色 ID"),
    (
        "org.hint",
        "Edits here are staged: see their effect under Simulate changes, then apply them.",
        "此处的编辑会被暂存：在“模拟变更”中查看影响后再应用。",
    ),
    ("org.groups", "Groups (members nest)", "小组（成员可嵌套）"),
    ("org.attributes", "Attributes", "属性"),
    ("org.new_department", "new department id", "新部门 ID"),
    ("org.add_department", "Add department", "新增部门"),
    ("org.new_group", "new group id", "新小组 ID"),
    ("org.add_group", "Add group", "新增小组"),
    ("perm.session", "Session policy", "会话策略"),
    ("perm.mfa", "MFA required", "要求多因素认证"),
    ("perm.ips", "Allowed IP ranges (comma-separated CIDR)", "允许的 IP 范围（逗号分隔的 CIDR）"),
    ("perm.grant_system", "grant a system permission", "授予系统权限"),
    ("perm.hours", "Login hours (days, from, to)", "登录时段（日期、开始、结束）"),
    ("perm.forbid", "Forbid rules (when)", "禁止规则（条件）"),
    ("perm.hierarchy", "Hierarchy access", "层级访问"),
    ("nav.permissions", "Permissions", "权限"),
    ("perm.bundle", "Bundle", "权限包"),
    ("perm.matrix", "Object access (scope per action)", "对象访问（每个操作的范围）"),
    ("perm.fields", "Field access", "字段访问"),
    ("perm.system", "System permissions", "系统权限"),
    ("perm.rules", "Sharing rules", "共享规则"),
    ("perm.criteria", "Criteria", "条件"),
    ("perm.save", "Stage", "暂存"),
    ("perm.valid", "valid", "有效"),
    ("perm.baselines", "Object baselines", "对象默认访问"),
    ("lint.title", "Lint findings", "检查结果"),
    ("lint.none", "No findings.", "没有发现问题。"),
    ("data.import", "Import a policy or an export", "导入策略或导出文件"),
    ("data.export", "Export policy, records and staged edits", "导出策略、记录和暂存编辑"),
    ("data.errors", "The import was refused; nothing changed:", "导入被拒绝，未做任何更改："),
    ("data.imported", "Imported.", "已导入。"),
    ("data.demo", "Load the demo org", "加载演示组织"),
    ("data.large", "Load the large generated org (10,000 users)", "加载大型生成组织（10,000 名用户）"),
    ("errors", "Problems", "问题"),
];

/// The text for `key` in `lang` (the key itself when missing, so gaps show).
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    TEXTS.iter().find(|(k, _, _)| *k == key).map_or(key, |(_, en, zh)| if lang == Lang::Zh { zh } else { en })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_key_has_both_languages_and_keys_are_unique() {
        let mut keys = std::collections::BTreeSet::new();
        for (key, en, zh) in TEXTS {
            assert!(keys.insert(key), "duplicate key {key}");
            assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{key}");
        }
    }
}
