#!/usr/bin/env python3
"""Dev aid: check the shipped example workspace without prov itself (stdlib only, Python 3.11+).

Asserts that every snapshot matches its sha256, every quote equals the snapshot's code points
[start, end), ids are unique and well-formed, every claim has a supporting citation and every
source is cited. With --flags, prints the §6 flags each fact is expected to raise.
Usage: python3 scripts/verify_example.py [WORKSPACE] [--flags]
"""
import hashlib, pathlib, re, sys, tomllib

ID = re.compile(r"[a-z0-9][a-z0-9_-]{0,63}")
args = [a for a in sys.argv[1:] if not a.startswith("--")]
root = pathlib.Path(args[0] if args else pathlib.Path(__file__).resolve().parent.parent)
errors = []

def err(msg):
    errors.append(msg)

reg = tomllib.loads((root / "sources.toml").read_text(encoding="utf-8"))
policy, sources, texts = reg.get("policy", {}), reg.get("sources", {}), {}
for sid, src in sources.items():
    if not ID.fullmatch(sid):
        err(f"sources.toml: bad source id {sid!r}")
    data = (root / "snapshots" / f"{sid}.txt").read_bytes()
    if hashlib.sha256(data).hexdigest() != src["sha256"]:
        err(f"{sid}: snapshot sha256 {hashlib.sha256(data).hexdigest()} != {src['sha256']}")
    texts[sid] = data.decode("utf-8")  # code points, no newline translation

claims, used = {}, set()
for path in sorted((root / "claims").glob("*.toml")):
    for claim in tomllib.loads(path.read_text(encoding="utf-8")).get("claim", []):
        cid, where = claim.get("id", ""), f"{path.name}:{claim.get('id')}"
        if not ID.fullmatch(cid):
            err(f"{where}: bad claim id")
        if cid in claims:
            err(f"{where}: duplicate id (also in {claims[cid][0]})")
        claims[cid] = (path.name, claim)
        if not claim.get("fact", "").strip():
            err(f"{where}: empty fact")
        cites = claim.get("cite", [])
        for c in cites:
            sid, q, (a, b) = c["source"], c["quote"], c["span"]
            used.add(sid)
            if sid not in texts:
                err(f"{where}: unknown source {sid!r}")
                continue
            if c.get("stance", "supports") not in ("supports", "contradicts"):
                err(f"{where}: bad stance {c['stance']!r}")
            if not (0 <= a < b <= len(texts[sid])) or texts[sid][a:b] != q:
                found = [m.start() for m in re.finditer(re.escape(q), texts[sid])]
                err(f"{where}: quote != {sid}[{a}:{b}] (quote found at {found}): {q!r}")
        if not any(c.get("stance", "supports") == "supports" for c in cites):
            err(f"{where}: no supporting citation")

for sid in sources.keys() - used:
    err(f"sources.toml: source {sid!r} is never cited")

if "--flags" in sys.argv:  # expected §6 flags; an "unknown" origin counts as no origin
    for cid, (fname, claim) in claims.items():
        sup = [c for c in claim["cite"] if c.get("stance", "supports") == "supports"]
        origins = lambda cs: sorted({sources[c["source"]].get("origin") or sources[c["source"]]["outlet"] for c in cs})
        known = [o for o in origins(sup) if o != "unknown"]
        con = [c for c in claim["cite"] if c.get("stance") == "contradicts"]
        flags = [f for f, on in [
            ("single-origin", len(known) < policy.get("min_origins", 1)),
            ("attributed-only", all("said_by" in c for c in sup)),
            ("contested", bool(con)),
            ("unknown-origin", "unknown" in origins(sup))] if on]
        print(f"{fname:22} {cid:36} +{known} -{origins(con)} {flags}")

for e in errors:
    print("error:", e, file=sys.stderr)
n = sum(len(c["cite"]) for _, c in claims.values())
print(f"{len(sources)} sources, {len(claims)} claims, {n} citations: {'FAIL' if errors else 'ok'}")
sys.exit(1 if errors else 0)
