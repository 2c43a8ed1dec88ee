//! Carnet's domain, sans I/O.
//!
//! Everything here is plain data and pure functions so that the phone (wasm32) and the
//! server share one implementation of the rules: what a record is, which codes are valid,
//! how tallies are counted and how the sync queue moves. Nothing in this crate reads a
//! clock, draws randomness or touches storage: callers pass ids, timestamps and "today".

pub mod activity;
pub mod base64;
pub mod calendar;
pub mod completeness;
pub mod csv;
pub mod edit;
pub mod envelope;
pub mod hash;
pub mod lists;
pub mod names;
pub mod note;
pub mod person;
pub mod record;
pub mod report;
pub mod report_part;
pub mod sync;
pub mod tally;
pub mod taxonomy;
pub mod team;
pub mod time;
pub mod wire;

pub use activity::{Activity, ActivityDraft};
pub use envelope::Record;
pub use lists::{EditableList, ListEdit, ListEditError};
pub use record::{
    Contact, ContactDraft, Direction, FieldError, MAX_MATERIAL_PER_ITEM, Reason, RecordError,
};
pub use report::{Attribute, CrossTable, Difference, Report, ReportFilter};
pub use report_part::{ReportPart, TeamPart};
pub use sync::{
    BatchOutcome, Digest, Failure, Logged, Outcome, Resolution, Stamp, Standing, Step, SyncRun,
    SyncState, SyncSummary, Transition,
};
pub use tally::Tally;
pub use taxonomy::{Entry, ListKind, ProgramGroup, ProgramSelectorError, Taxonomy, TaxonomyError};
