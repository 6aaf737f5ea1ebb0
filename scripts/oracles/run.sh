#!/usr/bin/env bash
# npm run test:oracles — the tests that use real outside software as the oracle: Debian's QEMU 7.2
# (test/oracles/qemu72.test.ts) and libvirt (test/oracles/libvirt.test.mjs). Installs them
# (scripts/oracles/install.sh, install-libvirt.sh), builds, runs. Each test prints a summary line
# ("qemu 7.2 oracle: N machines compared, N bits compared, …"); the exit status is non-zero on a failure.
set -uo pipefail
cd "$(dirname "$0")/../.."
rc=0
bash scripts/oracles/install.sh || exit 1
node scripts/build.mjs --oracles || exit 1
node --enable-source-maps --test-reporter=spec out/oracles/qemu72.test.js || rc=1
if [ -f test/oracles/libvirt.test.mjs ]; then
  bash scripts/oracles/install-libvirt.sh || exit 1
  node --test-reporter=spec test/oracles/libvirt.test.mjs || rc=1
fi
exit $rc
