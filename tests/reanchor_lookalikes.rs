//! Re-anchoring lookalikes (issue #4): hand-written old → new pairs of news-like prose, each
//! stating its one right answer. A quote is anchored in the old text (it must hold there), then
//! re-anchored in the new text; the verdict, the new text at `found` and, where the text alone
//! does not pin the place, which occurrence of it, must be exactly as stated.
//!
//! A case that fails because prov is wrong keeps its right expectation and is marked
//! `#[ignore = "known: …"]`; run them with `cargo test --test reanchor_lookalikes -- --ignored`.

use prov::anchor::fold::is_folded_equal;
use prov::reanchor::Reanchorer;
use prov::verdict::{Verdict, anchor};

/// One re-anchoring case and its one right answer.
struct Case {
    name: &'static str,
    old: &'static str,
    new: &'static str,
    /// Exact text of the old version (it must occur exactly once there).
    quote: &'static str,
    expect: Verdict,
    /// The new text at `found`; `None` when nothing may be found (ambiguous, missing).
    expect_text: Option<&'static str>,
    /// Which exact occurrence (0-based) of `expect_text` in `new` `found` must be, when the
    /// text alone does not pin the place.
    occurrence: Option<usize>,
    /// How many candidates: the places for `ambiguous`; the exact occurrences of the old words
    /// elsewhere for `changed`.
    candidates: Option<usize>,
}

const CASE: Case = Case {
    name: "",
    old: "",
    new: "",
    quote: "",
    expect: Verdict::Missing,
    expect_text: None,
    occurrence: None,
    candidates: None,
};

/// Code points `[s, e)` of `text`.
fn slice(text: &str, (s, e): (usize, usize)) -> String {
    text.chars().skip(s).take(e - s).collect()
}

/// Every exact occurrence of `needle` in `text`, in code points.
fn occurrences(text: &str, needle: &str) -> Vec<(usize, usize)> {
    let t: Vec<char> = text.chars().collect();
    let n: Vec<char> = needle.chars().collect();
    if n.is_empty() || n.len() > t.len() {
        return Vec::new();
    }
    (0..=t.len() - n.len())
        .filter(|&i| t[i..i + n.len()] == n[..])
        .map(|i| (i, i + n.len()))
        .collect()
}

fn check(c: &Case) {
    let name = c.name;
    assert_eq!(
        occurrences(c.old, c.quote).len(),
        1,
        "{name}: the quote must occur exactly once in the old text"
    );
    let r = Reanchorer::new(c.old, c.new);
    let old = anchor(&r.old, c.quote, None);
    assert!(old.verdict.holds(), "{name}: old anchor {old:?}");
    let a = r.reanchor(c.quote, old.found, &old);
    let text = a.found.map(|f| slice(c.new, f));
    assert_eq!(
        (a.verdict, text.as_deref()),
        (c.expect, c.expect_text),
        "{name}: verdict and text at `found` ({a:?})"
    );
    // What each verdict promises.
    match a.verdict {
        Verdict::Ok => {
            assert_eq!(a.found, old.found, "{name}: ok keeps the offsets");
            assert_eq!(text.as_deref(), Some(c.quote), "{name}");
        }
        Verdict::Moved => {
            assert_ne!(a.found, old.found, "{name}: moved changes the offsets");
            assert_eq!(text.as_deref(), Some(c.quote), "{name}");
        }
        Verdict::Typography => {
            let t = text.as_deref().unwrap_or_default();
            assert!(t != c.quote && is_folded_equal(t, c.quote), "{name}: {t:?}");
        }
        Verdict::Changed => {
            for &cand in &a.candidates {
                assert_eq!(slice(c.new, cand), c.quote, "{name}: changed candidates");
            }
        }
        Verdict::Ambiguous => {
            assert!(a.found.is_none(), "{name}: ambiguous picks none");
            assert!(a.candidates.len() >= 2, "{name}: {a:?}");
        }
        Verdict::Missing => assert!(a.found.is_none(), "{name}"),
        Verdict::Unanchored => panic!("{name}: re-anchoring never says unanchored"),
    }
    if let (Some(n), Some(t)) = (c.occurrence, c.expect_text) {
        let occ = occurrences(c.new, t);
        assert_eq!(
            a.found,
            occ.get(n).copied(),
            "{name}: occurrence {n} of {t:?}"
        );
    }
    if let Some(n) = c.candidates {
        assert_eq!(
            a.candidates.len(),
            n,
            "{name}: candidates {:?}",
            a.candidates
        );
    }
}

// ── Unchanged, inserted before, moved ──────────────────────────────────────────────────────

const TIRANA: &str = "Tirana, 7 septembre (AFP) – L’Albanie a rompu mercredi ses relations diplomatiques avec l’Iran.\n\nLe Premier ministre Edi Rama a accusé Téhéran d’avoir orchestré une cyberattaque massive en juillet.\n\nSelon le gouvernement, les systèmes de l’État ont été paralysés pendant plusieurs jours.\n\nL’ambassade d’Iran a 24 heures pour quitter le pays.";

