//! Reusable pieces of the pages, one per file.

pub mod bars;
pub mod nav;
pub mod options;
pub mod paged_table;
pub mod principal_picker;
pub mod problems;
pub mod record_picker;
pub mod request_preview;
pub mod request_steps;
pub mod search_field;
pub mod sentence;
pub mod table_head;
pub mod tokens;
pub mod user_picker;
