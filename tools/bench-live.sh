#!/usr/bin/env bash
# The live view's frame time on lavapipe under Xvfb (the issue's benchmark): a 1280x720 window,
# a 200-layer x 128-wide network (the default scene's data, batch 128) training by time while it
# draws. Prints gradtower live's summary for vsync on and off. GT_KEEP_DRIVERS=1 keeps the
# system's Vulkan drivers (a GPU); DISPLAY set uses that display instead of Xvfb.
set -euo pipefail
cd "$(dirname "$0")/.."
build="${GT_BUILD_DIR:-build}"
source tools/lavapipe.sh
frames="${1:-300}"
args=(live scenes/default.toml --set network.depth=199 --set network.width=128
      --width 1280 --height 720 --frames "$frames")
run() {
  if [ -n "${DISPLAY:-}" ]; then "$build/tools/gradtower" "${args[@]}" "$@"
  else xvfb-run -a -s "-screen 0 1920x1080x24" "$build/tools/gradtower" "${args[@]}" "$@"; fi
}
echo "vsync on:";  run 2>&1 | grep "ms per frame"
echo "vsync off:"; run --no-vsync 2>&1 | grep "ms per frame"
