#!/usr/bin/env node
// Reads every Linux tree of scripts/kb/linux/trees.json and writes, per release, the
// QEMU-named CPUID bits its KVM offers on Intel (VMX) and AMD (SVM) hosts:
// scripts/kb/data/linux-kvm.json. The dating step (scripts/kb/date-kernel.mjs) turns that
// into kvmSince / kvmSinceByVendor / kvmUntil.
//
// Usage:
//   node scripts/kb/linux/extract.mjs [--mirror DIR] [--out PATH] [--check] [--only 4.20]
//     --mirror  where fetched snapshots live (default /work/.mirror; a tree `owner/name`
//               is read from DIR/owner+name/repo at its commit)
//     --check   compare with the committed file instead of writing; exit 1 on a difference
//   node scripts/kb/linux/extract.mjs --dir PATH --release X.Y   one plain directory (fixtures)
//
// Bits are named through features.json (CPUID location -> canonical QEMU name); the
// paravirt leaf through the tree's own KVM_FEATURE_* numbers.

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openTree, readFirst } from './tree.mjs';
import { readKvmCpuid } from './read-kvm-cpuid.mjs';
import { defines } from './c-tokens.mjs';
import { compareVersions } from '../compare-versions.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..', '..');
const KVM_PARA = ['arch/x86/include/uapi/asm/kvm_para.h', 'arch/x86/include/asm/kvm_para.h', 'include/asm-x86/kvm_para.h', 'include/linux/kvm_para.h'];

/** CPUID location key -> canonical feature name, from the committed features.json. */
export function featureIndex(features) {
  const byLoc = new Map();
  for (const f of features) {
    if (!f.leaf) continue;
    byLoc.set(`${f.leaf}.${f.subleaf ?? '-'}.${f.register}.${f.bit}`, f.name);
  }
  return byLoc;
}

/** One tree -> {intel, amd, kvmLeaf: names…, caps, unnamed} with QEMU names. */
export function extractTree(tree, byLoc) {
  const r = readKvmCpuid(tree);
  const name = (key) => byLoc.get(key) ?? byLoc.get(key.replace(/^(0x[0-9a-f]+)\.-\./, '$1.0.'));
  const out = { makefile: r.version, intel: [], amd: [], unnamed: [] };
  const unnamed = new Set();
  // Paravirt leaf: one code path for both vendors; bit numbers from the tree's kvm_para.h.
  const paraBits = new Map();
  for (const [k, v] of defines(readFirst(tree, KVM_PARA)?.text ?? '')) if (k.startsWith('KVM_FEATURE_') && /^\d+$/.test(v)) paraBits.set(k.slice(12), Number(v));
  for (const vendor of ['intel', 'amd']) {
    const names = new Set();
    for (const key of r.offered[vendor]) {
      const n = name(key);
      if (n) names.add(n); else unnamed.add(key);
    }
    for (const f of r.kvmLeaf) {
      const n = paraBits.has(f) ? name(`0x40000001.-.EAX.${paraBits.get(f)}`) : null;
      if (n) names.add(n);
    }
    // QEMU turns tsc-deadline on from KVM_CAP_TSC_DEADLINE_TIMER, not from the CPUID list.
    if (r.caps.has('KVM_CAP_TSC_DEADLINE_TIMER')) names.add('tsc-deadline');
    // Before the paravirt leaf was in KVM_GET_SUPPORTED_CPUID, QEMU probed capabilities
    // instead (get_para_features in target-i386/kvm.c); with the leaf, only the leaf counts.
    if (r.kvmLeaf.size === 0) {
      for (const [cap, feature] of PARA_CAPS) if (r.caps.has(cap)) names.add(feature);
    }
    out[vendor] = [...names].sort();
  }
  out.paravirtLeaf = r.kvmLeaf.size > 0;
  out.caps = [...r.caps].filter((c) => CAPS_OF_INTEREST.has(c)).sort();
  out.unnamed = [...unnamed].sort();
  out.unmappedLinuxNames = [...r.unmapped].sort();
  return out;
}

