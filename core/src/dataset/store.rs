//! Records in columns: a 20-byte row per record holding what a check reads
//! (object, owner, department, extras, where its bytes start), and one byte
//! string per record holding its id and field values, packed end to end in
//! one arena.
//!
//! A million records as 64-byte structs with boxed values cost 241 bytes
//! each; here they cost 92 (`bench/README.md`), and the rows a random check
//! touches take a third of the cache.
//!
//! Byte string of a record: flags (1 byte), id (varint length + UTF-8), the
//! number of encoded fields (varint; trailing nulls are not encoded), then
//! per field a tag and its payload: see the `TAG_*` constants.

use super::Extras;
use crate::engine::Principal;
use crate::policy::Level;
use crate::value::Value;
use rustc_hash::FxHashMap;

/// `Row::department` / `Row::extras` when there is none.
pub(crate) const NONE: u32 = u32::MAX;

/// A field value as stored: scalars only (record fields have no list type).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Scalar<'a> {
    Null,
    Bool(bool),
    Num(f64),
    Str(&'a str),
}

impl<'a> Scalar<'a> {
    /// The owned value (for writing a record back, or answers).
    pub(crate) fn to_value(self) -> Value {
        match self {
            Scalar::Null => Value::Null,
            Scalar::Bool(b) => Value::Bool(b),
            Scalar::Num(n) => Value::Num(n),
            Scalar::Str(s) => Value::Str(s.into()),
        }
    }

    /// The string, if this is one.
    pub(crate) fn as_str(self) -> Option<&'a str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }
}

const FLAG_OWN_DEPARTMENT: u8 = 1;

const TAG_NULL: u8 = 0;
const TAG_FALSE: u8 = 1;
const TAG_TRUE: u8 = 2;
/// An f64, 8 bytes little-endian.
const TAG_FLOAT: u8 = 3;
/// An integral number, zigzag varint (exact up to 2^53).
const TAG_INT: u8 = 4;
/// A string: varint length + UTF-8.
const TAG_STR: u8 = 5;
/// A string of the field's dictionary: varint index.
const TAG_DICT: u8 = 6;
/// Another record's id, by its position in the store (see [`RecordStore::link_ids`]).
const TAG_REF: u8 = 7;

/// Strings this long or longer are never put in a dictionary.
const DICT_MAX_LEN: usize = 32;
/// Entries per field dictionary: enough for picklists (region, stage…),
/// few enough that unique values (names) cost nothing much.
const DICT_MAX_ENTRIES: usize = 64;

/// What a check reads of a record.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Row {
    pub object: u32,
    pub owner: u32,
    /// The effective department (its own, else its owner's), or [`NONE`].
    pub department: u32,
    /// Index into the store's extras, or [`NONE`].
    pub extras: u32,
    /// Where the record's bytes start in the arena (they end where the next
    /// record's start): in the row, so reading a field costs no extra miss.
    pub start: u32,
}

/// Frequent short strings of one field.
#[derive(Debug, Clone, Default, PartialEq)]
struct Dict {
    values: Vec<Box<str>>,
    index: FxHashMap<Box<str>, u32>,
}

/// Records in columns; see the module documentation.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct RecordStore {
    rows: Vec<Row>,
    bytes: Vec<u8>,
    /// Per object, per field.
    dicts: Vec<Vec<Dict>>,
    extras: ExtrasTable,
}

/// Teams, shares and inline parents of the records that have any, stored
/// end to end: records with extras are a few in ten, and a boxed struct of
/// boxed slices each cost them 40 bytes before their contents.
#[derive(Debug, Clone, Default, PartialEq)]
struct ExtrasTable {
    team: Vec<(u32, Level)>,
    shares: Vec<(Principal, Level)>,
    /// Per entry, where its team and its shares end.
    ends: Vec<(u32, u32)>,
    /// (entry, parent), by entry.
    parents: Vec<(u32, Box<super::Record>)>,
}

impl ExtrasTable {
    fn push(&mut self, extras: Extras) -> u32 {
        let entry = self.ends.len() as u32;
        self.team.extend_from_slice(&extras.team);
        self.shares.extend_from_slice(&extras.shares);
        self.ends.push((self.team.len() as u32, self.shares.len() as u32));
        if let Some(parent) = extras.parent {
            self.parents.push((entry, parent));
        }
        entry
    }

