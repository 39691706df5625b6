#!/usr/bin/env bash
# A stand-in binary for compare_outputs_test.sh: runs the real gradtower ($GT_COMPARE_REAL_BINARY)
# with the same arguments (exit 0), then spoils the file given to --stats-out as
# $GT_COMPARE_SPOIL says: "empty" truncates it, "missing" removes it.
set -euo pipefail
"${GT_COMPARE_REAL_BINARY:?set GT_COMPARE_REAL_BINARY to the gradtower binary}" "$@"
stats=""
while [ $# -gt 0 ]; do
  if [ "$1" = --stats-out ] && [ $# -ge 2 ]; then stats="$2"; fi
  shift
done
[ -n "$stats" ] || exit 0
case "${GT_COMPARE_SPOIL:?set GT_COMPARE_SPOIL to empty or missing}" in
  empty) : >"$stats" ;;
  missing) rm -f "$stats" ;;
esac
