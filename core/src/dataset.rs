//! Records compiled against the policy, and a loaded dataset indexed by id.

mod index;

pub(crate) use index::Lookups;

use crate::compile::directory::Names;
use crate::engine::{Engine, Principal};
use crate::error::{Error, Problems, code, join};
use crate::id_index::IdIndex;
use crate::json::decode;
use crate::policy::{FieldType, Level};
use crate::request::RecordInput;
use crate::value::Value;
use std::sync::Arc;

/// [`Dataset::parents`] for a record without a parent in the dataset.
pub(crate) const NO_PARENT: u32 = u32::MAX;

/// A record resolved against the policy: indices instead of names.
///
/// One cache line (64 bytes, aligned): a check of a random record touches
/// one line of it. Teams, manual shares and inline parents, which most
/// records lack, live behind one pointer.
#[derive(Debug, Clone, PartialEq)]
#[repr(align(64))]
pub struct Record {
    pub(crate) id: Box<str>,
    pub(crate) fields: Box<[Value]>,
    pub(crate) object: u32,
    pub(crate) owner: u32,
    pub(crate) department: Option<u32>,
    /// Whether the department was given (else it is the owner's).
    pub(crate) own_department: bool,
    pub(crate) extras: Option<Box<Extras>>,
}

/// What few records have.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Extras {
    pub(crate) team: Box<[(u32, Level)]>,
    pub(crate) shares: Box<[(Principal, Level)]>,
    pub(crate) parent: Option<Box<Record>>,
}

impl Record {
    /// The record's team: users with an access level.
    pub(crate) fn team(&self) -> &[(u32, Level)] {
        self.extras.as_deref().map_or(&[], |e| &e.team)
    }

    /// The record's manual shares.
    pub(crate) fn shares(&self) -> &[(Principal, Level)] {
        self.extras.as_deref().map_or(&[], |e| &e.shares)
    }

    /// The parent given inline with the record.
    pub(crate) fn parent(&self) -> Option<&Record> {
        self.extras.as_deref().and_then(|e| e.parent.as_deref())
    }

    /// The record id.
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The record's effective department (its own, else its owner's), by index.
    pub fn department(&self) -> Option<u32> {
        self.department
    }

    /// The record's object type (index; see [`Engine::object_name`]).
    pub fn object(&self) -> u32 {
        self.object
    }
}

/// Records loaded for questions that name records by id.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Shared (not copied) by a dataset rebound to another engine; see
    /// [`Engine::rebind`].
    pub(crate) records: Arc<Vec<Record>>,
    pub(crate) index: Arc<IdIndex>,
    /// Shared with a rebound dataset when the sharing rules are the same
    /// (its criteria cache depends on them).
    pub(crate) lookups: Arc<Lookups>,
    /// Per record, the position of its parent (through the schema's parent
    /// link) or [`NO_PARENT`]: checks of children skip the id lookup.
    pub(crate) parents: Arc<Vec<u32>>,
    /// The engine that loaded it (its indices are that engine's).
    pub(crate) engine: u64,
}

impl Dataset {
    /// The parent of a record stored in this dataset, found by position:
    /// `None` when `record` is not one of this dataset's records (an inline
    /// record of a request), `Some(None)` when it has no parent here.
    pub(crate) fn stored_parent(&self, record: &Record) -> Option<Option<&Record>> {
        // Address arithmetic (safe code): is `record` an element of `records`?
        let base = self.records.as_ptr() as usize;
        let offset = (record as *const Record as usize).checked_sub(base)?;
        let position = offset / std::mem::size_of::<Record>();
        if !self.records.get(position).is_some_and(|stored| std::ptr::eq(stored, record)) {
            return None;
        }
        let parent = self.parents.get(position).copied().filter(|&p| p != NO_PARENT);
        Some(parent.and_then(|p| self.records.get(p as usize)))
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }

