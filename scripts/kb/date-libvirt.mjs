#!/usr/bin/env node
// Writes server/src/kb/data/libvirt.json: libvirt's names for the KB's facts, per libvirt release read.
//   features  libvirt's spelling of each QEMU bit (pclmuldq for pclmulqdq, tsc_adjust for tsc-adjust),
//             matched by CPUID leaf/subleaf/register/bit (or MSR index and bit) with features.json,
//             never by name; libvirt bits the KB has no record of are listed apart (unmatched)
//   models    libvirt's x86 CPU models: their QEMU model record (by QEMU spelling), vendor, and the
//             cpu_map feature list as canonical QEMU names (removed='yes' features apart)
//   elements  the KVM paravirt bits libvirt keeps outside <cpu> (scripts/kb/libvirt/elements.json),
//             each kept only where the release's domain schema has its element
// Names present in the oldest release read carry that release as `since` (as the QEMU dating does).
//
// Input (committed): scripts/kb/data/libvirt-cpu-map.json   node scripts/kb/libvirt/cpu-map.mjs
// Usage: node scripts/kb/date-libvirt.mjs [--check]
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..');
const read = (p) => JSON.parse(fs.readFileSync(path.join(root, p), 'utf8'));
const OUT = 'server/src/kb/data/libvirt.json';

const src = (release, file) => `libvirt/libvirt:${file}@${release.ref}`;

function locKey(leaf, subleaf, register, bit) {
  // The KB gives leaves with subleaves their subleaf (0x7 → 0, 0xd → 1); libvirt always writes ecx_in for them.
  return `${leaf}/${subleaf ?? ''}/${register}/${bit}`;
}

function kbIndex(features) {
  const by = new Map();
  for (const f of features) {
    const k = f.leaf === null ? `msr:${f.msrFeatureIndex}/${f.bit}` : locKey(f.leaf, f.subleaf, f.register, f.bit);
    if (!by.has(k)) by.set(k, []);
    by.get(k).push(f);
  }
  return by;
}

/** The KB record at a libvirt feature's location; where QEMU names a bit twice, the record whose names include libvirt's. */
function matchFeature(lf, byLoc) {
  const k = lf.cpuid ? locKey(lf.cpuid.leaf, lf.cpuid.subleaf, lf.cpuid.register, lf.cpuid.bit) : `msr:${lf.msr.index}/${lf.msr.bit}`;
  const found = byLoc.get(k) ?? [];
  const spellings = [lf.name, ...lf.aliases.map((a) => a.name)];
  return { key: k, record: found.find((f) => spellings.includes(f.name) || f.aliases.some((a) => spellings.includes(a))) ?? found[0] ?? null };
}

export function dateLibvirt(cpuMap, kbFeatures, kbModels, overlay) {
  const byLoc = kbIndex(kbFeatures);
  const qemuModel = new Map();
  for (const m of kbModels) for (const n of [m.name, ...m.aliases]) if (!qemuModel.has(n)) qemuModel.set(n, m.name);
  const features = new Map();
  const unmatched = new Map();
  const models = new Map();
  const elements = new Map();
  for (const r of cpuMap.releases) {
    const canon = new Map(); // libvirt spelling (and alias) -> canonical QEMU name, in this release
    for (const lf of r.features) {
      const { key, record } = matchFeature(lf, byLoc);
      if (!record) {
        if (!unmatched.has(lf.name)) unmatched.set(lf.name, { libvirt: lf.name, location: key, since: r.version, sources: [src(r, 'src/cpu_map/x86_features.xml')] });
        continue;
      }
      for (const n of [lf.name, ...lf.aliases.map((a) => a.name)]) canon.set(n, record.name);
      const prev = features.get(record.name);
      if (prev && prev.libvirt === lf.name) {
        prev.until = null;
        continue;
      }
      if (prev) prev.renamed = (prev.renamed ?? []).concat({ libvirt: lf.name, since: r.version });
      else
        features.set(record.name, {
          name: record.name,
          libvirt: lf.name,
          aliases: lf.aliases.map((a) => a.name).filter((a) => a !== lf.name),
          since: r.version,
          sources: [src(r, 'src/cpu_map/x86_features.xml')],
        });
    }
    for (const lm of r.models) {
      const toCanon = (names) => names.filter((n) => canon.has(n)).map((n) => canon.get(n)).sort();
      const rec = {
        name: lm.name,
        qemu: qemuModel.get(lm.name) ?? null,
        vendor: lm.vendor,
        features: toCanon(lm.features),
        removed: toCanon(lm.removed),
        unknownFeatures: [...lm.features, ...lm.removed].filter((n) => !canon.has(n)).sort(),
        since: models.get(lm.name)?.since ?? r.version,
        until: null,
        sources: [src(r, `src/cpu_map/${lm.file}`)],
      };
      models.set(lm.name, rec);
    }
    for (const m of models.values()) if (!r.models.some((lm) => lm.name === m.name) && !m.until) m.until = r.version;
    for (const e of overlay.elements) {
      if (!r.schema?.includes(e.schema) || elements.has(e.feature)) continue;
      const { schema, doc, ...rest } = e;
      elements.set(e.feature, { ...rest, since: r.version, sources: [src(r, 'src/conf/schemas/domaincommon.rng'), doc] });
    }
  }
  return {
    releases: cpuMap.releases.map((r) => ({ version: r.version, ref: r.ref, origin: r.origin })),
    features: [...features.values()].sort((a, b) => a.name.localeCompare(b.name)),
    unmatched: [...unmatched.values()],
    models: [...models.values()],
    elements: [...elements.values()],
  };
}

function main(argv) {
  const check = argv.includes('--check');
  const out = dateLibvirt(read('scripts/kb/data/libvirt-cpu-map.json'), read('server/src/kb/data/features.json'), read('server/src/kb/data/models.json'), read('scripts/kb/libvirt/elements.json'));
  const text = JSON.stringify(out, null, 1) + '\n';
  const abs = path.join(root, OUT);
  if (check) {
    if (!fs.existsSync(abs) || fs.readFileSync(abs, 'utf8') !== text) {
      console.error(`${OUT} differs from a fresh run; rerun: node scripts/kb/date-libvirt.mjs`);
      return 1;
    }
    return 0;
  }
  fs.writeFileSync(abs, text);
  console.log(`${OUT}: ${out.features.length} features (${out.unmatched.length} libvirt bits without a KB record), ${out.models.length} models (${out.models.filter((m) => !m.qemu).length} without a QEMU model), ${out.elements.length} elements`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
