#!/usr/bin/env bash
# npm run test:oracles — the tests that use real outside software as the oracle (QEMU 7.2 today):
# install it (scripts/oracles/install.sh), build the tests, run them. Each test prints a summary line
# ("qemu 7.2 oracle: N machines compared, N bits compared, …"); the exit status is non-zero on a failure.
set -euo pipefail
cd "$(dirname "$0")/../.."
bash scripts/oracles/install.sh
node scripts/build.mjs --oracles
node --enable-source-maps --test-reporter=spec out/oracles/qemu72.test.js
