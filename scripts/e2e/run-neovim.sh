#!/usr/bin/env bash
# The Neovim suite (test/neovim/test-init.lua): Debian's Neovim, headless, as a second real LSP client of the
# bundled server. Needs server/out/server.js and server/out/cli.js (npm run build) and nvim
# (scripts/e2e/install-neovim.sh). A hard timeout turns a hung nvim into a failure; the suite's own output
# ends with "neovim: N passed, N failed". Logs (nvim's lsp.log) land in test-results/neovim/.
#   MTYPE_NVIM_TIMEOUT=seconds  the hard timeout (default 120)
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
RESULTS=$ROOT/test-results/neovim
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT
mkdir -p "$RESULTS" "$TMP/workspace" "$TMP/xdg"
cp test/neovim/fixtures/*.mtype "$TMP/workspace/"

# A private home for nvim's state, cache and log: nothing of the user's configuration is read or written.
export XDG_CONFIG_HOME=$TMP/xdg/config XDG_DATA_HOME=$TMP/xdg/data XDG_STATE_HOME=$TMP/xdg/state XDG_CACHE_HOME=$TMP/xdg/cache
export MTYPE_NVIM_WORKSPACE=$TMP/workspace MTYPE_SERVER=${MTYPE_SERVER:-$ROOT/server/out/server.js} MTYPE_CLI=$ROOT/server/out/cli.js
export MTYPE_NODE=${MTYPE_NODE:-$(command -v node)}

timeout -k 5 "${MTYPE_NVIM_TIMEOUT:-120}" nvim --headless -n -i NONE -u test/neovim/test-init.lua 2>&1 | tee "$RESULTS/output.txt"
rc=${PIPESTATUS[0]}
cp "$XDG_CACHE_HOME"/nvim/lsp.log "$RESULTS/" 2>/dev/null || true
if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
  echo "neovim: 0 passed, 1 failed (nvim timed out after ${MTYPE_NVIM_TIMEOUT:-120} s)"
  exit 1
fi
if ! grep -q '^neovim: [0-9]* passed, 0 failed$' "$RESULTS/output.txt"; then
  grep -q '^neovim: ' "$RESULTS/output.txt" || echo "neovim: 0 passed, 1 failed (nvim exited with $rc before its summary)"
  exit 1
fi
exit "$rc"
