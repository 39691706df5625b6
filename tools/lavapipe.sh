# Sourced by the scripts: selects lavapipe (Mesa's CPU Vulkan driver) unless GT_KEEP_DRIVERS is
# set, so tests run the same on machines with and without a GPU.
if [ -z "${GT_KEEP_DRIVERS:-}" ]; then
  for icd in /usr/share/vulkan/icd.d/lvp_icd.*.json; do
    [ -f "$icd" ] && export VK_DRIVER_FILES="$icd" VK_ICD_FILENAMES="$icd"
  done
fi
export XDG_RUNTIME_DIR="${XDG_RUNTIME_DIR:-/tmp}"