    fn pop(&mut self) {
        let entry = self.ends.len().saturating_sub(1) as u32;
        self.ends.pop();
        let (team, shares) = self.ends.last().copied().unwrap_or((0, 0));
        self.team.truncate(team as usize);
        self.shares.truncate(shares as usize);
        if self.parents.last().is_some_and(|(e, _)| *e == entry) {
            self.parents.pop();
        }
    }

    fn range(&self, entry: u32) -> ((usize, usize), (usize, usize)) {
        let (team_end, shares_end) = self.ends.get(entry as usize).copied().unwrap_or((0, 0));
        let (team_start, shares_start) = match entry.checked_sub(1) {
            Some(previous) => self.ends.get(previous as usize).copied().unwrap_or((0, 0)),
            None => (0, 0),
        };
        ((team_start as usize, team_end as usize), (shares_start as usize, shares_end as usize))
    }

    fn team(&self, entry: u32) -> &[(u32, Level)] {
        let ((start, end), _) = self.range(entry);
        self.team.get(start..end).unwrap_or(&[])
    }

    fn shares(&self, entry: u32) -> &[(Principal, Level)] {
        let (_, (start, end)) = self.range(entry);
        self.shares.get(start..end).unwrap_or(&[])
    }

    fn parent(&self, entry: u32) -> Option<&super::Record> {
        let found = self.parents.binary_search_by_key(&entry, |(e, _)| *e).ok()?;
        self.parents.get(found).map(|(_, parent)| &**parent)
    }

    fn memory_bytes(&self) -> usize {
        use std::mem::size_of;
        self.team.capacity() * size_of::<(u32, Level)>()
            + self.shares.capacity() * size_of::<(Principal, Level)>()
            + self.ends.capacity() * 8
            + self.parents.iter().map(|(_, p)| 16 + p.store.memory_parts().iter().map(|(_, b)| b).sum::<usize>()).sum::<usize>()
    }

    fn shrink(&mut self) {
        self.team.shrink_to_fit();
        self.shares.shrink_to_fit();
        self.ends.shrink_to_fit();
    }
}

/// A record to add to a store.
pub(crate) struct NewRecord<'a> {
    pub id: &'a str,
    pub object: u32,
    pub owner: u32,
    pub department: Option<u32>,
    pub own_department: bool,
    pub fields: Vec<Scalar<'a>>,
    pub extras: Option<Extras>,
}

impl RecordStore {
    /// Adds a record; `false` (and nothing added) when the arena would pass
    /// 4 GiB, the most its 32-bit offsets address.
    pub(crate) fn push(&mut self, record: NewRecord<'_>) -> bool {
        let mark = self.bytes.len();
        self.bytes.push(if record.own_department { FLAG_OWN_DEPARTMENT } else { 0 });
        put_str(&mut self.bytes, record.id);
        let encoded = record.fields.iter().rposition(|f| *f != Scalar::Null).map_or(0, |last| last + 1);
        put_varint(&mut self.bytes, encoded as u64);
        for (f, &value) in record.fields[..encoded].iter().enumerate() {
            self.put_field(record.object, f, value);
        }
        let (Ok(start), Ok(_)) = (u32::try_from(mark), u32::try_from(self.bytes.len())) else {
            self.bytes.truncate(mark);
            return false;
        };
        let extras = record.extras.map_or(NONE, |extras| self.extras.push(extras));
        let department = record.department.unwrap_or(NONE);
        self.rows.push(Row { object: record.object, owner: record.owner, department, extras, start });
        true
    }

    /// Removes the last record (a duplicate id found after adding it).
    pub(crate) fn pop(&mut self) {
        if let Some(row) = self.rows.pop() {
            if row.extras != NONE {
                self.extras.pop();
            }
            self.bytes.truncate(row.start as usize);
        }
    }

