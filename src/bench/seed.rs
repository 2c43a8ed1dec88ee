//! Seeding a profile with N records through the app's own storage code, for the budgets of
//! BENCHMARKS.md (`--cfg carnet_bench` only). `end2end/bench/` builds with the cfg and
//! calls `window.wasmBindings.bench_seed(...)` from the page.
//!
//! In a normal build [`opened`] is an empty inline function and nothing else exists.

#[cfg(carnet_bench)]
mod hooks {
    use std::cell::RefCell;
    use std::collections::BTreeMap;

    use carnet_core::{ContactDraft, Record, Stamp, Standing, SyncState, Taxonomy};
    use chrono::Duration;
    use wasm_bindgen::prelude::*;

    use crate::state::OpenProfile;
    use crate::storage::Row;

    thread_local! {
        static OPEN: RefCell<Option<OpenProfile>> = const { RefCell::new(None) };
    }

    /// The profile just unlocked (the seed writes into it).
    pub fn opened(open: &OpenProfile) {
        OPEN.with(|o| *o.borrow_mut() = Some(open.clone()));
    }

    /// Records of the open profile with a row of their own (the bench waits for the older
    /// ones to be sealed into blocks).
    #[wasm_bindgen]
    pub async fn bench_rows() -> u32 {
        let Some(open) = OPEN.with(|o| o.borrow().clone()) else {
            return 0;
        };
        open.store().rows().await.map_or(0, |r| r.len() as u32)
    }

    /// A small deterministic generator: the same seed gives the same device.
    struct Lcg(u64);

    impl Lcg {
        fn next(&mut self, n: usize) -> usize {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((self.0 >> 33) as usize) % n.max(1)
        }
    }

    fn pick(t: &Taxonomy, kind: carnet_core::ListKind, rng: &mut Lcg) -> Option<String> {
        let codes: Vec<&str> = t.active(kind).map(|e| e.code.as_str()).collect();
        (!codes.is_empty()).then(|| codes[rng.next(codes.len())].to_owned())
    }

    /// Writes `count` synthetic contacts (codes only) into the open profile, spread over the
    /// last `days` days (none in the last `skip_days`: a day's screen the same size on every
    /// phone), `pending` or already synced, through the codec and the store, in
    /// transactions of a thousand rows. Returns how many were written. Lock and unlock to
    /// load them.
    #[wasm_bindgen]
    pub async fn bench_seed(
        count: u32,
        days: u32,
        pending: bool,
        skip_days: u32,
    ) -> Result<u32, JsValue> {
        let open = OPEN
            .with(|o| o.borrow().clone())
            .ok_or_else(|| JsValue::from_str("unlock a profile first"))?;
        let taxonomy = Taxonomy::builtin();
        let store = open.store();
        let now = crate::platform::now();
        let mut rng = Lcg(u64::from(count) * 31 + u64::from(days));
        let mut rows = Vec::with_capacity(1000);
        let mut written = 0;
        for i in 0..count {
            let minutes =
                i64::from(skip_days) * 24 * 60 + rng.next((days.max(1) * 24 * 60) as usize) as i64;
            let draft = ContactDraft {
                program: Some("catwoman".into()),
                milieu: pick(&taxonomy, carnet_core::ListKind::Milieux, &mut rng),
                mode: Some("en_personne".into()),
                age_group: pick(&taxonomy, carnet_core::ListKind::AgeGroups, &mut rng),
                gender: pick(&taxonomy, carnet_core::ListKind::Genders, &mut rng),
                realities: pick(&taxonomy, carnet_core::ListKind::Realities, &mut rng)
                    .into_iter()
                    .collect(),
                material: BTreeMap::from([("condoms".to_owned(), i % 7)]),
                first_contact: i % 3 == 0,
                ..ContactDraft::default()
            };
            let contact = draft
                .finish(
                    crate::platform::random_uuid(),
                    now - Duration::minutes(minutes),
                    &taxonomy,
                )
                .map_err(|e| JsValue::from_str(&format!("{e:?}")))?;
            let record = Record::Contact(contact);
            let body = store
                .codec()
                .encode(&record)
                .await
                .map_err(|e| JsValue::from_str(&e.to_string()))?;
            let digest = carnet_core::sync::digest(body.as_bytes());
            let mut standing = Standing::new(1, digest.clone());
            if !pending {
                let stamp = Stamp { version: 1, digest };
                standing.sync = SyncState::Synced;
                standing.acked = Some(stamp.clone());
                standing.sent = Some(stamp);
            }
            rows.push(Row::new(record.id(), &standing, body));
            if rows.len() == 1000 {
                store
                    .put_rows(&rows)
                    .await
                    .map_err(|e| JsValue::from_str(&e.to_string()))?;
                written += rows.len() as u32;
                rows.clear();
            }
        }
        if !rows.is_empty() {
            store
                .put_rows(&rows)
                .await
                .map_err(|e| JsValue::from_str(&e.to_string()))?;
            written += rows.len() as u32;
        }
        Ok(written)
    }
}

#[cfg(carnet_bench)]
pub use hooks::opened;

/// Bench builds remember the unlocked profile; nothing otherwise.
#[cfg(not(carnet_bench))]
#[inline(always)]
pub fn opened(_open: &crate::state::OpenProfile) {}
