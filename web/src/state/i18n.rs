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
    ("who.type_user", "type a user id or name", "输入用户 ID 或姓名"),
    ("who.type_record", "type a record id", "输入记录 ID"),
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
    ("who.first_listed", "listed: the first of each object, up to", "列出：每个对象的前几条，最多"),
    ("who.users_may", "users may", "位用户可访问"),
    ("who.first_users_listed", "listed: the first, up to", "列出：前几位，最多"),
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
    (
        "sim.link_offer",
        "This link stages other edits than yours. Yours stay staged until you choose:",
        "此链接暂存的编辑与您的不同。在您选择之前，您的编辑保持暂存：",
    ),
    ("sim.link_use", "Stage the link's edits instead", "改为暂存链接中的编辑"),
    ("sim.link_keep", "Keep mine", "保留我的编辑"),
    (
        "sim.apply_via_request",
        "Change control is in use: propose these edits on the Requests page",
        "已启用变更控制：请在“变更请求”页提交这些编辑",
    ),
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
    ("nav.requests", "Requests", "变更请求"),
    ("nav.versions", "Versions", "版本"),
    ("nav.audit", "Audit log", "审计日志"),
    ("nav.reviews", "Access reviews", "访问复核"),
    ("nav.acting", "Acting as", "当前身份"),
    ("nav.sandbox", "Local sandbox", "本地沙盒"),
    (
        "nav.sandbox_hint",
        "Change control runs in this browser only: anyone can act as anyone, so its approvals are a demonstration. Serve the app with `clearance serve` for real approvals.",
        "变更控制仅在本浏览器中运行：任何人都可以以任何身份操作，因此这里的审批只是演示。使用 `clearance serve` 提供本应用以进行真实审批。",
    ),
    ("nav.signed_in_as", "Signed in as", "已登录："),
    ("nav.sign_out", "Sign out", "退出登录"),
    ("signin.title", "Sign in to Clearance", "登录 Clearance"),
    ("nav.account", "My account", "我的账户"),
    ("nav.fleet", "Fleet", "边缘节点"),
    ("audit.checkpoint", "Signed by the server at entry", "服务器签名的检查点，条目"),
    ("audit.key", "key", "密钥"),
    ("audit.subject", "Subject", "对象"),
    ("audit.hash", "Entry hash", "条目哈希"),
    ("fleet.title", "Edges enforcing the policy", "执行策略的边缘节点"),
    ("fleet.current", "Newest revision:", "最新修订版本："),
    ("fleet.refresh", "Refresh", "刷新"),
    ("fleet.edge", "Edge", "节点"),
    ("fleet.owner", "Token of", "令牌所属"),
    ("fleet.revision", "Runs revision", "运行的修订版本"),
    ("fleet.behind", "Behind", "落后"),
    ("fleet.seen", "Last seen", "最后出现"),
    ("fleet.address", "From", "来源地址"),
    (
        "fleet.none",
        "No edge has fetched a bundle yet: make an edge token on My account.",
        "尚无边缘节点获取策略包：请在“我的账户”中创建边缘令牌。",
    ),
    ("tokens.title", "API tokens", "API 令牌"),
    ("tokens.name", "Name", "名称"),
    ("tokens.scope", "Scope", "范围"),
    ("tokens.days", "Expires in (days)", "有效期（天）"),
    ("tokens.create", "Make token", "创建令牌"),
    ("tokens.secret", "The token (shown once, keep it secret):", "令牌（仅显示一次，请妥善保管）："),
    ("tokens.expires", "Expires", "过期时间"),
    ("tokens.state", "State", "状态"),
    ("tokens.revoke", "Revoke", "撤销"),
    ("tokens.revoked", "revoked", "已撤销"),
    ("account.password", "Change your password", "修改密码"),
    ("account.rules", "Your organisation's policy asks that a new password is:", "贵组织的策略要求新密码："),
    ("account.current", "Current password", "当前密码"),
    ("account.new", "New password", "新密码"),
    ("account.again", "New password again", "再次输入新密码"),
    ("account.change", "Change password", "修改密码"),
    ("account.changed", "Your password was changed.", "密码已修改。"),
    ("account.mfa", "Second factor", "第二重验证"),
    ("account.sessions", "Sessions", "会话"),
    ("account.everywhere", "Sign out everywhere", "在所有设备上退出登录"),
    ("account.mfa_on", "Enrolled: this session passed it.", "已启用：本次会话已通过验证。"),
    ("account.mfa_off", "Not enrolled: your policy does not require one for you.", "未启用：策略未要求您使用。"),
    ("mfa.title", "Set up a second factor", "设置第二重验证"),
    (
        "mfa.why",
        "Your organisation's policy requires an authenticator app for your account before you can act as an admin.",
        "贵组织的策略要求您的账户在执行管理操作之前使用身份验证器应用。",
    ),
    ("mfa.qr_label", "QR code for your authenticator app", "身份验证器应用的二维码"),
    ("mfa.secret", "Or type this key into the app:", "或在应用中输入此密钥："),
    ("mfa.code", "Code shown by the app", "应用显示的验证码"),
    ("mfa.confirm", "Confirm", "确认"),
    (
        "mfa.recovery",
        "Recovery codes: each signs you in once if you lose the app. Save them now; they are not shown again.",
        "恢复码：丢失应用时，每个恢复码可登录一次。请立即保存，它们不会再次显示。",
    ),
    ("mfa.done", "I have saved them: continue", "我已保存：继续"),
    ("signin.user", "User id", "用户 ID"),
    ("signin.password", "Password", "密码"),
    ("signin.code", "Authentication or recovery code", "验证码或恢复码"),
    ("signin.submit", "Sign in", "登录"),
    ("signin.ended", "You were signed out: the session ended. Sign in again.", "您已退出登录：会话已结束。请重新登录。"),
    ("req.propose_title", "Propose the staged edits as a change request", "将暂存的编辑提交为变更请求"),
    ("req.staged", "staged edits", "项暂存编辑"),
    ("req.comment", "comment", "备注"),
    ("req.propose", "Propose", "提交"),
    ("req.approve", "Approve", "批准"),
    ("req.reject", "Reject", "拒绝"),
    ("req.apply", "Apply", "应用"),
    ("req.review", "Mark reviewed", "标记已复核"),
    ("req.col_id", "Request", "请求"),
    ("req.col_state", "State", "状态"),
    ("req.col_author", "Proposed by", "提交人"),
    ("req.col_changes", "Changes", "变更内容"),
    ("req.col_diff", "Access gained / lost", "获得 / 失去的访问"),
    ("req.col_approvals", "Approvals", "批准数"),
    ("req.col_steps", "Steps", "操作"),
    ("req.state_draft", "draft", "草稿"),
    ("req.state_pending", "pending", "待批准"),
    ("req.state_approved", "approved", "已批准"),
    ("req.state_rejected", "rejected", "已拒绝"),
    ("req.state_applied", "applied", "已应用"),
    ("req.state_reviewed", "reviewed", "已复核"),
    ("req.any", "any", "全部"),
    ("req.sort", "Order", "排序"),
    ("req.sort_newest", "newest first", "最新在前"),
    ("req.sort_oldest", "oldest first", "最早在前"),
    ("req.sort_state", "by state", "按状态"),
    ("req.sort_author", "by author", "按提交人"),
    ("req.none", "No request matches.", "没有符合条件的请求。"),
    ("req.col_when", "When", "时间"),
    ("req.col_who", "Who", "操作人"),
    ("req.col_what", "What", "操作"),
    ("req.col_seq", "Entry", "条目"),
    ("req.base", "Drafted against version", "起草时所基于的版本"),
    ("req.applied_as", "Applied as version", "应用后的版本"),
    ("req.back", "← All change requests", "← 全部变更请求"),
    ("req.unknown", "There is no change request", "没有此变更请求"),
    (
        "req.preview_large",
        "The large org's records are in its worker: see who gains and loses what on the Simulate page.",
        "大型组织的记录在其工作线程中：请在“模拟”页面查看谁获得和失去了什么。",
    ),
    ("req.loading", "Reading the server's change requests…", "正在读取服务器上的变更请求…"),
    ("req.no_steps", "No step is left: this request is closed.", "没有可执行的操作：该请求已结束。"),
    ("req.history", "History", "历史"),
    ("req.col_comment", "Comment", "备注"),
    (
        "req.diff_preview",
        "Preview against the version the request was drafted against: what applying it will change.",
        "基于请求起草时所依据的版本预览：应用后将发生的变化。",
    ),
    (
        "req.diff_applied",
        "What applying it changed: from the version it was drafted against to the version it made.",
        "应用后实际发生的变化：从起草时所依据的版本到应用后产生的版本。",
    ),
    ("req.did_drafted", "drafted", "起草"),
    ("req.did_submitted", "submitted", "提交"),
    ("req.did_approved", "approved", "批准"),
    ("req.did_rejected", "rejected", "拒绝"),
    ("req.did_applied", "applied", "应用"),
    ("req.did_reviewed", "reviewed", "复核"),
    ("req.did_other", "recorded", "记录"),
    ("ver.restore", "Restore", "恢复"),
    ("audit.verified", "verified", "已验证"),
    ("nav.activity", "Activity", "活动监控"),
    ("act.import", "Import an activity log (JSON Lines)", "导入活动日志（JSON Lines）"),
    ("act.demo", "Generate a demo month", "生成演示月份"),
    ("act.clear", "Clear logs", "清除日志"),
    ("act.logs", "logs", "个日志"),
    ("act.events", "events", "个事件"),
    ("act.users", "users", "个用户"),
    ("act.skipped", "lines skipped", "行被跳过"),
    ("act.timeline", "Events per day (denied in red)", "每日事件（红色为拒绝）"),
    ("act.top_users", "Busiest users", "最活跃用户"),
    ("act.top_objects", "Busiest objects", "最常访问对象"),
    ("act.findings", "Findings", "发现"),
    ("act.none", "No findings.", "没有发现。"),
    ("act.severity", "Severity", "严重程度"),
    ("act.window", "Window", "时间窗口"),
    ("act.evidence", "Evidence", "证据"),
    ("act.reaction", "Reaction", "处置"),
    ("act.react", "Create change request", "创建变更请求"),
    ("act.proposed", "proposed as", "已提交为"),
    ("act.denied", "denied", "拒绝"),
    ("act.analyze_fleet", "Analyze the decision logs the edges sent", "分析边缘节点发送的决策日志"),
    ("act.fleet_logs", "the fleet's decision logs", "边缘节点的决策日志"),
    ("audit.broken", "broken", "已损坏"),
    ("rev.start", "Start a review (managers review their reports)", "发起复核（由上级复核下属）"),
    ("rev.keep", "Keep", "保留"),
    ("rev.revoke", "Revoke", "撤销"),
    ("rev.close", "Close: revocations become a change request", "关闭：撤销项生成变更请求"),
    ("ver.diff", "Who gains and loses what between two versions", "两个版本之间谁获得、谁失去了什么"),
    ("rev.overdue", "items overdue", "项已逾期"),
    ("data.ledger", "Change-control state (requests, versions, audit log, reviews)", "变更控制状态（请求、版本、审计日志、复核）"),
    ("data.export_ledger", "Export (same format as `clearance state export`)", "导出（与 `clearance state export` 格式相同）"),
    ("rule.new_sharing", "New sharing rule", "新建共享规则"),
    ("rule.new_forbid", "New forbid rule", "新建禁止规则"),
    ("rule.id", "Rule id", "规则 ID"),
    ("rule.object", "Object", "对象"),
    ("rule.shares", "Which records it shares", "共享哪些记录"),
    ("rule.by_criteria", "Records matching criteria", "符合条件的记录"),
    ("rule.by_owner", "Records owned by", "归属于以下主体的记录"),
    ("rule.owned_by", "Owned by", "记录所有者"),
    ("rule.share_with", "Share with", "共享给"),
    ("rule.principal_kind", "Kind", "类型"),
    ("rule.principal_id", "Id", "ID"),
    ("rule.kind.user", "user", "用户"),
    ("rule.kind.group", "group", "组"),
    ("rule.kind.role", "role", "角色"),
    ("rule.kind.role_and_subordinates", "role and subordinates", "角色及其下属"),
    ("rule.kind.department", "department", "部门"),
    ("rule.kind.department_tree", "department and below", "部门及其下级部门"),
    ("rule.superiors", "Superiors of the receivers get it too", "接收者的上级同样获得"),
    ("rule.add", "Stage the new rule", "暂存新规则"),
    ("rule.advanced", "Advanced: the rule as JSON", "高级：以 JSON 编写规则"),
    ("rule.json", "Rule (JSON, as in the policy file)", "规则（JSON，与策略文件格式相同）"),
    ("rule.objects_all", "Objects (none ticked: every object)", "对象（不勾选：所有对象）"),
    ("rule.actions_all", "Actions (none ticked: every action)", "操作（不勾选：所有操作）"),
    ("rule.hide_fields", "Hide these fields instead of denying (comma-separated)", "改为隐藏这些字段而非拒绝（逗号分隔）"),
    ("rule.when", "When (condition; empty: always)", "条件（为空：始终适用）"),
    ("perm.profile", "profile", "简档"),
    ("perm.permission_set", "permission set", "权限集"),
    ("perm.revoke", "Revoke", "撤销"),
    ("perm.baseline", "Baseline", "默认访问"),
    ("perm.days", "Days", "日期"),
    ("perm.from", "From", "开始"),
    ("perm.to", "To", "结束"),
    ("who.object", "Object", "对象"),
    ("org.name", "Name", "名称"),
    (
        "who.intro",
        "Pick a user to see every record they can read and why, a record to see everyone who can access it, or both for the decision. The address keeps what you pick: copy it to share this view.",
        "选择一个用户，查看其可读取的每条记录及原因；选择一条记录，查看所有可访问它的用户；两者都选则显示决策。地址会保留您的选择：复制即可分享此视图。",
    ),
    ("who.try_user", "See what this user can read:", "查看该用户可读取的内容："),
    ("who.try_record", "See who can access record", "查看谁可以访问记录"),
    ("list.filter", "Filter (user, object, action, record…)", "筛选（用户、对象、操作、记录…）"),
    ("list.csv", "Download CSV", "下载 CSV"),
    ("list.rows", "Rows", "行"),
    ("list.page", "page", "页"),
    ("list.pages", "Pages", "分页"),
    ("list.prev", "Previous", "上一页"),
    ("list.next", "Next", "下一页"),
    ("sim.col_user", "User", "用户"),
    ("sim.col_change", "Change", "变化"),
    ("sim.col_object", "Object", "对象"),
    ("sim.col_action", "Action", "操作"),
    ("sim.col_record", "Record", "记录"),
    ("org.parent", "Parent", "上级"),
    ("org.new_parent", "Parent of the new role", "新角色的上级"),
    ("org.remove", "Remove", "移除"),
    ("org.add_member", "Add member", "添加成员"),
    ("org.grant_set", "Grant a permission set", "授予权限集"),
    ("org.set_attribute", "Set an attribute (name=value)", "设置属性（名称=值）"),
    ("rev.named", "Named reviewer (default: each user's manager)", "指定复核人（默认：各用户的上级）"),
    ("rev.due", "Due", "截止时间"),
    ("ver.from", "From version", "起始版本"),
    ("ver.to", "to version", "目标版本"),
    ("ver.col_seq", "Version", "版本"),
    ("ver.col_hash", "Policy hash", "策略哈希"),
    ("ver.col_at", "Applied", "应用时间"),
    ("ver.col_author", "Applied by", "应用人"),
    ("ver.col_request", "Request", "请求"),
    ("ver.col_steps", "Steps", "操作"),
    ("rev.closed", "closed", "已关闭"),
    ("rev.grant_profile", "profile", "简档"),
    ("rev.grant_permission_set", "permission set", "权限集"),
    ("rev.grant_group", "group", "组"),
    ("rev.col_reviewer", "Reviewer", "复核人"),
    ("rev.col_user", "User", "用户"),
    ("rev.col_access", "Access", "访问权限"),
    ("rev.col_verdict", "Verdict", "结论"),
    ("rev.col_steps", "Steps", "操作"),
    ("lint.title", "Lint findings", "检查结果"),
    ("lint.none", "No findings.", "没有发现问题。"),
    ("data.import", "Import a policy or an export", "导入策略或导出文件"),
    ("data.import_file", "Policy or export file", "策略或导出文件"),
    (
        "data.import_staged",
        "Policy or export file (staged as one edit replacing the server's policy)",
        "策略或导出文件（暂存为替换服务器策略的一项编辑）",
    ),
    (
        "data.imported_staged",
        "Imported: staged as an edit; propose it on the Requests page.",
        "已导入：已暂存为编辑，请在“变更请求”页面提交。",
    ),
    ("data.import_ledger", "Import a change-control state", "导入变更控制状态"),
    (
        "data.server_history",
        "The server keeps its own history: its versions and audit log are on their pages, where the audit log is checked against the server's signed checkpoint.",
        "服务器保存自己的历史：其版本和审计日志见各自页面，审计日志在该页面依据服务器签名的检查点进行校验。",
    ),
    ("data.export", "Export policy, records and staged edits", "导出策略、记录和暂存编辑"),
    ("data.errors", "The import was refused; nothing changed:", "导入被拒绝，未做任何更改："),
    ("data.imported", "Imported.", "已导入。"),
    ("data.demo", "Load the demo org", "加载演示组织"),
    ("data.large", "Load the large generated org (10,000 users)", "加载大型生成组织（10,000 名用户）"),
    ("errors", "Problems", "问题"),
];

