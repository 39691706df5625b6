#!/usr/bin/env bash
# The sanitizer run: builds everything (the fuzz targets too) with clang under AddressSanitizer
# and UndefinedBehaviorSanitizer in a second build directory, runs the whole CTest suite on
# lavapipe with the validation layer on, then each fuzz target for N seconds on a copy of its
# seed corpus. Exits non-zero on any finding: a sanitizer report (any UB, a memory error, a leak
# of ours; tests/sanitizers/lsan.supp names the drivers' own leaks it ignores), a failing test,
# or a fuzz target's crash (saved under BUILD_DIR/fuzz-findings/).
#
#   tools/sanitize.sh [--fuzz-seconds N] [--build-dir DIR]     (defaults: 60, build-asan)
set -euo pipefail
cd "$(dirname "$0")/.."
src=$PWD
fuzz_seconds=60
build=build-asan
usage() {
  echo "usage: tools/sanitize.sh [--fuzz-seconds N] [--build-dir DIR]" >&2
  exit 2
}
while [ $# -gt 0 ]; do
  case $1 in
    --fuzz-seconds) [ $# -ge 2 ] && [[ $2 =~ ^[0-9]+$ ]] || usage; fuzz_seconds=$2; shift 2 ;;
    --build-dir) [ $# -ge 2 ] || usage; build=$2; shift 2 ;;
    *) usage ;;
  esac
done
build=$(realpath -m "$build")
start=$SECONDS
say() { printf '[sanitize %4ds] %s\n' $((SECONDS - start)) "$*" >&2; }
bash tools/install-deps.sh sanitize
command -v clang++ >/dev/null || { say "clang++ is not installed (Debian: clang)"; exit 1; }

launcher=()
if command -v ccache >/dev/null; then
  launcher=(-DCMAKE_C_COMPILER_LAUNCHER=ccache -DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
fi
say "configuring $build (clang, -fsanitize=address,undefined)"
CC=clang CXX=clang++ cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGT_WERROR=ON \
  -DGT_BUILD_TESTS=ON -DGT_SANITIZE=ON -DGT_FUZZ=ON "${launcher[@]}" >/dev/null
say "building"
cmake --build "$build" -j"$(nproc)"
# See the file: leaks of libraries the Vulkan loader unloads would have no names.
clang -shared -fPIC -O2 -Wall -Wextra -Werror -o "$build/keep_loaded.so" tests/sanitizers/keep_loaded.c
say "built"

source tools/lavapipe.sh
export GT_VALIDATION=1
# Every report is fatal, names its stack and exits 66, a code no test expects of the CLI (bad
# input is 1, validation messages 3). The leak check ignores only the libraries in the
# suppressions file, never ours.
common=halt_on_error=1:exitcode=66
export ASAN_OPTIONS=$common:detect_leaks=1:strict_string_checks=1:check_initialization_order=1:detect_stack_use_after_return=1
export LSAN_OPTIONS=suppressions=$src/tests/sanitizers/lsan.supp:print_suppressions=0
export UBSAN_OPTIONS=$common:print_stacktrace=1
say "running the test suite under ASan and UBSan"
# Instrumented code runs several times slower than a release build: larger time-outs. The deps
# checks are left out: they prove the install lists cover tools/test.sh's gcc build, and this
# build's compiler headers and runtimes are clang's.
failed=()
if LD_PRELOAD=$build/keep_loaded.so ctest --test-dir "$build" --output-on-failure -j"$(nproc)" \
  --timeout 1800 --label-exclude deps; then
  say "the test suite passed"
else
  say "the test suite FAILED (the fuzz targets run all the same)"
  failed+=("the test suite")
fi

# Each target on a copy of its seed corpus (what it finds joins the copy, not the tree). 32 KiB
# inputs: ten times the largest shipped scene, and below the ~56 KiB dotted key (28,000 parts)
# whose recursion toml++ does not bound.
findings=$build/fuzz-findings
rm -rf "$findings"
mkdir -p "$findings"
for target in scene safetensors spirv data; do
  corpus=$build/fuzz-corpus/$target
  rm -rf "$corpus"
  mkdir -p "$corpus"
  cp tests/fuzz/corpus/$target/* "$corpus"/
  say "fuzzing $target for $fuzz_seconds s"
  if ! "$build/tests/fuzz/fuzz_$target" -max_total_time="$fuzz_seconds" -max_len=32768 \
    -timeout=30 -print_final_stats=1 -dict="tests/fuzz/$target.dict" \
    -artifact_prefix="$findings/$target-" "$corpus" >"$build/fuzz-$target.log" 2>&1; then
    tail -n 60 "$build/fuzz-$target.log" >&2
    failed+=("fuzz_$target (its input under $findings, its log $build/fuzz-$target.log)")
  fi
  grep -E '^stat::number_of_executed_units|^Done' "$build/fuzz-$target.log" >&2 || true
done
if [ ${#failed[@]} -gt 0 ]; then
  for f in "${failed[@]}"; do say "FAILED: $f"; done
  exit 1
fi
say "clean: the suite and $fuzz_seconds s of each fuzz target found nothing"
