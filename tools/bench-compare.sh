#!/usr/bin/env bash
# Speed of two gradtower binaries: `gradtower bench` with each, runs interleaved in ABBA order
# (old, new, new, old, old, new, ...) per configuration, the medians of the wall-clock ms/step
# compared. Also printed: the median of the per-pair ratios (each run index r runs old and new
# back to back, so a slow minute on a shared machine slows both of a pair) and the medians of the
# GPU-timestamp totals bench prints (a second network in the same process).
#
#   tools/bench-compare.sh OLD_BINARY NEW_BINARY [--runs N] [--configs "C1|C2|..."]
#                          [--tolerance PCT] [EXTRA BENCH ARGS...]
#
# --runs N         runs of each binary per configuration (default 5)
# --configs LIST   '|'-separated bench flag sets; "plain" is no flags
#                  (default "plain|--norm layer|--residual 1")
# --tolerance PCT  a configuration passes when median(new) <= median(old) * (1 + PCT/100)
#                  (default 3)
# Anything else is passed to every bench run after the configuration's flags (e.g. --depth 64
# --steps 5, --kernels shared). --no-peer is always passed: the figure compared is gradtower's
# own "gradtower N ms/step (wall, ...)" line, which every version of bench prints.
#
# Runs on lavapipe unless GT_KEEP_DRIVERS is set (tools/lavapipe.sh). Each run's figure, the
# medians, the ratio new/old and PASS/FAIL are printed. Exit: 0 every configuration passes, 1 any
# fails, 2 bad usage or a bench run failed (or printed no figure).
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}
die_usage() {
  echo "bench-compare.sh: $*" >&2
  echo "usage: tools/bench-compare.sh OLD_BINARY NEW_BINARY [--runs N] [--configs \"C1|C2\"]" \
    "[--tolerance PCT] [EXTRA BENCH ARGS...]" >&2
  exit 2
}

