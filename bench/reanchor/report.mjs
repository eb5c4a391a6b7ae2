// Classify every tool's answers on the re-anchoring cases, print the table, and write it into
// BENCHMARKS.md (between the `reanchor` markers; the file is created if missing).
//
// Usage: node report.mjs OUT_DIR BENCHMARKS_MD
// Reads OUT_DIR/cases.json, OUT_DIR/prov.json and the JS tools' OUT_DIR/<tool>.json; the
// machine description comes from the environment (BENCH_NPROC, BENCH_CPU, BENCH_MEM,
// BENCH_COMMAND, BENCH_VERSIONS), set by run.sh.
//
// Ground truth, per case (a sentence of the old version, cited, re-anchored in the new one):
// - `exact`: the quote still occurs in the new text, exactly;
// - `gone`: it does not, and no stretch of the new text (a window of 1.5× the quote's word
//   count) holds even 30% of the quote's distinct words of 4+ letters (lower-cased): nothing
//   recognisable is left of the passage;
// - `edited`: the rest (edited or rewritten): no ground truth for where it is now.
//
// Outcome of an answer:
// - exact: correct when the text at the reported place is the quote (any occurrence); a
//   silent wrong anchor when a place is reported whose text is not the quote; lost when
//   nothing is reported;
// - gone: correct when nothing is reported (prov: `missing`); a silent wrong anchor when a
//   place is reported;
// - edited: placed or orphaned, not judged.
// A JS matcher presents every match as the annotation's place. prov presents only `ok` and
// `moved` as the citation's place (they hold, and are silent wrong if the text there is not the
// quote); its other verdicts fail the check and say why: where they are not the correct
// answer above they count as *flagged*, never silent.