#[test]
fn unchanged_text_is_ok() {
    check(&Case {
        name: "unchanged_text_is_ok",
        old: TIRANA,
        new: TIRANA,
        quote: "a accusé Téhéran d’avoir orchestré une cyberattaque",
        expect: Verdict::Ok,
        expect_text: Some("a accusé Téhéran d’avoir orchestré une cyberattaque"),
        ..CASE
    });
}

#[test]
fn edit_after_the_quote_leaves_it_ok() {
    check(&Case {
        name: "edit_after_the_quote_leaves_it_ok",
        old: TIRANA,
        new: "Tirana, 7 septembre (AFP) – L’Albanie a rompu mercredi ses relations diplomatiques avec l’Iran.\n\nLe Premier ministre Edi Rama a accusé Téhéran d’avoir orchestré une cyberattaque massive en juillet.\n\nSelon le gouvernement, les systèmes de l’État ont été paralysés pendant deux semaines.\n\nL’ambassade d’Iran a 24 heures pour quitter le pays.",
        quote: "Le Premier ministre Edi Rama a accusé Téhéran",
        expect: Verdict::Ok,
        expect_text: Some("Le Premier ministre Edi Rama a accusé Téhéran"),
        ..CASE
    });
}

#[test]
fn paragraph_inserted_before_is_moved() {
    check(&Case {
        name: "paragraph_inserted_before_is_moved",
        old: TIRANA,
        new: "Mise à jour à 18 h 40 avec la réaction de Téhéran.\n\nTirana, 7 septembre (AFP) – L’Albanie a rompu mercredi ses relations diplomatiques avec l’Iran.\n\nLe Premier ministre Edi Rama a accusé Téhéran d’avoir orchestré une cyberattaque massive en juillet.\n\nSelon le gouvernement, les systèmes de l’État ont été paralysés pendant plusieurs jours.\n\nL’ambassade d’Iran a 24 heures pour quitter le pays.",
        quote: "les systèmes de l’État ont été paralysés",
        expect: Verdict::Moved,
        expect_text: Some("les systèmes de l’État ont été paralysés"),
        ..CASE
    });
}

#[test]
fn words_inserted_before_on_the_same_line_is_moved() {
    check(&Case {
        name: "words_inserted_before_on_the_same_line_is_moved",
        old: "The storm made landfall on Tuesday near Mobile, Alabama, and moved inland overnight.\nOfficials said the damage was extensive.\n",
        new: "The storm, the strongest of the season so far, made landfall on Tuesday near Mobile, Alabama, and moved inland overnight.\nOfficials said the damage was extensive.\n",
        quote: "made landfall on Tuesday near Mobile",
        expect: Verdict::Moved,
        expect_text: Some("made landfall on Tuesday near Mobile"),
        ..CASE
    });
}

#[test]
fn moved_paragraph_is_moved() {
    check(&Case {
        name: "moved_paragraph_is_moved",
        old: "The council met on Monday evening.\n\nThe mayor said the budget would be balanced by 2026.\n\nResidents asked about the new bus lanes.\n\nThe meeting ended at 10 p.m.\n",
        new: "The council met on Monday evening.\n\nResidents asked about the new bus lanes.\n\nThe meeting ended at 10 p.m.\n\nThe mayor said the budget would be balanced by 2026.\n",
        quote: "The mayor said the budget would be balanced by 2026.",
        expect: Verdict::Moved,
        expect_text: Some("The mayor said the budget would be balanced by 2026."),
        ..CASE
    });
}

#[test]
fn short_quote_in_a_moved_paragraph_is_moved() {
    check(&Case {
        name: "short_quote_in_a_moved_paragraph_is_moved",
        old: "Le raid a eu lieu à l’aube.\nLa victime avait 66 ans.\nLes secours sont arrivés tard.\n",
        new: "La victime avait 66 ans.\nLe raid a eu lieu à l’aube.\nLes secours sont arrivés tard.\n",
        quote: "66 ans",
        expect: Verdict::Moved,
        expect_text: Some("66 ans"),
        ..CASE
    });
}

#[test]
fn short_quote_moved_by_an_insertion_on_its_line() {
    check(&Case {
        name: "short_quote_moved_by_an_insertion_on_its_line",
        old: "Le bilan est de 3 morts.\nLa préfecture parle d’un « drame ».\n",
        new: "Le bilan, encore provisoire, est de 3 morts.\nLa préfecture parle d’un « drame ».\n",
        quote: "3 morts",
        expect: Verdict::Moved,
        expect_text: Some("3 morts"),
        ..CASE
    });
}

// ── Start and end of the text ──────────────────────────────────────────────────────────────

#[test]
fn quote_at_the_very_start_with_a_title_inserted_is_moved() {
    check(&Case {
        name: "quote_at_the_very_start_with_a_title_inserted_is_moved",
        old: TIRANA,
        new: "L’Albanie rompt avec l’Iran\n\nTirana, 7 septembre (AFP) – L’Albanie a rompu mercredi ses relations diplomatiques avec l’Iran.\n\nLe Premier ministre Edi Rama a accusé Téhéran d’avoir orchestré une cyberattaque massive en juillet.\n\nSelon le gouvernement, les systèmes de l’État ont été paralysés pendant plusieurs jours.\n\nL’ambassade d’Iran a 24 heures pour quitter le pays.",
        quote: "Tirana, 7 septembre",
        expect: Verdict::Moved,
        expect_text: Some("Tirana, 7 septembre"),
        ..CASE
    });
}

