#!/usr/bin/env bash
# Side-by-side re-anchoring bench (issue #4): prov vs the Hypothesis anchoring policy
# (npm approx-string-match 2.0.0) vs npm diff-match-patch `match_main`, on the real-revision
# cases of tests/data/revisions. Not run in CI. Needs cargo, node (>= 18) and npm.
#
#   bench/reanchor/run.sh            # 5 timed runs per tool
#   RUNS=3 bench/reanchor/run.sh     # fewer JS runs (prov always takes the median of 5)
#
# Writes bench/reanchor/out/ (git-ignored) and rewrites the machine and re-anchoring sections
# of BENCHMARKS.md.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
out="$here/out"
runs="${RUNS:-5}"
mkdir -p "$out"

echo "== 1. prov: cases and timings (release build)"
(cd "$root" && cargo run --release --quiet --example reanchor_cases -- "$out")

echo "== 2. JS matchers"
cd "$here"
if [ -f package-lock.json ]; then
    npm ci --no-audit --no-fund --loglevel=error
else
    npm install --no-audit --no-fund --loglevel=error
fi
node hypothesis.mjs "$out/cases.json" "$out/hypothesis.json" "$runs"
node hypothesis.mjs --exact-first "$out/cases.json" "$out/hypothesis-exact-first.json" "$runs"
node dmp.mjs "$out/cases.json" "$out/dmp.json" "$runs"

echo "== 3–4. classification and BENCHMARKS.md"
BENCH_NPROC="$(nproc)" \
BENCH_CPU="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
BENCH_MEM="$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)" \
BENCH_VERSIONS="$(rustc --version | cut -d' ' -f1-2), Node $(node --version), prov $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src Cargo.toml 2>/dev/null || echo '+uncommitted')" \
BENCH_COMMAND="bench/reanchor/run.sh" \
    node report.mjs "$out" "$root/BENCHMARKS.md"
