#!/usr/bin/env bash
# npm run test:e2e — the real-VS-Code suites, from nothing to a verdict:
#   tools (scripts/e2e/install-tools.sh) -> build -> package mtype.vsix -> extension-host suite in code-server
#   -> UI tests in chromium -> the Neovim suite (a second LSP client, scripts/e2e/run-neovim.sh). Each suite ends
#   with a line "<suite>: N passed, N failed"; the exit status is non-zero if anything failed. Artifacts (screenshots, logs): test-results/.
set -uo pipefail
cd "$(dirname "$0")/../.."
T0=$(date +%s)
phase() { echo "=== [e2e +$(( $(date +%s) - T0 ))s] $*"; }
fail() { echo "e2e: $*" >&2; exit 1; }

phase "tools: chromium, Node 24, code-server, neovim ${MTYPE_E2E_TOOLS:+in $MTYPE_E2E_TOOLS}"
bash scripts/e2e/install-tools.sh || fail "installing the tools failed"
bash scripts/e2e/install-neovim.sh || fail "installing neovim failed"

phase "build the extension and the extension-host suite; package mtype.vsix"
node scripts/build.mjs || fail "build failed"
node scripts/e2e/build-tests.mjs || fail "building the extension-host suite failed"
npm run --silent package >/dev/null || fail "npm run package failed"
rm -rf test-results && mkdir -p test-results

rc=0
phase "extension-host suite (mocha + vscode API) in code-server"
node scripts/e2e/run-vscode-suite.mjs || rc=1

phase "UI tests (code-server + chromium)"
node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./scripts/e2e/summary-reporter.mjs --test-reporter-destination=stdout \
  test/e2e/ui.test.mjs || rc=1

phase "code links (code-server + chromium): the MT300 link opens the bundled codes page"
MTYPE_SUITE="code-link suite" node --test --test-reporter=spec --test-reporter-destination=stdout \
  --test-reporter=./scripts/e2e/summary-reporter.mjs --test-reporter-destination=stdout \
  test/e2e/code-link.test.mjs || rc=1

phase "Neovim suite (nvim --headless, built-in LSP client)"
bash scripts/e2e/run-neovim.sh || rc=1

phase "done: $([ $rc = 0 ] && echo 'all passed' || echo 'FAILED'); screenshots and logs in test-results/"
exit $rc
