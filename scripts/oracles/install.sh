#!/usr/bin/env bash
# Installs what the oracle tests run against, from Debian: QEMU 7.2 (qemu-system-x86, Debian 12's version).
# Idempotent: with qemu-system-x86_64 present it does nothing. Uses sudo when not root.
#   MTYPE_ORACLES_SKIP_APT=1  never call apt-get (the tests then skip, saying why)
set -euo pipefail
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
  echo "oracles: $(qemu-system-x86_64 --version | head -1)"
  exit 0
fi
if [ "${MTYPE_ORACLES_SKIP_APT:-}" = 1 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "oracles: qemu-system-x86_64 is missing and apt-get is not available here: the QEMU oracle test will be skipped" >&2
  exit 0
fi
SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
if [ -n "$SUDO" ] && ! command -v sudo >/dev/null 2>&1; then
  echo "oracles: not root and no sudo: cannot install qemu-system-x86; the QEMU oracle test will be skipped" >&2
  exit 0
fi
echo "oracles: apt-get install -y qemu-system-x86"
$SUDO apt-get update -qq
if ! DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends qemu-system-x86 >/dev/null; then
  if ! apt-cache show qemu-system-x86 >/dev/null 2>&1; then
    echo "oracles: this system's package sources have no qemu-system-x86: the QEMU oracle test will be skipped" >&2
    exit 0
  fi
  echo "oracles: installing qemu-system-x86 failed" >&2
  exit 1
fi
echo "oracles: $(qemu-system-x86_64 --version | head -1)"
