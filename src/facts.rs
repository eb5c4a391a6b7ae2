//! Who asserts each fact (DESIGN §6): from the citations that hold, the origins that support a
//! claim and those that contradict it, counted by independence, and the fact flags.
//!
//! Independence is counted by origin: a citation's own `origin`, else its source's `origin`,
//! else its `outlet`, compared without regard to case or surrounding space, so that every
//! republication of one wire dispatch or one translated original counts once. An origin of "unknown" counts as **zero** independent
//! origins: two documents of unknown provenance may well be one story copied twice, so they can
//! never corroborate each other (they raise `unknown-origin` instead). A citation that does not
//! hold (any verdict but ok, unanchored or moved; any source whose snapshot fails its pin) counts
//! for nothing. Pure: no I/O.

use std::collections::HashMap;

use serde::Serialize;

use crate::diag::Severity;
use crate::workspace::{Cite, Claim, Flag, Policy, Source, Stance, Workspace};

/// One origin's part in a fact.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OriginSupport<'w> {
    /// The origin as written (first spelling met).
    pub origin: &'w str,
    /// The outlets that ran it.
    pub outlets: Vec<&'w str>,
    /// Citations that hold.
    pub citations: usize,
    /// Parties whose statements those citations only report (`said_by`); empty if at least one
    /// citation asserts the fact directly.
    pub only_reports: Vec<&'w str>,
    /// The origin is "unknown".
    pub unknown: bool,
    /// The cited source ids.
    pub sources: Vec<&'w str>,
}

impl OriginSupport<'_> {
    /// How to name it for a reader: the origin, or for an unknown origin what is known
    /// instead — `? outlet`, or `? source-id` when the outlet is unknown too.
    pub fn label(&self) -> String {
        if !self.unknown {
            return self.origin.to_string();
        }
        let known: Vec<&str> = self
            .outlets
            .iter()
            .copied()
            .filter(|o| !is_unknown(o))
            .collect();
        if known.is_empty() {
            format!("? {}", self.sources.join(", "))
        } else {
            format!("? {}", known.join(", "))
        }
    }
}

/// Who stands behind one fact.
#[derive(Debug, Clone, Serialize)]
pub struct Fact<'w> {
    /// Its claim's position in `Workspace::claims`.
    #[serde(skip)]
    pub claim_pos: usize,
    pub claim: &'w str,
    pub fact: &'w str,
    pub supports: Vec<OriginSupport<'w>>,
    pub contradicts: Vec<OriginSupport<'w>>,
    /// Independent origins among the supports (unknown ones count zero).
    pub independent_origins: usize,
    /// Citations that were checked but do not hold, by stance.
    pub supports_not_holding: usize,
    pub contradicts_not_holding: usize,
    pub flags: Vec<Flag>,
    /// Flags raised to errors by policy (plus `unsupported`, always an error).
    pub errors: Vec<Flag>,
}

/// Normalised origin key: case-folded, whitespace trimmed and collapsed.
fn origin_key(origin: &str) -> String {
    origin
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

/// How supports group: known origins by origin; unknown ones apart, by outlet (or by source
/// when the outlet is unknown too), since nothing says they share one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Key {
    Origin(String),
    UnknownByOutlet(String),
    UnknownBySource(String),
}

impl Key {
    /// Is it the group of an unknown origin (made of one [`is_unknown`] says so of)?
    fn is_unknown(&self) -> bool {
        !matches!(self, Key::Origin(_))
    }
}

/// The group of `origin` (a source's, or a citation's own) for a citation of `source`.
fn support_key(origin: &str, source: &Source) -> Key {
    if !is_unknown(origin) {
        Key::Origin(origin_key(origin))
    } else if !is_unknown(&source.outlet) {
        Key::UnknownByOutlet(origin_key(&source.outlet))
    } else {
        Key::UnknownBySource(source.id.clone())
    }
}

/// A support group, as [`Groups`] names it: a number, or for an origin that only a
/// citation's `origin` names (no source has it), its key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Group {
    Id(u32),
    Key(Key),
}