    /// Whether this dataset was loaded by `engine` (datasets hold an engine's
    /// indices; questions given a foreign dataset answer nothing).
    pub fn belongs_to(&self, engine: &Engine) -> bool {
        self.engine == engine.id
    }

    /// A record by id.
    pub fn get(&self, id: &str) -> Option<&Record> {
        self.position(id).map(|i| &self.records[i as usize])
    }

    /// The index of a record by id.
    pub fn position(&self, id: &str) -> Option<u32> {
        self.index.get(id, |i| self.records.get(i as usize).map_or("", |r| &*r.id))
    }

    /// Approximate heap and inline bytes held by the dataset (records, id
    /// index and lookup indices), for memory budgets.
    pub fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        fn value_bytes(value: &Value) -> usize {
            match value {
                Value::Str(s) => s.len(),
                Value::List(items) => items.len() * size_of::<Value>() + items.iter().map(value_bytes).sum::<usize>(),
                _ => 0,
            }
        }
        fn record_bytes(record: &Record) -> usize {
            record.id.len()
                + record.fields.len() * size_of::<Value>()
                + record.fields.iter().map(value_bytes).sum::<usize>()
                + record.extras.as_ref().map_or(0, |_| size_of::<Extras>())
                + std::mem::size_of_val(record.team())
                + std::mem::size_of_val(record.shares())
                + record.parent().map_or(0, |p| size_of::<Record>() + record_bytes(p))
        }
        let records = self.records.capacity() * size_of::<Record>() + self.records.iter().map(record_bytes).sum::<usize>();
        records + self.index.memory_bytes() + self.parents.capacity() * size_of::<u32>() + self.lookups.memory_bytes()
    }

    /// Every record, in load order.
    pub fn records(&self) -> &[Record] {
        &self.records
    }
}

impl Engine {
    /// Validates one record against the schema and directory.
    ///
    /// # Errors
    /// Every problem: unknown object, owner, department, field, users in the
    /// team, recipients of shares; field values of the wrong type.
    pub fn compile_record(&self, input: &RecordInput) -> Result<Record, Error> {
        let mut problems = Problems::default();
        let record = self.compile_record_at(input, "", &mut problems);
        problems.finish(())?;
        record.ok_or_else(|| Error::one("", code::BAD_VALUE, "record could not be compiled"))
    }

