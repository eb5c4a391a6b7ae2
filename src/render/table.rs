//! The per-fact table that closes the human output: fact id, the origins that support it, those
//! that contradict it, and its flags. Cells wrap at item boundaries so the table stays within
//! 100 columns: text wraps at spaces and after hyphens; only a word longer than its column is
//! cut, with an ellipsis.

use rayon::prelude::*;

use crate::facts::{Fact, OriginSupport};

const WIDTHS: [usize; 4] = [24, 32, 22, 16];

/// Render the table of `n` facts (empty string when there are none), fact `i` made by
/// `fact(i)`: each is made when its row is, on every core, and dropped once its row is laid
/// out (a large workspace has 60,000 facts; held together they were a third of the human
/// output's memory).
pub fn facts<'w>(n: usize, fact: &(dyn Fn(usize) -> Fact<'w> + Sync)) -> String {
    if n == 0 {
        return String::new();
    }
    let mut out = String::new();
    push_row(
        &mut out,
        [
            vec!["fact".to_string()],
            vec!["supported by".to_string()],
            vec!["contradicted by".to_string()],
            vec!["flags".to_string()],
        ],
    );
    push_row(&mut out, WIDTHS.map(|w| vec!["─".repeat(w)]));
    let rows: Vec<(String, bool)> = (0..n)
        .into_par_iter()
        .map(|i| {
            let mut row = String::new();
            let error = fact_row(&mut row, &fact(i));
            (row, error)
        })
        .collect();
    let mut any_error = false;
    for (row, error) in rows {
        out.push_str(&row);
        any_error |= error;
    }
    out.push_str(
        "an origin counts once however many outlets ran it; ? = origin unknown, counts as none",
    );
    if any_error {
        out.push_str("; ! = error");
    }
    out.push('\n');
    out
}

/// Lay out the row of `f`; whether it has a flag that is an error.
fn fact_row(out: &mut String, f: &Fact) -> bool {
    let mut any_error = false;
    let flags: Vec<String> = f
        .flags
        .iter()
        .map(|fl| {
            if f.errors.contains(fl) {
                any_error = true;
                format!("{}!", fl.as_str())
            } else {
                fl.as_str().to_string()
            }
        })
        .collect();
    let cells = [
        vec![f.claim.to_string()],
        side(&f.supports, f.supports_not_holding),
        side(&f.contradicts, f.contradicts_not_holding),
        if flags.is_empty() {
            vec!["—".to_string()]
        } else {
            flags
        },
    ];
    push_row(out, cells);
    any_error
}

/// The items of one side, `—` when it has none.
fn side(origins: &[OriginSupport], not_holding: usize) -> Vec<String> {
    let mut items = side_items(origins, not_holding);
    if items.is_empty() {
        items.push("—".to_string());
    }
    items
}

/// The items of one side of a fact's row: each origin, what it only reports, and how many
/// citations do not hold. The language server's hover shows the same.
pub fn side_items(origins: &[OriginSupport], not_holding: usize) -> Vec<String> {
    let mut items: Vec<String> = origins
        .iter()
        .map(|o| {
            let name = o.label();
            if o.only_reports.is_empty() {
                name
            } else {
                format!("{name} [says {}]", o.only_reports.join(", "))
            }
        })
        .collect();
    if not_holding > 0 {
        items.push(format!("({not_holding} not holding)"));
    }
    items
}

/// Lay out one row: each cell's items joined by ", " and wrapped to its column.
fn push_row(out: &mut String, cells: [Vec<String>; 4]) {
    let columns: Vec<Vec<String>> = cells
        .iter()
        .zip(WIDTHS)
        .map(|(items, w)| wrap(items, w))
        .collect();
    let height = columns.iter().map(Vec::len).max().unwrap_or(1);
    for line in 0..height {
        let mut row = String::new();
        for (i, col) in columns.iter().enumerate() {
            let text = col.get(line).map_or("", String::as_str);
            row.push_str(text);
            if i + 1 < columns.len() {
                let pad = WIDTHS[i].saturating_sub(text.chars().count()) + 2;
                row.push_str(&" ".repeat(pad));
            }
        }
        out.push_str(row.trim_end());
        out.push('\n');
    }
}

fn cut(s: &str, width: usize) -> String {
    if s.chars().count() <= width {
        return s.to_string();
    }
    let mut t: String = s.chars().take(width.saturating_sub(1)).collect();
    t.push('…');
    t
}

fn wrap(items: &[String], width: usize) -> Vec<String> {
    let text = items.join(", ");
    // Break points: after a space or a hyphen.
    let mut words: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in text.chars() {
        cur.push(c);
        if c == ' ' || c == '-' {
            words.push(std::mem::take(&mut cur));
        }
    }
    if !cur.is_empty() {
        words.push(cur);
    }
    let mut lines: Vec<String> = Vec::new();
    let mut line = String::new();
    for w in words {
        if !line.is_empty() && line.chars().count() + w.trim_end().chars().count() > width {
            lines.push(line.trim_end().to_string());
            line.clear();
        }
        line.push_str(&w);
    }
    if !line.trim().is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines.into_iter().map(|l| cut(&l, width)).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wrap_breaks_at_spaces_and_hyphens_and_cuts_long_words() {
        let items = vec![
            "AFP".to_string(),
            "Fox News Digital".to_string(),
            "x".repeat(40),
        ];
        let lines = wrap(&items, 18);
        assert_eq!(lines[0], "AFP, Fox News");
        assert_eq!(lines[1], "Digital,");
        assert_eq!(lines[2].chars().count(), 18);
        assert!(lines[2].ends_with('…'));
        assert_eq!(
            wrap(&["raid-residents-accused-cyber-plot".to_string()], 24),
            vec!["raid-residents-accused-", "cyber-plot"]
        );
    }

    #[test]
    fn rows_fit_in_100_columns() {
        let mut out = String::new();
        push_row(
            &mut out,
            [
                vec!["a-very-long-claim-identifier-that-goes-on-and-on".into()],
                vec![
                    "Fox News Digital [says NCRI, Ali Safavi]".into(),
                    "AFP".into(),
                ],
                vec!["unknown (infos-israel.news)".into()],
                vec!["single-origin".into(), "attributed-only".into()],
            ],
        );
        for line in out.lines() {
            assert!(line.chars().count() <= 100, "{line:?}");
        }
    }
}
