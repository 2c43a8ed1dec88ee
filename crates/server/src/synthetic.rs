//! A synthetic 2019-2020 year, deterministic from a seed, whose true figures are the annual
//! report's (see `shared/docs/domain.md`, "What must come out"):
//!
//! - CatWoman: 390 persons, 1005 interventions; ages 82 / 230 / 78; 16 men, 372 women,
//!   2 trans persons; 328 active, 50 venue staff, 12 former workers; 16 venues visited
//!   (4 bars, 11 massage parlours, 1 escort agency).
//! - « Travail de proximité » (CatWoman + travail de rue jeunesse): 547 persons, 2689
//!   interventions, the occupation of persons and the interventions by réalité. Some
//!   CatWoman persons are also met by the street workers: the group counts them once.
//! - SIDEP: 371 screenings and the persons cross-table of age group within gender (see
//!   [`expected::sidep`] for why its persons total is not the seed's 190).
//! - Harm reduction: 430 visits (180 men, 250 women); 22 683 syringes given, 11 712
//!   returned, 365 crack pipes.
//! - Web project (adults): 6 dating sites, 7 classified-ad sites and 2 apps monitored; ads
//!   posted on 5 sites; 26 private messages sent; 14 e-mails and 17 Messenger messages
//!   received; 12 persons reached through TextNow, 43 through Facebook.
//!
//! Everything is made up: person codes are random hex, venues and sites are numbered.
//! Used by tests (the report must reproduce every figure) and by `carnet-server gen`.

use std::collections::{BTreeMap, BTreeSet};

use carnet_core::{Activity, Contact, Direction, Entry, Record, Taxonomy};
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

    /// « Travail de proximité »: the `proximite` group, CatWoman and travail de rue.
    pub mod proximite {
        pub const GROUP: &str = "proximite";
        pub const PERSONS: u32 = 547;
        pub const INTERVENTIONS: u32 = 2689;
        /// Counted per person (498 of the 547 have an occupation logged).
        pub const OCCUPATIONS: [(&str, u32); 9] = [
            ("aide_sociale", 94),
            ("etudiant", 27),
            ("employe", 31),
            ("reinsertion", 3),
            ("indemnites", 2),
            ("chomage", 3),
            ("commerce_rue", 3),
            ("commerce_illicite", 321),
            ("autres", 14),
        ];
        /// Counted per intervention: they add up to more than the interventions.
        pub const REALITIES: [(&str, u32); 13] = [
            ("dpj", 264),
            ("hebergement", 545),
            ("justice", 284),
            ("psychosocial", 778),
            ("relations", 572),
            ("sante", 849),
            ("socio_economique", 243),
            ("socio_educative", 58),
            ("toxicomanie", 429),
            ("violence_perpetree", 9),
            ("violence_subie", 64),
            ("sexualite", 318),
            ("autres", 40),
        ];
        /// CatWoman persons the street workers also meet (all 18-25): counted once.
        pub const SHARED_PERSONS: u32 = 25;
    }

    /// SIDEP, the partner nurses' screenings.
    ///
    /// The seed report says 190 distinct persons, and its table of persons by age group
    /// within gender has cells adding up to 312. Both cannot hold when each person is
    /// counted once, in one cell (ARCHITECTURE.md, "Counting persons without names"), which
    /// is the rule every other table follows. The synthetic year keeps the table's cells
    /// exactly, since that is the figure funders read cell by cell, so its persons total is
    /// the cells' sum, 312; the 371 screenings are kept too. (Had the seed's table counted
    /// screenings rather than persons, 312 of 371 would fit; the domain brief says persons.)
    pub mod sidep {
        pub const PROGRAM: &str = "sidep";
        pub const INTERVENTIONS: u32 = 371;
        /// (gender, age group, persons). The seed's « 40 et + » is the list's `41_plus`.
        pub const CELLS: [(&str, &str, u32); 5] = [
            ("femme", "18_25", 183),
            ("femme", "26_40", 107),
            ("femme", "41_plus", 15),
            ("homme", "26_40", 3),
            ("homme", "41_plus", 4),
        ];
        pub const PERSONS: u32 = 312;
        /// What the seed printed, kept for the record; see above.
        pub const SEED_PERSONS: u32 = 190;
    }

    /// The harm-reduction service.
    pub mod harm_reduction {
        pub const PROGRAM: &str = "reduction_mefaits";
        pub const VISITS: u32 = 430;
        pub const VISITS_BY_GENDER: [(&str, u32); 2] = [("homme", 180), ("femme", 250)];
        pub const MATERIAL: [(&str, u64); 3] = [
            ("seringues_remises", 22_683),
            ("seringues_recuperees", 11_712),
            ("pipes_crack", 365),
        ];
    }

    /// The web project (adults).
    pub mod web {
        pub const PROGRAM: &str = "web_adultes";
        /// Distinct sites monitored, by platform.
        pub const SITES_MONITORED: [(&str, u32); 3] = [
            ("site_rencontres", 6),
            ("petites_annonces", 7),
            ("application", 2),
        ];
        /// Distinct classified-ad sites ads were posted on.
        pub const AD_SITES: u32 = 5;
        pub const MESSAGES_SENT: u32 = 26;
        pub const EMAILS_RECEIVED: u32 = 14;
        pub const MESSENGER_RECEIVED: u32 = 17;
        pub const TEXTNOW_PERSONS: u32 = 12;
        pub const FACEBOOK_PERSONS: u32 = 43;
    }
}

