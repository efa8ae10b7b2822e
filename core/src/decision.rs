//! The answer of `check`: allowed or not, the level, every reason, and on a
//! deny the one stage that denied. Index-based, so building one is cheap;
//! [`crate::render`] turns it into the JSON of SPEC §5.

use crate::engine::Principal;
use crate::fields::FieldBits;
use crate::policy::{Baseline, Level, Scope};
use serde::{Deserialize, Serialize};

/// The stage that denied a request (SPEC §2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// The user does not exist.
    UnknownUser,
    /// The user is inactive.
    InactiveUser,
    /// A bundle requires MFA and the session lacks it.
    MfaRequired,
    /// A bundle restricts IP ranges and the client is outside them.
    IpNotAllowed,
    /// A bundle restricts login hours and the request is outside them.
    OutsideLoginHours,
    /// No bundle grants the action on the object.
    NoPrivilege,
    /// No path gives the record the level the action needs.
    NoRecordAccess,
    /// A forbid rule matched.
    Forbidden,
    /// An edit names a field the user may not edit.
    FieldNotEditable,
}

impl Stage {
    /// Every stage, in declaration order (a recorded event keeps the index).
    pub const ALL: [Stage; 9] = [
        Stage::UnknownUser,
        Stage::InactiveUser,
        Stage::MfaRequired,
        Stage::IpNotAllowed,
        Stage::OutsideLoginHours,
        Stage::NoPrivilege,
        Stage::NoRecordAccess,
        Stage::Forbidden,
        Stage::FieldNotEditable,
    ];

    /// The stage as an error code (an admin refused by the org's session
    /// rules is refused with the stage's name).
    pub fn code(self) -> crate::Code {
        match self {
            Stage::UnknownUser => crate::Code::UnknownUser,
            Stage::InactiveUser => crate::Code::InactiveUser,
            Stage::MfaRequired => crate::Code::MfaRequired,
            Stage::IpNotAllowed => crate::Code::IpNotAllowed,
            Stage::OutsideLoginHours => crate::Code::OutsideLoginHours,
            Stage::NoPrivilege => crate::Code::NoPrivilege,
            Stage::NoRecordAccess => crate::Code::NoRecordAccess,
            Stage::Forbidden => crate::Code::Forbidden,
            Stage::FieldNotEditable => crate::Code::FieldNotEditable,
        }
    }

    /// The stage's name in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::UnknownUser => "unknown_user",
            Stage::InactiveUser => "inactive_user",
            Stage::MfaRequired => "mfa_required",
            Stage::IpNotAllowed => "ip_not_allowed",
            Stage::OutsideLoginHours => "outside_login_hours",
            Stage::NoPrivilege => "no_privilege",
            Stage::NoRecordAccess => "no_record_access",
            Stage::Forbidden => "forbidden",
            Stage::FieldNotEditable => "field_not_editable",
        }
    }
}

/// One path of record access that yields a level (SPEC §2 stage 4).
#[derive(Debug, Clone, PartialEq)]
pub enum Reason {
    /// The user owns the record.
    Owner,
    /// The action's own grant covers the record.
    Scope {
        /// The widest scope among the user's bundles.
        scope: Scope,
        /// The bundle granting it (index).
        bundle: u32,
        /// The level the action needs.
        level: Level,
    },
    /// The object's org-wide default.
    Baseline {
        /// Which default.
        baseline: Baseline,
        /// Its level.
        level: Level,
    },
    /// The user's role is above the owner's.
    Hierarchy {
        /// User's role (index).
        role: u32,
        /// Owner's role (index).
        owner_role: u32,
        /// The object's hierarchy access.
        level: Level,
    },
    /// The user holds the owner's role and that role's peers see each other.
    Peers {
        /// The shared role (index).
        role: u32,
        /// The object's hierarchy access.
        level: Level,
    },
    /// A sharing rule.
    SharingRule {
        /// Rule index.
        rule: u32,
        /// Received as a superior of a recipient.
        superior: bool,
        /// The rule's access.
        level: Level,
    },
    /// The record's team lists the user.
    Team {
        /// The team entry's access.
        level: Level,
    },
    /// A manual share reaches the user.
    ManualShare {
        /// The share's recipient.
        with: Principal,
        /// Its access.
        level: Level,
    },
    /// Access to the parent record (for `controlled_by_parent` objects).
    Parent {
        /// Parent object (index).
        object: u32,
        /// Parent record id.
        record: Box<str>,
        /// The level the parent gives.
        level: Level,
        /// How the parent's level arises.
        reasons: Vec<Reason>,
    },
}

