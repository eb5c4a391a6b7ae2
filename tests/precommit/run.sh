#!/usr/bin/env bash
# The pre-commit framework runs prov's hooks from this repository (its HEAD commit) against a
# temporary repository holding the tiny workspace: passing, and failing with the diagnostic.
# Needs python3 with venv and PyPI; installs pre-commit into target/precommit-venv. The hook
# environment (a release build of prov) is installed once and reused by every run below.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
venv="$repo/target/precommit-venv"
if [ ! -x "$venv/bin/pre-commit" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --disable-pip-version-check 'pre-commit>=3,<5'
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PRE_COMMIT_HOME="$repo/target/precommit-cache"
cp -r "$repo/tests/fixtures/tiny/." "$work/"
cd "$work"
git init -q
git -c user.name=t -c user.email=t@example.org add .
git -c user.name=t -c user.email=t@example.org commit -q -m workspace
cat > .pre-commit-config.yaml <<CONFIG
repos:
  - repo: $repo
    rev: $(git -C "$repo" rev-parse HEAD)
    hooks:
      - id: prov
      - id: prov-workspace
CONFIG
run() { "$venv/bin/pre-commit" run "$@"; }

echo "-- a clean workspace passes"
run prov --files claims/facts.toml claims/embassy.toml
run prov-workspace --files sources.toml

echo "-- a broken quote fails, with the diagnostic"
sed -i 's/avait 66 ans/avait 65 ans/' claims/facts.toml
if out=$(run prov --files claims/facts.toml 2>&1); then
  echo "$out"; echo "FAIL: the hook passed a broken quote"; exit 1
fi
echo "$out" | grep -q 'error\[changed\]' || { echo "$out"; echo "FAIL: no diagnostic"; exit 1; }

echo "-- a tampered snapshot fails the workspace hook"
git checkout -q claims/facts.toml
printf 'x' >> snapshots/blog-en.txt
if out=$(run prov-workspace --files snapshots/blog-en.txt 2>&1); then
  echo "$out"; echo "FAIL: the hook passed a tampered snapshot"; exit 1
fi
echo "$out" | grep -q 'error\[snapshot-modified\]' || { echo "$out"; echo "FAIL: no diagnostic"; exit 1; }
echo "pre-commit framework: 4 passed, 0 failed"
