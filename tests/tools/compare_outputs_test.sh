#!/usr/bin/env bash
# CTest's compare.* tests of tools/compare-outputs.sh on two small scenes, one with two runs that
# set keys (trained as SCENE.run1 and SCENE.run2), 2 steps:
#   compare_outputs_test.sh identical GRADTOWER  the same binary twice: all identical, exit 0
#   compare_outputs_test.sh flipped GRADTOWER    NEW changes one digit of the stats CSV
#                                                (flip_stats_digit.sh): exit 1, naming the file
#                                                and line 2, hist.csv still identical
#   compare_outputs_test.sh refused GRADTOWER    OLD refuses every command line with exit 1 and a
#                                                message not naming the scene
#                                                (refusing_binary.sh): a failed run, not "new",
#                                                and exit 2, nothing having been compared
#   compare_outputs_test.sh spoiled GRADTOWER    both binaries leave stats.csv empty, then NEW
#                                                leaves none (spoil_stats.sh): neither is
#                                                "identical" or "differs"; exit 2
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
compare="$here/../../tools/compare-outputs.sh"
mode="$1"
bin="$2"
out="$(mktemp -d "${TMPDIR:-/tmp}/compare-test.XXXXXX")"
trap 'rm -rf "$out"' EXIT
scenes="tiny_worked_example,sigmoid_vs_relu"
cases="tiny_worked_example sigmoid_vs_relu sigmoid_vs_relu.run1 sigmoid_vs_relu.run2"

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
    for c in $cases; do
      for f in stats hist; do
        grep -Eq "^$c +$f\.csv +identical$" "$out/log" || fail "$c: $f.csv not identical"
      done
    done
    grep -q 'sigmoid_vs_relu.run2: sigmoid_vs_relu.toml --set network.activation="relu" --set network.init="he_normal"' \
      "$out/log" || fail "the run's overrides not shown"
    grep -q '8 file(s) identical, 0 differ' "$out/log" || fail "summary"
    ;;
  flipped)
    GT_COMPARE_REAL_BINARY="$bin" "$compare" "$bin" "$here/flip_stats_digit.sh" --scenes "$scenes" \
      --steps 2 --out "$out/files" >"$out/log" 2>&1 || rc=$?
    [ "$rc" -eq 1 ] || fail "exit $rc, expected 1"
    for scene in $cases; do
      grep -Eq "^$scene +stats\.csv +differs at byte [0-9]+ \(line 2\)$" "$out/log" ||
        fail "$scene: stats.csv not reported as differing at line 2"
      grep -Eq "^$scene +hist\.csv +identical$" "$out/log" || fail "$scene: hist.csv not identical"
    done
    [ "$(grep -c '^    old line 2: 0,1,' "$out/log")" -eq 4 ] || fail "old line 2 not shown"
    [ "$(grep -c '^    new line 2: 0,1,' "$out/log")" -eq 4 ] || fail "new line 2 not shown"
    grep -q '4 file(s) identical, 4 differ' "$out/log" || fail "summary"
    ;;
  refused)
    "$compare" "$here/refusing_binary.sh" "$bin" --scenes "$scenes" --steps 2 --out "$out/files" \
      >"$out/log" 2>&1 || rc=$?
    [ "$rc" -eq 2 ] || fail "exit $rc, expected 2"
    for c in $cases; do
      grep -Eq "^$c +- +run failed" "$out/log" || fail "$c: not reported as a failed run"
    done
    grep -q 'new: the old binary refuses it' "$out/log" && fail "a refused command line taken as new"
    grep -q '0 file(s) identical, 0 differ, 4 run(s) failed, 0 file(s) missing or empty, 0 new' "$out/log" || fail "summary"
    ;;
  spoiled)
    spoil="$here/spoil_stats.sh"
    GT_COMPARE_REAL_BINARY="$bin" GT_COMPARE_SPOIL=empty "$compare" "$spoil" "$spoil" \
      --scenes tiny_worked_example --steps 2 --out "$out/files" >"$out/log" 2>&1 || rc=$?
    [ "$rc" -eq 2 ] || fail "both empty: exit $rc, expected 2"
    grep -Eq "^tiny_worked_example +stats\.csv +both empty" "$out/log" || fail "both empty: not said"
    grep -Eq "^tiny_worked_example +hist\.csv +identical$" "$out/log" || fail "hist.csv"
    rc=0
    GT_COMPARE_REAL_BINARY="$bin" GT_COMPARE_SPOIL=missing "$compare" "$bin" "$spoil" \
      --scenes tiny_worked_example --steps 2 --out "$out/files2" >"$out/log" 2>&1 || rc=$?
    [ "$rc" -eq 2 ] || fail "missing: exit $rc, expected 2"
    grep -Eq "^tiny_worked_example +stats\.csv +cannot read new" "$out/log" ||
      fail "missing: not said"
    grep -q "differs" "$out/log" && fail "missing: a missing file reported as a difference"
    ;;
  *)
    echo "usage: compare_outputs_test.sh identical|flipped|refused|spoiled GRADTOWER" >&2
    exit 2
    ;;
esac
cat "$out/log"
