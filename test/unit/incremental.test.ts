/**
 * Per-machine findings reused across edits (checks/machine-cache.ts) must give
 * exactly what a fresh analysis gives, whatever the edit: characters typed or
 * deleted anywhere, lines inserted, machines moved, bases in other files edited.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Project } from '../../server/src/services/project';

const kb = getKnowledgeBase();
const root = resolve(__dirname, '../..');
const sources: Record<string, string> = {};
for (const dir of ['examples', 'test/history', 'test/fuzz/corpus']) {
  for (const f of readdirSync(join(root, dir))) if (f.endsWith('.mtype')) sources[`${dir}/${f}`] = readFileSync(join(root, dir, f), 'utf8');
}

/** mulberry32 */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const snapshot = (p: Project, uri: string) => JSON.stringify(p.diagnostics(uri));

function fresh(files: Record<string, string>, inherited: 'each' | 'once' = 'each'): Project {
  const p = new Project(kb);
  p.setOptions({ inherited });
  for (const [uri, text] of Object.entries(files)) p.update(uri, text);
  return p;
}

/**
 * Random edits per run: each step re-analyses the whole corpus from scratch to compare, so 400 steps took 15 s of
 * CPU. 50 keep npm test fast; MTYPE_INCREMENTAL_STEPS=2000 node --test out/test/incremental.test.js runs a long one.
 */
const STEPS = Number(process.env.MTYPE_INCREMENTAL_STEPS) || 50;

for (const inherited of ['each', 'once'] as const) test(`incremental analysis equals a fresh analysis after every random edit (inherited findings: ${inherited})`, () => {
  const next = rng(20261126);
  const files = { ...sources };
  const uris = Object.keys(files);
  const live = fresh(files, inherited);
  for (const uri of uris) live.diagnostics(uri); // warm the per-machine cache
  const alphabet = ['a', '1', '.', '-', '+', ' ', '\n', '{', '}', '#', 'x2apic', 'qemu 2.0\n', 'machine z {\n}\n'];
  for (let step = 0; step < STEPS; step++) {
    const uri = uris[Math.floor(next() * uris.length)];
    const text = files[uri];
    const at = Math.floor(next() * (text.length + 1));
    const edited =
      next() < 0.5
        ? text.slice(0, at) + alphabet[Math.floor(next() * alphabet.length)] + text.slice(at)
        : text.slice(0, at) + text.slice(Math.min(text.length, at + 1 + Math.floor(next() * 3)));
    files[uri] = edited;
    live.update(uri, edited);
    const reference = fresh(files, inherited);
    for (const u of uris) assert.equal(snapshot(live, u), snapshot(reference, u), `step ${step}: ${u} differs after editing ${uri} at ${at}`);
  }
});

test('typing inside one machine reuses the others: their diagnostics objects stay equal and ranges move with them', () => {
  const base = 'machine a {\n  qemu 1.3\n  host-kernel >= 3.2\n}\nmachine b extends a {\n  cpuid +x2apic\n}\n';
  const p = fresh({ 'f.mtype': base });
  const before = p.diagnostics('f.mtype').filter((d) => d.range.start.line >= 4);
  const edited = base.replace('qemu 1.3', 'qemu 1.3 ');
  p.update('f.mtype', edited);
  const after = p.diagnostics('f.mtype').filter((d) => d.range.start.line >= 4);
  assert.equal(JSON.stringify(after), JSON.stringify(fresh({ 'f.mtype': edited }).diagnostics('f.mtype').filter((d) => d.range.start.line >= 4)));
  assert.equal(after.length, before.length);
});

