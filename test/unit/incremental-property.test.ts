/**
 * Incremental analysis equals a fresh one: random edit sequences (typing, Enter,
 * paste, deletes, unclosed braces and strings, stray `machine` words, `extends`
 * edits across files) over the benchmark's seeded workload, split into two files
 * whose machines extend each other's. After every edit the engine's final
 * diagnostics — the flat list and the per-machine pieces as a server would send
 * them — are byte-identical to a fresh analysis of the same texts.
 *
 * Seeded and bounded for `npm test`; `npm run fuzz:incremental` (INCREMENTAL_STEPS, INCREMENTAL_FAMILY=30,50 for chains as long as QEMU's,
 * INCREMENTAL_SEED) runs a longer campaign.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Project } from '../../server/src/services/project';
import type { Diagnostic } from '../../server/src/common/diagnostic';
import { generatedFile, rng, type Rng } from './helpers/workload';

const kb = getKnowledgeBase();
const STEPS = Number(process.env.INCREMENTAL_STEPS ?? 40);
const SEED = Number(process.env.INCREMENTAL_SEED ?? 20261202);
/** Chain lengths of the workload's families (INCREMENTAL_FAMILY=MIN,MAX; the generator's 5–15 by default). */
const FAMILY = process.env.INCREMENTAL_FAMILY ? (process.env.INCREMENTAL_FAMILY.split(',').map(Number) as [number, number]) : undefined;

/** The generated catalogue cut in two at a machine line; the second half's first family extends a machine of the first. */
function workload(): Record<string, string> {
  const text = generatedFile(42, FAMILY ? 900 : 300, FAMILY);
  const cut = text.indexOf('\nmachine ', text.length >> 1) + 1;
  const first = text.slice(0, cut);
  const baseName = /machine (\S+)/.exec(first.slice(first.lastIndexOf('\nmachine ')))![1];
  const second = text.slice(cut).replace(/^(machine \S+)( extends \S+)?/m, `$1 extends ${baseName}`);
  return { 'file:///w/a.mtype': first, 'file:///w/b.mtype': second };
}

/** What a server sends: ranges, codes, severities, messages, related ranges. */
function sent(d: Diagnostic) {
  return { range: d.range, severity: d.severity, code: d.code, message: d.message, tags: d.tags, related: d.related };
}

function snapshot(p: Project, uri: string): string {
  const pieces = p.diagnosticsByMachine(uri).map((piece) => ({ id: piece.id, line: piece.line, diagnostics: piece.diagnostics }));
  return JSON.stringify({ flat: p.diagnostics(uri), pieces });
}

function fresh(files: Record<string, string>, inherited: 'each' | 'once' = 'each'): Project {
  const p = new Project(kb);
  p.setOptions({ inherited });
  for (const [uri, text] of Object.entries(files)) p.update(uri, text);
  return p;
}

/** Equal snapshots, or a failure that shows the first diagnostic or piece that differs (not 200 kB of both). */
function assertSameSnapshot(actual: string, expected: string, message: string): void {
  if (actual === expected) return;
  const a = JSON.parse(actual) as { flat: unknown[]; pieces: unknown[] };
  const b = JSON.parse(expected) as { flat: unknown[]; pieces: unknown[] };
  for (const key of ['flat', 'pieces'] as const) {
    const i = a[key].findIndex((d, k) => JSON.stringify(d) !== JSON.stringify(b[key][k]));
    if (i < 0 && a[key].length === b[key].length) continue;
    assert.equal(JSON.stringify(a[key][i]), JSON.stringify(b[key][i]), `${message}: ${key} ${i} of ${a[key].length} (fresh: ${b[key].length})`);
  }
}

const lineStart = (text: string, at: number) => text.lastIndexOf('\n', at - 1) + 1;

