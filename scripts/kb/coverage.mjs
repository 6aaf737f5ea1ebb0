#!/usr/bin/env node
// Prints the knowledge base's coverage per field as a Markdown table (docs/knowledge-base.md):
// known, unknown and bracketed facts. With --since COMMIT it also counts, per field, the
// facts that changed since that commit (git show COMMIT:server/src/kb/data/*.json).
//
// Usage: node scripts/kb/coverage.mjs [--since COMMIT]

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dataDir = path.join(root, 'server/src/kb/data');
const load = (f) => JSON.parse(fs.readFileSync(path.join(dataDir, f), 'utf8'));
const features = load('features.json');
const msrs = load('msrs.json');
const models = load('models.json');
const releases = load('releases.json').releases;
const linux = JSON.parse(fs.readFileSync(path.join(root, 'scripts/kb/data/linux-kvm.json'), 'utf8')).releases;

const cpuid = features.filter((f) => f.leaf);
const newest = new Set([...linux.at(-1).intel, ...linux.at(-1).amd]);
const offered = cpuid.filter((f) => newest.has(f.name));
const floorKnown = (f) => !!(f.kvmSince || (f.kvmSinceByVendor && Object.keys(f.kvmSinceByVendor).length));
const bracketed = (f) => !floorKnown(f) && /unknown, (absent in|present in)/.test(f.notes ?? '');
const state = msrs.filter((m) => m.role === 'state');
const pct = (a, b) => `${a} of ${b} (${((100 * a) / b).toFixed(1)} %)`;

const rows = [
  ['features', 'qemuSince', pct(features.filter((f) => f.qemuSince).length, features.length), 'every name read in 0.10-10.2 (names already in 0.10 carry 0.10)'],
  ['features', 'qemuUntil', `${features.filter((f) => f.qemuUntil).length} removed`, ''],
  ['features', 'aliasDates', `${features.filter((f) => f.aliasDates && Object.keys(f.aliasDates).length).length} records, ${features.reduce((n, f) => n + Object.keys(f.aliasDates ?? {}).length, 0)} spellings`, 'other QEMU spellings, each with its first and last release'],
  ['features (CPUID bits the newest KVM offers)', 'kvmSince or kvmSinceByVendor', pct(offered.filter(floorKnown).length, offered.length), `${offered.filter(bracketed).length} bracketed, ${offered.filter((f) => !floorKnown(f) && !bracketed(f)).length} unknown`],
  ['features (all CPUID bits)', 'kvmSince or kvmSinceByVendor', pct(cpuid.filter(floorKnown).length, cpuid.length), `${cpuid.filter(bracketed).length} bracketed; the rest KVM never offers in any tree read`],
  ['features', 'kvmSinceByVendor', `${cpuid.filter((f) => f.kvmSinceByVendor).length} records`, 'where the VMX and SVM code differ'],
  ['features', 'kvmUntil', `${features.filter((f) => f.kvmUntil).length} records`, ''],
  ['features', 'kvmStable', `${features.filter((f) => f.kvmStable?.length).length} records, ${features.reduce((n, f) => n + (f.kvmStable?.length ?? 0), 0)} point releases`, ''],
  ['features (MSR-feature words)', 'kvmSince', pct(features.filter((f) => !f.leaf && f.kvmSince).length, features.filter((f) => !f.leaf).length), 'ARCH_CAPABILITIES bits from stable mails; the VMX words are not dated'],
  ['features', 'migrationBlocks', `${features.filter((f) => f.migrationBlocks?.length).length} records`, ''],
  ['features', 'dependsOnInReleases', `${features.filter((f) => f.dependsOnInReleases?.length).length} records`, ''],
  ['msrs (state)', 'migratedSince (under KVM)', pct(state.filter((m) => m.migratedSince).length, state.length), ''],
  ['msrs (state)', 'vmstateSince', pct(state.filter((m) => m.vmstateSince).length, state.length), ''],
  ['models', 'qemuSince', pct(models.filter((m) => m.qemuSince).length, models.length), ''],
  ['models', 'qemuUntil', `${models.filter((m) => m.qemuUntil).length} removed`, ''],
  ['models', 'vendor', pct(models.filter((m) => m.vendor).length, models.length), 'null: vendor-neutral or host-following'],
  ['models', 'aliasDates', `${models.filter((m) => m.aliasDates).length} records`, 'plain, alias and versioned names'],
  ['releases', 'kvmDefaults / kvmDefaultsOff / kvmDefaultsFollowHost', `${releases.filter((r) => r.kvmDefaultsOff).length} of ${releases.length}`, `${releases.filter((r) => r.kvmDefaultsFollowHost).length} follow the host kernel`],
];

console.log('| file | field | known | notes |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(`| ${r.join(' | ')} |`);

const since = process.argv.indexOf('--since');
if (since > 0) {
  const commit = process.argv[since + 1];
  const old = (f) => JSON.parse(execFileSync('git', ['-C', root, 'show', `${commit}:server/src/kb/data/${f}`], { encoding: 'utf8', maxBuffer: 1 << 28 }));
  const count = (before, after, key, fields) => {
    const b = new Map(before.map((x) => [x[key], x]));
    const out = {};
    for (const field of fields) {
      let set = 0, changed = 0, cleared = 0;
      for (const x of after) {
        const o = b.get(x[key]);
        const norm = (v) => { const t = JSON.stringify(v ?? null); return t === '[]' || t === '{}' ? 'null' : t; };
        const was = norm(o?.[field]), now = norm(x[field]);
        if (was === now) continue;
        if (was === 'null') set++;
        else if (now === 'null') cleared++;
        else changed++;
      }
      out[field] = { set, changed, cleared };
    }
    return out;
  };
  const report = {
    features: count(old('features.json'), features, 'name', ['qemuSince', 'kvmSince', 'kvmSinceByVendor', 'kvmUntil', 'kvmStable', 'qemuUntil', 'migrationBlocks', 'dependsOnInReleases']),
    msrs: count(old('msrs.json'), msrs, 'name', ['migratedSince', 'vmstateSince', 'features']),
    models: count(old('models.json'), models, 'name', ['qemuSince', 'qemuUntil', 'vendor']),
    releases: count(old('releases.json').releases, releases, 'version', ['kvmDefaults', 'kvmDefaultsOff', 'kvmDefaultsFollowHost']),
  };
  console.log(`\nChanged since ${commit} (set = was unknown, changed = a different value, cleared = now unknown):\n`);
  console.log('| file | field | set | changed | cleared |');
  console.log('|---|---|---|---|---|');
  for (const [file, fields] of Object.entries(report)) for (const [f, c] of Object.entries(fields)) console.log(`| ${file} | ${f} | ${c.set} | ${c.changed} | ${c.cleared} |`);
  console.log(`\nnew MSR records: ${msrs.length - old('msrs.json').length}; new release records: ${releases.length - old('releases.json').releases.length}`);
}
