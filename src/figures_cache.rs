//! « Mes chiffres » beyond the phone's retention window: the worker's own figures from
//! the server (`GET /api/v1/tallies`), kept sealed on the phone so they can be read
//! offline later. Only the last few periods asked for are kept.
//!
//! ```ignore
//! // Fetched and kept, or offline the copy kept last time (what « Mes chiffres » shows):
//! let figures = figures_cache::fetch_or_kept(&profile, Some(&token), from, to).await;
//! let report = figures_cache::fetch(&profile, &token, from, to).await?;  // and kept
//! let cached = figures_cache::load(&profile, from, to).await;             // offline
//! ```

use std::sync::Arc;

use carnet_core::Report;
use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::api::{self, ClientError};
use crate::profile::Profile;
use crate::{local_store, vault};

/// Periods kept.
const MAX_KEPT: usize = 8;

/// A period's figures as the server gave them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cached {
    #[cfg_attr(
        target_arch = "wasm32",
        serde(deserialize_with = "carnet_core::time::date")
    )]
    pub from: NaiveDate,
    #[cfg_attr(
        target_arch = "wasm32",
        serde(deserialize_with = "carnet_core::time::date")
    )]
    pub to: NaiveDate,
    /// When they were fetched (ms since the epoch).
    pub fetched_ms: i64,
    /// Without cross-tables (`api::get_own_tallies`); any a copy kept by an older build
    /// holds are skipped unread.
    #[cfg_attr(
        target_arch = "wasm32",
        serde(deserialize_with = "carnet_core::report::read_report_without_cross_tables")
    )]
    pub report: Report,
}

/// A period's figures from the server, as « Mes chiffres » shows them. The report is
/// shared, never copied, by the screen's signals.
#[derive(Debug, Clone, PartialEq)]
pub enum ServerFigures {
    Fresh(Arc<Report>),
    /// Offline: the figures fetched at this time (ms since the epoch).
    Cached(Arc<Report>, i64),
    /// Offline (or no token yet), and never fetched for this period.
    Unavailable,
}

impl ServerFigures {
    /// The report to draw: none while unavailable.
    pub fn report(&self) -> Option<&Arc<Report>> {
        match self {
            ServerFigures::Fresh(r) | ServerFigures::Cached(r, _) => Some(r),
            ServerFigures::Unavailable => None,
        }
    }
}

/// The period's figures: fetched (and kept) when the server answers, else the copy kept
/// last time.
pub async fn fetch_or_kept(
    profile: &Profile,
    token: Option<&str>,
    from: NaiveDate,
    to: NaiveDate,
) -> ServerFigures {
    if let Some(token) = token
        && let Ok(fresh) = fetch(profile, token, from, to).await
    {
        return ServerFigures::Fresh(Arc::new(fresh.report));
    }
    match load(profile, from, to).await {
        Some(cached) => ServerFigures::Cached(Arc::new(cached.report), cached.fetched_ms),
        None => ServerFigures::Unavailable,
    }
}

fn key(profile: &Profile) -> String {
    format!("carnet.figures.{}", profile.id)
}

async fn load_all(profile: &Profile) -> Vec<Cached> {
    let Some(sealed) = local_store::get::<String>(&key(profile)) else {
        return Vec::new();
    };
    match vault::open(&sealed).await {
        Ok(json) => serde_json::from_str(&json).unwrap_or_default(),
        Err(_) => Vec::new(),
    }
}

/// The cached figures of exactly this period, if any.
pub async fn load(profile: &Profile, from: NaiveDate, to: NaiveDate) -> Option<Cached> {
    load_all(profile)
        .await
        .into_iter()
        .find(|c| c.from == from && c.to == to)
}

/// Fetches the period's figures from the server and keeps them sealed.
pub async fn fetch(
    profile: &Profile,
    token: &str,
    from: NaiveDate,
    to: NaiveDate,
) -> Result<Cached, ClientError> {
    let report = api::get_own_tallies(token, from, to).await?;
    let fresh = Cached {
        from,
        to,
        fetched_ms: js_sys::Date::now() as i64,
        report,
    };
    let older = load_all(profile).await;
    // The new period first, then the others kept: written without a copy of the report.
    let all: Vec<&Cached> = std::iter::once(&fresh)
        .chain(older.iter().filter(|c| !(c.from == from && c.to == to)))
        .take(MAX_KEPT)
        .collect();
    if let Ok(json) = serde_json::to_string(&all)
        && let Ok(sealed) = vault::seal(&json).await
    {
        local_store::set(&key(profile), &sealed);
    }
    Ok(fresh)
}