#[test]
fn quote_at_the_very_start_with_its_first_word_corrected_is_changed() {
    check(&Case {
        name: "quote_at_the_very_start_with_its_first_word_corrected_is_changed",
        old: "Mardi, la police a interpellé deux hommes à Marseille.\nIls ont été relâchés le soir même.\n",
        new: "Mercredi, la police a interpellé deux hommes à Marseille.\nIls ont été relâchés le soir même.\n",
        quote: "Mardi, la police a interpellé deux hommes",
        expect: Verdict::Changed,
        expect_text: Some("Mercredi, la police a interpellé deux hommes"),
        ..CASE
    });
}

#[test]
fn quote_at_the_very_end_with_text_appended_after_is_ok() {
    check(&Case {
        name: "quote_at_the_very_end_with_text_appended_after_is_ok",
        old: TIRANA,
        new: "Tirana, 7 septembre (AFP) – L’Albanie a rompu mercredi ses relations diplomatiques avec l’Iran.\n\nLe Premier ministre Edi Rama a accusé Téhéran d’avoir orchestré une cyberattaque massive en juillet.\n\nSelon le gouvernement, les systèmes de l’État ont été paralysés pendant plusieurs jours.\n\nL’ambassade d’Iran a 24 heures pour quitter le pays.\n\nTéhéran n’a pas réagi dans l’immédiat.\n",
        quote: "a 24 heures pour quitter le pays.",
        expect: Verdict::Ok,
        expect_text: Some("a 24 heures pour quitter le pays."),
        ..CASE
    });
}

#[test]
fn quote_at_the_very_end_with_a_paragraph_removed_before_is_moved() {
    check(&Case {
        name: "quote_at_the_very_end_with_a_paragraph_removed_before_is_moved",
        old: TIRANA,
        new: "Tirana, 7 septembre (AFP) – L’Albanie a rompu mercredi ses relations diplomatiques avec l’Iran.\n\nLe Premier ministre Edi Rama a accusé Téhéran d’avoir orchestré une cyberattaque massive en juillet.\n\nL’ambassade d’Iran a 24 heures pour quitter le pays.",
        quote: "a 24 heures pour quitter le pays.",
        expect: Verdict::Moved,
        expect_text: Some("a 24 heures pour quitter le pays."),
        ..CASE
    });
}

#[test]
fn quote_at_the_very_end_extended_is_changed() {
    check(&Case {
        name: "quote_at_the_very_end_extended_is_changed",
        old: "The suspect appeared in court on Friday.\nHe was released on bail.",
        new: "The suspect appeared in court on Friday.\nHe was released on bail on Saturday.",
        quote: "He was released on bail.",
        expect: Verdict::Changed,
        expect_text: Some("He was released on bail on Saturday."),
        ..CASE
    });
}

// ── Corrected numbers and names ────────────────────────────────────────────────────────────

#[test]
fn corrected_age_is_changed_not_moved_to_the_other_66_ans() {
    check(&Case {
        name: "corrected_age_is_changed_not_moved_to_the_other_66_ans",
        old: "Un homme a été tué lors du raid.\nLa victime avait 66 ans et vivait seule.\nSon voisin, 66 ans lui aussi, a été blessé.\n",
        new: "Un homme a été tué lors du raid.\nLa victime avait 65 ans et vivait seule.\nSon voisin, 66 ans lui aussi, a été blessé.\n",
        quote: "La victime avait 66 ans",
        expect: Verdict::Changed,
        expect_text: Some("La victime avait 65 ans"),
        candidates: Some(0),
        ..CASE
    });
}

#[test]
fn corrected_age_while_the_old_words_appear_in_a_new_paragraph_is_changed() {
    // The old words now stand elsewhere, exactly: they are listed, never picked.
    check(&Case {
        name: "corrected_age_while_the_old_words_appear_in_a_new_paragraph_is_changed",
        old: "Un homme a été tué lors du raid.\nLa victime avait 66 ans et vivait seule.\nL’enquête a été confiée à la police judiciaire.\n",
        new: "Un homme a été tué lors du raid.\nLa victime avait 65 ans et vivait seule.\nL’enquête a été confiée à la police judiciaire.\nUne autre victime, blessée, avait 66 ans.\n",
        quote: "avait 66 ans",
        expect: Verdict::Changed,
        expect_text: Some("avait 65 ans"),
        candidates: Some(1),
        ..CASE
    });
}

#[test]
fn short_corrected_number_is_changed_where_it_was() {
    check(&Case {
        name: "short_corrected_number_is_changed_where_it_was",
        old: "The fire killed 12 people, officials said.\nFirefighters fought the blaze for hours.\n",
        new: "The fire killed 21 people, officials said.\nFirefighters fought the blaze for hours; 12 people were rescued.\n",
        quote: "12 people",
        expect: Verdict::Changed,
        expect_text: Some("21 people"),
        occurrence: Some(0),
        candidates: Some(1),
    });
}

