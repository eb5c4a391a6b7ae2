#!/usr/bin/env bash
# The latency bench of `prov lsp` (issue #18): how long after a change the diagnostics of the
# changed claim file are published, on the example workspace (target: 50 ms) and on one claim
# file of the L workspace (target: 100 ms). Rewrites the lsp section of BENCHMARKS.md.
#
#   bench/lsp/run.sh            # example and L
#   bench/lsp/run.sh --smoke    # the example only, 5 runs, BENCHMARKS.md untouched
#
# Environment: PERF_DATA (default /work/perf-data: the generated workspaces, shared with
# bench/perf/run.sh and cached per generator version; never inside the repository), RUNS
# (changes measured per workspace, default 30). Needs cargo and python3 (standard library only).
set -euo pipefail
export LC_ALL=C.UTF-8
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
smoke=0
[ "${1:-}" = "--smoke" ] && smoke=1
runs="${RUNS:-30}"
[ "$smoke" = 1 ] && runs=5
data="${PERF_DATA:-/work/perf-data}"
case "$(realpath -m "$data")/" in
    "$root"/*) echo "run.sh: PERF_DATA must be outside the repository" >&2; exit 2 ;;
esac
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

echo "== build (release)"
(cd "$root" && cargo build --release --locked --quiet --bin prov --example gen_workload)
cp "$root/target/release/prov" "$tmp/prov"
cp "$root/target/release/examples/gen_workload" "$tmp/gen_workload"
version="prov $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || echo '+uncommitted')"

# cli DIR FILE OUT: the median wall time of `prov check FILE` (the pre-commit path, a process
# per run) in DIR, 7 runs: the same check from the command line, under the same conditions.
cli() {
    (cd "$1" && python3 - "$tmp/prov" "$2" "$3" <<'PY'
import json, statistics, subprocess, sys, time
prov, file, out = sys.argv[1:4]
runs = []
for _ in range(8):
    t = time.perf_counter()
    subprocess.run([prov, "check", "--format", "json", file], stdout=subprocess.DEVNULL)
    runs.append((time.perf_counter() - t) * 1000)
json.dump({"cli_ms": statistics.median(runs[1:])}, open(out, "w"))
PY
    )
}

echo "== the example workspace"
mkdir "$tmp/example"
cp -r "$root/sources.toml" "$root/snapshots" "$root/claims" "$tmp/example/"
cli "$tmp/example" claims/ashraf-raid.toml "$tmp/example.cli.json"
python3 "$here/latency.py" "$tmp/prov" "$tmp/example" claims/ashraf-raid.toml \
    --runs "$runs" --json "$tmp/example.json"
[ "$smoke" = 1 ] && exit 0

echo "== the L workspace"
mkdir -p "$data"
gen_key="$(sha256sum "$root/examples/gen_workload.rs" | cut -c1-16)"
ws="$data/L"
# Generated as bench/perf/run.sh does, and cached the same way.
if ! { [ -f "$ws.gen" ] && [ "$(head -n 1 "$ws.gen")" = "key: $gen_key " ] && [ -f "$ws/sources.toml" ]; }; then
    echo "== generate L -> $ws"
    rm -rf "$ws" "$ws.gen"
    { echo "key: $gen_key "; "$tmp/gen_workload" L "$ws"; } > "$ws.gen.tmp"
    mv "$ws.gen.tmp" "$ws.gen"
fi
# The server never writes; the copy keeps the cached workspace untouched all the same.
cp -r "$ws" "$tmp/L"
load_before="$(cut -d' ' -f1-3 /proc/loadavg)"
cli "$tmp/L" claims/desk-00/claims-0000.toml "$tmp/L.cli.json"
python3 "$here/latency.py" "$tmp/prov" "$tmp/L" claims/desk-00/claims-0000.toml \
    --runs "$runs" --json "$tmp/L.json"
load_after="$(cut -d' ' -f1-3 /proc/loadavg)"

python3 - "$root/BENCHMARKS.md" "$tmp/example.json" "$tmp/L.json" "$version" "$runs" \
    "$load_before" "$load_after" "$(grep -E '^(sources|citations):' "$ws.gen" | tr '\n' ' ')" <<'PY'
import json, pathlib, re, sys, datetime, os
md, ex, l, version, runs, before, after, lsize = sys.argv[1:9]
def read(p):
    r = json.loads(pathlib.Path(p).read_text())
    r.update(json.loads(pathlib.Path(p.replace(".json", ".cli.json")).read_text()))
    return r
ex, l = read(ex), read(l)
cpu = next((x.split(":", 1)[1].strip() for x in open("/proc/cpuinfo") if x.startswith("model name")), "?")
mem = next((int(x.split()[1]) for x in open("/proc/meminfo") if x.startswith("MemTotal")), 0) / 2**20
sizes = dict(kv.split(": ") for kv in re.findall(r"(\w+: \d+)", lsize))
lsize = f"{int(sizes.get('sources', 0)):,} sources, {int(sizes.get('citations', 0)):,} citations"
rows = []
for name, r, target in (("example (S)", ex, 50), ("L, one claim file", l, 100)):
    status = "**met**" if r["median_ms"] <= target and r["p90_ms"] <= target else "**missed**"
    rows.append(
        f"| {name} | `{r['file']}` | {r['median_ms']:.1f} ms | {r['p90_ms']:.1f} ms | "
        f"{r['min_ms']:.1f}–{r['max_ms']:.1f} ms | {r['burst_median_ms']:.1f} ms | "
        f"{r['first_diagnostics_ms']:.0f} ms | {r['cli_ms']:.0f} ms | ≤ {target} ms: {status} |"
    )
section = f"""Command: `bench/lsp/run.sh` (not run in CI; `--smoke`, the example only, is quick).
Machine: {os.cpu_count()} CPUs, {cpu}, {mem:.1f} GiB (read by the script; other engineers'
builds may share it). {version}, release build; measured {datetime.date.today().isoformat()};
load average (1/5/15 min) before → after the L runs: {before} → {after}.

Method (`bench/lsp/latency.py`, a standard-library LSP client): the server is started on a copy
of the workspace, the claim file is opened, and the first whole-workspace check is let finish.
Then {runs} times, 300 ms apart, one character of the file's first quote is changed (an
incremental `didChange`, as a keystroke), alternately breaking and restoring the quote; the
figure is the time from sending the change to receiving the `publishDiagnostics` of that
version. A change after a quiet spell is checked at once (the debounce, 20 ms by default, holds
back only changes that follow one another faster). *Burst*: 10 keystrokes 10 ms apart (faster
than the debounce), from the last one to the diagnostics of the last version (median of 5). *First*: from
`didOpen` to the file's first diagnostics (a whole-workspace check). *CLI*: `prov check --format
json FILE` from the command line in the same workspace, just before (median of 7 runs, a process
each): the same check, under the same load. The L workspace ({lsize})
is generated as in the check bench; its whole check takes longer than 100 ms, so as you type the
server checks the changed file only (the pre-commit path), and the whole workspace on save.

| workspace | file | median | p90 | min–max | burst | first | CLI | target |
|---|---|---:|---:|---:|---:|---:|---:|---|
{chr(10).join(rows)}
"""
text = pathlib.Path(md).read_text()
block = f"<!-- lsp:begin -->\n{section}<!-- lsp:end -->"
if "<!-- lsp:begin -->" in text:
    text = re.sub(r"<!-- lsp:begin -->.*?<!-- lsp:end -->", lambda _: block, text, flags=re.S)
else:
    text = text.rstrip("\n") + "\n\n## Editor latency: prov lsp (issue #18)\n\n" + block + "\n"
pathlib.Path(md).write_text(text)
print(section)
PY
