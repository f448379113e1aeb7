#!/bin/sh
# Build the fuzzer's seed corpus (fuzz/corpus/lint, not committed) from the project's own
# configs: every YAML file under tests/fixtures and examples, and every ```yaml block of the
# rule explanations (src/rules/docs/*.md). Run from the project root:
#   sh fuzz/seed-corpus.sh
set -eu
out=fuzz/corpus/lint
mkdir -p "$out"
find tests/fixtures examples -type f \( -name '*.yml' -o -name '*.yaml' \) | sort |
while read -r f; do
    cp "$f" "$out/$(echo "$f" | tr '/' '_')"
done
for md in src/rules/docs/*.md; do
    rule=$(basename "$md" .md)
    awk -v out="$out" -v rule="$rule" '
        /^```yaml/ { n++; file = sprintf("%s/doc_%s_%d.yml", out, rule, n); inside = 1; next }
        /^```/ && inside { inside = 0; close(file); next }
        inside { print > file }
    ' "$md"
done
echo "$(ls "$out" | wc -l) seeds in $out"
