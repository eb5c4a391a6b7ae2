//! The sentence sampling shared by the re-anchoring measurement (`tests/reanchor_revisions.rs`)
//! and its timing (`examples/reanchor_cases.rs`, which includes this file by path): both cite the
//! same sentences of the same revisions.

/// Sentences of `text` as code point spans: split at line ends and after `.`, `!` or `?`
/// followed by whitespace; trimmed; kept when 30 to 300 code points long.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut start = 0;
    let mut push = |s: usize, e: usize| {
        let (mut s, mut e) = (s, e);
        while s < e && chars[s].is_whitespace() {
            s += 1;
        }
        while e > s && chars[e - 1].is_whitespace() {
            e -= 1;
        }
        if (30..=300).contains(&(e - s)) {
            out.push((s, e));
        }
    };
    for i in 0..chars.len() {
        let end_of_sentence = matches!(chars[i], '.' | '!' | '?')
            && chars.get(i + 1).is_some_and(|c| c.is_whitespace());
        if chars[i] == '\n' || end_of_sentence {
            push(start, i + 1);
            start = i + 1;
        }
    }
    push(start, chars.len());
    out
}

/// At most `n` items, evenly spread, deterministically.
pub fn spread<T: Copy>(items: &[T], n: usize) -> Vec<T> {
    if items.len() <= n {
        return items.to_vec();
    }
    (0..n).map(|i| items[i * items.len() / n]).collect()
}
