#!/usr/bin/env bash
# Installs what is missing, builds gradtower alone (not the tests), and runs the main job:
# records the default scene headless to default.mp4 (1920x1080, one training step per frame),
# with progress on stderr. Arguments go to `gradtower record` (e.g. --frames 10).
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh run
build="${GT_BUILD_DIR:-build}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DGT_BUILD_TESTS=OFF >/dev/null
cmake --build "$build" -j"$(nproc)" --target gradtower
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
exec "$build/tools/gradtower" record scenes/default.toml --out default.mp4 "$@"
