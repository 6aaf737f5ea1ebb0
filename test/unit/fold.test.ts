/**
 * One finding per cause (`inherited: once`, the language server's default): a base's
 * finding that the machines extending it share is shown once, on the base, with those
 * machines in its related information; a machine whose verdict differs keeps its own.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Project } from '../../server/src/services/project';

const kb = getKnowledgeBase();

function analyse(files: Record<string, string>, inherited: 'each' | 'once') {
  const p = new Project(kb);
  p.setOptions({ inherited });
  for (const [uri, text] of Object.entries(files)) p.update(uri, text);
  return p;
}

const mt300 = (p: Project, uri: string) => p.diagnostics(uri).filter((d) => d.code === 'MT300');

// kvm-pv-unhalt: KVM exposes it from Linux 3.12; 3.10 lacks it.
const CHAIN = `machine base {
  qemu 2.5
  host-kernel >= 3.10
  cpuid +kvm-pv-unhalt
}

machine child extends base {
}

machine grandchild extends child {
  qemu 2.6
}

machine newer extends base {
  host-kernel >= 4.19
}

machine older-again extends newer {
  host-kernel >= 3.10
}
`;

test('once: the base carries the finding, the machines sharing it are listed at their names in text order', () => {
  const p = analyse({ 'f.mtype': CHAIN }, 'once');
  const found = mt300(p, 'f.mtype');
  const onBase = found.find((d) => d.range.start.line === 3);
  assert.ok(onBase, 'the base reports its own edit');
  assert.match(onBase.message, /^machine base whitelists kvm-pv-unhalt/);
  const listed = (onBase.related ?? []).map((r) => [r.range.start.line, r.message]);
  assert.deepEqual(listed, [
    [6, 'child inherits this too'],
    [9, 'grandchild inherits this too'],
  ]);
  // `newer` has kernels that carry the bit: no finding. `older-again` inherits through a
  // machine that is clean, so it reports for itself, worded for itself.
  const own = found.filter((d) => d !== onBase);
  assert.equal(own.length, 1);
  assert.equal(own[0].range.start.line, 17);
  assert.match(own[0].message, /^older-again inherits \+kvm-pv-unhalt .* from base; .*older-again allows host-kernel >= 3\.10/);
});

test('each: every affected machine reports the inherited finding on its name (the CLI default)', () => {
  const p = analyse({ 'f.mtype': CHAIN }, 'each');
  assert.deepEqual(mt300(p, 'f.mtype').map((d) => d.range.start.line), [3, 6, 9, 17]);
});

test('once: a suppressed base finding does not hide its children; they report for themselves', () => {
  const text = CHAIN.replace('cpuid +kvm-pv-unhalt', 'cpuid +kvm-pv-unhalt   # mtype-ignore: MT300');
  const p = analyse({ 'f.mtype': text }, 'once');
  const found = mt300(p, 'f.mtype');
  // child carries for itself and grandchild; older-again as before.
  assert.deepEqual(found.map((d) => d.range.start.line), [6, 17]);
  assert.deepEqual((found[0].related ?? []).map((r) => r.message), ['inherited from here (machine base)', 'grandchild inherits this too'].map((m) => m.replace('inherited from here', 'kvm-pv-unhalt comes from here')));
});

test('once: a child in another document reports in its own document', () => {
  const p = analyse({ 'a.mtype': CHAIN.slice(0, CHAIN.indexOf('machine child')), 'b.mtype': 'machine child extends base {\n}\nmachine grandchild extends child {\n}\n' }, 'once');
  assert.equal(mt300(p, 'a.mtype').length, 1);
  const there = mt300(p, 'b.mtype');
  assert.equal(there.length, 1, 'the topmost affected machine of b.mtype carries it there');
  assert.equal(there[0].range.start.line, 0);
  assert.deepEqual((there[0].related ?? []).map((r) => [r.uri, r.message]), [
    ['a.mtype', 'kvm-pv-unhalt comes from here (machine base)'],
    ['b.mtype', 'grandchild inherits this too'],
  ]);
});

test('once: the same statement with a different verdict is not folded (a child whose release migrates another MSR group)', () => {
  // qemu64 (the default model) includes mtrr; its MSRs are first migrated in QEMU 2.2, and
  // kvm-steal-time's MSR in 1.5. c's own 1.5 migrates the steal-time MSR; d inherits b's 1.2.
  const text = 'machine b {\n  qemu 1.2\n}\nmachine c extends b {\n  qemu 1.5\n}\nmachine d extends b {\n}\n';
  const each = analyse({ 'f.mtype': text }, 'each').diagnostics('f.mtype').filter((d) => d.code === 'MT200');
  const once = analyse({ 'f.mtype': text }, 'once').diagnostics('f.mtype').filter((d) => d.code === 'MT200');
  const where = (ds: typeof each) => ds.map((d) => `${d.range.start.line}:${/(mtrr|kvm-steal-time)/.exec(d.message)?.[1]}`);
  assert.deepEqual(where(each), ['0:mtrr', '1:kvm-steal-time', '3:mtrr', '6:kvm-steal-time', '6:mtrr']);
  // c has its own release, so its mtrr finding is its own; d's two share b's causes.
  assert.deepEqual(where(once), ['0:mtrr', '1:kvm-steal-time', '3:mtrr']);
  assert.deepEqual(once.map((d) => (d.related ?? []).map((r) => r.message)), [['d inherits this too'], ['d inherits this too'], []]);
});

test('once: masking the bit in the base (the carrier\'s preferred fix) clears every machine listed with it', () => {
  const p = analyse({ 'f.mtype': CHAIN }, 'once');
  const onBase = mt300(p, 'f.mtype').find((d) => d.range.start.line === 3)!;
  const fix = onBase.fixes?.find((f) => f.preferred);
  assert.equal(fix?.kind, 'mask');
  const fixed = analyse({ 'f.mtype': CHAIN.replace('cpuid +kvm-pv-unhalt', 'cpuid -kvm-pv-unhalt') }, 'once');
  assert.equal(mt300(fixed, 'f.mtype').length, 0);
});

test('once: counts are per cause; the machines affected are all still named', () => {
  const each = analyse({ 'f.mtype': CHAIN }, 'each').diagnostics('f.mtype');
  const once = analyse({ 'f.mtype': CHAIN }, 'once').diagnostics('f.mtype');
  assert.ok(once.length < each.length);
  const named = (ds: typeof each) => new Set(ds.flatMap((d) => [d.message.split(' ')[0] === 'machine' ? d.message.split(' ')[1] : d.message.split(' ')[0], ...(d.related ?? []).filter((r) => r.message.endsWith('inherits this too')).map((r) => r.message.split(' ')[0])]));
  for (const code of ['MT300'] as const) {
    assert.deepEqual([...named(once.filter((d) => d.code === code))].sort(), [...named(each.filter((d) => d.code === code))].sort());
  }
});

test('once: hovering a machine whose findings are shown on its base lists them, worded for that machine', async () => {
  const { hoverAt } = await import('../../server/src/services/hover');
  const p = analyse({ 'f.mtype': CHAIN }, 'once');
  const hover = hoverAt(p, 'f.mtype', { line: 9, character: 10 });
  assert.match(hover?.markdown ?? '', /1 inherited finding, shown on the base where it starts:\*\*\n- error MT300: grandchild inherits \+kvm-pv-unhalt .* from base;/);
  const clean = hoverAt(p, 'f.mtype', { line: 13, character: 10 });
  // newer's kernels have the bit: no MT300 is listed (its inherited MT302 is).
  assert.doesNotMatch(clean?.markdown ?? '', /MT300/);
  assert.match(clean?.markdown ?? '', /information MT302: 7 bits reach the guest of newer/);
});

test('once: cycles and duplicate names fold nothing they should not, and throw nothing', () => {
  const text = 'machine a extends c {\n  qemu 2.5\n  host-kernel >= 3.10\n  cpuid +kvm-pv-unhalt\n}\nmachine b extends a {\n}\nmachine c extends b {\n}\n' +
    'machine d {\n  qemu 2.5\n  host-kernel >= 3.10\n  cpuid +kvm-pv-unhalt\n}\nmachine d {\n  qemu 2.5\n}\nmachine e extends d {\n}\n';
  const each = analyse({ 'f.mtype': text }, 'each').diagnostics('f.mtype');
  const once = analyse({ 'f.mtype': text }, 'once').diagnostics('f.mtype');
  // The cycle a -> c -> b -> a reports for each member, as with `each`.
  const cycleLines = (ds: typeof each) => ds.filter((d) => d.code === 'MT300' && d.range.start.line < 9).map((d) => d.range.start.line);
  assert.deepEqual(cycleLines(once), cycleLines(each));
  assert.equal(once.filter((d) => d.code === 'MT112').length, each.filter((d) => d.code === 'MT112').length);
  // e extends the first d (names bind in document order): its MT300 folds into that d's.
  const dFirst = once.find((d) => d.code === 'MT300' && d.range.start.line === 12);
  assert.deepEqual(dFirst?.related?.map((r) => r.message), ['e inherits this too']);
  assert.equal(once.filter((d) => d.code === 'MT113').length, 2);
});

test('once: a bit a `cpuid for` model brings in folds into the base that names the model, as one from the `cpu` model does', () => {
  // QEMU 1.7 does not migrate the MTRR MSRs under KVM; kvm32-v1 has mtrr, qemu32-v1 (the \`cpu\` model) has not.
  const text = `machine base {
  qemu 1.7
  cpu qemu32-v1
  cpuid for kvm32-v1 { +x2apic }
}

machine child extends base {
}
`;
  const mtrr = (p: Project) => p.diagnostics('f.mtype').filter((d) => d.code === 'MT200' && d.message.startsWith('kvm32-v1 includes mtrr'));
  const once = mtrr(analyse({ 'f.mtype': text }, 'once'));
  assert.deepEqual(once.map((d) => d.range.start.line), [3], 'only the base shows it');
  assert.deepEqual((once[0].related ?? []).map((r) => [r.range.start.line, r.message]), [[6, 'child inherits this too']]);
  assert.deepEqual(mtrr(analyse({ 'f.mtype': text }, 'each')).map((d) => d.range.start.line), [3, 6]);
});
