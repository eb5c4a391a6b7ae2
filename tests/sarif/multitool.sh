#!/usr/bin/env bash
# prov's SARIF, validated by Microsoft's SARIF Multitool (npm @microsoft/sarif-multitool: its
# platform package ships a self-contained .NET build, so no .NET install is needed) with its SARIF
# rules and GitHub's ("--rule-kind Sarif;Gh": what GitHub code scanning requires of an upload),
# on real outputs:
#   - the example workspace, as it is and broken (findings of every level);
#   - claim files with awkward names (a space, `,`, `:`, `%`, an accent, an emoji), and findings
#     on lines with emoji and accents;
#   - the workspace in a directory with a space, checked from its parent (a path prefix);
#   - an invalid workspace with a claim file that is not UTF-8 (a finding on an unreadable file).
# Every run must give no error and no warning. Without PROV_DOCS_URL the one warning left is
# SARIF2005 (no informationUri): that is checked too, so docs/gates.md stays true.
# `.ci/run` installs the Multitool into target/judges-npm; set SARIF_MULTITOOL to use another.
set -euo pipefail
repo="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$repo"
tool="${SARIF_MULTITOOL:-$repo/target/judges-npm/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool}"
if [ ! -x "$tool" ]; then
  echo "the SARIF Multitool is not installed: npm install --prefix target/judges-npm @microsoft/sarif-multitool@5.7.0"
  exit 1
fi
if [ -z "${PROV_BIN:-}" ]; then cargo build --locked --quiet --release; fi
prov="${PROV_BIN:-$repo/target/release/prov}"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export PROV_DOCS_URL="https://example.org/prov/v0.1.0/docs/"
export NO_COLOR=1

example() { mkdir -p "$1"; cp -r sources.toml claims snapshots "$1/"; }

# The example, as it is.
example "$work/example"
(cd "$work/example" && "$prov" check --format sarif > "$work/example.sarif") || true
# Broken: a moved span, a changed quote, typography, and a line with an emoji and accents.
example "$work/broken"
sed -i 's/span = \[235, 339\]/span = [230, 334]/; s/devenue violente/devenue très violente/' "$work/broken/claims/ashraf-raid.toml"
sed -i "0,/l’/s//l'/" "$work/broken/claims/cyberattack.toml"
cat > "$work/broken/claims/émoji 😀.toml" <<'EOF'
[[claim]]
id = "emoji-claim"
fact = "Tirana 🇦🇱 says « non » 😀."

[[claim.cite]]
source = "afp-breaks-ties"
quote = "😀 é 😀 une phrase qui n’existe pas"
EOF
(cd "$work/broken" && "$prov" check --format sarif > "$work/broken.sarif") || true
# Awkward names, in a directory with a space, checked from its parent.
mkdir -p "$work/repo"
cp -r tests/fixtures/tiny "$work/repo/news room"
mv "$work/repo/news room/claims/facts.toml" "$work/repo/news room/claims/my claims.toml"
mv "$work/repo/news room/claims/embassy.toml" "$work/repo/news room/claims/we,ird:na%me.toml"
sed -i 's/La victime avait 66 ans./La victime avait 65 ans./' "$work/repo/news room/claims/my claims.toml"
(cd "$work/repo" && "$prov" -C "news room" check --format sarif > "$work/names.sarif") || true
# An invalid workspace: a claim file that is not UTF-8.
cp -r tests/fixtures/tiny "$work/invalid"
printf '[[claim]]\nid = "x\377"\n' > "$work/invalid/claims/bad.toml"
(cd "$work/invalid" && "$prov" check --format sarif > "$work/invalid.sarif") || true
# The example without PROV_DOCS_URL.
(cd "$work/example" && env -u PROV_DOCS_URL "$prov" check --format sarif > "$work/nodocs.sarif") || true

# Run the Multitool on one log; print "<errors> <warnings> <rule ids>" of what it found.
validate() {
  "$tool" validate "$1" -o "$1.validation" --log ForceOverwrite --rule-kind "Sarif;Gh" > "$1.out" 2>&1 || true
  python3 - "$1.validation" <<'EOF'
import json, sys
log = json.load(open(sys.argv[1]))
run = log["runs"][0]
ok = all(i.get("executionSuccessful", False) for i in run.get("invocations", [])) and run.get("invocations")
notes = [n for i in run.get("invocations", []) for n in i.get("toolExecutionNotifications", [])]
results = run.get("results", [])
errors = [r for r in results if r.get("level", "warning") == "error"] + ([{"ruleId": "EXECUTION"}] if not ok or notes else [])
warnings = [r for r in results if r.get("level", "warning") == "warning"]
ids = sorted({r.get("ruleId", "?") for r in errors + warnings})
print(len(errors), len(warnings), ",".join(ids) or "-")
EOF
}

passed=0; failed=0
expect() { # name, file, expected "errors warnings ids"
  local got
  got="$(validate "$2")"
  if [ "$got" = "$3" ]; then
    passed=$((passed+1)); echo "ok: $1 ($got)"
  else
    failed=$((failed+1)); echo "FAILED: $1: got '$got', want '$3'"; cat "$2.out" | grep -E "error|warning" | head -20 || true
  fi
}
for f in example broken names invalid; do
  # Each log has results to validate (the invalid one: the unreadable file, at that file).
  python3 -c "import json,sys; r=json.load(open(sys.argv[1]))['runs'][0]['results']; sys.exit(0 if r or sys.argv[2]=='example' else 1)" "$work/$f.sarif" "$f" \
    || { echo "FAILED: $f: no results"; failed=$((failed+1)); }
done
expect "the example" "$work/example.sarif" "0 0 -"
expect "the broken example (emoji, accents, every level)" "$work/broken.sarif" "0 0 -"
expect "awkward file names below a directory with a space" "$work/names.sarif" "0 0 -"
expect "an invalid workspace with an unreadable claim file" "$work/invalid.sarif" "0 0 -"
expect "without PROV_DOCS_URL: only SARIF2005" "$work/nodocs.sarif" "0 1 SARIF2005"
grep -q '"uri": "news%20room/claims/we%2Cird%3Ana%25me.toml"' "$work/names.sarif" \
  && { passed=$((passed+1)); echo "ok: awkward names are percent-encoded"; } \
  || { failed=$((failed+1)); echo "FAILED: no percent-encoded uri in names.sarif"; }
grep -q '"uri": "claims/bad.toml"' "$work/invalid.sarif" \
  && { passed=$((passed+1)); echo "ok: the unreadable file is the artifact"; } \
  || { failed=$((failed+1)); echo "FAILED: the unreadable file is not the artifact"; }
echo "sarif multitool: $passed passed, $failed failed"
[ "$failed" = 0 ]
