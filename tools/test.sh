#!/usr/bin/env bash
# Installs what is missing, builds with warnings as errors, and runs the whole test suite on
# lavapipe with the Khronos validation layer on (GT_KEEP_DRIVERS=1 keeps the system's drivers).
# The suite includes tools/check-deps.sh: the install lists cover what the build used.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh test
build="${GT_BUILD_DIR:-build}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DGT_BUILD_TESTS=ON -DGT_WERROR=ON >/dev/null
cmake --build "$build" -j"$(nproc)"
source tools/lavapipe.sh
export GT_VALIDATION=1
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" --timeout 900
