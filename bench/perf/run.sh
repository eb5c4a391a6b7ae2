#!/usr/bin/env bash
# The performance bench of issue #7: prov check / report / re-anchoring against the floor
# (sha256sum, cat) and the plain-tool baseline (grep -F -f), side by side, on generated
# workspaces (examples/gen_workload.rs).
#
#   bench/perf/run.sh [S M L [XL] [D]] # default: S M L; rewrites the check section of BENCHMARKS.md
#                                      # (D: the dense shape, many citations per byte of text)
#   bench/perf/run.sh --smoke        # CI: S only, one run each, nothing rewritten, a few seconds
#
# Environment: PERF_DATA (default /work/perf-data: generated workspaces, cached per size and
# generator version; never inside the repo), RUNS (warm runs per command, default 5, at least 3),
# PEER_CITES (citations sampled for the JS re-anchoring peers, default 1000; 0 skips them).
#
# Each command is timed with bash's EPOCHREALTIME around `/usr/bin/time -f %M` (peak RSS of the
# process tree). Exit status: non-zero as soon as any measured command fails (prov: anything but
# 0 or 1, i.e. "could not run"; the generated workspaces have broken citations on purpose).
set -euo pipefail
trap 'echo "run.sh: failed (exit $?) at line $LINENO: $BASH_COMMAND" >&2' ERR
export LC_ALL=C.UTF-8

here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
smoke=0
sizes=()
for a in "$@"; do
    case "$a" in
        --smoke) smoke=1 ;;
        S|M|L|XL|D) sizes+=("$a") ;;
        -h|--help) sed -n '2,18p' "$0"; exit 0 ;;
        *) echo "run.sh: unknown argument $a (sizes: S M L XL D; or --smoke)" >&2; exit 2 ;;
    esac
done
if [ "$smoke" = 1 ]; then
    sizes=(S)
    runs=1
    data="$(mktemp -d)"
    trap 'rm -rf "$data"' EXIT
