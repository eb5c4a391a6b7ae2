//! A deterministic generator of prov workspaces for the performance bench (issue #7,
//! `bench/perf/run.sh`).
//!
//! ```text
//! cargo run --release --example gen_workload -- SIZE OUTDIR [--pending] [--seed N]
//!     [--moved F] [--typography F] [--changed F]
//! ```
//!
//! - `S`: a copy of the repository's example workspace (`sources.toml`, `snapshots/`, `claims/`).
//! - `M`: ≈ 10 MB of snapshots, 200 sources, 10,000 citations in 50 claim files.
//! - `L`: ≈ 100 MB, 2,000 sources, 100,000 citations in 500 claim files.
//! - `XL`: ≈ 1 GB, 20,000 sources, 1,000,000 citations in 5,000 claim files.
//! - `D` (dense, issue #19): ≈ 20 MB, 4,000 small sources, 50,000 citations in 200 claim files:
//!   2.5 citations per kB of text where the others have 1.
//!
//! Snapshots are French, English or mixed prose (elisions and contractions with `’`, « » and
//! “ ” quotes, no-break spaces before French `: ; ! ?` and inside « », narrow no-break spaces in
//! numbers, dates, paragraphs); their sizes are log-normal (median ≈ 21 KB, mean ≈ 50 KB before
//! the total is scaled to the target, capped at 8 MB). `sources.toml` pins the real sha256 of each
//! snapshot. Each fact cites 1–3 sources; about 10 % of citations have `said_by` and 4 % have
//! `stance = "contradicts"`. Every quote is an exact substring of its snapshot at its code-point
//! span, except a share that is broken on purpose: `--moved` (default 0.02: the span is shifted,
//! the quote is intact), `--typography` (0.01: one `’` of the quote turned into `'`) and
//! `--changed` (0.005: one digit of the quote altered). About 1 % of quotes run over a paragraph
//! break (they contain a newline).
//!
//! `--pending` also writes `snapshots/<id>.new.txt` for every source: a pending capture with
//! light edits (a paragraph inserted near the top, a few words changed, a paragraph deleted),
//! which `prov check` re-anchors every citation in.
//!
//! Also written: `quotes.txt` in OUTDIR (not part of the workspace: prov does not read it), every
//! quote as written in the claim files, one per line, without the quotes that contain a newline,
//! for the `grep -F -f` baseline. The totals are printed on stdout (`key: value` lines).
//!
//! The output depends only on SIZE, the options and the seed (default 7): no clock, no external
//! randomness (a splitmix64 generator), and the same bytes whatever the number of threads.

use std::fmt::Write as _;
use std::fs;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use sha2::{Digest, Sha256};

// ---------------------------------------------------------------------------------------------
// PRNG: splitmix64 (Steele, Lea, Flood 2014), enough for workloads.

#[derive(Clone)]
struct Rng(u64);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut r = Rng(seed ^ 0x5851_F42D_4C95_7F2D);
        r.next();
        r
    }
    /// An independent stream for item `i` of stream `tag`.
    fn derive(seed: u64, tag: u64, i: u64) -> Rng {
        let mut r = Rng(seed
            .wrapping_mul(0x9E37_79B9_7F4A_7C15)
            .wrapping_add(tag.wrapping_mul(0xBF58_476D_1CE4_E5B9))
            .wrapping_add(i.wrapping_mul(0x94D0_49BB_1331_11EB)));
        r.next();
        r.next();
        r
    }
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `0..n` (`n > 0`).
    fn below(&mut self, n: usize) -> usize {
        ((self.next() as u128 * n as u128) >> 64) as usize
    }
    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }
    fn f64(&mut self) -> f64 {
        (self.next() >> 11) as f64 / (1u64 << 53) as f64
    }
    fn chance(&mut self, p: f64) -> bool {
        self.f64() < p
    }
    fn pick<T: Copy>(&mut self, xs: &[T]) -> T {
        xs[self.below(xs.len())]
    }
    /// Standard normal (Box–Muller).
    fn normal(&mut self) -> f64 {
        let u1 = 1.0 - self.f64();
        let u2 = self.f64();
        (-2.0 * u1.ln()).sqrt() * (std::f64::consts::TAU * u2).cos()
    }
}

// ---------------------------------------------------------------------------------------------
// Vocabulary.

const NBSP: char = '\u{A0}';
const NNBSP: char = '\u{202F}';

const FR_SUBJ: &[&str] = &[
    "le gouvernement albanais",
    "le Premier ministre",
    "l’ambassade d’Iran",
    "la police",
    "les autorités",
    "le ministère de l’Intérieur",
    "l’opposition",
    "le porte-parole du ministère",
    "la commission d’enquête",
    "les habitants du camp",
    "le conseil des ministres",
    "l’agence de presse officielle",
    "un responsable américain",
    "la présidence",
    "les enquêteurs",
    "le parquet spécial",
    "l’Union européenne",
    "l’Otan",
    "Washington",
    "Téhéran",
    "Tirana",
    "Edi Rama",
    "le Département d’État",
    "la délégation iranienne",
    "un diplomate européen",
    "les services de renseignement",
    "l’armée",
    "la justice",
    "le Parlement",
    "les médias locaux",
    "une source proche du dossier",
    "l’administration Biden",
    "le chef de la diplomatie",
    "les observateurs",
    "l’organisation",
    "le tribunal",
    "les manifestants",
    "la société d’énergie",
    "le groupe",
    "l’avocat de la défense",
];

