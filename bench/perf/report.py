#!/usr/bin/env python3
"""Writes the check-performance section of BENCHMARKS.md (between `<!-- check:begin -->` and
`<!-- check:end -->`) from the measurements of bench/perf/run.sh. Only that section changes;
if the markers are missing, the placeholder section "Check performance …" (or the end of the
file) is replaced by a heading and the markers. A hand-written block between
`<!-- check-notes:begin -->` and `<!-- check-notes:end -->` is kept as it is, after the targets.

Usage: report.py DATA_DIR RESULTS_TSV BENCHMARKS_MD SIZE...   (environment: BENCH_*, from run.sh)
"""
import collections
import datetime
import json
import os
import pathlib
import re
import statistics
import sys

data = pathlib.Path(sys.argv[1])
results_path = pathlib.Path(sys.argv[2])
bench_md = pathlib.Path(sys.argv[3])
sizes = sys.argv[4:]
env = os.environ

# ---- inputs -----------------------------------------------------------------------------------


def read_gen(path):
    out = {}
    if not path.exists():
        return out
    for line in path.read_text("utf-8").splitlines():
        k, _, v = line.partition(": ")
        out[k] = v
    if "broken" in out:
        b = out["broken"].split()
        out.update({b[i]: b[i + 1] for i in range(0, len(b) - 1, 2)})
    return out


rows = collections.defaultdict(list)  # (size, command, phase) -> [(seconds, rss_kb, cpu_s)]
one_file = {}
load = collections.defaultdict(dict)
failed = {}  # (size, command) -> exit status of a tolerated failure
with results_path.open(encoding="utf-8") as f:
    next(f)
    for line in f:
        size, cmd, phase, secs, rss, cpu = line.rstrip("\n").split("\t")
        if cmd == "one-file":
            one_file[size] = rss
            continue
        if phase == "failed":
            failed[(size, cmd)] = secs
            continue
        if cmd == "loadavg":
            load[size][phase] = rss
            continue
        rows[(size, cmd, phase)].append((float(secs), int(rss) if rss else None, float(cpu) if cpu else None))


def warm(size, cmd):
    r = rows.get((size, cmd, "warm"))
    return statistics.median(x[0] for x in r) if r else None


def warm_spread(size, cmd):
    r = rows.get((size, cmd, "warm"))
    return (min(x[0] for x in r), max(x[0] for x in r)) if r else (None, None)


def cpu(size, cmd):
    r = [x[2] for x in rows.get((size, cmd, "warm"), []) if x[2] is not None]
    return statistics.median(r) if r else None


def cold(size, cmd):
    r = rows.get((size, cmd, "cold"))
    return r[0][0] if r else None


def rss(size, cmd):
    vals = [x[1] for ph in ("cold", "warm") for x in rows.get((size, cmd, ph), []) if x[1] is not None]
    return max(vals) if vals else None


gen = {s: read_gen(data / f"{s}.gen") for s in sizes}
pgen = {s: read_gen(data / f"{s}-pending.gen") for s in sizes}


def n(s, key):
    return int(gen[s].get(key, 0))


def claim_files(s):
    p = data / f"{s}.claims"
    return p.read_bytes().count(b"\0") if p.exists() else 0


def verdicts(path, pending=False):
    if not path.exists():
        return None
    d = json.loads(path.read_text("utf-8"))
    return collections.Counter(d["pending" if pending else "check"])


def peer(s, tool):
    p = data / f"{s}.{tool}.json"
    if not p.exists():
        return None
    d = json.loads(p.read_text("utf-8"))
    return d["ns_per_citation"] / 1e9, d["cases"]


# ---- formatting -------------------------------------------------------------------------------


def t(x):
    if x is None:
        return "—"
    if x < 0.01:
        return f"{x * 1e3:.1f} ms"
    if x < 1:
        return f"{x * 1e3:.0f} ms"
    return f"{x:.2f} s"


def us(x):
    if x is None:
        return "—"
    return f"{x * 1e6:.1f} µs" if x < 1e-3 else f"{x * 1e3:.2f} ms"


def ratio(a, b):
    return f"{a / b:.2f}×" if a is not None and b else "—"


