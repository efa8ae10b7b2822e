//! Every sentence shape, in English and Chinese: each reason kind and
//! recipient, each deny stage with and without missing context, the MFA
//! remedy, a new record, and an action without a Chinese word.

use serde_json::{Value, json};

use super::{Lang, Subject, explain};
use crate::output::DecisionOut;

fn sentence(decision: Value, subject: &Subject<'_>, lang: Lang) -> String {
    let mut decision = decision;
    decision["message"] = json!("");
    let out: DecisionOut = serde_json::from_value(decision).expect("a decision");
    explain(&out, subject, lang)
}

const ALICE: Subject<'static> =
    Subject { user: "rep_east_alice", user_name: Some("Alice Wang"), action: "read", object: "Account", record: Some("acc_eu_1") };

fn cases() -> Vec<(Value, Subject<'static>)> {
    let new = Subject { user: "u1", user_name: None, action: "create", object: "Lead", record: None };
    let archive = Subject { action: "archive", ..ALICE };
    let deny = |stage: &str, denial: Value| json!({"allowed": false, "stage": stage, "reasons": [], "denial": denial});
    let recipients = ["user", "group", "role", "role_and_subordinates", "department", "department_tree"];
    let mut cases = vec![(
        json!({"allowed": true, "level": "full", "reasons": [
            {"kind": "owner", "level": "full"},
            {"kind": "scope", "level": "read", "scope": "own", "bundle": "rep"},
            {"kind": "scope", "level": "read", "scope": "department_tree", "bundle": "mgr"},
            {"kind": "baseline", "level": "read", "baseline": "public_read"},
            {"kind": "baseline", "level": "edit", "baseline": "public_read_write"},
            {"kind": "hierarchy", "level": "read", "role": "boss", "owner_role": "rep"},
            {"kind": "peers", "level": "read", "role": "rep"},
            {"kind": "sharing_rule", "level": "read", "rule": "eu", "via_superior": false},
            {"kind": "sharing_rule", "level": "edit", "rule": "us", "via_superior": true},
            {"kind": "team", "level": "edit"},
            {"kind": "parent", "level": "read", "object": "Account", "record": "acc_1", "reasons": [
                {"kind": "owner", "level": "full"}, {"kind": "scope", "level": "read", "scope": "all", "bundle": "ops"}]}
        ]}),
        ALICE,
    )];
    for recipient in recipients {
        let with = json!({recipient: "x"});
        cases
            .push((json!({"allowed": true, "level": "read", "reasons": [{"kind": "manual_share", "level": "read", "with": with}]}), ALICE));
    }
    cases.extend([
        (json!({"allowed": true, "level": "edit", "reasons": [{"kind": "scope", "level": "edit", "scope": "department", "bundle": "rep"}]}), new),
        (json!({"allowed": false, "level": "read", "stage": "no_record_access", "reasons": [], "denial": {"needs": "edit"}, "remedy": "mfa"}), archive),
        (deny("no_record_access", json!({"needs": "read"})), ALICE),
        (deny("unknown_user", json!({"user": "rep_east_alice"})), Subject { user_name: None, ..ALICE }),
        (deny("inactive_user", json!({"user": "rep_east_alice"})), ALICE),
        (deny("mfa_required", json!({"bundle": "rep"})), ALICE),
        (deny("ip_not_allowed", json!({"bundle": "rep"})), ALICE),
        (deny("ip_not_allowed", json!({"bundle": "rep", "missing_context": "ip"})), ALICE),
        (deny("outside_login_hours", json!({"bundle": "rep"})), ALICE),
        (deny("outside_login_hours", json!({"bundle": "rep", "missing_context": "time"})), ALICE),
        (deny("no_privilege", json!({"bundles": ["rep", "mgr"]})), new),
        (deny("forbidden", json!({"rule": "no_export"})), ALICE),
        (deny("forbidden", json!({"rule": "no_export", "missing_context": "device"})), ALICE),
        (deny("field_not_editable", json!({"fields": ["name", "region"]})), Subject { action: "edit", ..ALICE }),
    ]);
    for action in ["edit", "delete", "transfer", "share", "export"] {
        cases.push((deny("no_record_access", json!({"needs": "full"})), Subject { action, ..ALICE }));
    }
    cases
}

#[test]
fn every_sentence_shape_in_both_languages() {
    let got: Vec<String> = cases()
        .into_iter()
        .flat_map(|(decision, subject)| [Lang::En, Lang::Zh].map(|lang| sentence(decision.clone(), &subject, lang)))
        .collect();
    let expected: Vec<&str> = EXPECTED.lines().collect();
    assert_eq!(got.len(), expected.len(), "\n{}", got.join("\n"));
    for (got, expected) in got.iter().zip(expected) {
        assert_eq!(got, expected);
    }
}

