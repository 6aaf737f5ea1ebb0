#!/usr/bin/env node
// Extract QEMU x86 CPU models (with versions) into server/src/kb/data/models.json.
//
// Usage:
//   node scripts/kb/extract-models.mjs \
//     --old <qemu-7.2 target/i386/cpu.c> --old-h <qemu-7.2 target/i386/cpu.h> --old-ref "qemu/qemu:target/i386/cpu.c@v7.2.0" \
//     [--new <newest cpu.c> --new-h <newest cpu.h> --new-ref "qemu/qemu:target/i386/cpu.c@<commit>"] \
//     [--extra "<older cpu.c>,<older cpu.h>,<ref>"]   (models removed before 7.2, e.g. Icelake-Client from 5.2)
//     [--caps "2.9=<caps_2.9.0.x86_64.xml>@v7.0.0,2.12~=<caps_2.12.0...>@v7.0.0,..."]
//                                                     (libvirt capability captures used for qemuSince)
//     [--out server/src/kb/data/models.json]
//
// How it works (no dependencies):
//  - every `#define NAME expr` of cpu.h and cpu.c is collected and evaluated as a 64-bit
//    integer expression (|, &, ~, <<, >>, parentheses, BIT()/BIT_ULL());
//  - `feature_word_info[]` gives, per feature word, the name of every bit (NULL = unnamed);
//  - `builtin_x86_defs[]` gives each model: `.features[FEAT_x] = expr`, vendor, versions with
//    props {"name","on"/"off"}; versions are cumulative (v3 = v1 + v2 props + v3 props), as
//    QEMU's x86_cpu_apply_version_props does;
//  - `feature_dependencies[]` is then applied once in order, as x86_cpu_expand_features does
//    (e.g. vmx-* bits are dropped when the model lacks "vmx"), so the list is what QEMU reports
//    for the model definition; KVM/TCG accelerator defaults are not applied.
//  - when both an old (QEMU 7.2) and a new cpu.c are given, the new file is authoritative for
//    feature lists and names; the old one is used to mark what already existed in 7.2.
import fs from 'node:fs';
import path from 'node:path';
import { stripComments } from './c-source.mjs';