const FR_VERB: &[&str] = &[
    "a annoncé",
    "a accusé",
    "dénonce",
    "a rompu",
    "affirme",
    "a confirmé",
    "a démenti",
    "a exigé",
    "a condamné",
    "soutient",
    "a qualifié",
    "réclame",
    "a promis",
    "a rejeté",
    "examine",
    "a ordonné",
    "a publié",
    "prépare",
    "a reconnu",
    "met en cause",
    "a saisi",
    "a suspendu",
    "a renforcé",
    "évoque",
    "a expulsé",
    "a perquisitionné",
    "a interrogé",
    "a détruit",
    "défend",
    "observe",
];

const FR_OBJ: &[&str] = &[
    "la rupture des relations diplomatiques",
    "l’attaque informatique",
    "les serveurs du gouvernement",
    "une enquête approfondie",
    "des documents confidentiels",
    "la cyberattaque massive",
    "le personnel diplomatique",
    "les infrastructures numériques",
    "un communiqué officiel",
    "la décision du tribunal",
    "les engagements pris",
    "des ordinateurs et des appareils personnels",
    "la sécurité du territoire",
    "l’accord de coopération",
    "les sanctions économiques",
    "un terminal de gaz naturel liquéfié",
    "le statut de candidat",
    "des réfugiés afghans",
    "la base aérienne",
    "les preuves recueillies",
    "l’ensemble des données",
    "une opération de police",
    "le rapport annuel",
    "les accusations",
    "la procédure d’expulsion",
    "les négociations",
    "une aide financière",
    "les archives de l’ambassade",
    "la liberté de la presse",
    "l’état d’urgence",
    "une réunion extraordinaire",
    "les conclusions de l’enquête",
];

const FR_ADJ: &[&str] = &[
    "inacceptable",
    "sans précédent",
    "immédiate",
    "officielle",
    "grave",
    "discrète",
    "inédite",
    "massive",
    "provisoire",
    "contestée",
    "lourde",
    "historique",
    "régionale",
    "internationale",
    "décisive",
    "ferme",
];

const FR_CONN: &[&str] = &[
    "selon un communiqué",
    "d’après les médias locaux",
    "a-t-il déclaré",
    "a précisé le ministère",
    "selon l’agence",
    "a indiqué un porte-parole",
    "a ajouté la présidence",
    "selon des sources concordantes",
    "d’après un responsable",
    "a rapporté la télévision publique",
    "a-t-elle affirmé",
    "selon les enquêteurs",
];

const FR_PREP: &[&str] = &[
    "dans la capitale",
    "à Tirana",
    "au sein de l’Otan",
    "près de la frontière",
    "devant le Parlement",
    "avec effet immédiat",
    "sous la pression de Washington",
    "malgré les protestations",
    "à la demande de l’ONU",
    "en dépit des démentis",
    "au terme d’une longue réunion",
    "dans l’ouest du pays",
    "à Durrës",
    "à Vlora",
    "à Manëz",
    "depuis l’été dernier",
    "après des mois de tension",
    "jusqu’à nouvel ordre",
];

const FR_MONTHS: &[&str] = &[
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
];

const FR_DAYS: &[&str] = &[
    "lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche",
];

const EN_SUBJ: &[&str] = &[
    "the Albanian government",
    "the prime minister",
    "Iran’s embassy",
    "the police",
    "the authorities",
    "the interior ministry",
    "the opposition",
    "a ministry spokesperson",
    "the commission of inquiry",
    "the camp’s residents",
    "the council of ministers",
    "the state news agency",
    "a US official",
    "the presidency",
    "investigators",
    "the special prosecutor",
    "the European Union",
    "NATO",
    "Washington",
    "Tehran",
    "Tirana",
    "Edi Rama",
    "the State Department",
    "the Iranian delegation",
    "a European diplomat",
    "the intelligence services",
    "the army",
    "the court",
    "parliament",
    "local media",
    "a source close to the case",
    "the Biden administration",
    "the foreign minister",
    "observers",
    "the group",
    "the defence lawyer",
    "the energy company",
    "protesters",
];

const EN_VERB: &[&str] = &[
    "announced",
    "accused",
    "condemns",
    "severed",
    "says it has",
    "confirmed",
    "denied",
    "demanded",
    "condemned",
    "backs",
    "described",
    "is calling for",
    "promised",
    "rejected",
    "is reviewing",
    "ordered",
    "published",
    "is preparing",
    "acknowledged",
    "blames",
    "seized",
    "suspended",
    "stepped up",
    "mentions",
    "expelled",
    "searched",
    "questioned",
    "destroyed",
    "defends",
    "didn’t comment on",
    "won’t discuss",
];

const EN_OBJ: &[&str] = &[
    "the break in diplomatic relations",
    "the cyberattack",
    "the government’s servers",
    "a thorough investigation",
    "confidential documents",
    "the massive attack",
    "the diplomatic staff",
    "the digital infrastructure",
    "an official statement",
    "the court’s decision",
    "the commitments made",
    "computers and personal devices",
    "the country’s security",
    "the cooperation agreement",
    "economic sanctions",
    "a liquefied natural gas terminal",
    "candidate status",
    "Afghan refugees",
    "the air base",
    "the evidence gathered",
    "all the data",
    "a police operation",
    "the annual report",
    "the allegations",
    "the expulsion order",
    "the negotiations",
    "financial aid",
    "the embassy’s archives",
    "press freedom",
    "the state of emergency",
    "an emergency meeting",
    "the inquiry’s findings",
];

