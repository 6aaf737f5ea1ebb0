/**
 * A machine's bit checks keep their findings when an edit in a base changes only
 * bits they cannot be touched by (checks/reuse.ts). The base's edits here are drawn
 * from every kind of bit a check looks at: bits that need others, bits that only
 * others need, bits with state MSRs, bits that block migration, KVM defaults, bits
 * without a known kernel floor, bits some host kernel lacks, and bits none of these
 * checks cares about. After every edit the diagnostics equal a fresh analysis.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Project } from '../../server/src/services/project';
import { hasDependencies, hasKernelRange, hasStateMsr, isDependency, mayBlockMigration } from '../../server/src/checks/base-subsets';
import type { FeatureRecord } from '../../server/src/kb/types';
import { kernelsHave } from '../../server/src/checks/kernel-facts';
import { compareVersions } from '../../server/src/common/version';
import { MAX_SUGGESTED_NAMES } from '../../server/src/checks/budget';
import { rng } from './helpers/workload';

const kb = getKnowledgeBase();
const QEMU = '1.7';
const release = kb.releaseFor(QEMU)!;

/** A few features of each kind, picked from the KB so the test follows it. */
function pool(): string[] {
  const kinds: Array<(f: FeatureRecord) => boolean> = [
    (f) => isDependency(f, kb) && !hasDependencies(f, kb),
    (f) => hasDependencies(f, kb),
    (f) => hasStateMsr(f, kb),
    (f) => mayBlockMigration(f, kb),
    (f) => release.kvmDefaults.includes(f.name),
    (f) => !kb.kernelFloor(f, null),
    (f) => hasKernelRange(f, kb) && !!kb.kernelFloor(f, null),
    (f) => !!f.kvmSinceByVendor,
    (f) => kb.msrsOfFeature(f.name).some((m) => m.role === 'state' && !m.migratedSince),
    (f) => kb.msrsOfFeature(f.name).some((m) => m.role === 'state' && !!m.migratedSince && compareVersions(m.migratedSince, QEMU) > 0),
    (f) => !isDependency(f, kb) && !hasDependencies(f, kb) && !hasStateMsr(f, kb) && !mayBlockMigration(f, kb) && !hasKernelRange(f, kb),
  ];
  const names = new Set<string>();
  for (const kind of kinds) {
    const found = kb.features.filter((f) => kind(f));
    assert.ok(found.length > 0, 'every kind has a feature in the KB');
    for (const f of found.slice(0, 5)) names.add(f.name);
  }
  return [...names];
}

/** A model with a bit whose dependency only others need, so masking that dependency in a base is an MT103 below. */
function modelWithDependency(): { model: string; dependency: string } {
  for (const m of kb.models) {
    if (m.followsHost) continue;
    for (const name of m.features) {
      const f = kb.feature(name);
      const dep = f?.dependsOn.map((d) => kb.feature(d)).find((d) => d && !hasDependencies(d, kb) && m.features.includes(d.name));
      if (dep) return { model: m.name, dependency: dep.name };
    }
  }
  throw new Error('no model with such a dependency');
}

function chain(root: string[], mid: string[], scoped: string[], model: string): string {
  return [
    'machine root {',
    `  qemu ${QEMU}`,
    '  host-kernel >= 3.10',
    `  cpu ${model}`,
    `  cpuid { ${root.join(' ')} }`,
    '}',
    '',
    // The middle machine keeps the root's release: what that release does not migrate shows below too.
    'machine mid extends root {',
    `  cpuid { ${mid.join(' ')} }`,
    `  cpuid for ${model} { -x2apic ${scoped.join(' ')} }`,
    // A model of the other vendor: bits whose kernel floor differs by vendor are judged for both.
    '  cpuid for EPYC-v1 { +x2apic }',
    '}',
    '',
    'machine leaf extends mid {',
    '  qemu 3.0',
    '  migrate MSR_IA32_TSC_ADJUST',
    '}',
    '',
    'machine other extends leaf {',
    '  qemu 6.0',
    '  host-kernel >= 5.4',
    '}',
    '',
  ].join('\n');
}

function fresh(text: string, inherited: 'each' | 'once'): string {
  const p = new Project(kb);
  p.setOptions({ inherited });
  p.update('file:///r.mtype', text);
  return JSON.stringify({ flat: p.diagnostics('file:///r.mtype'), pieces: p.diagnosticsByMachine('file:///r.mtype').map((x) => x.diagnostics) });
}