// Capabilities that decide a fact elsewhere in the KB (nested state, MSR features, TSC).
const PARA_CAPS = [['KVM_CAP_CLOCKSOURCE', 'kvmclock'], ['KVM_CAP_NOP_IO_DELAY', 'kvm-nopiodelay'], ['KVM_CAP_PV_MMU', 'kvm-mmu']];
const CAPS_OF_INTEREST = new Set([...PARA_CAPS.map(([cap]) => cap),
  'KVM_CAP_TSC_DEADLINE_TIMER', 'KVM_CAP_NESTED_STATE', 'KVM_CAP_GET_MSR_FEATURES', 'KVM_CAP_ASYNC_PF',
  'KVM_CAP_ASYNC_PF_INT', 'KVM_CAP_TSC_CONTROL', 'KVM_CAP_X86_ROBUST_SINGLESTEP', 'KVM_CAP_EXCEPTION_PAYLOAD',
  'KVM_CAP_ENFORCE_PV_FEATURE_CPUID', 'KVM_CAP_X86_TRIPLE_FAULT_EVENT', 'KVM_CAP_XSAVE', 'KVM_CAP_XCRS',
]);


function main(argv) {
  const opt = { mirror: '/work/.mirror', out: path.join(repoRoot, 'scripts/kb/data/linux-kvm.json') };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--check') opt.check = true;
    else if (['--mirror', '--out', '--only', '--dir', '--release'].includes(a)) opt[a.slice(2)] = argv[++i];
    else throw new Error(`unknown argument ${a}`);
  }
  const features = JSON.parse(fs.readFileSync(path.join(repoRoot, 'server/src/kb/data/features.json'), 'utf8'));
  const byLoc = featureIndex(features);
  if (opt.dir) {
    const rec = extractTree(openTree({ dir: opt.dir, label: opt.dir }), byLoc);
    process.stdout.write(JSON.stringify({ release: opt.release ?? null, ...rec }, null, 1) + '\n');
    return 0;
  }
  const manifest = JSON.parse(fs.readFileSync(path.join(here, 'trees.json'), 'utf8'));
  const releases = [];
  for (const t of manifest.trees) {
    if (opt.only && t.release !== opt.only) continue;
    const gitdir = path.join(opt.mirror, t.gitdir ?? path.join(t.repo.replace('/', '+'), 'repo'));
    if (!fs.existsSync(gitdir)) throw new Error(`tree ${t.repo} for ${t.release} is not fetched (${gitdir})`);
    const rec = extractTree(openTree({ gitdir, commit: t.commit, repo: t.repo, subdir: t.subdir }), byLoc);
    if (rec.makefile !== t.makefile) throw new Error(`${t.repo}@${t.commit}: Makefile says ${rec.makefile}, manifest ${t.makefile}`);
    releases.push({ release: t.release, tree: `${t.repo}@${t.commit}`, ...rec });
    process.stderr.write(`${t.release}: intel ${rec.intel.length}, amd ${rec.amd.length}\n`);
  }
  releases.sort((a, b) => compareVersions(a.release, b.release));
  const text = JSON.stringify({ generatedBy: 'node scripts/kb/linux/extract.mjs', releases }, null, 1) + '\n';
  if (opt.only) { process.stdout.write(text); return 0; }
  if (opt.check) {
    const old = fs.existsSync(opt.out) ? fs.readFileSync(opt.out, 'utf8') : '';
    if (old !== text) { console.error(`${opt.out} differs from a fresh extraction; rerun: node scripts/kb/linux/extract.mjs`); return 1; }
    console.error(`${opt.out}: up to date (${releases.length} releases)`);
    return 0;
  }
  fs.mkdirSync(path.dirname(opt.out), { recursive: true });
  fs.writeFileSync(opt.out, text);
  console.error(`wrote ${opt.out} (${releases.length} releases)`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
