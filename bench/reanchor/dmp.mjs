// npm diff-match-patch (1.x) `match_main(text, pattern, expectedLoc)`: the fuzzy "find this
// near there" of Google's library, with its defaults (Match_Threshold 0.5, Match_Distance
// 1000, Match_MaxBits 32).
//
// Its bitap matcher takes patterns of at most Match_MaxBits (32) characters. As its own
// patch_apply does with longer text, a quote longer than that is matched by its first 32
// characters, and the match is extended to the quote's length.
//
// Lengths and offsets are JS string lengths (UTF-16 code units); common.mjs converts the
// results to code points.
//
// Usage: node dmp.mjs CASES_JSON OUT_JSON [RUNS]

import DiffMatchPatch from 'diff-match-patch';
import { bench, cli, write } from './common.mjs';

const dmp = new DiffMatchPatch();

function prepare(pair, c) {
  const { unitOfCp } = pair.oldOffsets;
  const start = unitOfCp[c.old_start];
  const end = unitOfCp[c.old_end];
  return { quote: pair.old.slice(start, end), loc: start };
}

function anchor(pair, sel) {
  const text = pair.new;
  const q = sel.quote;
  const pattern = q.length > dmp.Match_MaxBits ? q.slice(0, dmp.Match_MaxBits) : q;
  const at = dmp.match_main(text, pattern, sel.loc);
  if (at === -1) return null;
  return { start: at, end: Math.min(at + q.length, text.length) };
}

const { data, outPath, runs } = cli();
write(outPath, bench('diff-match-patch', data, prepare, anchor, runs));
