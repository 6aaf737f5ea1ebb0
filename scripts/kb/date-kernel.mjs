#!/usr/bin/env node
// Dates the host-kernel facts of features.json from the Linux trees:
// kvmSince, kvmSinceByVendor, kvmUntil and kvmStable, each with its sources, and writes
// server/src/kb/data/kernels.json (the releases read and the stable lines known).
//
// Inputs (all committed):
//   scripts/kb/data/linux-kvm.json   per release, the bits KVM offers on Intel and AMD hosts
//                                     (made by scripts/kb/linux/extract.mjs from the trees)
//   scripts/kb/linux/trees.json       the trees, and which are stable point releases
//   scripts/kb/data/kvm-stable.json   stable-line backports and mainline dates read from
//                                     stable mails and pull requests (security bits)
//   scripts/kb/features-overlay.json  earlier, separately sourced kvmSince values: used only
//                                     where the trees leave a bracket that contains them
//
// Usage: node scripts/kb/date-kernel.mjs [--check]
//   --check  compare with the committed files instead of writing; exit 1 on a difference

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { datePresence, later } from './linux/floors.mjs';
import { compareVersions } from './compare-versions.mjs';
import { mainlineReleases } from './linux/versions.mjs';
import { orderFeature } from './record-order.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const read = (p) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8'));

/** The newest mainline release the KB has read anything of (Debian's linux-source-7.2). */
const NEWEST_KERNEL = '7.2';
const GENERATED_NOTE = /\s*Host kernels \(trees\):[^\n]*$/;
// QEMU sets these bits itself, whatever KVM reports.
const QEMU_OWN = {
  hypervisor: {
    note: 'QEMU sets CPUID.1:ECX[31] itself for every KVM guest (kvm_arch_get_supported_cpuid), whatever KVM reports',
    sources: ['qemu/qemu:target-i386/kvm.c@6c412ddf1cc0 (0.12: keeps the model\'s CPUID_EXT_HYPERVISOR)', 'qemu/qemu:target/i386/kvm/kvm.c@698104725efa (10.2: ret |= CPUID_EXT_HYPERVISOR)'],
  },
};

// Bits that stable lines received as security backports (Spectre, SSB, L1TF, MDS, TAA and
// later): a point-release tree that has one is no evidence for its mainline release.
const BACKPORTED = new Set(['spec-ctrl', 'stibp', 'ssbd', 'arch-capabilities', 'md-clear', 'flush-l1d', 'ibpb', 'ibrs',
  'amd-stibp', 'amd-ssbd', 'virt-ssbd', 'amd-no-ssb', 'amd-psfd', 'psfd', 'ipred-ctrl', 'rrsba-ctrl', 'bhi-ctrl',
  'ddpd-u', 'stibp-always-on', 'ibrs-all', 'sbpb', 'ibpb-brtype', 'srso-no', 'srso-user-kernel-no', 'verw-clear']);

// Sentences of the first round's notes that the trees now answer.
function staleRemoved(notes) {
  return notes.replace(/\s*Dating: [^.]*(\.[0-9][^.]*)*\./g, '').replace(/\s*kvmSince (is )?(left )?null[^.]*\./g, '').trim();
}

function within(v, low, high) {
  return compareVersions(v, low) > 0 && compareVersions(v, high) <= 0;
}

