#!/usr/bin/env bash
# The corpus benchmark of BENCHMARKS.md: `cilint check` on every real config of the shared
# corpus with shellcheck (cache empty: cold; cache filled: warm), without shellcheck, and
# check-jsonschema on the same files, in one hyperfine run.
#
# Usage (from the project root, after `cargo build --release`):
#   benches/corpus.sh [BEFORE_BINARY]
# BEFORE_BINARY, when given, is a cilint built before shellcheck's batches and cache (one
# shellcheck process per script), run with shellcheck too.
# Needs hyperfine, shellcheck and check-jsonschema (`pip install check-jsonschema`).
# Environment: CORPUS (default ../shared/corpus/real), RUNS (default 5).
set -euo pipefail
cd "$(dirname "$0")/.."

corpus=${CORPUS:-../shared/corpus/real}
runs=${RUNS:-5}
bin=$PWD/target/release/cilint
before=${1:-}
for tool in hyperfine shellcheck check-jsonschema; do
    command -v "$tool" >/dev/null || { echo "$tool is not installed" >&2; exit 1; }
done
[ -x "$bin" ] || { echo "build it first: cargo build --release" >&2; exit 1; }

files=("$corpus"/*.yml)
echo "${#files[@]} configs in $corpus; $(nproc) cores; load average: $(cut -d' ' -f1-3 /proc/loadavg)"
echo "$(shellcheck --version | sed -n 2p); $(check-jsonschema --version)"

# A cache of its own (XDG_CACHE_HOME), emptied before each cold run, filled for the warm ones.
cache=$(mktemp -d)
trap 'rm -rf "$cache"' EXIT
args=(--fail-on never --format json "${files[@]}")
quoted=$(printf ' %q' "${args[@]}")

commands=(
    -n "cold (empty cache)" --prepare "rm -rf $cache/cilint"
    "XDG_CACHE_HOME=$cache $bin check$quoted"
    -n "warm" --prepare "XDG_CACHE_HOME=$cache $bin check$quoted >/dev/null"
    "XDG_CACHE_HOME=$cache $bin check$quoted"
    -n "no shellcheck (--no-shellcheck)" --prepare "true"
    "$bin check --no-shellcheck$quoted"
    -n "no cache (--no-cache)" --prepare "true"
    "$bin check --no-cache$quoted"
)
if [ -n "$before" ]; then
    commands+=(-n "before (one shellcheck per script)" --prepare "true" "$before check$quoted")
fi
commands+=(
    -n "check-jsonschema" --prepare "true"
    "check-jsonschema --builtin-schema vendor.circle-ci$(printf ' %q' "${files[@]}")"
)
# -i: both tools exit non-zero on some real configs (check-jsonschema on schema errors).
hyperfine -i -w 1 -r "$runs" -S bash --export-markdown /tmp/cilint-corpus-bench.md "${commands[@]}"
echo "table: /tmp/cilint-corpus-bench.md"
