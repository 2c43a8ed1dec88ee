//! A synthetic CatWoman year, deterministic from a seed, whose true figures are the
//! 2019-2020 annual report's: 390 persons, 1005 interventions; ages 82 / 230 / 78;
//! 16 men, 372 women, 2 trans persons; 328 active, 50 venue staff, 12 former workers;
//! 16 venues visited (4 bars, 11 massage parlours, 1 escort agency).
//!
//! Everything is made up: person codes are random hex, venues are numbered. Used by tests
//! (the report must reproduce every figure) and by `carnet-server gen` for demos.

use std::collections::BTreeMap;

use carnet_core::{Contact, Record, Taxonomy};
use chrono::{DateTime, Duration, FixedOffset, NaiveDate, Offset, TimeZone};
use uuid::Uuid;

/// The figures the generated year must reproduce.
pub mod expected {
    pub const PERSONS: u32 = 390;
    pub const INTERVENTIONS: u32 = 1005;
    pub const AGES: [(&str, u32); 3] = [("18_25", 82), ("26_40", 230), ("41_plus", 78)];
    pub const GENDERS: [(&str, u32); 3] = [("homme", 16), ("femme", 372), ("trans", 2)];
    pub const STATUSES: [(&str, u32); 3] = [("active", 328), ("poteau", 50), ("ex", 12)];
    pub const VENUES: [(&str, u32); 3] = [
        ("bar_erotique", 4),
        ("salon_massage", 11),
        ("agence_escortes", 1),
    ];
}

/// The workers of the synthetic team.
pub const WORKERS: [&str; 3] = ["catwoman-a", "catwoman-b", "catwoman-c"];

/// SplitMix64: small, fast, and the same sequence on every machine for a seed.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }

    fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            items.swap(i, self.below(i + 1));
        }
    }

    fn uuid(&mut self) -> Uuid {
        let bytes = (u128::from(self.next()) << 64 | u128::from(self.next())).to_le_bytes();
        uuid::Builder::from_random_bytes(bytes).into_uuid()
    }

    fn hex64(&mut self) -> String {
        (0..4).map(|_| format!("{:016x}", self.next())).collect()
    }
}

fn spread(counts: &[(&str, u32)]) -> Vec<String> {
    counts
        .iter()
        .flat_map(|(code, n)| std::iter::repeat_n((*code).to_owned(), *n as usize))
        .collect()
}

/// The venues of the synthetic year, as taxonomy entries, with the milieu of each.
fn venues() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (milieu, n) in expected::VENUES {
        let prefix = match milieu {
            "bar_erotique" => "bar",
            "salon_massage" => "salon",
            _ => "agence",
        };
        for i in 1..=n {
            out.push((format!("{prefix}_{i:02}"), milieu));
        }
    }
    out
}

/// The default taxonomy plus the synthetic venues (version 2).
pub fn taxonomy() -> Taxonomy {
    let mut t = Taxonomy::builtin();
    t.version = 2;
    t.venues = venues()
        .into_iter()
        .map(|(code, _)| carnet_core::Entry {
            fr: format!("Lieu {code}"),
            en: format!("Venue {code}"),
            code,
            retired: false,
        })
        .collect();
    t
}

/// The period the synthetic year covers (the organisation's fiscal year).
pub fn period() -> (NaiveDate, NaiveDate) {
    (
        NaiveDate::from_ymd_opt(2019, 4, 1).unwrap_or_default(),
        NaiveDate::from_ymd_opt(2020, 3, 31).unwrap_or_default(),
    )
}

/// The year's records, each with the name of the worker who logged it.
pub fn catwoman_year(seed: u64) -> Vec<(&'static str, Record)> {
    let mut rng = Rng(seed);
    let taxonomy = taxonomy();
    let (mut ages, mut genders, mut statuses) = (
        spread(&expected::AGES),
        spread(&expected::GENDERS),
        spread(&expected::STATUSES),
    );
    rng.shuffle(&mut ages);
    rng.shuffle(&mut genders);
    rng.shuffle(&mut statuses);
    let venues = venues();
    let persons = expected::PERSONS as usize;
    // Each person has a usual venue; the first ones cover every venue once.
    let homes: Vec<usize> = (0..persons)
        .map(|i| {
            if i < venues.len() {
                i
            } else {
                rng.below(venues.len())
            }
        })
        .collect();
    let codes: Vec<String> = (0..persons).map(|_| rng.hex64()).collect();
    // One contact per person, the rest spread at random.
    let mut owner: Vec<usize> = (0..persons).collect();
    for _ in persons..expected::INTERVENTIONS as usize {
        owner.push(rng.below(persons));
    }
    let (start, _) = period();
    // Québec in winter; the report counts days in each record's own offset.
    let offset = FixedOffset::west_opt(5 * 3600).unwrap_or_else(|| chrono::Utc.fix());
    let realities: Vec<&str> = [
        "sante",
        "psychosocial",
        "hebergement",
        "toxicomanie",
        "justice",
        "sexualite",
        "relations",
    ]
    .to_vec();
    let types = [
        "information_prevention",
        "cheminement",
        "references",
        "accompagnement",
    ];
    let mut dated: Vec<(DateTime<FixedOffset>, usize)> = owner
        .into_iter()
        .map(|p| {
            let day = start + Duration::days(rng.below(366) as i64);
            // Evenings, 18:00 to 23:59, so the local day is the drawn day.
            let minutes = 18 * 60 + rng.below(6 * 60) as i64;
            let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes);
            let at = offset
                .from_local_datetime(&naive)
                .single()
                .unwrap_or_else(|| offset.from_utc_datetime(&naive));
            (at, p)
        })
        .collect();
    dated.sort();
    let mut seen = vec![false; persons];
    let mut out = Vec::with_capacity(dated.len());
    for (at, p) in dated {
        let (venue, milieu) = &venues[homes[p]];
        let mut chosen: Vec<String> = Vec::new();
        for _ in 0..1 + rng.below(3) {
            let r = realities[rng.below(realities.len())].to_owned();
            if !chosen.contains(&r) {
                chosen.push(r);
            }
        }
        let mut material = BTreeMap::new();
        let condoms = rng.below(25) as u32;
        if condoms > 0 {
            material.insert("condoms".to_owned(), condoms);
        }
        let contact = Contact {
            id: rng.uuid(),
            version: 1,
            deleted: false,
            taxonomy_version: taxonomy.version,
            occurred_at: at,
            program: "catwoman".into(),
            milieu: (*milieu).into(),
            venue: Some(venue.clone()),
            mode: "en_personne".into(),
            platform: None,
            direction: None,
            age_group: ages[p].clone(),
            gender: genders[p].clone(),
            status: Some(statuses[p].clone()),
            occupation: None,
            first_contact: !seen[p],
            person_code: Some(codes[p].clone()),
            realities: chosen,
            intervention_types: vec![types[rng.below(types.len())].to_owned()],
            material,
            referrals: vec![],
            note: None,
        }
        .normalized();
        seen[p] = true;
        out.push((WORKERS[rng.below(WORKERS.len())], Record::Contact(contact)));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_year_and_every_record_is_valid() {
        let a = catwoman_year(7);
        assert_eq!(a, catwoman_year(7));
        assert_ne!(a, catwoman_year(8));
        let t = taxonomy();
        assert!(a.iter().all(|(_, r)| r.validate(&t).is_ok()));
        assert_eq!(a.len(), expected::INTERVENTIONS as usize);
    }
}
