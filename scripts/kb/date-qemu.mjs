#!/usr/bin/env node
// Dates the QEMU-release facts of the KB from the release trees:
//   features.json  qemuSince / qemuUntil (any QEMU spelling of the bit), aliasDates (each
//                  other spelling), migrationBlocks, dependsOnInReleases
//   models.json    qemuSince / qemuUntil, aliasDates (plain, alias and versioned names), vendor
//   msrs.json      migratedSince (migrated under KVM: in the stream AND got/put through KVM),
//                  vmstateSince (in the stream), the MTRR and machine-check families
//   releases.json  kvmDefaults, kvmDefaultsOff, kvmDefaultsFollowHost, commandLine (-cpu and accelerator
//                  syntax), per release; machineTypes (each PC machine type's first and last release)
//
// Inputs (committed; each made by a script from the QEMU release trees):
//   scripts/kb/data/qemu-names.json      node scripts/kb/qemu/names.mjs
//   scripts/kb/data/qemu-migration.json  node scripts/kb/qemu/migration.mjs
//   scripts/kb/data/linux-kvm.json       kernel capabilities (nested state), see date-kernel.mjs
//
// Usage: node scripts/kb/date-qemu.mjs [--check]

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { orderFeature } from './record-order.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const read = (p) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8'));

const RELEASE_COMMITS = new Map(read('scripts/kb/data/qemu-names.json').releases.map((r) => [r.version, r.commit]));
const RELEASES = [...RELEASE_COMMITS.keys()];
const releaseCommit = (v) => RELEASE_COMMITS.get(v).slice(0, 12);
const idx = (v) => RELEASES.indexOf(v);
const cmp = (a, b) => idx(a) - idx(b);
const next = (v) => RELEASES[idx(v) + 1] ?? null;
const VENDORS = { intel: 'intel', amd: 'amd', hygon: 'hygon', zhaoxin: 'zhaoxin' };

function locKey(leaf, subleaf, register, bit, msrIndex) {
  if (msrIndex) return `msr:${msrIndex}:${bit}`;
  const sub = subleaf ?? (leaf === '0x7' ? 0 : leaf === '0xd' ? 1 : null);
  return `${leaf}.${sub ?? '-'}.${register}.${bit}`;
}

/** QEMU spellings per KB location, from the names file (each location a spelling had). */
function spellingsByLocation(names) {
  const by = new Map();
  for (const [spelling, s] of Object.entries(names.features)) {
    const locs = s.locations?.length ? s.locations : [s];
    for (const l of locs) {
      const k = locKey(l.leaf, l.subleaf, l.register, l.bit, l.msrIndex);
      if (!by.has(k)) by.set(k, []);
      by.get(k).push({ spelling, first: l.first ?? s.first, removedIn: s.removedIn, source: s.source, sinceOldest: s.sinceOldest });
    }
  }
  return by;
}

export function dateFeatures(features, names, migration, linux) {
  const by = spellingsByLocation(names);
  const nestedCap = firstCap(linux, 'KVM_CAP_EXCEPTION_PAYLOAD');
  return features.map((f) => {
    const k = f.leaf ? locKey(f.leaf, f.subleaf, f.register, f.bit, null) : locKey(null, null, null, f.bit, f.msrFeatureIndex);
    const sp = (by.get(k) ?? []).filter((s) => s.spelling !== 'x-' + f.name);
    const rec = { ...f };
    const src = [];
    if (sp.length) {
      const first = sp.reduce((a, b) => (cmp(b.first, a.first) < 0 ? b : a));
      rec.qemuSince = first.first;
      src.push(first.source);
      const live = sp.filter((s) => !s.removedIn || acceptedByConversion(s.spelling, sp));
      rec.qemuUntil = live.length ? null : sp.map((s) => s.removedIn).sort(cmp).at(-1);
      const dates = {};
      for (const s of sp.sort((a, b) => a.spelling.localeCompare(b.spelling))) {
        if (s.spelling === f.name) continue;
        dates[s.spelling] = { since: s.first, until: acceptedByConversion(s.spelling, sp) ? null : s.removedIn ?? null };
      }
      rec.aliasDates = dates;
      // The canonical spelling itself may be younger than the bit (kvm-pv-eoi in 2.8, kvm_pv_eoi in 1.2):
      // an export for a release before it must use the older spelling.
      const own = sp.find((s) => s.spelling === f.name);
      if (own && own.first !== first.first) rec.nameSince = own.first;
      else delete rec.nameSince;
      if (first.sinceOldest) rec.notes = note(rec.notes, 'QEMU', `already named in ${RELEASES[0]}, the oldest release read`);
      else rec.notes = note(rec.notes, 'QEMU', `first named in ${first.first} (as ${first.spelling})`);
    }
    const blocks = blocksFor(f.name, migration, nestedCap);
    if (blocks.length) rec.migrationBlocks = blocks;
    const deps = releaseDependencies(f.name, migration);
    if (deps.length) rec.dependsOnInReleases = deps;
    rec.sources = [...new Set([...(f.sources ?? []).filter((s) => !/^qemu\/qemu:target[-/]i386\/(cpu|cpuid|helper)\.c@[0-9a-f]{12}$/.test(s)), ...src])].sort();
    return orderFeature(rec);
  });
}

