#!/usr/bin/env bash
# cilint lsp driven by Neovim's own LSP client, headless: diagnostics on open, code actions,
# a quick fix applied and the diagnostic gone, go to definition. Run by .ci/run after
# `cargo build`; CILINT_BIN overrides the binary (default: the debug build).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
export CILINT_BIN=${CILINT_BIN:-$here/../../target/debug/cilint}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$here/config.yml" "$work/config.yml"
cd "$work"
timeout 120 nvim --headless -n -i NONE -u "$here/init.lua" config.yml -c "luafile $here/session.lua"
echo "e2e-nvim: passed"