def mb(b):
    return f"{b / 1e6:.1f} MB" if b >= 1e5 else f"{b / 1e3:.1f} kB"


def mem(kb):
    return "—" if kb is None else f"{kb * 1024 / 1e6:.0f} MB" if kb * 1024 >= 1e7 else f"{kb * 1024 / 1e6:.1f} MB"


def work_bytes(s):
    return n(s, "snapshot_bytes") + n(s, "claim_bytes")


runs = env.get("BENCH_RUNS", "?")
cold_ok = env.get("BENCH_COLD") == "1"
COMMANDS = [
    ("check", "`prov check`", "`prov check --format json > /dev/null`"),
    ("one", "pre-commit path", "`prov check FILE > /dev/null`, FILE the first claim file (below)"),
    ("report", "`prov report`", "`prov report --format json > /dev/null`"),
    ("reanchor", "re-anchoring", "`prov check --format json > /dev/null` in `SIZE-pending` (every source has a pending capture)"),
    ("sha256sum", "floor: sha256sum", "`xargs -0 -a FILES sha256sum > /dev/null` (FILES: every snapshot and claim file; one process at a time, one core)"),
    ("cat", "floor: cat", "`xargs -0 -a FILES cat > /dev/null`"),
    ("grep", "baseline: grep", "`grep -F -c -r -f quotes.txt snapshots > /dev/null` (GNU grep, C.UTF-8; quotes.txt: every quote, one per line)"),
]

# ---- the section ------------------------------------------------------------------------------

md = []
w = md.append
w(f"Command: `{env.get('BENCH_COMMAND', 'bench/perf/run.sh')}` (regenerates this section; the "
  "workspaces are generated once by `examples/gen_workload.rs` and cached under `/work/perf-data`, "
  "or `$PERF_DATA`). CI runs `bench/perf/run.sh --smoke`: S only, one run of each command, "
  "this file untouched, non-zero exit if a command fails.")
w("")

# Machine: the machine section above is written by bench/reanchor; check it is this machine.
machine = f"{env.get('BENCH_NPROC', '?')} CPUs, {env.get('BENCH_CPU', '?')}, {env.get('BENCH_MEM', '?')}"
text = bench_md.read_text("utf-8") if bench_md.exists() else ""
msec = re.search(r"<!-- machine:begin -->(.*?)<!-- machine:end -->", text, re.S)
same = msec and all(v in msec.group(1) for v in (env.get("BENCH_CPU", "?"), env.get("BENCH_MEM", "?"), f"(nproc): {env.get('BENCH_NPROC', '?')}"))
w(f"Machine: {machine}" + (" (the machine of the section above)." if same else
  " — **not** the machine of the Machine section above, which describes the re-anchoring run."))
w(f"Versions: {env.get('BENCH_VERSIONS', '?')}; measured {datetime.date.today().isoformat()}.")
w("")

w("Method: in each workspace directory, every command below runs once as a warm-up, then "
  f"{runs} times, interleaved (one run of each in turn); the figure is the median wall time "
  "(bash `EPOCHREALTIME` around `/usr/bin/time -f %M`, which gives the peak RSS of the process "
  "tree). " + ("Cold: one run each right after `sync; echo 3 > /proc/sys/vm/drop_caches`."
               if cold_ok else "Cold: not measurable here (cannot drop the page cache).")
  + " Other processes may share the machine: load average (1/5/15 min) before → after each size: "
  + "; ".join(f"{s} {load[s].get('before', '?')} → {load[s].get('after', '?')}" for s in sizes)
  + " (on 2 CPUs, a load above 2 means the bench competed for them); the min–max of the warm runs shows how much that moved the figures.")
w("")
w("| figure | command |")
w("|---|---|")
for key, label, cmd in COMMANDS:
    w(f"| {label} | {cmd} |")
w("")
w("`prov report` writes to standard output: the same work as `-o /dev/null`, which before d36f9dd "
  "renamed a temporary file over its target and so, run as root, replaced the `/dev/null` device "
  "with a regular file.")
w("")

