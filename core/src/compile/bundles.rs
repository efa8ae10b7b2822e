//! Profiles and permission sets: their grants, session policies, and the
//! merged view per distinct combination that users hold.

use super::schema::SchemaTable;
use crate::cidr::Cidr;
use crate::clock::{DAY_NAMES, Hours, parse_hhmm};
use crate::engine::{BundleEntry, Merged};
use crate::error::{Problems, code, join};
use crate::policy::{Bundle, FieldAccess, Policy, Scope};
use rustc_hash::FxHashMap;

pub(crate) struct BundleTable {
    pub entries: Vec<BundleEntry>,
    grants: Vec<Grants>,
    pub profile_index: FxHashMap<Box<str>, u32>,
    pub permission_set_index: FxHashMap<Box<str>, u32>,
}

#[derive(Default)]
struct Grants {
    scopes: Vec<(usize, Scope)>,
    fields: Vec<(usize, FieldAccess)>,
    system: Vec<Box<str>>,
}

pub(crate) fn compile_bundles(policy: &Policy, schema: &SchemaTable, problems: &mut Problems) -> BundleTable {
    let mut table = BundleTable {
        entries: Vec::new(),
        grants: Vec::new(),
        profile_index: FxHashMap::default(),
        permission_set_index: FxHashMap::default(),
    };
    let sections =
        [(true, "/bundles/profiles", &policy.bundles.profiles), (false, "/bundles/permission_sets", &policy.bundles.permission_sets)];
    for (is_profile, section, bundles) in sections {
        for (id, bundle) in bundles {
            let index = table.entries.len() as u32;
            let path = join(section, id);
            let (entry, grants) = compile_bundle(id, bundle, &path, schema, problems);
            let names = if is_profile { &mut table.profile_index } else { &mut table.permission_set_index };
            names.insert(id.as_str().into(), index);
            table.entries.push(entry);
            table.grants.push(grants);
        }
    }
    table
}

