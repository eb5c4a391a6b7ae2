#!/usr/bin/env bash
# Neovim's LSP client (Debian's neovim, headless) shows prov's diagnostics for an unsaved edit.
# Skipped (exit 0, with a note) when nvim is not installed, unless PROV_REQUIRE_JUDGES=1.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
repo="$(cd "$here/../../.." && pwd)"
if ! command -v nvim >/dev/null 2>&1; then
  if [ "${PROV_REQUIRE_JUDGES:-}" = 1 ]; then echo "nvim is not installed (Debian: apt-get install neovim)"; exit 1; fi
  echo "note: nvim is not installed: the Neovim smoke test is skipped"; exit 0
fi
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
cp -r "$repo/tests/fixtures/tiny" "$work/ws"
export WS="$work/ws" PROV_BIN="${PROV_BIN:-$repo/target/release/prov}"
out="$(timeout 60 nvim --headless --clean -u NONE -c "luafile $here/smoke.lua" 2>&1)" || { echo "$out"; echo "FAIL: nvim"; exit 1; }
echo "$out"
echo "$out" | grep -q 'changed the quote differs from what `wire-fr` says' || { echo "FAIL: no changed diagnostic"; exit 1; }
cmp -s "$repo/tests/fixtures/tiny/claims/facts.toml" "$WS/claims/facts.toml" || { echo "FAIL: the file was written"; exit 1; }