export function dateFeatures({ features, linux, trees, stable, overlay }) {
  const mainline = mainlineReleases(NEWEST_KERNEL);
  const pointRelease = new Map(trees.trees.map((t) => [t.release, !!t.pointRelease]));
  const treeRepos = new Set(trees.trees.map((t) => t.repo));
  const releases = linux.releases;
  const changes = [];
  const out = features.map((f) => {
    const st = stable[f.name] ?? null;
    if (!f.leaf) return msrFeatureBit(f, st, changes); // not read from KVM_GET_SUPPORTED_CPUID
    const curated = overlay.features?.[f.name]?.kvmSince ?? null;
    const backported = BACKPORTED.has(f.name) || !!(st && st.kvmStable && st.kvmStable.length);
    const perVendor = {};
    for (const vendor of ['intel', 'amd']) {
      const obs = releases.map((r) => ({ release: r.release, present: r[vendor].includes(f.name), pointRelease: pointRelease.get(r.release) ?? false, tree: r.tree }));
      perVendor[vendor] = datePresence(mainline, obs, { backported });
    }
    // A vendor whose KVM code stopped offering a bit that the other vendor's still offers
    // (svm in the common mask until 2.6.36, then only from the SVM module): that vendor's
    // hosts do not get it.
    for (const [v, w] of [['intel', 'amd'], ['amd', 'intel']]) {
      const gone = perVendor[v].until ?? perVendor[v].untilBracket;
      if (gone && !perVendor[w].until && !perVendor[w].untilBracket && !perVendor[w].neverOffered) perVendor[v] = { ...perVendor[v], neverOffered: true, droppedAfter: gone };
    }
    const noteParts = [];
    const sources = [];
    const floor = {};
    for (const vendor of ['intel', 'amd']) {
      const d = perVendor[vendor];
      let since = d.since;
      const alt = st?.kvmSince ?? curated;
      if (st?.basis === 'msr-feature' && st.kvmSince) {
        since = st.kvmSince; // what QEMU needs is the feature MSR, not the CPUID mask
      } else if (d.absentIn && d.presentIn && alt && within(alt, d.absentIn, d.upperBound ?? d.presentIn) && (since === null || d.fromPointRelease)) {
        // A mainline source inside the trees' bracket wins over a point-release tree,
        // which may carry the change as a backport.
        since = alt;
      }
      const newestTree = releases[releases.length - 1].release;
      if (d.neverOffered && alt && compareVersions(alt, newestTree) > 0) {
        // Newer than every tree read: the trees cannot contradict the sourced value.
        floor[vendor] = alt;
        continue;
      }
      floor[vendor] = d.neverOffered ? 'never' : since;
    }
    let kvmSince = null;
    let byVendor = null;
    if (QEMU_OWN[f.name]) {
      kvmSince = mainline[0];
      noteParts.push(QEMU_OWN[f.name].note);
      sources.push(...QEMU_OWN[f.name].sources);
    } else if (floor.intel === 'never' && floor.amd === 'never') {
      noteParts.push(`no tree read (${releases[0].release}-${releases[releases.length - 1].release}) offers it in KVM_GET_SUPPORTED_CPUID`);
    } else if (floor.intel === 'never' || floor.amd === 'never') {
      const v = floor.intel === 'never' ? 'amd' : 'intel';
      kvmSince = floor[v];
      if (kvmSince) byVendor = { [v]: kvmSince };
      noteParts.push(`offered only on ${v === 'intel' ? 'Intel (VMX)' : 'AMD (SVM)'} hosts`);
    } else if (floor.intel && floor.amd) {
      kvmSince = later(floor.intel, floor.amd);
      if (floor.intel !== floor.amd) byVendor = { intel: floor.intel, amd: floor.amd };
    } else if (floor.intel || floor.amd) {
      byVendor = {};
      if (floor.intel) byVendor.intel = floor.intel;
      if (floor.amd) byVendor.amd = floor.amd;
    }
    // A bit QEMU sets itself: what the trees show of KVM does not decide it.
    for (const vendor of QEMU_OWN[f.name] ? [] : ['intel', 'amd']) {
      const d = perVendor[vendor];
      const label = vendor === 'intel' ? 'Intel' : 'AMD';
      if (d.droppedAfter) noteParts.push(`${label}: its KVM code stopped offering it (${/^\d/.test(d.droppedAfter) ? `after ${d.droppedAfter}` : d.droppedAfter})`);
      if (d.neverOffered) continue;
      if (d.since) noteParts.push(`${label}: from ${d.since} (absent in ${d.absentIn ?? 'no earlier tree'})`);
      else if (floor[vendor]) noteParts.push(`${label}: ${floor[vendor]} from ${st?.kvmSince === floor[vendor] ? 'stable mails and pull requests' : 'an earlier sourced value'}, inside the trees' bracket (${d.bracket})`);
      else if (d.bracket) noteParts.push(`${label}: unknown, ${d.bracket}`);
      if (d.backportSeenIn.length) noteParts.push(`${label}: also in the point-release tree(s) ${d.backportSeenIn.join(', ')} (stable backport)`);
      if (d.untilBracket) noteParts.push(`${label}: withdrawn, ${d.untilBracket}`);
      for (const t of [d.sinceTree, d.beforeTree]) if (t) sources.push(treeSource(t));
    }
    const live = ['intel', 'amd'].filter((v) => !perVendor[v].neverOffered);
    const untils = live.map((v) => perVendor[v].until);
    const kvmUntil = live.length && untils.every(Boolean) ? untils.sort(compareVersions)[untils.length - 1] : null;
    if (st) for (const s of st.sources ?? []) sources.push(s);
    if (curated && kvmSince !== curated) noteParts.push(`the earlier value ${curated} (features-overlay.json) is ${kvmSince ? 'replaced by the trees' : 'not confirmed by the trees'}`);
    const rec = { ...f };
    const before = JSON.stringify([f.kvmSince, f.kvmSinceByVendor ?? null, f.kvmUntil, f.kvmStable ?? []]);
    rec.kvmSince = kvmSince;
    rec.kvmSinceByVendor = byVendor;
    rec.kvmUntil = kvmUntil;
    rec.kvmStable = st?.kvmStable ?? [];
    // Where a vendor's floor is only bracketed, the newest mainline release known to lack it.
    const absent = ['intel', 'amd'].filter((v) => !floor[v] && perVendor[v].absentIn).map((v) => perVendor[v].absentIn).sort(compareVersions);
    rec.kvmAbsentIn = kvmSince === null && absent.length ? absent[0] : null;
    const baseNotes = staleRemoved((f.notes ?? '').replace(GENERATED_NOTE, ''));
    rec.notes = `${baseNotes}${baseNotes ? ' ' : ''}Host kernels (trees): ${noteParts.join('; ') || 'no change seen in the trees read'}.`;
    rec.sources = [...new Set([...f.sources.filter((s) => !isTreeSource(s, treeRepos) && !(st?.sources ?? []).includes(s)), ...sources])].sort();
    const after = JSON.stringify([rec.kvmSince, rec.kvmSinceByVendor, rec.kvmUntil, rec.kvmStable]);
    if (before !== after) changes.push(`${f.name}: ${before} -> ${after}`);
    return orderFeature(rec);
  });
  return { features: out, changes };
}