/// Why the server refused, by the refusal's code, in words an admin reads
/// before the server's own detail.
const REFUSALS: &[(&str, &str, &str)] = &[
    ("bad_credentials", "Wrong user id or password.", "用户 ID 或密码错误。"),
    ("locked_out", "This account is locked after too many failed sign-ins.", "登录失败次数过多，该账户已被锁定。"),
    ("mfa_code_required", "Enter the code from your authenticator app.", "请输入身份验证器应用中的验证码。"),
    ("password_expired", "The password has expired: set a new one.", "密码已过期：请设置新密码。"),
    ("ip_not_allowed", "Your network address is outside the ranges your policy allows.", "您的网络地址不在策略允许的范围内。"),
    ("outside_login_hours", "Outside the login hours your policy allows.", "不在策略允许的登录时间内。"),
    ("inactive_user", "This user is inactive.", "该用户已停用。"),
    ("self_approval", "You cannot approve a request you proposed.", "不能批准自己提交的请求。"),
    ("self_apply", "You cannot apply a request you proposed.", "不能应用自己提交的请求。"),
    ("not_an_approver", "You do not hold the permission to approve changes.", "您没有批准变更的权限。"),
    ("bad_state", "The request is not in a state that allows this step.", "该请求当前的状态不允许此步骤。"),
    ("session_expired", "The session ended: sign in again.", "会话已结束：请重新登录。"),
    ("server_unreachable", "The server did not answer.", "服务器没有响应。"),
    ("weak_password", "The new password breaks a rule of the policy.", "新密码不符合策略的规则。"),
    ("passwords_differ", "The two new passwords differ.", "两次输入的新密码不一致。"),
    ("mfa_required", "A second factor is required.", "需要第二重验证。"),
    ("not_the_reviewer", "This item is for another reviewer.", "此项由其他复核人复核。"),
    ("not_the_owner", "Only the admin who started the review closes it.", "只有发起复核的管理员可以关闭它。"),
    ("bad_item", "The review is closed, or has no such item.", "复核已关闭，或没有该项。"),
];