for (const inherited of ['each', 'once'] as const) test(`a base's edits on bits of every kind: the machines below equal a fresh analysis, and their bit checks keep what no changed bit touches (inherited: ${inherited})`, () => {
  const names = pool();
  const { model, dependency } = modelWithDependency();
  const r = rng(inherited === 'each' ? 7 : 8);
  const word = () => `${r.chance(0.5) ? '+' : '-'}${r.pick(names)}`;
  const root = [`-${dependency}`, word(), word(), word(), word()];
  const mid = [word(), word(), word()];
  const scoped = [word()];
  const live = new Project(kb);
  live.setOptions({ inherited });
  const uri = 'file:///r.mtype';
  const check = (step: string) => {
    const text = chain(root, mid, scoped, model);
    live.update(uri, text);
    const now = JSON.stringify({ flat: live.diagnostics(uri), pieces: live.diagnosticsByMachine(uri).map((x) => x.diagnostics) });
    assert.equal(now, fresh(text, inherited), `${step}: ${root.join(' ')} | ${mid.join(' ')} | ${scoped.join(' ')}`);
  };
  // Each bit whitelisted, masked, then gone, in the root and in the middle machine, the other edits left alone.
  for (const [list, at] of [[root, 1], [mid, 0], [scoped, 0]] as const) {
    for (const name of names) {
      for (const w of [`+${name}`, `-${name}`, `+${name}x`]) {
        list[at] = w;
        check(`${list === root ? 'root' : list === mid ? 'mid' : 'cpuid for'} ${w}`);
      }
    }
  }
  // Then one word of a base at a time, at random, as typing changes them.
  for (let step = 0; step < 100; step++) {
    const list = r.pick([root, root, mid, scoped]);
    list[r.int(0, list.length - 1)] = word();
    check(`step ${step}`);
  }
  assert.ok(live.reuse.kept > 100, `bit checks kept their findings (${live.reuse.kept} kept, ${live.reuse.run} run)`);
  assert.ok(live.reuse.run > 100, `bit checks ran again where a changed bit touches them (${live.reuse.run} run)`);
  assert.ok((live.reuse.rejudged ?? 0) > 50, `MT103 judged again from its last verdicts (${live.reuse.rejudged} times)`);
});

test('a keystroke in one edit of a cpuid block keeps the block\'s other edits as they were: the machines below keep every check and their pieces', () => {
  const { model, dependency } = modelWithDependency();
  // A bit no bit check looks at in these machines: every kernel from 3.10 has it on every host, and the KB knows so.
  const vendors = ['intel', 'amd', null] as const;
  const inert = kb.features.find(
    (f) =>
      !isDependency(f, kb) && !hasDependencies(f, kb) && !hasStateMsr(f, kb) && !mayBlockMigration(f, kb) && kb.msrsOfFeature(f.name).length === 0 && !kb.releases.some((x) => x.kvmDefaults.includes(f.name)) &&
      vendors.every((v) => kb.kernelFloor(f, v) && kernelsHave(f, { min: '3.10' }, v, false, kb).has === true),
  )!;
  const p = new Project(kb);
  p.setOptions({ inherited: 'once' });
  const uri = 'file:///r.mtype';
  const base = chain([`-${dependency}`, '+x2apic', `+${inert.name}`, '+kvm-pv-eoi'], ['+pdpe1gb'], ['+pdpe1gb'], model);
  p.update(uri, base, 1);
  const versions = new Map(p.diagnosticsByMachine(uri).map((piece) => [piece.id, piece.version]));
  const before = { ...p.reuse };
  const checked = p.machinesChecked;
  // Typing into the inert bit's name makes it another (unknown) word: only that bit's decision changes below.
  const typed = base.replace(`+${inert.name}`, `+${inert.name}x`);
  p.update(uri, typed, 2);
  const pieces = p.diagnosticsByMachine(uri);
  const reference = new Project(kb);
  reference.setOptions({ inherited: 'once' });
  reference.update(uri, typed);
  assert.equal(JSON.stringify(pieces.map((x) => x.diagnostics)), JSON.stringify(reference.diagnosticsByMachine(uri).map((x) => x.diagnostics)));
  assert.equal(p.machinesChecked - checked, 4, 'the edited machine and the three below were checked');
  const ran = p.reuse.run - before.run;
  assert.ok(ran > 0, 'the edited machine ran its checks');
  assert.equal(p.reuse.kept - before.kept, 3 * ran, 'mid, leaf and other each kept every check the edited machine ran');
  for (const id of ['mid', 'leaf', 'other']) assert.equal(pieces.find((x) => x.id === id)!.version, versions.get(id), `${id}'s piece is as it was`);
});

/** The MSRs a machine may list in `migrate` that KVM restores only from a kernel newer than 3.10, with a bit that gates each. */
function lateMsrs(): Array<{ msr: string; gate: string }> {
  return kb.msrs
    .filter((m) => m.kvmSince && compareVersions(m.kvmSince, '3.10') > 0)
    .flatMap((m) => kb.featuresOfMsr(m).slice(0, 1).map((f) => ({ msr: m.name, gate: f.name })))
    .slice(0, 3);
}

test('MT202 in a machine below follows a base that whitelists or masks the bit gating a listed MSR', () => {
  const late = lateMsrs();
  assert.ok(late.length > 0, 'the KB has MSRs KVM restores only from later kernels');
  const text = (edits: string) =>
    `machine a {\n  qemu 6.0\n  host-kernel >= 3.10\n  cpuid { ${edits} }\n}\n\nmachine b extends a {\n  migrate ${late.map((l) => l.msr).join(' ')}\n}\n`;
  const p = new Project(kb);
  const uri = 'file:///m.mtype';
  const steps = [...late.flatMap((l) => [`+${l.gate}`, `-${l.gate}`, `+${l.gate}x`]), '+x2apic'];
  for (const edits of steps) {
    p.update(uri, text(edits));
    const reference = new Project(kb);
    reference.update(uri, text(edits));
    assert.equal(JSON.stringify(p.diagnostics(uri)), JSON.stringify(reference.diagnostics(uri)), edits);
  }
});

