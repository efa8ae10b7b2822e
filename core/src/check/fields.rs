//! Stage 6: field access. The most permissive grant among the user's
//! bundles; unmentioned fields are editable unless sensitive (then hidden);
//! matching forbid rules hide fields. Editing also needs record level `edit`.

use crate::condition::EvalEnv;
use crate::decision::FieldSets;
use crate::engine::{Engine, Merged};
use crate::policy::{FieldAccess, Level};

impl Engine {
    pub(crate) fn field_sets(&self, merged: &Merged, object: u32, action: u32, level: Level, env: &EvalEnv<'_>) -> FieldSets {
        let entry = &self.objects[object as usize];
        let offset = self.field_offsets[object as usize] as usize;
        let mut sets = FieldSets::default();
        for (f, field) in entry.fields.iter().enumerate() {
            let default = if field.sensitive { FieldAccess::Hidden } else { FieldAccess::Edit };
            let access = merged.fields[offset + f].unwrap_or(default);
            if access >= FieldAccess::Read {
                sets.read.insert(f as u32);
            }
            if access == FieldAccess::Edit && level >= Level::Edit {
                sets.edit.insert(f as u32);
            }
        }
        for &(rule, condition) in &self.forbid_hide[self.slot(object, action)] {
            // An unknown condition hides the fields too (fail closed).
            if self.conditions[condition as usize].evaluate(env) != Ok(false)
                && let Some((_, hidden)) = self.forbid[rule as usize].hidden.iter().find(|(o, _)| *o == object)
            {
                sets.read.subtract(hidden);
                sets.edit.subtract(hidden);
            }
        }
        sets
    }
}
