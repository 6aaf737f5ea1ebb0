#!/usr/bin/env node
// Reads libvirt's x86 CPU map (src/cpu_map/: index.xml, x86_vendors.xml, x86_features.xml, x86_*.xml
// models) and the domain schema's KVM elements of one or more libvirt releases, into
// scripts/kb/data/libvirt-cpu-map.json. date-libvirt.mjs turns that into the KB file.
//
// Sources, either:
//   --dir DIR --release X.Y.Z --ref vX.Y.Z [--schemas DIR] [--origin TEXT]
//        an installed cpu_map (Debian's libvirt0: /usr/share/libvirt/cpu_map, schemas in
//        /usr/share/libvirt/schemas), read as the release it was built from
//   --git-dir GIT --tag vX.Y.0 [--tag …]
//        a libvirt git tree, each tag read with `git show TAG:src/cpu_map/FILE`
// Several sources may be given; releases are kept oldest first.
//
// Usage: node scripts/kb/libvirt/cpu-map.mjs --dir /usr/share/libvirt/cpu_map --release 9.0.0 --ref v9.0.0 \
//          --schemas /usr/share/libvirt/schemas --origin 'Debian libvirt0 9.0.0-4+deb12u2'
//        node scripts/kb/libvirt/cpu-map.mjs --check   (re-reads the same sources and compares)
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { compareVersions } from '../compare-versions.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const root = path.resolve(here, '..', '..', '..');
const OUT = 'scripts/kb/data/libvirt-cpu-map.json';

/** The elements and attributes of the domain schema that carry KVM paravirt bits (checked in each release's schema). */
export const SCHEMA_NEEDLES = {
  'clock/timer[kvmclock]': '<value>kvmclock</value>',
  'clock/timer[tsc]/@frequency': '<attribute name="frequency">',
  'features/apic/@eoi': '<attribute name="eoi">',
  'features/pvspinlock': '<element name="pvspinlock">',
  'features/kvm/hidden': '<element name="hidden">',
  'features/kvm/hint-dedicated': '<element name="hint-dedicated">',
  'features/kvm/poll-control': '<element name="poll-control">',
  'features/kvm/pv-ipi': '<element name="pv-ipi">',
  'features/kvm/dirty-ring': '<element name="dirty-ring">',
};