# Workloads
w("### Workloads")
w("")
w("Generated by `cargo run --release --example gen_workload -- SIZE DIR [--pending]` (seed 7; S "
  "is the repository's example workspace; D is the dense shape of issue #19: many small sources "
  "and 2.5 citations per kB of text, where M, L and XL have about 1). Broken on purpose: ~2 % moved spans, ~1 % typography "
  "(one `’` of the quote turned into `'`), ~0.5 % changed (a digit altered). The pending "
  "variant adds `snapshots/<id>.new.txt` for every source: a paragraph inserted near the top, "
  "3–6 words changed, a paragraph deleted.")
w("")
w("| size | sources | snapshots | largest snapshot | claim files | claim bytes | claims | citations | moved / typography / changed | quotes with a newline (not in quotes.txt) |")
w("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
for s in sizes:
    w(f"| {s} | {n(s, 'sources'):,} | {mb(n(s, 'snapshot_bytes'))} | {mb(n(s, 'largest_snapshot_bytes'))} | "
      f"{claim_files(s):,} | {mb(n(s, 'claim_bytes'))} | {n(s, 'claims'):,} | {n(s, 'citations'):,} | "
      f"{gen[s].get('moved', '?')} / {gen[s].get('typography', '?')} / {gen[s].get('changed', '?')} | "
      f"{n(s, 'quotes_with_newline')} |")
w("")
w("Verdicts found by `prov check` (pinned snapshots) and of the same citations re-anchored in the pending captures:")
w("")
w("| size | check: verdicts | pending captures: verdicts |")
w("|---|---|---|")
for s in sizes:
    v = verdicts(data / f"{s}.verdicts.json")
    pv = verdicts(data / f"{s}-pending.verdicts.json", pending=True)
    fmt = lambda c: "—" if c is None else ", ".join(f"{k} {c[k]:,}" for k in sorted(c, key=lambda k: -c[k]))
    w(f"| {s} | {fmt(v)} | {fmt(pv)} |")
w("")

# Results
w("### Results")
w("")
w("Warm median (min–max); ratios are of the warm medians in the same run. Pre-commit FILE: "
  + ", ".join(f"{s} `{one_file.get(s, '?')}`" for s in sizes) + ".")
w("")
w("| size | figure | warm | × sha256sum | × grep | CPU (user+sys) | cold | cold × cold sha256sum | peak RSS |")
w("|---|---|---:|---:|---:|---:|---:|---:|---:|")
for s in sizes:
    sha, grep, csha = warm(s, "sha256sum"), warm(s, "grep"), cold(s, "sha256sum")
    for key, label, _ in COMMANDS:
        x = warm(s, key)
        lo, hi = warm_spread(s, key)
        spread = f" ({t(lo)}–{t(hi)})" if lo is not None and runs != "1" else ""
        if x is None and (s, key) in failed:
            w(f"| {s} | {label} | failed (exit {failed[(s, key)]}{', killed' if int(failed[(s, key)]) > 128 else ''}) | | | | | | |")
            continue
        c = cpu(s, key)
        w(f"| {s} | {label} | {t(x)}{spread} | {ratio(x, sha)} | {ratio(x, grep)} | {'—' if c is None else f'{c:.2f} s'} | {t(cold(s, key))} | "
          f"{ratio(cold(s, key), csha)} | {mem(rss(s, key))} |")
w("")

# Scaling
w("### Scaling of `prov check` (warm)")
w("")
w("Work = snapshot bytes + claim-file bytes; citations grow in the same proportion from M on. "
  "S is mostly process start-up, so the S→M step says little.")
w("")
w("| size | work | citations | `prov check` | ms per MB | µs per citation | MB/s | sha256sum MB/s | vs previous size: time ratio / work ratio |")
w("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
prev = None
for s in sizes:
    x, wb, c, sha = warm(s, "check"), work_bytes(s), n(s, "citations"), warm(s, "sha256sum")
    step = "—"
    if s == "D" or prev == "D":
        step = "another shape (D is dense): not compared"
    elif prev and x and warm(prev, "check"):
        tr, wr = x / warm(prev, "check"), wb / work_bytes(prev)
        step = f"{tr:.1f} / {wr:.1f} = **{tr / wr:.2f}** × proportional"
    w(f"| {s} | {mb(wb)} | {c:,} | {t(x)} | {x * 1e3 / (wb / 1e6):.1f} | {x * 1e6 / c:.1f} | "
      f"{wb / 1e6 / x:.0f} | {wb / 1e6 / sha:.0f} | {step} |" if x else f"| {s} | — |")
    prev = s
w("")

# Memory
w("### Memory of `prov check`")
w("")
w("| size | peak RSS | largest snapshot + claim files | ratio (target ≤ 3×) |")
w("|---|---:|---:|---:|")
for s in sizes:
    base = n(s, "largest_snapshot_bytes") + n(s, "claim_bytes")
    r = rss(s, "check")
    w(f"| {s} | {mem(r)} | {mb(base)} | {ratio(r * 1024 if r else None, base)} |")
w("")

# Re-anchoring
w("### Re-anchoring")
w("")
w("prov: `prov check` of the pending workspace re-anchors every citation in its source's pending "
  "capture (on top of checking it in the pinned snapshot); its cost per citation is taken two "
  "ways: the extra time over the plain check, divided by the citations, and the whole pending "
  "check divided by the citations (an upper bound: it also reads, hashes and checks everything). "
  "The JS peers of `bench/reanchor` (Node, one run) re-anchor a sample of the same citations in "
  "the same pending captures (`bench/perf/peer_cases.py`: sources spread over the id order, "
  "every citation of each at its span in the pinned snapshot); their time excludes reading and "
  "parsing.")
w("")
w("| size | prov: extra per citation | prov: whole pending check per citation | Hypothesis policy (approx-string-match) per citation | diff-match-patch per citation | approx-string-match ÷ prov (extra) |")
w("|---|---:|---:|---:|---:|---:|")
for s in sizes:
    c = n(s, "citations")
    rc, ch = warm(s, "reanchor"), warm(s, "check")
    extra = (rc - ch) / c if rc and ch and rc > ch else None
    whole = rc / c if rc else None
    h, d = peer(s, "hypothesis"), peer(s, "dmp")
    hs = f"{us(h[0])} ({h[1]:,} sampled)" if h else "not run"
    ds = f"{us(d[0])} ({d[1]:,} sampled)" if d else "not run"
    w(f"| {s} | {us(extra) if extra else 'within noise'} | {us(whole)} | {hs} | {ds} | {ratio(h[0] if h else None, extra)} |")
w("")

# Targets
tgt = "L" if "L" in sizes else sizes[-1]
w(f"### Targets of issue #7 (on {tgt}{'' if tgt == 'L' else ', the largest size measured: L was not run'})")
w("")
w("| target | measured | status |")
w("|---|---|---|")
ch, sha, grep = warm(tgt, "check"), warm(tgt, "sha256sum"), warm(tgt, "grep")


def status(ok, miss):
    return "**met**" if ok else f"**missed** — {miss}"


cpu_note = ""
if cpu(tgt, "check") and cpu(tgt, "sha256sum"):
    cpu_note = (f" (CPU time: {cpu(tgt, 'check'):.2f} s vs {cpu(tgt, 'sha256sum'):.2f} s = "
                f"{cpu(tgt, 'check') / cpu(tgt, 'sha256sum'):.1f}×)")
if ch and sha:
    r = ch / sha
    w(f"| `prov check` ≤ 2× the sha256sum floor | {t(ch)} vs {t(sha)}: {r:.2f}×{cpu_note} | "
      + status(r <= 2, f"{r / 2:.2f}× the target; it needs ≤ {t(2 * sha)} ({(1 - 2 * sha / ch) * 100:.0f} % less time)") + " |")
if ch and grep:
    r = ch / grep
    w(f"| `prov check` faster than the grep baseline | {t(ch)} vs {t(grep)}: {r:.2f}× | "
      + status(r < 1, f"{r:.2f}× the baseline's time") + " |")
one = warm(tgt, "one")
if one and ch:
    bound = max(0.050, 0.05 * ch)
    w(f"| pre-commit path ≤ max(50 ms, 5 % of the full check) = {t(bound)} | {t(one)} ({one / ch * 100:.1f} % of the check) | "
      + status(one <= bound, f"{one / bound:.2f}× the bound") + " |")
r = rss(tgt, "check")
if r:
    base = n(tgt, "largest_snapshot_bytes") + n(tgt, "claim_bytes")
    x = r * 1024 / base
    w(f"| peak RSS ≤ 3× (largest snapshot + claim files) = {mb(3 * base)} | {mem(r)}: {x:.1f}× | "
      + status(x <= 3, f"{x / 3:.1f}× the bound") + " |")
h = peer(tgt, "hypothesis")
rc = warm(tgt, "reanchor")
if rc and ch:
    extra = (rc - ch) / n(tgt, "citations")
    if h:
        x = h[0] / extra
        w(f"| re-anchoring ≥ 10× less time per citation than approx-string-match | prov {us(extra)} vs {us(h[0])}: {x:.0f}× less | "
          + status(x >= 10, f"{x:.1f}× instead of 10×") + " |")
    else:
        w(f"| re-anchoring ≥ 10× less time per citation than approx-string-match | prov {us(extra)}; the peer was not run | not measured |")
lin = [s for s in ("M", "L", "XL") if s in sizes and warm(s, "check")]
for a, b in zip(lin, lin[1:]):
    tr, wr = warm(b, "check") / warm(a, "check"), work_bytes(b) / work_bytes(a)
    x = tr / wr
    w(f"| linear growth {a}→{b} (within 1.3× of proportional) | time ×{tr:.1f} for work ×{wr:.1f}: {x:.2f}× proportional | "
      + status(x <= 1.3, f"{x / 1.3:.2f}× the allowance") + " |")
if "M" in lin and "XL" in lin:
    tr, wr = warm("XL", "check") / warm("M", "check"), work_bytes("XL") / work_bytes("M")
    x = tr / wr
    w(f"| linear growth M→XL (within 1.3× of proportional) | time ×{tr:.0f} for work ×{wr:.0f}: {x:.2f}× proportional | "
      + status(x <= 1.3, f"{x / 1.3:.2f}× the allowance") + " |")
if "XL" not in sizes:
    w("| linear growth up to XL | XL not run (`bench/perf/run.sh S M L XL`, ~2.5 GB under /work/perf-data) | not measured |")
w("")

# Targets of issue #19: the second round, on L, D and M→XL.
w("### Targets of issue #19")
w("")
w("| target | measured | status |")
w("|---|---|---|")
if "L" in sizes:
    r = rss("L", "check")
    if r:
        x = r * 1024 / 75e6
        w(f"| peak RSS of `prov check` on L ≤ 75 MB | {mem(r)} | " + status(x <= 1, f"{x:.1f}× the bound") + " |")
    ch, sha = warm("L", "check"), warm("L", "sha256sum")
    if ch and sha:
        r = ch / sha
        w(f"| `prov check` ≤ 1.3× the sha256sum floor on L | {t(ch)} vs {t(sha)}: {r:.2f}× | "
          + status(r <= 1.3, f"{r / 1.3:.2f}× the target; it needs ≤ {t(1.3 * sha)}") + " |")
else:
    w("| on L | L not run | not measured |")
if "D" in sizes:
    ch, sha = warm("D", "check"), warm("D", "sha256sum")
    if ch and sha:
        r = ch / sha
        w(f"| `prov check` ≤ 1.5× the sha256sum floor on the dense shape D | {t(ch)} vs {t(sha)}: {r:.2f}× | "
          + status(r <= 1.5, f"{r / 1.5:.2f}× the target; it needs ≤ {t(1.5 * sha)}") + " |")
else:
    w("| on the dense shape D | D not run (`bench/perf/run.sh … D`) | not measured |")
if "M" in sizes and "XL" in sizes and warm("M", "check") and warm("XL", "check"):
    wr = work_bytes("XL") / work_bytes("M")

    def growth(what, ratio, shown):
        x = ratio / wr
        w(f"| growth M→XL within 1.15× of proportional: {what} | {shown}×{ratio:.0f} for work ×{wr:.0f}: {x:.2f}× | "
          + status(x <= 1.15, f"{x / 1.15:.2f}× the allowance") + " |")

    growth("time", warm("XL", "check") / warm("M", "check"), "")
    if rss("M", "check") and rss("XL", "check"):
        growth("memory", rss("XL", "check") / rss("M", "check"),
               f"{mem(rss('M', 'check'))} → {mem(rss('XL', 'check'))}, ")
else:
    w("| growth M→XL | M and XL not both run | not measured |")
big = "XL" if "XL" in sizes and warm("XL", "report") else ("L" if "L" in sizes else None)
if big and warm(big, "report") and warm(big, "check"):
    tr = warm(big, "report") / warm(big, "check")
    mr = (rss(big, "report") or 0) / (rss(big, "check") or 1)
    w(f"| `prov report` ≤ 2× `check` on {big}: time, memory | {t(warm(big, 'report'))} vs {t(warm(big, 'check'))}: {tr:.2f}×; "
      f"{mem(rss(big, 'report'))} vs {mem(rss(big, 'check'))}: {mr:.2f}× | " + status(tr <= 2 and mr <= 2, f"{max(tr, mr) / 2:.2f}× the bound") + " |")
for s in [x for x in ("L", "XL") if x in sizes]:
    one, ch = warm(s, "one"), warm(s, "check")
    if one and ch:
        bound = max(0.050, 0.05 * ch)
        w(f"| pre-commit path on {s} ≤ max(50 ms, 5 % of the check) = {t(bound)} | {t(one)} ({one / ch * 100:.1f} %) | "
          + status(one <= bound, f"{one / bound:.2f}× the bound") + " |")
w("")

# Hand-written notes: kept verbatim from the previous version of the section.
NOTES_BEGIN, NOTES_END = "<!-- check-notes:begin -->", "<!-- check-notes:end -->"
m = re.search(re.escape(NOTES_BEGIN) + r".*?" + re.escape(NOTES_END), text, re.S)
if m:
    w(m.group(0))
    w("")

# Profile
prof = [data / f"{tgt}.profile.check.txt", data / f"{tgt}.profile.one.txt"]
if any(p.exists() for p in prof):
    w(f"### Where the time goes ({tgt}, `perf record --call-graph dwarf`, `bench/perf/profile.sh`)")
    w("")
    for p in prof:
        if not p.exists():
            continue
        lines = p.read_text("utf-8").splitlines()
        title = lines[0].lstrip("# ")
        self_rows, incl_rows, part = [], [], None
        for line in lines[1:]:
            if line.startswith("### self"):
                part = self_rows
            elif line.startswith("### inclusive"):
                part = incl_rows
            elif part is not None and line.strip():
                part.append(line)
        w(f"{title}: top self time — "
          + "; ".join(re.sub(r"^\s*([\d.]+%)\s+\[.\]\s+", r"\1 ", x).strip().replace("|", "\\|") for x in self_rows[:10]) + ".")
        w("")
        incl = []
        for x in incl_rows[:12]:
            m = re.match(r"\s*([\d.]+%)\s+[\d.]+%\s+\[.\]\s+(.*)", x)
            if m:
                incl.append(f"{m.group(1)} {m.group(2).strip()}")
        if incl:
            w("Inclusive (callees included): " + "; ".join(s.replace("|", "\\|") for s in incl) + ".")
            w("")

section = "\n".join(md) + "\n"

# ---- write ------------------------------------------------------------------------------------
BEGIN, END = "<!-- check:begin -->", "<!-- check:end -->"
HEADING = "## Check performance: prov check against the floor and the plain tools (issue #7)"
if BEGIN not in text or END not in text:
    m = re.search(r"^## Check performance.*?(?=^## |\Z)", text, re.S | re.M)
    block = f"{HEADING}\n\n{BEGIN}\n{END}\n"
    text = (text[: m.start()] + block + text[m.end():]) if m else (text.rstrip("\n") + "\n\n" + block)
i, j = text.index(BEGIN), text.index(END)
text = text[: i + len(BEGIN)] + "\n" + section + text[j:]
bench_md.write_text(text, "utf-8")
print(section)
print(f"wrote {bench_md}", file=sys.stderr)