// ---------------------------------------------------------------------------------------------
// Dating table. Each entry is backed by the listed source; anything not listed stays null.
// Keys: "Family" (plain model / v1) or "Family-vN" (a later version).
// Filled in from the sources described in docs/kb-notes/models.md.
const LV = (v) => `libvirt/libvirt:tests/domaincapsdata/qemu_${v}.x86_64.xml`;
const LC = (v) => `libvirt/libvirt:tests/qemucapabilitiesdata/caps_${v}.x86_64.xml`;
const Q = (v) => `qemu/qemu:target/i386/cpu.c@v${v}`;
// A date is only recorded when one source shows the name absent in the previous feature release
// and another shows it present in this one (libvirt's captured QEMU replies count as sources).
const VERSIONING_41 = [
  'qemu-devel: cover letter of the x86 CPU model versioning series (go.mail-archive.com/qemu-devel@nongnu.org/msg626545.html)',
  'qemu/qemu:docs/about/deprecated.rst@v7.2.0 ("Runnability guarantee of CPU models (since 4.1)": unversioned names become aliases of versions)',
];
const DATES = {
  Haswell: { since: '1.3', sources: [LC('1.2.2'), LC('1.3.1')] },
  Opteron_G5: { since: '1.3', sources: [LC('1.2.2'), LC('1.3.1')] },
  'Skylake-Client': { since: '2.7', sources: [LV('2.6.0'), LV('2.7.0')] },
  'Skylake-Server': { since: '2.10', sources: [LV('2.9.0'), LV('2.10.0')] },
  EPYC: { since: '2.11', sources: [LV('2.10.0'), LV('2.11.0')] },
  'Icelake-Server': { since: '3.1', sources: [LV('3.0.0'), LV('3.1.0')] },
  'Icelake-Client': { since: '3.1', sources: [LV('3.0.0'), LV('3.1.0')] },
  'Cascadelake-Server': { since: '3.1', sources: [LV('3.0.0'), LV('3.1.0')] },
  Dhyana: { since: '4.1', sources: [LV('4.0.0'), LV('4.1.0')] },
  Snowridge: { since: '4.1', sources: [LV('4.0.0'), LV('4.1.0')] },
  Cooperlake: { since: '5.0', sources: [LV('4.2.0'), LV('5.0.0')] },
  'EPYC-Rome': { since: '5.0', sources: [LV('4.2.0'), LV('5.0.0')] },
  'EPYC-Milan': { since: '6.0', sources: [Q('5.2.0'), LV('6.0.0')] },
  'EPYC-Genoa': { since: '8.1', sources: [LV('8.0.0'), LV('8.1.0')] },
  // Versions whose alias name existed before versioning: the -vN name appeared in 4.1.
  ...Object.fromEntries([
    ['Nehalem-v2', 'Nehalem-IBRS'], ['Westmere-v2', 'Westmere-IBRS'],
    ['SandyBridge-v2', 'SandyBridge-IBRS'], ['IvyBridge-v2', 'IvyBridge-IBRS'],
    ['Haswell-v2', 'Haswell-noTSX'], ['Haswell-v3', 'Haswell-IBRS'], ['Haswell-v4', 'Haswell-noTSX-IBRS'],
    ['Broadwell-v2', 'Broadwell-noTSX'], ['Broadwell-v3', 'Broadwell-IBRS'], ['Broadwell-v4', 'Broadwell-noTSX-IBRS'],
    ['Skylake-Client-v2', 'Skylake-Client-IBRS'], ['Skylake-Server-v2', 'Skylake-Server-IBRS'],
    ['EPYC-v2', 'EPYC-IBPB'],
  ].map(([k]) => [k, { since: '4.1', sources: [LV('4.1.0'), ...VERSIONING_41] }])),
  // Versions first reachable through an alias that is absent in 4.1 and present in 4.2.
  ...Object.fromEntries(['Skylake-Client-v3', 'Skylake-Server-v3', 'Icelake-Client-v2',
    'Icelake-Server-v2', 'Cascadelake-Server-v3']
    .map((k) => [k, { since: '4.2', sources: [LV('4.1.0'), LV('4.2.0')] }])),
  // Versioned names listed by libvirt's 8.1.0 capture and absent from its 8.0.0 capture.
  ...Object.fromEntries(['EPYC-Milan-v2', 'EPYC-Rome-v3', 'EPYC-Rome-v4', 'EPYC-v4']
    .map((k) => [k, { since: '8.1', sources: [LV('8.0.0'), LV('8.1.0')] }])),
};

