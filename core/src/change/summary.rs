//! A change set said in words, one sentence per operation (English, 中文).

use super::ops::{BundleKind, BundleRef, Operation};
use crate::explain::Lang;
use crate::policy::Recipient;

/// The English or the Chinese sentence: both format strings name the same
/// values (the arms of [`sentence`] stay one line each).
macro_rules! say {
    ($zh:expr, $en:literal, $cn:literal $(, $arg:expr)*) => {
        if $zh { format!($cn $(, $arg)*) } else { format!($en $(, $arg)*) }
    };
}

fn bundle(b: &BundleRef, lang: Lang) -> String {
    match (b.kind, lang) {
        (BundleKind::Profile, Lang::En) => format!("profile `{}`", b.id),
        (BundleKind::PermissionSet, Lang::En) => format!("permission set `{}`", b.id),
        (BundleKind::Profile, Lang::Zh) => format!("简档 `{}`", b.id),
        (BundleKind::PermissionSet, Lang::Zh) => format!("权限集 `{}`", b.id),
    }
}

fn recipient(r: &Recipient, lang: Lang) -> String {
    let (en, zh, id) = match r {
        Recipient::User(id) => ("user", "用户", id),
        Recipient::Group(id) => ("group", "小组", id),
        Recipient::Role(id) => ("role", "角色", id),
        Recipient::RoleAndSubordinates(id) => ("role and subordinates of", "角色及其下属", id),
        Recipient::Department(id) => ("department", "部门", id),
        Recipient::DepartmentTree(id) => ("department tree of", "部门树", id),
    };
    match lang {
        Lang::En => format!("{en} `{id}`"),
        Lang::Zh => format!("{zh} `{id}`"),
    }
}

fn opt(value: &Option<impl std::fmt::Display>, none_en: &str, none_zh: &str, lang: Lang) -> String {
    match (value, lang) {
        (Some(v), _) => format!("`{v}`"),
        (None, Lang::En) => none_en.to_owned(),
        (None, Lang::Zh) => none_zh.to_owned(),
    }
}

