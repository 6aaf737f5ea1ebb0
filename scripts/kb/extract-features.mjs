#!/usr/bin/env node
// Builds server/src/kb/data/features.json (FeatureRecord[]) from QEMU's
// target/i386/cpu.c (the `feature_word_info` table, `feature_dependencies`,
// the underscore/legacy property aliases) plus the hand-curated overlay
// scripts/kb/features-overlay.json.
//
// Usage:
//   node scripts/kb/extract-features.mjs <newest cpu.c> [<release>=<older cpu.c> ...] [options]
//
// Options:
//   --cpu-h PATH            cpu.h matching the newest cpu.c (default: cpu.h beside it,
//                           or <basename>.h beside it)
//   --kvm-para PATH         include/standard-headers/asm-x86/kvm_para.h (only needed when
//                           cpu.h does not resolve KVM_CPUID_FEATURES; 0x40000001 is the fallback)
//   --label TEXT            citation of the newest cpu.c (default "qemu/qemu:target/i386/cpu.c")
//   --libvirt PATH          libvirt src/cpu_map/x86_features.xml: adds libvirt spellings as aliases
//   --libvirt-label TEXT    citation for it (default "libvirt/libvirt:src/cpu_map/x86_features.xml")
//   --linux-cpufeatures PATH  Linux arch/x86/include/asm/cpufeatures.h: adds /proc/cpuinfo names
//   --linux-scattered PATH  Linux arch/x86/kernel/cpu/scattered.c (maps scattered bits to CPUID)
//   --linux-cpuid-deps PATH Linux arch/x86/kernel/cpu/cpuid-deps.c: architectural dependencies
//                           (needs --linux-cpufeatures)
//   --linux-label TEXT      citation for the Linux files, "repo@ref" (default "torvalds/linux")
//   --overlay PATH          overlay (default: features-overlay.json beside this script)
//   --out PATH              output (default: server/src/kb/data/features.json in the repo)
//   --dump-names            print, one a line, every feature spelling the given cpu.c knows
//                           (all feature-name arrays, '|' alternatives, property aliases) and exit
//
// Older files given as <release>=<path> (e.g. 7.2=/src/qemu-7.2.0/target/i386/cpu.c, or an old
// target-i386/cpu.c) are used to date names: a name gets qemuSince = R only when R's file knows
// it (in any QEMU spelling) and the file of the release right before R is also given and does not.
// A path ending in .xml is read as a libvirt tests/qemucapabilitiesdata/caps_*.xml capture (the
// <hostCPU> property names). Several files may be given for one release (their names are merged).
// <release>~=<path> marks a partial list (e.g. a capture of a release candidate): a name it has
// counts, its absence does not. The overlay's `releaseNames` lists count the same as files
// ({"names": [...], "partial": true|false}); `releaseSources` maps a release to one citation or a
// list. An overlay qemuSince always wins.
//
// No dependencies; output is deterministic (records sorted by CPUID leaf, subleaf, register,
// bit, then MSR-feature words by MSR index and bit).

import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripComments } from './c-source.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

// QEMU releases in order (used only to find "the release right before").
export const QEMU_RELEASES = [
  '0.9', '0.10', '0.11', '0.12', '0.13', '0.14', '0.15',
  '1.0', '1.1', '1.2', '1.3', '1.4', '1.5', '1.6', '1.7',
  '2.0', '2.1', '2.2', '2.3', '2.4', '2.5', '2.6', '2.7', '2.8', '2.9', '2.10', '2.11', '2.12',
  '3.0', '3.1', '4.0', '4.1', '4.2', '5.0', '5.1', '5.2', '6.0', '6.1', '6.2',
  '7.0', '7.1', '7.2', '8.0', '8.1', '8.2', '9.0', '9.1', '9.2', '10.0', '10.1', '10.2',
  '11.0', '11.1', '11.2',
];

const REG_ORDER = { EAX: 0, EBX: 1, ECX: 2, EDX: 3 };

// ---------------------------------------------------------------- C helpers

/** Index of the brace matching the '{' at `open`. */
function matchBrace(s, open) {
  let depth = 0;
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '"') {
      i++;
      while (i < s.length && s[i] !== '"') i += s[i] === '\\' ? 2 : 1;
    } else if (c === '{') depth++;
    else if (c === '}') {
      depth--;
      if (depth === 0) return i;
    }
  }
  throw new Error('unbalanced braces');
}

