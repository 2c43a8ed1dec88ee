//! What every request handler shares.

use std::sync::Arc;

use carnet_core::Taxonomy;
use tokio::sync::Mutex;

use crate::client::Network;
use crate::ratelimit::{Limiter, Limits};
use crate::report_cache::ReportCache;
use crate::store::{Store, StoreError};

/// The server's shared state. The taxonomy is not here: it is read through the store
/// (cached), so a document loaded while servers run is used by all of them.
pub struct AppState {
    pub store: Store,
    pub limiter: Limiter,
    /// Proxies whose `X-Forwarded-For` names the client (`serve --trusted-proxy`).
    pub trusted_proxies: Vec<Network>,
    /// One list edit at a time in this process, so two coordinators' edits make two
    /// versions instead of one refusal. Across servers on one database the taxonomy's
    /// version is a key: of two edits made at once, the second is `taxonomy_changed`.
    pub(crate) list_edits: Mutex<()>,
    /// Closed months' reports, checked against the database at each request.
    pub reports: ReportCache,
}

impl AppState {
    /// Shared state with the default limits ([`Limits::default`]) and no trusted proxy.
    pub fn new(store: Store) -> Self {
        Self::with(store, Limits::default(), Vec::new())
    }

    pub fn with(store: Store, limits: Limits, trusted_proxies: Vec<Network>) -> Self {
        AppState {
            store,
            limiter: Limiter::new(limits),
            trusted_proxies,
            list_edits: Mutex::new(()),
            reports: ReportCache::new(),
        }
    }

    /// The taxonomy in force: the latest in the database (cached by the store), whichever
    /// server or command loaded it.
    pub async fn taxonomy(&self) -> Result<Arc<Taxonomy>, StoreError> {
        self.store.taxonomy().await
    }
}