    fn compile_record_at(&self, input: &RecordInput, path: &str, problems: &mut Problems) -> Option<Record> {
        if input.id.is_empty() {
            problems.push(join(path, "id"), code::EMPTY_ID, "record id is empty");
        }
        let object = self.object_index.get(input.object.as_str()).copied();
        if object.is_none() {
            problems.push(join(path, "object"), code::UNKNOWN_OBJECT, format!("unknown object `{}`", input.object));
        }
        let owner = self.user_at(input.owner.as_str());
        if owner.is_none() {
            problems.push(join(path, "owner"), code::UNKNOWN_USER, format!("unknown owner `{}`", input.owner));
        }
        let department = match &input.department {
            Some(d) => {
                let found = self.departments.index.get(d.as_str()).copied();
                if found.is_none() {
                    problems.push(join(path, "department"), code::UNKNOWN_DEPARTMENT, format!("unknown department `{d}`"));
                }
                found
            }
            None => owner.and_then(|o| self.users[o as usize].department),
        };
        let mut fields = Vec::new();
        if let Some(o) = object {
            let entry = &self.objects[o as usize];
            fields = vec![Value::Null; entry.fields.len()];
            for (name, json) in &input.fields {
                // Built only for a problem: a million records have millions of fields.
                let field_path = || join(&join(path, "fields"), name);
                let Some(&f) = entry.field_index.get(name.as_str()) else {
                    problems.push(field_path(), code::UNKNOWN_FIELD, format!("unknown field `{name}` on `{}`", entry.name));
                    continue;
                };
                let kind = entry.fields[f as usize].kind;
                match typed_value(json, kind) {
                    Ok(value) => fields[f as usize] = value,
                    Err((code, message)) => problems.push(field_path(), code, format!("field `{name}` {message}")),
                }
            }
        }
        let team = input
            .team
            .iter()
            .enumerate()
            .filter_map(|(i, member)| {
                let found = self.user_at(member.user.as_str());
                if found.is_none() {
                    problems.push(
                        join(&join(&join(path, "team"), i), "user"),
                        code::UNKNOWN_USER,
                        format!("unknown user `{}`", member.user),
                    );
                }
                Some((found?, member.access))
            })
            .collect();
        let users = |id: &str| self.user_at(id);
        let names = Names { users: &users, groups: &self.group_index, roles: &self.roles, departments: &self.departments };
        let shares = input
            .shares
            .iter()
            .enumerate()
            .filter_map(|(i, share)| {
                Some((names.principal(&share.with, &join(&join(&join(path, "shares"), i), "with"), problems)?, share.access))
            })
            .collect();
        let parent = match (&input.parent, object.and_then(|o| self.objects[o as usize].parent)) {
            (Some(parent), Some((parent_object, _))) => {
                let parent_path = join(path, "parent");
                let compiled = self.compile_record_at(parent, &parent_path, problems)?;
                if compiled.object != parent_object {
                    problems.push(
                        join(&parent_path, "object"),
                        code::OBJECT_MISMATCH,
                        format!("parent must be a `{}`, found `{}`", self.objects[parent_object as usize].name, parent.object),
                    );
                }
                Some(Box::new(compiled))
            }
            (Some(_), None) => {
                problems.push(
                    join(path, "parent"),
                    code::BAD_PARENT,
                    format!("object `{}` has no parent link in the schema", input.object),
                );
                None
            }
            (None, _) => None,
        };
        let extras = Extras { team, shares, parent };
        Some(Record {
            id: input.id.as_str().into(),
            object: object?,
            owner: owner?,
            department,
            own_department: input.department.is_some(),
            fields: fields.into_boxed_slice(),
            extras: (extras != Extras::default()).then(|| Box::new(extras)),
        })
    }

    /// The record as it would be written in a dataset file.
    pub fn record_input(&self, record: &Record) -> RecordInput {
        let object = &self.objects[record.object as usize];
        RecordInput {
            id: record.id.to_string(),
            object: object.name.to_string(),
            owner: self.user_id(record.owner).to_string(),
            department: record.department.filter(|_| record.own_department).map(|d| self.departments.ids[d as usize].to_string()),
            fields: object
                .fields
                .iter()
                .zip(&*record.fields)
                .filter(|(_, v)| **v != Value::Null)
                .map(|(f, v)| (f.name.to_string(), v.to_json()))
                .collect(),
            team: record
                .team()
                .iter()
                .map(|&(u, access)| crate::request::TeamMember { user: self.user_id(u).to_string(), access })
                .collect(),
            shares: record.shares().iter().map(|&(with, access)| crate::request::Share { with: self.recipient(with), access }).collect(),
            parent: record.parent().map(|p| Box::new(self.record_input(p))),
        }
    }

    /// Loads a dataset from a JSON array of records.
    ///
    /// # Errors
    /// Every problem of every record (paths like `/3/owner`), duplicate ids,
    /// and parent links to records that are not in the dataset.
    pub fn load_records(&self, value: &serde_json::Value) -> Result<Dataset, Error> {
        let Some(items) = value.as_array() else {
            return Err(Error::one("", code::BAD_TYPE, "records must be a list"));
        };
        let mut loader = self.dataset_loader();
        for item in items {
            loader.push(item);
        }
        loader.finish()
    }

    /// Loads records from text: a JSON array, or JSON Lines loaded line by
    /// line so a large file is never held as one JSON tree.
    ///
    /// # Errors
    /// Syntax problems (with the line for JSON Lines) and record problems.
    pub fn load_records_text(&self, text: &str) -> Result<Dataset, Error> {
        if text.trim_start().starts_with('[') {
            return self.load_records(&crate::json::parse_json(text)?);
        }
        let mut loader = self.dataset_loader();
        for (n, line) in text.lines().enumerate() {
            if line.trim().is_empty() {
                continue;
            }
            match serde_json::from_str::<serde_json::Value>(line) {
                Ok(value) => loader.push(&value),
                Err(e) => loader.skip(code::JSON_SYNTAX, format!("invalid json on line {}: {e}", n + 1)),
            }
        }
        loader.finish()
    }