/// The reason of a refusal coded `code`, when it is one of [`REFUSALS`].
pub fn refusal(lang: Lang, code: &str) -> Option<&'static str> {
    REFUSALS.iter().find(|(c, _, _)| *c == code).map(|(_, en, zh)| if lang == Lang::Zh { *zh } else { *en })
}

/// A refusal's code and its reason in `lang` (the localized reason when
/// the code is one of [`REFUSALS`], else the error's own message): what a
/// disabled button says.
pub fn refusal_of(lang: Lang, error: &clearance_core::Error) -> Option<(String, String)> {
    let problem = error.problems().first()?.clone();
    let reason = refusal(lang, &problem.code).map_or(problem.message, str::to_owned);
    Some((problem.code, reason))
}

/// The text for `key` in `lang` (the key itself when missing, so gaps show).
pub fn t(lang: Lang, key: &'static str) -> &'static str {
    TEXTS.iter().find(|(k, _, _)| *k == key).map_or(key, |(_, en, zh)| if lang == Lang::Zh { zh } else { en })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every key the app's sources look up (`t("…")`, a component's
    /// `label="…"`, a principal kind's key) has its texts: a missing key
    /// would show the key itself, in both languages.
    #[test]
    fn every_key_the_sources_use_is_translated() {
        fn sources(dir: &std::path::Path, out: &mut Vec<std::path::PathBuf>) {
            for entry in std::fs::read_dir(dir).unwrap() {
                let path = entry.unwrap().path();
                if path.is_dir() {
                    sources(&path, out);
                } else if path.extension().is_some_and(|e| e == "rs") {
                    out.push(path);
                }
            }
        }
        let mut files = Vec::new();
        sources(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"), &mut files);
        let mut used = std::collections::BTreeSet::new();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            for opener in ["t(\"", "label=\"", "=> \"rule.kind."] {
                for (at, _) in text.match_indices(opener) {
                    let rest = &text[at + opener.len()..];
                    let key = rest.split('"').next().unwrap_or_default();
                    let key = if opener.starts_with("=>") { format!("rule.kind.{key}") } else { key.to_owned() };
                    if key.contains('.') && !key.contains(' ') {
                        used.insert(key);
                    }
                }
            }
        }
        assert!(used.len() > 100, "{used:?}");
        let missing: Vec<&String> = used.iter().filter(|k| !TEXTS.iter().any(|(key, _, _)| key == k)).collect();
        assert!(missing.is_empty(), "keys without texts: {missing:?}");
    }

    #[test]
    fn every_key_has_both_languages_and_keys_are_unique() {
        let mut keys = std::collections::BTreeSet::new();
        for (key, en, zh) in TEXTS {
            assert!(keys.insert(key), "duplicate key {key}");
            assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{key}");
        }
        for (code, en, zh) in REFUSALS {
            assert!(keys.insert(code), "duplicate refusal {code}");
            assert!(!en.is_empty() && !zh.is_empty() && en != zh, "{code}");
            assert_eq!(refusal(Lang::Zh, code), Some(*zh));
        }
        assert_eq!(refusal(Lang::En, "self_approval"), Some("You cannot approve a request you proposed."));
        assert_eq!(refusal(Lang::En, "json_syntax"), None);
        let error = clearance_core::Error::one("", clearance_core::Code::NotTheOwner, "campaign `C1` is closed by its owner `ivy`");
        assert_eq!(refusal_of(Lang::Zh, &error), Some(("not_the_owner".into(), "只有发起复核的管理员可以关闭它。".into())));
        let unknown = clearance_core::Error::one("", clearance_core::Code::JsonSyntax, "expected `,`");
        assert_eq!(refusal_of(Lang::En, &unknown), Some(("json_syntax".into(), "expected `,`".into())), "the message when not localized");
    }
}
