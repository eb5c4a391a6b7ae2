#!/usr/bin/env python3
"""Counts the verdicts in `prov check --format json` (stdin): `{"check": {verdict: n},
"pending": {verdict: n}}` on stdout, "pending" being the verdicts of the citations re-anchored
in pending captures (empty when there are none)."""
import collections
import json
import sys

d = json.load(sys.stdin)
check = collections.Counter(c.get("verdict") or "unread" for c in d["citations"])
pending = collections.Counter(c["pending"]["verdict"] for c in d["citations"] if c.get("pending"))
json.dump({"check": check, "pending": pending}, sys.stdout)
