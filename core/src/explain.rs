//! Human sentences for decisions, in English and Chinese. They read the
//! rendered decision only, so a decision stored as JSON explains itself too.

use crate::decision::Stage;
use crate::output::{DecisionOut, ReasonOut};
use crate::policy::{Baseline, Level, Recipient, Scope};
use Part::{Id, Text};

/// Output language.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    /// English.
    En,
    /// Simplified Chinese (English in a build without the `zh` feature).
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

    /// The code [`Lang::parse`] reads back (`en`, `zh`): what the app puts
    /// in its `lang` attribute, its storage and its worker's questions.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }
}

/// Who did what to which record (borrowed: a sentence is written per
/// decision, and the package's `check` writes one per call).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Subject<'a> {
    /// User id.
    pub user: &'a str,
    /// User display name, when known.
    pub user_name: Option<&'a str>,
    /// Action.
    pub action: &'a str,
    /// Object type.
    pub object: &'a str,
    /// Record id, when there is a record.
    pub record: Option<&'a str>,
}

/// One sentence explaining the decision.
pub fn explain(decision: &DecisionOut, subject: &Subject<'_>, lang: Lang) -> String {
    let mut out = String::with_capacity(160);
    write_explanation(&mut out, decision, subject, lang);
    out
}

/// [`explain`] into `out`: one buffer, no intermediate strings (a
/// sentence built from `format!` pieces cost the package's `check` more
/// than deciding did).
pub fn write_explanation(out: &mut String, decision: &DecisionOut, subject: &Subject<'_>, lang: Lang) {
    // Without the `zh` feature (the npm package) the Chinese texts are not
    // compiled in, and sentences are English.
    #[cfg(not(feature = "zh"))]
    let lang = {
        let _ = lang;
        Lang::En
    };
    if let Some(name) = subject.user_name {
        out.push_str(name);
        out.push_str(" (");
        tick(out, subject.user);
        out.push(')');
    } else {
        tick(out, subject.user);
    }
    let en = lang == Lang::En;
    out.push_str(match (decision.allowed, en) {
        (true, true) => " may ",
        (false, true) => " may not ",
        (true, false) => " 可以",
        (false, false) => " 不能",
    });
    push_action(out, subject.action, lang);
    out.push(' ');
    match subject.record {
        Some(id) => {
            out.push_str(subject.object);
            out.push(' ');
            tick(out, id);
        }
        None => {
            out.push_str(if en { "a new " } else { "新的 " });
            out.push_str(subject.object);
        }
    }
    if decision.allowed {
        let level = decision.level.map(|l| level_word(l, lang)).unwrap_or_default();
        out.push_str(if en { " with " } else { "（" });
        out.push_str(level);
        out.push_str(if en { " access: " } else { "权限）：" });
        for (n, reason) in decision.reasons.iter().enumerate() {
            if n > 0 {
                out.push_str(if en { "; " } else { "；" });
            }
            reason_phrase(out, reason, subject.action, lang);
        }
    } else {
        out.push_str(if en { ": " } else { "：" });
        denial_phrase(out, decision, subject, lang);
    }
    out.push_str(if en { "." } else { "。" });
    if decision.remedy.is_some() {
        out.push_str(if en {
            " Signing in with multi-factor authentication would allow it."
        } else {
            "完成多因素认证后即可允许。"
        });
    }
}

/// `id` in backticks, as every id in a sentence is.
fn tick(out: &mut String, id: &str) {
    out.push('`');
    out.push_str(id);
    out.push('`');
}