function parseArgs(argv) {
  const a = {};
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    if (!k.startsWith('--')) throw new Error(`unexpected argument ${k}`);
    const v = argv[++i];
    // --caps may be given several times; the lists are concatenated
    a[k.slice(2)] = k === '--caps' && a.caps ? `${a.caps},${v}` : v;
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// Dating from libvirt's QEMU capability captures (tests/qemucapabilitiesdata/caps_X.Y.0*.x86_64.xml).
// Each capture lists every CPU model name of its QEMU build as
// <cpu type='kvm'|'tcg' name='...'>, including -vN names and aliases.
//
// --caps "REL=PATH@TAG,REL~=PATH@TAG,..." : one entry per QEMU feature release, in release order.
//   REL   QEMU feature release (2.9, 2.10, ...); the list must have no gaps.
//   ~=    marks a pre-release capture (e.g. 2.12 = v2.12.0-rc0): it counts as "present" for a
//         name it lists, never as "absent" for a name it lacks.
//   TAG   the libvirt release the file was taken from (for the citation). libvirt 7.0.0 names
//         the files caps_X.Y.0.x86_64.xml, later releases (10.0.0, 11.3.0) caps_X.Y.0_x86_64.xml;
//         the citation uses the name for TAG (as features.json does).
//
// Rule: a record gets release R when R's capture lists the record's name (for v1 also the plain
// family name), and the capture of the release just before R is a final-release capture that
// lists neither. A name listed by the oldest capture is not dated from captures.
function loadCaps(spec) {
  const caps = [];
  for (const item of spec.split(',').map((x) => x.trim()).filter(Boolean)) {
    const m = /^(\d+\.\d+)(~?)=(.+)@(v[\d.]+)$/.exec(item);
    if (!m) throw new Error(`bad --caps entry ${item} (want REL[~]=PATH@TAG)`);
    const [, rel, tilde, file, tag] = m;
    const xml = fs.readFileSync(file, 'utf8');
    const names = new Set();
    for (const n of xml.matchAll(/<cpu type='(?:kvm|tcg)' name='([^']+)'/g)) names.add(n[1]);
    if (names.size === 0) throw new Error(`${file}: no <cpu type= name=> entries`);
    const pkg = (/<package>([^<]*)<\/package>/.exec(xml)?.[1] ?? '').trim().replace(/^\((.*)\)$/, '$1');
    const partial = tilde === '~';
    const build = partial ? pkg : pkg.replace(/^v/, '');
    let base = path.basename(file);
    if (tag !== 'v7.0.0') base = base.replace(/\.x86_64\.xml$/, '_x86_64.xml');
    const cite = `libvirt/libvirt:tests/qemucapabilitiesdata/${base}@${tag} (QEMU ${build || rel} capture, CPU model list)`;
    caps.push({ rel, partial, names, cite });
  }
  return caps;
}

// Returns { since, sources } or null.
function dateFromCaps(caps, names) {
  const has = (c) => names.some((n) => c.names.has(n));
  const i = caps.findIndex(has);
  if (i <= 0) return null; // never listed, or already in the oldest capture
  const prev = caps[i - 1];
  if (prev.partial) return null; // a pre-release capture cannot show absence
  return { since: caps[i].rel, sources: [caps[i].cite, prev.cite] };
}

function collectDefines(src, defs) {
  const text = src.replace(/\\\r?\n/g, ' ');
  const re = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)(\([^)]*\))?[ \t]*(.*)$/gm;
  let m;
  while ((m = re.exec(text))) {
    if (m[2]) continue; // function-like macro
    if (!(m[1] in defs)) defs[m[1]] = m[3].trim(); // first definition wins (TARGET_X86_64 branch first)
  }
  return defs;
}

// Evaluate a C integer expression to a BigInt (64-bit unsigned semantics for ~).
const MASK64 = (1n << 64n) - 1n;
function evalExpr(expr, defs, depth = 0) {
  if (depth > 50) throw new Error(`macro recursion: ${expr}`);
  const toks = [];
  const re = /\s*(0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_][A-Za-z0-9_]*|<<|>>|[|&~()^+\-,])/y;
  let pos = 0;
  const s = expr.trim();
  while (pos < s.length) {
    re.lastIndex = pos;
    const m = re.exec(s);
    if (!m) {
      if (/^\s*$/.test(s.slice(pos))) break;
      throw new Error(`cannot tokenize "${s.slice(pos)}" in ${expr}`);
    }
    toks.push(m[1]);
    pos = re.lastIndex;
  }
  let i = 0;
  const peek = () => toks[i];
  const next = () => toks[i++];
  function primary() {
    const t = next();
    if (t === '(') {
      // cast like (uint64_t) is not expected here; plain grouping
      const v = orExpr();
      if (next() !== ')') throw new Error(`missing ) in ${expr}`);
      return v;
    }
    if (t === '~') return (~primary()) & MASK64;
    if (t === '-') return (-primary()) & MASK64;
    if (/^[0-9]/.test(t)) return BigInt(t.replace(/[uUlL]+$/, ''));
    if (t === 'BIT' || t === 'BIT_ULL') {
      if (next() !== '(') throw new Error('BIT(');
      const v = orExpr();
      next();
      return 1n << v;
    }
    if (/^[A-Za-z_]/.test(t)) {
      if (!(t in defs)) throw new Error(`unknown macro ${t}`);
      return evalExpr(defs[t], defs, depth + 1);
    }
    throw new Error(`unexpected token ${t} in ${expr}`);
  }
  function addExpr() {
    let v = primary();
    while (peek() === '+' || peek() === '-') {
      const op = next();
      const r = primary();
      v = op === '+' ? v + r : v - r;
    }
    return v;
  }
  function shiftExpr() {
    let v = addExpr();
    while (peek() === '<<' || peek() === '>>') {
      const op = next();
      const r = addExpr();
      v = op === '<<' ? (v << r) & MASK64 : v >> r;
    }
    return v;
  }
  function andExpr() {
    let v = shiftExpr();
    while (peek() === '&') { next(); v &= shiftExpr(); }
    return v;
  }
  function xorExpr() {
    let v = andExpr();
    while (peek() === '^') { next(); v ^= andExpr(); }
    return v;
  }
  function orExpr() {
    let v = xorExpr();
    while (peek() === '|') { next(); v |= xorExpr(); }
    return v;
  }
  if (toks.length === 0) return 0n;
  const v = orExpr();
  if (i !== toks.length) throw new Error(`trailing tokens in ${expr}`);
  return v;
}

