//! What analysis reports: findings with a severity, the evidence, a sentence
//! in English and Chinese, and the suggested reaction as change operations.

use crate::change::Operation;
use serde::{Deserialize, Serialize};

/// The kinds of anomaly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// Far more requests in a day than the user's own median.
    VolumeSpike,
    /// Many denials in a short window: probing for records.
    DenialBurst,
    /// Activity in hours the user is not usually active in.
    UnusualHours,
    /// Requests outside the login hours of the user's bundles.
    OutsideLoginHours,
    /// More allowed exports in a day than the threshold.
    ExportVolume,
    /// More reads of sensitive fields in a day than the threshold.
    SensitiveReads,
    /// An IP range the user had not used during their learning period.
    NewIpRange,
    /// A privilege used after a long time without use: a revocation candidate.
    DormantPrivilege,
}

impl Kind {
    /// Every kind, in report order.
    pub const ALL: [Kind; 8] = [
        Kind::DenialBurst,
        Kind::OutsideLoginHours,
        Kind::ExportVolume,
        Kind::SensitiveReads,
        Kind::VolumeSpike,
        Kind::NewIpRange,
        Kind::UnusualHours,
        Kind::DormantPrivilege,
    ];

    /// The kind's name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Kind::VolumeSpike => "volume_spike",
            Kind::DenialBurst => "denial_burst",
            Kind::UnusualHours => "unusual_hours",
            Kind::OutsideLoginHours => "outside_login_hours",
            Kind::ExportVolume => "export_volume",
            Kind::SensitiveReads => "sensitive_reads",
            Kind::NewIpRange => "new_ip_range",
            Kind::DormantPrivilege => "dormant_privilege",
        }
    }

    /// How urgent a finding of this kind is.
    pub fn severity(self) -> Severity {
        match self {
            Kind::DenialBurst | Kind::OutsideLoginHours | Kind::ExportVolume => Severity::High,
            Kind::SensitiveReads | Kind::VolumeSpike | Kind::NewIpRange => Severity::Medium,
            Kind::UnusualHours | Kind::DormantPrivilege => Severity::Low,
        }
    }
}

/// How urgent a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    /// Review at the next access review.
    Low,
    /// Review soon.
    Medium,
    /// React now.
    High,
}

impl Severity {
    /// The severity's name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

/// One event cited as evidence: the log it came from and its line (1-based).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EventRef {
    /// The log's name (a file name, or `-` for stdin).
    pub source: String,
    /// The line, counting from 1.
    pub line: u64,
}

/// Text in both languages the product speaks.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sentence {
    /// English.
    pub en: String,
    /// Chinese.
    pub zh: String,
}

/// One anomaly found in the activity log.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Finding {
    /// Stable id: kind, user and window start, so re-analysing finds the same id.
    pub id: String,
    /// What was found.
    pub kind: Kind,
    /// How urgent it is.
    pub severity: Severity,
    /// Whose activity.
    pub user: String,
    /// Window start, RFC 3339.
    pub from: String,
    /// Window end, RFC 3339.
    pub to: String,
    /// The events counted in the window.
    pub count: u64,
    /// What is usual for the user, when the kind compares against a baseline
    /// (median events a day, or the threshold crossed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<f64>,
    /// The particular: an IP range, a privilege (`export Payment`), hours.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// The bundle that granted the privilege, for privilege findings.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// Example events (at most five).
    pub events: Vec<EventRef>,
    /// The finding as a sentence.
    pub message: Sentence,
    /// The suggested reaction, as a change set (empty when none applies).
    pub changes: Vec<Operation>,
}

/// `2026-11-12 02:00 UTC` from milliseconds.
pub(crate) fn short_time(ms: i64) -> String {
    let full = crate::clock::format_rfc3339(ms);
    format!("{} {} UTC", &full[..10], &full[11..16])
}

/// The sentence of a finding.
pub(crate) fn sentence(finding: &Finding, from_ms: i64, to_ms: i64) -> Sentence {
    let user = &finding.user;
    let (from, to) = (short_time(from_ms), short_time(to_ms));
    let day = &from[..10];
    let n = finding.count;
    let base = finding.baseline.unwrap_or(0.0);
    let detail = finding.detail.as_deref().unwrap_or("");
    match finding.kind {
        Kind::VolumeSpike => Sentence {
            en: format!("`{user}` made {n} requests on {day}, {:.1}× their usual {base:.0} a day", ratio(n, base)),
            zh: format!("`{user}` 在 {day} 发出 {n} 次请求，是其平时每天 {base:.0} 次的 {:.1} 倍", ratio(n, base)),
        },
        Kind::DenialBurst => Sentence {
            en: format!("`{user}` was denied {n} times between {from} and {to}: possible probing for records"),
            zh: format!("`{user}` 在 {from} 至 {to} 之间被拒绝 {n} 次：疑似试探记录"),
        },
        Kind::UnusualHours => Sentence {
            en: format!("`{user}` was active at {detail} on {day} ({n} requests), hours they do not usually work"),
            zh: format!("`{user}` 在 {day} 的 {detail} 活动（{n} 次请求），不在其通常的工作时段"),
        },
        Kind::OutsideLoginHours => Sentence {
            en: format!("`{user}` made {n} requests outside their login hours between {from} and {to}"),
            zh: format!("`{user}` 在 {from} 至 {to} 之间有 {n} 次请求超出其登录时段"),
        },
        Kind::ExportVolume => Sentence {
            en: format!("`{user}` exported {n} records on {day}, above the threshold of {base:.0}"),
            zh: format!("`{user}` 在 {day} 导出 {n} 条记录，超过阈值 {base:.0}"),
        },
        Kind::SensitiveReads => Sentence {
            en: format!("`{user}` read sensitive fields {n} times on {day}, above the threshold of {base:.0}"),
            zh: format!("`{user}` 在 {day} 读取敏感字段 {n} 次，超过阈值 {base:.0}"),
        },
        Kind::NewIpRange => Sentence {
            en: format!("`{user}` used the new ip range `{detail}` from {from} ({n} requests)"),
            zh: format!("`{user}` 自 {from} 起使用新的 IP 段 `{detail}`（{n} 次请求）"),
        },
        Kind::DormantPrivilege => {
            let via = finding.bundle.as_deref().map(|b| format!(" (granted by `{b}`)")).unwrap_or_default();
            let via_zh = finding.bundle.as_deref().map(|b| format!("（由 `{b}` 授予）")).unwrap_or_default();
            Sentence {
                en: format!("`{user}` used `{detail}`{via} on {day} after more than {base:.0} days without: a candidate for revocation"),
                zh: format!("`{user}` 在 {day} 使用了超过 {base:.0} 天未用的权限 `{detail}`{via_zh}：可考虑收回"),
            }
        }
    }
}

fn ratio(n: u64, base: f64) -> f64 {
    if base > 0.0 { n as f64 / base } else { n as f64 }
}
