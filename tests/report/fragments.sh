#!/usr/bin/env bash
# The text-fragment links of the example's report in real headless Chromium: each snapshot is
# served as HTML on 127.0.0.1, each link is pointed at it, and every link must highlight its
# quote where the quote starts (tests/report/fragments.mjs says how that is measured). The live
# pages (the sources' `url`s) are never contacted: only the fragment directive is tested, against
# the captured text. `.ci/run` installs playwright-core into target/judges-npm and Chromium.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
judges="${JUDGES_NPM:-$repo/target/judges-npm}"
if [ ! -d "$judges/node_modules/playwright-core" ]; then
  echo "playwright-core is not installed: npm install --prefix target/judges-npm playwright-core@1.64.1"
  exit 1
fi
command -v chromium >/dev/null 2>&1 || { echo "chromium is not installed (Debian: apt-get install chromium)"; exit 1; }
if [ -z "${PROV_BIN:-}" ]; then cargo build --locked --quiet --release; fi
prov="${PROV_BIN:-$repo/target/release/prov}"
out="$repo/target/report"
mkdir -p "$out"
"$prov" report --format json -o "$out/report.json" >/dev/null 2>&1 || [ -s "$out/report.json" ]
JUDGES_NPM="$judges" node tests/report/fragments.mjs "$out/report.json" "$repo"