/** Split a brace body at top-level commas. */
function splitTop(body) {
  const parts = [];
  let depth = 0;
  let cur = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c === '"') {
      let j = i + 1;
      while (j < body.length && body[j] !== '"') j += body[j] === '\\' ? 2 : 1;
      cur += body.slice(i, j + 1);
      i = j;
      continue;
    }
    if (c === '{' || c === '(') depth++;
    if (c === '}' || c === ')') depth--;
    if (c === ',' && depth === 0) {
      parts.push(cur.trim());
      cur = '';
    } else cur += c;
  }
  if (cur.trim()) parts.push(cur.trim());
  return parts;
}

/** `#define NAME value` table (multi-line defines joined). */
export function readDefines(src) {
  const defs = new Map();
  const joined = stripComments(src).replace(/\\\r?\n/g, ' ');
  for (const line of joined.split('\n')) {
    const m = /^\s*#\s*define\s+([A-Za-z_][A-Za-z0-9_]*)\s+(.+?)\s*$/.exec(line);
    if (m && !defs.has(m[1])) defs.set(m[1], m[2]);
  }
  return defs;
}

/** Evaluate a small C integer expression (| & << >> ~ parens, macros) as BigInt (64-bit). */
export function evalExpr(expr, defs, depth = 0) {
  if (depth > 20) throw new Error(`macro recursion in ${expr}`);
  const toks = expr.match(/0[xX][0-9a-fA-F]+[uUlL]*|\d+[uUlL]*|[A-Za-z_][A-Za-z0-9_]*|<<|>>|[|&~()^+-]/g) || [];
  let p = 0;
  const M = (1n << 64n) - 1n;
  const peek = () => toks[p];
  const next = () => toks[p++];
  function primary() {
    const t = next();
    if (t === undefined) throw new Error(`bad expression: ${expr}`);
    if (t === '(') {
      const v = orExpr();
      if (next() !== ')') throw new Error(`missing ) in ${expr}`);
      return v;
    }
    if (t === '~') return ~primary() & M;
    if (t === '-') return -primary() & M;
    if (/^\d|^0[xX]/.test(t)) return BigInt(t.replace(/[uUlL]+$/, ''));
    if (/^(u?int(8|16|32|64)_t|unsigned|long)$/.test(t)) return primary();
    if ((t === 'BIT' || t === 'BIT_ULL') && peek() === '(') {
      next();
      const v = orExpr();
      next();
      return 1n << v;
    }
    if (defs.has(t)) return evalExpr(defs.get(t), defs, depth + 1);
    throw new Error(`unknown macro ${t} in ${expr}`);
  }
  function shift() {
    let v = primary();
    while (peek() === '<<' || peek() === '>>') {
      const op = next();
      const r = primary();
      v = op === '<<' ? (v << r) & M : v >> r;
    }
    return v;
  }
  function andExpr() {
    let v = shift();
    while (peek() === '&') { next(); v &= shift(); }
    return v;
  }
  function orExpr() {
    let v = andExpr();
    while (peek() === '|' || peek() === '^' || peek() === '+') {
      const op = next();
      const r = andExpr();
      v = op === '^' ? v ^ r : op === '+' ? (v + r) & M : v | r;
    }
    return v;
  }
  const v = orExpr();
  if (p !== toks.length) throw new Error(`trailing tokens in ${expr}`);
  return v;
}

function bitsOf(mask, width) {
  const out = [];
  for (let i = 0; i < width; i++) if ((mask >> BigInt(i)) & 1n) out.push(i);
  return out;
}

const hex = (n) => '0x' + Number(n).toString(16);

// ---------------------------------------------------------------- QEMU parsing