const EN_ADJ: &[&str] = &[
    "unacceptable",
    "unprecedented",
    "immediate",
    "official",
    "serious",
    "discreet",
    "massive",
    "provisional",
    "disputed",
    "heavy",
    "historic",
    "regional",
    "international",
    "decisive",
    "firm",
];

const EN_CONN: &[&str] = &[
    "according to a statement",
    "local media reported",
    "he said",
    "the ministry said",
    "according to the agency",
    "a spokesperson said",
    "the presidency added",
    "according to several sources",
    "an official said",
    "public television reported",
    "she said",
    "investigators said",
    "it’s understood",
];

const EN_PREP: &[&str] = &[
    "in the capital",
    "in Tirana",
    "within NATO",
    "near the border",
    "before parliament",
    "with immediate effect",
    "under pressure from Washington",
    "despite the protests",
    "at the request of the UN",
    "despite the denials",
    "after a long meeting",
    "in the west of the country",
    "in Durrës",
    "in the port of Vlora",
    "at Manëz",
    "since last summer",
    "after months of tension",
    "until further notice",
];

const EN_MONTHS: &[&str] = &[
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

const EN_DAYS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

const OUTLETS: &[&str] = &[
    "Le Courrier du Soir",
    "La Gazette des Balkans",
    "Tirana Times Online",
    "Daily Courier",
    "news-24.fr",
    "infos-monde.news",
    "The Evening Standardbearer",
    "Radio Adriatique",
    "Balkan Wire Review",
    "L’Observateur européen",
    "The Capital Ledger",
    "Euro Dispatch",
    "Le Petit Matin",
    "Global Affairs Weekly",
    "unknown",
];

const ORIGINS: &[&str] = &[
    "AFP",
    "Reuters",
    "AP",
    "DPA",
    "ANSA",
    "Fox News Digital",
    "BBC",
    "Le Monde",
    "The Guardian",
    "EuroNews",
    "unknown",
];

const SAID_BY: &[&str] = &[
    "Edi Rama",
    "the interior minister",
    "NCRI",
    "local media",
    "the State Department",
    "Iran’s foreign ministry",
    "EuroNews",
    "a police spokesperson",
    "the defence lawyer",
];

// ---------------------------------------------------------------------------------------------
// Prose.

#[derive(Clone, Copy, PartialEq)]
enum Lang {
    Fr,
    En,
    Mixed,
}

impl Lang {
    fn code(self) -> &'static str {
        match self {
            Lang::Fr | Lang::Mixed => "fr",
            Lang::En => "en",
        }
    }
}

fn push_cap(out: &mut String, s: &str) {
    let mut cs = s.chars();
    if let Some(c) = cs.next() {
        out.extend(c.to_uppercase());
        out.push_str(cs.as_str());
    }
}

/// A number as a French or English text writes it: 3 000 / 3,000, a percentage, a time.
fn push_number(out: &mut String, r: &mut Rng, fr: bool) {
    match r.below(6) {
        0 | 1 => {
            let n = r.range(2, 99);
            let _ = write!(out, "{n}");
        }
        2 => {
            let (a, b) = (r.range(1, 99), r.range(0, 999));
            if fr {
                let _ = write!(out, "{a}{NNBSP}{b:03}");
            } else {
                let _ = write!(out, "{a},{b:03}");
            }
        }
        3 => {
            let (a, b) = (r.range(1, 99), r.range(0, 9));
            if fr {
                let _ = write!(out, "{a},{b}{NBSP}%");
            } else {
                let _ = write!(out, "{a}.{b}%");
            }
        }
        4 => {
            let (h, m) = (r.range(0, 23), r.range(0, 59));
            if fr {
                let _ = write!(out, "{h}{NBSP}h{NBSP}{m:02}");
            } else {
                let _ = write!(out, "{h}:{m:02}");
            }
        }
        _ => {
            let n = r.range(100, 999);
            let _ = write!(out, "{n}");
        }
    }
}

fn push_date(out: &mut String, r: &mut Rng, fr: bool) {
    let (d, y) = (r.range(1, 28), r.range(1991, 2026));
    if fr {
        let _ = write!(out, "le {} {d} {} {y}", r.pick(FR_DAYS), r.pick(FR_MONTHS));
    } else {
        let _ = write!(
            out,
            "on {}, {} {d}, {y}",
            r.pick(EN_DAYS),
            r.pick(EN_MONTHS)
        );
    }
}

/// One clause: subject, verb, object, maybe an adjective, a place, a date or a number.
fn push_clause(out: &mut String, r: &mut Rng, fr: bool, cap: bool) {
    let (subj, verb, obj, adj, prep) = if fr {
        (FR_SUBJ, FR_VERB, FR_OBJ, FR_ADJ, FR_PREP)
    } else {
        (EN_SUBJ, EN_VERB, EN_OBJ, EN_ADJ, EN_PREP)
    };
    if cap {
        push_cap(out, r.pick(subj));
    } else {
        out.push_str(r.pick(subj));
    }
    out.push(' ');
    out.push_str(r.pick(verb));
    out.push(' ');
    if !fr && r.chance(0.3) {
        out.push_str(r.pick(adj));
        out.push(' ');
    }
    out.push_str(r.pick(obj));
    if fr && r.chance(0.3) {
        out.push(' ');
        out.push_str(r.pick(adj));
    }
    match r.below(6) {
        0 => {
            out.push(' ');
            push_date(out, r, fr);
        }
        1 => {
            out.push_str(if fr { " pour " } else { " for " });
            push_number(out, r, fr);
            out.push_str(if fr { " personnes" } else { " people" });
        }
        2 | 3 => {
            out.push(' ');
            out.push_str(r.pick(prep));
        }
        _ => {}
    }
}

