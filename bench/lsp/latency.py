"""How long after a change `prov lsp` publishes the diagnostics of the changed document.

    python3 bench/lsp/latency.py PROV WORKSPACE CLAIM_FILE [--runs N] [--json OUT]

The server is started on WORKSPACE, CLAIM_FILE (relative) is opened and its first diagnostics
awaited, then the workspace's first full check is let finish. Then, RUNS times, one character
of a quote is changed (an incremental didChange, as an editor sends a keystroke), alternately
breaking and restoring the quote, and the time from sending the change to receiving the
publishDiagnostics of that document version is measured. The runs are 300 ms apart: each
follows a quiet spell, which the server checks at once. A burst is then measured: 10 keystrokes
10 ms apart (faster than the debounce, so they wait for quiet), from the last one to the
diagnostics of the last version. Everything runs with the server's defaults (debounce 20 ms)."""

import argparse
import json
import pathlib
import statistics
import sys
import time

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
from rawclient import RawClient  # noqa: E402


def quote_position(text):
    """(line, character) of the last character of the first quote, and that character."""
    for i, line in enumerate(text.splitlines()):
        s = line.lstrip()
        if s.startswith('quote = "') and s.endswith('"') and len(s) > 12:
            col = len(line) - 2  # the last character inside the quotes
            ch = line[col]
            if ord(ch) < 0x80 and ch not in '\\"':
                return i, col, ch
    raise SystemExit("no single-line quote with an ASCII last character to edit")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("prov")
    ap.add_argument("workspace")
    ap.add_argument("file")
    ap.add_argument("--runs", type=int, default=30)
    ap.add_argument("--json")
    args = ap.parse_args()
    ws = pathlib.Path(args.workspace).resolve()
    path = ws / args.file
    uri = path.as_uri()
    text = path.read_text(encoding="utf-8")
    line, col, original = quote_position(text)

    c = RawClient([str(pathlib.Path(args.prov).resolve()), "lsp"], cwd=str(ws))
    c.initialize(ws.as_uri(), {})
    t0 = time.perf_counter()
    c.notify(
        "textDocument/didOpen",
        {"textDocument": {"uri": uri, "languageId": "toml", "version": 1, "text": text}},
    )

    def published(version, timeout=120):
        at, _ = c.wait_notification(
            lambda m: m["method"] == "textDocument/publishDiagnostics"
            and m["params"]["uri"] == uri
            and m["params"].get("version") == version,
            timeout,
        )
        return at

    first = published(1) - t0
    # Let the first full check finish and its diagnostics arrive.
    time.sleep(2.0)
    while not c.notifications.empty():
        c.notifications.get()

    version = 1

    def keystroke(ch):
        nonlocal version
        version += 1
        c.notify(
            "textDocument/didChange",
            {
                "textDocument": {"uri": uri, "version": version},
                "contentChanges": [
                    {
                        "range": {
                            "start": {"line": line, "character": col},
                            "end": {"line": line, "character": col + 1},
                        },
                        "text": ch,
                    }
                ],
            },
        )
        return version

    samples = []
    for i in range(args.runs):
        ch = "X" if i % 2 == 0 else original
        sent = time.perf_counter()
        v = keystroke(ch)
        samples.append(published(v) - sent)
        time.sleep(0.3)
    if version % 2 == 0:  # leave the quote as it was
        keystroke(original)
        published(version)
        time.sleep(0.3)

    bursts = []
    for b in range(5):
        for k in range(10):
            last = time.perf_counter()
            v = keystroke("X" if k % 2 == 0 else original)
            time.sleep(0.01)
        bursts.append(published(v) - last)
        time.sleep(0.5)
    code = c.close()
    ms = [s * 1000 for s in samples]
    ms.sort()
    result = {
        "file": args.file,
        "runs": len(ms),
        "first_diagnostics_ms": first * 1000,
        "median_ms": statistics.median(ms),
        "p90_ms": ms[int(0.9 * (len(ms) - 1))],
        "min_ms": ms[0],
        "max_ms": ms[-1],
        "burst_median_ms": statistics.median(b * 1000 for b in bursts),
        "exit": code,
    }
    print(json.dumps(result, indent=2))
    if args.json:
        pathlib.Path(args.json).write_text(json.dumps(result))


if __name__ == "__main__":
    main()