fn compile_bundle(id: &str, bundle: &Bundle, path: &str, schema: &SchemaTable, problems: &mut Problems) -> (BundleEntry, Grants) {
    let mut grants = Grants::default();
    let n_actions = schema.actions.len();
    for (object_name, actions) in &bundle.objects {
        let object_path = join(&join(path, "objects"), object_name);
        let Some(&object) = schema.object_index.get(object_name.as_str()) else {
            problems.push(object_path, code::UNKNOWN_OBJECT, format!("unknown object `{object_name}`"));
            continue;
        };
        for (action_name, scope) in actions {
            match schema.action_index.get(action_name.as_str()) {
                Some(&action) => grants.scopes.push((object as usize * n_actions + action as usize, *scope)),
                None => problems.push(join(&object_path, action_name), code::UNKNOWN_ACTION, format!("unknown action `{action_name}`")),
            }
        }
    }
    for (key, access) in &bundle.fields {
        let field_path = join(&join(path, "fields"), key);
        let Some((object_name, field_name)) = key.split_once('.') else {
            problems.push(field_path, code::BAD_VALUE, format!("field key `{key}` must be `Object.field`"));
            continue;
        };
        let Some(&object) = schema.object_index.get(object_name) else {
            problems.push(field_path, code::UNKNOWN_OBJECT, format!("unknown object `{object_name}`"));
            continue;
        };
        match schema.objects[object as usize].field_index.get(field_name) {
            Some(&field) => grants.fields.push(((schema.field_offsets[object as usize] + field) as usize, *access)),
            None => problems.push(field_path, code::UNKNOWN_FIELD, format!("unknown field `{field_name}` on `{object_name}`")),
        }
    }
    grants.system = bundle.system.iter().map(|s| s.as_str().into()).collect();
    let mut entry = BundleEntry { id: id.into(), mfa_required: false, ip_ranges: Vec::new(), hours: None };
    if let Some(session) = &bundle.session {
        let session_path = join(path, "session");
        entry.mfa_required = session.mfa_required;
        for (i, range) in session.ip_ranges.iter().enumerate() {
            match Cidr::parse(range) {
                Some(cidr) => entry.ip_ranges.push(cidr),
                None => problems.push(
                    join(&join(&session_path, "ip_ranges"), i),
                    code::BAD_CIDR,
                    format!("`{range}` is not a cidr range (like `10.0.0.0/8`)"),
                ),
            }
        }
        if let Some(hours) = &session.login_hours {
            let hours_path = join(&session_path, "login_hours");
            let mut days = 0u8;
            for (i, day) in hours.days.iter().enumerate() {
                match DAY_NAMES.iter().position(|d| d.eq_ignore_ascii_case(day)) {
                    Some(bit) => days |= 1 << bit,
                    None => problems.push(
                        join(&join(&hours_path, "days"), i),
                        code::BAD_HOURS,
                        format!("unknown day `{day}`, expected one of `mon` … `sun`"),
                    ),
                }
            }
            let start = parse_hhmm(&hours.start);
            let end = parse_hhmm(&hours.end);
            if start.is_none() {
                problems.push(join(&hours_path, "start"), code::BAD_HOURS, format!("`{}` is not a time `HH:MM`", hours.start));
            }
            if end.is_none() {
                problems.push(join(&hours_path, "end"), code::BAD_HOURS, format!("`{}` is not a time `HH:MM`", hours.end));
            }
            if let (Some(s), Some(e)) = (start, end)
                && s >= e
            {
                problems.push(
                    join(&hours_path, "end"),
                    code::BAD_HOURS,
                    format!("end `{}` must be after start `{}`", hours.end, hours.start),
                );
            }
            if hours.utc_offset_minutes.abs() > 18 * 60 {
                problems.push(
                    join(&hours_path, "utc_offset_minutes"),
                    code::BAD_HOURS,
                    format!("utc offset `{}` minutes is beyond ±18 hours", hours.utc_offset_minutes),
                );
            }
            entry.hours =
                Some(Hours { days, start: start.unwrap_or(0), end: end.unwrap_or(0), utc_offset_minutes: hours.utc_offset_minutes });
        }
    }
    (entry, grants)
}

/// Merges each distinct bundle combination once.
pub(crate) fn merge_all(combinations: &[Vec<u32>], table: &BundleTable, schema: &SchemaTable) -> Vec<Merged> {
    let slots = schema.objects.len() * schema.actions.len();
    let field_slots = schema.total_fields();
    combinations
        .iter()
        .map(|bundles| {
            let mut scopes: Vec<Option<(Scope, u32)>> = vec![None; slots];
            let mut fields: Vec<Option<FieldAccess>> = vec![None; field_slots];
            let mut system: Vec<Box<str>> = Vec::new();
            for &b in bundles {
                let grants = &table.grants[b as usize];
                for &(slot, scope) in &grants.scopes {
                    // Widest scope wins; on a tie the first bundle (the profile) is named.
                    if scopes[slot].is_none_or(|(best, _)| scope > best) {
                        scopes[slot] = Some((scope, b));
                    }
                }
                for &(slot, access) in &grants.fields {
                    if fields[slot].is_none_or(|best| access > best) {
                        fields[slot] = Some(access);
                    }
                }
                system.extend(grants.system.iter().cloned());
            }
            system.sort_unstable();
            system.dedup();
            let with = |test: &dyn Fn(&BundleEntry) -> bool| -> Box<[u32]> {
                bundles.iter().copied().filter(|&b| test(&table.entries[b as usize])).collect()
            };
            Merged {
                bundles: bundles.clone().into_boxed_slice(),
                scopes: scopes.into_boxed_slice(),
                fields: fields.into_boxed_slice(),
                system: system.into_boxed_slice(),
                mfa_bundles: with(&|e| e.mfa_required),
                ip_bundles: with(&|e| !e.ip_ranges.is_empty()),
                hours_bundles: with(&|e| e.hours.is_some()),
            }
        })
        .collect()
}