test('a keystroke that keeps the lines and the headers looks only at the edited region and its dependents', () => {
  // 40 independent machines, then a family of three; a suppression comment in the family.
  const lone = Array.from({ length: 40 }, (_, i) => `machine m${i} {\n  qemu 2.0\n  cpuid +x2apic\n}\n`).join('');
  const family = 'machine root {\n  qemu 4.0\n  cpuid {\n    +kvm-pv-unhalt\n    +x2apic   # mtype-ignore: MT302\n  }\n}\nmachine mid extends root {\n  cpuid -x2apic\n}\nmachine leaf extends mid {\n  qemu 5.0\n}\n';
  const text = lone + family;
  for (const inherited of ['each', 'once'] as const) {
    const p = fresh({ 'f.mtype': text }, inherited);
    p.diagnostics('f.mtype');
    const visited = () => p.regionsVisited;
    const cases: Array<[string, string, number]> = [
      ['a lone machine', text.replace('machine m7 {\n  qemu 2.0\n  cpuid +x2apic', 'machine m7 {\n  qemu 2.0\n  cpuid +x2apicx'), 1],
      ['the root of the family (it and its two dependents)', text.replace('+kvm-pv-unhalt', '+kvm-pv-unhaltx'), 3],
      ['the line of the suppression comment', text.replace('+x2apic   # mtype', '+x2apix   # mtype'), 3],
      ['the middle of the family', text.replace('cpuid -x2apic', 'cpuid -x2apicx'), 2],
      // A new line moves every piece below it, but only the edited machines are analysed again.
      ['a new line in the middle of the family', text.replace('cpuid -x2apic', 'cpuid -x2apic\n'), 2],
      ['a new line in a lone machine', text.replace('machine m7 {\n  qemu 2.0\n', 'machine m7 {\n  qemu 2.0\n\n'), 1],
      // Its suppression comment moves with its line: the silenced lines are found again, nothing else is analysed.
      ['a new line in a machine with a suppression comment', text.replace('+kvm-pv-unhalt', '+kvm-pv-unhalt\n'), 3],
    ];
    for (const [what, edited, regions] of cases) {
      for (const version of [edited, text]) {
        const before = visited();
        p.update('f.mtype', version);
        assert.equal(snapshot(p, 'f.mtype'), snapshot(fresh({ 'f.mtype': version }, inherited), 'f.mtype'), `${what} (${inherited})`);
        assert.equal(visited() - before, regions, `${what} (${inherited}): regions looked at`);
      }
    }
    // A renamed machine, a changed suppression comment: the whole document again.
    for (const edited of [text.replace('machine mid ', 'machine midx '), text.replace('MT302', 'MT303')]) {
      const before = visited();
      p.update('f.mtype', edited);
      assert.equal(snapshot(p, 'f.mtype'), snapshot(fresh({ 'f.mtype': edited }, inherited), 'f.mtype'));
      assert.ok(visited() - before >= 43, `whole document for ${JSON.stringify(edited.slice(-60))}`);
      p.update('f.mtype', text);
      p.diagnostics('f.mtype');
    }
  }
});

test('a line break between a suppression comment and the next machine, which it silenced, analyses the whole document', () => {
  // The comment ends machine a's region and silences the first line of b's: b's name, where b's inherited MT300 sits.
  const lone = Array.from({ length: 20 }, (_, i) => `machine m${i} {\n  qemu 2.0\n}\n`).join('');
  const text = `${lone}machine a {\n  qemu 6.0\n  host-kernel >= 3.10\n  cpuid +arat\n}\n# mtype-ignore: MT300\nmachine b extends a {\n}\n`;
  const apart = text.replace('# mtype-ignore: MT300\n', '# mtype-ignore: MT300\n\n');
  const onB = (p: Project, doc: string) => {
    const line = doc.split('\n').findIndex((l) => l.startsWith('machine b '));
    return p.diagnostics('f.mtype').filter((d) => d.code === 'MT300' && d.range.start.line === line).length;
  };
  assert.equal(onB(fresh({ 'f.mtype': text }), text), 0, 'silenced');
  assert.equal(onB(fresh({ 'f.mtype': apart }), apart), 1, 'no longer silenced');
  for (const inherited of ['each', 'once'] as const) {
    const p = fresh({ 'f.mtype': text }, inherited);
    p.diagnostics('f.mtype');
    for (const version of [apart, text, apart]) {
      const before = p.regionsVisited;
      p.update('f.mtype', version);
      assert.equal(snapshot(p, 'f.mtype'), snapshot(fresh({ 'f.mtype': version }, inherited), 'f.mtype'), inherited);
      assert.ok(p.regionsVisited - before >= 22, `${inherited}: the whole document (${p.regionsVisited - before} regions)`);
    }
  }
});

test('the workspace says which names lost their resolution since a generation, as far back as it remembers', () => {
  const p = fresh({ 'a.mtype': 'machine base {\n  qemu 4.0\n}\nmachine child extends base {\n  cpuid +x2apic\n}\nmachine lone {\n  qemu 5.0\n}\n' });
  const ws = p.workspace;
  const start = ws.generation;
  assert.deepEqual([...ws.invalidatedSince(start)!], []);
  // Editing the base drops it and its dependent, not the unrelated machine.
  p.update('a.mtype', 'machine base {\n  qemu 4.1\n}\nmachine child extends base {\n  cpuid +x2apic\n}\nmachine lone {\n  qemu 5.0\n}\n');
  assert.deepEqual([...ws.invalidatedSince(start)!].sort(), ['base', 'child']);
  const middle = ws.generation;
  p.update('a.mtype', 'machine base {\n  qemu 4.1\n}\nmachine child extends base {\n  cpuid +x2apic\n}\nmachine lone {\n  qemu 5.1\n}\n');
  assert.deepEqual([...ws.invalidatedSince(middle)!], ['lone']);
  assert.deepEqual([...ws.invalidatedSince(start)!].sort(), ['base', 'child', 'lone']);
  // Far enough back it does not know (the analysis then starts over).
  for (let i = 0; i < 20; i++) p.update('b.mtype', `machine other {\n  qemu 2.${i}\n}\n`);
  assert.equal(ws.invalidatedSince(start), undefined);
  assert.equal(ws.invalidatedSince(ws.generation + 1), undefined);
});