/// One sentence, with its closing punctuation.
fn push_sentence(out: &mut String, r: &mut Rng, lang: Lang) {
    let fr = match lang {
        Lang::Fr => true,
        Lang::En => false,
        Lang::Mixed => r.chance(0.6),
    };
    let conn = if fr { FR_CONN } else { EN_CONN };
    match r.below(10) {
        // A quoted statement: « … », a-t-il déclaré. / “…,” he said.
        0 | 1 => {
            if fr {
                out.push('«');
                out.push(NBSP);
                push_clause(out, r, true, true);
                out.push(NBSP);
                out.push('»');
                out.push_str(", ");
                out.push_str(r.pick(conn));
                out.push('.');
            } else if r.chance(0.1) {
                // Some English copy keeps straight double quotes.
                out.push('"');
                push_clause(out, r, false, true);
                out.push_str(",\" ");
                out.push_str(r.pick(conn));
                out.push('.');
            } else {
                out.push('“');
                push_clause(out, r, false, true);
                out.push_str(",” ");
                out.push_str(r.pick(conn));
                out.push('.');
            }
        }
        // Two clauses.
        2..=4 => {
            push_clause(out, r, fr, true);
            out.push_str(if fr {
                r.pick(&[", tandis que ", ", alors que ", " et ", ", mais "])
            } else {
                r.pick(&[", while ", ", as ", " and ", ", but "])
            });
            push_clause(out, r, fr, false);
            out.push('.');
        }
        // A question or an exclamation, French spacing before it.
        5 => {
            push_clause(out, r, fr, true);
            if fr {
                out.push(NBSP);
            }
            out.push(r.pick(&['?', '!', ';', ':']));
            out.push(' ');
            push_clause(out, r, fr, false);
            out.push('.');
        }
        _ => {
            push_clause(out, r, fr, true);
            if r.chance(0.5) {
                out.push_str(", ");
                out.push_str(r.pick(conn));
            }
            out.push('.');
        }
    }
}

fn push_paragraph(out: &mut String, r: &mut Rng, lang: Lang) {
    let n = r.range(1, 7);
    for i in 0..n {
        if i > 0 {
            out.push(' ');
        }
        push_sentence(out, r, lang);
    }
}

/// A snapshot of about `target` bytes: a headline, a dateline, then paragraphs.
fn gen_text(r: &mut Rng, lang: Lang, target: usize) -> String {
    let mut out = String::with_capacity(target + 2048);
    let fr = lang != Lang::En;
    push_clause(&mut out, r, fr, true);
    out.push_str("\n\n");
    if fr {
        out.push_str("Publié ");
        push_date(&mut out, r, true);
        out.push_str(" à ");
    } else {
        out.push_str("Published ");
        push_date(&mut out, r, false);
        out.push_str(" at ");
    }
    let _ = write!(out, "{}:{:02}", r.range(0, 23), r.range(0, 59));
    while out.len() < target {
        out.push_str("\n\n");
        push_paragraph(&mut out, r, lang);
    }
    out.push('\n');
    out
}

// ---------------------------------------------------------------------------------------------
// Quotes.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Kind {
    Ok,
    Moved,
    Typography,
    Changed,
}

struct Quote {
    /// As written in the claim file (altered for typography / changed).
    text: String,
    span: (usize, usize),
    kind: Kind,
}

fn is_space(c: char) -> bool {
    c == ' ' || c == '\n'
}

/// A quote of `words` words at a random place: starts after an ASCII space or newline (or at 0),
/// ends before one; stays in one paragraph unless `cross` is set. Byte range.
fn pick_range(r: &mut Rng, text: &str, words: usize, cross: bool) -> Option<(usize, usize)> {
    let b = text.as_bytes();
    let mut s = r.below(b.len());
    while s > 0 && !(b[s - 1] == b' ' || b[s - 1] == b'\n') {
        s -= 1;
    }
    while s < b.len() && is_space(b[s] as char) {
        s += 1;
    }
    let mut e = s;
    let mut n = 0;
    let mut newlines = false;
    while e < b.len() {
        match b[e] {
            b' ' => {
                n += 1;
                if n == words {
                    break;
                }
            }
            b'\n' => {
                if !cross {
                    break;
                }
                newlines = true;
                n += 1;
                if n >= words && e + 1 < b.len() && b[e + 1] != b'\n' {
                    break;
                }
            }
            _ => {}
        }
        e += 1;
    }
    while e > s && is_space(b[e - 1] as char) {
        e -= 1;
    }
    if e <= s || n < 3 || (cross && !newlines) || e - s > 600 {
        return None;
    }
    Some((s, e))
}

