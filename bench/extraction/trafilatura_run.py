"""Python trafilatura on the bench pages, for bench/extraction/run.sh.

    python trafilatura_run.py DATA_DIR OUT_JSON ROUNDS

Extracts every page (raw bytes, as prov gets them) once untimed, then ROUNDS times on one thread,
and writes {"name", "version", "seconds" (the fastest round), "pages" (per round), "texts": {sha:
text}} for the Rust harness to score.
"""
import gzip, json, os, sys, time

import trafilatura

data, out, rounds = sys.argv[1], sys.argv[2], int(sys.argv[3])
truth = json.load(open(os.path.join(data, "ground-truth.json"), encoding="utf-8"))
pages = []
for sha in sorted(truth):
    with gzip.open(os.path.join(data, "html", sha + ".html.gz")) as f:
        pages.append((sha, f.read(), truth[sha]["url"]))

texts = {}
for sha, raw, url in pages:  # warm-up, untimed, as for the Rust candidates
    trafilatura.extract(raw, url=url)
best = float("inf")
for _ in range(rounds):  # the fastest round counts, as for the Rust candidates
    start = time.perf_counter()
    for sha, raw, url in pages:
        texts[sha] = trafilatura.extract(raw, url=url) or ""
    best = min(best, time.perf_counter() - start)
json.dump({"name": "trafilatura (Python)", "version": trafilatura.__version__,
           "seconds": best, "pages": len(pages), "texts": texts},
          open(out, "w", encoding="utf-8"), ensure_ascii=False)
print(f"trafilatura {trafilatura.__version__}: {len(pages) / best:.1f} pages/s", file=sys.stderr)