    /// A loader that takes records one at a time (e.g. JSON Lines), so the
    /// whole input never has to be held as JSON.
    pub fn dataset_loader(&self) -> DatasetLoader<'_> {
        DatasetLoader {
            engine: self,
            records: Vec::new(),
            index: IdIndex::default(),
            problems: Problems::default(),
            positions: Vec::new(),
            next: 0,
        }
    }

    /// `dataset` (loaded by `from`) for this engine, without compiling its
    /// records again — when the two engines compile records alike: the same
    /// users in the same order with the same departments (a record's
    /// department defaults to its owner's), the same departments, groups and
    /// roles in the same order, the same objects and fields. That holds for
    /// most staged edits (a role move, a grant, a rule) and makes their
    /// preview on a large dataset cheap. `None` otherwise: load it again.
    pub fn rebind(&self, dataset: &Dataset, from: &Engine) -> Option<Dataset> {
        if !dataset.belongs_to(from) || !self.compiles_records_like(from) {
            return None;
        }
        let same_rules = matches!((self.policy(), from.policy()), (Ok(a), Ok(b)) if a.sharing_rules == b.sharing_rules);
        let lookups =
            if same_rules { Arc::clone(&dataset.lookups) } else { Arc::new(Lookups::build(self, &dataset.records, &dataset.parents)) };
        Some(Dataset {
            records: Arc::clone(&dataset.records),
            index: Arc::clone(&dataset.index),
            parents: Arc::clone(&dataset.parents),
            lookups,
            engine: self.id,
        })
    }

    fn compiles_records_like(&self, other: &Engine) -> bool {
        let same_users = self.users.len() == other.users.len()
            && self.user_ids == other.user_ids
            && self.users.iter().zip(&other.users).all(|(a, b)| a.department == b.department);
        let same_fields = |a: &crate::engine::ObjectEntry, b: &crate::engine::ObjectEntry| {
            a.fields.len() == b.fields.len() && a.fields.iter().zip(&b.fields).all(|(x, y)| x.name == y.name && x.kind == y.kind)
        };
        let same_objects = self.objects.len() == other.objects.len()
            && self.objects.iter().zip(&other.objects).all(|(a, b)| a.name == b.name && a.parent == b.parent && same_fields(a, b));
        self.roles.ids == other.roles.ids
            && self.departments.ids == other.departments.ids
            && self.groups == other.groups
            && same_users
            && same_objects
    }
}

/// Builds a [`Dataset`] record by record; see [`Engine::dataset_loader`].
#[derive(Debug)]
pub struct DatasetLoader<'e> {
    engine: &'e Engine,
    records: Vec<Record>,
    index: IdIndex,
    problems: Problems,
    /// Input position of each loaded record, for the paths of later problems.
    positions: Vec<usize>,
    next: usize,
}