import { readFileSync, writeFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';

const [outDir, benchmarksPath] = process.argv.slice(2);
if (!outDir || !benchmarksPath) {
  console.error('usage: node report.mjs OUT_DIR BENCHMARKS_MD');
  process.exit(2);
}
const read = (name) => JSON.parse(readFileSync(join(outDir, name), 'utf8'));
const cases = read('cases.json');
const TOOLS = [
  ['prov', 'prov.json', 'prov (diff-first re-anchoring)'],
  ['hypothesis', 'hypothesis.json', 'Hypothesis policy (approx-string-match 2.0.0)'],
  [
    'hypothesis-exact-first',
    'hypothesis-exact-first.json',
    'Hypothesis policy, exact shortcuts first (variant)',
  ],
  ['dmp', 'dmp.json', 'diff-match-patch 1.0.5 `match_main`'],
];
const results = Object.fromEntries(TOOLS.map(([k, f]) => [k, read(f)]));

/** Below this share of its words left anywhere, a passage is gone. */
const GONE = 0.3;

const words = (s) => (s.toLowerCase().match(/\p{Alphabetic}+/gu) ?? []);
const longWords = (s) => new Set(words(s).filter((w) => [...w].length >= 4));

/** Best share of `q` (a set) found in a window of `width` consecutive words of `ws`. */
function bestCoverage(q, ws, width) {
  if (q.size === 0) return 1;
  const count = new Map();
  let distinct = 0;
  let best = 0;
  for (let i = 0; i < ws.length; i++) {
    const w = ws[i];
    if (q.has(w)) {
      const c = (count.get(w) ?? 0) + 1;
      count.set(w, c);
      if (c === 1) distinct++;
    }
    if (i >= width) {
      const o = ws[i - width];
      if (q.has(o)) {
        const c = count.get(o) - 1;
        count.set(o, c);
        if (c === 0) distinct--;
      }
    }
    if (distinct > best) best = distinct;
  }
  return best / q.size;
}

/** Code points of `text` as an array, for slicing by code point offsets. */
const cps = (text) => Array.from(text);

/** The text at [s, e), widened to whole words. */
function widened(chars, s, e) {
  const letter = (c) => c !== undefined && /\p{Alphabetic}/u.test(c);
  while (s > 0 && letter(chars[s - 1]) && letter(chars[s])) s--;
  while (e < chars.length && letter(chars[e]) && letter(chars[e - 1])) e++;
  return chars.slice(s, e).join('');
}

// Ground truth per case, in order.
const truth = [];
for (const p of cases.pairs) {
  const newChars = cps(p.new);
  const newWords = words(p.new);
  for (const c of p.cases) {
    const q = longWords(c.quote);
    const width = Math.max(1, Math.ceil(1.5 * words(c.quote).length));
    let cls;
    if (p.new.includes(c.quote)) cls = 'exact';
    else if (q.size > 0 && bestCoverage(q, newWords, width) < GONE) cls = 'gone';
    else cls = 'edited';
    truth.push({ pair: p, c, cls, q, newChars });
  }
}

/** Outcome of one answer: correct, silent, flagged, lost (exact), placed or orphaned (edited). */
function outcome(tool, t, a) {
  const placed = a && a.start !== null && a.start !== undefined;
  const text = placed ? t.newChars.slice(a.start, a.end).join('') : null;
  if (tool === 'prov') {
    const v = a.verdict;
    if (v === 'ok' || v === 'moved') return text === t.c.quote ? 'correct' : 'silent';
    if (t.cls === 'edited') return v === 'missing' ? 'orphaned' : 'placed';
    if (v === 'missing') return t.cls === 'gone' ? 'correct' : 'lost';
    return 'flagged';
  }
  if (t.cls === 'edited') return placed ? 'placed' : 'orphaned';
  if (!placed) return t.cls === 'gone' ? 'correct' : 'lost';
  if (t.cls === 'exact') return text === t.c.quote ? 'correct' : 'silent';
  return 'silent';
}

const classes = ['exact', 'edited', 'gone'];
const tally = {};
const examples = {};
for (const [tool] of TOOLS) {
  const answers = results[tool].answers;
  if (answers.length !== truth.length) throw new Error(`${tool}: ${answers.length} answers`);
  tally[tool] = {};
  examples[tool] = [];
  for (const cls of ['all', ...classes]) {
    tally[tool][cls] = { correct: 0, silent: 0, flagged: 0, lost: 0, placed: 0, orphaned: 0, n: 0 };
  }
  truth.forEach((t, i) => {
    const o = outcome(tool, t, answers[i]);
    for (const cls of ['all', t.cls]) {
      tally[tool][cls][o]++;
      tally[tool][cls].n++;
    }
    if (o === 'silent' && examples[tool].length < 3) {
      const a = answers[i];
      examples[tool].push(
        `${t.pair.doc} ${t.pair.from}→${t.pair.to} (${t.cls}): ${JSON.stringify(t.c.quote.slice(0, 60))} → ${JSON.stringify(t.newChars.slice(a.start, Math.min(a.end, a.start + 60)).join(''))}`,
      );
    }
  });
}

const fmtNs = (ns) => (ns >= 1e6 ? `${(ns / 1e6).toFixed(2)} ms` : `${(ns / 1e3).toFixed(1)} µs`);
const provNs = results.prov.ns_per_citation;
const n = truth.length;
const count = (cls) => truth.filter((t) => t.cls === cls).length;

let md = '';
md += `${n} citations: ${count('exact')} still exact in the new version, ${count('gone')} gone, ${count('edited')} edited or rewritten (definitions below).\n\n`;
md += '| tool | silent wrong anchors | correct (exact + gone) | flagged (loud) | lost (exact quote not found) | edited: placed / orphaned | time per citation | time vs prov |\n';
md += '|---|---:|---:|---:|---:|---:|---:|---:|\n';
for (const [tool, , label] of TOOLS) {
  const a = tally[tool].all;
  const e = tally[tool].edited;
  const ns = results[tool].ns_per_citation;
  const ratio = tool === 'prov' ? '1×' : `${(ns / provNs).toFixed(1)}×`;
  const flagged = tool === 'prov' ? String(a.flagged) : '—';
  md += `| ${label} | **${a.silent}** | ${a.correct} | ${flagged} | ${a.lost} | ${e.placed} / ${e.orphaned} | ${fmtNs(ns)} | ${ratio} |\n`;
}
md += '\nBy ground truth:\n\n';
md += `| tool | exact (${count('exact')}): correct / silent wrong / flagged / lost | gone (${count('gone')}): orphaned (correct) / silent wrong / flagged |\n|---|---|---|\n`;
for (const [tool, , label] of TOOLS) {
  const f = (t) => (tool === 'prov' ? t.flagged : '—');
  const x = tally[tool].exact;
  const g = tally[tool].gone;
  md += `| ${label} | ${x.correct} / ${x.silent} / ${f(x)} / ${x.lost} | ${g.correct} / ${g.silent} / ${f(g)} |\n`;
}

// prov's verdicts per pair.
md += '\nprov\'s verdicts per pair (the same cases as `tests/reanchor_revisions.rs`):\n\n';
const verdicts = ['ok', 'moved', 'typography', 'changed', 'ambiguous', 'missing'];
md += `| document | pair | cases | ${verdicts.join(' | ')} |\n|---|---|---:|${verdicts.map(() => '---:').join('|')}|\n`;
let k = 0;
for (const p of cases.pairs) {
  const c = Object.fromEntries(verdicts.map((v) => [v, 0]));
  for (let i = 0; i < p.cases.length; i++) c[results.prov.answers[k++].verdict]++;
  md += `| ${p.doc} | ${p.from}→${p.to} | ${p.cases.length} | ${verdicts.map((v) => c[v]).join(' | ')} |\n`;
}

md += '\nTime per citation: the median of the runs of the whole set (prov: 5 runs, release build, ';
md += `including the line diff of each pair, ${fmtNs(results.prov.setup_ns_per_citation)} of it; `;
md += `JS: ${results.hypothesis.runs_ns.length} runs, Node ${process.version}, after nothing but `;
md += 'parsing the cases; selectors (quote, prefix, suffix, position) are prepared outside the timing).\n';
const pr = results.prov;
if (pr.by_verdict) {
  const total = pr.by_verdict.reduce((a, v) => a + v.ns_total, 0);
  md += `\nWhere prov's time goes (one run, each citation timed on its own): mapping spans through the diff ${fmtNs(pr.map_ns_per_citation)} per citation (${((100 * pr.map_ns_per_citation * n) / total).toFixed(0)}%), the line diffs ${fmtNs(pr.setup_ns_per_citation)}; by verdict: `;
  md += pr.by_verdict
    .map((v) => `${v.verdict} ${v.cases} × ${fmtNs(v.ns_total / v.cases)} (${((100 * v.ns_total) / total).toFixed(0)}%)`)
    .join(', ');
  md += '.\n';
}
for (const [tool, , label] of TOOLS) {
  if (examples[tool].length > 0) {
    md += `\nSilent wrong anchors of ${label}, first ${examples[tool].length}:\n\n`;
    for (const e of examples[tool]) md += `- ${e}\n`;
  }
}
console.log(md);

// Machine section and re-anchoring section, between markers.
const env = process.env;
const machine =
  `- CPUs (nproc): ${env.BENCH_NPROC ?? '?'}\n` +
  `- CPU model: ${env.BENCH_CPU ?? '?'}\n` +
  `- memory: ${env.BENCH_MEM ?? '?'}\n` +
  `- versions: ${env.BENCH_VERSIONS ?? '?'}\n` +
  `- measured: ${new Date().toISOString().slice(0, 10)}\n`;

const SKELETON = `# Benchmarks

Numbers measured by scripts in \`bench/\`; rerun them to refresh the sections between the
markers (each script rewrites only its own sections).

## Machine

<!-- machine:begin -->
<!-- machine:end -->

## Re-anchoring: prov vs web-annotation matchers (issue #4)

<!-- reanchor:begin -->
<!-- reanchor:end -->

## Check performance — see issue #7 (not measured yet)

Placeholder: \`prov check\` throughput (sources hashed, citations anchored per second) is to be
measured under issue #7.
`;

let doc = existsSync(benchmarksPath) ? readFileSync(benchmarksPath, 'utf8') : SKELETON;
function replaceSection(text, name, body) {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const i = text.indexOf(begin);
  const j = text.indexOf(end);
  if (i === -1 || j === -1 || j < i) throw new Error(`${benchmarksPath}: no ${name} markers`);
  return `${text.slice(0, i + begin.length)}\n${body}${text.slice(j)}`;
}

const method = `Command: \`${env.BENCH_COMMAND ?? 'bench/reanchor/run.sh'}\` (not run in CI; needs cargo, Node and npm).

Cases: the documents and version pairs of \`tests/data/revisions\` (4 documents × v01→v03,
v03→v06, v01→v06): up to 150 sentences of 30–300 code points per pair, evenly spread over the
old version; each is cited at its old place and re-anchored in the new version by each tool.
Offsets are code points; the JS tools work in UTF-16 code units and are converted both ways.

${md}
Definitions (\`bench/reanchor/report.mjs\`):
- ground truth: **exact** — the quote still occurs in the new text exactly; **gone** — it
  does not, and no stretch of the new text (1.5× the quote's word count) holds even 30% of the
  quote's distinct words of 4+ letters: nothing recognisable is left; **edited** — the rest
  (edited or rewritten passages): there is no ground truth for where they are now, so answers
  are counted (placed / orphaned), not judged.
- **silent wrong anchor**: a place presented as the citation's place that is not it: for an
  exact quote, a place whose text is not the quote (another occurrence of the exact quote
  counts as correct); for a gone passage, any place. A JS matcher presents every match as the
  annotation's place; prov presents only \`ok\`/\`moved\` as holding.
- **correct**: exact → a place whose text is the quote; gone → nothing reported (prov:
  \`missing\`).
- **flagged** (prov only): \`changed\`, \`typography\` or \`ambiguous\` on an exact or gone
  case: the check fails and says why, e.g. \`changed\` at the edited place while the old
  words still stand elsewhere, listed as candidates.
- **lost**: nothing reported although the exact quote is still there.
- Hypothesis policy: written afresh from its description (\`bench/reanchor/hypothesis.mjs\`):
  approximate search with at most min(256, ⌊len/2⌋) errors, scores 50 quote + 20 prefix + 20
  suffix + 2 position, 32-character contexts. The *exact shortcuts first* variant is not part
  of that description: it first takes the text at the old position if it is the quote, then
  exact occurrences, as an annotation client does before fuzzy search.
- diff-match-patch: \`match_main(text, pattern, expectedLoc)\` with its defaults; quotes longer
  than \`Match_MaxBits\` (32) are matched by their first 32 characters and extended to the
  quote's length.
`;

doc = replaceSection(doc, 'machine', machine);
doc = replaceSection(doc, 'reanchor', method);
writeFileSync(benchmarksPath, doc);
console.error(`wrote ${benchmarksPath}`);