// An underscore spelling that left the tables when they switched to dashes is still
// accepted: QEMU's -cpu parser turns `_` into `-` (feat2prop).
function acceptedByConversion(spelling, spellings) {
  return spelling.includes('_') && spellings.some((s) => s.spelling === spelling.replace(/_/g, '-') && !s.removedIn);
}

const NOTE_RE = (tag) => new RegExp(`\\s*${tag} \\(trees\\):[^\\n]*?(?=\\s*Host kernels \\(trees\\):|$)`);
function note(notes, tag, text) {
  const base = (notes ?? '').replace(NOTE_RE(tag), '').trim();
  const sentence = `${tag} (trees): ${text}.`;
  // Keep the kernel note last (date-kernel.mjs owns it).
  const m = /\s*Host kernels \(trees\):.*$/.exec(base);
  const parts = m ? [base.slice(0, m.index).trim(), sentence, m[0].trim()] : [base, sentence];
  return parts.filter(Boolean).join(' ');
}

function firstCap(linux, cap) {
  const r = linux.releases.find((x) => x.caps.includes(cap));
  return r ? { release: r.release, tree: r.tree } : null;
}

/** Release ranges in which a bit blocks migration, as [from, until). */
function blocksFor(name, migration, nestedCap) {
  const b = migration.blockers;
  const notes = b.notes ?? {};
  if (name === 'invtsc') {
    const list = b.invtsc ?? [];
    const lifted = list.find((x) => x.liftedByTscFrequencyFrom)?.liftedByTscFrequencyFrom ?? null;
    return [{ from: list[0]?.from ?? null, until: null, kvmOnly: true, liftedByTscFrequencyFrom: lifted, reason: 'QEMU blocks migration of a KVM guest with invariant TSC (kvm.c migration blocker, unmigratable flag), unless a fixed tsc-frequency is set', sources: [...new Set(list.flatMap((x) => x.source))] }];
  }
  if (name === 'arch-capabilities') {
    return (b['arch-capabilities'] ?? []).map((x) => ({ from: x.from, until: next(x.until), reason: `the feature word was unmigratable in ${x.from === x.until ? x.from : `${x.from}-${x.until}`}`, sources: x.source }));
  }
  if (name === 'vmx') {
    return [{ from: null, until: null, kvmOnly: true, liftedByQemuFrom: '4.1', kernelFrom: nestedCap?.release ?? null, reason: 'nested VMX state: not migrated before QEMU 3.1, a migration blocker in 3.1-4.0, migrated from 4.1 when KVM can save it (KVM_CAP_NESTED_STATE, and KVM_CAP_EXCEPTION_PAYLOAD for a pending exception in guest mode)', sources: [...(b.vmx ?? []).flatMap((x) => x.source ?? []), ...(nestedCap ? [`${nestedCap.tree.split('@')[0]}:arch/x86/kvm/x86.c@${nestedCap.tree.split('@')[1].slice(0, 12)} (KVM_CAP_EXCEPTION_PAYLOAD)`] : []), notes.vmx ? 'qemu/qemu@79a197ab180e' : null].filter(Boolean) }];
  }
  if (name === 'svm') {
    return [{ from: null, until: null, kvmOnly: true, liftedByQemuFrom: '5.1', kernelFrom: '5.8', reason: 'nested SVM state: migrated from QEMU 5.1 (subsection cpu/kvm_nested_state/svm) when KVM can save it (svm_set_nested_state, Linux 5.8); without it the guest migrates and loses its nested state', sources: [...new Set((b.svm ?? []).flatMap((x) => x.source ?? [])), 'qemu/qemu@b16c0e20c742', 'semwett0301/linux-5.8.1:arch/x86/kvm/svm/nested.c@a28e14cfa5cc (svm_set_nested_state; absent in a5221985/linux-5.7.14@90e53b38fc99)'] }];
  }
  return [];
}