    fn put_field(&mut self, object: u32, field: usize, value: Scalar<'_>) {
        match value {
            Scalar::Null => self.bytes.push(TAG_NULL),
            Scalar::Bool(b) => self.bytes.push(if b { TAG_TRUE } else { TAG_FALSE }),
            Scalar::Num(n) if n.fract() == 0.0 && n.abs() <= 9_007_199_254_740_992.0 && !(n == 0.0 && n.is_sign_negative()) => {
                self.bytes.push(TAG_INT);
                let n = n as i64;
                put_varint(&mut self.bytes, ((n << 1) ^ (n >> 63)) as u64);
            }
            Scalar::Num(n) => {
                self.bytes.push(TAG_FLOAT);
                self.bytes.extend_from_slice(&n.to_le_bytes());
            }
            Scalar::Str(s) => match self.dict_entry(object, field, s) {
                Some(index) => {
                    self.bytes.push(TAG_DICT);
                    put_varint(&mut self.bytes, u64::from(index));
                }
                None => {
                    self.bytes.push(TAG_STR);
                    put_str(&mut self.bytes, s);
                }
            },
        }
    }

    fn dict_entry(&mut self, object: u32, field: usize, s: &str) -> Option<u32> {
        if s.len() >= DICT_MAX_LEN {
            return None;
        }
        let object = object as usize;
        if self.dicts.len() <= object {
            self.dicts.resize_with(object + 1, Vec::new);
        }
        let fields = &mut self.dicts[object];
        if fields.len() <= field {
            fields.resize_with(field + 1, Dict::default);
        }
        let dict = &mut fields[field];
        if let Some(&index) = dict.index.get(s) {
            return Some(index);
        }
        if dict.values.len() >= DICT_MAX_ENTRIES {
            return None;
        }
        let index = dict.values.len() as u32;
        dict.values.push(s.into());
        dict.index.insert(s.into(), index);
        Some(index)
    }

    /// Number of records.
    pub(crate) fn len(&self) -> usize {
        self.rows.len()
    }

    /// The record at `at`, if there is one.
    pub(crate) fn get(&self, at: u32) -> Option<RecordRef<'_>> {
        ((at as usize) < self.rows.len()).then_some(RecordRef { store: self, at })
    }

    /// Reads the row and first byte of each record at `records`, and returns
    /// a digest of them: the loads are independent, so the memory system
    /// serves them together, and the checks that follow find them in cache.
    pub(crate) fn touch(&self, records: impl Iterator<Item = u32>) -> u32 {
        let mut digest = 0;
        for at in records {
            if let Some(row) = self.rows.get(at as usize) {
                digest ^= row.owner ^ u32::from(self.bytes.get(row.start as usize).copied().unwrap_or(0));
            }
        }
        digest
    }

    /// The id of the record at `at` (empty when out of range): the key an
    /// [`crate::id_index::IdIndex`] over the store reads back.
    pub(crate) fn id_of(&self, at: u32) -> &[u8] {
        self.get(at).map_or(&[], RecordRef::id_bytes)
    }

    /// The dictionary of a field of an object, if it has one.
    fn dict(&self, object: u32, field: usize) -> Option<&Dict> {
        self.dicts.get(object as usize).and_then(|fields| fields.get(field))
    }

    /// Every record, in order.
    pub(crate) fn iter(&self) -> impl ExactSizeIterator<Item = RecordRef<'_>> + Clone + '_ {
        (0..self.rows.len() as u32).map(move |at| RecordRef { store: self, at })
    }

    /// Bytes held by part (rows, arena and dictionaries, extras), for memory budgets.
    pub(crate) fn memory_parts(&self) -> Vec<(&'static str, usize)> {
        use std::mem::size_of;
        let dicts: usize = self.dicts.iter().flatten().map(|d| d.values.iter().map(|v| 2 * (v.len() + 16) + 8).sum::<usize>()).sum();
        vec![
            ("rows", self.rows.capacity() * size_of::<Row>()),
            ("ids and fields", self.bytes.capacity() + dicts),
            ("teams, shares, inline parents", self.extras.memory_bytes()),
        ]
    }

    /// Stores the values of id fields that name a record of this store
    /// (parent links, an Opportunity's `account_id`) as that record's
    /// position: 4 bytes instead of 12 for a million records. `is_id(object,
    /// field)` says which fields hold ids; `resolve` finds a record by id.
    pub(crate) fn link_ids(&mut self, is_id: impl Fn(u32, u32) -> bool, resolve: impl Fn(&RecordStore, &str) -> Option<u32>) {
        let mut bytes = Vec::with_capacity(self.bytes.len());
        let mut starts = Vec::with_capacity(self.rows.len());
        for (at, row) in self.rows.iter().enumerate() {
            let record = RecordRef { store: self, at: at as u32 };
            let old = record.bytes();
            // Never longer than before: the offsets still fit.
            starts.push(bytes.len() as u32);
            let (mut reader, encoded) = record.fields_reader();
            let mut copied = 0;
            for field in 0..encoded as u32 {
                let start = reader.at;
                let value = reader.field(self.dict(row.object, field as usize));
                let (Scalar::Str(id), true) = (value, is_id(row.object, field)) else { continue };
                let Some(target) = resolve(self, id) else { continue };
                bytes.extend_from_slice(old.get(copied..start).unwrap_or(&[]));
                bytes.push(TAG_REF);
                put_varint(&mut bytes, u64::from(target));
                copied = reader.at;
            }
            bytes.extend_from_slice(old.get(copied..).unwrap_or(&[]));
        }
        self.bytes = bytes;
        for (row, start) in self.rows.iter_mut().zip(starts) {
            row.start = start;
        }
    }

    /// Frees the slack the loader's growth left.
    pub(crate) fn shrink(&mut self) {
        self.rows.shrink_to_fit();
        self.bytes.shrink_to_fit();
        self.extras.shrink();
    }
}