/** Parse feature_word_info[] of a modern cpu.c. */
export function parseFeatureWords(src, defs) {
  const s = stripComments(src);
  const start = s.search(/FeatureWordInfo\s+feature_word_info\s*\[[^\]]*\]\s*=\s*\{/);
  if (start < 0) throw new Error('feature_word_info[] not found');
  const open = s.indexOf('{', s.indexOf('=', start));
  const body = s.slice(open + 1, matchBrace(s, open));
  const words = [];
  const re = /\[\s*(FEAT_[A-Z0-9_]+)\s*\]\s*=\s*\{/g;
  let m;
  let order = 0;
  while ((m = re.exec(body))) {
    const o = m.index + m[0].length - 1;
    const close = matchBrace(body, o);
    const block = body.slice(o + 1, close);
    re.lastIndex = close;
    const w = { word: m[1], order: order++, type: null, names: [], cpuid: null, msrIndex: null, unmigratable: 0n };
    const t = /\.type\s*=\s*(\w+)/.exec(block);
    w.type = t ? t[1] : 'CPUID_FEATURE_WORD';
    const fn = /\.feat_names\s*=\s*\{/.exec(block);
    if (fn) {
      const fo = fn.index + fn[0].length - 1;
      const items = splitTop(block.slice(fo + 1, matchBrace(block, fo)));
      let idx = 0;
      for (const it of items) {
        const d = /^\[\s*(\d+)\s*\]\s*=\s*(.*)$/s.exec(it);
        let val = it;
        if (d) { idx = Number(d[1]); val = d[2].trim(); }
        const sm = /^"([^"]*)"$/.exec(val.trim());
        if (sm) w.names.push({ bit: idx, name: sm[1] });
        idx++;
      }
    }
    const cp = /\.cpuid\s*=\s*\{([^}]*)\}/.exec(block);
    if (cp) {
      const f = {};
      for (const part of splitTop(cp[1])) {
        const kv = /^\.(\w+)\s*=\s*(.+)$/s.exec(part);
        if (kv) f[kv[1]] = kv[2].trim();
      }
      const leaf = Number(evalExpr(f.eax, defs));
      const needsEcx = f.needs_ecx === 'true';
      w.cpuid = {
        leaf: hex(leaf),
        subleaf: needsEcx ? Number(evalExpr(f.ecx ?? '0', defs)) : null,
        register: (f.reg || '').replace(/^R_/, ''),
      };
    }
    const ms = /\.msr\s*=\s*\{([^}]*)\}/.exec(block);
    if (ms) {
      const im = /\.index\s*=\s*([^,\s}]+)/.exec(ms[1]);
      if (im) w.msrIndex = hex(evalExpr(im[1], defs));
    }
    const um = /\.unmigratable_flags\s*=\s*([^,]+),/.exec(block + ',');
    if (um) w.unmigratable = evalExpr(um[1], defs);
    words.push(w);
  }
  return words;
}

/** Parse feature_dependencies[]: [{from:{word,mask}, to:{word,mask}}]. */
export function parseDependencies(src, defs) {
  const s = stripComments(src);
  const start = s.search(/FeatureDep\s+feature_dependencies\s*\[\s*\]\s*=\s*\{/);
  if (start < 0) return [];
  const open = s.indexOf('{', s.indexOf('=', start));
  const body = s.slice(open + 1, matchBrace(s, open));
  const deps = [];
  for (const entry of splitTop(body)) {
    const f = /\.from\s*=\s*\{\s*(FEAT_\w+)\s*,\s*([^}]+)\}/.exec(entry);
    const t = /\.to\s*=\s*\{\s*(FEAT_\w+)\s*,\s*([^}]+)\}/.exec(entry);
    if (!f || !t) continue;
    deps.push({
      from: { word: f[1], mask: evalExpr(f[2], defs) },
      to: { word: t[1], mask: evalExpr(t[2], defs) },
    });
  }
  return deps;
}

