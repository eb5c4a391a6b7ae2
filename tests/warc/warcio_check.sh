#!/usr/bin/env bash
# Validate WARC files with warcio (PyPI `warcio`): `warcio check` verifies every record's
# WARC-Block-Digest and WARC-Payload-Digest, `warcio index` must parse every record.
# Exit 0: all valid; 1: a file failed (warcio's output says why); 77: warcio not installed.
# Install: python3 -m pip install 'warcio==1.8.*'
set -uo pipefail
if ! command -v warcio >/dev/null 2>&1; then
    echo "warcio is not installed: skipped (python3 -m pip install 'warcio==1.8.*')" >&2
    exit 77
fi
status=0
for f in "$@"; do
    if ! out=$(warcio check -v "$f" 2>&1); then
        echo "warcio check failed on $f:" >&2
        echo "$out" >&2
        status=1
        continue
    fi
    if echo "$out" | grep -q "digest failed"; then
        echo "warcio check reports a failed digest in $f:" >&2
        echo "$out" >&2
        status=1
        continue
    fi
    if ! warcio index -f warc-type,warc-target-uri,length "$f" >/dev/null 2>&1; then
        echo "warcio index failed on $f:" >&2
        warcio index "$f" >&2
        status=1
    fi
done
exit $status