#[test]
fn corrected_weekday_is_changed_not_moved_to_a_new_mardi() {
    check(&Case {
        name: "corrected_weekday_is_changed_not_moved_to_a_new_mardi",
        old: "Kaboul (AFP) – L’explosion s’est produite mardi à Kaboul.",
        new: "Kaboul (AFP) – L’explosion s’est produite lundi à Kaboul.\nUne seconde explosion a eu lieu mardi à Kaboul.",
        quote: "mardi",
        expect: Verdict::Changed,
        expect_text: Some("lundi"),
        candidates: Some(1),
        ..CASE
    });
}

#[test]
fn name_replaced_by_a_name_that_appears_elsewhere_is_changed() {
    check(&Case {
        name: "name_replaced_by_a_name_that_appears_elsewhere_is_changed",
        old: "Le ministre de l’Intérieur Bledar Cuci a démenti toute négligence.\nLe Premier ministre Edi Rama a promis une enquête.\n",
        new: "Le ministre de l’Intérieur Edi Rama a démenti toute négligence.\nLe Premier ministre Edi Rama a promis une enquête.\n",
        quote: "Le ministre de l’Intérieur Bledar Cuci a démenti",
        expect: Verdict::Changed,
        expect_text: Some("Le ministre de l’Intérieur Edi Rama a démenti"),
        ..CASE
    });
}

#[test]
fn english_name_correction_is_changed_not_moved() {
    check(&Case {
        name: "english_name_correction_is_changed_not_moved",
        old: "The shooting was confirmed by Sheriff Tom Walker on Sunday.\nDeputy Ann Brooks said two people were detained.\n",
        new: "The shooting was confirmed by Sheriff Ann Brooks on Sunday.\nDeputy Ann Brooks said two people were detained.\n",
        quote: "confirmed by Sheriff Tom Walker on Sunday",
        expect: Verdict::Changed,
        expect_text: Some("confirmed by Sheriff Ann Brooks on Sunday"),
        ..CASE
    });
}

#[test]
fn sentence_corrected_into_a_copy_of_its_neighbour_is_changed_in_place() {
    check(&Case {
        name: "sentence_corrected_into_a_copy_of_its_neighbour_is_changed_in_place",
        old: "Le suspect a été arrêté mardi.\nSon complice a été arrêté mercredi.\n",
        new: "Le suspect a été arrêté mercredi.\nSon complice a été arrêté mercredi.\n",
        quote: "Le suspect a été arrêté mardi.",
        expect: Verdict::Changed,
        expect_text: Some("Le suspect a été arrêté mercredi."),
        candidates: Some(0),
        ..CASE
    });
}

// ── Duplicated paragraphs ──────────────────────────────────────────────────────────────────

#[test]
fn duplicated_paragraph_with_the_old_context_is_found() {
    // A pull-quote copies the paragraph to the top; the original keeps its neighbours.
    check(&Case {
        name: "duplicated_paragraph_with_the_old_context_is_found",
        old: "The hearing opened at 9 a.m.\n\n“We will appeal,” the company’s lawyer said.\n\nThe judge adjourned until Thursday.\n",
        new: "“We will appeal,” the company’s lawyer said.\n\nA ruling is expected next week.\n\nThe hearing opened at 9 a.m.\n\n“We will appeal,” the company’s lawyer said.\n\nThe judge adjourned until Thursday.\n",
        quote: "“We will appeal,” the company’s lawyer said.",
        expect: Verdict::Moved,
        expect_text: Some("“We will appeal,” the company’s lawyer said."),
        occurrence: Some(1),
        ..CASE
    });
}

#[test]
fn lookalike_edited_into_a_copy_leaves_the_cited_sentence_found() {
    check(&Case {
        name: "lookalike_edited_into_a_copy_leaves_the_cited_sentence_found",
        old: "Le suspect a été arrêté mardi soir.\nLes faits remontent à 2019.\nSon complice a été arrêté mercredi soir.\n",
        new: "Mise à jour : précisions sur les dates.\nLe suspect a été arrêté mardi soir.\nLes faits remontent à 2019.\nSon complice a été arrêté mardi soir.\n",
        quote: "a été arrêté mardi soir.",
        expect: Verdict::Moved,
        expect_text: Some("a été arrêté mardi soir."),
        occurrence: Some(0),
        ..CASE
    });
}

#[test]
fn duplicated_paragraph_with_identical_contexts_is_ambiguous() {
    // The cited paragraph's neighbours are gone; it now appears twice, each copy between the
    // same two new paragraphs: nothing tells the copies apart.
    check(&Case {
        name: "duplicated_paragraph_with_identical_contexts_is_ambiguous",
        old: "Le conseil municipal s’est réuni lundi.\n\nLe maire a annoncé la fermeture de la piscine.\n\nL’opposition a quitté la séance.\n",
        new: "Direct – Les annonces du conseil\n\nLe maire a annoncé la fermeture de la piscine.\n\n(à suivre)\n\nDirect – Les annonces du conseil\n\nLe maire a annoncé la fermeture de la piscine.\n\n(à suivre)\n",
        quote: "Le maire a annoncé la fermeture de la piscine.",
        expect: Verdict::Ambiguous,
        expect_text: None,
        candidates: Some(2),
        ..CASE
    });
}