impl Reason {
    /// Every reason kind, as in JSON, in [`Reason::kind_index`] order.
    pub const KINDS: [&'static str; 9] =
        ["owner", "scope", "baseline", "hierarchy", "peers", "sharing_rule", "team", "manual_share", "parent"];

    /// The reason's kind, as in JSON.
    pub fn kind(&self) -> &'static str {
        Reason::KINDS[usize::from(self.kind_index())]
    }

    /// The reason's kind as its index in [`Reason::KINDS`] (a recorded
    /// event keeps the number, not the name).
    pub fn kind_index(&self) -> u8 {
        match self {
            Reason::Owner => 0,
            Reason::Scope { .. } => 1,
            Reason::Baseline { .. } => 2,
            Reason::Hierarchy { .. } => 3,
            Reason::Peers { .. } => 4,
            Reason::SharingRule { .. } => 5,
            Reason::Team { .. } => 6,
            Reason::ManualShare { .. } => 7,
            Reason::Parent { .. } => 8,
        }
    }

    /// The level this path yields.
    pub fn level(&self) -> Level {
        match self {
            Reason::Owner => Level::Full,
            Reason::Scope { level, .. }
            | Reason::Baseline { level, .. }
            | Reason::Hierarchy { level, .. }
            | Reason::Peers { level, .. }
            | Reason::SharingRule { level, .. }
            | Reason::Team { level }
            | Reason::ManualShare { level, .. }
            | Reason::Parent { level, .. } => *level,
        }
    }
}

/// Why a request was denied: the stage and its particulars.
#[derive(Debug, Clone, PartialEq)]
pub enum Denial {
    /// No such user.
    UnknownUser,
    /// The user is inactive.
    InactiveUser,
    /// A session gate failed.
    Session {
        /// `mfa_required`, `ip_not_allowed` or `outside_login_hours`.
        stage: Stage,
        /// The bundle whose policy failed (index).
        bundle: u32,
        /// The context attribute that was missing, if that is why.
        missing: Option<&'static str>,
    },
    /// No bundle grants the action.
    NoPrivilege,
    /// The record's level is below what the action needs.
    NoRecordAccess {
        /// The level the action needs.
        needs: Level,
    },
    /// A forbid rule matched.
    Forbidden {
        /// Rule index.
        rule: u32,
        /// The context attribute whose absence made the rule apply (fail closed).
        unknown: Option<Box<str>>,
    },
    /// Named fields are not editable.
    FieldNotEditable {
        /// Field indices.
        fields: Vec<u32>,
    },
}

impl Denial {
    /// The stage of this denial.
    pub fn stage(&self) -> Stage {
        match self {
            Denial::UnknownUser => Stage::UnknownUser,
            Denial::InactiveUser => Stage::InactiveUser,
            Denial::Session { stage, .. } => *stage,
            Denial::NoPrivilege => Stage::NoPrivilege,
            Denial::NoRecordAccess { .. } => Stage::NoRecordAccess,
            Denial::Forbidden { .. } => Stage::Forbidden,
            Denial::FieldNotEditable { .. } => Stage::FieldNotEditable,
        }
    }
}

/// Readable and editable fields of a record for a user.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FieldSets {
    /// Readable fields.
    pub read: FieldBits,
    /// Editable fields.
    pub edit: FieldBits,
}

/// The decision for one request.
#[derive(Debug, Clone, PartialEq)]
pub struct Decision {
    /// Whether the action is allowed.
    pub allowed: bool,
    /// The record's level (for `create`, the level creating needs).
    pub level: Option<Level>,
    /// Every path that yields a level.
    pub reasons: Vec<Reason>,
    /// On a deny, why (exactly one stage).
    pub denial: Option<Denial>,
    /// The same request with `context.mfa = true` would be allowed.
    pub remedy_mfa: bool,
    /// On an allow, the readable and editable fields.
    pub fields: Option<FieldSets>,
    /// The user (index), when known.
    pub user: Option<u32>,
    /// The object (index).
    pub object: u32,
    /// The action (index).
    pub action: u32,
}

impl Decision {
    /// The deny stage, if denied.
    pub fn stage(&self) -> Option<Stage> {
        self.denial.as_ref().map(Denial::stage)
    }
}
