//! Object types, fields and actions.

use crate::engine::{ActionEntry, FieldEntry, ObjectEntry};
use crate::error::{Problems, code, join};
use crate::policy::{Baseline, FieldType, HierarchyAccess, Level, Policy};
use rustc_hash::FxHashMap;

/// The built-in actions and the level each needs.
pub const BUILTIN_ACTIONS: [(&str, Level); 7] = [
    ("read", Level::Read),
    ("create", Level::Edit),
    ("edit", Level::Edit),
    ("delete", Level::Full),
    ("transfer", Level::Full),
    ("share", Level::Full),
    ("export", Level::Read),
];

/// Index of `create` in the action table.
pub const CREATE: u32 = 1;
/// Index of `edit` in the action table.
pub const EDIT: u32 = 2;

/// Record operands that are built in, so no field may take their names.
const RESERVED_FIELDS: [&str; 3] = ["id", "owner", "department"];

pub(crate) struct SchemaTable {
    pub objects: Vec<ObjectEntry>,
    pub object_index: FxHashMap<Box<str>, u32>,
    pub actions: Vec<ActionEntry>,
    pub action_index: FxHashMap<Box<str>, u32>,
    pub field_offsets: Vec<u32>,
}

impl SchemaTable {
    pub fn total_fields(&self) -> usize {
        self.objects.iter().map(|o| o.fields.len()).sum()
    }
}

pub(crate) fn compile_schema(policy: &Policy, problems: &mut Problems) -> SchemaTable {
    let mut actions: Vec<ActionEntry> =
        BUILTIN_ACTIONS.iter().map(|(name, needs)| ActionEntry { name: (*name).into(), needs: *needs }).collect();
    let mut action_index: FxHashMap<Box<str>, u32> = actions.iter().enumerate().map(|(i, a)| (a.name.clone(), i as u32)).collect();
    for (i, name) in policy.schema.actions.iter().enumerate() {
        let path = join("/schema/actions", i);
        if name.is_empty() {
            problems.push(path, code::EMPTY_ID, "action name is empty");
        } else if action_index.insert(name.as_str().into(), actions.len() as u32).is_some() {
            problems.push(path, code::DUPLICATE_ID, format!("duplicate action `{name}` (built-in actions need no declaration)"));
        } else {
            actions.push(ActionEntry { name: name.as_str().into(), needs: Level::Edit });
        }
    }

    let object_index: FxHashMap<Box<str>, u32> =
        policy.schema.objects.keys().enumerate().map(|(i, name)| (name.as_str().into(), i as u32)).collect();
    let mut objects = Vec::new();
    let mut field_offsets = Vec::new();
    let mut offset = 0u32;
    for (name, object) in &policy.schema.objects {
        let path = join("/schema/objects", name);
        let mut fields = Vec::new();
        let mut field_index = FxHashMap::default();
        for (field_name, field) in &object.fields {
            if RESERVED_FIELDS.contains(&field_name.as_str()) {
                problems.push(
                    join(&join(&path, "fields"), field_name),
                    code::RESERVED_NAME,
                    format!("field name `{field_name}` is reserved for the record's built-in `record.{field_name}`"),
                );
            }
            field_index.insert(field_name.as_str().into(), fields.len() as u32);
            fields.push(FieldEntry { name: field_name.as_str().into(), kind: field.kind, sensitive: field.sensitive });
        }
        let parent = object.parent.as_ref().and_then(|link| {
            let parent_object = object_index.get(link.object.as_str()).copied();
            if parent_object.is_none() {
                problems.push(join(&join(&path, "parent"), "object"), code::UNKNOWN_OBJECT, format!("unknown object `{}`", link.object));
            }
            let field = field_index.get(link.field.as_str()).copied();
            match field {
                None => problems.push(
                    join(&join(&path, "parent"), "field"),
                    code::UNKNOWN_FIELD,
                    format!("unknown field `{}` on `{name}`", link.field),
                ),
                Some(f) if fields[f as usize].kind != FieldType::Id && fields[f as usize].kind != FieldType::String => {
                    problems.push(
                        join(&join(&path, "parent"), "field"),
                        code::BAD_PARENT,
                        format!("parent field `{}` must have type `id`", link.field),
                    );
                }
                Some(_) => {}
            }
            Some((parent_object?, field?))
        });
        if object.baseline == Baseline::ControlledByParent && object.parent.is_none() {
            problems.push(
                join(&path, "baseline"),
                code::BAD_PARENT,
                format!("object `{name}` is `controlled_by_parent` but declares no `parent`"),
            );
        }
        objects.push(ObjectEntry {
            name: name.as_str().into(),
            baseline: object.baseline,
            hierarchy: match object.hierarchy.access {
                HierarchyAccess::Full => Some(Level::Full),
                HierarchyAccess::Edit => Some(Level::Edit),
                HierarchyAccess::Read => Some(Level::Read),
                HierarchyAccess::None => None,
            },
            hierarchy_depth: object.hierarchy.depth,
            parent,
            fields,
            field_index,
        });
        field_offsets.push(offset);
        offset += object.fields.len() as u32;
    }
    // Parent chains must end: follow each one at most `n` steps.
    for (i, object) in objects.iter().enumerate() {
        let mut current = object.parent.map(|(p, _)| p);
        let mut steps = 0;
        while let Some(p) = current {
            if p as usize == i || steps > objects.len() {
                problems.push(
                    join(&join("/schema/objects", &object.name), "parent"),
                    code::CYCLE_IN_PARENTS,
                    format!("object `{}` is its own ancestor through `parent` links", object.name),
                );
                break;
            }
            current = objects[p as usize].parent.map(|(pp, _)| pp);
            steps += 1;
        }
    }
    SchemaTable { objects, object_index, actions, action_index, field_offsets }
}