// The cpu_map files are libvirt's own, well-formed and regular: a tag-and-attribute scan suffices.
function tags(xml) {
  const out = [];
  const noComments = xml.replace(/<!--[\s\S]*?-->/g, '');
  const re = /<(\/?)([A-Za-z_][\w.-]*)((?:\s+[\w:-]+\s*=\s*(?:'[^']*'|"[^"]*"))*)\s*(\/?)>/g;
  for (let m; (m = re.exec(noComments)); ) {
    const attrs = {};
    for (const a of m[3].matchAll(/([\w:-]+)\s*=\s*(?:'([^']*)'|"([^"]*)")/g)) attrs[a[1]] = a[2] ?? a[3];
    out.push({ close: m[1] === '/', name: m[2], attrs, selfClosing: m[4] === '/' });
  }
  return out;
}

const REGS = ['eax', 'ebx', 'ecx', 'edx'];

function readFeatures(xml) {
  const features = [];
  let cur = null;
  for (const t of tags(xml)) {
    if (t.name === 'feature' && !t.close) {
      cur = { name: t.attrs.name, aliases: [] };
      features.push(cur);
      if (t.selfClosing) cur = null;
    } else if (t.name === 'feature' && t.close) cur = null;
    else if (cur && t.name === 'alias') cur.aliases.push({ name: t.attrs.name, source: t.attrs.source ?? null });
    else if (cur && t.name === 'cpuid') {
      const reg = REGS.find((r) => t.attrs[r] && parseInt(t.attrs[r], 16) !== 0);
      const mask = parseInt(t.attrs[reg], 16);
      cur.cpuid = { leaf: hex(t.attrs.eax_in), subleaf: t.attrs.ecx_in === undefined ? null : parseInt(t.attrs.ecx_in, 16), register: reg.toUpperCase(), bit: Math.log2(mask) };
    } else if (cur && t.name === 'msr') {
      const eax = parseInt(t.attrs.eax ?? '0', 16);
      const edx = parseInt(t.attrs.edx ?? '0', 16);
      cur.msr = { index: hex(t.attrs.index), bit: eax ? Math.log2(eax) : 32 + Math.log2(edx) };
    }
  }
  return features.filter((f) => f.cpuid || f.msr);
}

function readModels(files) {
  const models = new Map();
  for (const { file, xml } of files) {
    let cur = null;
    for (const t of tags(xml)) {
      if (t.name === 'model' && !t.close && !cur) {
        cur = { name: t.attrs.name, file, vendor: null, base: null, features: [], removed: [] };
        models.set(cur.name, cur);
        if (t.selfClosing) cur = null;
      } else if (t.name === 'model' && t.close) cur = null;
      else if (cur && t.name === 'model') cur.base = t.attrs.name; // older maps build a model on another
      else if (cur && t.name === 'vendor') cur.vendor = t.attrs.name;
      else if (cur && t.name === 'feature') (t.attrs.removed === 'yes' ? cur.removed : cur.features).push(t.attrs.name);
    }
  }
  // Inherited features, for maps whose models name a base model.
  const full = (m, seen = new Set()) => {
    if (!m.base || seen.has(m.name) || !models.has(m.base)) return m;
    seen.add(m.name);
    const b = full(models.get(m.base), seen);
    return { ...m, vendor: m.vendor ?? b.vendor, features: [...new Set([...b.features, ...m.features])], removed: [...new Set([...b.removed, ...m.removed])] };
  };
  return [...models.values()].map((m) => full(m)).map(({ base, ...m }) => ({ ...m, features: [...m.features].sort(), removed: [...m.removed].sort() }));
}

function hex(s) {
  return '0x' + parseInt(s, 16).toString(16);
}

/** The x86 files index.xml includes, in its order. */
function x86Includes(indexXml) {
  const out = [];
  let inX86 = false;
  for (const t of tags(indexXml)) {
    if (t.name === 'arch' && !t.close) inX86 = t.attrs.name === 'x86';
    else if (t.name === 'arch' && t.close) inX86 = false;
    else if (inX86 && t.name === 'include') out.push(t.attrs.filename);
  }
  return out;
}

/** One release from a file reader: `get(path)` returns a file of the libvirt source tree, or null. */
function readRelease({ version, ref, origin, get }) {
  const mapFile = (f) => get(`src/cpu_map/${f}`);
  const index = mapFile('index.xml');
  if (!index) throw new Error(`libvirt ${version}: no src/cpu_map/index.xml`);
  const includes = x86Includes(index);
  const featuresFile = includes.find((f) => f === 'x86_features.xml');
  const modelFiles = includes.filter((f) => f !== 'x86_features.xml' && f !== 'x86_vendors.xml');
  const schema = get('src/conf/schemas/domaincommon.rng') ?? get('docs/schemas/domaincommon.rng');
  return {
    version,
    ref,
    origin,
    schema: schema ? Object.entries(SCHEMA_NEEDLES).filter(([, needle]) => schema.includes(needle)).map(([k]) => k) : null,
    features: readFeatures(mapFile(featuresFile)),
    models: readModels(modelFiles.map((file) => ({ file, xml: mapFile(file) })).filter((f) => f.xml)),
  };
}

function fromDir({ dir, schemas, version, ref, origin }) {
  const get = (p) => {
    const file = p.startsWith('src/cpu_map/') ? path.join(dir, p.slice('src/cpu_map/'.length)) : schemas && p.endsWith('domaincommon.rng') ? path.join(schemas, 'domaincommon.rng') : null;
    return file && fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : null;
  };
  return readRelease({ version, ref, origin, get });
}

function fromGit({ gitDir, tag }) {
  const get = (p) => {
    try {
      return execFileSync('git', ['--git-dir', gitDir, 'show', `${tag}:${p}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    } catch {
      return null;
    }
  };
  const commit = execFileSync('git', ['--git-dir', gitDir, 'rev-list', '-n1', tag], { encoding: 'utf8' }).trim();
  return readRelease({ version: tag.replace(/^v/, ''), ref: commit.slice(0, 12), origin: `libvirt/libvirt tag ${tag}`, get });
}

function parseArgs(argv) {
  const sources = [];
  let cur = null;
  const opts = { check: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const v = () => argv[++i];
    if (a === '--check') opts.check = true;
    else if (a === '--dir') sources.push((cur = { kind: 'dir', dir: v() }));
    else if (a === '--git-dir') opts.gitDir = v();
    else if (a === '--tag') sources.push({ kind: 'git', tag: v() });
    else if (a === '--release') cur.version = v();
    else if (a === '--ref') cur.ref = v();
    else if (a === '--schemas') cur.schemas = v();
    else if (a === '--origin') cur.origin = v();
    else throw new Error(`unknown argument ${a}`);
  }
  return { sources, ...opts };
}

function main(argv) {
  const { sources, check, gitDir } = parseArgs(argv);
  const outPath = path.join(root, OUT);
  if (check) {
    // Re-read what the committed file was made from, where those sources are on this machine.
    const committed = JSON.parse(fs.readFileSync(outPath, 'utf8'));
    let differs = 0;
    let read = 0;
    for (const r of committed.releases) {
      const s = r.input;
      if (s.kind !== 'dir' || !fs.existsSync(path.join(s.dir, 'index.xml'))) continue;
      const fresh = { ...fromDir({ ...s, version: r.version, ref: r.ref, origin: r.origin }), input: s };
      read++;
      if (JSON.stringify(fresh) !== JSON.stringify(r)) {
        differs++;
        console.error(`${OUT}: libvirt ${r.version} differs from ${s.dir}; rerun scripts/kb/libvirt/cpu-map.mjs`);
      }
    }
    console.log(`libvirt cpu_map: ${read} of ${committed.releases.length} releases re-read${read < committed.releases.length ? ' (the others\' sources are not on this machine)' : ''}, ${differs} differ`);
    return differs ? 1 : 0;
  }
  const releases = sources.map((s) =>
    s.kind === 'dir'
      ? { ...fromDir({ dir: s.dir, schemas: s.schemas, version: s.version, ref: s.ref, origin: s.origin ?? null }), input: { kind: 'dir', dir: s.dir, schemas: s.schemas ?? null } }
      : { ...fromGit({ gitDir, tag: s.tag }), input: { kind: 'git', tag: s.tag } },
  );
  releases.sort((a, b) => compareVersions(a.version, b.version));
  fs.writeFileSync(outPath, JSON.stringify({ releases }, null, 1) + '\n');
  for (const r of releases) console.log(`libvirt ${r.version}: ${r.features.length} features, ${r.models.length} x86 models, schema ${r.schema ? r.schema.length + ' KVM elements' : 'not read'}`);
  return 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.exitCode = main(process.argv.slice(2));
}
