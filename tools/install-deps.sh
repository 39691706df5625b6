#!/usr/bin/env bash
# Installs the Debian 12 packages gradtower needs, only those missing (apt-get; via sudo when
# not root). Every dependency comes from Debian; nothing is vendored or fetched otherwise.
#
#   install-deps.sh run         what building and running gradtower needs (tools/run.sh)
#   install-deps.sh [test]      that, and what building and running the test suite needs
#   install-deps.sh sanitize    that, and clang for tools/sanitize.sh (ASan, UBSan, libFuzzer)
#   install-deps.sh --list SET  prints SET's packages, one a line (tools/check-deps.sh reads it)
#
# Installs go with --no-install-recommends, so a package needed only through another's
# Recommends must be named here: tools/check-deps.sh proves the lists cover every header the
# build includes and every library the binaries load.
set -euo pipefail

# Building gradtower, and the main job: a headless recording on the CPU's Vulkan driver. zlib
# reads the gzip'd IDX files of dataset-fashion-mnist (the real-data scenes' images).
run_packages=(
  build-essential cmake pkg-config
  libvulkan-dev libvulkan-volk-dev glslc mesa-vulkan-drivers
  libglfw3-dev libglm-dev libimgui-dev
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libstb-dev
  fonts-dejavu-core ffmpeg
  zlib1g-dev dataset-fashion-mnist
)
# The test suite: GoogleTest, the validation layer, the format check (clang-format, git), the
# window tests under xvfb-run (which needs xauth), which read the window back through libx11
# and include GLFW's native X11 header (it includes Xrandr.h, from libxrandr-dev).
test_packages=(
  libgtest-dev vulkan-validationlayers
  clang-format git
  xvfb xauth libx11-dev libxrandr-dev
)

# The sanitizer build and the fuzz targets: clang, and its sanitizer and libFuzzer runtimes
# (libclang-rt-14-dev, only a Recommends of clang's).
sanitize_packages=(clang libclang-rt-14-dev)

packages_of() {
  case "$1" in
    run) printf '%s\n' "${run_packages[@]}" ;;
    test) printf '%s\n' "${run_packages[@]}" "${test_packages[@]}" ;;
    sanitize) printf '%s\n' "${run_packages[@]}" "${test_packages[@]}" "${sanitize_packages[@]}" ;;
    *) echo "install-deps.sh: unknown set '$1' (run, test or sanitize)" >&2; return 2 ;;
  esac
}

if [ "${1:-}" = "--list" ]; then
  packages_of "${2:?install-deps.sh --list needs a set: run, test or sanitize}"
  exit
fi
set_name="${1:-test}"
packages_of "$set_name" >/dev/null || exit 2
mapfile -t packages < <(packages_of "$set_name")

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing: ${missing[*]}" >&2
$sudo apt-get update -qq
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
