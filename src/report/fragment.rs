//! Text-fragment links (`url#:~:text=…`, WICG Scroll to Text Fragment): a link that makes a
//! browser scroll to and highlight the quote on the live page. Terms are percent-encoded: every
//! byte but ASCII letters, digits, `_`, `.` and `~`, so `-`, `,` and `&` (the directive's
//! syntax) and `(`, `)` (which would end a Markdown link) are always encoded. A prefix and a suffix are added only when the quote alone is ambiguous
//! in the document or very short; a long quote becomes a `start,end` range.

/// Percent-encode a text-directive term.
pub fn encode(term: &str) -> String {
    let mut out = String::new();
    for b in term.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'_' | b'.' | b'~' => out.push(b as char),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// Words of `s` (whitespace-separated; a browser matches rendered text, where runs of
/// whitespace are one space).
fn words(s: &str) -> Vec<&str> {
    s.split_whitespace().collect()
}

/// Quotes shorter than this get a prefix and a suffix.
const SHORT: usize = 20;
/// Quotes longer than this become a `start,end` range of their first and last words.
const LONG: usize = 300;
const EDGE_WORDS: usize = 5;
const CONTEXT_WORDS: usize = 3;

/// The link to code points `[start, end)` of a text (given as its string and its chars) on
/// the page at `url`. Only the text near the quote is read, besides counting the quote.
pub fn link(url: &str, text: &str, chars: &[char], start: usize, end: usize) -> String {
    let quote: String = chars[start..end].iter().collect();
    let qwords = words(&quote);
    let near = 200;
    let before: String = chars[start.saturating_sub(near)..start].iter().collect();
    let after: String = chars[end..(end + near).min(chars.len())].iter().collect();
    let ambiguous = text.matches(quote.as_str()).count() > 1;
    let mut directive = String::new();
    if ambiguous || quote.chars().count() < SHORT {
        let b = words(&before);
        if !b.is_empty() {
            let p = b[b.len().saturating_sub(CONTEXT_WORDS)..].join(" ");
            directive.push_str(&format!("{}-,", encode(&p)));
        }
    }
    if quote.chars().count() > LONG && qwords.len() > 2 * EDGE_WORDS {
        directive.push_str(&encode(&qwords[..EDGE_WORDS].join(" ")));
        directive.push(',');
        directive.push_str(&encode(&qwords[qwords.len() - EDGE_WORDS..].join(" ")));
    } else {
        directive.push_str(&encode(&qwords.join(" ")));
    }
    if ambiguous || quote.chars().count() < SHORT {
        let a = words(&after);
        if !a.is_empty() {
            let s = a[..a.len().min(CONTEXT_WORDS)].join(" ");
            directive.push_str(&format!(",-{}", encode(&s)));
        }
    }
    let sep = if url.contains('#') { ":~:" } else { "#:~:" };
    format!("{url}{sep}text={directive}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn syntax_characters_are_encoded() {
        assert_eq!(encode("a-b, c&d"), "a%2Db%2C%20c%26d");
        assert_eq!(encode("L’Albanie"), "L%E2%80%99Albanie");
        assert_eq!(encode("«\u{a0}CNRI\u{a0}»"), "%C2%AB%C2%A0CNRI%C2%A0%C2%BB");
        assert_eq!(encode("it's (ok)!"), "it%27s%20%28ok%29%21");
    }

    #[test]
    fn a_unique_quote_has_no_context() {
        let text = "Le 7 septembre, l’Albanie a rompu ses relations avec l’Iran, dit-on.";
        let q = "l’Albanie a rompu ses relations";
        let s = text.chars().count() - text[text.find(q).unwrap()..].chars().count();
        let e = s + q.chars().count();
        assert_eq!(
            link(
                "https://ex.org/a",
                text,
                &text.chars().collect::<Vec<_>>(),
                s,
                e
            ),
            "https://ex.org/a#:~:text=l%E2%80%99Albanie%20a%20rompu%20ses%20relations"
        );
    }

    #[test]
    fn an_ambiguous_or_short_quote_gets_prefix_and_suffix() {
        let text = "Il a dit non. Puis le ministre a dit non, encore.";
        let q = "a dit non";
        let s = text.rfind(q).unwrap(); // ASCII: bytes = chars
        let l = link(
            "https://ex.org/a",
            text,
            &text.chars().collect::<Vec<_>>(),
            s,
            s + q.len(),
        );
        assert_eq!(
            l,
            "https://ex.org/a#:~:text=Puis%20le%20ministre-,a%20dit%20non,-%2C%20encore."
        );
    }

    #[test]
    fn a_long_quote_is_a_range_and_an_existing_fragment_is_kept() {
        let q = (1..=80)
            .map(|i| format!("mot{i}"))
            .collect::<Vec<_>>()
            .join(" ");
        let l = link(
            "https://ex.org/a#top",
            &q,
            &q.chars().collect::<Vec<_>>(),
            0,
            q.chars().count(),
        );
        assert_eq!(
            l,
            "https://ex.org/a#top:~:text=mot1%20mot2%20mot3%20mot4%20mot5,mot76%20mot77%20mot78%20mot79%20mot80"
        );
    }
}
