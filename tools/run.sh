#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: trains the default scene headless,
# with progress on stderr and the per-layer statistics in default_stats.csv.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
build="${GT_BUILD_DIR:-build}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
exec "$build/tools/gradtower" train scenes/default.toml --stats-out default_stats.csv "$@"
