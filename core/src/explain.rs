//! Human sentences for decisions, in English and Chinese. They read the
//! rendered decision only, so a decision stored as JSON explains itself too.

use crate::decision::Stage;
use crate::output::{DecisionOut, ReasonOut};
use crate::policy::{Baseline, Level, Recipient, Scope};

/// Output language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese.
    Zh,
}

impl Lang {
    /// Parses `en` or `zh`.
    pub fn parse(text: &str) -> Option<Lang> {
        match text {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }
}

/// Who did what to which record.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Subject {
    /// User id.
    pub user: String,
    /// User display name, when known.
    pub user_name: Option<String>,
    /// Action.
    pub action: String,
    /// Object type.
    pub object: String,
    /// Record id, when there is a record.
    pub record: Option<String>,
}

/// One sentence explaining the decision.
pub fn explain(decision: &DecisionOut, subject: &Subject, lang: Lang) -> String {
    let who = match &subject.user_name {
        Some(name) => format!("{name} (`{}`)", subject.user),
        None => format!("`{}`", subject.user),
    };
    let what = match &subject.record {
        Some(id) => format!("{} `{id}`", subject.object),
        None => match lang {
            Lang::En => format!("a new {}", subject.object),
            Lang::Zh => format!("新的 {}", subject.object),
        },
    };
    let action = action_word(&subject.action, lang);
    let mut sentence = if decision.allowed {
        let level = decision.level.map(|l| level_word(l, lang)).unwrap_or_default();
        let reasons: Vec<String> = decision.reasons.iter().map(|r| reason_phrase(r, &subject.action, lang)).collect();
        match lang {
            Lang::En => format!("{who} may {action} {what} with {level} access: {}.", reasons.join("; ")),
            Lang::Zh => format!("{who} 可以{action} {what}（{level}权限）：{}。", reasons.join("；")),
        }
    } else {
        let why = denial_phrase(decision, subject, lang);
        match lang {
            Lang::En => format!("{who} may not {action} {what}: {why}."),
            Lang::Zh => format!("{who} 不能{action} {what}：{why}。"),
        }
    };
    if decision.remedy.is_some() {
        sentence.push_str(match lang {
            Lang::En => " Signing in with multi-factor authentication would allow it.",
            Lang::Zh => "完成多因素认证后即可允许。",
        });
    }
    sentence
}

fn action_word(action: &str, lang: Lang) -> String {
    match lang {
        Lang::En => action.to_owned(),
        Lang::Zh => match action {
            "read" => "读取",
            "create" => "创建",
            "edit" => "编辑",
            "delete" => "删除",
            "transfer" => "转移",
            "share" => "共享",
            "export" => "导出",
            other => return format!("执行 `{other}` 操作于"),
        }
        .to_owned(),
    }
}

/// A level as a word of `lang` (in English, its name in JSON).
pub(crate) fn level_word(level: Level, lang: Lang) -> &'static str {
    match (level, lang) {
        (Level::Read, Lang::En) => "read",
        (Level::Edit, Lang::En) => "edit",
        (Level::Full, Lang::En) => "full",
        (Level::Read, Lang::Zh) => "只读",
        (Level::Edit, Lang::Zh) => "读写",
        (Level::Full, Lang::Zh) => "完全",
    }
}

fn scope_words(scope: Scope, lang: Lang) -> &'static str {
    match (scope, lang) {
        (Scope::Own, Lang::En) => "records they own",
        (Scope::Department, Lang::En) => "records of their department",
        (Scope::DepartmentTree, Lang::En) => "records of their department and the departments below it",
        (Scope::All, Lang::En) => "all records",
        (Scope::Own, Lang::Zh) => "本人的记录",
        (Scope::Department, Lang::Zh) => "本部门的记录",
        (Scope::DepartmentTree, Lang::Zh) => "本部门及下级部门的记录",
        (Scope::All, Lang::Zh) => "全部记录",
    }
}

