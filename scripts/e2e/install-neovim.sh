#!/usr/bin/env bash
# Installs Debian's Neovim (0.7 on bookworm), the second real LSP client of the e2e run
# (test/neovim/). Idempotent: with nvim present it does nothing.
#   MTYPE_E2E_SKIP_APT=1  never call apt-get (fail instead if nvim is missing)
set -euo pipefail
if command -v nvim >/dev/null 2>&1; then
  echo "[install-neovim] ready: $(nvim --version | head -1)"
  exit 0
fi
if [ "${MTYPE_E2E_SKIP_APT:-}" = 1 ]; then echo "install-neovim: nvim is missing" >&2; exit 1; fi
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
echo "[install-neovim] apt-get update && apt-get install -y neovim"
$SUDO apt-get update -qq -o DPkg::Lock::Timeout=600
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq -o DPkg::Lock::Timeout=600 --no-install-recommends neovim >/dev/null
echo "[install-neovim] ready: $(nvim --version | head -1)"
