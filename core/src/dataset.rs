//! Records compiled against the policy, and a loaded dataset indexed by id.

mod index;
mod store;

pub(crate) use index::Lookups;
use store::NewRecord;
pub use store::RecordRef;
pub(crate) use store::{RecordStore, Scalar};

use crate::engine::names::Names;
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

/// A record compiled on its own (a request's inline record or draft): a
/// store of one record. Read it through [`Record::view`].
#[derive(Debug, Clone, PartialEq)]
pub struct Record {
    pub(crate) store: RecordStore,
}

/// What few records have: teams, manual shares, a parent given inline.
#[derive(Debug, Clone, PartialEq, Default)]
pub(crate) struct Extras {
    pub(crate) team: Box<[(u32, Level)]>,
    pub(crate) shares: Box<[(Principal, Level)]>,
    pub(crate) parent: Option<Box<Record>>,
}

impl Record {
    /// A store of this one record; `None` past the store's size limit.
    fn from_new(record: NewRecord<'_>) -> Option<Record> {
        let mut store = RecordStore::default();
        store.push(record).then_some(Record { store })
    }

    /// The record, to read or to ask about.
    pub fn view(&self) -> RecordRef<'_> {
        RecordRef { store: &self.store, at: 0 }
    }

    /// The record id.
    pub fn id(&self) -> &str {
        self.view().id()
    }

    /// The record's effective department (its own, else its owner's), by index.
    pub fn department(&self) -> Option<u32> {
        self.view().department()
    }

    /// The record's object type (index; see [`Engine::object_name`]).
    pub fn object(&self) -> u32 {
        self.view().object()
    }
}