fn recipient_words(recipient: &Recipient, lang: Lang) -> String {
    let (en, zh, id) = match recipient {
        Recipient::User(id) => ("user", "用户", id),
        Recipient::Group(id) => ("group", "群组", id),
        Recipient::Role(id) => ("role", "角色", id),
        Recipient::RoleAndSubordinates(id) => ("role and subordinates of", "角色及其下属", id),
        Recipient::Department(id) => ("department", "部门", id),
        Recipient::DepartmentTree(id) => ("department tree of", "部门及下级部门", id),
    };
    match lang {
        Lang::En => format!("{en} `{id}`"),
        Lang::Zh => format!("{zh} `{id}`"),
    }
}

fn reason_phrase(reason: &ReasonOut, action: &str, lang: Lang) -> String {
    let s = |x: &Option<String>| x.clone().unwrap_or_default();
    match (&*reason.kind, lang) {
        ("owner", Lang::En) => "they own the record".into(),
        ("owner", Lang::Zh) => "其为记录所有者".into(),
        ("scope", Lang::En) => {
            format!("`{}` grants {action} on {}", s(&reason.bundle), reason.scope.map_or("", |sc| scope_words(sc, lang)))
        }
        ("scope", Lang::Zh) => format!(
            "权限包 `{}` 授予对{}的{}权限",
            s(&reason.bundle),
            reason.scope.map_or("", |sc| scope_words(sc, lang)),
            action_word(action, lang)
        ),
        ("baseline", Lang::En) => match reason.baseline {
            Some(Baseline::PublicReadWrite) => "the org-wide default is public read/write".into(),
            _ => "the org-wide default is public read".into(),
        },
        ("baseline", Lang::Zh) => match reason.baseline {
            Some(Baseline::PublicReadWrite) => "组织默认权限为公开读写".into(),
            _ => "组织默认权限为公开只读".into(),
        },
        ("hierarchy", Lang::En) => format!("their role `{}` is above the owner's role `{}`", s(&reason.role), s(&reason.owner_role)),
        ("hierarchy", Lang::Zh) => format!("其角色 `{}` 高于所有者的角色 `{}`", s(&reason.role), s(&reason.owner_role)),
        ("peers", Lang::En) => format!("they hold the owner's role `{}`, whose peers see each other's data", s(&reason.role)),
        ("peers", Lang::Zh) => format!("其与所有者同属角色 `{}`，该角色同级共享数据", s(&reason.role)),
        ("sharing_rule", Lang::En) => {
            let via = if reason.via_superior == Some(true) { " as a superior of a recipient" } else { "" };
            format!("sharing rule `{}` shares it with them{via}", s(&reason.rule))
        }
        ("sharing_rule", Lang::Zh) => {
            let via = if reason.via_superior == Some(true) { "（作为接收者的上级）" } else { "" };
            format!("共享规则 `{}` 将其共享给该用户{via}", s(&reason.rule))
        }
        ("team", Lang::En) => format!("they are on the record's team with {} access", level_word(reason.level, lang)),
        ("team", Lang::Zh) => format!("其为记录团队成员（{}权限）", level_word(reason.level, lang)),
        ("manual_share", Lang::En) => {
            format!("the record is shared manually with {}", reason.with.as_ref().map(|w| recipient_words(w, lang)).unwrap_or_default())
        }
        ("manual_share", Lang::Zh) => {
            format!("记录已手动共享给{}", reason.with.as_ref().map(|w| recipient_words(w, lang)).unwrap_or_default())
        }
        ("parent", Lang::En) => {
            let inner: Vec<String> = reason.reasons.iter().flatten().map(|r| reason_phrase(r, action, lang)).collect();
            format!(
                "they have {} access to the parent {} `{}` ({})",
                level_word(reason.level, lang),
                s(&reason.object),
                s(&reason.record),
                inner.join(", ")
            )
        }
        ("parent", Lang::Zh) => {
            let inner: Vec<String> = reason.reasons.iter().flatten().map(|r| reason_phrase(r, action, lang)).collect();
            format!(
                "其对上级记录 {} `{}` 拥有{}权限（{}）",
                s(&reason.object),
                s(&reason.record),
                level_word(reason.level, lang),
                inner.join("，")
            )
        }
        (other, _) => other.to_owned(),
    }
}