/** Dependencies of `name` (QEMU feature_dependencies) that held in some releases only. */
function releaseDependencies(name, migration) {
  const out = [];
  const newest = RELEASES.at(-1);
  for (const [edge, ranges] of Object.entries(migration.dependencyRanges ?? {})) {
    const m = /^(\S+) -> (\S+)$/.exec(edge);
    if (!m || m[2] !== name || m[1].includes(':')) continue;
    for (const r of ranges) {
      const [from, until] = r.split('..');
      if ((until ?? from) === newest) continue; // still holds: part of dependsOn
      out.push({ feature: m[1], from, until: next(until ?? from), source: `qemu/qemu:target/i386/cpu.c@${releaseCommit(from)} (feature_dependencies, ${r})` });
    }
  }
  return out;
}

export function dateModels(models, names) {
  const nm = names.models;
  return models.map((m) => {
    const rec = { ...m };
    const all = [m.name, ...m.aliases].filter((n) => nm[n]);
    const dates = {};
    for (const n of all.sort()) dates[n] = { since: nm[n].first, until: nm[n].removedIn ?? null };
    if (all.length) {
      rec.aliasDates = dates;
      rec.qemuSince = all.map((n) => nm[n].first).sort(cmp)[0];
      const removed = all.map((n) => nm[n].removedIn);
      rec.qemuUntil = removed.every(Boolean) ? removed.sort(cmp).at(-1) : null;
      const v = nm[m.name]?.vendor ?? nm[m.aliases[0]]?.vendor ?? null;
      if (v) rec.vendor = VENDORS[v] ?? v;
      const src = nm[all.sort((a, b) => cmp(nm[a].first, nm[b].first))[0]].source;
      rec.sources = [...new Set([...m.sources.filter((s) => !/@[0-9a-f]{12}$/.test(s) || !s.startsWith('qemu/qemu:')), src])].sort();
    } else if (m.vendor) {
      rec.vendor = vendorId(m.vendor);
    }
    return rec;
  });
}

function vendorId(v) {
  return { GenuineIntel: 'intel', AuthenticAMD: 'amd', HygonGenuine: 'hygon', CentaurHauls: 'zhaoxin', '  Shanghai  ': 'zhaoxin' }[v] ?? v;
}

// State MSRs of families the KB lists one by one: the MTRRs behind mtrr, the machine-check
// banks behind mce/mca (QEMU keeps MCE_BANKS_DEF = 10 banks).
function familyMsrs(migration) {
  const out = [];
  const mig = migration.msrs;
  // fixed-range MTRRs have their own indexes in the migration data
  const fixed = Object.keys(mig).filter((n) => /^MSR_MTRRfix/.test(n));
  for (const n of fixed) out.push({ name: n, index: mig[n].index, from: n, features: ['mtrr'], description: `Fixed-range MTRR ${n.slice(11)}: memory types of part of the first megabyte.` });
  for (let i = 0; i < 8; i++) {
    out.push({ name: `MSR_MTRRphysBase${i}`, index: `0x${(0x200 + 2 * i).toString(16)}`, from: 'MSR_MTRRphysBase', features: ['mtrr'], description: `Variable-range MTRR ${i}: base address and memory type.` });
    out.push({ name: `MSR_MTRRphysMask${i}`, index: `0x${(0x201 + 2 * i).toString(16)}`, from: 'MSR_MTRRphysMask', features: ['mtrr'], description: `Variable-range MTRR ${i}: mask and valid bit.` });
  }
  const kinds = ['CTL', 'STATUS', 'ADDR', 'MISC'];
  for (let b = 0; b < 10; b++) {
    kinds.forEach((kind, j) => out.push({ name: `MSR_IA32_MC${b}_${kind}`, index: `0x${(0x400 + 4 * b + j).toString(16)}`, from: 'MSR_MC0_CTL', features: ['mce', 'mca'], description: `Machine-check bank ${b} ${kind.toLowerCase()} register.` }));
  }
  return out;
}