/// Picks the quotes of one source, one per kind in `kinds`.
fn pick_quotes(r: &mut Rng, text: &str, kinds: &[Kind]) -> Vec<Quote> {
    let mut picks: Vec<(usize, usize, Kind)> = Vec::with_capacity(kinds.len());
    for &kind in kinds {
        let mut chosen = None;
        for attempt in 0..400 {
            let words = match r.below(10) {
                0 => r.range(3, 6),
                1..=6 => r.range(6, 16),
                7 | 8 => r.range(16, 28),
                _ => r.range(28, 45),
            };
            let cross = kind == Kind::Ok && r.chance(0.01);
            let Some((s, e)) = pick_range(r, text, words, cross) else {
                continue;
            };
            let q = &text[s..e];
            let fits = match kind {
                Kind::Typography => q.contains('’'),
                Kind::Changed => q.bytes().any(|c| c.is_ascii_digit()),
                _ => true,
            };
            if fits || attempt == 399 {
                chosen = Some((s, e));
                break;
            }
        }
        let (s, e) = chosen.unwrap_or((0, text.len().min(40)));
        // Fall back to a plain citation when no fitting quote was found.
        let q = &text[s..e];
        let kind = match kind {
            Kind::Typography if !q.contains('’') => Kind::Ok,
            Kind::Changed if !q.bytes().any(|c| c.is_ascii_digit()) => Kind::Ok,
            k => k,
        };
        picks.push((s, e, kind));
    }
    // Code-point offsets in one pass over the text, in byte order.
    let mut order: Vec<usize> = (0..picks.len()).collect();
    order.sort_by_key(|&i| picks[i].0);
    let mut cp_at = vec![0usize; picks.len()];
    let (mut pos, mut cp) = (0usize, 0usize);
    for &i in &order {
        let s = picks[i].0;
        cp += text[pos..s].chars().count();
        pos = s;
        cp_at[i] = cp;
    }
    let total_cp = cp + text[pos..].chars().count();
    picks
        .into_iter()
        .zip(cp_at)
        .map(|((s, e, kind), start)| {
            let mut q = text[s..e].to_string();
            let len = q.chars().count();
            let mut span = (start, start + len);
            match kind {
                Kind::Ok => {}
                Kind::Moved => {
                    // Shift by 1–2,000 code points, either way, within the text.
                    let max_start = total_cp.saturating_sub(len);
                    let d = r.range(1, 2000);
                    let new = if (r.chance(0.5) && start >= d) || start + d > max_start {
                        start.saturating_sub(d)
                    } else {
                        start + d
                    };
                    span = (new, new + len);
                }
                Kind::Typography => {
                    let idx: Vec<usize> = q.match_indices('’').map(|(i, _)| i).collect();
                    let i = r.pick(&idx);
                    q.replace_range(i..i + '’'.len_utf8(), "'");
                }
                Kind::Changed => {
                    let idx: Vec<usize> = q
                        .bytes()
                        .enumerate()
                        .filter(|(_, c)| c.is_ascii_digit())
                        .map(|(i, _)| i)
                        .collect();
                    let i = r.pick(&idx);
                    let d = q.as_bytes()[i] - b'0';
                    let nd = (d + 1 + r.below(9) as u8) % 10;
                    q.replace_range(i..i + 1, &((b'0' + nd) as char).to_string());
                }
            }
            Quote {
                text: q,
                span,
                kind,
            }
        })
        .collect()
}

/// A pending capture: a paragraph inserted near the top, a few words changed, a paragraph
/// deleted.
fn edit_text(r: &mut Rng, text: &str, lang: Lang) -> String {
    let sep = if text.contains("\n\n") { "\n\n" } else { "\n" };
    let mut paras: Vec<String> = text.split(sep).map(str::to_string).collect();
    // A few words changed (3–6), in random paragraphs after the headline.
    let repl: &[&str] = if lang == Lang::En {
        &[
            "reportedly",
            "officially",
            "again",
            "still",
            "formally",
            "now",
        ]
    } else {
        &[
            "officiellement",
            "encore",
            "désormais",
            "formellement",
            "aussi",
            "déjà",
        ]
    };
    for _ in 0..r.range(3, 6) {
        if paras.len() < 2 {
            break;
        }
        let p = r.range(1, paras.len() - 1);
        let para = &paras[p];
        let words: Vec<(usize, usize)> = para
            .split(' ')
            .scan(0usize, |pos, w| {
                let s = *pos;
                *pos += w.len() + 1;
                Some((s, s + w.len()))
            })
            .filter(|&(s, e)| e - s >= 4 && para[s..e].chars().all(char::is_alphabetic))
            .collect();
        if words.is_empty() {
            continue;
        }
        let (s, e) = r.pick(&words);
        let mut np = para.clone();
        np.replace_range(s..e, r.pick(repl));
        paras[p] = np;
    }
    // A paragraph deleted (not the headline).
    if paras.len() > 3 {
        let p = r.range(2, paras.len() - 1);
        paras.remove(p);
    }
    // A paragraph inserted near the top (after the headline or the dateline).
    let mut np = String::new();
    push_paragraph(&mut np, r, lang);
    let at = 1.min(paras.len()) + r.below(2).min(paras.len().saturating_sub(1));
    paras.insert(at, np);
    paras.join(sep)
}

// ---------------------------------------------------------------------------------------------
// Workspace.

struct Config {
    sources: usize,
    bytes: usize,
    citations: usize,
    files: usize,
}

fn config(size: &str) -> Option<Config> {
    Some(match size {
        "M" => Config {
            sources: 200,
            bytes: 10_000_000,
            citations: 10_000,
            files: 50,
        },
        "L" => Config {
            sources: 2_000,
            bytes: 100_000_000,
            citations: 100_000,
            files: 500,
        },
        "XL" => Config {
            sources: 20_000,
            bytes: 1_000_000_000,
            citations: 1_000_000,
            files: 5_000,
        },
        // Dense (issue #19): many small sources, many citations per byte of text (2.5 per kB,
        // against 1 per kB in M, L and XL).
        "D" => Config {
            sources: 4_000,
            bytes: 20_000_000,
            citations: 50_000,
            files: 200,
        },
        _ => return None,
    })
}

