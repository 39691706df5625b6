#!/usr/bin/env bash
# Fails when a tracked C++ file differs from what .clang-format asks (run by CTest).
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.cpp' '*.hpp' '*.h')
clang-format --dry-run --Werror "${files[@]}"