fn push_action(out: &mut String, action: &str, lang: Lang) {
    let word = match (lang, action) {
        (Lang::En, _) => action,
        (Lang::Zh, "read") => "读取",
        (Lang::Zh, "create") => "创建",
        (Lang::Zh, "edit") => "编辑",
        (Lang::Zh, "delete") => "删除",
        (Lang::Zh, "transfer") => "转移",
        (Lang::Zh, "share") => "共享",
        (Lang::Zh, "export") => "导出",
        (Lang::Zh, other) => {
            out.push_str("执行 ");
            tick(out, other);
            out.push_str(" 操作于");
            return;
        }
    };
    out.push_str(word);
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

fn push_recipient(out: &mut String, recipient: &Recipient, lang: Lang) {
    let (en, zh, id) = match recipient {
        Recipient::User(id) => ("user", "用户", id),
        Recipient::Group(id) => ("group", "群组", id),
        Recipient::Role(id) => ("role", "角色", id),
        Recipient::RoleAndSubordinates(id) => ("role and subordinates of", "角色及其下属", id),
        Recipient::Department(id) => ("department", "部门", id),
        Recipient::DepartmentTree(id) => ("department tree of", "部门及下级部门", id),
    };
    out.push_str(if lang == Lang::En { en } else { zh });
    out.push(' ');
    tick(out, id);
}

/// Writes `parts` in order: text as it is, `Id`s in backticks.
fn push_parts(out: &mut String, parts: &[Part<'_>]) {
    for part in parts {
        match part {
            Part::Text(text) => out.push_str(text),
            Part::Id(id) => tick(out, id),
        }
    }
}

/// A piece of a sentence.
enum Part<'a> {
    Text(&'a str),
    Id(&'a str),
}

fn reason_phrase(out: &mut String, reason: &ReasonOut, action: &str, lang: Lang) {
    let en = lang == Lang::En;
    let level = level_word(reason.level, lang);
    match &*reason.kind {
        "owner" => out.push_str(if en { "they own the record" } else { "其为记录所有者" }),
        "scope" => {
            let scope = reason.scope.map_or("", |sc| scope_words(sc, lang));
            if en {
                push_parts(out, &[Id(or_empty(&reason.bundle)), Text(" grants "), Text(action), Text(" on "), Text(scope)]);
            } else {
                push_parts(out, &[Text("权限包 "), Id(or_empty(&reason.bundle)), Text(" 授予对"), Text(scope), Text("的")]);
                push_action(out, action, lang);
                out.push_str("权限");
            }
        }
        "baseline" => out.push_str(match (reason.baseline, en) {
            (Some(Baseline::PublicReadWrite), true) => "the org-wide default is public read/write",
            (_, true) => "the org-wide default is public read",
            (Some(Baseline::PublicReadWrite), false) => "组织默认权限为公开读写",
            (_, false) => "组织默认权限为公开只读",
        }),
        "hierarchy" => {
            let (a, b) = if en { ("their role ", " is above the owner's role ") } else { ("其角色 ", " 高于所有者的角色 ") };
            push_parts(out, &[Text(a), Id(or_empty(&reason.role)), Text(b), Id(or_empty(&reason.owner_role))]);
        }
        "peers" => {
            let (a, b) = if en {
                ("they hold the owner's role ", ", whose peers see each other's data")
            } else {
                ("其与所有者同属角色 ", "，该角色同级共享数据")
            };
            push_parts(out, &[Text(a), Id(or_empty(&reason.role)), Text(b)]);
        }
        "sharing_rule" => {
            let superior = reason.via_superior == Some(true);
            let (a, b, via) = if en {
                ("sharing rule ", " shares it with them", " as a superior of a recipient")
            } else {
                ("共享规则 ", " 将其共享给该用户", "（作为接收者的上级）")
            };
            push_parts(out, &[Text(a), Id(or_empty(&reason.rule)), Text(b), Text(if superior { via } else { "" })]);
        }
        "team" => {
            let (a, b) = if en { ("they are on the record's team with ", " access") } else { ("其为记录团队成员（", "权限）") };
            push_parts(out, &[Text(a), Text(level), Text(b)]);
        }
        "manual_share" => {
            out.push_str(if en { "the record is shared manually with " } else { "记录已手动共享给" });
            if let Some(with) = &reason.with {
                push_recipient(out, with, lang);
            }
        }
        "parent" => {
            if en {
                push_parts(
                    out,
                    &[Text("they have "), Text(level), Text(" access to the parent "), Text(or_empty(&reason.object)), Text(" ")],
                );
                push_parts(out, &[Id(or_empty(&reason.record)), Text(" (")]);
            } else {
                push_parts(out, &[Text("其对上级记录 "), Text(or_empty(&reason.object)), Text(" "), Id(or_empty(&reason.record))]);
                push_parts(out, &[Text(" 拥有"), Text(level), Text("权限（")]);
            }
            for (n, inner) in reason.reasons.iter().flatten().enumerate() {
                if n > 0 {
                    out.push_str(if en { ", " } else { "，" });
                }
                reason_phrase(out, inner, action, lang);
            }
            out.push_str(if en { ")" } else { "）" });
        }
        other => out.push_str(other),
    }
}

/// An optional id, or nothing.
fn or_empty(x: &Option<String>) -> &str {
    x.as_deref().unwrap_or_default()
}

/// `items` in backticks, separated by `separator`.
fn push_list(out: &mut String, items: Option<&Vec<String>>, separator: &str) {
    for (n, item) in items.into_iter().flatten().enumerate() {
        if n > 0 {
            out.push_str(separator);
        }
        tick(out, item);
    }
}

fn denial_phrase(out: &mut String, decision: &DecisionOut, subject: &Subject<'_>, lang: Lang) {
    let Some(stage) = decision.stage else { return };
    let none = crate::output::DenialOut::default();
    let denial = decision.denial.as_ref().unwrap_or(&none);
    let bundle = denial.bundle.as_deref().unwrap_or_default();
    let missing = denial.missing_context.as_deref();
    let en = lang == Lang::En;
    match stage {
        Stage::UnknownUser => push_parts(out, &[Text(if en { "there is no user " } else { "不存在用户 " }), Id(subject.user)]),
        Stage::InactiveUser => out.push_str(if en { "the user is inactive" } else { "该用户已停用" }),
        Stage::MfaRequired => {
            let (a, b) = if en {
                ("bundle ", " requires multi-factor authentication and the session has not passed it")
            } else {
                ("权限包 ", " 要求多因素认证，而当前会话未通过")
            };
            push_parts(out, &[Text(a), Id(bundle), Text(b)]);
        }
        Stage::IpNotAllowed | Stage::OutsideLoginHours => session_phrase(out, stage, bundle, missing.is_some(), lang),
        Stage::NoPrivilege if en => {
            out.push_str("none of their bundles (");
            push_list(out, denial.bundles.as_ref(), ", ");
            push_parts(out, &[Text(") grants "), Text(subject.action), Text(" on "), Text(subject.object)]);
        }
        Stage::NoPrivilege => {
            out.push_str("其权限包（");
            push_list(out, denial.bundles.as_ref(), "、");
            push_parts(out, &[Text("）均未授予对 "), Text(subject.object), Text(" 的")]);
            push_action(out, subject.action, lang);
            out.push_str("权限");
        }
        Stage::NoRecordAccess => no_record_access_phrase(out, decision, denial, subject, lang),
        Stage::Forbidden => {
            let rule = denial.rule.as_deref().unwrap_or_default();
            push_parts(out, &[Text(if en { "forbid rule " } else { "禁止规则 " }), Id(rule)]);
            match (missing, en) {
                (Some(key), true) => {
                    push_parts(out, &[Text(" applies because the request has no `context."), Text(key), Text("` (fail closed)")])
                }
                (Some(key), false) => push_parts(out, &[Text(" 生效：请求缺少 `context."), Text(key), Text("`，按失败关闭处理")]),
                (None, true) => out.push_str(" applies"),
                (None, false) => out.push_str(" 生效"),
            }
        }
        Stage::FieldNotEditable => {
            out.push_str(if en { "they may not edit " } else { "其不可编辑字段 " });
            push_list(out, denial.fields.as_ref(), if en { ", " } else { "、" });
        }
    }
}

/// Login-hours and address gates: the bundle, and whether the request
/// lacked the context or fell outside it.
fn session_phrase(out: &mut String, stage: Stage, bundle: &str, missing: bool, lang: Lang) {
    let ip = stage == Stage::IpNotAllowed;
    let tail = match (lang, ip, missing) {
        (Lang::En, true, true) => " restricts ip ranges and the request has no `context.ip`",
        (Lang::En, true, false) => " restricts ip ranges and the client address is outside them",
        (Lang::En, false, true) => " restricts login hours and the request has no `context.time`",
        (Lang::En, false, false) => " restricts login hours and the request falls outside them",
        (Lang::Zh, true, true) => " 限制了 IP 范围，而请求缺少 `context.ip`",
        (Lang::Zh, true, false) => " 限制了 IP 范围，客户端地址不在其中",
        (Lang::Zh, false, true) => " 限定了登录时段，而请求缺少 `context.time`",
        (Lang::Zh, false, false) => " 限定了登录时段，请求时间不在其内",
    };
    push_parts(out, &[Text(if lang == Lang::En { "bundle " } else { "权限包 " }), Id(bundle), Text(tail)]);
}

fn no_record_access_phrase(out: &mut String, decision: &DecisionOut, denial: &crate::output::DenialOut, subject: &Subject<'_>, lang: Lang) {
    let needs = denial.needs.map_or("", |l| level_word(l, lang));
    match lang {
        Lang::En => push_parts(out, &[Text(subject.action), Text(" needs "), Text(needs), Text(" access and ")]),
        Lang::Zh => {
            push_action(out, subject.action, lang);
            push_parts(out, &[Text("需要"), Text(needs), Text("权限，")]);
        }
    }
    match (decision.level, lang) {
        (Some(level), Lang::En) => push_parts(out, &[Text("they have only "), Text(level_word(level, lang)), Text(" access")]),
        (Some(level), Lang::Zh) => push_parts(out, &[Text("而其仅有"), Text(level_word(level, lang)), Text("权限")]),
        (None, Lang::En) => out.push_str("no owner, scope, hierarchy, sharing, team or share path reaches the record"),
        (None, Lang::Zh) => out.push_str("而所有者、范围、层级、共享、团队等路径均未覆盖该记录"),
    }
}

#[cfg(test)]
mod tests;
