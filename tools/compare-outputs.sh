#!/usr/bin/env bash
# Bit identity of two gradtower binaries: every shipped scene (scenes/*.toml) trained N steps by
# each, with --stats-out and --hist-out, and every pair of files compared byte for byte.
#
#   tools/compare-outputs.sh OLD_BINARY NEW_BINARY [--steps N] [--out DIR] [--scenes GLOBS]
#                            [--kernels texel|shared|auto]
#
# --steps N     steps per scene (default 5)
# --out DIR     where the files go, kept for inspection: DIR/SCENE/{old,new}/{stats,hist}.csv and
#               each run's stderr (default: a new mktemp directory; its path is printed)
# --scenes G    comma-separated globs over the scene names without .toml (default '*'), e.g.
#               'tiny_worked_example,relu_*'
# --kernels K   passed to both binaries' train (default: theirs, auto)
#
# Runs on lavapipe unless GT_KEEP_DRIVERS is set (tools/lavapipe.sh); GT_VALIDATION=1 from the
# environment turns the validation layer on in both. For each scene the old binary runs, then the
# new one.
#
# `train SCENE` trains a scene's base only (scene::load: the keys outside [[run]]), so for a scene
# with [[run]] tables each run that sets keys is trained too, as the base with the run's keys given
# as --set overrides (the same network, data and training as the run: a run is the base with its
# keys applied), under the name SCENE.runK (K from 1). A run that sets no key (only a label) is the
# base itself. The runs are read from the scene file's lines: `[[run]]`, `[run.SECTION]` and
# `key = value` on one line each (what the shipped scenes use); anything else in a run is an error.
# A run with its own op list (`[[run.network.op]]`) has no --set form: it is named and skipped.
#
# A scene the old binary refuses as bad input in the scene (exit 1, its message naming the scene
# file or a --set of the run) while the new one trains it is new (it uses a key or value the old
# binary lacks): listed as such, with the old binary's message, and not compared. Any other exit 1
# of the old binary (a flag it lacks, a failure) is a failed run.
#
# Exit: 0 all files identical, 1 any differs, 2 bad usage, a run failed (the scene, the binary,
# its exit code and the end of its stderr are printed; the other scenes still run), a file a run
# left missing or unreadable (or empty on both sides), or no file was compared at all.
set -euo pipefail

usage() {
  sed -n '2,/^set -euo/p' "$0" | sed '$d' | sed 's/^# \{0,1\}//'
}
die_usage() {
  echo "compare-outputs.sh: $*" >&2
  echo "usage: tools/compare-outputs.sh OLD_BINARY NEW_BINARY [--steps N] [--out DIR]" \
    "[--scenes GLOBS] [--kernels texel|shared|auto]" >&2
  exit 2
}

root="$(cd "$(dirname "$0")/.." && pwd)"
steps=5
out=""
scene_globs="*"
kernels=""
binaries=()
while [ $# -gt 0 ]; do
  case "$1" in
    -h | --help)
      usage
      exit 0
      ;;
    --steps | --out | --scenes | --kernels)
      [ $# -ge 2 ] || die_usage "$1 needs a value"
      case "$1" in
        --steps) steps="$2" ;;
        --out) out="$2" ;;
        --scenes) scene_globs="$2" ;;
        --kernels) kernels="$2" ;;
      esac
      shift 2
      ;;
    -*) die_usage "unknown option $1" ;;
    *)
      binaries+=("$1")
      shift
      ;;
  esac
done
[ ${#binaries[@]} -eq 2 ] || die_usage "expected OLD_BINARY and NEW_BINARY, got ${#binaries[@]} path(s)"
[[ "$steps" =~ ^[1-9][0-9]*$ ]] || die_usage "--steps $steps: expected a positive integer"
case "$kernels" in
  "" | texel | shared | auto) ;;
  *) die_usage "--kernels $kernels: expected texel, shared or auto" ;;
esac
for b in "${binaries[@]}"; do
  { [ -f "$b" ] && [ -x "$b" ]; } || die_usage "$b: not an executable file"