/// The support group of every registered source (in `Workspace::sources` order), as a number:
/// two sources share a group when their keys are equal. Made once per check, so the analysis of
/// a fact compares numbers instead of building each citation's key; only a citation with its
/// own `origin` has its key built.
#[derive(Debug)]
pub struct Groups {
    of_source: Vec<u32>,
    ids: HashMap<Key, u32>,
    /// By group number: is its origin unknown?
    unknown: Vec<bool>,
}

impl Groups {
    pub fn new(ws: &Workspace) -> Self {
        let mut ids: HashMap<Key, u32> = HashMap::new();
        let mut unknown = Vec::new();
        let of_source = ws
            .sources
            .iter()
            .map(|s| {
                let next = u32::try_from(ids.len()).unwrap_or(u32::MAX);
                *ids.entry(support_key(s.effective_origin(), s))
                    .or_insert_with_key(|key| {
                        unknown.push(key.is_unknown());
                        next
                    })
            })
            .collect();
        Groups {
            of_source,
            ids,
            unknown,
        }
    }

    /// Is the origin of `group` unknown (as [`is_unknown`] says of the origin it was made of)?
    pub fn origin_unknown(&self, group: &Group) -> bool {
        match group {
            Group::Id(id) => self.unknown.get(*id as usize).copied().unwrap_or(true),
            Group::Key(key) => key.is_unknown(),
        }
    }

    /// The source at position `at` of `Workspace::sources` and its group.
    fn at<'w>(&self, ws: &'w Workspace, at: usize) -> Option<(&'w Source, u32)> {
        Some((ws.sources.get(at)?, *self.of_source.get(at)?))
    }

    /// The registered source a citation cites (at `source_at` in `Workspace::sources`, as the
    /// check found it), and the group its words count for: its source's, or, when the
    /// citation names its own `origin`, that origin's.
    pub fn of_cite<'w>(
        &self,
        ws: &'w Workspace,
        source_at: Option<u32>,
        cite: &Cite,
    ) -> Option<(&'w Source, Group)> {
        let (source, id) = self.at(ws, source_at? as usize)?;
        debug_assert_eq!(source.id, *cite.source());
        let Some(origin) = cite.origin() else {
            return Some((source, Group::Id(id)));
        };
        let key = support_key(origin, source);
        let group = match self.ids.get(&key) {
            Some(&id) => Group::Id(id),
            None => Group::Key(key),
        };
        Some((source, group))
    }
}

/// How to name a support group for a reader, by the same rule as the grouping: the origin
/// (`origin`, a source's or a citation's own); for an unknown one `? outlet`, or `? source-id`
/// when the outlet is unknown too.
pub fn group_label(origin: &str, source: &Source) -> String {
    if !is_unknown(origin) {
        origin.to_string()
    } else if !is_unknown(&source.outlet) {
        format!("? {}", source.outlet)
    } else {
        format!("? {}", source.id)
    }
}

/// Is this origin (or outlet) the honest "we do not know"? (`origin_key(origin) == "unknown"`,
/// without allocating: it is asked for every citation of every fact.)
pub fn is_unknown(origin: &str) -> bool {
    let mut words = origin.split_whitespace();
    // Char by char is `str::to_lowercase` except for a final sigma, which is not in "unknown".
    words
        .next()
        .is_some_and(|w| w.chars().flat_map(char::to_lowercase).eq("unknown".chars()))
        && words.next().is_none()
}

/// One citation as the analysis sees it: what it says, and whether it holds (its verdict is
/// `ok`, `unanchored` or `moved`, in evidence that is intact: only intact evidence is anchored).
#[derive(Debug, Clone, Copy)]
pub struct Evidence<'w> {
    pub cite: &'w Cite,
    /// Its source's position in `Workspace::sources` (`None`: not registered).
    pub source_at: Option<u32>,
    pub holds: bool,
}

