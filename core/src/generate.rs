//! A deterministic, seeded generator of orgs and datasets shaped like the
//! reference org (same schema and bundles), scaling to 10,000 users, 1,000
//! roles, 200 sharing rules and 1,000,000 records. Tests, benchmarks and the
//! admin app's large demo use it.

use crate::policy::{Department, Group, Level, Policy, Recipient, Role, SharingRule, User};
use crate::request::{RecordInput, Share, TeamMember};
use std::collections::BTreeMap;

/// The reference org (`examples/reference-org.json`), built in.
pub const REFERENCE_ORG: &str = include_str!("../../examples/reference-org.json");
/// The reference dataset (`examples/reference-records.json`), built in.
pub const REFERENCE_RECORDS: &str = include_str!("../../examples/reference-records.json");

/// The reference org as a typed policy.
pub fn reference_policy() -> Policy {
    crate::policy::parse_policy(REFERENCE_ORG).unwrap_or_default()
}

/// Size and seed of a generated org.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Params {
    /// Users.
    pub users: usize,
    /// Roles (at least `role_depth + 1`).
    pub roles: usize,
    /// Depth of the deepest role chain below the root.
    pub role_depth: usize,
    /// Departments.
    pub departments: usize,
    /// Groups.
    pub groups: usize,
    /// Sharing rules.
    pub sharing_rules: usize,
    /// Records.
    pub records: usize,
    /// Seed: the same parameters give the same org.
    pub seed: u64,
}

impl Default for Params {
    fn default() -> Params {
        Params { users: 1000, roles: 100, role_depth: 8, departments: 50, groups: 20, sharing_rules: 20, records: 10_000, seed: 1 }
    }
}

impl Params {
    /// The benchmark scale of the issue: 10,000 users, 1,000 roles, 200 rules.
    pub fn large(records: usize) -> Params {
        Params { users: 10_000, roles: 1000, role_depth: 10, departments: 200, groups: 100, sharing_rules: 200, records, seed: 7 }
    }
}