done
old_bin="$(realpath "${binaries[0]}")"
new_bin="$(realpath "${binaries[1]}")"

scenes=()
IFS=',' read -r -a globs <<<"$scene_globs"
for f in "$root"/scenes/*.toml; do
  name="$(basename "$f" .toml)"
  for g in "${globs[@]}"; do
    # shellcheck disable=SC2053  # $g is a glob on purpose
    if [[ "$name" == $g ]]; then
      scenes+=("$name")
      break
    fi
  done
done
[ ${#scenes[@]} -gt 0 ] || die_usage "--scenes $scene_globs matches no scene in $root/scenes"

# scene_runs FILE: one line per [[run]] that sets keys: K, then its overrides, tab-separated.
scene_runs() {
  awk -v file="$1" '
    function fail(why) { printf "%s:%d: %s\n", file, NR, why > "/dev/stderr"; bad = 1; exit 1 }
    function flush() {
      if (run > 0 && own_ops)
        printf "%s: run %d lists its own ops ([[run.network.op]]): no --set form, not compared\n",
               file, run > "/dev/stderr"
      else if (run > 0 && sets != "") print run sets
    }
    /^[ \t]*(#.*)?$/ { next }
    /^[ \t]*\[\[run\]\][ \t]*(#.*)?$/ { flush(); run++; section = ""; sets = ""; own_ops = 0; next }
    run > 0 && /^[ \t]*\[\[run\.network\.op\]\][ \t]*(#.*)?$/ { own_ops = 1; next }
    own_ops { next }
    /^[ \t]*\[/ {
      if (run == 0) next
      if (match($0, /^[ \t]*\[run\.[A-Za-z_]+\][ \t]*(#.*)?$/)) {
        section = $0
        sub(/^[ \t]*\[run\./, "", section)
        sub(/\].*$/, "", section)
        next
      }
      fail("a table in a run other than [run.SECTION]: " $0)
    }
    run == 0 { next }
    {
      if (!match($0, /^[ \t]*[A-Za-z_]+[ \t]*=[ \t]*/)) fail("not key = value: " $0)
      key = $0
      sub(/[ \t]*=.*$/, "", key)
      sub(/^[ \t]*/, "", key)
      value = substr($0, RLENGTH + 1)
      if (value ~ /^"/) {
        if (!match(value, /^"[^"\\]*"/)) fail("a string this script cannot read: " $0)
        value = substr(value, 1, RLENGTH)
      } else {
        sub(/[ \t]*(#.*)?$/, "", value)
      }
      if (section == "" && key == "label") next
      if (section == "") fail("a top-level run key other than label: " $0)
      sets = sets "\t" section "." key "=" value
    }
    END { if (!bad) flush() }
  ' "$1"
}

# The cases: each scene's base, then its runs that set keys.
case_names=()
case_scenes=()
case_sets=()  # tab-separated --set values
for scene in "${scenes[@]}"; do
  case_names+=("$scene")
  case_scenes+=("$scene")
  case_sets+=("")
  runs_text="$(scene_runs "$root/scenes/$scene.toml")" ||
    die_usage "cannot read the runs of $root/scenes/$scene.toml (above)"
  while IFS= read -r line; do
    [ -n "$line" ] || continue
    case_names+=("$scene.run${line%%$'\t'*}")
    case_scenes+=("$scene")
    case_sets+=("${line#*$'\t'}")
  done <<<"$runs_text"
done

if [ -z "$out" ]; then
  out="$(mktemp -d "${TMPDIR:-/tmp}/compare-outputs.XXXXXX")"
else
  mkdir -p "$out"
fi
out="$(realpath "$out")"

# shellcheck source=tools/lavapipe.sh
source "$root/tools/lavapipe.sh"

echo "old: $old_bin"
echo "new: $new_bin"
echo "steps: $steps, scenes: ${#scenes[@]} (${#case_names[@]} with their runs), kernels: ${kernels:-default}," \
  "validation: ${GT_VALIDATION:-0}, driver: ${VK_DRIVER_FILES:-system default}"
echo "files: $out"
for i in "${!case_names[@]}"; do
  [ -z "${case_sets[$i]}" ] || echo "${case_names[$i]}: ${case_scenes[$i]}.toml --set ${case_sets[$i]//$'\t'/ --set }"
done
echo

failed=()
new_only=()
last_rc=0
# run_train WHICH BINARY CASE: the case's files under $out/NAME/WHICH; its exit code in last_rc.
run_train() {
  local which="$1" bin="$2" i="$3" scene dir rc=0 t0 t1 sets set
  scene="${case_names[$i]}"
  dir="$out/$scene/$which"
  mkdir -p "$dir"
  rm -f "$dir/stats.csv" "$dir/hist.csv" "$dir/stderr.txt"
  local args=(train "$root/scenes/${case_scenes[$i]}.toml" --steps "$steps" --stats-out
    "$dir/stats.csv" --hist-out "$dir/hist.csv" --quiet)
  [ -n "$kernels" ] && args+=(--kernels "$kernels")
  if [ -n "${case_sets[$i]}" ]; then
    IFS=$'\t' read -r -a sets <<<"${case_sets[$i]}"
    for set in "${sets[@]}"; do args+=(--set "$set"); done
  fi
  t0="$(date +%s.%N)"
  "$bin" "${args[@]}" >/dev/null 2>"$dir/stderr.txt" || rc=$?
  t1="$(date +%s.%N)"
  awk -v s="$scene" -v w="$which" -v a="$t0" -v b="$t1" 'BEGIN { printf "%s %s: %.2f s\n", s, w, b - a }' \
    >>"$out/times.txt"
  last_rc="$rc"
  return 0
}

# report_failure CASE WHICH BINARY RC
report_failure() {
  {
    echo "compare-outputs.sh: $1: $2 binary $3 exited with $4; end of its stderr:"
    tail -n 5 "$out/$1/$2/stderr.txt" | sed 's/^/  /'
  } >&2
}

# compare SCENE FILE: one table row, and the first differing line of each side.
identical=0
differ=0
unreadable=()
compare() {
  local scene="$1" file="$2" a b msg byte line side f
  a="$out/$scene/old/$file"
  b="$out/$scene/new/$file"
  # A file a binary did not write (or that cannot be read), or one both left empty, compares
  # nothing: a failed run, not "identical" or "differs".
  for side in old new; do
    [ "$side" = old ] && f="$a" || f="$b"
    if ! [ -f "$f" ] || ! [ -r "$f" ] || ! head -c 1 -- "$f" >/dev/null 2>&1; then
      printf '%-24s %-10s cannot read %s: %s\n' "$scene" "$file" "$side" "$f"
      unreadable+=("$scene/$side/$file")
      return
    fi
  done
  if ! [ -s "$a" ] && ! [ -s "$b" ]; then
    printf '%-24s %-10s both empty: nothing to compare\n' "$scene" "$file"
    unreadable+=("$scene/$file (both empty)")
    return
  fi
  if msg="$(cmp -- "$a" "$b" 2>&1)"; then
    printf '%-24s %-10s identical\n' "$scene" "$file"
    identical=$((identical + 1))
    return
  fi
  differ=$((differ + 1))
  if [[ "$msg" =~ differ:\ byte\ ([0-9]+),\ line\ ([0-9]+) ]]; then
    byte="${BASH_REMATCH[1]}"
    line="${BASH_REMATCH[2]}"
    printf '%-24s %-10s differs at byte %s (line %s)\n' "$scene" "$file" "$byte" "$line"
  elif [[ "$msg" =~ EOF\ on\ (.*)\ after\ byte\ ([0-9]+),\ line\ ([0-9]+) ]]; then
    byte="$((BASH_REMATCH[2] + 1))"
    line="${BASH_REMATCH[3]}"
    [[ "${BASH_REMATCH[1]}" == "$a" ]] && msg="old is shorter" || msg="new is shorter"
    printf '%-24s %-10s differs at byte %s (line %s): %s\n' "$scene" "$file" "$byte" "$line" "$msg"
  elif [[ "$msg" =~ EOF\ on\ (.*)\ which\ is\ empty ]]; then
    byte=1
    line=1
    [[ "${BASH_REMATCH[1]}" == "$a" ]] && msg="old is empty" || msg="new is empty"
    printf '%-24s %-10s differs at byte 1 (line 1): %s\n' "$scene" "$file" "$msg"
  else
    printf '%-24s %-10s differs: %s\n' "$scene" "$file" "$msg"
    return
  fi
  printf '    old line %s: %s\n' "$line" "$(sed -n "${line}p" "$a")"
  printf '    new line %s: %s\n' "$line" "$(sed -n "${line}p" "$b")"
}

# refuses_the_scene CASE: whether the old binary's message names the case's scene file or one of
# its --set overrides (bad input in the scene), not a flag or a failure of its own.
refuses_the_scene() {
  local first
  first="$(head -n 1 "$out/${case_names[$1]}/old/stderr.txt")"
  [[ "$first" == *"$root/scenes/${case_scenes[$1]}.toml:"* ]] ||
    { [ -n "${case_sets[$1]}" ] && [[ "$first" == *": --set "* ]]; }
}

start="$(date +%s)"
rm -f "$out/times.txt"
for i in "${!case_names[@]}"; do
  run_train old "$old_bin" "$i"
  old_rc="$last_rc"
  run_train new "$new_bin" "$i"
  new_rc="$last_rc"
  scene="${case_names[$i]}"
  # A scene the old binary refuses as bad input (exit 1) and the new one trains uses something
  # the old binary does not have (a new key or value): new, nothing to compare.
  if [ "$old_rc" -eq 1 ] && [ "$new_rc" -eq 0 ] && refuses_the_scene "$i"; then
    new_only+=("$scene")
  elif [ "$old_rc" -ne 0 ] || [ "$new_rc" -ne 0 ]; then
    failed+=("$scene")
    [ "$old_rc" -eq 0 ] || report_failure "$scene" old "$old_bin" "$old_rc"
    [ "$new_rc" -eq 0 ] || report_failure "$scene" new "$new_bin" "$new_rc"
  fi
done
elapsed=$(($(date +%s) - start))

printf '%-24s %-10s %s\n' scene file result
for scene in "${case_names[@]}"; do
  if [[ " ${failed[*]} " == *" $scene "* ]]; then
    printf '%-24s %-10s run failed (see above)\n' "$scene" "-"
    continue
  fi
  if [[ " ${new_only[*]} " == *" $scene "* ]]; then
    printf '%-24s %-10s new: the old binary refuses it: %s\n' "$scene" "-" \
      "$(head -n 1 "$out/$scene/old/stderr.txt")"
    continue
  fi
  compare "$scene" stats.csv
  compare "$scene" hist.csv
done
echo
echo "summary: ${#scenes[@]} scene(s) and ${#case_names[@]} run(s) in all, $steps step(s) each, ${elapsed} s:" \
  "$identical file(s) identical, $differ differ, ${#failed[@]} run(s) failed," \
  "${#unreadable[@]} file(s) missing or empty, ${#new_only[@]} new (refused by the old binary)"
echo "files kept in $out (times in $out/times.txt)"
if [ ${#failed[@]} -gt 0 ]; then
  echo "compare-outputs.sh: runs failed for: ${failed[*]}" >&2
  exit 2
fi
if [ ${#unreadable[@]} -gt 0 ]; then
  echo "compare-outputs.sh: files missing, unreadable or both empty: ${unreadable[*]}" >&2
  exit 2
fi
if [ $((identical + differ)) -eq 0 ]; then
  echo "compare-outputs.sh: no file was compared (every scene is new to the old binary)" >&2
  exit 2
fi
[ "$differ" -eq 0 ] || exit 1