/// What a fact's flags depend on, from its citations that hold.
#[derive(Debug, Clone, Copy, Default)]
struct Standing {
    /// Some origin supports it.
    supported: bool,
    /// Supporting origins that are known (unknown ones count zero).
    independent: usize,
    /// A supporting citation asserts it (it does not only report what someone said).
    direct: bool,
    /// A supporting origin is unknown.
    unknown: bool,
    /// Some origin contradicts it.
    contested: bool,
}

impl Standing {
    /// The flags it raises, in order.
    fn flags(self, policy: &Policy) -> impl Iterator<Item = Flag> {
        let min = policy.min_origins as usize;
        Flag::ALL.into_iter().filter(move |&flag| match flag {
            Flag::Unsupported => !self.supported,
            Flag::SingleOrigin => self.supported && self.independent < min,
            Flag::AttributedOnly => self.supported && !self.direct,
            Flag::UnknownOrigin => self.supported && self.unknown,
            Flag::Contested => self.contested,
        })
    }
}

/// Is `flag` an error: `unsupported`, or one the policy (or `--deny`) denies?
fn is_error(flag: Flag, deny: &[Flag]) -> bool {
    flag == Flag::Unsupported || deny.contains(&flag)
}

/// The severity of a fact's `flag` under `deny` (as [`Fact::severity`] says of a made fact).
pub fn severity(flag: Flag, deny: &[Flag]) -> Severity {
    if is_error(flag, deny) {
        Severity::Error
    } else {
        Severity::Warning
    }
}

/// The flags of one claim's fact, given its citations (in order), each with its severity: those
/// of [`analyse`], without making who supports it (a check counts every fact's findings before
/// it writes any).
pub fn flags<'w>(
    ws: &'w Workspace,
    groups: &Groups,
    citations: impl IntoIterator<Item = Evidence<'w>>,
    policy: &Policy,
    deny: &[Flag],
) -> impl Iterator<Item = (Flag, Severity)> {
    let mut standing = Standing::default();
    // The supporting groups met so far (a fact has a few).
    let mut groups_met: Vec<Group> = Vec::new();
    for r in citations {
        let Some((_, key)) = groups.of_cite(ws, r.source_at, r.cite).filter(|_| r.holds) else {
            continue;
        };
        match r.cite.stance {
            Stance::Contradicts => standing.contested = true,
            Stance::Supports => {
                standing.supported = true;
                standing.direct |= r.cite.said_by().is_none();
                if !groups_met.contains(&key) {
                    if groups.origin_unknown(&key) {
                        standing.unknown = true;
                    } else {
                        standing.independent += 1;
                    }
                    groups_met.push(key);
                }
            }
        }
    }
    standing
        .flags(policy)
        .map(move |flag| (flag, severity(flag, deny)))
}

