//! Carnet's sync server: stores the workers' records in SQLite (or PostgreSQL) and serves
//! the built PWA.
//!
//! Layout: [`store`] owns the database (schema, tokens, the write path, both backends),
//! [`api`] turns HTTP requests into store calls with the rules of `carnet-core`, [`app`]
//! wires the router, [`migrate`] copies a SQLite file into PostgreSQL, [`log`] writes the
//! request log.

pub mod accounts;
pub mod api;
pub mod app;
pub mod assets;
pub mod backup;
pub mod client;
pub mod csv_import;
pub mod headers;
pub mod import;
pub mod lists;
pub mod log;
pub mod migrate;
pub mod ratelimit;
pub mod store;
pub mod synthetic;
pub mod token;
pub mod xlsx;

pub use app::{AppState, router};
pub use store::{Store, StoreError};