/// The workers of the synthetic team; the first three are CatWoman's.
pub const WORKERS: [&str; 8] = [
    "catwoman-a",
    "catwoman-b",
    "catwoman-c",
    "rue-a",
    "rue-b",
    "sidep-infirmiere",
    "rdm-a",
    "web-a",
];

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

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
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

    /// An evening of the synthetic year, 18:00 to 23:59 in Québec's winter offset, so the
    /// local day is the drawn day.
    fn evening(&mut self) -> DateTime<FixedOffset> {
        let (start, _) = period();
        let offset = FixedOffset::west_opt(5 * 3600).unwrap_or_else(|| chrono::Utc.fix());
        let day = start + Duration::days(self.below(366) as i64);
        let minutes = 18 * 60 + self.below(6 * 60) as i64;
        let naive = day.and_hms_opt(0, 0, 0).unwrap_or_default() + Duration::minutes(minutes);
        offset
            .from_local_datetime(&naive)
            .single()
            .unwrap_or_else(|| offset.from_utc_datetime(&naive))
    }
}

fn spread(counts: &[(&str, u32)]) -> Vec<String> {
    counts
        .iter()
        .flat_map(|(code, n)| std::iter::repeat_n((*code).to_owned(), *n as usize))
        .collect()
}

/// `total` split over `n` parts at random, exactly; `zero_in` parts of 10 get nothing.
fn split(rng: &mut Rng, total: u64, n: usize, zero_in: usize) -> Vec<u32> {
    let mut weights: Vec<u64> = (0..n)
        .map(|_| {
            if rng.below(10) < zero_in {
                0
            } else {
                1 + rng.below(100) as u64
            }
        })
        .collect();
    if weights.iter().all(|&w| w == 0) {
        weights[0] = 1;
    }
    let sum: u64 = weights.iter().sum::<u64>().max(1);
    let mut parts: Vec<u64> = weights.iter().map(|w| total * w / sum).collect();
    let mut left = total - parts.iter().sum::<u64>();
    let mut i = 0;
    while left > 0 {
        if weights[i % n] > 0 {
            parts[i % n] += 1;
            left -= 1;
        }
        i += 1;
    }
    parts.into_iter().map(|p| p as u32).collect()
}

/// Réalités for `slots` interventions so that each code is used exactly its count, no
/// intervention has one twice and each has at least one: code after code, the k-th use
/// goes to intervention `k mod slots` (every count is at most `slots` and their sum at
/// least `slots`).
fn stripe(counts: &[(&str, u32)], slots: usize) -> Vec<Vec<String>> {
    let mut out = vec![Vec::new(); slots];
    for (k, code) in spread(counts).into_iter().enumerate() {
        out[k % slots].push(code);
    }
    out
}

/// The venues of the synthetic year, with the milieu of each.
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