#[test]
fn sentence_cut_out_and_quoted_twice_is_ambiguous() {
    // The paragraph that held the quote is gone; the quote now stands in two new one-line
    // boxes, the same each time, neither with the old context.
    check(&Case {
        name: "sentence_cut_out_and_quoted_twice_is_ambiguous",
        old: "Le gouvernement a réagi dans la soirée.\nLe porte-parole a lancé « nous ne céderons pas » avant de quitter la salle.\nLa grève continue.\n",
        new: "Le mot du jour : « nous ne céderons pas »\nLe gouvernement a réagi dans la soirée.\nLa grève continue.\nLe mot du jour : « nous ne céderons pas »",
        quote: "« nous ne céderons pas »",
        expect: Verdict::Ambiguous,
        expect_text: None,
        candidates: Some(2),
        ..CASE
    });
}

// ── Deleted passages ───────────────────────────────────────────────────────────────────────

#[test]
fn deleted_paragraph_is_missing() {
    check(&Case {
        name: "deleted_paragraph_is_missing",
        old: "The council met on Monday evening.\n\nThe mayor said the budget would be balanced by 2026.\n\nResidents asked about the new bus lanes.\n",
        new: "The council met on Monday evening.\n\nResidents asked about the new bus lanes.\n",
        quote: "The mayor said the budget would be balanced by 2026.",
        expect: Verdict::Missing,
        ..CASE
    });
}

#[test]
fn deleted_first_paragraph_is_missing() {
    check(&Case {
        name: "deleted_first_paragraph_is_missing",
        old: TIRANA,
        new: "Le Premier ministre Edi Rama a accusé Téhéran d’avoir orchestré une cyberattaque massive en juillet.\n\nSelon le gouvernement, les systèmes de l’État ont été paralysés pendant plusieurs jours.\n\nL’ambassade d’Iran a 24 heures pour quitter le pays.",
        quote: "Tirana, 7 septembre (AFP) – L’Albanie a rompu mercredi ses relations diplomatiques avec l’Iran.",
        expect: Verdict::Missing,
        ..CASE
    });
}

#[test]
fn deleted_last_paragraph_is_missing() {
    check(&Case {
        name: "deleted_last_paragraph_is_missing",
        old: TIRANA,
        new: "Tirana, 7 septembre (AFP) – L’Albanie a rompu mercredi ses relations diplomatiques avec l’Iran.\n\nLe Premier ministre Edi Rama a accusé Téhéran d’avoir orchestré une cyberattaque massive en juillet.\n\nSelon le gouvernement, les systèmes de l’État ont été paralysés pendant plusieurs jours.\n",
        quote: "L’ambassade d’Iran a 24 heures",
        expect: Verdict::Missing,
        ..CASE
    });
}

#[test]
fn deleted_paragraph_with_a_similar_sentence_far_away_is_missing() {
    check(&Case {
        name: "deleted_paragraph_with_a_similar_sentence_far_away_is_missing",
        old: "Un suspect a été arrêté mercredi à Lyon, selon la police.\n\nLes enquêteurs ont saisi deux ordinateurs et un téléphone.\n\nLe parquet a ouvert une information judiciaire pour association de malfaiteurs.\n\nLe suspect a été arrêté mardi à Lyon.\n\nSon avocat n’a pas souhaité s’exprimer.\n",
        new: "Un suspect a été arrêté mercredi à Lyon, selon la police.\n\nLes enquêteurs ont saisi deux ordinateurs et un téléphone.\n\nLe parquet a ouvert une information judiciaire pour association de malfaiteurs.\n\nSon avocat n’a pas souhaité s’exprimer.\n",
        quote: "Le suspect a été arrêté mardi à Lyon.",
        expect: Verdict::Missing,
        ..CASE
    });
}

#[test]
fn deleted_paragraph_next_to_a_similar_sentence_is_missing_not_changed() {
    check(&Case {
        name: "deleted_paragraph_next_to_a_similar_sentence_is_missing_not_changed",
        old: "Les enquêteurs ont saisi deux ordinateurs.\n\nLe suspect a été arrêté mardi à Lyon.\n\nUn suspect a été arrêté mercredi à Lyon, selon la police.\n\nSon avocat n’a pas souhaité s’exprimer.\n",
        new: "Les enquêteurs ont saisi deux ordinateurs.\n\nUn suspect a été arrêté mercredi à Lyon, selon la police.\n\nSon avocat n’a pas souhaité s’exprimer.\n",
        quote: "Le suspect a été arrêté mardi à Lyon.",
        expect: Verdict::Missing,
        ..CASE
    });
}

#[test]
fn text_replaced_by_an_unrelated_text_is_missing() {
    check(&Case {
        name: "text_replaced_by_an_unrelated_text_is_missing",
        old: "The senator resigned on Wednesday after a month of pressure.\n",
        new: "This article has been removed at the request of the publisher.\n",
        quote: "resigned on Wednesday after a month of pressure",
        expect: Verdict::Missing,
        ..CASE
    });
}

// ── Typography: whitespace, no-break spaces, line ends ─────────────────────────────────────

#[test]
fn double_space_collapsed_is_typography() {
    check(&Case {
        name: "double_space_collapsed_is_typography",
        old: "Une centaine de  personnes ont manifesté samedi.\n",
        new: "Une centaine de personnes ont manifesté samedi.\n",
        quote: "Une centaine de  personnes ont manifesté",
        expect: Verdict::Typography,
        expect_text: Some("Une centaine de personnes ont manifesté"),
        ..CASE
    });
}

