//! A decision's output form (SPEC §5): plain data with names instead of
//! indices, which rendering fills in and explaining reads, so the two do
//! not depend on each other.

use crate::decision::Stage;
use crate::policy::{Baseline, Level, Recipient, Scope};
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};

/// A decision as JSON: `{allowed, level?, stage?, reasons, denial?, remedy?, fields?, message}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct DecisionOut {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// The record's access level.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub level: Option<Level>,
    /// On a deny, the stage that denied.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<Stage>,
    /// Every path that yields a level.
    pub reasons: Vec<ReasonOut>,
    /// On a deny, its particulars.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub denial: Option<DenialOut>,
    /// `"mfa"` when the same request with `context.mfa = true` would be allowed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub remedy: Option<String>,
    /// On an allow, the readable and editable fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<FieldsOut>,
    /// The decision as an English sentence.
    pub message: String,
}

/// Readable and editable field names.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct FieldsOut {
    /// Readable fields, sorted.
    pub read: Vec<String>,
    /// Editable fields, sorted.
    pub edit: Vec<String>,
}

/// One reason: `kind`, `level`, and the particulars of that kind.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, JsonSchema)]
pub struct ReasonOut {
    /// `owner`, `scope`, `baseline`, `hierarchy`, `peers`, `sharing_rule`, `team`, `manual_share`, `parent`.
    /// (Borrowed when rendered: a diff renders tens of thousands of reasons.)
    pub kind: std::borrow::Cow<'static, str>,
    /// The level this path yields.
    pub level: Level,
    /// `scope`: the scope granted.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub scope: Option<Scope>,
    /// `scope`: the bundle granting it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// `baseline`: the org-wide default.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub baseline: Option<Baseline>,
    /// `hierarchy`, `peers`: the user's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role: Option<String>,
    /// `hierarchy`: the owner's role.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner_role: Option<String>,
    /// `sharing_rule`: the rule id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// `sharing_rule`: received as a superior of a recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub via_superior: Option<bool>,
    /// `manual_share`: the share's recipient.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub with: Option<Recipient>,
    /// `parent`: the parent's object type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub object: Option<String>,
    /// `parent`: the parent's record id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub record: Option<String>,
    /// `parent`: how the parent's level arises.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasons: Option<Vec<ReasonOut>>,
}

impl ReasonOut {
    pub(crate) fn new(kind: &'static str, level: Level) -> ReasonOut {
        ReasonOut {
            kind: kind.into(),
            level,
            scope: None,
            bundle: None,
            baseline: None,
            role: None,
            owner_role: None,
            rule: None,
            via_superior: None,
            with: None,
            object: None,
            record: None,
            reasons: None,
        }
    }
}

/// The particulars of a deny.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, JsonSchema)]
pub struct DenialOut {
    /// `unknown_user`, `inactive_user`: the user id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Session stages: the bundle whose session policy failed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundle: Option<String>,
    /// The context attribute whose absence denied (fail closed).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub missing_context: Option<String>,
    /// `no_privilege`: the bundles considered.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub bundles: Option<Vec<String>>,
    /// `no_record_access`: the level the action needs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub needs: Option<Level>,
    /// `no_record_access`: the paths checked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checked: Option<Vec<String>>,
    /// `forbidden`: the rule id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rule: Option<String>,
    /// `field_not_editable`: the fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<String>>,
}
