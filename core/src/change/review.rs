//! Access reviews: a campaign lists, per reviewer, each user's profile,
//! permission sets and direct group memberships to certify; each item is
//! kept or revoked; closing yields the change set of revocations, which goes
//! through approval like any other change.

use super::Operation;
use crate::error::Error;
use crate::policy::{Policy, Recipient};
use serde::{Deserialize, Serialize};

/// Stable error codes of reviews.
pub mod codes {
    /// The actor is not the item's reviewer.
    pub const NOT_THE_REVIEWER: crate::error::Code = crate::error::Code::NotTheReviewer;
    /// The actor is not the campaign's owner (who alone closes it).
    pub const NOT_THE_OWNER: crate::error::Code = crate::error::Code::NotTheOwner;
    /// The campaign is closed, or the item does not exist.
    pub const BAD_ITEM: crate::error::Code = crate::error::Code::BadItem;
}

/// Who reviews a user's access.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reviewers {
    /// The user's manager: an active holder of the nearest ancestor role that
    /// has one (else the campaign's owner).
    Manager,
    /// One named reviewer for everyone.
    Named(String),
}

/// What an item certifies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// The user's profile.
    Profile,
    /// A permission set the user holds.
    PermissionSet,
    /// A group the user is a direct member of.
    Group,
}

/// Keep or revoke.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Certified.
    Keep,
    /// To be removed.
    Revoke,
}

/// One thing to certify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Item {
    /// Its number in the campaign, from 1.
    pub id: u32,
    /// Who certifies it.
    pub reviewer: String,
    /// Whose access.
    pub user: String,
    /// What kind of grant.
    pub grant: Grant,
    /// The profile, permission set or group id.
    pub value: String,
    /// The reviewer's verdict, once given.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub verdict: Option<Verdict>,
    /// Their comment.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub comment: String,
    /// When they decided.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_at: Option<String>,
}

/// A review campaign.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Campaign {
    /// Its id.
    pub id: String,
    /// Who started it.
    pub owner: String,
    /// When (RFC 3339).
    pub started_at: String,
    /// Due date (RFC 3339): undecided items after it are overdue.
    pub due: String,
    /// The policy version reviewed.
    pub version: String,
    /// The items.
    pub items: Vec<Item>,
    /// Set when closed: the change request of its revocations, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<String>,
}

fn manager_of(policy: &Policy, user: &str, fallback: &str) -> String {
    let role_of = |id: &str| policy.users.iter().find(|u| u.id == id).and_then(|u| u.role.clone());
    let parent = |role: &str| policy.roles.iter().find(|r| r.id == role).and_then(|r| r.parent.clone());
    let mut role = role_of(user).and_then(|r| parent(&r));
    while let Some(current) = role {
        let holder = policy.users.iter().filter(|u| u.active && u.id != user).find(|u| u.role.as_deref() == Some(current.as_str()));
        if let Some(holder) = holder {
            return holder.id.clone();
        }
        role = parent(&current);
    }
    fallback.to_owned()
}

impl Campaign {
    /// Starts a campaign over every active user's grants.
    pub fn start(policy: &Policy, id: &str, owner: &str, at: &str, due: &str, reviewers: &Reviewers) -> Campaign {
        let mut items = Vec::new();
        for user in policy.users.iter().filter(|u| u.active) {
            let reviewer = match reviewers {
                Reviewers::Manager => manager_of(policy, &user.id, owner),
                Reviewers::Named(name) => name.clone(),
            };
            let mut add = |grant: Grant, value: &str| {
                let id = u32::try_from(items.len() + 1).unwrap_or(u32::MAX);
                items.push(Item {
                    id,
                    reviewer: reviewer.clone(),
                    user: user.id.clone(),
                    grant,
                    value: value.to_owned(),
                    verdict: None,
                    comment: String::new(),
                    decided_at: None,
                });
            };
            if let Some(profile) = &user.profile {
                add(Grant::Profile, profile);
            }
            for set in &user.permission_sets {
                add(Grant::PermissionSet, set);
            }
            for group in policy.groups.iter().filter(|g| g.members.contains(&Recipient::User(user.id.clone()))) {
                add(Grant::Group, &group.id);
            }
        }
        Campaign {
            id: id.to_owned(),
            owner: owner.to_owned(),
            started_at: at.to_owned(),
            due: due.to_owned(),
            version: super::version(policy),
            items,
            closed_at: None,
        }
    }