#[test]
fn space_to_no_break_space_is_typography() {
    check(&Case {
        name: "space_to_no_break_space_is_typography",
        old: "Selon le « CNRI », une centaine de personnes ont été arrêtées.\n",
        new: "Selon le «\u{a0}CNRI\u{a0}», une centaine de personnes ont été arrêtées.\n",
        quote: "le « CNRI », une centaine",
        expect: Verdict::Typography,
        expect_text: Some("le «\u{a0}CNRI\u{a0}», une centaine"),
        ..CASE
    });
}

#[test]
fn no_break_space_to_space_is_typography() {
    check(&Case {
        name: "no_break_space_to_space_is_typography",
        old: "Le ministre a répondu\u{a0}: «\u{a0}pourquoi pas\u{202f}?\u{a0}»\n",
        new: "Le ministre a répondu : « pourquoi pas ? »\n",
        quote: "répondu\u{a0}: «\u{a0}pourquoi pas\u{202f}?\u{a0}»",
        expect: Verdict::Typography,
        expect_text: Some("répondu : « pourquoi pas ? »"),
        ..CASE
    });
}

#[test]
fn no_break_space_moved_by_one_word_is_typography() {
    check(&Case {
        name: "no_break_space_moved_by_one_word_is_typography",
        old: "Réponse du ministre : «\u{a0}non ».",
        new: "Réponse du ministre : « non\u{a0}».",
        quote: "ministre : «\u{a0}non",
        expect: Verdict::Typography,
        expect_text: Some("ministre : « non"),
        ..CASE
    });
}

#[test]
fn short_quote_deleted_while_a_typographic_variant_stands_elsewhere_is_missing() {
    check(&Case {
        name: "short_quote_deleted_while_a_typographic_variant_stands_elsewhere_is_missing",
        old: "Le ministre a répondu « oui » sans hésiter.\nLa séance a été levée.\n",
        new: "La séance a été levée.\nSondage : «\u{a0}oui\u{a0}» à 52 %.\n",
        quote: "« oui »",
        expect: Verdict::Missing,
        ..CASE
    });
}

#[test]
fn straight_to_curly_apostrophe_is_typography() {
    check(&Case {
        name: "straight_to_curly_apostrophe_is_typography",
        old: "A statement from the mayor's office said the road would reopen in 2019-2020.\n",
        new: "A statement from the mayor’s office said the road would reopen in 2019–2020.\n",
        quote: "the mayor's office said the road would reopen in 2019-2020",
        expect: Verdict::Typography,
        expect_text: Some("the mayor’s office said the road would reopen in 2019–2020"),
        ..CASE
    });
}

#[test]
fn sentence_split_across_a_new_line_break_is_typography() {
    check(&Case {
        name: "sentence_split_across_a_new_line_break_is_typography",
        old: "La police a arrêté deux suspects mardi soir à Lyon. Ils seront présentés à un juge.\n",
        new: "La police a arrêté deux suspects\nmardi soir à Lyon. Ils seront présentés à un juge.\n",
        quote: "La police a arrêté deux suspects mardi soir à Lyon.",
        expect: Verdict::Typography,
        expect_text: Some("La police a arrêté deux suspects\nmardi soir à Lyon."),
        ..CASE
    });
}

#[test]
fn crlf_to_lf_moves_a_quote_within_one_line() {
    // One code point less per earlier line end: the same words, elsewhere.
    check(&Case {
        name: "crlf_to_lf_moves_a_quote_within_one_line",
        old: "WASHINGTON (AP) \u{2014} The Senate passed the bill late Tuesday.\r\nThe vote was 52 to 48.\r\nThe House takes it up next week.\r\n",
        new: "WASHINGTON (AP) \u{2014} The Senate passed the bill late Tuesday.\nThe vote was 52 to 48.\nThe House takes it up next week.\n",
        quote: "The House takes it up next week.",
        expect: Verdict::Moved,
        expect_text: Some("The House takes it up next week."),
        ..CASE
    });
}

#[test]
fn lf_to_crlf_across_a_line_end_is_typography() {
    check(&Case {
        name: "lf_to_crlf_across_a_line_end_is_typography",
        old: "The Senate passed the bill late Tuesday.\nThe vote was 52 to 48.\nThe House takes it up next week.\n",
        new: "The Senate passed the bill late Tuesday.\r\nThe vote was 52 to 48.\r\nThe House takes it up next week.\r\n",
        quote: "late Tuesday.\nThe vote was 52 to 48.",
        expect: Verdict::Typography,
        expect_text: Some("late Tuesday.\r\nThe vote was 52 to 48."),
        ..CASE
    });
}

// ── Astral characters and combining marks (offsets in code points) ─────────────────────────

#[test]
fn emoji_and_math_letters_inserted_before_the_quote_is_moved() {
    check(&Case {
        name: "emoji_and_math_letters_inserted_before_the_quote_is_moved",
        old: "🔴 DIRECT. La victime avait 66 ans et vivait seule.\n",
        new: "🔴🇫🇷 𝔘𝔭𝔡𝔞𝔱𝔢 👀 DIRECT. La victime avait 66 ans et vivait seule.\n",
        quote: "La victime avait 66 ans",
        expect: Verdict::Moved,
        expect_text: Some("La victime avait 66 ans"),
        ..CASE
    });
}