else
    [ ${#sizes[@]} -gt 0 ] || sizes=(S M L)
    runs="${RUNS:-5}"
    [ "$runs" -ge 3 ] || { echo "run.sh: RUNS must be at least 3" >&2; exit 2; }
    data="${PERF_DATA:-/work/perf-data}"
    case "$(realpath -m "$data")/" in
        "$root"/*) echo "run.sh: PERF_DATA must be outside the repository" >&2; exit 2 ;;
    esac
fi
mkdir -p "$data"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"; [ "$smoke" = 1 ] && rm -rf "$data"; true' EXIT

# An example builds with the dev-dependencies: in a smoke run the generator is the dev build
# that `cargo test` already made (generating S takes no time), so CI compiles no release build
# of the test crates.
gen_profile=release
[ "$smoke" = 1 ] && gen_profile=debug
echo "== build (prov: release; the generator: $gen_profile)"
(cd "$root" && cargo build --release --locked --quiet --bin prov)
if [ "$gen_profile" = release ]; then
    (cd "$root" && cargo build --release --locked --quiet --example gen_workload)
else
    (cd "$root" && cargo build --locked --quiet --example gen_workload)
fi
# Measure copies: target/ may be rebuilt by someone else while the bench runs.
prov_version="prov $(git -C "$root" rev-parse --short HEAD)$(git -C "$root" diff --quiet HEAD -- src Cargo.toml Cargo.lock 2>/dev/null || echo '+uncommitted')"
cp "$root/target/release/prov" "$tmp/prov"
cp "$root/target/$gen_profile/examples/gen_workload" "$tmp/gen_workload"
prov="$tmp/prov"
gen="$tmp/gen_workload"
prov_version="$prov_version (binary sha256 $(sha256sum "$prov" | cut -c1-12))"

time_bin=""
if [ -x /usr/bin/time ] && /usr/bin/time -f '%M' true 2>/dev/null; then
    time_bin=/usr/bin/time
elif [ "$smoke" = 0 ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
    echo "== installing GNU time (Debian package time) for peak RSS"
    apt-get install -y -qq time >/dev/null 2>&1 || true
    [ -x /usr/bin/time ] && time_bin=/usr/bin/time
fi
[ -n "$time_bin" ] || echo "note: GNU time missing: peak RSS not measured"

cold=0
if [ "$smoke" = 0 ]; then
    if (sync && echo 3 > /proc/sys/vm/drop_caches) 2>/dev/null; then
        cold=1
    else
        echo "note: cannot write /proc/sys/vm/drop_caches: cold not measurable here"
    fi
fi

results="$data/results.tsv"
[ "$smoke" = 1 ] || results="$data/results-$(date -u +%Y%m%dT%H%M%SZ).tsv"
printf 'size\tcommand\tphase\tseconds\trss_kb\tcpu_s\n' > "$results"

# measure SIZE COMMAND PHASE OK_CODES -- CMD...: run CMD (stdout to /dev/null), record wall time
# and peak RSS; fail the bench when its exit status is not one of OK_CODES.
measure() {
    local size=$1 key=$2 phase=$3 ok=$4 rc t0 t1 rss="" cpu="" us
    shift 5
    t0=$EPOCHREALTIME
    if [ -n "$time_bin" ]; then
        "$time_bin" -f '%M %U %S' -o "$tmp/rss" "$@" > /dev/null 2> "$tmp/err" && rc=0 || rc=$?
    else
        "$@" > /dev/null 2> "$tmp/err" && rc=0 || rc=$?
    fi
    t1=$EPOCHREALTIME
    if [[ " $ok " != *" $rc "* ]] && [[ " $ok " == *" * "* ]]; then
        echo "  $key $phase: exit $rc (tolerated, recorded as failed): $(head -c 300 "$tmp/err")"
        printf '%s\t%s\t%s\t%s\t%s\t\n' "$size" "$key" "failed" "$rc" "" >> "$results"
        return 0
    fi
    if [[ " $ok " != *" $rc "* ]]; then
        echo "FAILED ($size $key): exit $rc from: $*" >&2
        head -c 2000 "$tmp/err" >&2
        exit 1
    fi
    if [ -n "$time_bin" ]; then
        read -r rss u s < <(tail -n 1 "$tmp/rss")
        cpu="$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')"
    fi
    us=$(( ${t1/./} - ${t0/./} ))
    printf '%s\t%s\t%s\t%d.%06d\t%s\t%s\n' "$size" "$key" "$phase" $((us / 1000000)) $((us % 1000000)) "$rss" "$cpu" >> "$results"
    printf '  %-10s %-6s %9.3f s %8s KB %6s s CPU\n' "$key" "$phase" "$(( us / 1000 ))e-3" "${rss:--}" "${cpu:--}"
}

drop_caches() { sync; echo 3 > /proc/sys/vm/drop_caches; }

gen_key="$(sha256sum "$root/examples/gen_workload.rs" | cut -c1-16)"

# generate SIZE DIR [--pending]: cached while the generator source is unchanged.
generate() {
    local size=$1 dir=$2 flag=${3:-}
    if [ -f "$dir.gen" ] && [ "$(head -n 1 "$dir.gen")" = "key: $gen_key $flag" ] && [ -f "$dir/sources.toml" ]; then
        return
    fi
    echo "== generate $size $flag -> $dir"
    rm -rf "$dir" "$dir.gen"
    { echo "key: $gen_key $flag"; "$gen" "$size" "$dir" $flag; } > "$dir.gen.tmp"
    mv "$dir.gen.tmp" "$dir.gen"
}

for size in "${sizes[@]}"; do
    ws="$data/$size"
    pws="$data/$size-pending"
    generate "$size" "$ws"
    generate "$size" "$pws" --pending
    echo "== $size: $(grep -E '^(sources|citations|snapshot_bytes|claim_bytes):' "$ws.gen" | tr '\n' ' ')"
    cd "$ws"
    # The files of the floor: every snapshot and claim file, as NUL-separated paths.
    find snapshots -maxdepth 1 -name '*.txt' ! -name '*.new.txt' -print0 | sort -z > "$data/$size.snapshots"
    find claims -name '*.toml' -print0 | sort -z > "$data/$size.claims"
    cat "$data/$size.snapshots" "$data/$size.claims" > "$data/$size.files"
    one="$(find claims -name '*.toml' | sort | sed -n 1p)"
    printf '%s\t%s\t%s\t%s\t%s\t\n' "$size" "one-file" "info" "0" "$one" >> "$results"
    printf '%s\t%s\t%s\t%s\t%s\t\n' "$size" "loadavg" "before" "0" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$results"

    # name  dir  ok-codes  command...
    cmds=(
        "check|$ws|0 1|$prov check --format json"
        "one|$ws|0 1|$prov check $one"
        "report|$ws|0 1$([ "$size" = XL ] && echo ' *' || true)|$prov report --format json"
        "reanchor|$pws|0 1|$prov check --format json"
        "sha256sum|$ws|0|xargs -0 -a $data/$size.files sha256sum"
        "cat|$ws|0|xargs -0 -a $data/$size.files cat"
        "grep|$ws|0 1|grep -F -c -r -f quotes.txt snapshots"
    )
    run_cmd() { # run_cmd PHASE ENTRY [ROUND]
        local name dir ok cmd
        IFS='|' read -r name dir ok cmd <<< "$2"
        # prov report on XL takes minutes: one warm run only.
        if [ "$size" = XL ] && [ "$name" = report ] && { [ "$1" != warm ] || [ "${3:-0}" != 0 ]; }; then
            return
        fi
        cd "$dir"
        # shellcheck disable=SC2086
        measure "$size" "$name" "$1" "$ok" -- $cmd
    }
    if [ "$cold" = 1 ]; then
        echo "-- $size cold (page cache dropped before each)"
        for e in "${cmds[@]}"; do
            drop_caches; run_cmd cold "$e"
        done
    fi
    echo "-- $size warm ($runs runs each, interleaved$([ "$smoke" = 1 ] || echo ', after one warm-up run'))"
    for e in "${cmds[@]}"; do
        [ "$smoke" = 1 ] || run_cmd warmup "$e" > /dev/null
    done
    for ((i = 0; i < runs; i++)); do
        for e in "${cmds[@]}"; do run_cmd warm "$e" "$i"; done
    done
    printf '%s\t%s\t%s\t%s\t%s\t\n' "$size" "loadavg" "after" "0" "$(cut -d' ' -f1-3 /proc/loadavg)" >> "$results"

    # The JS re-anchoring peers on a sample of the same pending captures.
    if [ "$smoke" = 0 ] && [ "${PEER_CITES:-1000}" != 0 ] && command -v node >/dev/null \
        && [ -d "$root/bench/reanchor/node_modules/approx-string-match" ]; then
        echo "-- $size re-anchoring peers on a sample of ${PEER_CITES:-1000} citations"
        python3 "$here/peer_cases.py" "$pws" "${PEER_CITES:-1000}" "$data/$size.cases.json"
        (cd "$root/bench/reanchor" \
            && node hypothesis.mjs "$data/$size.cases.json" "$data/$size.hypothesis.json" 1 \
            && node dmp.mjs "$data/$size.cases.json" "$data/$size.dmp.json" 1)
    fi
    cd "$root"
done

if [ "$smoke" = 1 ]; then
    echo "smoke: every command ran ($(($(wc -l < "$results") - 1)) measurements)"
    exit 0
fi

# The verdicts of each workspace's citations, for the report (counted, the JSON is not kept).
echo "== verdict counts"
for size in "${sizes[@]}"; do
    for w in "$size" "$size-pending"; do
        (cd "$data/$w" && { "$prov" check --format json || true; } | python3 "$here/verdicts.py" > "$data/$w.verdicts.json")
    done
done

# Where the time goes: a perf profile of L if measured, else of the largest size (PROFILE=0
# skips it; XL is not profiled: DWARF call graphs of it would take gigabytes).
largest="${sizes[${#sizes[@]}-1]}"
[[ " ${sizes[*]} " == *" L "* ]] && largest=L
rm -f "$data"/*.profile.check.txt "$data"/*.profile.one.txt
if [ "${PROFILE:-1}" != 0 ] && command -v perf >/dev/null; then
    echo "== perf profile of $largest"
    PROV_BIN="$prov" "$here/profile.sh" "$data/$largest" "$data/$largest.profile" || echo "note: perf profile failed"
fi

echo "== BENCHMARKS.md"
BENCH_NPROC="$(nproc)" \
BENCH_CPU="$(grep -m1 '^model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')" \
BENCH_MEM="$(awk '/^MemTotal/ {printf "%.1f GiB", $2 / 1048576}' /proc/meminfo)" \
BENCH_VERSIONS="$(rustc --version | cut -d' ' -f1-2), $(sha256sum --version | sed -n 1p), $(grep --version | sed -n 1p), $prov_version" \
BENCH_COLD="$cold" \
BENCH_RUNS="$runs" \
BENCH_COMMAND="bench/perf/run.sh ${sizes[*]}" \
    python3 "$here/report.py" "$data" "$results" "$root/BENCHMARKS.md" "${sizes[@]}"
