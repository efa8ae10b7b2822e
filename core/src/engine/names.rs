//! Looking up the ids a principal names (users, groups, roles,
//! departments) against the compiled directory: compiling a policy and
//! validating a record's sharing entries ask the same question.

use super::Principal;
use super::tree::Tree;
use crate::error::{Problems, code, join};
use crate::policy::Recipient;
use rustc_hash::FxHashMap;

/// Where a recipient's id is looked up, how it becomes a principal, and how
/// a miss is reported.
type Lookup<'a> = (Option<u32>, &'a str, fn(u32) -> Principal, &'static str, crate::Code);

/// Looks up the ids a principal names.
pub(crate) struct Names<'a> {
    /// A user's position by id.
    pub users: &'a dyn Fn(&str) -> Option<u32>,
    pub groups: &'a FxHashMap<Box<str>, u32>,
    pub roles: &'a Tree,
    pub departments: &'a Tree,
}

impl Names<'_> {
    /// Resolves a recipient, recording an `unknown_*` problem at `path`.
    pub fn principal(&self, recipient: &Recipient, path: &str, problems: &mut Problems) -> Option<Principal> {
        let (map, id, make, what, code): Lookup<'_> = match recipient {
            Recipient::User(id) => ((self.users)(id), id, Principal::User, "user", code::UNKNOWN_USER),
            Recipient::Group(id) => (self.groups.get(id.as_str()).copied(), id, Principal::Group, "group", code::UNKNOWN_GROUP),
            Recipient::Role(id) => (self.roles.index.get(id.as_str()).copied(), id, Principal::Role, "role", code::UNKNOWN_ROLE),
            Recipient::RoleAndSubordinates(id) => {
                (self.roles.index.get(id.as_str()).copied(), id, Principal::RoleAndSubordinates, "role", code::UNKNOWN_ROLE)
            }
            Recipient::Department(id) => {
                (self.departments.index.get(id.as_str()).copied(), id, Principal::Department, "department", code::UNKNOWN_DEPARTMENT)
            }
            Recipient::DepartmentTree(id) => {
                (self.departments.index.get(id.as_str()).copied(), id, Principal::DepartmentTree, "department", code::UNKNOWN_DEPARTMENT)
            }
        };
        let found = map.map(make);
        if found.is_none() {
            let key = match recipient {
                Recipient::User(_) => "user",
                Recipient::Group(_) => "group",
                Recipient::Role(_) => "role",
                Recipient::RoleAndSubordinates(_) => "role_and_subordinates",
                Recipient::Department(_) => "department",
                Recipient::DepartmentTree(_) => "department_tree",
            };
            problems.push(join(path, key), code, format!("unknown {what} `{id}`"));
        }
        found
    }
}
