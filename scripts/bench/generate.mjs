// Generates realistic .mtype inputs for the benchmark, deterministically (fixed seed).
//
// - bigFile(kb): one ~10,000-line file of ~500 machines in inheritance families
//   (each machine extends the previous one of its family, within the file), with
//   comments, descriptions, `cpuid { … }` whitelists, per-model `cpuid for` blocks,
//   `migrate` lists and compat properties, using feature, model and MSR names
//   from the knowledge base (`mtype kb --all --format json`). About 1% of the
//   feature names are typos or alias spellings, as in a file being edited.
// - writeWorkspace(kb, dir): 1,000 files of 4 machines each; the first machine of
//   every file extends a machine of an earlier file, so bases live in other files.

import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareVersions } from '../kb/compare-versions.mjs';

/** mulberry32: small, fast, deterministic. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: (list) => list[Math.floor(next() * list.length)],
    chance: (p) => next() < p,
  };
}

const KERNELS = ['3.10', '4.5', '4.15', '4.19', '5.4', '5.10', '5.15', '6.1', '6.6', '6.8'];
const COMPAT = [
  ['e1000', 'autonegotiation', 'off'],
  ['virtio-net-pci', 'mq', 'off'],
  ['virtio-blk-pci', 'discard', 'off'],
  ['kvm-pit', 'lost_tick_policy', 'delay'],
  ['ICH9-LPC', 'x-smi-broadcast', 'off'],
  ['pvpanic', 'events', '"0x3"'],
];
const COMMENTS = [
  'Spectre/Meltdown mitigations, backported with their migration',
  'keep the guest ABI of the previous release',
  'validated on the 2023 fleet (Skylake and Cascade Lake hosts)',
  'TODO: drop once every host runs the newer kernel',
  'mtype-ignore: MT302',
  'matches QEMU pc_compat handling for this release',
  'customer-visible: do not change without a new machine type',
];

/** Names the generator draws from, prepared once from `kb --all --format json` and the releases. */
export function vocabulary(kb, releases) {
  const versions = releases.map((r) => r.version).filter((v) => compareVersions(v, '1.0') >= 0).sort(compareVersions);
  const kvmDefaults = [...new Set(releases.flatMap((r) => r.kvmDefaults))];
  const models = kb.models.filter((m) => !m.followsHost && m.name !== 'base');
  const features = kb.features.filter((f) => f.leaf !== null);
  const aliases = kb.features.flatMap((f) => f.aliases.filter((a) => /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/.test(a)));
  const stateMsrs = kb.msrs.filter((m) => m.role === 'state');
  const modelFeatures = new Map();
  for (const m of models) {
    modelFeatures.set(m.name, m.features);
    if (m.version === 1) modelFeatures.set(m.family, m.features);
  }
  return { versions, kvmDefaults, models, features, aliases, stateMsrs, modelFeatures };
}

function typo(r, word) {
  const i = r.int(0, word.length - 1);
  switch (r.int(0, 2)) {
    case 0: return word.slice(0, i) + word.slice(i + 1) || word + 'x'; // deletion
    case 1: return word.slice(0, i) + 'xq'[r.int(0, 1)] + word.slice(i); // insertion
    default: return i + 1 < word.length ? word.slice(0, i) + word[i + 1] + word[i] + word.slice(i + 2) : word + 'e'; // swap
  }
}

/** A feature name as an author writes it: mostly canonical, sometimes an alias or a typo. */
function featureName(r, v, qemu) {
  if (r.chance(0.005)) return r.pick(v.aliases);
  let f;
  for (let tries = 0; tries < 8; tries++) {
    f = r.pick(v.features);
    if (!f.qemuSince || compareVersions(f.qemuSince, qemu) <= 0) break;
  }
  return r.chance(0.005) ? typo(r, f.name) : f.name;
}

function modelFor(r, v, qemu) {
  for (let tries = 0; tries < 16; tries++) {
    const m = r.pick(v.models);
    if (!m.qemuSince || compareVersions(m.qemuSince, qemu) <= 0) return m.version === 1 && r.chance(0.6) ? m.family : m.name;
  }
  return 'qemu64';
}