/// Records loaded for questions that name records by id.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    /// Shared (not copied) by a dataset rebound to another engine; see
    /// [`Engine::rebind`].
    pub(crate) store: Arc<RecordStore>,
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
    /// Whether `record` is one of this dataset's records (not an inline
    /// record of a request, nor another dataset's): its position then
    /// means something here.
    #[inline]
    pub(crate) fn holds(&self, record: RecordRef<'_>) -> bool {
        std::ptr::eq(record.store, &*self.store)
    }

    /// The parent of a record stored in this dataset, found by position:
    /// `None` when `record` is not one of this dataset's records (an inline
    /// record of a request), `Some(None)` when it has no parent here.
    pub(crate) fn stored_parent(&self, record: RecordRef<'_>) -> Option<Option<RecordRef<'_>>> {
        if !self.holds(record) {
            return None;
        }
        let parent = self.parents.get(record.at as usize).copied().filter(|&p| p != NO_PARENT);
        Some(parent.and_then(|p| self.store.get(p)))
    }

    /// Brings the records at `records`, and their parents, into cache
    /// together ([`RecordStore::touch`]); returns a digest of what it read.
    pub(crate) fn touch(&self, records: &[u32]) -> u32 {
        let parents = records.iter().filter_map(|&r| self.parents.get(r as usize).copied()).filter(|&p| p != NO_PARENT);
        self.store.touch(records.iter().copied()) ^ self.store.touch(parents)
    }

    /// Number of records.
    pub fn len(&self) -> usize {
        self.store.len()
    }

    /// Whether there are no records.
    pub fn is_empty(&self) -> bool {
        self.store.len() == 0
    }

    /// Whether this dataset was loaded by `engine` (datasets hold an engine's
    /// indices; questions given a foreign dataset answer nothing).
    pub fn belongs_to(&self, engine: &Engine) -> bool {
        self.engine == engine.id
    }

    /// A record by id.
    pub fn get(&self, id: &str) -> Option<RecordRef<'_>> {
        self.position(id).and_then(|i| self.store.get(i))
    }

    /// A record by position (its handle).
    pub fn record(&self, position: u32) -> Option<RecordRef<'_>> {
        self.store.get(position)
    }

    /// The record at a position this dataset handed out (an index entry).
    pub(crate) fn at(&self, position: u32) -> RecordRef<'_> {
        RecordRef { store: &self.store, at: position }
    }

    /// The index of a record by id.
    pub fn position(&self, id: &str) -> Option<u32> {
        self.index.get(id, |i| self.store.id_of(i))
    }

    /// Approximate heap and inline bytes held by the dataset (records, id
    /// index, parent positions and lookup indices), for memory budgets.
    pub fn memory_bytes(&self) -> usize {
        self.memory_parts().iter().map(|(_, bytes)| bytes).sum()
    }

    /// [`Dataset::memory_bytes`] by part.
    pub fn memory_parts(&self) -> Vec<(&'static str, usize)> {
        let mut parts = self.store.memory_parts();
        parts.push(("id index", self.index.memory_bytes()));
        parts.push(("parent positions", self.parents.capacity() * 4));
        parts.extend(self.lookups.memory_parts());
        parts
    }

    /// Every record, in load order.
    pub fn records(&self) -> impl ExactSizeIterator<Item = RecordRef<'_>> + Clone + '_ {
        self.store.iter()
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
        record.and_then(Record::from_new).ok_or_else(|| Error::one("", code::BAD_VALUE, "record could not be compiled"))
    }

    fn compile_record_at<'j>(&self, input: &'j RecordInput, path: &str, problems: &mut Problems) -> Option<NewRecord<'j>> {
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
            fields = vec![Scalar::Null; entry.fields.len()];
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
                let compiled = self.compile_record_at(parent, &parent_path, problems).and_then(Record::from_new)?;
                if compiled.object() != parent_object {
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
        Some(NewRecord {
            id: &input.id,
            object: object?,
            owner: owner?,
            department,
            own_department: input.department.is_some(),
            fields,
            extras: (extras != Extras::default()).then_some(extras),
        })
    }

    /// The record as it would be written in a dataset file.
    pub fn record_input(&self, record: RecordRef<'_>) -> RecordInput {
        let object = &self.objects[record.object() as usize];
        RecordInput {
            id: record.id().to_string(),
            object: object.name.to_string(),
            owner: self.user_id(record.owner()).to_string(),
            department: record.department().filter(|_| record.own_department()).map(|d| self.departments.ids[d as usize].to_string()),
            // Inserted, not collected: a collect sorts, and each sort costs the npm package.
            fields: {
                let mut fields = std::collections::BTreeMap::new();
                for (field, value) in object.fields.iter().zip(record.field_values(object.fields.len())).filter(|(_, v)| *v != Value::Null)
                {
                    fields.insert(field.name.to_string(), value.to_json());
                }
                fields
            },
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
            records: RecordStore::default(),
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
            if same_rules { Arc::clone(&dataset.lookups) } else { Arc::new(Lookups::build(self, &dataset.store, &dataset.parents)) };
        Some(Dataset {
            store: Arc::clone(&dataset.store),
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
    records: RecordStore,
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
        if !self.records.push(record) {
            self.problems.push(path, code::TOO_LARGE, "the dataset passes 4 GiB of record text, the most one dataset holds");
            return;
        }
        let records = &self.records;
        if self.index.insert(at, &|i| records.id_of(i)).is_some() {
            self.records.pop();
            self.problems.push(join(&path, "id"), code::DUPLICATE_ID, format!("duplicate record id `{}`", input.id));
            return;
        }
        self.positions.push(position);
    }

    /// Records a problem with the next record that could not even be read
    /// (a JSON Lines line that is not JSON), keeping positions aligned.
    pub fn skip(&mut self, code: crate::Code, message: impl Into<String>) {
        self.problems.push(join("", self.next), code, message);
        self.next += 1;
    }

    /// Checks parent links and builds the indices.
    ///
    /// # Errors
    /// Every problem found while loading.
    pub fn finish(self) -> Result<Dataset, Error> {
        let DatasetLoader { engine, mut records, index, mut problems, positions, .. } = self;
        let mut parents = vec![NO_PARENT; records.len()];
        for (i, record) in records.iter().enumerate() {
            let Some((parent_object, field)) = engine.objects[record.object() as usize].parent else { continue };
            let Some(parent_id) = record.field(field).as_str() else { continue };
            let path =
                || join(&join(&join("", positions[i]), "fields"), &engine.objects[record.object() as usize].fields[field as usize].name);
            let position = index.get(parent_id, |i| records.id_of(i));
            match position.and_then(|p| records.get(p)) {
                Some(parent) if parent.object() == parent_object => parents[i] = position.unwrap_or(NO_PARENT),
                Some(parent) => problems.push(
                    path(),
                    code::OBJECT_MISMATCH,
                    format!(
                        "parent `{parent_id}` is a `{}`, expected a `{}`",
                        engine.objects[parent.object() as usize].name,
                        engine.objects[parent_object as usize].name
                    ),
                ),
                None => problems.push(path(), code::UNKNOWN_RECORD, format!("parent record `{parent_id}` is not in the dataset")),
            }
        }
        problems.into_result()?;
        let is_id = |object: u32, field: u32| {
            engine.objects.get(object as usize).and_then(|o| o.fields.get(field as usize)).is_some_and(|f| f.kind == FieldType::Id)
        };
        records.link_ids(is_id, |store, id| index.get(id, |i| store.id_of(i)));
        records.shrink();
        let lookups = Arc::new(Lookups::build(engine, &records, &parents));
        Ok(Dataset { store: Arc::new(records), index: Arc::new(index), lookups, parents: Arc::new(parents), engine: engine.id })
    }
}

fn typed_value(json: &serde_json::Value, kind: FieldType) -> Result<Scalar<'_>, (crate::Code, String)> {
    use serde_json::Value as J;
    let bad = |expected: &str| Err((code::BAD_TYPE, format!("must be {expected}, found {}", crate::json::kind(json))));
    match (kind, json) {
        (_, J::Null) => Ok(Scalar::Null),
        (FieldType::String | FieldType::Id, J::String(s)) => Ok(Scalar::Str(s)),
        (FieldType::Datetime, J::String(s)) => {
            if crate::clock::parse_rfc3339(s).is_some() {
                Ok(Scalar::Str(s))
            } else {
                Err((code::BAD_VALUE, format!("must be an rfc 3339 time, found `{s}`")))
            }
        }
        (FieldType::Number, J::Number(n)) => n.as_f64().map(Scalar::Num).ok_or((code::BAD_VALUE, "is not a finite number".to_owned())),
        (FieldType::Bool, J::Bool(b)) => Ok(Scalar::Bool(*b)),
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
