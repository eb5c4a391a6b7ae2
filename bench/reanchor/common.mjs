// Shared by the JS matchers: reading the cases, code point <-> UTF-16 offsets, timing, output.
//
// prov counts offsets in Unicode code points; JS strings index UTF-16 code units, so a
// character outside the BMP (an emoji, 𝔘) is one code point but two code units. Every offset
// that crosses the boundary between the cases file and a JS matcher is converted here.

import { readFileSync, writeFileSync } from 'node:fs';

/** Offset tables of a string: code point -> code unit, and code unit -> code point. */
export function offsets(text) {
  const unitOfCp = [];
  const cpOfUnit = new Array(text.length + 1);
  let unit = 0;
  let cp = 0;
  for (const ch of text) {
    unitOfCp.push(unit);
    cpOfUnit[unit] = cp;
    if (ch.length === 2) cpOfUnit[unit + 1] = cp; // inside a surrogate pair: its code point
    unit += ch.length;
    cp += 1;
  }
  unitOfCp.push(unit);
  cpOfUnit[unit] = cp;
  return { unitOfCp, cpOfUnit };
}

/** The cases file written by `examples/reanchor_cases.rs`, with offset tables per text. */
export function readCases(path) {
  const data = JSON.parse(readFileSync(path, 'utf8'));
  for (const p of data.pairs) {
    p.oldOffsets = offsets(p.old);
    p.newOffsets = offsets(p.new);
  }
  return data;
}

/**
 * Run `prepare(pair, case)` once per case (what an annotation stores when it is made: its
 * selectors), then time `anchor(pair, prepared)` over every case, `runs` times; answers of the
 * first run as code point ranges of the new text, or null (orphan).
 */
export function bench(tool, data, prepare, anchor, runs) {
  const prepared = data.pairs.map((p) => p.cases.map((c) => prepare(p, c)));
  const n = prepared.reduce((a, cs) => a + cs.length, 0);
  let answers = null;
  const runsNs = [];
  for (let r = 0; r < runs; r++) {
    const out = [];
    const t = process.hrtime.bigint();
    data.pairs.forEach((p, i) => {
      for (const sel of prepared[i]) out.push(anchor(p, sel));
    });
    runsNs.push(Number(process.hrtime.bigint() - t));
    if (answers === null) {
      // UTF-16 ranges of the new text -> code point ranges.
      const cp = data.pairs.flatMap((p) => p.cases.map(() => p.newOffsets.cpOfUnit));
      answers = out.map((a, k) =>
        a === null ? null : { start: cp[k][a.start], end: cp[k][a.end] },
      );
    }
  }
  const sorted = [...runsNs].sort((a, b) => a - b);
  return {
    tool,
    cases: n,
    runs_ns: runsNs,
    ns_per_citation: sorted[Math.floor(sorted.length / 2)] / n,
    answers,
  };
}

/** Command line: `node tool.mjs CASES_JSON OUT_JSON [RUNS]`. */
export function cli() {
  const [casesPath, outPath, runs] = process.argv.slice(2);
  if (!casesPath || !outPath) {
    console.error(`usage: node ${process.argv[1]} CASES_JSON OUT_JSON [RUNS]`);
    process.exit(2);
  }
  return { data: readCases(casesPath), outPath, runs: Number(runs ?? 5) };
}

export function write(path, result) {
  writeFileSync(path, JSON.stringify(result));
  console.log(
    `${result.tool}: ${result.cases} citations, ${Math.round(result.ns_per_citation)} ns per citation (median of ${result.runs_ns.length} runs)`,
  );
}
