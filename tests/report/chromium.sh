#!/usr/bin/env bash
# The HTML report in a real headless Chromium (Debian's chromium): the page loads with no
# console error, every claim id of the example is on it, and screenshots (desktop and phone)
# are written to target/report/ for people to look at (not compared pixel by pixel).
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
if ! command -v chromium >/dev/null 2>&1; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
  else
    echo "chromium is not installed (Debian: apt-get install chromium)"; exit 1
  fi
fi
out="$repo/target/report"
mkdir -p "$out"
cargo run --locked --quiet --release -- report --format html -o "$out/report.html"
profile="$(mktemp -d)"
trap 'rm -rf "$profile"' EXIT
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
       --disable-background-networking --disable-component-update --disable-sync
       --user-data-dir="$profile" --enable-logging=stderr --v=0)
url="file://$out/report.html"

chromium "${flags[@]}" --dump-dom "$url" > "$out/dom.html" 2> "$out/console.log"
missing=0
for id in $(grep -ho '^id = "[^"]*"' claims/*.toml | sed 's/id = "\(.*\)"/\1/'); do
  grep -q "id=\"claim-$id\"" "$out/dom.html" || { echo "missing claim $id"; missing=$((missing+1)); }
done
claims=$(grep -ho '^id = "' claims/*.toml | wc -l)
errors=$(grep -E 'CONSOLE|Uncaught|Failed to load resource' "$out/console.log" || true)
if [ -n "$errors" ]; then echo "console errors:"; echo "$errors"; exit 1; fi
[ "$missing" = 0 ] || exit 1

chromium "${flags[@]}" --window-size=1280,2400 --screenshot="$out/report-desktop.png" "$url" 2>/dev/null
chromium "${flags[@]}" --window-size=390,1600 --screenshot="$out/report-phone.png" "$url" 2>/dev/null
[ -s "$out/report-desktop.png" ] && [ -s "$out/report-phone.png" ]
echo "html report in chromium: $claims claims present, no console error, screenshots in target/report/"
echo "html report: 3 passed, 0 failed"
