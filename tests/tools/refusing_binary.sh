#!/usr/bin/env bash
# A stand-in OLD binary for compare_outputs_test.sh that refuses every command line the way a
# gradtower without one of compare-outputs.sh's flags would: exit 1, a message naming the flag,
# not the scene.
echo "gradtower: --hist-out: unknown flag (not a scene error)" >&2
exit 1