// Return the text between the brace that follows `startIdx` and its matching brace.
function braceBlock(src, startIdx) {
  const open = src.indexOf('{', startIdx);
  let depth = 0;
  for (let i = open; i < src.length; i++) {
    const c = src[i];
    if (c === '"') { i++; while (src[i] !== '"') { if (src[i] === '\\') i++; i++; } continue; }
    if (c === '{') depth++;
    else if (c === '}') { depth--; if (depth === 0) return { body: src.slice(open + 1, i), end: i }; }
  }
  throw new Error('unbalanced braces');
}

// Split at top-level commas (outside (), {}, "").
function splitTop(s) {
  const parts = [];
  let depth = 0, cur = '';
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      let j = i + 1;
      while (s[j] !== '"') { if (s[j] === '\\') j++; j++; }
      cur += s.slice(i, j + 1); i = j; continue;
    }
    if (c === '{' || c === '(' || c === '[') depth++;
    if (c === '}' || c === ')' || c === ']') depth--;
    if (c === ',' && depth === 0) { parts.push(cur); cur = ''; continue; }
    cur += c;
  }
  if (cur.trim()) parts.push(cur);
  return parts.map((p) => p.trim()).filter(Boolean);
}

// Top-level `{ ... }` items of an initializer list body.
function items(body) {
  const out = [];
  let i = 0;
  while (true) {
    const o = body.indexOf('{', i);
    if (o < 0) break;
    const b = braceBlock(body, o);
    out.push(b.body);
    i = b.end + 1;
  }
  return out;
}

function cString(s, defs) {
  // concatenation of "..." literals and string macros
  let out = '';
  const re = /"((?:[^"\\]|\\.)*)"|([A-Za-z_][A-Za-z0-9_]*)/g;
  let m;
  while ((m = re.exec(s))) {
    if (m[1] !== undefined) out += m[1].replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    else if (defs[m[2]] !== undefined) out += cString(defs[m[2]], defs);
    else out += `<${m[2]}>`;
  }
  return out;
}

function designated(body) {
  // ".key = value" and ".key[IDX] = value" fields
  const fields = [];
  for (const part of splitTop(body)) {
    const m = /^\.([A-Za-z_0-9]+)(?:\[([A-Za-z_0-9]+)\])?\s*=\s*([\s\S]*)$/.exec(part);
    if (m) fields.push({ key: m[1], index: m[2] ?? null, value: m[3].trim() });
  }
  return fields;
}