/// Analyse one claim, given its citations (in order).
pub fn analyse<'w>(
    ws: &'w Workspace,
    groups: &Groups,
    claim: &'w Claim,
    citations: &[Evidence<'w>],
    policy: &Policy,
    deny: &[Flag],
) -> Fact<'w> {
    // Origins in order of first citation, by group.
    let mut sides: [Vec<(Group, OriginSupport)>; 2] = [Vec::new(), Vec::new()];
    let mut not_holding = [0usize; 2];
    let mut direct_support = false;
    for r in citations {
        let side = match r.cite.stance {
            Stance::Supports => 0,
            Stance::Contradicts => 1,
        };
        let Some((source, key)) = groups.of_cite(ws, r.source_at, r.cite).filter(|_| r.holds)
        else {
            not_holding[side] += 1;
            continue;
        };
        let origin = r.cite.effective_origin(source);
        let at = match sides[side].iter().position(|(k, _)| *k == key) {
            Some(i) => i,
            None => {
                let unknown = groups.origin_unknown(&key);
                sides[side].push((
                    key,
                    // Sized for one: most origins have one outlet and one source (facts are
                    // kept for the whole check; an empty vector's first push reserves four).
                    OriginSupport {
                        origin,
                        outlets: Vec::with_capacity(1),
                        citations: 0,
                        only_reports: Vec::new(),
                        unknown,
                        sources: Vec::with_capacity(1),
                    },
                ));
                sides[side].len() - 1
            }
        };
        let entry = &mut sides[side][at].1;
        entry.citations += 1;
        if !entry.sources.contains(&source.id.as_str()) {
            entry.sources.push(&source.id);
        }
        if !entry.outlets.contains(&source.outlet.as_str()) {
            entry.outlets.push(&source.outlet);
        }
        match r.cite.said_by() {
            Some(party) => {
                if !entry.only_reports.contains(&party) {
                    entry.only_reports.push(party);
                }
            }
            None => direct_support |= side == 0,
        }
    }
    // An origin with a direct citation that holds does not "only report" anyone.
    for r in citations
        .iter()
        .filter(|r| r.cite.said_by().is_none() && r.holds)
    {
        if let Some((_, key)) = groups.of_cite(ws, r.source_at, r.cite) {
            let side = usize::from(r.cite.stance == Stance::Contradicts);
            if let Some((_, e)) = sides[side].iter_mut().find(|(k, _)| *k == key) {
                e.only_reports.clear();
            }
        }
    }
    let [supports, contradicts] = sides;
    // Known origins first, then unknown ones.
    let order = |mut m: Vec<(Group, OriginSupport<'w>)>| {
        // Stable: each kind keeps the order of first citation.
        m.sort_by_key(|(_, s)| s.unknown);
        m.into_iter().map(|(_, s)| s).collect::<Vec<_>>()
    };
    let supports = order(supports);
    let contradicts = order(contradicts);
    let independent = supports.iter().filter(|s| !s.unknown).count();
    let standing = Standing {
        supported: !supports.is_empty(),
        independent,
        direct: direct_support,
        unknown: supports.iter().any(|s| s.unknown),
        contested: !contradicts.is_empty(),
    };
    let flags: Vec<Flag> = standing.flags(policy).collect();
    let errors = flags
        .iter()
        .copied()
        .filter(|&f| is_error(f, deny))
        .collect();
    Fact {
        claim_pos: 0,
        claim: claim.id(),
        fact: claim.fact(),
        supports,
        contradicts,
        independent_origins: independent,
        supports_not_holding: not_holding[0],
        contradicts_not_holding: not_holding[1],
        flags,
        errors,
    }
}

