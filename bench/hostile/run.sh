#!/usr/bin/env bash
# Hostile input at full size (issue #13, item 6): time and peak RSS of `prov check` on
# workspaces made to cost the most (bench/hostile/gen.py says what each one is).
#
#   bench/hostile/run.sh [--write] [KIND…]
#
# Builds prov (release) and runs each workspace once: wall time and peak RSS from
# /usr/bin/time, under a time limit ($LIMIT seconds, default 300) and an address-space limit
# ($MEM_GB GiB, default 12) so that a run that would exhaust the machine is stopped and shown
# as such. PROV_BASE=/path/to/prov adds a column for another build (e.g. the commit before the
# fix). Workspaces are generated once under $HOSTILE_DATA (default /tmp/prov-hostile).
# --write replaces the section between the `hostile` markers in BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
write=0
if [[ "${1:-}" == "--write" ]]; then write=1; shift; fi
kinds=("$@")
if [[ ${#kinds[@]} -eq 0 ]]; then
  kinds=(many-4 many-4x5 near-4096 exact-4096 words-4001 pending-1 pending-10 pending-100)
fi
LIMIT=${LIMIT:-300}
MEM_GB=${MEM_GB:-12}
DATA=${HOSTILE_DATA:-/tmp/prov-hostile}
cargo build --release --quiet
PROV=$PWD/target/release/prov
mkdir -p "$DATA"

args_of() {
  case $1 in
    many-4x5|pending-*) echo "check --format json" ;;
    *) echo "check" ;;
  esac
}

# run BINARY DIR ARGS…: "seconds|peak MiB|exit" (exit "killed" past the limits)
run() {
  local bin=$1 dir=$2; shift 2
  local tf; tf=$(mktemp)
  set +e
  ( ulimit -v $((MEM_GB * 1024 * 1024)); cd "$dir" && \
    /usr/bin/time -f "%e %M" -o "$tf" timeout "$LIMIT" "$bin" "$@" > /dev/null 2> /dev/null )
  local code=$?
  set -e
  local secs kb
  read -r secs kb < <(tail -1 "$tf") || true
  rm -f "$tf"
  case $code in
    0|1) printf '%s|%s|%s' "$secs" "$((kb / 1024))" "$code" ;;
    124) printf '> %s|%s|killed (time)' "$LIMIT" "$((kb / 1024))" ;;
    *) printf '%s|%s|failed (exit %s; memory limit %s GiB?)' "$secs" "$((kb / 1024))" "$code" "$MEM_GB" ;;
  esac
}

rows=()
for kind in "${kinds[@]}"; do
  dir=$DATA/$kind
  if [[ ! -f $dir/.generated ]]; then
    python3 bench/hostile/gen.py "$PROV" "$dir" "$kind"
    touch "$dir/.generated"
  fi
  read -ra args <<< "$(args_of "$kind")"
  now=$(run "$PROV" "$dir" "${args[@]}")
  base=""
  if [[ -n "${PROV_BASE:-}" ]]; then base=$(run "$PROV_BASE" "$dir" "${args[@]}"); fi
  size=$(du -sb "$dir/snapshots" | cut -f1)
  row="| \`$kind\` | \`prov ${args[*]}\` | $((size / 1000000)) MB"
  IFS='|' read -r s m c <<< "$now"
  row+=" | $s s | $m MiB | $c"
  if [[ -n $base ]]; then
    IFS='|' read -r bs bm bc <<< "$base"
    row+=" | $bs s | $bm MiB | $bc"
  fi
  row+=" |"
  rows+=("$row")
  echo "$row" >&2
done

{
  echo "Command: \`bench/hostile/run.sh${PROV_BASE:+ with PROV_BASE}\` (not run in CI). Machine: $(nproc) CPUs, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(awk '/MemTotal/ {printf "%.1f GiB", $2/1048576}' /proc/meminfo); rustc $(rustc --version | cut -d' ' -f2); prov $(git rev-parse --short HEAD)$(git diff --quiet HEAD -- src || echo +uncommitted); measured $(date -u +%F). One run each, limits ${LIMIT} s and ${MEM_GB} GiB of address space; wall time and peak RSS by \`/usr/bin/time\`."
  echo
  if [[ -n "${PROV_BASE:-}" ]]; then
    echo "| workspace | command | snapshots | time | peak RSS | exit | before: time | before: peak RSS | before: exit |"
    echo "|---|---|---:|---:|---:|---|---:|---:|---|"
  else
    echo "| workspace | command | snapshots | time | peak RSS | exit |"
    echo "|---|---|---:|---:|---:|---|"
  fi
  printf '%s\n' "${rows[@]}"
} > "$DATA/section.md"
cat "$DATA/section.md"

if [[ $write == 1 ]]; then
  python3 - "$DATA/section.md" <<'PY'
import sys
section = open(sys.argv[1]).read()
doc = open('BENCHMARKS.md').read()
begin, end = '<!-- hostile:begin -->', '<!-- hostile:end -->'
a, b = doc.index(begin) + len(begin), doc.index(end)
open('BENCHMARKS.md', 'w').write(doc[:a] + '\n' + section + doc[b:])
PY
fi