/** One random edit of the kinds an author makes, syntax errors included. */
function randomEdit(r: Rng, text: string, other: string, names: string[]): string {
  const at = r.int(0, text.length);
  const ls = lineStart(text, at);
  const kind = r.int(0, 12);
  switch (kind) {
    case 0: return text.slice(0, at) + r.pick(['x', 'a', '1', '.', '-', ' ']) + text.slice(at); // typing
    case 1: return text.slice(0, ls) + '\n' + text.slice(ls); // Enter at a line start
    case 2: return text.slice(0, at) + '\n' + text.slice(at); // Enter anywhere
    case 3: { // paste lines copied from either file
      const src = r.chance(0.5) ? text : other;
      const from = lineStart(src, r.int(0, src.length));
      const end = src.indexOf('\n', from + r.int(1, 400));
      return text.slice(0, ls) + src.slice(from, end < 0 ? src.length : end + 1) + text.slice(ls);
    }
    case 4: return text.slice(0, at) + text.slice(Math.min(text.length, at + r.int(1, 3))); // Backspace / Delete
    case 5: { // delete whole lines
      const end = text.indexOf('\n', at + r.int(0, 200));
      return text.slice(0, ls) + text.slice(end < 0 ? text.length : end + 1);
    }
    case 6: return text.slice(0, at) + r.pick(['{', '{\n', '}', '"', '"unclosed', 'cpuid {\n']) + text.slice(at); // unclosed braces, strings
    case 7: return text.slice(0, ls) + r.pick(['machine\n', 'machine ', 'machine z {\n', '  machine\n']) + text.slice(ls); // stray machine words
    case 8: { // retarget an extends (to a name of either file, or an unknown one)
      const m = /extends (\S+)/g;
      m.lastIndex = at;
      const hit = m.exec(text) ?? /extends (\S+)/.exec(text);
      if (!hit) return text;
      const target = r.chance(0.2) ? 'no-such-base' : r.pick(names);
      return text.slice(0, hit.index) + `extends ${target}` + text.slice(hit.index + hit[0].length);
    }
    case 9: { // rename a machine (bases elsewhere lose or gain their target)
      const m = /^machine (\S+)/gm;
      m.lastIndex = at;
      const hit = m.exec(text);
      if (!hit) return text;
      return text.slice(0, hit.index) + `machine ${hit[1]}${r.pick(['x', '-v2', ''])}` + text.slice(hit.index + hit[0].length);
    }
    case 10: return text.slice(0, ls) + '  # mtype-ignore: MT302, MT103\n' + text.slice(ls); // suppression above a line
    case 11: return text.slice(0, at) + r.pick(['\n', ' ']) + text.slice(at + 1); // same length: a space for a line break, or back
    default: return text.slice(0, at) + r.pick(['+x2apic', '-kvm-pv-eoi', 'qemu 2.0', 'host-kernel >= 3.2']) + text.slice(at);
  }
}

for (const inherited of ['each', 'once'] as const) test(`incremental analysis equals a fresh analysis after every edit of the generated workload, across files (inherited findings: ${inherited})`, () => {
  const r = rng(SEED);
  const files = workload();
  const uris = Object.keys(files);
  const names = [...Object.values(files).join('\n').matchAll(/^machine (\S+)/gm)].map((m) => m[1]);
  const live = fresh(files, inherited);
  const versions = new Map<string, { version: number; sent: string }>();
  for (let step = 0; step < STEPS; step++) {
    const uri = r.pick(uris);
    const other = uris.find((u) => u !== uri)!;
    files[uri] = randomEdit(r, files[uri], files[other], names);
    live.update(uri, files[uri]);
    const reference = fresh(files, inherited);
    for (const u of uris) {
      assertSameSnapshot(snapshot(live, u), snapshot(reference, u), `step ${step}: ${u} differs after editing ${uri}`);
      // A piece whose version stayed sends the same as before.
      for (const piece of live.diagnosticsByMachine(u)) {
        const key = `${u} ${piece.id}`;
        const now = JSON.stringify(piece.diagnostics.map(sent));
        const was = versions.get(key);
        if (was && was.version === piece.version) assert.equal(now, was.sent, `step ${step}: ${key} kept version ${piece.version} but changed`);
        versions.set(key, { version: piece.version, sent: now });
      }
    }
  }
});

const SMALL = 'machine a {\n  qemu 1.3\n  host-kernel >= 3.2\n  cpuid { +x2apic +x2apic }\n}\n\nmachine b extends a {\n  cpuid +kvm-pv-unhalt\n  qemu 2.0\n  qemu 2.1\n}\n\nmachine c {\n  cpu Haswell\n  compat e1000.x = 1\n  compat e1000.x = 2\n}\n';

test('a line break for a space (same length) before a machine moves its ranges', () => {
  const p = fresh({ 'f.mtype': SMALL });
  p.diagnostics('f.mtype');
  const text = SMALL.replace('qemu 1.3', 'qemu\n1.3');
  p.update('f.mtype', text);
  assert.equal(JSON.stringify(p.diagnostics('f.mtype')), JSON.stringify(fresh({ 'f.mtype': text }).diagnostics('f.mtype')));
});

