//! Components: they render state and dispatch actions, nothing else. Storage, network and
//! domain rules live in `storage`, `api`, `sync` and `carnet-core`; what a screen reads
//! from somewhere slow comes through [`use_fetch`].

pub mod activity_form;
pub mod contact_form;
pub mod desk;
pub mod effect;
pub mod figures;
pub mod fix;
pub mod keys;
pub mod lock;
pub mod record_form;
pub mod row_key;
pub mod settings;
pub mod task;
pub mod today;
pub mod update;
pub mod use_fetch;
pub mod widgets;
