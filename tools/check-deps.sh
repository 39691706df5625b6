#!/usr/bin/env bash
# Proves that tools/install-deps.sh's lists cover what the build and the binaries used, so a
# fresh Debian 12 machine can run the README's commands:
#   - every system header in the compiler's dependency files (*.o.d),
#   - every shared library the binaries link (ldd) or load at run time (LD_DEBUG=libs of
#     `gradtower info`, which opens the Vulkan loader, the driver and the validation layer),
#   - every program the build, the code and the tests run, and every file the code opens by an
#     absolute /usr/share path (the overlay's font).
# Each file is mapped to its Debian package through dpkg's file lists. That package must be in
# the list of its set, be pulled in by the list through Depends or Pre-Depends (apt-cache
# depends --recurse, Recommends not followed: install-deps.sh installs without them), or be in
# every Debian root (Essential, or Priority: required, which debootstrap's minbase installs).
# The run set (gradtower and its libraries) must be covered by `install-deps.sh --list run`;
# the test set (gt_tests_*) by `--list test`.
#
#   check-deps.sh BUILD_DIR [--drop PKG]
#
# --drop PKG checks as if PKG were missing from both lists (to see the check fail). Exit 0 when
# covered, 1 naming each uncovered package, the file that needs it and who uses it.
set -euo pipefail
usage() { echo "usage: check-deps.sh BUILD_DIR [--drop PKG]" >&2; exit 2; }
[ $# -ge 1 ] || usage
build=$(realpath "$1")
drop=""
if [ $# -eq 3 ] && [ "$2" = "--drop" ]; then drop=$3; elif [ $# -ne 1 ]; then usage; fi
src=$(cd "$(dirname "$0")/.." && pwd)
[ -x "$build/tools/gradtower" ] || { echo "check-deps: $build/tools/gradtower is not built" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# needs: lines "SET<TAB>USER<TAB>PATH" (SET run or test; USER the target, binary or script).
needs="$tmp/needs"
: >"$needs"

# Headers: each object's dependency file, under CMakeFiles/TARGET.dir/.
while IFS= read -r d; do
  target=$(sed -E 's|.*/CMakeFiles/([^/]+)\.dir/.*|\1|' <<<"$d")
  set=run
  [[ $target == gt_tests_* ]] && set=test
  tr -s ' \\' '\n\n' <"$d" | grep '^/' | grep -v ':$' | sed "s|^|$set\t$target\t|" >>"$needs"
done < <(find "$build" -path '*/CMakeFiles/*.dir/*' -name '*.o.d')

# Linked libraries of each binary.
add_ldd() {
  ldd "$2" | awk -v set="$1" -v user="$(basename "$2")" \
    '$2 == "=>" && $3 ~ /^\// { print set "\t" user "\t" $3 } $1 ~ /^\// { print set "\t" user "\t" $1 }' >>"$needs"
}
add_ldd run "$build/tools/gradtower"
for t in "$build"/tests/gt_tests_*; do
  [ -x "$t" ] && add_ldd test "$t"
done

# Libraries loaded at run time (dlopen): the Vulkan loader, the driver, the layer.
add_loaded() {
  local set=$1
  shift
  env -u GT_VALIDATION LD_DEBUG=libs "$build/tools/gradtower" info "$@" 2>&1 >/dev/null |
    sed -n 's/.*calling init: //p' | sed "s|^|$set\tgradtower info $*\t|" >>"$needs" || true
}
add_loaded run
add_loaded test --validation

# Programs: the build's, the main job's (ffmpeg, and ffprobe, which checks each video), the
# tests' and the test scripts' (bash: the file-size-limited runs; awk, cmp, realpath:
# tools/compare-outputs.sh under CTest's compare.*).
add_programs() {
  local set=$1 user=$2
  shift 2
  for p in "$@"; do
    if path=$(command -v "$p"); then
      printf '%s\t%s\t%s\n' "$set" "$user" "$path" >>"$needs"
    else
      printf '%s\t%s\t%s\n' "$set" "$user" "(program $p, not installed)" >>"$needs"
    fi
  done
}
add_programs run build cmake make c++ pkg-config glslc
add_programs run "gradtower record" ffmpeg ffprobe
add_programs test "the test suite" ffprobe bash xvfb-run Xvfb xauth clang-format git awk cmp \
  realpath

# Files the code opens by an absolute path (those present here; the code takes the first found).
grep -rhoE '"/usr/share/[^"]+"' "$src/engine" "$src/render" "$src/tools" | tr -d '"' | sort -u |
  while read -r f; do [ -e "$f" ] && printf 'run\tgradtower\t%s\n' "$f"; done >>"$needs" || true

# Paths inside the source or build tree are ours; the rest must come from a package.
grep -v -e $'\t'"$src/" -e $'\t'"$build/" "$needs" | sort -u >"$tmp/system"
cut -f3 "$tmp/system" | grep '^/' | sort -u >"$tmp/paths"
# Collapse ../ without following links (dpkg records the path the package ships), and with them
# followed, for links no package ships (/usr/bin/c++ through /etc/alternatives).
xargs -r realpath -s -m <"$tmp/paths" >"$tmp/plain"
xargs -r realpath -m <"$tmp/paths" >"$tmp/resolved"
paste "$tmp/paths" "$tmp/plain" "$tmp/resolved" >"$tmp/canonical"

# Owner of every file in dpkg's lists, with /lib, /bin, /sbin read as /usr/... (merged /usr).
awk '
  function norm(p) { if (p ~ /^\/(bin|sbin|lib|lib32|lib64|libx32)\//) p = "/usr" p; return p }
  FNR == 1 { pkg = FILENAME; sub(/.*\//, "", pkg); sub(/\.list$/, "", pkg); sub(/:.*/, "", pkg) }
  { print norm($0) "\t" pkg }
' /var/lib/dpkg/info/*.list | sort -u -t $'\t' -k1,1 >"$tmp/owners"

# Path -> package for every needed path; unowned paths become "(no package)".
awk -F '\t' '
  function norm(p) { if (p ~ /^\/(bin|sbin|lib|lib32|lib64|libx32)\//) p = "/usr" p; return p }
  FILENAME == ARGV[1] { owner[$1] = $2; next }
  FILENAME == ARGV[2] { plain[$1] = norm($2); resolved[$1] = norm($3); next }
  {
    p = $3
    pkg = "(no package)"
    if (plain[p] in owner) pkg = owner[plain[p]]
    else if (resolved[p] in owner) pkg = owner[resolved[p]]
    if (p !~ /^\//) pkg = "(no package)"
    print $1 "\t" $2 "\t" p "\t" pkg
  }
' "$tmp/owners" "$tmp/canonical" "$tmp/system" >"$tmp/mapped"

# What each set's list pulls in, and what every Debian root has.
closure() {
  local -a pkgs
  mapfile -t pkgs < <(bash "$src/tools/install-deps.sh" --list "$1" | grep -vxF -e "$drop" -e "")
  apt-cache depends --recurse --installed --no-recommends --no-suggests --no-conflicts \
    --no-breaks --no-replaces --no-enhances "${pkgs[@]}" | grep -v '^[ <]' | sed 's/:.*//'
  printf '%s\n' "${pkgs[@]}"
}
base=$(dpkg-query -W -f='${Package} ${Essential} ${Priority}\n' | awk '$2 == "yes" || $3 == "required" { print $1 }')
{ closure run; echo "$base"; } | sort -u >"$tmp/covered.run"
{ closure test; echo "$base"; } | sort -u >"$tmp/covered.test"

# Report each package not covered, once, with the first file that needs it and its user.
awk -F '\t' -v dir="$tmp" -v drop="$drop" '
  BEGIN {
    while ((getline p < (dir "/covered.run")) > 0) cov["run", p] = 1
    while ((getline p < (dir "/covered.test")) > 0) cov["test", p] = 1
  }
  {
    set = $1; user = $2; path = $3; pkg = $4
    if (pkg == "(no package)") {
      if (!((set, path) in seen)) {
        seen[set, path] = 1
        printf "check-deps: %s (used by %s) comes from no Debian package\n", path, user
        bad = 1
      }
      next
    }
    if ((set, pkg) in cov || (set, pkg) in told) next
    told[set, pkg] = 1
    list = set == "run" ? "run" : "test"
    printf "check-deps: %s is needed but tools/install-deps.sh'"'"'s %s list neither names it nor pulls it in through Depends: %s needs %s\n", pkg, list, user, path
    bad = 1
  }
  END { exit bad }
' "$tmp/mapped" && ok=1 || ok=0

files=$(cut -f3 "$tmp/mapped" | sort -u | wc -l)
pkgs=$(cut -f4 "$tmp/mapped" | sort -u | wc -l)
if [ "$ok" = 1 ]; then
  echo "check-deps: the install lists cover all $files system files the build and the binaries use ($pkgs packages)${drop:+, even without $drop}"
else
  exit 1
fi
