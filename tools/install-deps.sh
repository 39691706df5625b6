#!/usr/bin/env bash
# Installs the Debian 12 packages gradtower needs, only those missing (apt-get; via sudo when
# not root). Every dependency comes from Debian; nothing is vendored or fetched otherwise.
set -euo pipefail
packages=(
  build-essential cmake pkg-config
  libvulkan-dev libvulkan-volk-dev glslc libshaderc-dev
  libglfw3-dev libglm-dev libimgui-dev
  libgtest-dev mesa-vulkan-drivers vulkan-validationlayers
  libtomlplusplus-dev nlohmann-json3-dev libcli11-dev libstb-dev
  fonts-dejavu-core clang-format git ffmpeg
  # The window test runs under xvfb-run (which needs xauth) and reads the window back (libx11).
  xvfb xauth libx11-dev
)
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