root="$(cd "$(dirname "$0")/.." && pwd)"
runs=5
configs="plain|--norm layer|--residual 1"
tolerance=3
binaries=()
extra=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --runs | --configs | --tolerance)
      [ $# -ge 2 ] || die_usage "$1 needs a value"
      case "$1" in
        --runs) runs="$2" ;;
        --configs) configs="$2" ;;
        --tolerance) tolerance="$2" ;;
      esac
      shift 2
      ;;
    -*)
      extra+=("$1")
      shift
      ;;
    *)
      if [ ${#binaries[@]} -lt 2 ]; then binaries+=("$1"); else extra+=("$1"); fi
      shift
      ;;
  esac
done
[ ${#binaries[@]} -eq 2 ] || die_usage "expected OLD_BINARY and NEW_BINARY, got ${#binaries[@]} path(s)"
[[ "$runs" =~ ^[1-9][0-9]*$ ]] || die_usage "--runs $runs: expected a positive integer"
[[ "$tolerance" =~ ^[0-9]+(\.[0-9]+)?$ ]] || die_usage "--tolerance $tolerance: expected a percentage"
for b in "${binaries[@]}"; do
  { [ -f "$b" ] && [ -x "$b" ]; } || die_usage "$b: not an executable file"
done
old_bin="$(realpath "${binaries[0]}")"
new_bin="$(realpath "${binaries[1]}")"
IFS='|' read -r -a config_list <<<"$configs"
[ ${#config_list[@]} -gt 0 ] || die_usage "--configs is empty"

# shellcheck source=tools/lavapipe.sh
source "$root/tools/lavapipe.sh"

log="$(mktemp -d "${TMPDIR:-/tmp}/bench-compare.XXXXXX")"
echo "old: $old_bin"
echo "new: $new_bin"
echo "runs: $runs per binary and configuration, interleaved ABBA; tolerance ${tolerance}%;" \
  "extra bench args: ${extra[*]:-none}; driver: ${VK_DRIVER_FILES:-system default}"
echo "bench output kept in $log"

# bench_ms BINARY LOGFILE CONFIG_FLAGS...: prints the wall ms/step of one bench run.
bench_ms() {
  local bin="$1" file="$2" rc=0 ms
  shift 2
  "$bin" bench "$@" "${extra[@]}" --no-peer >"$file" 2>&1 || rc=$?
  ms="$(sed -nE 's/^gradtower +([0-9.]+) ms\/step \(wall.*/\1/p' "$file")"
  if [ "$rc" -ne 0 ] || [ -z "$ms" ]; then
    {
      echo "bench-compare.sh: $bin bench $* ${extra[*]} --no-peer: exit $rc$([ -z "$ms" ] &&
        echo ", no 'gradtower N ms/step (wall' line"); end of its output:"
      tail -n 5 "$file" | sed 's/^/  /'
    } >&2
    exit 2
  fi
  echo "$ms"
}

# ts_ms LOGFILE: the GPU-timestamp total ms/step of one bench run ("-" when it printed none).
ts_ms() {
  local t
  t="$(sed -nE 's/.*GPU timestamps per step:.* total +([0-9.]+) ms.*/\1/p' "$1")"
  echo "${t:--}"
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END {
    if (NR % 2) print v[(NR + 1) / 2]; else printf "%.6g\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

# spread LIST...: (max - min) / median, in percent.
spread() {
  local m
  m="$(median "$@")"
  printf '%s\n' "$@" | sort -g | awk -v m="$m" 'NR == 1 { lo = $1 } { hi = $1 }
    END { printf "%.1f\n", (hi - lo) / m * 100 }'
}

failed=0
summary=()
for i in "${!config_list[@]}"; do
  config="${config_list[$i]}"
  flags=()
  [ "$config" = plain ] || read -r -a flags <<<"$config"
  echo
  echo "== config: $config"
  old_ms=()
  new_ms=()
  old_ts=()
  new_ts=()
  pair=()
  for r in $(seq 1 "$runs"); do
    # ABBA: odd runs old first, even runs new first, so neither binary always runs second (on a
    # small machine the second of a pair was measured 3-4% slower whichever binary it was).
    order=(old new)
    [ $((r % 2)) -eq 1 ] || order=(new old)
    for which in "${order[@]}"; do
      if [ "$which" = old ]; then
        ms="$(bench_ms "$old_bin" "$log/c$i-old-$r.txt" "${flags[@]}")"
        old_ms+=("$ms")
        old_ts+=("$(ts_ms "$log/c$i-old-$r.txt")")
      else
        ms="$(bench_ms "$new_bin" "$log/c$i-new-$r.txt" "${flags[@]}")"
        new_ms+=("$ms")
        new_ts+=("$(ts_ms "$log/c$i-new-$r.txt")")
      fi
      printf '  run %d  %s %9s ms/step\n' "$r" "$which" "$ms"
    done
    pair+=("$(awk -v o="${old_ms[-1]}" -v n="${new_ms[-1]}" 'BEGIN { printf "%.4f", n / o }')")
  done
  mo="$(median "${old_ms[@]}")"
  mn="$(median "${new_ms[@]}")"
  verdict="$(awk -v o="$mo" -v n="$mn" -v t="$tolerance" \
    'BEGIN { printf "%.4f %s", n / o, (n <= o * (1 + t / 100)) ? "PASS" : "FAIL" }')"
  ratio="${verdict% *}"
  verdict="${verdict#* }"
  [ "$verdict" = PASS ] || failed=1
  echo "  median old $mo ms/step (spread $(spread "${old_ms[@]}")%)," \
    "new $mn ms/step (spread $(spread "${new_ms[@]}")%)"
  echo "  ratio new/old $ratio: $verdict (tolerance ${tolerance}%)"
  echo "  median of the $runs pair ratios new/old: $(median "${pair[@]}")" \
    "(lowest $(printf '%s\n' "${pair[@]}" | sort -g | head -n 1)," \
    "highest $(printf '%s\n' "${pair[@]}" | sort -g | tail -n 1))"
  if [[ ! " ${old_ts[*]} ${new_ts[*]} " =~ " - " ]]; then
    tso="$(median "${old_ts[@]}")"
    tsn="$(median "${new_ts[@]}")"
    echo "  GPU timestamps: median total old $tso, new $tsn ms/step," \
      "ratio $(awk -v o="$tso" -v n="$tsn" 'BEGIN { printf "%.4f", n / o }')"
  fi
  summary+=("$(printf '%-16s %10s %10s %8s  %s' "$config" "$mo" "$mn" "$ratio" "$verdict")")
done

echo
printf '%-16s %10s %10s %8s  %s\n' config "old ms" "new ms" new/old verdict
printf '%s\n' "${summary[@]}"
exit "$failed"