/// A record of a [`RecordStore`]: a dataset's, or an owned [`super::Record`]'s.
#[derive(Debug, Clone, Copy)]
pub struct RecordRef<'a> {
    pub(crate) store: &'a RecordStore,
    pub(crate) at: u32,
}

impl<'a> RecordRef<'a> {
    /// What a check reads of the record, in one place.
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub(crate) fn row(self) -> &'a Row {
        &self.store.rows[self.at as usize]
    }

    /// The record's bytes through the end of the arena. A record's encoding
    /// says where each part ends, so reads of its id and fields need not look
    /// up where the next record starts: for a random record that is often
    /// another cache line.
    // On the id lookup of every check by ids: inlined even in the npm
    // package's size-optimised build, as `object` is.
    #[inline(always)]
    fn tail(self) -> &'a [u8] {
        let start = self.store.rows.get(self.at as usize).map_or(0, |r| r.start as usize);
        self.store.bytes.get(start..).unwrap_or(&[])
    }

    fn bytes(self) -> &'a [u8] {
        let rows = &self.store.rows;
        let start = rows.get(self.at as usize).map_or(0, |r| r.start as usize);
        let end = rows.get(self.at as usize + 1).map_or(self.store.bytes.len(), |r| r.start as usize);
        self.store.bytes.get(start..end).unwrap_or(&[])
    }

    /// The record's object type (index; see [`crate::Engine::object_name`]).
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub fn object(self) -> u32 {
        self.row().object
    }

    /// The owner (user index).
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub fn owner(self) -> u32 {
        self.row().owner
    }

    /// The record's effective department (its own, else its owner's), by index.
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub fn department(self) -> Option<u32> {
        Some(self.row().department).filter(|&d| d != NONE)
    }

    /// Whether the department was given with the record (else it is the owner's).
    pub fn own_department(self) -> bool {
        self.tail().first().is_some_and(|flags| flags & FLAG_OWN_DEPARTMENT != 0)
    }

    /// The record id.
    pub fn id(self) -> &'a str {
        std::str::from_utf8(self.id_bytes()).unwrap_or("")
    }

    /// The id's bytes, for comparing without a UTF-8 check (the id index).
    #[inline(always)]
    pub(crate) fn id_bytes(self) -> &'a [u8] {
        let mut reader = Reader { bytes: self.tail(), at: 1, store: self.store };
        let n = reader.varint() as usize;
        reader.take(n)
    }

    /// Position in its store (in a dataset: its handle).
    pub fn position(self) -> u32 {
        self.at
    }

    /// A reader at the record's first field, and how many fields are encoded
    /// (those after are null).
    fn fields_reader(self) -> (Reader<'a>, usize) {
        let mut reader = Reader { bytes: self.tail(), at: 1, store: self.store };
        reader.skip_str();
        let encoded = reader.varint() as usize;
        (reader, encoded)
    }

    /// The value of field `index` (of the object's field table).
    pub(crate) fn field(self, index: u32) -> Scalar<'a> {
        let (mut reader, encoded) = self.fields_reader();
        if index as usize >= encoded {
            return Scalar::Null;
        }
        for _ in 0..index {
            reader.skip_field();
        }
        reader.field(self.store.dict(self.object(), index as usize))
    }

    /// The field values in field-table order, `Null` for absent ones; `len` is the object's field count.
    pub fn field_values(self, len: usize) -> Vec<Value> {
        let (mut reader, encoded) = self.fields_reader();
        let object = self.object();
        (0..len).map(|f| if f < encoded { reader.field(self.store.dict(object, f)).to_value() } else { Value::Null }).collect()
    }

    /// The record's team: users with an access level.
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub(crate) fn team(self) -> &'a [(u32, Level)] {
        match self.row().extras {
            NONE => &[],
            entry => self.store.extras.team(entry),
        }
    }

    /// The record's manual shares.
    // On the check path: inlined even in the npm package's size-optimised build.
    #[inline(always)]
    pub(crate) fn shares(self) -> &'a [(Principal, Level)] {
        match self.row().extras {
            NONE => &[],
            entry => self.store.extras.shares(entry),
        }
    }

    /// The parent given inline with the record.
    pub(crate) fn parent(self) -> Option<RecordRef<'a>> {
        match self.row().extras {
            NONE => None,
            entry => self.store.extras.parent(entry).map(super::Record::view),
        }
    }
}