#[test]
fn astral_characters_inside_a_corrected_quote_are_counted_as_one() {
    check(&Case {
        name: "astral_characters_inside_a_corrected_quote_are_counted_as_one",
        old: "🔥 Incendie.\n𝔘𝔫𝔢 victime 😢 avait 66 ans, selon les pompiers 🚒.\n",
        new: "🔥🔥 Incendie.\n𝔘𝔫𝔢 victime 😢 avait 65 ans, selon les pompiers 🚒.\n",
        quote: "𝔘𝔫𝔢 victime 😢 avait 66 ans, selon les pompiers 🚒",
        expect: Verdict::Changed,
        expect_text: Some("𝔘𝔫𝔢 victime 😢 avait 65 ans, selon les pompiers 🚒"),
        ..CASE
    });
}

#[test]
fn short_emoji_quote_moved() {
    check(&Case {
        name: "short_emoji_quote_moved",
        old: "Réactions en ligne : « bravo 👏👏 » et des cœurs.\n",
        new: "Réactions 🇺🇦 en ligne, sur 𝕏 : « bravo 👏👏 » et des cœurs.\n",
        quote: "bravo 👏👏",
        expect: Verdict::Moved,
        expect_text: Some("bravo 👏👏"),
        ..CASE
    });
}

#[test]
fn combining_marks_before_the_quote_count_as_code_points() {
    // "René" and "Lévesque" spelt with e + U+0301 before the quote; more of them inserted.
    check(&Case {
        name: "combining_marks_before_the_quote_count_as_code_points",
        old: "Rene\u{301} Le\u{301}vesque a déclaré : « on se reverra ».\n",
        new: "Hier soir, a\u{300} Montre\u{301}al, Rene\u{301} Le\u{301}vesque a déclaré : « on se reverra ».\n",
        quote: "a déclaré : « on se reverra »",
        expect: Verdict::Moved,
        expect_text: Some("a déclaré : « on se reverra »"),
        ..CASE
    });
}

#[test]
fn decomposed_accent_composed_is_typography() {
    check(&Case {
        name: "decomposed_accent_composed_is_typography",
        old: "Le cafe\u{301} de la gare a fermé ses portes.\n",
        new: "Le café de la gare a fermé ses portes.\n",
        quote: "Le cafe\u{301} de la gare a fermé",
        expect: Verdict::Typography,
        expect_text: Some("Le café de la gare a fermé"),
        ..CASE
    });
}

// ── Reordered and edited passages ──────────────────────────────────────────────────────────

#[test]
fn reordered_words_are_changed() {
    check(&Case {
        name: "reordered_words_are_changed",
        old: "Le président et le Premier ministre ont signé l’accord jeudi.\nLa cérémonie a duré une heure.\n",
        new: "Le Premier ministre et le président ont signé l’accord jeudi.\nLa cérémonie a duré une heure.\n",
        quote: "Le président et le Premier ministre ont signé l’accord",
        expect: Verdict::Changed,
        expect_text: Some("Le Premier ministre et le président ont signé l’accord"),
        ..CASE
    });
}

#[test]
fn word_inserted_inside_the_quote_is_changed() {
    check(&Case {
        name: "word_inserted_inside_the_quote_is_changed",
        old: "Police said the man was armed when officers arrived.\n",
        new: "Police said the man was not armed when officers arrived.\n",
        quote: "the man was armed when officers arrived",
        expect: Verdict::Changed,
        expect_text: Some("the man was not armed when officers arrived"),
        ..CASE
    });
}

#[test]
fn corrected_paragraph_moved_one_place_is_changed_where_it_went() {
    check(&Case {
        name: "corrected_paragraph_moved_one_place_is_changed_where_it_went",
        old: "Le raid a eu lieu à l’aube, dans le camp d’Ashraf 3.\n\nLa victime avait 66 ans et vivait dans le camp depuis 2016.\n\nLes secours sont arrivés une heure plus tard.\n\nLe ministère n’a pas commenté.\n\nUne enquête a été ouverte.\n\nLes réfugiés craignent de nouvelles descentes.\n\nLe camp compte près de 3 000 résidents.\n\nIls sont arrivés d’Irak en 2016.\n",
        new: "Le raid a eu lieu à l’aube, dans le camp d’Ashraf 3.\n\nLes secours sont arrivés une heure plus tard.\n\nLa victime avait 65 ans et vivait dans le camp depuis 2016.\n\nLe ministère n’a pas commenté.\n\nUne enquête a été ouverte.\n\nLes réfugiés craignent de nouvelles descentes.\n\nLe camp compte près de 3 000 résidents.\n\nIls sont arrivés d’Irak en 2016.\n",
        quote: "La victime avait 66 ans et vivait dans le camp depuis 2016.",
        expect: Verdict::Changed,
        expect_text: Some("La victime avait 65 ans et vivait dans le camp depuis 2016."),
        ..CASE
    });
}

// ── Issue #16: still-exact passages, moved-and-edited sentences, whole-word edits ──────────

