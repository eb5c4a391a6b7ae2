// The anchoring policy Hypothesis describes for its quote selector, written afresh from that
// description (not from its source), over npm approx-string-match 2.0.0:
//
// - an annotation stores its quote, the 32 characters before it (prefix) and after it
//   (suffix), and where it started (the position hint);
// - to anchor it in a text, search the quote with approx-string-match allowing at most
//   min(256, floor(len(quote) / 2)) errors (the library returns the lowest-error matches);
// - score each candidate 50·(1 − errors/len(quote)) + 20·prefixSim + 20·suffixSim
//   + 2·(1 − |candidateStart − hint| / len(text)), where prefixSim (suffixSim) compares the
//   32 characters before (after) the candidate with the stored prefix (suffix) as
//   1 − distance/len(context), the distance found by approx-string-match on the short strings;
// - the best score wins (the first on a tie); no match at all: the annotation is orphaned.
//
// Lengths and offsets are JS string lengths (UTF-16 code units), as in a browser; common.mjs
// converts the results to code points.
//
// `--exact-first` adds the shortcuts an annotation client takes before fuzzy search: the text
// at the position hint if it is the quote, else the exact occurrences (scored the same way),
// else the approximate search above. It is reported as a separate row.
//
// Usage: node hypothesis.mjs [--exact-first] CASES_JSON OUT_JSON [RUNS]

import search from 'approx-string-match';
import { bench, cli, write } from './common.mjs';

const CONTEXT = 32;
const exactFirst = process.argv.includes('--exact-first');
if (exactFirst) process.argv.splice(process.argv.indexOf('--exact-first'), 1);

/** 1 − distance/len(context) of the best approximate occurrence of `context` in `window`. */
function similarity(window, context) {
  if (context.length === 0) return 1;
  if (window.length === 0) return 0;
  const matches = search(window, context, context.length);
  if (matches.length === 0) return 0;
  const errors = Math.min(...matches.map((m) => m.errors));
  return 1 - errors / context.length;
}

function score(text, sel, m) {
  const q = sel.quote.length;
  const prefixSim = similarity(text.slice(Math.max(0, m.start - CONTEXT), m.start), sel.prefix);
  const suffixSim = similarity(text.slice(m.end, m.end + CONTEXT), sel.suffix);
  const pos = 1 - Math.abs(m.start - sel.hint) / Math.max(1, text.length);
  return 50 * (1 - m.errors / q) + 20 * prefixSim + 20 * suffixSim + 2 * pos;
}

function best(text, sel, matches) {
  let top = null;
  let topScore = -Infinity;
  for (const m of matches) {
    const s = score(text, sel, m);
    if (s > topScore) {
      top = m;
      topScore = s;
    }
  }
  return top === null ? null : { start: top.start, end: top.end };
}

function exactMatches(text, quote) {
  const out = [];
  for (let i = text.indexOf(quote); i !== -1; i = text.indexOf(quote, i + 1)) {
    out.push({ start: i, end: i + quote.length, errors: 0 });
  }
  return out;
}

function prepare(pair, c) {
  const { unitOfCp } = pair.oldOffsets;
  const start = unitOfCp[c.old_start];
  const end = unitOfCp[c.old_end];
  return {
    quote: pair.old.slice(start, end),
    prefix: pair.old.slice(Math.max(0, start - CONTEXT), start),
    suffix: pair.old.slice(end, end + CONTEXT),
    hint: start,
  };
}

function anchor(pair, sel) {
  const text = pair.new;
  const q = sel.quote;
  if (q.length === 0) return null;
  if (exactFirst) {
    if (text.slice(sel.hint, sel.hint + q.length) === q) {
      return { start: sel.hint, end: sel.hint + q.length };
    }
    const exact = exactMatches(text, q);
    if (exact.length > 0) return best(text, sel, exact);
  }
  const maxErrors = Math.min(256, Math.floor(q.length / 2));
  return best(text, sel, search(text, q, maxErrors));
}

const { data, outPath, runs } = cli();
const tool = exactFirst ? 'hypothesis-policy-exact-first' : 'hypothesis-policy';
write(outPath, bench(tool, data, prepare, anchor, runs));
