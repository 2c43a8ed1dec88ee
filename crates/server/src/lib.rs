//! Carnet's sync server: stores the workers' records in SQLite and serves the built PWA.
//!
//! Layout: [`store`] owns the database (schema, tokens, the write path), [`api`] turns HTTP
//! requests into store calls with the rules of `carnet-core`, [`app`] wires the router.

pub mod api;
pub mod app;
pub mod assets;
pub mod csv_import;
pub mod headers;
pub mod import;
pub mod lists;
pub mod ratelimit;
pub mod store;
pub mod synthetic;
pub mod token;
pub mod xlsx;

pub use app::{AppState, router};
pub use store::{Store, StoreError};
