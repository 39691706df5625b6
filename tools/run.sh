#!/usr/bin/env bash
# Installs what is missing, builds, and runs the main job: records the default scene headless
# to default.mp4 (1920x1080, one training step per frame), with progress on stderr.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install-deps.sh
build="${GT_BUILD_DIR:-build}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)"
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
exec "$build/tools/gradtower" record scenes/default.toml --out default.mp4 "$@"