fn toml_str(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 || c == '\u{7F}' => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

struct Source {
    id: String,
    lang: Lang,
    outlet: &'static str,
    origin: Option<&'static str>,
    title: String,
    size: usize,
    /// Indexes into the citation list, in order.
    slots: Vec<usize>,
}

struct Built {
    sha256: String,
    bytes: usize,
    pending_bytes: usize,
    quotes: Vec<Quote>,
}

#[derive(Default)]
struct Totals {
    snapshot_bytes: u64,
    pending_bytes: u64,
    claim_bytes: u64,
    sources: usize,
    claims: usize,
    citations: usize,
    moved: usize,
    typography: usize,
    changed: usize,
    multiline: usize,
    largest_snapshot: u64,
}

struct Args {
    size: String,
    out: PathBuf,
    pending: bool,
    seed: u64,
    moved: f64,
    typography: f64,
    changed: f64,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut pos = Vec::new();
    let mut a = Args {
        size: String::new(),
        out: PathBuf::new(),
        pending: false,
        seed: 7,
        moved: 0.02,
        typography: 0.01,
        changed: 0.005,
    };
    while let Some(x) = it.next() {
        let mut val = |name: &str| -> Result<String, String> {
            it.next().ok_or(format!("{name} needs a value"))
        };
        match x.as_str() {
            "--pending" => a.pending = true,
            "--seed" => a.seed = val("--seed")?.parse().map_err(|e| format!("--seed: {e}"))?,
            "--moved" => {
                a.moved = val("--moved")?
                    .parse()
                    .map_err(|e| format!("--moved: {e}"))?
            }
            "--typography" => {
                a.typography = val("--typography")?
                    .parse()
                    .map_err(|e| format!("--typography: {e}"))?
            }
            "--changed" => {
                a.changed = val("--changed")?
                    .parse()
                    .map_err(|e| format!("--changed: {e}"))?
            }
            s if s.starts_with("--") => return Err(format!("unknown option {s}")),
            _ => pos.push(x),
        }
    }
    if pos.len() != 2 {
        return Err("expected SIZE OUTDIR".into());
    }
    a.size = pos[0].to_uppercase();
    a.out = PathBuf::from(&pos[1]);
    if !matches!(a.size.as_str(), "S" | "M" | "L" | "XL" | "D") {
        return Err(format!(
            "SIZE must be S, M, L, XL or D (dense), not {}",
            pos[0]
        ));
    }
    if a.moved + a.typography + a.changed > 1.0 {
        return Err("the broken shares add up to more than 1".into());
    }
    Ok(a)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!(
                "gen_workload: {e}\nusage: gen_workload SIZE OUTDIR [--pending] [--seed N] \
                 [--moved F] [--typography F] [--changed F]   (SIZE: S M L XL)"
            );
            return ExitCode::from(2);
        }
    };
    match run(&args) {
        Ok(t) => {
            println!("size: {}", args.size);
            println!("dir: {}", args.out.display());
            println!("sources: {}", t.sources);
            println!("claims: {}", t.claims);
            println!("citations: {}", t.citations);
            println!(
                "broken: moved {} typography {} changed {}",
                t.moved, t.typography, t.changed
            );
            println!("quotes_with_newline: {}", t.multiline);
            println!("snapshot_bytes: {}", t.snapshot_bytes);
            println!("largest_snapshot_bytes: {}", t.largest_snapshot);
            println!("claim_bytes: {}", t.claim_bytes);
            println!("pending_bytes: {}", t.pending_bytes);
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("gen_workload: {e}");
            ExitCode::FAILURE
        }
    }
}

fn io<T>(r: std::io::Result<T>, what: &Path) -> Result<T, String> {
    r.map_err(|e| format!("{}: {e}", what.display()))
}

