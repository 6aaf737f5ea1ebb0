/** Semantic tokens, inlay hints, code lenses, and the Markdown explain/compare renderings. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { miniKb } from './helpers/mini-kb';
import { load } from './helpers/project';
import { semanticTokens, encodeTokens, TOKEN_TYPES } from '../../server/src/services/semantic-tokens';
import { inlayHints } from '../../server/src/services/inlay-hints';
import { codeLenses } from '../../server/src/services/code-lens';
import { compareMachines, listMachines, machineNameAt, projectStatus, renderExplanation } from '../../server/src/services/machine-requests';
import { LineIndex } from '../../server/src/common/text';

const kb = miniKb();
const BASE = 'machine pc-1.3 {\n  qemu 1.3\n  host-kernel >= 3.6\n  cpu Haswell\n  cpuid {\n    +kvm-pv-eoi\n    -x2apic\n    +bogus\n  }\n  migrate MSR_KVM_STEAL_TIME\n}\n';
const CHILD = 'machine pc-1.2 extends pc-1.3 {\n  qemu 1.2\n  deprecated\n}\n';
const project = () => load({ 'base.mtype': BASE, 'child.mtype': CHILD }, kb);

test('semantic tokens tell whitelisted, masked and unknown features, and inherited bases, apart', () => {
  const p = project();
  const text = (uri: string, src: string) =>
    semanticTokens(p.document(uri)!, p.workspace, kb).map((t) => {
      const start = new LineIndex(src).offsetAt({ line: t.line, character: t.character });
      return `${src.slice(start, start + t.length)}:${[t.type, ...t.modifiers].join('.')}`;
    });
  const base = text('base.mtype', BASE);
  for (const expected of ['machine:keyword', 'pc-1.3:class.declaration', '1.3:number', 'Haswell:type', '+kvm-pv-eoi:whitelistFeature', '-x2apic:maskFeature', '+bogus:unknownFeature', 'MSR_KVM_STEAL_TIME:variable']) {
    assert.ok(base.includes(expected), `${expected} in ${base.join(' ')}`);
  }
  const child = text('child.mtype', CHILD);
  assert.ok(child.includes('pc-1.3:class.inherited'));
  assert.ok(child.includes('pc-1.2:class.declaration.deprecated'));
});

test('tokens encode relative to the previous one, with the legend indexes', () => {
  const data = encodeTokens([
    { line: 0, character: 0, length: 7, type: 'keyword', modifiers: [] },
    { line: 0, character: 8, length: 2, type: 'class', modifiers: ['declaration', 'inherited'] },
    { line: 2, character: 4, length: 3, type: 'maskFeature', modifiers: [] },
  ]);
  assert.deepEqual(data, [0, 0, 7, 0, 0, 0, 8, 2, 1, 0b11, 2, 4, 3, TOKEN_TYPES.indexOf('maskFeature'), 0]);
});

test('inlay hints: CPUID location after each known feature, inherited settings after the {', () => {
  const p = project();
  const all = { start: { line: 0, character: 0 }, end: { line: 99, character: 0 } };
  const base = inlayHints(p.document('base.mtype')!, all, p.workspace, kb);
  assert.deepEqual(base.map((h) => [h.position.line, h.label]), [
    [5, '0x40000001 EAX[6]'],
    [6, '0x1 ECX[21]'],
  ]);
  const child = inlayHints(p.document('child.mtype')!, all, p.workspace, kb);
  assert.deepEqual(child.map((h) => [h.position, h.label]), [[{ line: 0, character: 31 }, 'host-kernel >= 3.6 · cpu Haswell']]);
  const none = inlayHints(p.document('base.mtype')!, { start: { line: 0, character: 0 }, end: { line: 2, character: 0 } }, p.workspace, kb);
  assert.deepEqual(none, []);
});

test('code lenses: a summary and an Explain command per machine', () => {
  const p = project();
  const lenses = codeLenses(p.document('base.mtype')!, p.workspace, kb);
  assert.equal(lenses.length, 2);
  assert.match(lenses[0].title, /^\d+ bits · \d+ MSRs \(0 unmigrated\) · host ≥ 3\.6$/);
  assert.deepEqual(lenses[1].command, { id: 'mtype.explainMachine', arguments: ['pc-1.3'] });
  // pc-1.2 runs QEMU 1.2, which does not migrate kvm-pv-eoi's MSR
  const child = codeLenses(p.document('child.mtype')!, p.workspace, kb);
  assert.match(child[0].title, /\(1 unmigrated\)/);
});

test('explain in every format; compare shows the guest ABI difference', () => {
  const p = project();
  const md = renderExplanation(p, 'pc-1.2', 'markdown');
  assert.ok('text' in md);
  assert.match(md.text, /^# machine pc-1\.2/);
  assert.match(md.text, /\| `MSR_KVM_PV_EOI_EN` \| `0x4b564d04` \| state \| \*\*NO\*\* \| kvm-pv-eoi \|/);
  // the mini KB has not read QEMU 1.3's command line: the forms every release accepts (-enable-kvm, +f/-f)
  assert.equal((renderExplanation(p, 'pc-1.3', 'qemu') as { text: string }).text, '-enable-kvm -cpu Haswell,+kvm-pv-eoi,-x2apic');
  // This project's small KB has no libvirt names: the export says so instead of guessing them.
  const lv = (renderExplanation(p, 'pc-1.3', 'libvirt') as { text: string }).text;
  assert.match(lv, /no cpu_map data/);
  assert.match(lv, /not expressible in libvirt[^>]*x2apic=off/);
  assert.deepEqual(renderExplanation(p, 'nope', 'text'), { error: "No machine type named 'nope' in the workspace." });
  const cmp = compareMachines(p, 'pc-1.3', 'pc-1.2');
  assert.ok('markdown' in cmp);
  assert.match(cmp.markdown, /\| QEMU \| 1\.3 \| 1\.2 \|/);
  assert.match(cmp.markdown, /\| `MSR_KVM_PV_EOI_EN` \| migrated \| not migrated \|/);
  assert.match((compareMachines(p, 'pc-1.3', 'pc-1.3') as { markdown: string }).markdown, /same ABI/);
});

test('machine list, machine at a position, and status', () => {
  const p = project();
  assert.deepEqual(listMachines(p).map((m) => [m.name, m.base]), [['pc-1.2', 'pc-1.3'], ['pc-1.3', undefined]]);
  assert.equal(machineNameAt(p, 'base.mtype', { line: 3, character: 4 }), 'pc-1.3');
  assert.equal(machineNameAt(p, 'base.mtype', { line: 40, character: 0 }), undefined);
  const status = projectStatus(p);
  assert.equal(status.machines, 2);
  assert.equal(status.files, 2);
  assert.equal(status.kb.newestQemu, '4.2');
  assert.equal(status.kb.features, kb.features.length);
});
