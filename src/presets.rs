//! Shortcuts (« raccourcis »): a situation saved from a past record, one tap to apply.

use carnet_core::{ContactDraft, ListKind, Taxonomy};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::i18n::Lang;
use crate::profile::Profile;
use crate::{local_store, vault};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Preset {
    pub id: Uuid,
    pub draft: ContactDraft,
}

impl Preset {
    /// « Bar érotique — Femme 26-40 — Information et prévention — Condoms 3 »; a web
    /// exchange names its platform and direction: « Web — Messenger Reçu — … ».
    pub fn title(&self, taxonomy: &Taxonomy, lang: Lang) -> String {
        let label = |kind: ListKind, code: &str| {
            taxonomy
                .entry(kind, code)
                .map(|e| lang.label(e))
                .unwrap_or_else(|| code.to_owned())
        };
        let d = &self.draft;
        let mut parts = Vec::new();
        if let Some(m) = &d.milieu {
            parts.push(label(ListKind::Milieux, m));
        }
        if let Some(p) = &d.platform {
            let direction = match d.direction {
                Some(carnet_core::Direction::Sent) => lang.t().dir_sent,
                Some(carnet_core::Direction::Received) => lang.t().dir_received,
                None => "",
            };
            parts.push(
                format!("{} {direction}", label(ListKind::Platforms, p))
                    .trim_end()
                    .to_owned(),
            );
        }
        let person: Vec<String> = [
            d.gender.as_deref().map(|g| label(ListKind::Genders, g)),
            d.age_group
                .as_deref()
                .map(|a| label(ListKind::AgeGroups, a)),
        ]
        .into_iter()
        .flatten()
        .collect();
        if !person.is_empty() {
            parts.push(person.join(" "));
        }
        for t in &d.intervention_types {
            parts.push(label(ListKind::InterventionTypes, t));
        }
        if d.intervention_types.is_empty() {
            for r in &d.realities {
                parts.push(label(ListKind::Realities, r));
            }
        }
        for (code, n) in &d.material {
            parts.push(format!("{} {n}", label(ListKind::Materials, code)));
        }
        parts.join(" — ")
    }
}

/// The profile's shortcuts, unsealed (they name milieux and situations: sealed at rest).
/// `Err` when a stored list cannot be opened: the caller must then never overwrite it.
#[allow(clippy::result_unit_err)]
pub async fn load(profile: &Profile) -> Result<Vec<Preset>, ()> {
    // Read as text, not as a `serde_json::Value`: the plain list would then be written
    // back to text for its reader, and `Value`'s `Display` was 2 kB of the wasm for it.
    let Some(text) = local_store::get_text(&profile.presets_key()) else {
        return Ok(Vec::new());
    };
    // Text that is not JSON reads as no shortcuts, as `local_store::get` reads it.
    if serde_json::from_str::<serde::de::IgnoredAny>(&text).is_err() {
        return Ok(Vec::new());
    }
    match serde_json::from_str::<String>(&text) {
        Ok(sealed) => {
            let json = vault::open(&sealed).await.map_err(|_| ())?;
            serde_json::from_str(&json).map_err(|_| ())
        }
        // Shortcuts saved before encryption existed: read in clear, sealed at the next save.
        Err(_) => serde_json::from_str(&text).map_err(|_| ()),
    }
}

/// Seals and stores the shortcuts; false when sealing or storage fails.
pub async fn save(profile: &Profile, presets: &[Preset]) -> bool {
    let Ok(json) = serde_json::to_string(presets) else {
        return false;
    };
    match vault::seal(&json).await {
        Ok(sealed) => local_store::set(&profile.presets_key(), &sealed),
        Err(_) => false,
    }
}