fn run(a: &Args) -> Result<Totals, String> {
    if a.out.join("sources.toml").exists() {
        return Err(format!(
            "{} already holds a workspace; remove it first",
            a.out.display()
        ));
    }
    io(fs::create_dir_all(a.out.join("snapshots")), &a.out)?;
    io(fs::create_dir_all(a.out.join("claims")), &a.out)?;
    if a.size == "S" {
        return copy_example(a);
    }
    let cfg = config(&a.size).expect("size checked");
    let mut r = Rng::new(a.seed);

    // Sources: sizes log-normal (σ = 1.3), scaled so that they add up to the target.
    let mut sizes: Vec<f64> = (0..cfg.sources)
        .map(|_| (21_000.0 * (1.3 * r.normal()).exp()).clamp(2_000.0, 8_000_000.0))
        .collect();
    let scale = cfg.bytes as f64 / sizes.iter().sum::<f64>();
    for s in &mut sizes {
        *s = (*s * scale).clamp(1_500.0, 8_000_000.0);
    }
    let mut sources: Vec<Source> = sizes
        .iter()
        .enumerate()
        .map(|(i, &size)| {
            let lang = match r.below(10) {
                0..=4 => Lang::Fr,
                5..=8 => Lang::En,
                _ => Lang::Mixed,
            };
            let outlet = r.pick(OUTLETS);
            let origin = if r.chance(0.6) {
                Some(r.pick(ORIGINS))
            } else {
                None
            };
            let mut title = String::new();
            push_clause(&mut title, &mut r, lang != Lang::En, true);
            let slug: String = outlet
                .chars()
                .filter(char::is_ascii_alphanumeric)
                .take(12)
                .collect::<String>()
                .to_ascii_lowercase();
            Source {
                id: format!("s{i:05}-{slug}"),
                lang,
                outlet,
                origin,
                title,
                size: size as usize,
                slots: Vec::new(),
            }
        })
        .collect();

    // Claims of 1–3 citations of distinct sources, chosen with weight √size.
    let mut cum = Vec::with_capacity(sources.len());
    let mut acc = 0.0;
    for s in &sources {
        acc += (s.size as f64).sqrt();
        cum.push(acc);
    }
    let pick_source = |r: &mut Rng| -> usize {
        let x = r.f64() * acc;
        cum.partition_point(|&c| c <= x).min(cum.len() - 1)
    };
    struct CiteMeta {
        source: usize,
        kind: Kind,
        said_by: Option<&'static str>,
        contradicts: bool,
    }
    let mut cites: Vec<CiteMeta> = Vec::with_capacity(cfg.citations);
    let mut claims: Vec<(usize, usize)> = Vec::new(); // citation ranges
    while cites.len() < cfg.citations {
        let k = match r.below(10) {
            0..=4 => 1,
            5..=7 => 2,
            _ => 3,
        }
        .min(cfg.citations - cites.len());
        let first = cites.len();
        for _ in 0..k {
            let mut s = pick_source(&mut r);
            for _ in 0..5 {
                if !cites[first..].iter().any(|c| c.source == s) {
                    break;
                }
                s = pick_source(&mut r);
            }
            let x = r.f64();
            let kind = if x < a.moved {
                Kind::Moved
            } else if x < a.moved + a.typography {
                Kind::Typography
            } else if x < a.moved + a.typography + a.changed {
                Kind::Changed
            } else {
                Kind::Ok
            };
            let said_by = r.chance(0.10).then(|| r.pick(SAID_BY));
            let contradicts = cites.len() > first && r.chance(0.06);
            sources[s].slots.push(cites.len());
            cites.push(CiteMeta {
                source: s,
                kind,
                said_by,
                contradicts,
            });
        }
        claims.push((first, cites.len()));
    }

    // Snapshots (and pending captures), in parallel: each source has its own random stream.
    let threads = std::thread::available_parallelism()
        .map_or(2, |n| n.get())
        .min(8);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let built: Vec<Result<Built, String>> = {
        let results = std::sync::Mutex::new((0..sources.len()).map(|_| None).collect::<Vec<_>>());
        std::thread::scope(|sc| {
            for _ in 0..threads {
                sc.spawn(|| {
                    loop {
                        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                        if i >= sources.len() {
                            break;
                        }
                        let src = &sources[i];
                        let kinds: Vec<Kind> = src.slots.iter().map(|&c| cites[c].kind).collect();
                        let b = build_source(a, src, &kinds, i);
                        results.lock().unwrap()[i] = Some(b);
                    }
                });
            }
        });
        results
            .into_inner()
            .unwrap()
            .into_iter()
            .map(|b| b.expect("every source built"))
            .collect()
    };

    let mut t = Totals {
        sources: sources.len(),
        claims: claims.len(),
        citations: cites.len(),
        ..Totals::default()
    };
    let mut quotes: Vec<Option<Quote>> = (0..cites.len()).map(|_| None).collect();
    let mut hashes = Vec::with_capacity(sources.len());
    for (src, b) in sources.iter().zip(built) {
        let b = b?;
        t.snapshot_bytes += b.bytes as u64;
        t.largest_snapshot = t.largest_snapshot.max(b.bytes as u64);
        t.pending_bytes += b.pending_bytes as u64;
        for (&slot, q) in src.slots.iter().zip(b.quotes) {
            quotes[slot] = Some(q);
        }
        hashes.push(b.sha256);
    }

    // sources.toml
    let mut st = String::new();
    let _ = writeln!(
        st,
        "# Generated by `cargo run --release --example gen_workload -- {} DIR` (seed {}).\n\
         # Synthetic sources for the performance bench (issue #7): not real documents.\n\n\
         [policy]\nmin_origins = 2\ndeny = []\n",
        a.size, a.seed
    );
    for (i, (src, sha)) in sources.iter().zip(&hashes).enumerate() {
        let _ = writeln!(st, "[sources.{}]", src.id);
        st.push_str("title = ");
        toml_str(&mut st, &src.title);
        st.push_str("\noutlet = ");
        toml_str(&mut st, src.outlet);
        st.push('\n');
        if let Some(o) = src.origin {
            st.push_str("origin = ");
            toml_str(&mut st, o);
            st.push('\n');
        }
        let _ = writeln!(
            st,
            "url = \"https://example.org/{}/{i}\"\nlanguage = \"{}\"\npublished = {}-{:02}-{:02}\n\
             captured = 2026-11-22T10:00:00Z\nsha256 = \"{sha}\"\n",
            src.id,
            src.lang.code(),
            2000 + i % 26,
            1 + i % 12,
            1 + i % 28
        );
    }
    let p = a.out.join("sources.toml");
    io(fs::write(&p, st), &p)?;

    // Claim files: claims/desk-NN/claims-NNNN.toml, 100 files per directory.
    let mut quotes_txt = String::new();
    let files = cfg.files.min(claims.len());
    for f in 0..files {
        let chunk = &claims[f * claims.len() / files..(f + 1) * claims.len() / files];
        let dir = a.out.join("claims").join(format!("desk-{:02}", f / 100));
        io(fs::create_dir_all(&dir), &dir)?;
        let mut out = String::new();
        let _ = writeln!(
            out,
            "# Generated by examples/gen_workload.rs (size {}, seed {}): synthetic claims.\n",
            a.size, a.seed
        );
        for &(c0, c1) in chunk {
            let mut fr = Rng::derive(a.seed, 3, c0 as u64);
            let _ = writeln!(out, "[[claim]]\nid = \"c{c0:07}\"");
            let mut fact = String::new();
            push_clause(&mut fact, &mut fr, false, true);
            fact.push('.');
            out.push_str("fact = ");
            toml_str(&mut out, &fact);
            out.push_str("\n\n");
            for (c, meta) in cites.iter().enumerate().take(c1).skip(c0) {
                let q = quotes[c].as_ref().expect("every citation has its quote");
                match q.kind {
                    Kind::Moved => t.moved += 1,
                    Kind::Typography => t.typography += 1,
                    Kind::Changed => t.changed += 1,
                    Kind::Ok => {}
                }
                out.push_str("[[claim.cite]]\nsource = ");
                toml_str(&mut out, &sources[meta.source].id);
                out.push_str("\nquote = ");
                toml_str(&mut out, &q.text);
                let _ = writeln!(out, "\nspan = [{}, {}]", q.span.0, q.span.1);
                if let Some(s) = meta.said_by {
                    out.push_str("said_by = ");
                    toml_str(&mut out, s);
                    out.push('\n');
                }
                if meta.contradicts {
                    out.push_str("stance = \"contradicts\"\n");
                }
                out.push('\n');
                if q.text.contains('\n') {
                    t.multiline += 1;
                } else {
                    quotes_txt.push_str(&q.text);
                    quotes_txt.push('\n');
                }
            }
        }
        t.claim_bytes += out.len() as u64;
        let p = dir.join(format!("claims-{f:04}.toml"));
        io(fs::write(&p, out), &p)?;
    }
    let p = a.out.join("quotes.txt");
    io(fs::write(&p, quotes_txt), &p)?;
    Ok(t)
}