/** MSR-feature bits (ARCH_CAPABILITIES …): dated from the stable file where it has them. */
function msrFeatureBit(f, st, changes) {
  if (!st) return f;
  const rec = { ...f, kvmSince: st.kvmSince ?? f.kvmSince, kvmStable: st.kvmStable ?? [] };
  const baseNotes = (f.notes ?? '').replace(GENERATED_NOTE, '');
  rec.notes = `${baseNotes}${baseNotes ? ' ' : ''}Host kernels (trees): ${st.notes ?? 'see sources'}`.replace(/\.?$/, '.');
  rec.sources = [...new Set([...f.sources, ...(st.sources ?? [])])].sort();
  if (rec.kvmSince !== f.kvmSince || JSON.stringify(rec.kvmStable) !== JSON.stringify(f.kvmStable ?? [])) changes.push(`${f.name}: ${f.kvmSince} -> ${rec.kvmSince} ${rec.kvmStable.join(' ')}`);
  return orderFeature(rec);
}

function treeSource(tree) {
  return `${tree.replace(/@([0-9a-f]{12})[0-9a-f]*$/, '')}:arch/x86/kvm@${tree.split('@')[1].slice(0, 12)}`;
}
function isTreeSource(s, repos) {
  return /:arch\/x86\/kvm@[0-9a-f]{12}$/.test(s) && repos.has(s.split(':')[0]);
}
export function kernelsFile({ linux, stable }) {
  const mainline = mainlineReleases(NEWEST_KERNEL);
  const treeOf = new Map(linux.releases.map((r) => [r.release, r.tree]));
  const lines = new Map();
  for (const st of Object.values(stable)) {
    for (const p of st.kvmStable ?? []) {
      const line = p.split('.').slice(0, 2).join('.');
      if (!lines.has(line)) lines.set(line, null);
    }
  }
  for (const [line, last] of Object.entries(stable._stableLines?.last ?? {})) lines.set(line, last);
  return {
    releases: mainline.map((version) => ({ version, tree: treeOf.get(version) ?? null })),
    stableLines: [...lines].sort((a, b) => compareVersions(a[0], b[0])).map(([line, last]) => ({ line, last })),
    sources: ['scripts/kb/linux/trees.json', 'scripts/kb/data/kvm-stable.json', ...(stable._stableLines?.sources ?? [])],
  };
}

function main(argv) {
  const check = argv.includes('--check');
  const inputs = {
    features: read('server/src/kb/data/features.json'),
    linux: read('scripts/kb/data/linux-kvm.json'),
    trees: read('scripts/kb/linux/trees.json'),
    stable: read('scripts/kb/data/kvm-stable.json').bits,
    overlay: read('scripts/kb/features-overlay.json'),
  };
  const { features, changes } = dateFeatures(inputs);
  const outputs = {
    'server/src/kb/data/features.json': JSON.stringify(features, null, 1) + '\n',
    'server/src/kb/data/kernels.json': JSON.stringify(kernelsFile(inputs), null, 1) + '\n',
  };
  let differs = false;
  for (const [p, text] of Object.entries(outputs)) {
    const abs = path.join(root, p);
    const old = fs.existsSync(abs) ? fs.readFileSync(abs, 'utf8') : '';
    if (check) {
      if (old !== text) { differs = true; console.error(`${p} differs from a fresh dating; rerun: node scripts/kb/date-kernel.mjs`); }
    } else fs.writeFileSync(abs, text);
  }
  if (!check) {
    for (const c of changes) console.log(c);
    const cpuid = features.filter((f) => f.leaf);
    console.error(`dated: kvmSince ${cpuid.filter((f) => f.kvmSince).length} of ${cpuid.length} CPUID bits; ${changes.length} changed`);
  }
  return differs ? 1 : 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