/// The web sites of the synthetic year, with the platform of each. One dating site and one
/// classified-ad site are listed but never monitored: the report counts from records.
fn sites() -> Vec<(String, &'static str)> {
    let mut out = Vec::new();
    for (platform, n) in expected::web::SITES_MONITORED {
        let prefix = match platform {
            "site_rencontres" => "rencontres",
            "petites_annonces" => "annonces",
            _ => "appli",
        };
        for i in 1..=n + u32::from(platform != "application") {
            out.push((format!("{prefix}_{i:02}"), platform));
        }
    }
    out
}

/// The default taxonomy plus the synthetic venues and sites (next version).
pub fn taxonomy() -> Taxonomy {
    let mut t = Taxonomy::builtin();
    t.version += 1;
    t.venues = venues()
        .into_iter()
        .map(|(code, milieu)| Entry {
            milieu: Some(milieu.to_owned()),
            ..Entry::new(
                code.clone(),
                format!("Lieu {code}"),
                format!("Venue {code}"),
            )
        })
        .collect();
    t.sites = sites()
        .into_iter()
        .map(|(code, platform)| Entry {
            platform: Some(platform.to_owned()),
            ..Entry::new(code.clone(), format!("Site {code}"), format!("Site {code}"))
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

/// The report filter of the whole synthetic period, every program (the benches' year).
pub fn whole_period() -> carnet_core::ReportFilter {
    let (from, to) = period();
    carnet_core::ReportFilter {
        from,
        to,
        programs: None,
    }
}

/// A person as the records describe them: codes only.
#[derive(Clone)]
struct Person {
    code: String,
    age: String,
    gender: String,
    status: Option<String>,
    occupation: Option<String>,
}

/// What varies between the contacts of one program.
struct Visit {
    at: DateTime<FixedOffset>,
    person: usize,
    worker: &'static str,
    program: &'static str,
    milieu: String,
    venue: Option<String>,
    mode: &'static str,
    platform: Option<&'static str>,
    direction: Option<Direction>,
    realities: Vec<String>,
    types: Vec<String>,
    material: BTreeMap<String, u32>,
}

impl Visit {
    fn new(
        at: DateTime<FixedOffset>,
        person: usize,
        worker: &'static str,
        program: &'static str,
    ) -> Self {
        Visit {
            at,
            person,
            worker,
            program,
            milieu: "locaux".into(),
            venue: None,
            mode: "en_personne",
            platform: None,
            direction: None,
            realities: vec!["sante".into()],
            types: vec![],
            material: BTreeMap::new(),
        }
    }
}

/// Turns visits into contacts, oldest first; a person's earliest contact is their first.
fn contacts(
    rng: &mut Rng,
    persons: &[Person],
    mut visits: Vec<Visit>,
    version: u32,
) -> Vec<(&'static str, Record)> {
    visits.sort_by_key(|v| v.at);
    let mut seen = BTreeSet::new();
    visits
        .into_iter()
        .map(|v| {
            let p = &persons[v.person];
            let contact = Contact {
                id: rng.uuid(),
                version: 1,
                deleted: false,
                taxonomy_version: version,
                occurred_at: v.at,
                program: v.program.into(),
                milieu: v.milieu,
                venue: v.venue,
                mode: v.mode.into(),
                platform: v.platform.map(str::to_owned),
                direction: v.direction,
                age_group: p.age.clone(),
                gender: p.gender.clone(),
                status: p.status.clone(),
                occupation: p.occupation.clone(),
                first_contact: seen.insert(v.person),
                person_code: Some(p.code.clone()),
                realities: v.realities,
                intervention_types: v.types,
                material: v.material,
                referrals: vec![],
                note: None,
            }
            .normalized();
            (v.worker, Record::Contact(contact))
        })
        .collect()
}

/// Each person once, then `total - persons.len()` more visits to persons drawn at random.
fn owners(rng: &mut Rng, persons: std::ops::Range<usize>, total: u32) -> Vec<usize> {
    let mut out: Vec<usize> = persons.clone().collect();
    while out.len() < total as usize {
        out.push(persons.start + rng.below(persons.len()));
    }
    out
}

/// The whole year: every program of the report, each record with the worker who logged it.
pub fn year(seed: u64) -> Vec<(&'static str, Record)> {
    let mut rng = Rng(seed);
    let version = taxonomy().version;
    let mut out = proximite(&mut rng, version);
    out.extend(sidep(&mut rng, version));
    out.extend(harm_reduction(&mut rng, version));
    out.extend(web(&mut rng, version));
    out
}

/// The CatWoman records of [`year`] only.
pub fn catwoman_year(seed: u64) -> Vec<(&'static str, Record)> {
    year(seed)
        .into_iter()
        .filter(|(_, r)| r.program() == "catwoman")
        .collect()
}

/// The CatWoman records of `count` years of different seeds, all in [`period`]: a busy
/// phone's records many times over, for the report benches.
pub fn catwoman_years(count: u64) -> Vec<Record> {
    (0..count)
        .flat_map(|seed| catwoman_year(seed).into_iter().map(|(_, r)| r))
        .collect()
}

fn proximite(rng: &mut Rng, version: u32) -> Vec<(&'static str, Record)> {
    use expected::proximite as p;
    let catwoman = expected::PERSONS as usize;
    let all = p::PERSONS as usize;
    let (mut ages, mut genders, mut statuses) = (
        spread(&expected::AGES),
        spread(&expected::GENDERS),
        spread(&expected::STATUSES),
    );
    rng.shuffle(&mut ages);
    rng.shuffle(&mut genders);
    rng.shuffle(&mut statuses);
    let mut occupations: Vec<Option<String>> =
        spread(&p::OCCUPATIONS).into_iter().map(Some).collect();
    occupations.resize(all, None);
    rng.shuffle(&mut occupations);
    let youth_genders = ["femme", "femme", "homme", "homme", "trans", "non_binaire"];
    let youth_statuses = ["a_risque", "a_risque", "active", "autre"];
    let persons: Vec<Person> = (0..all)
        .map(|i| {
            let code = rng.hex64();
            if i < catwoman {
                Person {
                    code,
                    age: ages[i].clone(),
                    gender: genders[i].clone(),
                    status: Some(statuses[i].clone()),
                    occupation: occupations[i].clone(),
                }
            } else {
                Person {
                    code,
                    age: rng.pick(&["12_17", "18_25"]).to_string(),
                    gender: rng.pick(&youth_genders).to_string(),
                    status: Some(rng.pick(&youth_statuses).to_string()),
                    occupation: occupations[i].clone(),
                }
            }
        })
        .collect();
    // Street workers also meet some young CatWoman persons.
    let shared: Vec<usize> = (0..catwoman)
        .filter(|&i| persons[i].age == "18_25")
        .take(p::SHARED_PERSONS as usize)
        .collect();
    let street: Vec<usize> = (catwoman..all).chain(shared.iter().copied()).collect();

    let venues = venues();
    // Each CatWoman person has a usual venue; the first ones cover every venue once.
    let homes: Vec<usize> = (0..catwoman)
        .map(|i| {
            if i < venues.len() {
                i
            } else {
                rng.below(venues.len())
            }
        })
        .collect();
    let mut visits: Vec<Visit> = Vec::new();
    for person in owners(rng, 0..catwoman, expected::INTERVENTIONS) {
        let worker = *rng.pick(&WORKERS[..3]);
        let mut v = Visit::new(rng.evening(), person, worker, "catwoman");
        let (venue, milieu) = &venues[homes[person]];
        v.venue = Some(venue.clone());
        v.milieu = (*milieu).to_owned();
        visits.push(v);
    }
    let street_total = p::INTERVENTIONS - expected::INTERVENTIONS;
    for k in owners(rng, 0..street.len(), street_total) {
        let worker = *rng.pick(&WORKERS[3..5]);
        let mut v = Visit::new(rng.evening(), street[k], worker, "rue_jeunesse");
        v.milieu = rng
            .pick(&["rue", "rue", "cafe_restaurant", "locaux"])
            .to_string();
        visits.push(v);
    }
    // A shared person's first meeting is CatWoman's: swap dates if the street came first,
    // so each program's « nouvelles personnes » stays its own.
    for &person in &shared {
        let first = |program: &str, visits: &[Visit]| {
            visits
                .iter()
                .enumerate()
                .filter(|(_, v)| v.person == person && v.program == program)
                .min_by_key(|(_, v)| v.at)
                .map(|(i, _)| i)
        };
        if let (Some(c), Some(s)) = (first("catwoman", &visits), first("rue_jeunesse", &visits))
            && visits[s].at < visits[c].at
        {
            let at = visits[s].at;
            visits[s].at = visits[c].at;
            visits[c].at = at;
        }
    }
    let mut realities = stripe(&p::REALITIES, visits.len());
    rng.shuffle(&mut realities);
    let types = [
        "information_prevention",
        "cheminement",
        "references",
        "accompagnement",
        "besoins_base",
    ];
    for (v, realities) in visits.iter_mut().zip(realities) {
        v.realities = realities;
        v.types = vec![rng.pick(&types).to_string()];
        let condoms = rng.below(25) as u32;
        if condoms > 0 {
            v.material.insert("condoms".into(), condoms);
        }
    }
    contacts(rng, &persons, visits, version)
}

fn sidep(rng: &mut Rng, version: u32) -> Vec<(&'static str, Record)> {
    use expected::sidep as s;
    let persons: Vec<Person> = s::CELLS
        .iter()
        .flat_map(|(gender, age, n)| std::iter::repeat_n((*gender, *age), *n as usize))
        .map(|(gender, age)| Person {
            code: rng.hex64(),
            age: age.into(),
            gender: gender.into(),
            status: None,
            occupation: None,
        })
        .collect();
    let visits = owners(rng, 0..persons.len(), s::INTERVENTIONS)
        .into_iter()
        .map(|person| {
            let mut v = Visit::new(rng.evening(), person, WORKERS[5], s::PROGRAM);
            v.milieu = rng
                .pick(&["locaux", "bar_erotique", "salon_massage", "rue"])
                .to_string();
            v.realities = vec!["sante".into(), "sexualite".into()];
            v.types = vec!["depistage".into()];
            v
        })
        .collect();
    contacts(rng, &persons, visits, version)
}

fn harm_reduction(rng: &mut Rng, version: u32) -> Vec<(&'static str, Record)> {
    use expected::harm_reduction as h;
    // 40 men and 55 women come back several times; each visit carries their gender.
    let groups = [("homme", 40usize), ("femme", 55usize)];
    let mut persons = Vec::new();
    for (gender, n) in groups {
        for _ in 0..n {
            persons.push(Person {
                code: rng.hex64(),
                age: rng
                    .pick(&["18_25", "26_40", "26_40", "41_plus"])
                    .to_string(),
                gender: gender.into(),
                status: None,
                occupation: None,
            });
        }
    }
    let mut owners_all = Vec::new();
    let mut start = 0;
    for ((_, n), (_, visits)) in groups.iter().zip(h::VISITS_BY_GENDER) {
        owners_all.extend(owners(rng, start..start + n, visits));
        start += n;
    }
    let material: Vec<(&str, Vec<u32>)> = h::MATERIAL
        .iter()
        .zip([1, 3, 7])
        .map(|((code, total), zero_in)| (*code, split(rng, *total, owners_all.len(), zero_in)))
        .collect();
    let visits = owners_all
        .into_iter()
        .enumerate()
        .map(|(i, person)| {
            let mut v = Visit::new(rng.evening(), person, WORKERS[6], h::PROGRAM);
            v.realities = vec!["toxicomanie".into()];
            v.types = vec!["remise_materiel".into()];
            for (code, parts) in &material {
                if parts[i] > 0 {
                    v.material.insert((*code).to_owned(), parts[i]);
                }
            }
            v
        })
        .collect();
    contacts(rng, &persons, visits, version)
}

fn web(rng: &mut Rng, version: u32) -> Vec<(&'static str, Record)> {
    use expected::web as w;
    let worker = WORKERS[7];
    let mut out = Vec::new();
    // Activities: each monitored site several times, ads on the first classified-ad sites.
    let sites = sites();
    let mut monitored: BTreeMap<&str, u32> = BTreeMap::new();
    for (code, platform) in &sites {
        let n = monitored.entry(platform).or_default();
        let quota = w::SITES_MONITORED
            .iter()
            .find(|(p, _)| p == platform)
            .map_or(0, |(_, q)| *q);
        if *n >= quota {
            continue; // listed but never monitored
        }
        *n += 1;
        let posted = *platform == "petites_annonces" && *n <= w::AD_SITES;
        let mut kinds = vec!["site_surveille"; 1 + rng.below(8)];
        if posted {
            kinds.extend(vec!["annonce_publiee"; 2 + rng.below(5)]);
        }
        for kind in kinds {
            let activity = Activity {
                id: rng.uuid(),
                version: 1,
                deleted: false,
                taxonomy_version: version,
                occurred_at: rng.evening(),
                program: w::PROGRAM.into(),
                activity: kind.into(),
                milieu: Some("web".into()),
                venue: None,
                platform: Some((*platform).into()),
                site: Some(code.clone()),
                head_count: None,
                material: BTreeMap::new(),
                note: None,
            };
            out.push((worker, Record::Activity(activity)));
        }
    }
    // Contacts: (platform, mode, direction, persons, messages).
    let streams: [(&'static str, &'static str, Direction, usize, u32); 6] = [
        ("site_rencontres", "messagerie", Direction::Sent, 9, 12),
        ("petites_annonces", "messagerie", Direction::Sent, 8, 14),
        (
            "courriel",
            "courriel",
            Direction::Received,
            9,
            w::EMAILS_RECEIVED,
        ),
        (
            "messenger",
            "messagerie",
            Direction::Received,
            11,
            w::MESSENGER_RECEIVED,
        ),
        (
            "textnow",
            "texto",
            Direction::Received,
            w::TEXTNOW_PERSONS as usize,
            31,
        ),
        (
            "facebook",
            "messagerie",
            Direction::Received,
            w::FACEBOOK_PERSONS as usize,
            58,
        ),
    ];
    let mut persons = Vec::new();
    let mut visits = Vec::new();
    for (platform, mode, direction, n, messages) in streams {
        let start = persons.len();
        for _ in 0..n {
            persons.push(Person {
                code: rng.hex64(),
                age: rng.pick(&["18_25", "26_40", "41_plus"]).to_string(),
                gender: rng.pick(&["femme", "femme", "homme", "trans"]).to_string(),
                status: None,
                occupation: None,
            });
        }
        for person in owners(rng, start..start + n, messages) {
            let mut v = Visit::new(rng.evening(), person, worker, w::PROGRAM);
            v.milieu = "web".into();
            v.mode = mode;
            v.platform = Some(platform);
            v.direction = Some(direction);
            v.realities = vec![
                rng.pick(&["sexualite", "sante", "psychosocial"])
                    .to_string(),
            ];
            v.types = vec!["information_prevention".into()];
            visits.push(v);
        }
    }
    out.extend(contacts(rng, &persons, visits, version));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_seed_gives_the_same_year_and_every_record_is_valid() {
        let a = year(7);
        assert_eq!(a, year(7));
        assert_ne!(a, year(8));
        let t = taxonomy();
        for (_, r) in &a {
            assert_eq!(r.validate(&t), Ok(()), "{r:?}");
        }
        assert_eq!(catwoman_year(7).len(), expected::INTERVENTIONS as usize);
        assert_eq!(Taxonomy::builtin().check_successor(&t), Ok(()));
    }

    #[test]
    fn material_splits_and_realities_are_exact() {
        let mut rng = Rng(3);
        let parts = split(&mut rng, 22_683, 430, 1);
        assert_eq!(parts.iter().map(|&p| u64::from(p)).sum::<u64>(), 22_683);
        assert!(
            parts
                .iter()
                .all(|&p| p <= carnet_core::MAX_MATERIAL_PER_ITEM)
        );
        let slots = stripe(&expected::proximite::REALITIES, 2689);
        assert!(slots.iter().all(|s| !s.is_empty()));
        assert!(slots.iter().all(|s| {
            let unique: BTreeSet<_> = s.iter().collect();
            unique.len() == s.len()
        }));
        assert_eq!(slots.iter().map(Vec::len).sum::<usize>(), 4453);
    }
}