    /// Whether `actor` may decide `item` now, by the rule [`Campaign::decide`]
    /// applies (pages disable what the actor may not do).
    ///
    /// # Errors
    /// `bad_item` (closed campaign, unknown item), `not_the_reviewer`.
    pub fn may_decide(&self, item: u32, actor: &str) -> Result<(), Error> {
        self.reviewable(item, actor).map(|_| ())
    }

    /// The position of `item` when `actor` may decide it.
    fn reviewable(&self, item: u32, actor: &str) -> Result<usize, Error> {
        if self.closed_at.is_some() {
            return Err(Error::one("", codes::BAD_ITEM, format!("campaign `{}` is closed", self.id)));
        }
        let at = self
            .items
            .iter()
            .position(|i| i.id == item)
            .ok_or_else(|| Error::one("", codes::BAD_ITEM, format!("campaign `{}` has no item {item}", self.id)))?;
        let reviewer = &self.items[at].reviewer;
        if reviewer != actor {
            return Err(Error::one("", codes::NOT_THE_REVIEWER, format!("item {item} is for `{reviewer}` to review, not `{actor}`")));
        }
        Ok(at)
    }

    /// The item's reviewer records a verdict (a later verdict replaces an earlier one).
    ///
    /// # Errors
    /// `bad_item` (closed campaign, unknown item), `not_the_reviewer`.
    pub fn decide(&mut self, item: u32, actor: &str, verdict: Verdict, comment: &str, at: &str) -> Result<(), Error> {
        let position = self.reviewable(item, actor)?;
        let entry = &mut self.items[position];
        entry.verdict = Some(verdict);
        entry.comment = comment.to_owned();
        entry.decided_at = Some(at.to_owned());
        Ok(())
    }

    /// Whether `actor` may close the campaign now: its owner, while open
    /// (the rule closing applies).
    ///
    /// # Errors
    /// `not_the_owner`, `bad_item` when it is closed already.
    pub fn may_close(&self, actor: &str) -> Result<(), Error> {
        if self.owner != actor {
            return Err(Error::one("", codes::NOT_THE_OWNER, format!("campaign `{}` is closed by its owner `{}`", self.id, self.owner)));
        }
        if self.closed_at.is_some() {
            return Err(Error::one("", codes::BAD_ITEM, format!("campaign `{}` is closed already", self.id)));
        }
        Ok(())
    }

    /// Undecided items past the due date (times compare as instants).
    pub fn overdue(&self, now: &str) -> Vec<&Item> {
        let late = match (crate::parse_rfc3339(now), crate::parse_rfc3339(&self.due)) {
            (Some(now), Some(due)) => now > due,
            _ => false,
        };
        if !late || self.closed_at.is_some() {
            return Vec::new();
        }
        self.items.iter().filter(|i| i.verdict.is_none()).collect()
    }

    /// Closes the campaign: the change set revoking every `revoke` item.
    ///
    /// # Errors
    /// `bad_item` when it is closed already.
    pub fn close(&mut self, at: &str) -> Result<Vec<Operation>, Error> {
        if self.closed_at.is_some() {
            return Err(Error::one("", codes::BAD_ITEM, format!("campaign `{}` is closed already", self.id)));
        }
        self.closed_at = Some(at.to_owned());
        Ok(self
            .items
            .iter()
            .filter(|i| i.verdict == Some(Verdict::Revoke))
            .map(|i| match i.grant {
                Grant::Profile => Operation::SetProfile { user: i.user.clone(), profile: None },
                Grant::PermissionSet => Operation::RevokePermissionSet { user: i.user.clone(), permission_set: i.value.clone() },
                Grant::Group => Operation::RemoveGroupMember { group: i.value.clone(), member: Recipient::User(i.user.clone()) },
            })
            .collect())
    }
}