fn json<T: serde::Serialize>(value: &T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

/// One sentence per operation.
pub fn summarize(changes: &[Operation], lang: Lang) -> Vec<String> {
    changes.iter().map(|op| sentence(op, lang)).collect()
}

fn sentence(op: &Operation, lang: Lang) -> String {
    let zh = lang == Lang::Zh;
    match op {
        Operation::MoveUser { user, role, department } => move_sentence(user, role.as_deref(), department.as_deref(), zh),
        Operation::SetUserActive { user, active } => match (zh, active) {
            (false, true) => format!("activate user `{user}`"),
            (false, false) => format!("deactivate user `{user}`"),
            (true, true) => format!("启用用户 `{user}`"),
            (true, false) => format!("停用用户 `{user}`"),
        },
        Operation::AddUser { user } => say!(zh, "add user `{}`", "新增用户 `{}`", user.id),
        Operation::RemoveUser { user } => say!(zh, "remove user `{user}`", "删除用户 `{user}`"),
        Operation::SetProfile { user, profile } => {
            let p = opt(profile, "no profile", "无简档", lang);
            say!(zh, "give user `{user}` {p} as profile", "将用户 `{user}` 的简档设为 {p}")
        }
        Operation::GrantPermissionSet { user, permission_set } => {
            say!(zh, "grant permission set `{permission_set}` to user `{user}`", "授予用户 `{user}` 权限集 `{permission_set}`")
        }
        Operation::RevokePermissionSet { user, permission_set } => {
            say!(zh, "revoke permission set `{permission_set}` from user `{user}`", "撤销用户 `{user}` 的权限集 `{permission_set}`")
        }
        Operation::SetUserAttribute { user, name, value } => match (value, zh) {
            (Some(v), false) => format!("set attribute `{name}` of user `{user}` to `{v}`"),
            (Some(v), true) => format!("将用户 `{user}` 的属性 `{name}` 设为 `{v}`"),
            (None, false) => format!("remove attribute `{name}` of user `{user}`"),
            (None, true) => format!("删除用户 `{user}` 的属性 `{name}`"),
        },
        Operation::AddGroup { group } => say!(zh, "add group `{}`", "新增小组 `{}`", group.id),
        Operation::RemoveGroup { group } => say!(zh, "remove group `{group}`", "删除小组 `{group}`"),
        Operation::AddGroupMember { group, member } => {
            let m = recipient(member, lang);
            say!(zh, "add {m} to group `{group}`", "将{m}加入小组 `{group}`")
        }
        Operation::RemoveGroupMember { group, member } => {
            let m = recipient(member, lang);
            say!(zh, "remove {m} from group `{group}`", "将{m}移出小组 `{group}`")
        }
        Operation::AddRole { role } => say!(zh, "add role `{}`", "新增角色 `{}`", role.id),
        Operation::RenameRole { role, name } => say!(zh, "rename role `{role}` to \"{name}\"", "将角色 `{role}` 改名为「{name}」"),
        Operation::ReparentRole { role, parent } => {
            let p = opt(parent, "the top", "顶层", lang);
            say!(zh, "move role `{role}` under {p}", "将角色 `{role}` 移至 {p} 之下")
        }
        Operation::RemoveRole { role } => say!(zh, "remove role `{role}`", "删除角色 `{role}`"),
        Operation::AddDepartment { department } => say!(zh, "add department `{}`", "新增部门 `{}`", department.id),
        Operation::RenameDepartment { department, name } => {
            say!(zh, "rename department `{department}` to \"{name}\"", "将部门 `{department}` 改名为「{name}」")
        }
        Operation::ReparentDepartment { department, parent } => {
            let p = opt(parent, "the top", "顶层", lang);
            say!(zh, "move department `{department}` under {p}", "将部门 `{department}` 移至 {p} 之下")
        }
        Operation::RemoveDepartment { department } => say!(zh, "remove department `{department}`", "删除部门 `{department}`"),
        Operation::SetScope { bundle: b, object, action, scope } => {
            let b = bundle(b, lang);
            match (scope, zh) {
                (Some(s), false) => format!("{b} grants `{action}` on `{object}` with scope `{}`", json(s)),
                (Some(s), true) => format!("{b} 授予 `{object}` 的 `{action}` 权限，范围 `{}`", json(s)),
                (None, false) => format!("{b} no longer grants `{action}` on `{object}`"),
                (None, true) => format!("{b} 不再授予 `{object}` 的 `{action}` 权限"),
            }
        }
        Operation::SetFieldAccess { bundle: b, field, access } => {
            let b = bundle(b, lang);
            match (access, zh) {
                (Some(a), false) => format!("{b} gives `{}` access to field `{field}`", json(a)),
                (Some(a), true) => format!("{b} 对字段 `{field}` 的访问设为 `{}`", json(a)),
                (None, false) => format!("{b} no longer sets access to field `{field}`"),
                (None, true) => format!("{b} 不再设置字段 `{field}` 的访问"),
            }
        }
        Operation::GrantSystemPermission { bundle: b, permission } => {
            let b = bundle(b, lang);
            say!(zh, "{b} grants system permission `{permission}`", "{b} 授予系统权限 `{permission}`")
        }
        Operation::RevokeSystemPermission { bundle: b, permission } => {
            let b = bundle(b, lang);
            if zh {
                format!("{b} 撤销系统权限 `{permission}`")
            } else {
                format!("{b} no longer grants system permission `{permission}`")
            }
        }
        Operation::SetSession { bundle: b, session } => session_sentence(&bundle(b, lang), session.as_ref(), zh),
        Operation::AddSharingRule { rule } => {
            let with = recipient(&rule.share_with, lang);
            if zh {
                format!("新增共享规则 `{}`：将 `{}` 共享给{with}", rule.id, rule.object)
            } else {
                format!("add sharing rule `{}` sharing `{}` with {with}", rule.id, rule.object)
            }
        }
        Operation::EditSharingRule { rule } => say!(zh, "edit sharing rule `{}`", "修改共享规则 `{}`", rule.id),
        Operation::RemoveSharingRule { rule } => say!(zh, "remove sharing rule `{rule}`", "删除共享规则 `{rule}`"),
        Operation::AddForbidRule { rule } => say!(zh, "add forbid rule `{}`", "新增禁止规则 `{}`", rule.id),
        Operation::EditForbidRule { rule } => say!(zh, "edit forbid rule `{}`", "修改禁止规则 `{}`", rule.id),
        Operation::RemoveForbidRule { rule } => say!(zh, "remove forbid rule `{rule}`", "删除禁止规则 `{rule}`"),
        Operation::SetBaseline { object, baseline } => {
            say!(zh, "set the baseline of `{object}` to `{}`", "将 `{object}` 的组织默认访问设为 `{}`", json(baseline))
        }
        Operation::SetHierarchy { object, hierarchy } => {
            let access = json(&hierarchy.access);
            if zh {
                format!("将 `{object}` 的层级访问设为 `{access}`")
            } else {
                format!("set hierarchy access on `{object}` to `{access}`")
            }
        }
        Operation::ReplacePolicy { policy } => {
            let version = super::version(policy);
            let short = &version[..12.min(version.len())];
            say!(zh, "restore version `{short}`", "恢复版本 `{short}`")
        }
    }
}

fn move_sentence(user: &str, role: Option<&str>, department: Option<&str>, zh: bool) -> String {
    let mut parts = Vec::new();
    if let Some(role) = role {
        parts.push(say!(zh, "role `{role}`", "角色 `{role}`"));
    }
    if let Some(department) = department {
        parts.push(say!(zh, "department `{department}`", "部门 `{department}`"));
    }
    if zh { format!("将用户 `{user}` 调至{}", parts.join("、")) } else { format!("move user `{user}` to {}", parts.join(" and ")) }
}

fn session_sentence(b: &str, session: Option<&crate::policy::SessionPolicy>, zh: bool) -> String {
    match (session, zh) {
        (Some(s), false) => {
            let mfa = if s.mfa_required { "requires MFA" } else { "does not require MFA" };
            let ips = if s.ip_ranges.is_empty() { String::new() } else { format!(", allows IPs {}", s.ip_ranges.join(", ")) };
            format!("{b} {mfa}{ips}")
        }
        (Some(s), true) => {
            let mfa = if s.mfa_required { "要求多因素认证" } else { "不要求多因素认证" };
            let ips = if s.ip_ranges.is_empty() { String::new() } else { format!("，允许 IP {}", s.ip_ranges.join("、")) };
            format!("{b} {mfa}{ips}")
        }
        (None, false) => format!("{b} has no session policy"),
        (None, true) => format!("{b} 不设会话策略"),
    }
}