// ----------------------------------------------------------------------------- QEMU tables
function loadQemu(cpuC, cpuH) {
  const rawC = fs.readFileSync(cpuC, 'utf8');
  const rawH = fs.readFileSync(cpuH, 'utf8');
  const c = stripComments(rawC);
  const h = stripComments(rawH);
  const defs = {};
  collectDefines(h, defs);
  collectDefines(c, defs);

  // feature_word_info
  const fwiAt = c.search(/FeatureWordInfo\s+feature_word_info\s*\[[^\]]*\]\s*=/);
  if (fwiAt < 0) throw new Error('feature_word_info not found');
  const fwi = braceBlock(c, fwiAt).body;
  const words = {}; // FEAT_X -> [names by bit]
  const wordRe = /\[(FEAT_[A-Z0-9_]+)\]\s*=\s*\{/g;
  let m;
  while ((m = wordRe.exec(fwi))) {
    const blk = braceBlock(fwi, m.index + m[0].length - 1);
    const fn = /\.feat_names\s*=\s*\{/.exec(blk.body);
    const names = [];
    if (fn) {
      const fb = braceBlock(blk.body, fn.index + fn[0].length - 1).body;
      for (const p of splitTop(fb)) names.push(p === 'NULL' ? null : cString(p, defs));
    }
    words[m[1]] = names;
    wordRe.lastIndex = blk.end;
  }
  const byName = new Map(); // name -> {word, bit}
  for (const [w, names] of Object.entries(words)) {
    names.forEach((nm, bit) => { if (nm && !byName.has(nm)) byName.set(nm, { word: w, bit }); });
  }

  // feature_dependencies
  const deps = [];
  const fdAt = c.search(/FeatureDep\s+feature_dependencies\s*\[\s*\]\s*=/);
  if (fdAt >= 0) {
    for (const it of items(braceBlock(c, fdAt).body)) {
      const f = designated(it);
      const get = (k) => {
        const v = f.find((x) => x.key === k).value.replace(/^\{|\}$/g, '');
        const [w, ...rest] = splitTop(v);
        return { word: w.trim(), mask: evalExpr(rest.join(','), defs) };
      };
      deps.push({ from: get('from'), to: get('to') });
    }
  }

  // builtin_x86_defs
  const bAt = c.search(/X86CPUDefinition\s+builtin_x86_defs\s*\[\s*\]\s*=/);
  if (bAt < 0) throw new Error('builtin_x86_defs not found');
  const models = [];
  for (const it of items(braceBlock(c, bAt).body)) {
    const f = designated(it);
    const get = (k) => f.find((x) => x.key === k);
    const name = cString(get('name').value, defs);
    const vendorF = get('vendor');
    const vendor = vendorF ? cString(vendorF.value, defs) : null;
    const feats = {};
    for (const x of f.filter((x) => x.key === 'features')) {
      feats[x.index] = (feats[x.index] ?? 0n) | evalExpr(x.value, defs);
    }
    const dep = get('deprecation_note');
    const versions = [];
    const vf = get('versions');
    if (vf) {
      const vb = braceBlock(vf.value, vf.value.indexOf('{')).body;
      for (const v of items(vb)) {
        const vfl = designated(v);
        const num = vfl.find((x) => x.key === 'version');
        if (!num) continue; // end of list
        const props = [];
        const pf = vfl.find((x) => x.key === 'props');
        if (pf) {
          for (const p of items(braceBlock(pf.value, pf.value.indexOf('{')).body)) {
            const kv = splitTop(p);
            if (kv.length < 2) continue;
            props.push([cString(kv[0], defs), cString(kv.slice(1).join(','), defs)]);
          }
        }
        const al = vfl.find((x) => x.key === 'alias');
        const note = vfl.find((x) => x.key === 'note');
        versions.push({
          version: Number(evalExpr(num.value, defs)),
          alias: al ? cString(al.value, defs) : null,
          note: note ? cString(note.value, defs) : null,
          props,
        });
      }
    }
    if (versions.length === 0) versions.push({ version: 1, alias: null, note: null, props: [] });
    const mid = get('model_id');
    models.push({
      name,
      vendor,
      features: feats,
      deprecation: dep ? cString(dep.value, defs) : null,
      modelId: mid ? cString(mid.value, defs) : null,
      versions,
    });
  }
  // Special cases x86_cpu_load_model applies to every built-in model before the version props
  // (e.g. `env->features[FEAT_1_ECX] |= CPUID_EXT_HYPERVISOR`).
  const loadExtra = {};
  const lm = c.search(/static\s+void\s+x86_cpu_load_model\s*\(/);
  if (lm >= 0) {
    const body = braceBlock(c, lm).body;
    const re = /env->features\[(FEAT_[A-Z0-9_]+)\]\s*\|=\s*([^;]+);/g;
    let mm;
    while ((mm = re.exec(body))) loadExtra[mm[1]] = (loadExtra[mm[1]] ?? 0n) | evalExpr(mm[2], defs);
  }
  return { words, byName, deps, models, defs, loadExtra };
}

const NON_FEATURE_PROPS = new Set([
  'model-id', 'stepping', 'model', 'family', 'vendor', 'level', 'xlevel', 'min-level',
  'min-xlevel', 'cpuid-level', 'phys-bits', 'host-phys-bits', 'lbr-fmt', 'pmu',
  'avx10-version', 'x-force-cpuid-0x1f',
]);

// Expand every versioned model of one source into records keyed by versioned name.
function expand(q, log) {
  const out = new Map();
  for (const m of q.models) {
    const cur = {};
    for (const [w, v] of Object.entries(m.features)) cur[w] = v;
    for (const [w, v] of Object.entries(q.loadExtra)) cur[w] = (cur[w] ?? 0n) | v;
    for (const v of m.versions) {
      const skipped = [];
      for (const [prop, val] of v.props) {
        const key = prop.replace(/_/g, '-');
        const loc = q.byName.get(prop) ?? q.byName.get(key);
        if (!loc) {
          if (!NON_FEATURE_PROPS.has(prop)) skipped.push(prop);
          continue;
        }
        const bit = 1n << BigInt(loc.bit);
        const on = /^(on|true|yes)$/i.test(val);
        if (!/^(on|off|true|false|yes|no)$/i.test(val)) { skipped.push(`${prop}=${val}`); continue; }
        cur[loc.word] = on ? (cur[loc.word] ?? 0n) | bit : (cur[loc.word] ?? 0n) & ~bit;
      }
      if (skipped.length) log.push(`${m.name}-v${v.version}: ignored props ${skipped.join(', ')}`);
      // feature_dependencies, one pass in table order (x86_cpu_expand_features)
      const eff = { ...cur };
      for (const d of q.deps) {
        if (((eff[d.from.word] ?? 0n) & d.from.mask) === 0n) {
          eff[d.to.word] = (eff[d.to.word] ?? 0n) & ~d.to.mask;
        }
      }
      const names = [];
      for (const [w, mask] of Object.entries(eff)) {
        const fn = q.words[w];
        if (!fn) { if (mask) log.push(`${m.name}: unknown word ${w}`); continue; }
        for (let b = 0; b < 64; b++) {
          if ((mask >> BigInt(b)) & 1n) {
            if (fn[b]) names.push(fn[b]);
          }
        }
      }
      out.set(`${m.name}-v${v.version}`, {
        family: m.name,
        version: v.version,
        alias: v.alias,
        note: v.note,
        vendor: m.vendor,
        deprecation: m.deprecation,
        modelId: v.props.find(([k]) => k === 'model-id')?.[1] ?? m.modelId,
        features: [...new Set(names)].sort(),
      });
    }
  }
  return out;
}

function describe(rec) {
  const id = rec.modelId && rec.modelId.trim() && !rec.modelId.includes('<') ? rec.modelId.trim() : null;
  let d = `QEMU CPU model ${rec.family} version ${rec.version}`;
  if (id) d += ` (model-id "${id}")`;
  if (rec.note) d += `; version note: ${rec.note}`;
  return d + '.';
}

function main() {
  const a = parseArgs(process.argv);
  if (!a.old || !a['old-h']) {
    console.error('usage: extract-models.mjs --old cpu.c --old-h cpu.h [--new cpu.c --new-h cpu.h --new-ref ref] [--extra c,h,ref] [--caps REL[~]=PATH@TAG,...] [--out file]');
    process.exit(2);
  }
  const oldRef = a['old-ref'] ?? 'qemu/qemu:target/i386/cpu.c@v7.2.0';
  const log = [];
  const oldQ = loadQemu(a.old, a['old-h']);
  const oldM = expand(oldQ, log);
  let newQ = null, newM = null;
  const newRef = a['new-ref'] ?? 'qemu/qemu:target/i386/cpu.c';
  if (a.new) {
    newQ = loadQemu(a.new, a['new-h'] ?? a['old-h']);
    newM = expand(newQ, log);
  }
  const primary = newM ?? oldM;
  const names = [...primary.keys()];
  // models that exist in 7.2 but were removed later are kept from 7.2
  if (newM) for (const k of oldM.keys()) if (!newM.has(k)) names.push(k);
  // --extra cpu.c,cpu.h,ref : an older QEMU, used only for models removed before 7.2
  let extraM = null, extraRef = null;
  if (a.extra) {
    const [ec, eh, er] = a.extra.split(',');
    extraRef = er;
    extraM = expand(loadQemu(ec, eh), log);
    for (const k of extraM.keys()) if (!primary.has(k) && !oldM.has(k)) names.push(k);
  }

  const caps = a.caps ? loadCaps(a.caps) : null;
  const records = [];
  for (const key of names) {
    const r = primary.get(key) ?? oldM.get(key) ?? extraM.get(key);
    const inNew = newM?.has(key) ?? false;
    const inOld = oldM.has(key);
    const onlyExtra = !inNew && !inOld;
    const sources = [];
    if (inNew) sources.push(newRef);
    if (inOld) sources.push(oldRef);
    if (onlyExtra) sources.push(extraRef, 'qemu/qemu:docs/about/removed-features.rst@v7.2.0');
    const aliases = [];
    if (r.version === 1) aliases.push(r.family);
    if (r.alias) aliases.push(r.alias);
    const dateKey = r.version === 1 ? r.family : key;
    const date = DATES[dateKey] ?? null;
    let since = date ? date.since : null;
    if (date) for (const s of date.sources) if (!sources.includes(s)) sources.push(s);
    if (caps) {
      const cd = dateFromCaps(caps, r.version === 1 ? [key, r.family] : [key]);
      if (cd && since && cd.since !== since) {
        // keep the DATES value (it names its own sources); report the disagreement
        log.push(`${key}: captures say ${cd.since}, DATES says ${since}; kept ${since}`);
      } else if (cd) {
        since = cd.since;
        for (const s of cd.sources) if (!sources.includes(s)) sources.push(s);
      }
    }
    let deprecated = r.deprecation ? r.deprecation : false;
    if (newM && !inNew && inOld) {
      deprecated = 'Removed from QEMU after 7.2 (present in 7.2, absent from the newest cpu.c).';
    }
    if (onlyExtra) {
      deprecated = (r.deprecation ? r.deprecation + ' ' : '') +
        `Removed in QEMU 7.1 (docs/about/removed-features.rst); features from ${extraRef}.`;
    }
    const rec = {
      name: key,
      family: r.family,
      version: r.version,
      aliases,
      vendor: r.vendor,
      qemuSince: since,
      deprecated,
      features: r.features,
      description: describe(r),
      sources,
    };
    if (inNew && inOld && newM) {
      const o = oldM.get(key).features.join(' ');
      if (o !== r.features.join(' ')) {
        const os = new Set(oldM.get(key).features), ns = new Set(r.features);
        const add = r.features.filter((x) => !os.has(x)), del = [...os].filter((x) => !ns.has(x));
        log.push(`${key}: newest cpu.c differs from 7.2: +[${add.join(' ')}] -[${del.join(' ')}]`);
      }
    }
    records.push(rec);
  }
  // Models QEMU does not version.
  const special = [
    ['host', 'Passes the host CPU (as supported by the accelerator) through to the guest.', true],
    ['max', 'Enables every feature the accelerator supports on this host.', true],
    ['base', 'QEMU base CPU model type with no features enabled.', false],
  ];
  for (const [n, d, follows] of special) {
    const rec = {
      name: n, family: n, version: null, aliases: [], vendor: null,
      qemuSince: DATES[n]?.since ?? null, deprecated: false, features: [],
      description: d,
      sources: [...(newM ? [newRef] : []), oldRef, ...(DATES[n]?.sources ?? [])],
    };
    if (follows) rec.followsHost = true;
    records.push(rec);
  }
  records.sort((x, y) => x.family.localeCompare(y.family, 'en') || (x.version ?? 0) - (y.version ?? 0));
  const outPath = a.out ?? path.join('server', 'src', 'kb', 'data', 'models.json');
  fs.writeFileSync(outPath, JSON.stringify(records, null, 2) + '\n');
  for (const l of log) console.error(l);
  console.error(`wrote ${records.length} records to ${outPath}`);
}

main();