/** object_property_add_alias(obj, "alias", obj, "target") pairs. */
export function parsePropertyAliases(src) {
  const out = [];
  const re = /object_property_add_alias\(\s*obj\s*,\s*"([^"]+)"\s*,\s*obj\s*,\s*"([^"]+)"/g;
  let m;
  while ((m = re.exec(src))) out.push({ alias: m[1], target: m[2] });
  // 2.x-era table form: { "alias", "target" } inside a *_aliases[] / x86_cpu_feature_aliases
  return out;
}

/** Every feature spelling a cpu.c of any age knows (for dating). */
export function namesKnownBy(src) {
  const s = stripComments(src);
  const names = new Set();
  const add = (str) => {
    for (const part of str.split('|')) if (part) names.add(part);
  };
  // modern: .feat_names = { ... }
  const reModern = /\.feat_names\s*=\s*\{/g;
  let m;
  while ((m = reModern.exec(s))) {
    const o = m.index + m[0].length - 1;
    const body = s.slice(o + 1, matchBrace(s, o));
    for (const lit of body.matchAll(/"([^"]*)"/g)) add(lit[1]);
  }
  // old: static const char *xxx_feature_name[] = { ... };
  const reOld = /(?:const\s+)?char\s*\*\s*(?:const\s+)?\w*feature_name\w*\s*\[\s*\w*\s*\]\s*=\s*\{/g;
  while ((m = reOld.exec(s))) {
    const o = m.index + m[0].length - 1;
    const body = s.slice(o + 1, matchBrace(s, o));
    for (const lit of body.matchAll(/"([^"]*)"/g)) add(lit[1]);
  }
  for (const { alias, target } of parsePropertyAliases(s)) { add(alias); add(target); }
  return names;
}

// ---------------------------------------------------------------- libvirt / Linux

// libvirt tests/qemucapabilitiesdata/caps_<ver>*.xml: every <property name='...'> inside the
// <hostCPU> blocks, i.e. the properties QEMU's full CPU model expansion reported (QEMU >= 2.9).
export function namesInLibvirtCaps(xml) {
  const names = new Set();
  for (const block of xml.matchAll(/<hostCPU\b[\s\S]*?<\/hostCPU>/g)) {
    for (const m of block[0].matchAll(/<property\s+name='([^']+)'/g)) names.add(m[1]);
  }
  return names;
}

function parseLibvirt(xml) {
  const out = [];
  const re = /<feature\s+name='([^']+)'\s*>([\s\S]*?)<\/feature>/g;
  let m;
  while ((m = re.exec(xml))) {
    const name = m[1];
    const body = m[2];
    const c = /<cpuid\s+([^/]*)\/>/.exec(body);
    const attrs = {};
    const src = c ? c[1] : (/<msr\s+([^/]*)\/>/.exec(body) || [])[1];
    if (!src) continue;
    for (const a of src.matchAll(/(\w+)='([^']*)'/g)) attrs[a[1]] = a[2];
    if (c) {
      const leaf = hex(parseInt(attrs.eax_in, 16));
      const subleaf = attrs.ecx_in !== undefined ? parseInt(attrs.ecx_in, 16) : null;
      for (const reg of ['eax', 'ebx', 'ecx', 'edx']) {
        if (attrs[reg] === undefined) continue;
        for (const bit of bitsOf(BigInt(parseInt(attrs[reg], 16)), 32)) {
          out.push({ name, kind: 'cpuid', leaf, subleaf, register: reg.toUpperCase(), bit });
        }
      }
    } else {
      const index = hex(parseInt(attrs.index, 16));
      const lo = BigInt(parseInt(attrs.eax || '0', 16));
      const hi = BigInt(parseInt(attrs.edx || '0', 16));
      for (const bit of bitsOf((hi << 32n) | lo, 64)) out.push({ name, kind: 'msr', index, bit });
    }
  }
  return out;
}

function parseLinuxCpufeatures(src, scatteredSrc) {
  // word number -> CPUID location, from the section headings
  const wordLoc = new Map();
  for (const m of src.matchAll(/CPUID level (0x[0-9a-fA-F]+)(?::(\d+))?(?:,\s*|\s*\()?\s*(EAX|EBX|ECX|EDX)?\)?[^\n]*?word (\d+)/g)) {
    const leaf = hex(parseInt(m[1], 16));
    wordLoc.set(Number(m[4]), {
      leaf,
      subleaf: m[2] !== undefined ? Number(m[2]) : null,
      register: m[3] || 'EDX',
    });
  }
  const byName = new Map(); // X86_FEATURE_FOO -> {word, bit, procName}
  for (const m of src.matchAll(/#define\s+X86_FEATURE_(\w+)\s*\(\s*(\d+)\s*\*\s*32\s*\+\s*(\d+)\s*\)\s*(?:\/\*\s*(?:"([^"]*)")?)?/g)) {
    byName.set(m[1], { word: Number(m[2]), bit: Number(m[3]), procName: m[4] ?? null });
  }
  const out = [];
  const macroLoc = new Map(); // X86_FEATURE_FOO -> CPUID location (direct words and scattered bits)
  for (const [macro, v] of byName) {
    const loc = wordLoc.get(v.word);
    if (loc) macroLoc.set(macro, { ...loc, bit: v.bit });
    if (!v.procName) continue; // not shown in /proc/cpuinfo
    if (loc) out.push({ name: v.procName, macro, ...loc, bit: v.bit });
  }
  if (scatteredSrc) {
    for (const m of scatteredSrc.matchAll(/\{\s*X86_FEATURE_(\w+)\s*,\s*CPUID_(E[ABCD]X)\s*,\s*(\d+)\s*,\s*(0x[0-9a-fA-F]+)\s*,\s*(\d+)\s*\}/g)) {
      const v = byName.get(m[1]);
      if (!v) continue;
      const leaf = hex(parseInt(m[4], 16));
      const sub = Number(m[5]);
      macroLoc.set(m[1], { leaf, subleaf: sub, register: m[2], bit: Number(m[3]) });
      if (!v.procName) continue;
      out.push({ name: v.procName, macro: m[1], leaf, subleaf: sub, register: m[2], bit: Number(m[3]), scattered: true });
    }
  }
  out.macroLoc = macroLoc;
  return out;
}

/** Linux arch/x86/kernel/cpu/cpuid-deps.c: [{feature, depends}] as X86_FEATURE_ suffixes. */
function parseLinuxCpuidDeps(src) {
  const out = [];
  for (const m of stripComments(src).matchAll(/\{\s*X86_FEATURE_(\w+)\s*,\s*X86_FEATURE_(\w+)\s*,?\s*\}/g)) {
    out.push({ feature: m[1], depends: m[2] });
  }
  return out;
}

// ---------------------------------------------------------------- main

function parseArgs(argv) {
  const opts = { older: [], positional: [] };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--dump-names') opts.dumpNames = true;
    else if (a.startsWith('--')) {
      const key = a.slice(2).replace(/-([a-z])/g, (_, c) => c.toUpperCase());
      opts[key] = argv[++i];
    } else if (/^[0-9][0-9.]*~?=/.test(a)) {
      const eq = a.indexOf('=');
      const rel = a.slice(0, eq);
      opts.older.push({ release: rel.replace(/~$/, ''), partial: rel.endsWith('~'), file: a.slice(eq + 1) });
    } else opts.positional.push(a);
  }
  return opts;
}

function fail(msg) {
  console.error(`extract-features: ${msg}`);
  process.exit(1);
}

function sortRecords(recs, wordOrder) {
  const key = (r) => {
    if (r.leaf !== null) {
      return [0, parseInt(r.leaf, 16), r.subleaf ?? -1, REG_ORDER[r.register], r.bit];
    }
    return [1, parseInt(r.msrFeatureIndex, 16), 0, wordOrder.get(r.word) ?? 0, r.bit];
  };
  return recs.sort((a, b) => {
    const ka = key(a);
    const kb = key(b);
    for (let i = 0; i < ka.length; i++) if (ka[i] !== kb[i]) return ka[i] - kb[i];
    return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
  });
}

export function validate(records) {
  const errors = [];
  const seen = new Map();
  const names = new Set(records.map((r) => r.name));
  for (const r of records) {
    for (const n of [r.name, ...r.aliases]) {
      if (seen.has(n)) errors.push(`spelling "${n}" used by ${seen.get(n)} and ${r.name}`);
      else seen.set(n, r.name);
    }
    if (r.leaf !== null && !/^0x[0-9a-f]+$/.test(r.leaf)) errors.push(`${r.name}: bad leaf ${r.leaf}`);
    if (r.msrFeatureIndex != null && !/^0x[0-9a-f]+$/.test(r.msrFeatureIndex)) errors.push(`${r.name}: bad msr index`);
    if (r.leaf === null && !r.msrFeatureIndex) errors.push(`${r.name}: neither CPUID leaf nor MSR`);
    if (!r.sources.length) errors.push(`${r.name}: no source`);
    if (!r.description) errors.push(`${r.name}: no description`);
    for (const d of r.dependsOn) if (!names.has(d)) errors.push(`${r.name}: dependsOn unknown ${d}`);
    for (const v of [r.qemuSince, r.kvmSince, r.kvmUntil]) {
      if (v !== null && !/^\d+\.\d+(\.\d+)?$/.test(v)) errors.push(`${r.name}: bad version ${v}`);
    }
  }
  return errors;
}

function main() {
  const opts = parseArgs(process.argv.slice(2));
  const newest = opts.positional[0];
  if (!newest) fail('usage: extract-features.mjs <newest cpu.c> [<release>=<older cpu.c> ...] [options]');
  const src = fs.readFileSync(newest, 'utf8');

  if (opts.dumpNames) {
    for (const n of [...namesKnownBy(src)].sort()) console.log(n);
    return;
  }

  let hPath = opts.cpuH;
  if (!hPath) {
    const dir = path.dirname(newest);
    const cands = [path.join(dir, 'cpu.h'), newest.replace(/\.c$/, '.h')];
    hPath = cands.find((p) => fs.existsSync(p));
  }
  if (!hPath) fail('cpu.h not found: pass --cpu-h');
  const defs = readDefines(fs.readFileSync(hPath, 'utf8'));
  for (const [k, v] of readDefines(src)) if (!defs.has(k)) defs.set(k, v);
  if (opts.kvmPara) for (const [k, v] of readDefines(fs.readFileSync(opts.kvmPara, 'utf8'))) if (!defs.has(k)) defs.set(k, v);
  if (!defs.has('KVM_CPUID_FEATURES')) defs.set('KVM_CPUID_FEATURES', '0x40000001');

  const label = opts.label || 'qemu/qemu:target/i386/cpu.c';
  const overlayPath = opts.overlay || path.join(here, 'features-overlay.json');
  const overlay = JSON.parse(fs.readFileSync(overlayPath, 'utf8'));
  const ov = overlay.features || {};
  const outPath = opts.out || path.join(repoRoot, 'server', 'src', 'kb', 'data', 'features.json');

  const words = parseFeatureWords(src, defs);
  const wordOrder = new Map(words.map((w) => [w.word, w.order]));
  const deps = parseDependencies(src, defs);
  const propAliases = parsePropertyAliases(stripComments(src));

  // ---- records from the table
  const records = [];
  const byName = new Map();
  const byWordBit = new Map();
  for (const w of words) {
    const width = w.type === 'MSR_FEATURE_WORD' ? 64 : 32;
    for (const { bit, name } of w.names) {
      if (bit >= width) continue;
      if (name.startsWith('hv-')) continue;
      byWordBit.set(`${w.word}:${bit}`, name);
      if (byName.has(name)) {
        const r = byName.get(name);
        r._extraBits.push(`${w.word} bit ${bit}`);
        continue;
      }
      const isMsr = w.type === 'MSR_FEATURE_WORD';
      const r = {
        name,
        aliases: [],
        word: w.word,
        leaf: isMsr ? null : w.cpuid.leaf,
        subleaf: isMsr ? null : w.cpuid.subleaf,
        register: isMsr ? null : w.cpuid.register,
        bit,
        msrFeatureIndex: isMsr ? w.msrIndex : null,
        description: '',
        qemuSince: null,
        msrs: [],
        kvmSince: null,
        kvmUntil: null,
        unmigratable: Boolean((w.unmigratable >> BigInt(bit)) & 1n),
        dependsOn: [],
        deprecated: false,
        sources: [label],
        _extraBits: [],
        _notes: [],
        _aliasSet: new Set(),
      };
      if (r.unmigratable) r._notes.push('QEMU lists this bit in its word\'s unmigratable_flags, so migratable CPU configurations drop it.');
      records.push(r);
      byName.set(name, r);
    }
  }
  for (const r of records) {
    if (r._extraBits.length) {
      r._notes.push(`QEMU also gives this name to ${r._extraBits.join(', ')}; the property sets both bits. Recorded once, at its first bit.`);
    }
  }

  // ---- QEMU property aliases
  for (const { alias, target } of propAliases) {
    if (alias.startsWith('hv-') || target.startsWith('hv-')) continue;
    const r = byName.get(target);
    if (r) r._aliasSet.add(JSON.stringify([alias, 'qemu']));
  }

  // ---- dependencies from feature_dependencies[]
  const wordByName = new Map(words.map((w) => [w.word, w]));
  for (const d of deps) {
    const fw = wordByName.get(d.from.word);
    const tw = wordByName.get(d.to.word);
    if (!fw || !tw) continue;
    const fromNames = bitsOf(d.from.mask, 64).map((b) => byWordBit.get(`${d.from.word}:${b}`)).filter(Boolean);
    if (!fromNames.length) continue;
    for (const b of bitsOf(d.to.mask, 64)) {
      const tn = byWordBit.get(`${d.to.word}:${b}`);
      if (!tn) continue;
      const r = byName.get(tn);
      if (!r || r.bit !== b || r.word !== d.to.word) continue;
      for (const fnm of fromNames) {
        if (fnm !== tn && !r.dependsOn.includes(fnm)) r.dependsOn.push(fnm);
      }
      if (!r._depSrc) {
        r._depSrc = true;
        r.sources.push(`${label} (feature_dependencies)`);
      }
    }
  }

  // ---- libvirt spellings
  const notesAliasDropped = [];
  const libvirtLabel = opts.libvirtLabel || 'libvirt/libvirt:src/cpu_map/x86_features.xml';
  if (opts.libvirt) {
    const lv = parseLibvirt(fs.readFileSync(opts.libvirt, 'utf8'));
    for (const e of lv) {
      const r = records.find((x) => (e.kind === 'cpuid'
        ? x.leaf === e.leaf && (x.subleaf ?? 0) === (e.subleaf ?? 0) && x.register === e.register && x.bit === e.bit
        : x.msrFeatureIndex === e.index && x.bit === e.bit));
      if (!r) continue;
      r._libvirt = true;
      if (e.name !== r.name) r._aliasSet.add(JSON.stringify([e.name, 'libvirt']));
    }
  }

  // ---- Linux /proc/cpuinfo names
  // --linux-label "torvalds/linux@v7.2" -> "torvalds/linux:<path>@v7.2"
  const [linuxRepo, linuxRef] = (opts.linuxLabel || 'torvalds/linux').split('@');
  const linuxSrc = (p) => `${linuxRepo}:${p}${linuxRef ? `@${linuxRef}` : ''}`;
  if (opts.linuxCpufeatures) {
    const lx = parseLinuxCpufeatures(
      fs.readFileSync(opts.linuxCpufeatures, 'utf8'),
      opts.linuxScattered ? fs.readFileSync(opts.linuxScattered, 'utf8') : null,
    );
    const atLoc = (e) => records.find((x) => x.leaf === e.leaf && (x.subleaf ?? 0) === (e.subleaf ?? 0) && x.register === e.register && x.bit === e.bit);
    for (const e of lx) {
      const r = atLoc(e);
      if (!r) continue;
      r._linux = true;
      if (e.name !== r.name) r._aliasSet.add(JSON.stringify([e.name, e.scattered ? 'linux-scattered' : 'linux']));
    }
    if (opts.linuxCpuidDeps) {
      const depSrc = linuxSrc('arch/x86/kernel/cpu/cpuid-deps.c');
      for (const { feature, depends } of parseLinuxCpuidDeps(fs.readFileSync(opts.linuxCpuidDeps, 'utf8'))) {
        const fl = lx.macroLoc.get(feature);
        const dl = lx.macroLoc.get(depends);
        if (!fl || !dl) continue;
        const r = atLoc(fl);
        const d = atLoc(dl);
        if (!r || !d || r === d) continue;
        if (!r.dependsOn.includes(d.name)) r.dependsOn.push(d.name);
        if (!r.sources.includes(depSrc)) r.sources.push(depSrc);
      }
    }
  }

  // ---- overlay
  const unknownOverlay = Object.keys(ov).filter((k) => !byName.has(k) && !k.startsWith('_'));
  if (unknownOverlay.length) console.warn(`extract-features: overlay names not in cpu.c (ignored): ${unknownOverlay.join(', ')}`);
  for (const r of records) {
    const o = ov[r.name] || {};
    if (o.description) r.description = o.description;
    for (const a of o.aliases || []) r._aliasSet.add(JSON.stringify([a, 'overlay']));
    r._dropAliases = new Set(o.dropAliases || []);
    if (o.qemuSince !== undefined) r.qemuSince = o.qemuSince;
    if (o.kvmSince !== undefined) r.kvmSince = o.kvmSince;
    if (o.kvmUntil !== undefined) r.kvmUntil = o.kvmUntil;
    if (o.unmigratable !== undefined) r.unmigratable = o.unmigratable;
    if (o.deprecated !== undefined) r.deprecated = o.deprecated;
    if (o.msrs) r.msrs = [...o.msrs];
    for (const d of o.dependsOn || []) if (!r.dependsOn.includes(d)) r.dependsOn.push(d);
    if (o.notes) r._notes.push(o.notes);
    for (const s of o.sources || []) if (!r.sources.includes(s)) r.sources.push(s);
  }

  // ---- qemuSince from older files / overlay.releaseNames
  const known = new Map(); // release -> Set(names)
  const complete = new Set(); // releases with at least one complete list (absence is conclusive)
  for (const { release, partial, file } of opts.older) {
    const text = fs.readFileSync(file, 'utf8');
    const names = file.endsWith('.xml') ? namesInLibvirtCaps(text) : namesKnownBy(text);
    const set = known.get(release) || new Set();
    for (const n of names) set.add(n);
    known.set(release, set);
    if (!partial) complete.add(release);
  }
  for (const [release, v] of Object.entries(overlay.releaseNames || {})) {
    const set = known.get(release) || new Set();
    for (const n of v.names || []) set.add(n);
    known.set(release, set);
    if (!v.partial) complete.add(release);
  }
  const releaseSource = overlay.releaseSources || {};
  const addReleaseSources = (r, rel) => {
    for (const src of [].concat(releaseSource[rel] || [])) if (!r.sources.includes(src)) r.sources.push(src);
  };
  const releaseIdx = (r) => QEMU_RELEASES.indexOf(r);
  const releasesGiven = [...known.keys()].sort((a, b) => releaseIdx(a) - releaseIdx(b));
  for (const r of records) {
    if (r.qemuSince !== null && (ov[r.name] || {}).qemuSince !== undefined) continue;
    const qemuSpellings = [r.name, ...[...r._aliasSet].map((j) => JSON.parse(j)).filter(([, k]) => k === 'qemu').map(([a]) => a)];
    const has = (rel) => qemuSpellings.some((n) => known.get(rel).has(n));
    const first = releasesGiven.find(has);
    if (!first) continue;
    const prev = QEMU_RELEASES[releaseIdx(first) - 1];
    // absence counts only where the release has a complete list (not only a pre-release capture)
    const lacks = (rel) => known.has(rel) && complete.has(rel) && !has(rel);
    const lastWithout = releasesGiven.filter((rel) => releaseIdx(rel) < releaseIdx(first) && lacks(rel)).pop();
    // a name seen first in a partial list (a release candidate) is not dated: it could have been
    // dropped again before the release
    const dated = prev && lacks(prev) && complete.has(first);
    if (!dated && r.qemuSince === null) {
      const partialPrev = prev && known.has(prev) && !complete.has(prev) && !has(prev);
      const firstComplete = releasesGiven.find((rel) => complete.has(rel) && has(rel));
      if (!complete.has(first)) {
        r._notes.push(`Dating: a pre-release capture of QEMU ${first} names it` +
          (lastWithout ? ` and ${lastWithout} does not` : '') +
          (firstComplete ? `; the first complete list that names it is ${firstComplete}.` : '.'));
      } else r._notes.push(lastWithout
        ? `Dating: QEMU ${lastWithout} does not name it, ${first} does (added in a release after ${lastWithout}, at the latest ${first}).`
        : `Dating: already named by QEMU ${first}, the oldest release compared.`);
      if (partialPrev) r._notes.push(`Dating: only a pre-release capture of QEMU ${prev} was compared and it lacks the name, so ${prev} itself may have it.`);
      addReleaseSources(r, first);
    }
    if (dated) {
      r.qemuSince = first;
      for (const rel of [first, prev]) addReleaseSources(r, rel);
    }
  }

  // ---- finish aliases: unique across the KB, never another record's name
  const canon = new Set(records.map((r) => r.name));
  const claim = new Map(); // spelling -> [record names]
  for (const r of records) {
    for (const j of r._aliasSet) {
      const [a] = JSON.parse(j);
      if (a === r.name || r._dropAliases.has(a)) continue;
      if (!claim.has(a)) claim.set(a, new Set());
      claim.get(a).add(r.name);
    }
  }
  for (const r of records) {
    const kinds = new Map();
    for (const j of r._aliasSet) {
      const [a, k] = JSON.parse(j);
      if (a === r.name || r._dropAliases.has(a)) continue;
      if (!kinds.has(a)) kinds.set(a, new Set());
      kinds.get(a).add(k);
    }
    const keep = [];
    for (const [a, ks] of kinds) {
      if (canon.has(a)) {
        r._notes.push(`"${a}" (${[...ks].join('/')}) names this bit too but is the canonical name of another feature; not recorded as an alias.`);
        notesAliasDropped.push(`${a} -> ${r.name}`);
        continue;
      }
      if (claim.get(a).size > 1) {
        r._notes.push(`"${a}" (${[...ks].join('/')}) is also claimed by ${[...claim.get(a)].filter((n) => n !== r.name).join(', ')}; not recorded as an alias.`);
        notesAliasDropped.push(`${a} -> ${r.name}`);
        continue;
      }
      keep.push(a);
      if (ks.has('libvirt') && !r.sources.includes(libvirtLabel)) r.sources.push(libvirtLabel);
      if ((ks.has('linux') || ks.has('linux-scattered'))) {
        const s = linuxSrc('arch/x86/include/asm/cpufeatures.h');
        if (!r.sources.includes(s)) r.sources.push(s);
        if (ks.has('linux-scattered')) {
          const s2 = linuxSrc('arch/x86/kernel/cpu/scattered.c');
          if (!r.sources.includes(s2)) r.sources.push(s2);
        }
      }
    }
    r.aliases = keep.sort();
  }

  // ---- finalise
  const missingDesc = records.filter((r) => !r.description).map((r) => r.name);
  if (missingDesc.length) {
    console.warn(`extract-features: ${missingDesc.length} names lack an overlay description: ${missingDesc.join(', ')}`);
    for (const r of records) if (!r.description) r.description = `QEMU CPU feature bit (${r.word} bit ${r.bit}).`;
  }
  const out = sortRecords(records, wordOrder).map((r) => {
    const rec = {
      name: r.name,
      aliases: r.aliases,
      word: r.word,
      leaf: r.leaf,
      subleaf: r.subleaf,
      register: r.register,
      bit: r.bit,
      msrFeatureIndex: r.msrFeatureIndex,
      description: r.description,
      qemuSince: r.qemuSince,
      msrs: r.msrs,
      kvmSince: r.kvmSince,
      kvmUntil: r.kvmUntil,
      unmigratable: r.unmigratable,
      dependsOn: r.dependsOn,
      deprecated: r.deprecated,
    };
    if (r._notes.length) rec.notes = r._notes.join(' ');
    rec.sources = r.sources;
    return rec;
  });

  const errors = validate(out);
  if (errors.length) fail(`validation failed:\n  ${errors.join('\n  ')}`);
  fs.mkdirSync(path.dirname(outPath), { recursive: true });
  fs.writeFileSync(outPath, JSON.stringify(out, null, 2) + '\n');
  const perWord = {};
  for (const r of out) perWord[r.word] = (perWord[r.word] || 0) + 1;
  console.log(`extract-features: wrote ${out.length} features to ${path.relative(process.cwd(), outPath)}`);
  console.log(`  qemuSince: ${out.filter((r) => r.qemuSince).length}, kvmSince: ${out.filter((r) => r.kvmSince).length}, aliases dropped for collisions: ${notesAliasDropped.length}`);
  if (opts.verbose) console.log(perWord);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