export function dateMsrs(msrs, migration) {
  const mig = migration.msrs;
  const byIndex = new Map(Object.entries(mig).filter(([, v]) => /^0x[0-9a-f]+$/.test(v.index)).map(([n, v]) => [v.index, { name: n, ...v }]));
  const have = new Set(msrs.map((m) => m.index));
  const added = familyMsrs(migration).filter((fam) => !have.has(fam.index)).map((fam) => ({
    name: fam.name, aliases: [], index: fam.index, role: 'state', features: fam.features,
    migratedSince: null, vmstateSince: null, kvmSince: null, description: fam.description, sources: [],
  }));
  const family = (name) =>
    /^MSR_MTRRphysBase\d$/.test(name) ? mig.MSR_MTRRphysBase
    : /^MSR_MTRRphysMask\d$/.test(name) ? mig.MSR_MTRRphysMask
    : /^MSR_IA32_MC\d+_/.test(name) ? mig.MSR_MC0_CTL
    : undefined;
  const newest = RELEASES.at(-1);
  const out = [...msrs, ...added].map((m) => {
    const q = byIndex.get(m.index) ?? family(m.name);
    if (!q && m.role === 'state' && !m.stateSharedWith && m.migratedSince && (idx(m.migratedSince) < 0 || cmp(m.migratedSince, newest) > 0)) {
      // A release no tree was read of (the CET MSRs' "11.0"): no release read migrates it.
      return { ...m, migratedSince: null, vmstateSince: null, notes: note(m.notes, 'QEMU', `no release read (${RELEASES[0]}-${newest}) migrates it; the first round's value ${m.migratedSince} had no tree behind it`) };
    }
    if (!q || m.role !== 'state') return m;
    const rec = { ...m, migratedSince: q.migratedUnderKvmSince ?? null, vmstateSince: q.vmstateSince ?? null };
    rec.sources = [...new Set([...m.sources, ...q.sources])].sort();
    const differs = q.vmstateSince && q.migratedUnderKvmSince !== q.vmstateSince;
    rec.notes = note(m.notes, 'QEMU', `${family(m.name) ? `migrated with the ${q.vmstateField} array; ` : ''}in the migration stream from ${q.vmstateSince ?? 'no release'}${q.vmstateSubsection ? ` (${q.vmstateSubsection})` : ''}; read from and written to KVM from ${q.kvmGetSince ?? '?'} / ${q.kvmPutSince ?? '?'}${differs ? `, so under KVM it migrates only from ${q.migratedUnderKvmSince}` : ''}`);
    return rec;
  });
  // The gating bits the issue names: IA32_FEATURE_CONTROL behind smx/sgx/vmx, ASYNC_PF_EN behind asyncpf-vmexit.
  for (const m of out) {
    if (m.name === 'MSR_IA32_FEATURE_CONTROL') m.features = [...new Set([...m.features, 'vmx', 'smx', 'sgx'])];
    if (m.name === 'MSR_KVM_ASYNC_PF_EN') m.features = [...new Set([...m.features, 'kvm-asyncpf-vmexit'])];
    if (/^MSR_IA32_MCG_(STATUS|CTL)$/.test(m.name)) m.features = [...new Set([...m.features, 'mce', 'mca'])];
  }
  return out;
}

/** Features' msrs lists follow the MSR records that name them. */
export function linkFeatureMsrs(features, msrs) {
  const by = new Map();
  for (const m of msrs) for (const f of m.features) (by.get(f) ?? by.set(f, []).get(f)).push(m.name);
  return features.map((f) => orderFeature({ ...f, msrs: [...new Set([...f.msrs, ...(by.get(f.name) ?? [])])] }));
}