const RAID: &str = "Le raid a eu lieu à l’aube, dans le camp d’Ashraf 3, au nord de Tirana.\n\nSelon la police, une centaine d’agents ont fouillé les bâtiments pendant six heures.\n\nLa victime avait 66 ans et vivait dans le camp depuis 2016.\n\nLes secours sont arrivés une heure plus tard, selon les résidents.\n\nLe ministère de l’Intérieur n’a pas souhaité commenter l’opération.\n\nUne enquête a été ouverte par le parquet spécial contre la corruption.\n\nLes réfugiés craignent de nouvelles descentes dans les semaines à venir.\n\nLe camp compte près de 3 000 résidents, arrivés d’Irak en 2016.\n";

#[test]
fn sentence_moved_unchanged_while_its_old_paragraph_was_rewritten_is_moved() {
    // The paragraph that held the sentence keeps a few of its words (the diff follows those
    // leftovers); the sentence itself moved to the end, unchanged.
    check(&Case {
        name: "sentence_moved_unchanged_while_its_old_paragraph_was_rewritten_is_moved",
        old: "Le raid a eu lieu à l’aube. Selon la police, une centaine d’agents ont fouillé les bâtiments pendant six heures. Le camp était encerclé.\n\nLe ministère n’a pas commenté.\n",
        new: "Le raid a eu lieu à l’aube. Selon les résidents, des agents ont fouillé les bâtiments toute la journée. Le camp était encerclé.\n\nLe ministère n’a pas commenté.\n\nSelon la police, une centaine d’agents ont fouillé les bâtiments pendant six heures.\n",
        quote: "Selon la police, une centaine d’agents ont fouillé les bâtiments pendant six heures.",
        expect: Verdict::Moved,
        expect_text: Some(
            "Selon la police, une centaine d’agents ont fouillé les bâtiments pendant six heures.",
        ),
        ..CASE
    });
}

#[test]
fn sentence_moved_to_the_far_end_and_its_number_corrected_is_changed_there() {
    // Moved from the top to the bottom (beyond the 25 % displacement limit) into a new
    // paragraph, and 66 corrected to 65.
    let new = RAID.replace(
        "La victime avait 66 ans et vivait dans le camp depuis 2016.\n\n",
        "",
    ) + "\nMise à jour : la victime avait 65 ans et vivait dans le camp depuis 2016, selon sa famille.\n";
    let new: &'static str = Box::leak(new.into_boxed_str());
    check(&Case {
        name: "sentence_moved_to_the_far_end_and_its_number_corrected_is_changed_there",
        old: RAID,
        new,
        quote: "La victime avait 66 ans et vivait dans le camp depuis 2016.",
        expect: Verdict::Changed,
        expect_text: Some("la victime avait 65 ans et vivait dans le camp depuis 2016,"),
        ..CASE
    });
}

#[test]
fn sentence_moved_and_negated_is_changed_where_it_went() {
    let new = RAID.replace(
        "Le ministère de l’Intérieur n’a pas souhaité commenter l’opération.\n\n",
        "",
    ) + "\nLe ministère de l’Intérieur a souhaité commenter l’opération.\n";
    let new: &'static str = Box::leak(new.into_boxed_str());
    check(&Case {
        name: "sentence_moved_and_negated_is_changed_where_it_went",
        old: RAID,
        new,
        quote: "Le ministère de l’Intérieur n’a pas souhaité commenter l’opération.",
        expect: Verdict::Changed,
        expect_text: Some("Le ministère de l’Intérieur a souhaité commenter l’opération."),
        ..CASE
    });
}

#[test]
fn first_word_replaced_in_place_is_in_the_changed_span() {
    check(&Case {
        name: "first_word_replaced_in_place_is_in_the_changed_span",
        old: "Officials said on Monday. About 18,000 vehicles were towed last winter, the city said.\n",
        new: "Officials said on Monday. Roughly 18,000 vehicles were towed last winter, the city said.\n",
        quote: "About 18,000 vehicles were towed last winter",
        expect: Verdict::Changed,
        expect_text: Some("Roughly 18,000 vehicles were towed last winter"),
        ..CASE
    });
}

#[test]
fn name_lengthened_in_place_is_changed_over_the_whole_name() {
    check(&Case {
        name: "name_lengthened_in_place_is_changed_over_the_whole_name",
        old: "Le procureur a été nommé mardi. Le juge de Bouche a refusé la demande.\n",
        new: "Le procureur a été nommé mardi. Le juge de Bouchard a refusé la demande.\n",
        quote: "Le juge de Bouche",
        expect: Verdict::Changed,
        expect_text: Some("Le juge de Bouchard"),
        ..CASE
    });
}

#[test]
fn deleted_list_item_among_lookalike_items_is_missing() {
    check(&Case {
        name: "deleted_list_item_among_lookalike_items_is_missing",
        old: "You may not:\n\n- use the service to send spam to other users;\n- use the service to harass other users;\n- use the service to sell counterfeit goods;\n- use the service to impersonate other people.\n",
        new: "You may not:\n\n- use the service to send spam to other users;\n- use the service to harass other users;\n- use the service to impersonate other people.\n",
        quote: "use the service to sell counterfeit goods;",
        expect: Verdict::Missing,
        ..CASE
    });
}
