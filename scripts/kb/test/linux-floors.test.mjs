// The Linux side of the KB generators: the extractor on two miniature trees written for
// these tests, the dating rules, and that the committed data is what the committed
// inputs give (the check mode of each generator).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { datePresence } from '../linux/floors.mjs';
import { mainlineReleases } from '../linux/versions.mjs';
import { tokenize, functionBodies, walk } from '../linux/c-tokens.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixtures = path.join(root, 'test/fixtures/linux-mini');

for (const tree of ['old', 'new']) {
  test(`extractor on the ${tree}-style fixture tree reproduces its expected output byte for byte`, () => {
    const out = execFileSync(process.execPath, [path.join(root, 'scripts/kb/linux/extract.mjs'), '--dir', path.join(fixtures, tree), '--release', tree], { encoding: 'utf8' });
    assert.equal(out, readFileSync(path.join(fixtures, `expected-${tree}.json`), 'utf8'));
  });
}

test('extractor: emulated-only bits, tests and conditional clears are not offers; gated ops and vendor hooks are per vendor', () => {
  const read = (t) => JSON.parse(readFileSync(path.join(fixtures, `expected-${t}.json`), 'utf8'));
  const old = read('old');
  assert.ok(!old.intel.includes('movbe') && !old.amd.includes('movbe'), 'MOVBE is only in the emulated list');
  assert.ok(old.intel.includes('aes'), 'a conditional clear leaves the bit offered');
  assert.ok(!old.intel.includes('hypervisor'), 'a bit only tested is not offered');
  assert.ok(old.intel.includes('rdtscp') && !old.amd.includes('rdtscp'), 'svm_rdtscp_supported returns false');
  assert.ok(old.intel.includes('vmx') && !old.amd.includes('vmx'));
  assert.ok(old.amd.includes('svm') && old.amd.includes('nrip-save') && !old.intel.includes('svm'));
  assert.ok(!old.intel.includes('tsc-deadline'), 'no KVM_CAP_TSC_DEADLINE_TIMER in the old tree');
  const nw = read('new');
  assert.ok(nw.intel.includes('tsc-deadline') && nw.amd.includes('tsc-deadline'), 'QEMU takes tsc-deadline from the capability');
  assert.ok(nw.intel.includes('invpcid') && !nw.amd.includes('invpcid'), 'an unconditional clear in svm_set_cpu_caps');
  assert.ok(nw.intel.includes('kvm-pv-eoi'));
});

test('c-tokens: conditions and ternaries are seen', () => {
  const body = functionBodies(tokenize('void f(void) { if (a) x |= F(A); y = c ? F(B) : 0; z |= F(C); }'), 'f')[0];
  const seen = {};
  walk(body, (i, ctx) => { if (body[i] === 'F') seen[body[i + 2]] = ctx.conditional; });
  assert.deepEqual(seen, { A: true, B: true, C: false });
});

const ML = mainlineReleases('5.3');
const obs = (pairs) => pairs.map(([release, present, pointRelease = false]) => ({ release, present, pointRelease, tree: `t/${release}@000000000000` }));

test('dating: pinned when the release before has a tree without the bit', () => {
  const d = datePresence(ML, obs([['4.19', false], ['4.20', false], ['5.0', true], ['5.1', true]]));
  assert.equal(d.since, '5.0');
  assert.equal(d.bracket, null);
});

test('dating: a missing tree between absence and presence leaves a bracket, not a guess', () => {
  const d = datePresence(ML, obs([['4.18', false], ['4.20', true]]));
  assert.equal(d.since, null);
  assert.match(d.bracket, /absent in 4\.18, present in 4\.20/);
});

test('dating: presence in an old point-release tree followed by absence is a backport, not a floor or a withdrawal', () => {
  const d = datePresence(ML, obs([['4.14', true, true], ['4.15', false], ['5.1', false], ['5.2', true]]), { backported: true });
  assert.equal(d.since, '5.2');
  assert.equal(d.until, null);
  assert.deepEqual(d.backportSeenIn, ['4.14']);
});

test('dating: a backported bit first seen in a point-release tree is not pinned', () => {
  const d = datePresence(ML, obs([['4.15', false], ['4.16', true, true], ['4.17', true]]), { backported: true });
  assert.equal(d.since, null);
  assert.match(d.bracket, /could be a stable backport/);
});

test('dating: a bit that disappears gets kvmUntil', () => {
  const d = datePresence(ML, obs([['4.3', false], ['4.4', true], ['4.5', true], ['4.6', false]]));
  assert.equal(d.since, '4.4');
  assert.equal(d.until, '4.5');
});

for (const script of ['date-kernel.mjs', 'date-qemu.mjs']) {
  test(`check mode: the committed KB data is what ${script} makes of the committed inputs`, () => {
    execFileSync(process.execPath, [path.join(root, 'scripts/kb', script), '--check'], { stdio: 'pipe' });
  });
}