export function dateReleases(releasesFile, migration, names) {
  const dates = new Map(releasesFile.releases.map((r) => [r.version, r]));
  const out = [];
  for (const v of RELEASES) {
    const kd = migration.kvmDefaults[v];
    const old = dates.get(v) ?? { version: v, date: null, kvmDefaults: [], minKernel: null, sources: [`qemu/qemu@${releaseCommit(v)} (release commit)`] };
    const cmdline = commandLineSyntax(names, v);
    if (!kd) { out.push(cmdline ? { ...old, ...cmdline.fields, sources: [...new Set([...old.sources, cmdline.source])] } : old); continue; }
    const rec = { ...old, kvmDefaults: order(kd.on, old.kvmDefaults), kvmDefaultsOff: [...kd.off].sort(), kvmDefaultsFollowHost: !!kd.followsHostKernel };
    if (cmdline) Object.assign(rec, cmdline.fields);
    rec.sources = [...new Set([...old.sources, ...kd.sources, ...(cmdline ? [cmdline.source] : [])])];
    out.push(rec);
  }
  return { ...releasesFile, releases: out, machineTypes: machineTypeDates(names) };
}

/** Each PC machine type with the first release that defines it and the first that no longer does. */
function machineTypeDates(names) {
  const out = {};
  const seen = names.releases.filter((r) => r.machineTypes);
  for (const [i, r] of seen.entries()) {
    for (const t of r.machineTypes) {
      if (!out[t]) out[t] = { since: r.version, until: null, source: `qemu/qemu:hw/i386/pc_piix.c, pc_q35.c (hw/pc*.c before 1.5)@${releaseCommit(r.version)}` };
    }
    for (const t of Object.keys(out)) if (!r.machineTypes.includes(t) && !out[t].until && i > 0) out[t].until = r.version;
  }
  const names2 = Object.keys(out).sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  return Object.fromEntries(names2.map((t) => [t, out[t]]));
}

/** The release's -cpu / accelerator syntax (names.mjs cpuOptions), as the KB's `commandLine` field. */
function commandLineSyntax(names, v) {
  const o = names.releases.find((r) => r.version === v)?.cpuOptions;
  if (!o) return null;
  const accel = o.accelOption ? '-accel' : o.machineAccel ? '-machine accel=' : o.enableKvm ? '-enable-kvm' : null;
  return {
    fields: { commandLine: { machine: o.machineOption ? '-machine' : '-M', featureSyntax: o.featureProps ? 'on-off' : 'plus-minus', tscFrequencyKey: o.tscKey, accel } },
    source: `qemu/qemu:${o.file}@${releaseCommit(v)} (-cpu parser), qemu/qemu:${o.optionsFile}@${releaseCommit(v)} (accelerator options)`,
  };
}

function order(names, previous) {
  const prev = previous.filter((n) => names.includes(n));
  return [...prev, ...names.filter((n) => !prev.includes(n)).sort()];
}

function main(argv) {
  const check = argv.includes('--check');
  const names = read('scripts/kb/data/qemu-names.json');
  const migration = read('scripts/kb/data/qemu-migration.json');
  const linux = read('scripts/kb/data/linux-kvm.json');
  const msrs = dateMsrs(read('server/src/kb/data/msrs.json'), migration);
  const features = linkFeatureMsrs(dateFeatures(read('server/src/kb/data/features.json'), names, migration, linux), msrs);
  const outputs = {
    'server/src/kb/data/features.json': features,
    'server/src/kb/data/models.json': dateModels(read('server/src/kb/data/models.json'), names),
    'server/src/kb/data/msrs.json': msrs,
    'server/src/kb/data/releases.json': dateReleases(read('server/src/kb/data/releases.json'), migration, names),
  };
  let differs = false;
  for (const [p, data] of Object.entries(outputs)) {
    const text = JSON.stringify(data, null, 1) + '\n';
    const abs = path.join(root, p);
    if (check) {
      if (fs.readFileSync(abs, 'utf8') !== text) { differs = true; console.error(`${p} differs from a fresh dating; rerun: node scripts/kb/date-qemu.mjs`); }
    } else fs.writeFileSync(abs, text);
  }
  return differs ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
