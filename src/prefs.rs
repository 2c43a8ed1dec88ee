//! Device preferences: language and theme. Dark by default (dim bars).

use serde::{Deserialize, Serialize};

use crate::i18n::Lang;
use crate::local_store;

const KEY: &str = "carnet.prefs";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[cfg_attr(not(target_arch = "wasm32"), derive(serde::Deserialize))]
#[serde(rename_all = "lowercase")]
pub enum Theme {
    #[default]
    Dark,
    Light,
}

carnet_core::unit_names!(Theme {
    Dark = "dark",
    Light = "light",
});

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Prefs {
    pub lang: Lang,
    pub theme: Theme,
    /// Minutes without a tap before the app locks itself.
    #[serde(default = "default_lock_minutes")]
    pub lock_after_minutes: u32,
    /// Hours after which a record still waiting for sync brings up a warning.
    #[serde(default = "default_stale_hours")]
    pub stale_after_hours: u32,
}

impl Default for Prefs {
    fn default() -> Self {
        Prefs {
            lang: Lang::default(),
            theme: Theme::default(),
            lock_after_minutes: default_lock_minutes(),
            stale_after_hours: default_stale_hours(),
        }
    }
}

fn default_lock_minutes() -> u32 {
    5
}

fn default_stale_hours() -> u32 {
    24
}

/// The idle times a worker can choose from.
pub const LOCK_CHOICES: [u32; 4] = [1, 2, 5, 15];

/// The waits before the "records waiting" warning a worker can choose from, in hours.
pub const STALE_CHOICES: [u32; 4] = [12, 24, 48, 72];

pub fn load() -> Prefs {
    local_store::get(KEY).unwrap_or_default()
}

pub fn save(prefs: Prefs) {
    local_store::set(KEY, &prefs);
}

/// Applies the preferences to the page: `lang` and `data-theme` on `<html>`.
pub fn apply(prefs: Prefs) {
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
    else {
        return;
    };
    let _ = root.set_attribute("lang", prefs.lang.html_lang());
    let theme = match prefs.theme {
        Theme::Dark => "dark",
        Theme::Light => "light",
    };
    let _ = root.set_attribute("data-theme", theme);
}
