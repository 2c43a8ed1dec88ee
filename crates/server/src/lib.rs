//! Carnet's sync server: stores the workers' records in SQLite (or PostgreSQL) and serves
//! the built PWA.
//!
//! Layout: [`store`] owns the database (schema, tokens, the write path, both backends),
//! [`http`] turns HTTP requests into store calls with the rules of `carnet-core`, one
//! module per resource; [`csv_import`] and [`import`] read past records, [`migrate`]
//! copies a SQLite file into PostgreSQL, [`log`] writes the request log.

pub mod assets;
pub mod backup;
pub mod calendar;
pub mod client;
pub mod csv_import;
pub mod export;
pub mod headers;
pub mod http;
pub mod import;
pub mod log;
pub mod migrate;
pub mod ratelimit;
pub mod report_cache;
pub mod store;
pub mod synthetic;
pub mod token;
pub mod xlsx;

pub use http::{AppState, router};
pub use store::{Store, StoreError};