test('Enter above machines re-checks none of them; their messages stay and their ranges move down a line', () => {
  const p = fresh({ 'f.mtype': SMALL });
  const before = p.diagnostics('f.mtype');
  const checked = p.machinesChecked;
  // One Enter at a time: at the top, at the start of b's line, in the blank line above c.
  const one = '\n' + SMALL;
  const two = one.replace('\nmachine b', '\n\nmachine b');
  const three = two.replace('\n\nmachine c', '\n\n\nmachine c');
  for (const text of [one, two, three]) {
    p.update('f.mtype', text);
    const after = p.diagnostics('f.mtype');
    assert.equal(p.machinesChecked, checked, 'no machine is checked again');
    assert.deepEqual(after.map((d) => d.message), before.map((d) => d.message));
    assert.equal(JSON.stringify(after), JSON.stringify(fresh({ 'f.mtype': text }).diagnostics('f.mtype')));
  }
  assert.ok(before.some((d) => d.code === 'MT003') && before.some((d) => d.code === 'MT102') && before.some((d) => d.code === 'MT500'), 'the repeat codes are present, and quote no line');
});

test('typing in a body re-checks that machine and its dependents only; the others keep their resolution objects', () => {
  const p = fresh({ 'f.mtype': SMALL });
  p.diagnostics('f.mtype');
  const ref = (name: string) => p.workspace.definitions(name)[0];
  const resolved = (name: string) => p.workspace.resolve(ref(name));
  const c = resolved('c');
  const checked = p.machinesChecked;
  const edited = SMALL.replace('host-kernel >= 3.2', 'host-kernel >= 3.10');
  p.update('f.mtype', edited);
  assert.equal(JSON.stringify(p.diagnostics('f.mtype')), JSON.stringify(fresh({ 'f.mtype': edited }).diagnostics('f.mtype')));
  assert.equal(p.machinesChecked - checked, 2, 'a and b (b extends a)');
  assert.equal(resolved('c'), c, 'c keeps its resolution object');
  const b = resolved('b');
  p.update('f.mtype', edited.replace('cpu Haswell', 'cpu Haswell\n  accel kvm'));
  p.diagnostics('f.mtype');
  assert.equal(resolved('b'), b, 'editing c leaves b alone');
  assert.equal(p.machinesChecked - checked, 3, 'only c this time');
});

test('a comment or a line typed in a machine re-checks that machine only: what its dependents inherit is the same', () => {
  const p = fresh({ 'f.mtype': SMALL });
  p.diagnostics('f.mtype');
  const b = p.workspace.resolve(p.workspace.definitions('b')[0]);
  const checked = p.machinesChecked;
  const steps = [
    SMALL.replace('qemu 1.3', 'qemu 1.3 # typed'),
    SMALL.replace('qemu 1.3', 'qemu 1.3 # typed\n'),
    SMALL.replace('qemu 1.3', 'qemu 1.3 # typed\n  description "a base"'),
  ];
  steps.forEach((text, i) => {
    p.update('f.mtype', text);
    assert.equal(JSON.stringify(p.diagnostics('f.mtype')), JSON.stringify(fresh({ 'f.mtype': text }).diagnostics('f.mtype')), `step ${i}`);
    assert.equal(p.machinesChecked - checked, i + 1, `step ${i}: a only`);
  });
  assert.equal(p.workspace.resolve(p.workspace.definitions('b')[0]), b, 'b keeps its resolution object');
});

test('a piece keeps its version while only other machines change, and moves it when its lines move', () => {
  const p = fresh({ 'f.mtype': SMALL });
  const v = () => Object.fromEntries(p.diagnosticsByMachine('f.mtype').map((x) => [x.id, x.version]));
  const first = v();
  p.update('f.mtype', SMALL.replace('compat e1000.x = 2', 'compat e1000.x = 3'));
  const second = v();
  assert.equal(second.a, first.a);
  assert.equal(second.b, first.b);
  assert.notEqual(second.c, first.c);
  p.update('f.mtype', '\n' + SMALL.replace('compat e1000.x = 2', 'compat e1000.x = 3'));
  const third = v();
  for (const id of ['a', 'b', 'c']) assert.notEqual(third[id], second[id], `${id}: its ranges moved`);
});

test('the document generation moves only when what would be sent changes', () => {
  const p = fresh({ 'f.mtype': SMALL });
  const send = () => (p.diagnostics('f.mtype'), p.diagnosticsGeneration('f.mtype')); // as a server does: send, then remember
  const g0 = send();
  p.update('f.mtype', SMALL.replace('machine c {', 'machine c { # a comment'));
  assert.equal(send(), g0, 'a comment typed in a machine changes nothing sent');
  p.update('f.mtype', SMALL.replace('machine c {', 'machine c { # a comment').replace('compat e1000.x = 2\n', ''));
  const g1 = send();
  assert.notEqual(g1, g0, 'the MT500 is gone');
  p.update('f.mtype', SMALL.replace('machine c {', 'machine c { # a comment').replace('compat e1000.x = 2\n', '').replace('\nmachine c', ''));
  assert.notEqual(send(), g1, 'a piece disappeared');
});
