#!/usr/bin/env python3
"""A sample of a pending workspace's re-anchoring work, as the cases file of bench/reanchor
(`{pairs: [{doc, from, to, old, new, cases: [{quote, old_start, old_end}]}]}`), for the JS
re-anchoring peers (hypothesis.mjs, dmp.mjs) to run on the same work as `prov check`.

Usage: peer_cases.py PENDING_WORKSPACE N OUT_JSON

Sources are taken evenly spread over the id order (so their sizes are representative) until
their citations number at least N; every citation of a taken source is a case, at its span in
the pinned snapshot (the old text), re-anchored in the pending capture (the new text).
"""
import json
import pathlib
import sys
import tomllib


def main():
    ws, n, out = pathlib.Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    sources = sorted(tomllib.loads((ws / "sources.toml").read_text("utf-8"))["sources"])
    cites = {}
    for f in sorted((ws / "claims").rglob("*.toml")):
        for claim in tomllib.loads(f.read_text("utf-8")).get("claim", []):
            for c in claim.get("cite", []):
                if "span" in c:
                    cites.setdefault(c["source"], []).append(c)
    total = sum(len(v) for v in cites.values())
    stride = max(1, total // max(1, n))
    pairs, taken = [], 0
    for k in range(0, len(sources), stride):
        if taken >= n:
            break
        sid = sources[k]
        new_path = ws / "snapshots" / f"{sid}.new.txt"
        if sid not in cites or not new_path.exists():
            continue
        old = (ws / "snapshots" / f"{sid}.txt").read_text("utf-8")
        new = new_path.read_text("utf-8")
        cases = [
            {"quote": c["quote"], "old_start": c["span"][0], "old_end": c["span"][1]}
            for c in cites[sid]
            if c["span"][1] <= len(old)
        ]
        pairs.append({"doc": sid, "from": "pinned", "to": "pending", "old": old, "new": new, "cases": cases})
        taken += len(cases)
    pathlib.Path(out).write_text(json.dumps({"pairs": pairs}), "utf-8")
    size = sum(len(p["old"].encode()) for p in pairs)
    print(f"  sample: {taken} citations of {len(pairs)} sources ({size / 1e6:.1f} MB of pinned text)")


main()