/// SplitMix64: tiny, fast, and the same on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    /// A generator from a seed.
    pub fn new(seed: u64) -> Rng {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n` (`n > 0`).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    /// True with probability `percent / 100`.
    pub fn chance(&mut self, percent: u64) -> bool {
        self.next_u64() % 100 < percent
    }

    /// A random element.
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const REGIONS: [&str; 4] = ["EU", "US", "APAC", "LATAM"];
const INDUSTRIES: [&str; 5] = ["software", "retail", "energy", "manufacturing", "finance"];
const STAGES: [&str; 5] = ["prospect", "proposal", "negotiation", "won", "lost"];

/// Generates a policy and records.
pub fn generate(params: &Params) -> (Policy, Vec<RecordInput>) {
    let mut rng = Rng::new(params.seed);
    let reference = reference_policy();
    let mut policy = Policy {
        version: 1,
        name: Some(format!("Generated org ({} users, seed {})", params.users, params.seed)),
        description: None,
        schema: reference.schema.clone(),
        bundles: reference.bundles.clone(),
        forbid: reference.forbid.clone(),
        separation_of_duties: reference.separation_of_duties.clone(),
        change_control: reference.change_control.clone(),
        ..Policy::default()
    };
    // A depth-limited hierarchy, so generated orgs exercise the limit too.
    if let Some(opportunity) = policy.schema.objects.get_mut("Opportunity") {
        opportunity.hierarchy.depth = Some(3);
    }
    let role_count = generate_roles(params, &mut rng, &mut policy);
    for i in 0..params.departments.max(1) {
        let parent = (i > 0).then(|| rng.below(i));
        policy.departments.push(Department {
            id: format!("dept_{i}"),
            name: Some(format!("Department {i}")),
            parent: parent.map(|p| format!("dept_{p}")),
        });
    }
    generate_users(params, &mut rng, &mut policy, role_count);
    generate_groups_and_rules(params, &mut rng, &mut policy, role_count);
    let records = generate_records(params, &mut rng);
    (policy, records)
}

/// Roles: a spine as deep as asked, then the rest hung anywhere not too deep. Returns how many.
fn generate_roles(params: &Params, rng: &mut Rng, policy: &mut Policy) -> usize {
    let role_count = params.roles.max(params.role_depth + 1);
    let mut role_depths = Vec::with_capacity(role_count);
    for i in 0..role_count {
        let parent = if i == 0 {
            None
        } else if i <= params.role_depth {
            Some(i - 1)
        } else {
            let mut p = rng.below(i);
            while role_depths[p] >= params.role_depth {
                p = rng.below(i);
            }
            Some(p)
        };
        role_depths.push(parent.map_or(0, |p: usize| role_depths[p] + 1));
        policy.roles.push(Role {
            id: format!("role_{i}"),
            name: Some(format!("Role {i}")),
            parent: parent.map(|p| format!("role_{p}")),
            peers_see_each_other: i > 0 && rng.chance(5),
        });
    }
    role_count
}

/// Users, with profiles weighted as in a sales org.
fn generate_users(params: &Params, rng: &mut Rng, policy: &mut Policy, role_count: usize) {
    let profiles: Vec<&String> = policy.bundles.profiles.keys().collect();
    let profile_weights = |name: &str| match name {
        "sales_rep" => 50,
        "sales_manager" => 15,
        "service" => 15,
        "finance" => 10,
        "executive" => 3,
        _ => 2,
    };
    let total_weight: usize = profiles.iter().map(|p| profile_weights(p)).sum();
    for i in 0..params.users {
        let mut roll = rng.below(total_weight);
        let profile = profiles.iter().find(|p| {
            let w = profile_weights(p);
            if roll < w {
                true
            } else {
                roll -= w;
                false
            }
        });
        let mut permission_sets = Vec::new();
        if rng.chance(10) {
            permission_sets.push("export_reports".to_owned());
        }
        if rng.chance(2) {
            permission_sets.push("access_approver".to_owned());
        }
        let mut attributes = BTreeMap::new();
        attributes.insert("region".to_owned(), serde_json::Value::from(*rng.pick(&REGIONS)));
        if rng.chance(5) {
            attributes.insert("employment".to_owned(), serde_json::Value::from("contractor"));
        }
        policy.users.push(User {
            id: format!("user_{i}"),
            name: Some(format!("User {i}")),
            active: !rng.chance(2),
            role: Some(format!("role_{}", rng.below(role_count))),
            department: Some(format!("dept_{}", rng.below(params.departments.max(1)))),
            profile: profile.map(|p| (*p).clone()),
            permission_sets,
            attributes,
        });
    }
}

/// Groups (of earlier groups too) and sharing rules, owner-based or by criteria.
fn generate_groups_and_rules(params: &Params, rng: &mut Rng, policy: &mut Policy, role_count: usize) {
    let principal = |rng: &mut Rng, groups_so_far: usize| -> Recipient {
        match rng.below(if groups_so_far > 0 { 6 } else { 5 }) {
            0 => Recipient::User(format!("user_{}", rng.below(params.users.max(1)))),
            1 => Recipient::Role(format!("role_{}", rng.below(role_count))),
            2 => Recipient::RoleAndSubordinates(format!("role_{}", rng.below(role_count))),
            3 => Recipient::Department(format!("dept_{}", rng.below(params.departments.max(1)))),
            4 => Recipient::DepartmentTree(format!("dept_{}", rng.below(params.departments.max(1)))),
            _ => Recipient::Group(format!("group_{}", rng.below(groups_so_far))),
        }
    };
    for i in 0..params.groups {
        let members = (0..1 + rng.below(4)).map(|_| principal(rng, i)).collect();
        policy.groups.push(Group { id: format!("group_{i}"), name: Some(format!("Group {i}")), members });
    }
    let objects = ["Account", "Opportunity", "Order", "Case", "Payment"];
    for i in 0..params.sharing_rules {
        let object = *rng.pick(&objects);
        let (owned_by, criteria) = if rng.chance(50) {
            (Some(principal(rng, params.groups)), None)
        } else {
            let criteria = match object {
                "Account" => format!("record.region == \"{}\"", rng.pick(&REGIONS)),
                "Opportunity" => format!("record.amount >= {}", 1000 * (1 + rng.below(500))),
                "Order" => "record.status == \"open\"".to_owned(),
                "Case" => "record.priority == \"high\"".to_owned(),
                _ => format!("record.amount < {}", 1000 * (1 + rng.below(500))),
            };
            (None, Some(criteria))
        };
        policy.sharing_rules.push(SharingRule {
            id: format!("rule_{i}"),
            object: object.to_owned(),
            owned_by,
            criteria,
            share_with: principal(rng, params.groups),
            access: if rng.chance(70) { Level::Read } else { Level::Edit },
            superiors: rng.chance(60),
            description: None,
        });
    }
}

fn generate_records(params: &Params, rng: &mut Rng) -> Vec<RecordInput> {
    let n_accounts = (params.records / 5).max(1).min(params.records);
    let mut records = Vec::with_capacity(params.records);
    let user = |rng: &mut Rng| format!("user_{}", rng.below(params.users.max(1)));
    for i in 0..params.records {
        let owner = user(rng);
        let (id, object, fields): (String, &str, Vec<(&str, serde_json::Value)>) = if i < n_accounts {
            (
                format!("acc_{i}"),
                "Account",
                vec![
                    ("name", format!("Account {i}").into()),
                    ("region", (*rng.pick(&REGIONS)).into()),
                    ("industry", (*rng.pick(&INDUSTRIES)).into()),
                    ("annual_revenue", (rng.below(100_000) * 1000).into()),
                ],
            )
        } else {
            let account = format!("acc_{}", rng.below(n_accounts));
            match rng.below(5) {
                0 => (
                    format!("con_{i}"),
                    "Contact",
                    vec![
                        ("account_id", account.into()),
                        ("full_name", format!("Contact {i}").into()),
                        ("email", format!("c{i}@example.com").into()),
                        ("phone", format!("+1 555 {i:07}").into()),
                    ],
                ),
                1 => (
                    format!("opp_{i}"),
                    "Opportunity",
                    vec![
                        ("account_id", account.into()),
                        ("stage", (*rng.pick(&STAGES)).into()),
                        ("amount", (rng.below(500) * 1000).into()),
                        ("discount", (rng.below(30) as f64 / 100.0).into()),
                    ],
                ),
                2 => (
                    format!("ord_{i}"),
                    "Order",
                    vec![
                        ("account_id", account.into()),
                        ("total", (rng.below(500) * 1000).into()),
                        ("status", (*rng.pick(&["open", "paid", "cancelled"])).into()),
                    ],
                ),
                3 => (
                    format!("pay_{i}"),
                    "Payment",
                    vec![
                        ("order_id", format!("ord_{i}").into()),
                        ("amount", (rng.below(500) * 1000).into()),
                        ("method", (*rng.pick(&["card", "wire"])).into()),
                        ("card_last4", format!("{:04}", rng.below(10_000)).into()),
                    ],
                ),
                _ => (
                    format!("case_{i}"),
                    "Case",
                    vec![
                        ("account_id", account.into()),
                        ("subject", format!("Case {i}").into()),
                        ("status", (*rng.pick(&["open", "closed", "escalated"])).into()),
                        ("priority", (*rng.pick(&["low", "medium", "high"])).into()),
                    ],
                ),
            }
        };
        let team = if rng.chance(10) {
            (0..1 + rng.below(2))
                .map(|_| TeamMember { user: user(rng), access: if rng.chance(50) { Level::Read } else { Level::Edit } })
                .collect()
        } else {
            Vec::new()
        };
        let shares = if rng.chance(5) {
            let with = match rng.below(5) {
                0 if params.groups > 0 => Recipient::Group(format!("group_{}", rng.below(params.groups))),
                1 => Recipient::RoleAndSubordinates(format!("role_{}", rng.below(params.roles.max(params.role_depth + 1)))),
                2 => Recipient::DepartmentTree(format!("dept_{}", rng.below(params.departments.max(1)))),
                _ => Recipient::User(user(rng)),
            };
            vec![Share { with, access: if rng.chance(70) { Level::Read } else { Level::Edit } }]
        } else {
            Vec::new()
        };
        records.push(RecordInput {
            id,
            object: object.to_owned(),
            owner,
            department: None,
            fields: fields.into_iter().map(|(k, v)| (k.to_owned(), v)).collect(),
            team,
            shares,
            parent: None,
        });
    }
    records
}
