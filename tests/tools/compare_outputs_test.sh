#!/usr/bin/env bash
# CTest's compare.* tests of tools/compare-outputs.sh on two small scenes, 2 steps:
#   compare_outputs_test.sh identical GRADTOWER  the same binary twice: all identical, exit 0
#   compare_outputs_test.sh flipped GRADTOWER    NEW changes one digit of the stats CSV
#                                                (flip_stats_digit.sh): exit 1, naming the file
#                                                and line 2, hist.csv still identical
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
compare="$here/../../tools/compare-outputs.sh"
mode="$1"
bin="$2"
out="$(mktemp -d "${TMPDIR:-/tmp}/compare-test.XXXXXX")"
trap 'rm -rf "$out"' EXIT
scenes="tiny_worked_example,default"

fail() {
  echo "FAIL: $*" >&2
  echo "--- compare-outputs.sh said:" >&2
  cat "$out/log" >&2
  exit 1
}

rc=0
case "$mode" in
  identical)
    "$compare" "$bin" "$bin" --scenes "$scenes" --steps 2 --out "$out/files" >"$out/log" 2>&1 || rc=$?
    [ "$rc" -eq 0 ] || fail "exit $rc, expected 0"
    [ "$(grep -c ' identical$' "$out/log")" -eq 4 ] || fail "expected 4 identical files"
    grep -q '4 file(s) identical, 0 differ' "$out/log" || fail "summary"
    ;;
  flipped)
    GT_COMPARE_REAL_BINARY="$bin" "$compare" "$bin" "$here/flip_stats_digit.sh" --scenes "$scenes" \
      --steps 2 --out "$out/files" >"$out/log" 2>&1 || rc=$?
    [ "$rc" -eq 1 ] || fail "exit $rc, expected 1"
    for scene in default tiny_worked_example; do
      grep -Eq "^$scene +stats\.csv +differs at byte [0-9]+ \(line 2\)$" "$out/log" ||
        fail "$scene: stats.csv not reported as differing at line 2"
      grep -Eq "^$scene +hist\.csv +identical$" "$out/log" || fail "$scene: hist.csv not identical"
    done
    [ "$(grep -c '^    old line 2: 0,1,' "$out/log")" -eq 2 ] || fail "old line 2 not shown"
    [ "$(grep -c '^    new line 2: 0,1,' "$out/log")" -eq 2 ] || fail "new line 2 not shown"
    grep -q '2 file(s) identical, 2 differ' "$out/log" || fail "summary"
    ;;
  *)
    echo "usage: compare_outputs_test.sh identical|flipped GRADTOWER" >&2
    exit 2
    ;;
esac
cat "$out/log"