const EXPECTED: &str = "\
Alice Wang (`rep_east_alice`) may read Account `acc_eu_1` with full access: they own the record; `rep` grants read on records they own; `mgr` grants read on records of their department and the departments below it; the org-wide default is public read; the org-wide default is public read/write; their role `boss` is above the owner's role `rep`; they hold the owner's role `rep`, whose peers see each other's data; sharing rule `eu` shares it with them; sharing rule `us` shares it with them as a superior of a recipient; they are on the record's team with edit access; they have read access to the parent Account `acc_1` (they own the record, `ops` grants read on all records).
Alice Wang (`rep_east_alice`) 可以读取 Account `acc_eu_1`（完全权限）：其为记录所有者；权限包 `rep` 授予对本人的记录的读取权限；权限包 `mgr` 授予对本部门及下级部门的记录的读取权限；组织默认权限为公开只读；组织默认权限为公开读写；其角色 `boss` 高于所有者的角色 `rep`；其与所有者同属角色 `rep`，该角色同级共享数据；共享规则 `eu` 将其共享给该用户；共享规则 `us` 将其共享给该用户（作为接收者的上级）；其为记录团队成员（读写权限）；其对上级记录 Account `acc_1` 拥有只读权限（其为记录所有者，权限包 `ops` 授予对全部记录的读取权限）。
Alice Wang (`rep_east_alice`) may read Account `acc_eu_1` with read access: the record is shared manually with user `x`.
Alice Wang (`rep_east_alice`) 可以读取 Account `acc_eu_1`（只读权限）：记录已手动共享给用户 `x`。
Alice Wang (`rep_east_alice`) may read Account `acc_eu_1` with read access: the record is shared manually with group `x`.
Alice Wang (`rep_east_alice`) 可以读取 Account `acc_eu_1`（只读权限）：记录已手动共享给群组 `x`。
Alice Wang (`rep_east_alice`) may read Account `acc_eu_1` with read access: the record is shared manually with role `x`.
Alice Wang (`rep_east_alice`) 可以读取 Account `acc_eu_1`（只读权限）：记录已手动共享给角色 `x`。
Alice Wang (`rep_east_alice`) may read Account `acc_eu_1` with read access: the record is shared manually with role and subordinates of `x`.
Alice Wang (`rep_east_alice`) 可以读取 Account `acc_eu_1`（只读权限）：记录已手动共享给角色及其下属 `x`。
Alice Wang (`rep_east_alice`) may read Account `acc_eu_1` with read access: the record is shared manually with department `x`.
Alice Wang (`rep_east_alice`) 可以读取 Account `acc_eu_1`（只读权限）：记录已手动共享给部门 `x`。
Alice Wang (`rep_east_alice`) may read Account `acc_eu_1` with read access: the record is shared manually with department tree of `x`.
Alice Wang (`rep_east_alice`) 可以读取 Account `acc_eu_1`（只读权限）：记录已手动共享给部门及下级部门 `x`。
`u1` may create a new Lead with edit access: `rep` grants create on records of their department.
`u1` 可以创建 新的 Lead（读写权限）：权限包 `rep` 授予对本部门的记录的创建权限。
Alice Wang (`rep_east_alice`) may not archive Account `acc_eu_1`: archive needs edit access and they have only read access. Signing in with multi-factor authentication would allow it.
Alice Wang (`rep_east_alice`) 不能执行 `archive` 操作于 Account `acc_eu_1`：执行 `archive` 操作于需要读写权限，而其仅有只读权限。完成多因素认证后即可允许。
Alice Wang (`rep_east_alice`) may not read Account `acc_eu_1`: read needs read access and no owner, scope, hierarchy, sharing, team or share path reaches the record.
Alice Wang (`rep_east_alice`) 不能读取 Account `acc_eu_1`：读取需要只读权限，而所有者、范围、层级、共享、团队等路径均未覆盖该记录。
`rep_east_alice` may not read Account `acc_eu_1`: there is no user `rep_east_alice`.
`rep_east_alice` 不能读取 Account `acc_eu_1`：不存在用户 `rep_east_alice`。
Alice Wang (`rep_east_alice`) may not read Account `acc_eu_1`: the user is inactive.
Alice Wang (`rep_east_alice`) 不能读取 Account `acc_eu_1`：该用户已停用。
Alice Wang (`rep_east_alice`) may not read Account `acc_eu_1`: bundle `rep` requires multi-factor authentication and the session has not passed it.
Alice Wang (`rep_east_alice`) 不能读取 Account `acc_eu_1`：权限包 `rep` 要求多因素认证，而当前会话未通过。
Alice Wang (`rep_east_alice`) may not read Account `acc_eu_1`: bundle `rep` restricts ip ranges and the client address is outside them.
Alice Wang (`rep_east_alice`) 不能读取 Account `acc_eu_1`：权限包 `rep` 限制了 IP 范围，客户端地址不在其中。
Alice Wang (`rep_east_alice`) may not read Account `acc_eu_1`: bundle `rep` restricts ip ranges and the request has no `context.ip`.
Alice Wang (`rep_east_alice`) 不能读取 Account `acc_eu_1`：权限包 `rep` 限制了 IP 范围，而请求缺少 `context.ip`。
Alice Wang (`rep_east_alice`) may not read Account `acc_eu_1`: bundle `rep` restricts login hours and the request falls outside them.
Alice Wang (`rep_east_alice`) 不能读取 Account `acc_eu_1`：权限包 `rep` 限定了登录时段，请求时间不在其内。
Alice Wang (`rep_east_alice`) may not read Account `acc_eu_1`: bundle `rep` restricts login hours and the request has no `context.time`.
Alice Wang (`rep_east_alice`) 不能读取 Account `acc_eu_1`：权限包 `rep` 限定了登录时段，而请求缺少 `context.time`。
`u1` may not create a new Lead: none of their bundles (`rep`, `mgr`) grants create on Lead.
`u1` 不能创建 新的 Lead：其权限包（`rep`、`mgr`）均未授予对 Lead 的创建权限。
Alice Wang (`rep_east_alice`) may not read Account `acc_eu_1`: forbid rule `no_export` applies.
Alice Wang (`rep_east_alice`) 不能读取 Account `acc_eu_1`：禁止规则 `no_export` 生效。
Alice Wang (`rep_east_alice`) may not read Account `acc_eu_1`: forbid rule `no_export` applies because the request has no `context.device` (fail closed).
Alice Wang (`rep_east_alice`) 不能读取 Account `acc_eu_1`：禁止规则 `no_export` 生效：请求缺少 `context.device`，按失败关闭处理。
Alice Wang (`rep_east_alice`) may not edit Account `acc_eu_1`: they may not edit `name`, `region`.
Alice Wang (`rep_east_alice`) 不能编辑 Account `acc_eu_1`：其不可编辑字段 `name`、`region`。
Alice Wang (`rep_east_alice`) may not edit Account `acc_eu_1`: edit needs full access and no owner, scope, hierarchy, sharing, team or share path reaches the record.
Alice Wang (`rep_east_alice`) 不能编辑 Account `acc_eu_1`：编辑需要完全权限，而所有者、范围、层级、共享、团队等路径均未覆盖该记录。
Alice Wang (`rep_east_alice`) may not delete Account `acc_eu_1`: delete needs full access and no owner, scope, hierarchy, sharing, team or share path reaches the record.
Alice Wang (`rep_east_alice`) 不能删除 Account `acc_eu_1`：删除需要完全权限，而所有者、范围、层级、共享、团队等路径均未覆盖该记录。
Alice Wang (`rep_east_alice`) may not transfer Account `acc_eu_1`: transfer needs full access and no owner, scope, hierarchy, sharing, team or share path reaches the record.
Alice Wang (`rep_east_alice`) 不能转移 Account `acc_eu_1`：转移需要完全权限，而所有者、范围、层级、共享、团队等路径均未覆盖该记录。
Alice Wang (`rep_east_alice`) may not share Account `acc_eu_1`: share needs full access and no owner, scope, hierarchy, sharing, team or share path reaches the record.
Alice Wang (`rep_east_alice`) 不能共享 Account `acc_eu_1`：共享需要完全权限，而所有者、范围、层级、共享、团队等路径均未覆盖该记录。
Alice Wang (`rep_east_alice`) may not export Account `acc_eu_1`: export needs full access and no owner, scope, hierarchy, sharing, team or share path reaches the record.
Alice Wang (`rep_east_alice`) 不能导出 Account `acc_eu_1`：导出需要完全权限，而所有者、范围、层级、共享、团队等路径均未覆盖该记录。";

#[test]
fn a_language_reads_back_from_its_code() {
    for lang in [Lang::En, Lang::Zh] {
        assert_eq!(Lang::parse(lang.code()), Some(lang));
    }
    assert_eq!((Lang::En.code(), Lang::Zh.code()), ("en", "zh"));
    assert_eq!(Lang::parse("fr"), None);
}