test('a machine below keeps its did-you-mean only while its name stays within the budget: a name added above takes it away', () => {
  // Enough feature names above that b's misspelt one is the last the budget covers.
  const per = 50;
  const fillers: string[] = [];
  for (let i = 0; (fillers.length + 1) * per <= MAX_SUGGESTED_NAMES - 2; i++) fillers.push(`machine f${i} {\n  cpuid { ${Array.from({ length: per }, () => '+x2apic').join(' ')} }\n}\n`);
  const used = fillers.length * per;
  const pad = Array.from({ length: MAX_SUGGESTED_NAMES - 2 - used }, () => '+x2apic').join(' ');
  const text = (extra: string) => `${fillers.join('\n')}\nmachine a {\n  cpuid { +x2apic ${pad}${extra} }\n}\n\nmachine b extends a {\n  cpuid { +avx2x }\n}\n`;
  const p = new Project(kb);
  const uri = 'file:///b.mtype';
  for (const extra of ['', ' +pdpe1gb', '']) {
    p.update(uri, text(extra));
    const reference = new Project(kb);
    reference.update(uri, text(extra));
    const mine = p.diagnostics(uri).filter((d) => d.code === 'MT100');
    assert.equal(JSON.stringify(mine), JSON.stringify(reference.diagnostics(uri).filter((d) => d.code === 'MT100')), `extra '${extra}'`);
    assert.equal(mine.length, 1);
    assert.equal(/did you mean/.test(mine[0].message), extra === '', `extra '${extra}': ${mine[0].message}`);
  }
});

test('a check run again that finds what it found last time keeps the machine\'s piece as it was', () => {
  const migratedBy = (f: FeatureRecord, qemu: string) => kb.msrsOfFeature(f.name).filter((m) => m.role === 'state').every((m) => !!m.migratedSince && compareVersions(m.migratedSince, qemu) <= 0);
  const vendors = ['intel', 'amd', null] as const;
  // A bit MT200 (and MT303, for its state MSR) run again for, whose MSRs QEMU 1.7 migrates: it changes nothing they report.
  const quiet = kb.features.find(
    (f) =>
      hasStateMsr(f, kb) && migratedBy(f, QEMU) && !isDependency(f, kb) && !hasDependencies(f, kb) && !mayBlockMigration(f, kb) && !release.kvmDefaults.includes(f.name) &&
      vendors.every((v) => kb.kernelFloor(f, v) && kernelsHave(f, { min: '3.10' }, v, false, kb).has === true),
  );
  // A bit the machine below whitelists whose state MSR QEMU 1.7 does not migrate: an MT200 there, before and after.
  const loud = kb.features.find((f) => hasStateMsr(f, kb) && !migratedBy(f, QEMU) && !isDependency(f, kb) && !hasDependencies(f, kb) && !mayBlockMigration(f, kb));
  assert.ok(quiet && loud, 'the KB has both kinds of bit');
  const text = (word: string) => `machine root {\n  qemu ${QEMU}\n  host-kernel >= 3.10\n  cpuid { +${word} }\n}\n\nmachine below extends root {\n  cpuid { +${loud.name} }\n}\n`;
  const uri = 'file:///same.mtype';
  const p = new Project(kb);
  p.setOptions({ inherited: 'once' });
  p.update(uri, text(quiet.name), 1);
  const version = p.diagnosticsByMachine(uri).find((x) => x.id === 'below')!.version;
  assert.ok(p.diagnostics(uri).some((d) => d.code === 'MT200' && d.message.includes(`whitelists ${loud.name}`)), 'below has its MT200');
  const before = { ...p.reuse };
  const checked = p.machinesChecked;
  // The root's edit now names no bit: below decides the quiet bit otherwise, and its touched checks run again.
  p.update(uri, text(`${quiet.name}x`), 2);
  const pieces = p.diagnosticsByMachine(uri);
  const reference = new Project(kb);
  reference.setOptions({ inherited: 'once' });
  reference.update(uri, text(`${quiet.name}x`));
  assert.equal(JSON.stringify(pieces.map((x) => x.diagnostics)), JSON.stringify(reference.diagnosticsByMachine(uri).map((x) => x.diagnostics)));
  assert.equal(p.machinesChecked - checked, 2, 'root and below were checked');
  assert.ok(p.reuse.run > before.run, 'below ran the checks the quiet bit touches');
  assert.ok((p.reuse.same ?? 0) > (before.same ?? 0), 'and they found what they found before');
  assert.equal(pieces.find((x) => x.id === 'below')!.version, version, "below's piece is as it was");
});