/** One machine's lines. `root` machines state everything; children state deltas. */
function machineLines(r, v, { name, base, qemu, root, family, tidy = false }) {
  if (tidy) return tidyMachineLines(r, v, { name, base, qemu, root, family });
  const L = [];
  if (r.chance(0.7)) L.push(`# ${name}: ${r.pick(COMMENTS)}`);
  if (r.chance(0.4)) L.push(`# ${r.pick(COMMENTS)}`);
  L.push(`machine ${name}${base ? ` extends ${base}` : ''} {`);
  L.push(`  qemu ${qemu}`);
  if (root || r.chance(0.5)) L.push(`  host-kernel >= ${r.pick(KERNELS)}${r.chance(0.3) ? `   # ${r.pick(COMMENTS)}` : ''}`);
  const cpu = modelFor(r, v, qemu);
  if (root || r.chance(0.3)) L.push(`  cpu ${cpu}`);
  const modelFeatures = v.modelFeatures.get(cpu) ?? v.kvmDefaults;
  if (r.chance(0.8)) L.push(`  description "${family} ${name} (QEMU ${qemu})"`);
  if (root && r.chance(0.1)) L.push('  accel kvm');
  // The machine's own whitelist: KVM defaults plus a few features.
  const edits = [];
  const n = root ? r.int(8, 14) : r.int(4, 10);
  for (let i = 0; i < n; i++) {
    const sign = r.chance(0.8) ? '+' : '-';
    const pick = r.next();
    const name = pick < 0.3 ? r.pick(v.kvmDefaults) : pick < 0.7 ? r.pick(modelFeatures) : featureName(r, v, qemu);
    edits.push(`    ${sign}${name}${r.chance(0.15) ? `   # ${r.pick(COMMENTS)}` : ''}`);
  }
  L.push('  cpuid {', ...edits, '  }');
  if (r.chance(0.25)) L.push(`  cpuid ${r.chance(0.5) ? '+' : '-'}${featureName(r, v, qemu)}`);
  // Per-model edits.
  const forBlocks = r.chance(0.4) ? (r.chance(0.25) ? 2 : 1) : 0;
  for (let b = 0; b < forBlocks; b++) {
    const models = [...new Set([modelFor(r, v, qemu), ...(r.chance(0.4) ? [modelFor(r, v, qemu)] : [])])];
    if (r.chance(0.5)) {
      L.push(`  cpuid for ${models.join(', ')} { +${featureName(r, v, qemu)} -${featureName(r, v, qemu)} }`);
    } else {
      L.push(`  cpuid for ${models.join(', ')} {`);
      for (let i = r.int(1, 3); i > 0; i--) L.push(`    ${r.chance(0.7) ? '+' : '-'}${featureName(r, v, qemu)}`);
      L.push('  }');
    }
  }
  if (r.chance(0.4)) {
    const msrs = [...new Set([r.pick(v.stateMsrs), r.pick(v.stateMsrs)])].map((m) => (r.chance(0.2) ? m.index : m.name));
    L.push(r.chance(0.5) ? `  migrate ${msrs.join(' ')}` : `  migrate {\n${msrs.map((m) => `    ${m}`).join('\n')}\n  }`);
  }
  if (r.chance(0.3)) {
    const [d, p, val] = r.pick(COMPAT);
    L.push(`  compat ${d}.${p} = ${val}`);
  }
  if (!root && r.chance(0.05)) L.push('  deprecated "use a newer machine type"');
  L.push('}', '');
  return L.join('\n').split('\n');
}

/**
 * A machine as a careful team writes it: recent QEMU and host kernels, the CPU
 * model's own features whitelisted (which already migrate), and now and then a
 * slip (a typo, a feature the model lacks), so a file has tens of findings.
 */
function tidyMachineLines(r, v, { name, base, qemu, root, family }) {
  const L = [];
  if (r.chance(0.6)) L.push(`# ${name}: ${r.pick(COMMENTS.filter((c) => !c.startsWith('mtype-ignore')))}`);
  // Most teams accept QEMU's KVM defaults knowingly (MT302 is informational).
  L.push(`machine ${name}${base ? ` extends ${base}` : ''} {${r.chance(0.97) ? '   # mtype-ignore: MT302, MT303' : ''}`);
  L.push(`  qemu ${qemu}`);
  if (root) L.push(`  host-kernel >= ${r.pick(['6.1', '6.6', '6.8'])}`);
  const cpu = modelFor(r, v, qemu);
  if (root) L.push(`  cpu ${cpu}`, '  accel kvm');
  L.push(`  description "${family} ${name} (QEMU ${qemu})"`);
  const features = v.modelFeatures.get(cpu) ?? [];
  const edits = [];
  for (let i = r.int(0, 3); i > 0 && features.length; i--) {
    const f = r.pick(features);
    edits.push(`    +${r.chance(0.02) ? typo(r, f) : f}`);
  }
  if (r.chance(0.03)) edits.push(`    +${featureName(r, v, qemu)}`);
  if (edits.length) L.push('  cpuid {', ...new Set(edits), '  }');
  if (r.chance(0.3)) {
    const [d, p, val] = r.pick(COMPAT);
    L.push(`  compat ${d}.${p} = ${val}`);
  }
  L.push('}', '');
  return L;
}

/** A family of machines that extend each other, QEMU releases ascending along the chain. */
function family(r, v, prefix, length, firstBase, tidy = false) {
  const start = r.int(0, Math.max(0, v.versions.length - length - 1));
  const out = [];
  let base = firstBase;
  for (let i = 0; i < length; i++) {
    const name = `${prefix}-${i}`;
    const qemu = v.versions[Math.min(v.versions.length - 1, start + i)];
    out.push({ name, base, qemu, root: !base, family: prefix, tidy });
    base = name;
  }
  return out;
}

/** The ~10,000-line file: families of 5–15 machines (or `family` [min, max]) until the line count is reached. */
export function bigFile(v, { seed = 42, lines = 10000, family: [shortest, longest] = [5, 15] } = {}) {
  const r = rng(seed);
  const out = ['# Generated by scripts/bench/generate.mjs (seed ' + seed + '): a large downstream catalogue.', ''];
  let machines = 0;
  let f = 0;
  let full = false;
  while (!full) {
    for (const m of family(r, v, `acme${f}`, r.int(shortest, longest), undefined)) {
      const next = machineLines(r, v, m);
      if (out.length + next.length > lines) {
        full = true;
        break;
      }
      out.push(...next);
      machines++;
    }
    f++;
  }
  while (out.length < lines) out.push('# (end of catalogue)');
  return { text: out.join('\n') + '\n', machines };
}

/** A 1–3k-line file of tidy machines (tidyMachineLines) in families of 3–8: an everyday file with tens of findings. */
export function realisticFile(v, { seed = 11, lines = 2000 } = {}) {
  const r = rng(seed);
  // Recent releases and the models they bring, as a maintained catalogue has.
  const recent = v.versions.slice(-12);
  v = { ...v, versions: recent, models: v.models.filter((m) => m.qemuSince && compareVersions(m.qemuSince, '4.0') >= 0) };
  const out = ['# Generated by scripts/bench/generate.mjs (seed ' + seed + '): a tidy catalogue.', ''];
  let machines = 0;
  for (let f = 0; out.length < lines; f++) {
    for (const m of family(r, v, `fleet${f}`, r.int(3, 8), undefined, true)) {
      const next = machineLines(r, v, m);
      if (out.length + next.length > lines) break;
      out.push(...next);
      machines++;
    }
    if (out.length > lines - 12) break;
  }
  return { text: out.join('\n') + '\n', machines };
}

/** 1,000 files × 4 machines; files from the 51st on extend a machine of one of the first 50. */
export function writeWorkspace(v, dir, { seed = 7, files = 1000, perFile = 4 } = {}) {
  const r = rng(seed);
  mkdirSync(dir, { recursive: true });
  let bytes = 0;
  let lines = 0;
  for (let i = 0; i < files; i++) {
    const sub = join(dir, `site${String(i % 20).padStart(2, '0')}`);
    mkdirSync(sub, { recursive: true });
    // The first 50 files are shared bases; every other file extends a machine of one of them.
    const base = i < 50 ? undefined : `ws${r.int(0, 49)}-${r.int(0, perFile - 1)}`;
    const text = ['# ' + `site ${i % 20}, catalogue ${i}`, '']
      .concat(...family(r, v, `ws${i}`, perFile, base).map((m) => machineLines(r, v, { ...m, root: m.root || r.chance(0.2) })))
      .join('\n');
    writeFileSync(join(sub, `catalogue-${i}.mtype`), text);
    bytes += Buffer.byteLength(text);
    lines += text.split('\n').length;
  }
  return { files, machines: files * perFile, bytes, lines };
}

/** A chain of `depth` machines, each extending the one before, with a few edits and a description each. */
export function deepChain(depth) {
  const bits = ['x2apic', 'tsc-deadline', 'kvm-pv-eoi', 'arat', 'avx', 'xsave', 'pcid', 'invpcid'];
  const out = ['machine chain-0 {', '  qemu 7.2', '  host-kernel >= 5.4', '  cpu Skylake-Server-v4', '  cpuid +x2apic', '}', ''];
  for (let i = 1; i < depth; i++) {
    out.push(`machine chain-${i} extends chain-${i - 1} {`, `  description "step ${i}"`, `  cpuid {`, `    ${i % 3 ? '+' : '-'}${bits[i % bits.length]}`, `    +${bits[(i * 5) % bits.length]}`, '  }', '}', '');
  }
  return out.join('\n');
}