impl DatasetLoader<'_> {
    /// Adds the next record (its path is its position: `/0`, `/1`, …).
    pub fn push(&mut self, value: &serde_json::Value) {
        let position = self.next;
        self.next += 1;
        let path = join("", position);
        let Some(input) = decode::<RecordInput>(value, &path, &mut self.problems) else { return };
        let Some(record) = self.engine.compile_record_at(&input, &path, &mut self.problems) else { return };
        let at = self.records.len() as u32;
        self.records.push(record);
        let records = &self.records;
        if self.index.insert(at, &|i| records.get(i as usize).map_or("", |r| &*r.id)).is_some() {
            if let Some(record) = self.records.pop() {
                self.problems.push(join(&path, "id"), code::DUPLICATE_ID, format!("duplicate record id `{}`", record.id));
            }
            return;
        }
        self.positions.push(position);
    }

    /// Records a problem with the next record that could not even be read
    /// (a JSON Lines line that is not JSON), keeping positions aligned.
    pub fn skip(&mut self, code: &str, message: impl Into<String>) {
        self.problems.push(join("", self.next), code, message);
        self.next += 1;
    }

    /// Checks parent links and builds the indices.
    ///
    /// # Errors
    /// Every problem found while loading.
    pub fn finish(self) -> Result<Dataset, Error> {
        let DatasetLoader { engine, records, index, mut problems, positions, .. } = self;
        let mut parents = vec![NO_PARENT; records.len()];
        for (i, record) in records.iter().enumerate() {
            let Some((parent_object, field)) = engine.objects[record.object as usize].parent else { continue };
            let Some(parent_id) = record.fields[field as usize].as_str() else { continue };
            let path =
                || join(&join(&join("", positions[i]), "fields"), &engine.objects[record.object as usize].fields[field as usize].name);
            let position = index.get(parent_id, |i| records.get(i as usize).map_or("", |r| &*r.id));
            match position.map(|p| &records[p as usize]) {
                Some(parent) if parent.object == parent_object => parents[i] = position.unwrap_or(NO_PARENT),
                Some(parent) => problems.push(
                    path(),
                    code::OBJECT_MISMATCH,
                    format!(
                        "parent `{parent_id}` is a `{}`, expected a `{}`",
                        engine.objects[parent.object as usize].name, engine.objects[parent_object as usize].name
                    ),
                ),
                None => problems.push(path(), code::UNKNOWN_RECORD, format!("parent record `{parent_id}` is not in the dataset")),
            }
        }
        problems.into_result()?;
        let lookups = Arc::new(Lookups::build(engine, &records, &parents));
        Ok(Dataset { records: Arc::new(records), index: Arc::new(index), lookups, parents: Arc::new(parents), engine: engine.id })
    }
}

fn typed_value(json: &serde_json::Value, kind: FieldType) -> Result<Value, (&'static str, String)> {
    use serde_json::Value as J;
    let bad = |expected: &str| Err((code::BAD_TYPE, format!("must be {expected}, found {}", crate::json::kind(json))));
    match (kind, json) {
        (_, J::Null) => Ok(Value::Null),
        (FieldType::String | FieldType::Id, J::String(s)) => Ok(Value::Str(s.as_str().into())),
        (FieldType::Datetime, J::String(s)) => {
            if crate::clock::parse_rfc3339(s).is_some() {
                Ok(Value::Str(s.as_str().into()))
            } else {
                Err((code::BAD_VALUE, format!("must be an rfc 3339 time, found `{s}`")))
            }
        }
        (FieldType::Number, J::Number(n)) => n.as_f64().map(Value::Num).ok_or((code::BAD_VALUE, "is not a finite number".to_owned())),
        (FieldType::Bool, J::Bool(b)) => Ok(Value::Bool(*b)),
        (FieldType::String | FieldType::Id | FieldType::Datetime, _) => bad("a string"),
        (FieldType::Number, _) => bad("a number"),
        (FieldType::Bool, _) => bad("a boolean"),
    }
}

/// Parses records text: a JSON array, or JSON Lines (one record per line).
///
/// # Errors
/// `json_syntax` with the line for JSON Lines.
pub fn parse_records(text: &str) -> Result<serde_json::Value, Error> {
    if text.trim_start().starts_with('[') {
        return crate::json::parse_json(text);
    }
    let mut items = Vec::new();
    let mut problems = Vec::new();
    for (n, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str(line) {
            Ok(value) => items.push(value),
            Err(e) => problems.push(crate::error::Problem::new("", code::JSON_SYNTAX, format!("invalid json on line {}: {e}", n + 1))),
        }
    }
    if problems.is_empty() { Ok(serde_json::Value::Array(items)) } else { Err(Error::new(problems)) }
}