/// Reads a record's bytes; out-of-range reads give zeros and empty strings
/// (the store wrote these bytes itself, so they never happen).
struct Reader<'a> {
    bytes: &'a [u8],
    at: usize,
    /// For [`TAG_REF`]: the store the referenced record is in.
    store: &'a RecordStore,
}

impl<'a> Reader<'a> {
    // On the check path (every field a condition reads): inlined even in
    // the npm package's size-optimised build.
    #[inline(always)]
    fn byte(&mut self) -> u8 {
        let b = self.bytes.get(self.at).copied().unwrap_or(0);
        self.at += 1;
        b
    }

    fn varint(&mut self) -> u64 {
        let mut value = 0u64;
        let mut shift = 0;
        loop {
            let b = self.byte();
            value |= u64::from(b & 0x7f) << shift;
            if b & 0x80 == 0 || shift >= 63 {
                return value;
            }
            shift += 7;
        }
    }

    fn take(&mut self, n: usize) -> &'a [u8] {
        let slice = self.bytes.get(self.at..self.at + n).unwrap_or(&[]);
        self.at += n;
        slice
    }

    fn str(&mut self) -> &'a str {
        let n = self.varint() as usize;
        std::str::from_utf8(self.take(n)).unwrap_or("")
    }

    fn skip_str(&mut self) {
        let n = self.varint() as usize;
        self.at += n;
    }

    fn skip_field(&mut self) {
        match self.byte() {
            TAG_FLOAT => self.at += 8,
            TAG_INT | TAG_DICT | TAG_REF => {
                self.varint();
            }
            TAG_STR => self.skip_str(),
            _ => {}
        }
    }

    fn field(&mut self, dict: Option<&'a Dict>) -> Scalar<'a> {
        match self.byte() {
            TAG_FALSE => Scalar::Bool(false),
            TAG_TRUE => Scalar::Bool(true),
            TAG_FLOAT => {
                let bytes: [u8; 8] = self.take(8).try_into().unwrap_or([0; 8]);
                Scalar::Num(f64::from_le_bytes(bytes))
            }
            TAG_INT => {
                let z = self.varint();
                Scalar::Num(((z >> 1) as i64 ^ -((z & 1) as i64)) as f64)
            }
            TAG_STR => Scalar::Str(self.str()),
            TAG_DICT => {
                let index = self.varint() as usize;
                dict.and_then(|d| d.values.get(index)).map_or(Scalar::Null, |s| Scalar::Str(s))
            }
            TAG_REF => {
                let at = self.varint();
                let store = self.store;
                u32::try_from(at).ok().and_then(|at| store.get(at)).map_or(Scalar::Null, |r| Scalar::Str(r.id()))
            }
            _ => Scalar::Null,
        }
    }
}

fn put_varint(out: &mut Vec<u8>, mut n: u64) {
    while n >= 0x80 {
        out.push((n as u8) | 0x80);
        n >>= 7;
    }
    out.push(n as u8);
}

fn put_str(out: &mut Vec<u8>, s: &str) {
    put_varint(out, s.len() as u64);
    out.extend_from_slice(s.as_bytes());
}

#[cfg(test)]
mod tests;
