#!/usr/bin/env bash
# The extraction bench (issue 15): every candidate HTML → text extractor on the 181 pages of
# bench/extraction/data, scored with the data README's metric, timed on one thread, with Python
# trafilatura measured side by side in the same run. Rewrites the extraction section of
# BENCHMARKS.md. Not run in CI; needs cargo and python3 (trafilatura is pip-installed into a
# venv, $VENV, default /tmp/prov-extraction-venv).
#
#   bench/extraction/run.sh [ROUNDS]     # timed rounds per extractor (default 3)
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
rounds="${1:-3}"
venv="${VENV:-/tmp/prov-extraction-venv}"
out="$here/out"
mkdir -p "$out"

if [ ! -x "$venv/bin/python" ]; then
    python3 -m venv "$venv"
fi
"$venv/bin/pip" install -q "trafilatura==2.3.1" "lxml_html_clean==0.4.7"

(cd "$here/harness" && cargo build --release -q)
bench="$here/harness/target/release/prov-extraction-bench"

# Determinism: the same pages in two processes must give the same texts.
"$bench" "$here/data" --digests > "$out/digests-1.tsv"
"$bench" "$here/data" --digests > "$out/digests-2.tsv"
nondet="$(diff "$out/digests-1.tsv" "$out/digests-2.tsv" | sed -n 's/^< [0-9a-f]*\t//p' | paste -sd, - || true)"

"$venv/bin/python" "$here/trafilatura_run.py" "$here/data" "$out/trafilatura.json" "$rounds"
"$bench" "$here/data" --rounds "$rounds" --python "$out/trafilatura.json" --markdown > "$out/table.md"
"$bench" "$here/data" --rounds "$rounds" --parsers --python "$out/trafilatura.json" --markdown > "$out/parsers.md"

cpu="$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
mem="$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)"
rev="$(cd "$root" && git rev-parse --short HEAD)$(cd "$root" && git diff --quiet HEAD -- src Cargo.toml || echo +uncommitted)"
{
    echo "<!-- extraction:begin -->"
    echo "Command: \`bench/extraction/run.sh $rounds\` (not run in CI; needs cargo, python3 and pip)."
    echo
    echo "Machine: $(nproc) CPUs ($cpu), $mem; rustc $(rustc --version | cut -d' ' -f2), $("$venv/bin/python" --version), prov $rev, measured $(date -u +%Y-%m-%d)."
    echo
    echo "Data: the 181 pages of \`bench/extraction/data\` (Zyte article-extraction benchmark, MIT). Metric:"
    echo "the data README's (4-word shingles of \`\\w+\` Unicode tokens, multiset; per-page precision and"
    echo "recall averaged over the pages; F1 of the two averages). Every extractor gets the raw bytes"
    echo "(crates that take \`&str\` get prov's charset decoding, inside their time); pages/s is one"
    echo "thread, the fastest of $rounds timed rounds after one warm-up round (the machine is shared;"
    echo "load average $(cut -d' ' -f1-3 /proc/loadavg) at the end), all in the same run."
    echo
    cat "$out/table.md"
    echo
    echo "Parsers alone, the floor under any extractor built on them (same run, same pages):"
    echo
    sed -n '1,2p;/parse only\|decode only/p' "$out/parsers.md" | sed 's/| 0.000 | 0.000 | 0.000 /| — | — | — /'
    echo
    if [ -n "$nondet" ]; then
        echo "Not deterministic (texts differ between two processes): $nondet."
    else
        echo "Deterministic: every extractor gave the same texts in two processes."
    fi
    echo "<!-- extraction:end -->"
} > "$out/section.md"

python3 - "$root/BENCHMARKS.md" "$out/section.md" <<'PY'
import re, sys
path, section = sys.argv[1], open(sys.argv[2], encoding="utf-8").read().rstrip("\n")
text = open(path, encoding="utf-8").read()
pattern = re.compile(r"<!-- extraction:begin -->.*?<!-- extraction:end -->", re.S)
if pattern.search(text):
    text = pattern.sub(lambda _: section, text)
else:
    text = text.rstrip("\n") + "\n\n## HTML → text extraction (issue 15)\n\n" + section + "\n"
open(path, "w", encoding="utf-8").write(text)
PY
cat "$out/section.md"