fn denial_phrase(decision: &DecisionOut, subject: &Subject, lang: Lang) -> String {
    let denial = decision.denial.clone().unwrap_or_default();
    let s = |x: &Option<String>| x.clone().unwrap_or_default();
    let list = |items: &Option<Vec<String>>, sep: &str| items.iter().flatten().map(|i| format!("`{i}`")).collect::<Vec<_>>().join(sep);
    let missing = denial.missing_context.clone();
    let Some(stage) = decision.stage else {
        return String::new();
    };
    match (stage, lang) {
        (Stage::UnknownUser, Lang::En) => format!("there is no user `{}`", subject.user),
        (Stage::UnknownUser, Lang::Zh) => format!("不存在用户 `{}`", subject.user),
        (Stage::InactiveUser, Lang::En) => "the user is inactive".into(),
        (Stage::InactiveUser, Lang::Zh) => "该用户已停用".into(),
        (Stage::MfaRequired, Lang::En) => {
            format!("bundle `{}` requires multi-factor authentication and the session has not passed it", s(&denial.bundle))
        }
        (Stage::MfaRequired, Lang::Zh) => format!("权限包 `{}` 要求多因素认证，而当前会话未通过", s(&denial.bundle)),
        (Stage::IpNotAllowed, Lang::En) => match missing {
            Some(_) => format!("bundle `{}` restricts ip ranges and the request has no `context.ip`", s(&denial.bundle)),
            None => format!("bundle `{}` restricts ip ranges and the client address is outside them", s(&denial.bundle)),
        },
        (Stage::IpNotAllowed, Lang::Zh) => match missing {
            Some(_) => format!("权限包 `{}` 限制了 IP 范围，而请求缺少 `context.ip`", s(&denial.bundle)),
            None => format!("权限包 `{}` 限制了 IP 范围，客户端地址不在其中", s(&denial.bundle)),
        },
        (Stage::OutsideLoginHours, Lang::En) => match missing {
            Some(_) => format!("bundle `{}` restricts login hours and the request has no `context.time`", s(&denial.bundle)),
            None => format!("bundle `{}` restricts login hours and the request falls outside them", s(&denial.bundle)),
        },
        (Stage::OutsideLoginHours, Lang::Zh) => match missing {
            Some(_) => format!("权限包 `{}` 限定了登录时段，而请求缺少 `context.time`", s(&denial.bundle)),
            None => format!("权限包 `{}` 限定了登录时段，请求时间不在其内", s(&denial.bundle)),
        },
        (Stage::NoPrivilege, Lang::En) => {
            format!("none of their bundles ({}) grants {} on {}", list(&denial.bundles, ", "), subject.action, subject.object)
        }
        (Stage::NoPrivilege, Lang::Zh) => {
            format!("其权限包（{}）均未授予对 {} 的{}权限", list(&denial.bundles, "、"), subject.object, action_word(&subject.action, lang))
        }
        (Stage::NoRecordAccess, Lang::En) => format!(
            "{} needs {} access and {}",
            subject.action,
            denial.needs.map_or("", |l| level_word(l, lang)),
            match decision.level {
                Some(level) => format!("they have only {} access", level_word(level, lang)),
                None => "no owner, scope, hierarchy, sharing, team or share path reaches the record".into(),
            }
        ),
        (Stage::NoRecordAccess, Lang::Zh) => format!(
            "{}需要{}权限，{}",
            action_word(&subject.action, lang),
            denial.needs.map_or("", |l| level_word(l, lang)),
            match decision.level {
                Some(level) => format!("而其仅有{}权限", level_word(level, lang)),
                None => "而所有者、范围、层级、共享、团队等路径均未覆盖该记录".into(),
            }
        ),
        (Stage::Forbidden, Lang::En) => match missing {
            Some(key) => format!("forbid rule `{}` applies because the request has no `context.{key}` (fail closed)", s(&denial.rule)),
            None => format!("forbid rule `{}` applies", s(&denial.rule)),
        },
        (Stage::Forbidden, Lang::Zh) => match missing {
            Some(key) => format!("禁止规则 `{}` 生效：请求缺少 `context.{key}`，按失败关闭处理", s(&denial.rule)),
            None => format!("禁止规则 `{}` 生效", s(&denial.rule)),
        },
        (Stage::FieldNotEditable, Lang::En) => {
            format!("they may not edit {}", list(&denial.fields, ", "))
        }
        (Stage::FieldNotEditable, Lang::Zh) => {
            format!("其不可编辑字段 {}", list(&denial.fields, "、"))
        }
    }
}