impl Fact<'_> {
    pub fn severity(&self, flag: Flag) -> Severity {
        if self.errors.contains(&flag) {
            Severity::Error
        } else {
            Severity::Warning
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::check::{Options, check};
    use crate::snapshot::sha256_hex;
    use std::fmt::Write;

    /// A source: (id, outlet, origin or "", text).
    type Src<'a> = (&'a str, &'a str, &'a str, &'a str);

    /// Build a workspace from sources and one claim file, check it, return its facts.
    fn facts_of(
        sources: &[Src<'_>],
        claims: &str,
        policy: &str,
        deny: &[Flag],
    ) -> Vec<Fact<'static>> {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("snapshots")).unwrap();
        std::fs::create_dir_all(root.join("claims")).unwrap();
        let mut toml = format!("[policy]\n{policy}\n");
        for (id, outlet, origin, text) in sources {
            std::fs::write(root.join(format!("snapshots/{id}.txt")), text).unwrap();
            write!(toml, "\n[sources.{id}]\noutlet = \"{outlet}\"\n").unwrap();
            if !origin.is_empty() {
                writeln!(toml, "origin = \"{origin}\"").unwrap();
            }
            write!(
                toml,
                "captured = 2026-11-22T10:00:00Z\nsha256 = \"{}\"\n",
                sha256_hex(text.as_bytes())
            )
            .unwrap();
        }
        std::fs::write(root.join("sources.toml"), toml).unwrap();
        std::fs::write(root.join("claims/c.toml"), claims).unwrap();
        // Leaked: the facts borrow from it, and the test ends soon.
        let ws = Box::leak(Box::new(
            crate::workspace::load(root).expect("valid test workspace"),
        ));
        let outcome = check(
            ws,
            &Options {
                only_files: None,
                deny: deny.to_vec(),
                workspace_findings: false,
                fact_findings_on_demand: false,
                between_phases: None,
            },
        );
        let facts = outcome.all_facts();
        // The flags counted without making the facts are the facts' own.
        for (of, fact) in outcome.facts.list().iter().zip(&facts) {
            let made: Vec<_> = fact.flags.iter().map(|&f| (f, fact.severity(f))).collect();
            assert_eq!(outcome.fact_flags(of).collect::<Vec<_>>(), made);
        }
        facts
    }

    /// `is_unknown` is `origin_key(o) == "unknown"`, without the allocations.
    #[test]
    fn is_unknown_matches_its_definition() {
        for o in [
            "AFP",
            "Agence France-Presse",
            " AFP",
            "AFP ",
            "Le  Monde",
            "Le\tMonde",
            "Le\u{a0}Monde",
            "unknown",
            "Unknown",
            " UNKNOWN\n",
            "unknown source",
            "un known",
            "\u{212a}nown",
            "UN\u{212a}NOWN",
            "İstanbul",
            "ΟΔΟΣ",
            "",
            "   ",
            "unknowns",
        ] {
            assert_eq!(is_unknown(o), origin_key(o) == "unknown", "{o:?}");
        }
    }

    fn cite(source: &str, quote: &str, extra: &str) -> String {
        format!("\n[[claim.cite]]\nsource = \"{source}\"\nquote = \"{quote}\"\n{extra}\n")
    }

    const CLAIM: &str = "[[claim]]\nid = \"f\"\nfact = \"Albania cut ties.\"\n";

    #[test]
    fn wire_republications_count_once() {
        let srcs = [
            ("a", "lemonde.fr", "AFP", "Albania cut ties with Iran."),
            ("b", "lefigaro.fr", "afp ", "Albania cut ties with Iran."),
        ];
        let claims = format!(
            "{CLAIM}{}{}",
            cite("a", "cut ties", ""),
            cite("b", "cut ties", "")
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert_eq!(f.independent_origins, 1);
        assert_eq!(f.supports.len(), 1);
        assert_eq!(f.supports[0].outlets, vec!["lemonde.fr", "lefigaro.fr"]);
        assert_eq!(f.flags, vec![Flag::SingleOrigin]);
        assert!(f.errors.is_empty());
    }

    #[test]
    fn a_citations_own_origin_overrides_its_sources() {
        // A local paper runs AFP's sentence and adds its own reporting.
        let srcs = [
            ("wire", "lemonde.fr", "AFP", "Albania cut ties with Iran."),
            (
                "local",
                "local.example",
                "",
                "Albania cut ties with Iran. Our reporter saw the embassy close.",
            ),
        ];
        let claims = format!(
            "{CLAIM}{}{}",
            cite("wire", "cut ties", ""),
            cite("local", "Albania cut ties with Iran.", "origin = \" afp\"")
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert_eq!(f.independent_origins, 1);
        assert_eq!(f.supports.len(), 1);
        assert_eq!(f.supports[0].outlets, vec!["lemonde.fr", "local.example"]);
        assert_eq!(f.supports[0].sources, vec!["wire", "local"]);
        // Its own reporting is the paper's: a second, independent origin.
        let claims = format!(
            "{CLAIM}{}{}",
            cite("wire", "cut ties", ""),
            cite("local", "Our reporter saw the embassy close.", "")
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert_eq!(f.independent_origins, 2);
        let labels: Vec<String> = f.supports.iter().map(OriginSupport::label).collect();
        assert_eq!(labels, vec!["AFP", "local.example"]);
        // An unknown origin on a citation counts as none, listed by the outlet.
        let claims = format!(
            "{CLAIM}{}",
            cite("local", "Our reporter saw", "origin = \"unknown\"")
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert_eq!(f.independent_origins, 0);
        assert_eq!(f.supports[0].label(), "? local.example");
    }

    #[test]
    fn two_independent_origins_raise_nothing() {
        let srcs = [
            ("a", "lemonde.fr", "AFP", "Albania cut ties with Iran."),
            ("b", "apnews.com", "", "Albania cut ties with Iran."),
        ];
        let claims = format!(
            "{CLAIM}{}{}",
            cite("a", "cut ties", ""),
            cite("b", "cut ties", "")
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert_eq!(f.independent_origins, 2);
        assert!(f.flags.is_empty(), "{:?}", f.flags);
    }

    #[test]
    fn min_origins_one_accepts_a_single_origin() {
        let srcs = [("a", "apnews.com", "", "Albania cut ties with Iran.")];
        let claims = format!("{CLAIM}{}", cite("a", "cut ties", ""));
        assert!(
            facts_of(&srcs, &claims, "min_origins = 1", &[])[0]
                .flags
                .is_empty()
        );
    }

    #[test]
    fn said_by_mixed_with_direct_support_is_not_attributed_only() {
        let srcs = [
            ("a", "apnews.com", "", "Rama said Iran did it. Iran did it."),
            ("b", "bbc.com", "", "Rama said Iran did it."),
        ];
        let claims = format!(
            "{CLAIM}{}{}",
            cite("a", "Iran did it.", "span = [23, 35]"),
            cite("b", "Rama said Iran did it.", "said_by = \"Edi Rama\"")
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert!(!f.flags.contains(&Flag::AttributedOnly), "{:?}", f.flags);
        assert!(
            f.supports
                .iter()
                .all(|s| s.only_reports.is_empty() || s.origin == "bbc.com")
        );
    }

    #[test]
    fn attributed_only_when_every_support_has_said_by() {
        let srcs = [
            ("a", "apnews.com", "", "Rama said Iran did it."),
            ("b", "bbc.com", "", "Rama said Iran did it."),
        ];
        let claims = format!(
            "{CLAIM}{}{}",
            cite("a", "Rama said Iran did it.", "said_by = \"Edi Rama\""),
            cite("b", "Rama said Iran did it.", "said_by = \"Edi Rama\"")
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert_eq!(f.flags, vec![Flag::AttributedOnly]);
        assert_eq!(f.independent_origins, 2);
        assert_eq!(f.supports[0].only_reports, vec!["Edi Rama"]);
    }

    #[test]
    fn a_contradiction_that_does_not_hold_does_not_contest() {
        let srcs = [
            ("a", "apnews.com", "", "Albania cut ties with Iran."),
            ("b", "bbc.com", "", "Albania cut ties with Iran."),
            (
                "c",
                "irna.ir",
                "",
                "Nothing of the sort happened, said Tehran.",
            ),
        ];
        let claims = format!(
            "{CLAIM}{}{}{}",
            cite("a", "cut ties", ""),
            cite("b", "cut ties", ""),
            cite("c", "Albania did not cut ties", "stance = \"contradicts\"")
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert!(f.contradicts.is_empty());
        assert_eq!(f.contradicts_not_holding, 1);
        assert!(!f.flags.contains(&Flag::Contested));
    }

    #[test]
    fn a_contradiction_that_holds_contests() {
        let srcs = [
            ("a", "apnews.com", "", "Albania cut ties with Iran."),
            ("b", "bbc.com", "", "Albania cut ties with Iran."),
            (
                "c",
                "irna.ir",
                "",
                "Nothing of the sort happened, said Tehran.",
            ),
        ];
        let claims = format!(
            "{CLAIM}{}{}{}",
            cite("a", "cut ties", ""),
            cite("b", "cut ties", ""),
            cite(
                "c",
                "Nothing of the sort happened",
                "stance = \"contradicts\""
            )
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert_eq!(f.flags, vec![Flag::Contested]);
        assert_eq!(f.contradicts[0].origin, "irna.ir");
    }

    #[test]
    fn unknown_origins_never_corroborate() {
        let srcs = [
            (
                "a",
                "blog-one.example",
                "unknown",
                "Albania cut ties with Iran.",
            ),
            ("b", "unknown", "", "Albania cut ties with Iran."),
            ("c", "Unknown", "", "Albania cut ties with Iran."),
        ];
        let claims = format!(
            "{CLAIM}{}{}{}",
            cite("a", "cut ties", ""),
            cite("b", "cut ties", ""),
            cite("c", "cut ties", "")
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert_eq!(f.independent_origins, 0);
        assert_eq!(f.flags, vec![Flag::SingleOrigin, Flag::UnknownOrigin]);
        // Listed apart, by outlet, or by source when the outlet is unknown too.
        let labels: Vec<String> = f.supports.iter().map(OriginSupport::label).collect();
        assert_eq!(labels, vec!["? blog-one.example", "? b", "? c"]);
    }

    #[test]
    fn unknown_origin_beside_known_ones_still_flags() {
        let srcs = [
            ("a", "apnews.com", "", "Albania cut ties with Iran."),
            ("b", "bbc.com", "", "Albania cut ties with Iran."),
            ("c", "unknown", "", "Albania cut ties with Iran."),
        ];
        let claims = format!(
            "{CLAIM}{}{}{}",
            cite("a", "cut ties", ""),
            cite("b", "cut ties", ""),
            cite("c", "cut ties", "")
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert_eq!(f.independent_origins, 2);
        assert_eq!(f.flags, vec![Flag::UnknownOrigin]);
    }

    #[test]
    fn citations_that_do_not_hold_do_not_support() {
        let srcs = [("a", "apnews.com", "", "Albania cut ties with Iran.")];
        // typography (straight vs curly would be; here a changed word) and a missing quote
        let claims = format!(
            "{CLAIM}{}{}",
            cite("a", "Albania cut ties with Iraq.", ""),
            cite("a", "Tirana expelled the ambassador", "")
        );
        let f = &facts_of(&srcs, &claims, "", &[])[0];
        assert!(f.supports.is_empty());
        assert_eq!(f.supports_not_holding, 2);
        assert_eq!(f.flags, vec![Flag::Unsupported]);
        assert_eq!(f.errors, vec![Flag::Unsupported]);
    }

    #[test]
    fn a_claim_without_citations_is_unsupported() {
        let srcs = [("a", "apnews.com", "", "Albania cut ties with Iran.")];
        let claims = format!(
            "{CLAIM}\n[[claim]]\nid = \"g\"\nfact = \"x\"\n{}",
            cite("a", "cut ties", "")
        );
        let facts = facts_of(&srcs, &claims, "min_origins = 1", &[]);
        assert_eq!(facts[0].flags, vec![Flag::Unsupported]);
        assert!(facts[1].flags.is_empty());
    }

    #[test]
    fn deny_raises_flags_to_errors() {
        let srcs = [("a", "apnews.com", "", "Albania cut ties with Iran.")];
        let claims = format!("{CLAIM}{}", cite("a", "cut ties", ""));
        let by_policy = &facts_of(&srcs, &claims, "deny = [\"single-origin\"]", &[])[0];
        assert_eq!(by_policy.errors, vec![Flag::SingleOrigin]);
        assert_eq!(by_policy.severity(Flag::SingleOrigin), Severity::Error);
        let by_flag = &facts_of(&srcs, &claims, "", &[Flag::SingleOrigin])[0];
        assert_eq!(by_flag.errors, vec![Flag::SingleOrigin]);
        let neither = &facts_of(&srcs, &claims, "", &[Flag::Contested])[0];
        assert!(neither.errors.is_empty());
        assert_eq!(neither.severity(Flag::SingleOrigin), Severity::Warning);
    }

    #[test]
    fn flag_names_round_trip() {
        for f in Flag::ALL {
            assert_eq!(Flag::parse(f.as_str()), Some(f));
        }
        assert_eq!(Flag::parse("single_origin"), None);
    }
}
