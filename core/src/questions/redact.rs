//! `fields` and `redact`: what of a record a user may see, and the record
//! with everything else removed.

use crate::check::Query;
use crate::compile::schema::BUILTIN_ACTIONS;
use crate::dataset::{Dataset, RecordRef};
use crate::decision::FieldSets;
use crate::engine::Engine;
use crate::request::{Context, RecordInput};

impl Engine {
    /// The readable and editable fields of `record` for `user` (the `read`
    /// decision's field sets), or `None` when the user may not read it.
    pub fn fields(&self, user: &str, record: RecordRef<'_>, context: &Context, dataset: Option<&Dataset>) -> Option<FieldSets> {
        let read = self.action_id(BUILTIN_ACTIONS[0].0)?;
        let query = Query { user, action: read, object: record.object(), record: Some(record), context, fields: &[], dataset };
        self.check_query(&query).fields
    }

    /// The record as `user` may see it: fields they may not read removed,
    /// or `None` when they may not read the record at all.
    pub fn redact(&self, user: &str, record: RecordRef<'_>, context: &Context, dataset: Option<&Dataset>) -> Option<RecordInput> {
        let fields = self.fields(user, record, context, dataset)?;
        let object = &self.objects[record.object() as usize];
        let mut visible = self.record_input(record);
        visible.fields.retain(|name, _| object.field_index.get(name.as_str()).is_some_and(|&f| fields.read.contains(f)));
        Some(visible)
    }
}
