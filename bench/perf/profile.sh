#!/usr/bin/env bash
# Where prov check spends its time on a generated workspace: perf record (DWARF call graphs) of
# the full check and of the pre-commit path (one claim file, 20 runs in a row), summarised as the
# top symbols by self time and by inclusive time.
#
#   bench/perf/profile.sh WORKSPACE OUT_PREFIX
#
# PROV_BIN: the binary to profile (default target/release/prov).
# Writes OUT_PREFIX.check.txt and OUT_PREFIX.one.txt (perf.data files are deleted). Called by
# bench/perf/run.sh for the largest size measured; needs perf (Debian: linux-perf).
set -euo pipefail
ws="$1"
out="$2"
here="$(cd "$(dirname "$0")" && pwd)"
prov="${PROV_BIN:-$(cd "$here/../.." && pwd)/target/release/prov}"
perf="$(command -v perf)"
cd "$ws"
one="$(find claims -name '*.toml' | sort | sed -n 1p)"

summarise() { # summarise PERF_DATA TITLE OUT
    {
        echo "## $2"
        echo "### self time (top 15 symbols)"
        "$perf" report -i "$1" --no-children --sort symbol --stdio -g none --percent-limit 0.5 2>/dev/null \
            | grep -E '^ +[0-9]' | sed -n '1,15p' | sed -E 's/ +- +- *$//; s/ +$//'
        echo "### inclusive time (top 25 functions of prov and its libraries, callees included)"
        "$perf" report -i "$1" --children --sort symbol --stdio -g none --percent-limit 1 2>/dev/null \
            | grep -E '^ +[0-9]' | grep -v '(inlined)' \
            | grep -E '\] (<?prov::|<?toml|<?serde|<?sha2|<?similar|<?strsim|<?unicode|<?memchr)' \
            | sed -E 's/ +- +- *$//; s/ +$//' \
            | awk '{ k = $0; sub(/^[^]]*\] /, "", k); if (!seen[k]++) print }' | sed -n '1,25p'
    } > "$3"
}

"$perf" record -q -o "$out.check.data" -F 1999 --call-graph dwarf,16384 -- \
    "$prov" check --format json > /dev/null 2>&1 || true
summarise "$out.check.data" "prov check --format json ($ws)" "$out.check.txt"
rm -f "$out.check.data"

"$perf" record -q -o "$out.one.data" -F 1999 --call-graph dwarf,16384 -- \
    sh -c "for i in \$(seq 20); do '$prov' check '$one' > /dev/null 2>&1; done" || true
summarise "$out.one.data" "prov check $one, 20 runs ($ws)" "$out.one.txt"
rm -f "$out.one.data"
echo "wrote $out.check.txt $out.one.txt"