fn build_source(a: &Args, src: &Source, kinds: &[Kind], i: usize) -> Result<Built, String> {
    let mut r = Rng::derive(a.seed, 1, i as u64);
    let text = gen_text(&mut r, src.lang, src.size);
    let mut qr = Rng::derive(a.seed, 2, i as u64);
    let quotes = pick_quotes(&mut qr, &text, kinds);
    let sha256: String = Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    let p = a.out.join("snapshots").join(format!("{}.txt", src.id));
    io(fs::write(&p, &text), &p)?;
    let mut pending_bytes = 0;
    if a.pending {
        let mut er = Rng::derive(a.seed, 4, i as u64);
        let new = edit_text(&mut er, &text, src.lang);
        pending_bytes = new.len();
        let p = a.out.join("snapshots").join(format!("{}.new.txt", src.id));
        io(fs::write(&p, &new), &p)?;
    }
    Ok(Built {
        sha256,
        bytes: text.len(),
        pending_bytes,
        quotes,
    })
}

/// S: the repository's example workspace, copied; quotes.txt from its claim files.
fn copy_example(a: &Args) -> Result<Totals, String> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut t = Totals::default();
    let p = root.join("sources.toml");
    io(fs::copy(&p, a.out.join("sources.toml")), &p)?;
    let sources: toml::Table = toml::from_str(&io(fs::read_to_string(&p), &p)?)
        .map_err(|e| format!("{}: {e}", p.display()))?;
    t.sources = sources
        .get("sources")
        .and_then(|s| s.as_table())
        .map_or(0, |s| s.len());
    let mut snaps: Vec<PathBuf> = io(fs::read_dir(root.join("snapshots")), &p)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    snaps.sort();
    for (i, s) in snaps.iter().enumerate() {
        let text = io(fs::read_to_string(s), s)?;
        let name = s.file_name().expect("a file");
        io(fs::write(a.out.join("snapshots").join(name), &text), s)?;
        t.snapshot_bytes += text.len() as u64;
        t.largest_snapshot = t.largest_snapshot.max(text.len() as u64);
        if a.pending {
            let stem = s.file_stem().expect("a file").to_string_lossy();
            let lang = if text.contains(" the ") {
                Lang::En
            } else {
                Lang::Fr
            };
            let mut er = Rng::derive(a.seed, 4, i as u64);
            let new = edit_text(&mut er, &text, lang);
            t.pending_bytes += new.len() as u64;
            let p = a.out.join("snapshots").join(format!("{stem}.new.txt"));
            io(fs::write(&p, new), &p)?;
        }
    }
    let mut files: Vec<PathBuf> = io(fs::read_dir(root.join("claims")), &p)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    files.sort();
    let mut quotes_txt = String::new();
    for f in &files {
        let text = io(fs::read_to_string(f), f)?;
        t.claim_bytes += text.len() as u64;
        io(
            fs::write(a.out.join("claims").join(f.file_name().unwrap()), &text),
            f,
        )?;
        let doc: toml::Table =
            toml::from_str(&text).map_err(|e| format!("{}: {e}", f.display()))?;
        for claim in doc
            .get("claim")
            .and_then(|c| c.as_array())
            .into_iter()
            .flatten()
        {
            t.claims += 1;
            for cite in claim
                .get("cite")
                .and_then(|c| c.as_array())
                .into_iter()
                .flatten()
            {
                t.citations += 1;
                let q = cite.get("quote").and_then(|q| q.as_str()).unwrap_or("");
                if q.contains('\n') {
                    t.multiline += 1;
                } else {
                    quotes_txt.push_str(q);
                    quotes_txt.push('\n');
                }
            }
        }
    }
    let p = a.out.join("quotes.txt");
    let mut f = io(fs::File::create(&p), &p)?;
    io(f.write_all(quotes_txt.as_bytes()), &p)?;
    Ok(t)
}
