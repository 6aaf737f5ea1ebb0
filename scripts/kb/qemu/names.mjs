#!/usr/bin/env node
// qemu-names.mjs — date every x86 CPUID feature spelling and CPU model name over QEMU releases.
//
// Usage:
//   node scripts/kb/qemu/names.mjs [--releases TSV] [--out PATH] [--full]
//     --releases  release list, TSV "release<TAB>commit<TAB>gitdir<TAB>VERSION=..." oldest first
//                 (default scripts/kb/qemu/releases.tsv; gitdirs are fetched snapshots)
//     --out       output JSON (default scripts/kb/data/qemu-names.json)
//     --full      keep per-release histories and model feature lists (several MB; not committed)
//
// Reads, per release, with `git -C GITDIR show COMMIT:PATH` (never a work tree):
//   target-i386/ or target/i386/: helper.c (0.10-0.12), cpuid.c (0.13-1.0), cpu.c (1.1+),
//   cpu.h, cpu-qom.h, kvm.c (only to verify the old KVM table mapping);
//   linux-headers/asm-x86/kvm_para.h or include/standard-headers/asm-x86/kvm_para.h
//   (KVM_CPUID_FEATURES); sysconfigs/target/target-x86_64.conf and cpus-x86_64.conf
//   ([cpudef] models shipped as config, 0.13-1.2).
// Extracts: feature-name tables (named `*_feature_name[]` arrays and `feature_word_info[]`,
// with '|' alternatives), object_property_add_alias() spellings, builtin CPU models (with
// 4.1+ versions and aliases), their vendor and their feature bits resolved to names through
// the same release's tables. Writes one JSON (sorted keys, 1-space indent): same input gives
// byte-identical output. Citations use "qemu/qemu:PATH@<commit12>" (the commits are upstream's).

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { stripComments } from '../c-source.mjs';

// ---------- arguments ----------
const argv = process.argv.slice(2);
const here = path.dirname(new URL(import.meta.url).pathname);
let releasesTsv = path.join(here, 'releases.tsv');
let outPath = path.join(here, '..', 'data', 'qemu-names.json');
let full = false;
for (let i = 0; i < argv.length; i++) {
  if (argv[i] === '--releases') releasesTsv = argv[++i];
  else if (argv[i] === '--full') full = true;
  else if (argv[i] === '--out') outPath = argv[++i];
  else { console.error(`unknown argument ${argv[i]}`); process.exit(2); }
}

// ---------- git access ----------
function gitShow(gitdir, commit, p) {
  try {
    return execFileSync('git', ['-C', gitdir, 'show', `${commit}:${p}`],
      { encoding: 'utf8', maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] });
  } catch { return null; }
}
function lsTree(gitdir, commit, dirs) {
  const out = execFileSync('git', ['-C', gitdir, 'ls-tree', '-r', '--name-only', commit, '--', ...dirs],
    { encoding: 'utf8', maxBuffer: 1 << 26 });
  return out.split('\n').filter(Boolean);
}

// ---------- C text helpers ----------

/** Index of the bracket closing the one at `open` (one of { ( [). */
function matchClose(s, open) {
  const pairs = { '{': '}', '(': ')', '[': ']' };
  const stack = [];
  for (let i = open; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < s.length && s[j] !== c) j += s[j] === '\\' ? 2 : 1;
      i = j;
    } else if (pairs[c]) stack.push(pairs[c]);
    else if (c === '}' || c === ')' || c === ']') {
      if (stack.pop() !== c) return -1;
      if (!stack.length) return i;
    }
  }
  return -1;
}

/** Split on a separator at bracket depth 0 (outside strings). */
function splitTop(s, sep = ',') {
  const parts = [];
  let depth = 0; let start = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s[i];
    if (c === '"' || c === "'") {
      let j = i + 1;
      while (j < s.length && s[j] !== c) j += s[j] === '\\' ? 2 : 1;
      i = j;
    } else if ('{(['.includes(c)) depth++;
    else if ('})]'.includes(c)) depth--;
    else if (c === sep && depth === 0) { parts.push(s.slice(start, i)); start = i + 1; }
  }
  parts.push(s.slice(start));
  return parts.map((x) => x.trim()).filter((x) => x !== '');
}

function cString(expr) {
  const m = expr.match(/"((?:[^"\\]|\\.)*)"/g);
  if (!m) return null;
  return m.map((x) => x.slice(1, -1)).join('');
}

/** Object-like #defines (first definition wins; conditional branches are not evaluated). */
function parseDefines(text, into) {
  const joined = text.replace(/\\\r?\n/g, ' ');
  for (const line of joined.split('\n')) {
    const m = line.match(/^\s*#\s*define\s+([A-Za-z_]\w*)(\(?)\s*(.*)$/);
    if (!m || m[2] === '(') continue;
    if (!into.has(m[1])) into.set(m[1], m[3].trim());
  }
  return into;
}

// ---------- integer expression evaluator (BigInt, 64-bit) ----------
const M64 = (1n << 64n) - 1n;
function evalExpr(expr, defs, depth = 0) {
  if (depth > 40) throw new Error('macro depth');
  const src = expr.replace(/\(\s*(?:const\s+)?(?:uint(?:8|16|32|64)_t|unsigned(?:\s+long)*(?:\s+int)?|long(?:\s+long)?|int|FeatureWordArray)\s*\)/g, ' ');
  const toks = [];
  const re = /\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*|\s*([A-Za-z_]\w*)|\s*(<<|>>|[|&^~+\-*()!,])|\s+/y;
  let pos = 0;
  while (pos < src.length) {
    re.lastIndex = pos;
    const m = re.exec(src);
    if (!m || m[0] === '') throw new Error(`bad token in ${expr}`);
    pos = re.lastIndex;
    if (m[1]) toks.push({ t: 'n', v: BigInt(m[1]) });
    else if (m[2]) toks.push({ t: 'id', v: m[2] });
    else if (m[3]) toks.push({ t: 'op', v: m[3] });
  }
  let k = 0;
  const peek = () => toks[k];
  const eat = (v) => { if (toks[k] && toks[k].v === v) { k++; return true; } return false; };
  function primary() {
    const t = toks[k++];
    if (!t) throw new Error(`unexpected end in ${expr}`);
    if (t.t === 'n') return t.v;
    if (t.t === 'op' && t.v === '(') { const v = orE(); if (!eat(')')) throw new Error('missing )'); return v; }
    if (t.t === 'op' && t.v === '~') return (~primary()) & M64;
    if (t.t === 'op' && t.v === '-') return (-primary()) & M64;
    if (t.t === 'op' && t.v === '+') return primary();
    if (t.t === 'op' && t.v === '!') return primary() ? 0n : 1n;
    if (t.t === 'id') {
      if ((t.v === 'BIT' || t.v === 'BIT_ULL') && peek() && peek().v === '(') {
        k++; const v = orE(); eat(')'); return (1n << v) & M64;
      }
      if (!defs.has(t.v)) throw new Error(`unknown identifier ${t.v}`);
      return evalExpr(defs.get(t.v), defs, depth + 1);
    }
    throw new Error(`unexpected ${t.v} in ${expr}`);
  }
  function mul() { let v = primary(); while (peek() && peek().v === '*') { k++; v = (v * primary()) & M64; } return v; }
  function add() {
    let v = mul();
    for (;;) {
      if (eat('+')) v = (v + mul()) & M64; else if (eat('-')) v = (v - mul()) & M64; else return v;
    }
  }
  function shift() {
    let v = add();
    for (;;) {
      if (eat('<<')) v = (v << add()) & M64; else if (eat('>>')) v >>= add(); else return v;
    }
  }
  function andE() { let v = shift(); while (eat('&')) v &= shift(); return v; }
  function xorE() { let v = andE(); while (eat('^')) v ^= andE(); return v; }
  function orE() { let v = xorE(); while (eat('|')) v |= xorE(); return v; }
  const v = orE();
  if (k !== toks.length) throw new Error(`trailing tokens in ${expr}`);
  return v;
}

// ---------- per-release source discovery ----------
const hex = (n) => '0x' + BigInt(n).toString(16);
const REG = { R_EAX: 'EAX', R_EBX: 'EBX', R_ECX: 'ECX', R_EDX: 'EDX' };

// Old (pre feature_word_info) tables: location, the env field the cpuid code reads, the
// x86_def_t field that models fill in.
const OLD_TABLES = {
  feature_name: { word: 'FEAT_1_EDX', leaf: 0x1, subleaf: null, reg: 'EDX', env: 'cpuid_features', def: 'features' },
  ext_feature_name: { word: 'FEAT_1_ECX', leaf: 0x1, subleaf: null, reg: 'ECX', env: 'cpuid_ext_features', def: 'ext_features' },
  ext2_feature_name: { word: 'FEAT_8000_0001_EDX', leaf: 0x80000001, subleaf: null, reg: 'EDX', env: 'cpuid_ext2_features', def: 'ext2_features' },
  ext3_feature_name: { word: 'FEAT_8000_0001_ECX', leaf: 0x80000001, subleaf: null, reg: 'ECX', env: 'cpuid_ext3_features', def: 'ext3_features' },
  ext4_feature_name: { word: 'FEAT_C000_0001_EDX', leaf: 0xC0000001, subleaf: null, reg: 'EDX', env: 'cpuid_ext4_features', def: 'ext4_features' },
  kvm_feature_name: { word: 'FEAT_KVM', leaf: 0x40000001, subleaf: null, reg: 'EAX', env: 'cpuid_kvm_features', def: 'kvm_features' },
  svm_feature_name: { word: 'FEAT_SVM', leaf: 0x8000000A, subleaf: null, reg: 'EDX', env: 'cpuid_svm_features', def: 'svm_features' },
  cpuid_7_0_ebx_feature_name: { word: 'FEAT_7_0_EBX', leaf: 0x7, subleaf: 0, reg: 'EBX', env: 'cpuid_7_0_ebx_features', def: 'cpuid_7_0_ebx_features' },
};

function parseNameList(body) {
  const names = [];
  let idx = 0;
  for (const item of splitTop(body)) {
    let v = item;
    const d = v.match(/^\[\s*(\d+)\s*\]\s*=\s*([\s\S]*)$/);
    if (d) { idx = Number(d[1]); v = d[2]; }
    names[idx] = v === 'NULL' || v === '0' ? null : cString(v);
    idx++;
  }
  for (let i = 0; i < names.length; i++) if (names[i] === undefined) names[i] = null;
  return names;
}

function namedArrays(text) {
  const out = new Map();
  const re = /(?:static\s+)?(?:const\s+)?char\s*\*\s*(?:const\s+)?(\w+)\s*\[[^\]]*\]\s*=\s*\{/g;
  let m;
  while ((m = re.exec(text))) {
    const open = re.lastIndex - 1;
    const close = matchClose(text, open);
    if (close < 0) continue;
    if (!out.has(m[1])) out.set(m[1], parseNameList(text.slice(open + 1, close)));
    re.lastIndex = close;
  }
  return out;
}

/** Verify an old table's location from the cpuid code: `*reg = env->FIELD` under `case LEAF:`. */
function verifyOldTable(info, texts) {
  for (const t of texts) {
    if (!t) continue;
    if (info.word === 'FEAT_KVM') {
      const re = /c->function\s*=\s*(\w+);[^;]*;?[\s\S]{0,80}?c->(e[abcd]x)\s*=\s*env->cpuid_kvm_features\b/g;
      let m;
      while ((m = re.exec(t.text))) {
        if (m[1] === 'KVM_CPUID_FEATURES' && m[2].toUpperCase() === info.reg) return `${t.path}: c->function = KVM_CPUID_FEATURES; c->${m[2]} = env->cpuid_kvm_features`;
      }
      continue;
    }
    const re = new RegExp(`\\*(e[abcd]x)\\s*=\\s*env->${info.env}\\b`, 'g');
    let m;
    while ((m = re.exec(t.text))) {
      const before = t.text.slice(0, m.index);
      const cases = [...before.matchAll(/case\s+(0[xX][0-9a-fA-F]+|\d+)\s*:/g)];
      if (!cases.length) continue;
      const leaf = Number(cases[cases.length - 1][1]);
      if (leaf === info.leaf && m[1].toUpperCase() === info.reg) return `${t.path}: case ${cases[cases.length - 1][1]}: *${m[1]} = env->${info.env}`;
    }
  }
  return null;
}

function loadRelease(rel) {
  const { version, commit, gitdir } = rel;
  const files = lsTree(gitdir, commit, ['target-i386', 'target/i386', 'linux-headers/asm-x86', 'include/standard-headers/asm-x86', 'sysconfigs/target']);
  const pick = (re) => files.filter((f) => re.test(f)).sort();
  const srcPaths = pick(/^target[-/]i386\/(helper|cpuid|cpu)\.c$/);
  const hdrPaths = pick(/^target[-/]i386\/(cpu|cpu-qom)\.h$/);
  const kvmPara = pick(/^(linux-headers|include\/standard-headers)\/asm-x86\/kvm_para\.h$/);
  const kvmC = pick(/^target[-/]i386\/kvm\.c$/);
  const confs = pick(/^sysconfigs\/target\/(target|cpus)-x86_64\.conf$/);
  const read = (p) => { const raw = gitShow(gitdir, commit, p); return raw == null ? null : { path: p, raw, text: stripComments(raw) }; };
  const srcs = srcPaths.map(read).filter(Boolean);
  const hdrs = hdrPaths.map(read).filter(Boolean);
  const defs = new Map();
  for (const f of [...hdrs, ...srcs]) parseDefines(f.text, defs);
  for (const p of kvmPara) { const f = read(p); if (f) { const m = f.text.match(/#\s*define\s+KVM_CPUID_FEATURES\s+(\S+)/); if (m && !defs.has('KVM_CPUID_FEATURES')) defs.set('KVM_CPUID_FEATURES', m[1]); } }
  const tableFile = srcs.find((f) => /feature_word_info\s*\[[^\]]*\]\s*=\s*\{/.test(f.text)) ||
    srcs.find((f) => /\bfeature_name\s*\[\s*\]\s*=/.test(f.text));
  const defsFile = srcs.find((f) => /(?:x86_def_t|X86CPUDefinition)\s+(?:builtin_)?x86_defs\s*\[\s*\]\s*=\s*\{/.test(f.text));
  const cpuC = srcs.find((f) => /\/cpu\.c$/.test(f.path)) || tableFile;
  const R = {
    version, commit, gitdir, files: { sources: srcPaths, headers: hdrPaths, kvmPara, configs: confs },
    tableFile: tableFile ? tableFile.path : null, defsFile: defsFile ? defsFile.path : null,
    words: new Map(), // word -> {word, leaf, subleaf, reg, msrIndex, names[], table?}
    spellings: new Map(), // spelling -> [{word, bit, kind, of}]
    aliasCalls: [], unresolvedAliases: [], checks: {}, models: new Map(), notes: [],
    feat2prop: srcs.some((f) => /\bvoid\s+feat2prop\s*\(/.test(f.text)),
    cpuOptions: cpuOptionSyntax(srcs) && { ...cpuOptionSyntax(srcs), ...acceleratorOptions(gitdir, commit) },
    machineTypes: machineTypes(gitdir, commit),
    defs,
  };
  // ----- feature words -----
  const t = tableFile ? tableFile.text : '';
  const arrays = namedArrays(t);
  const fwi = t.match(/FeatureWordInfo\s+feature_word_info\s*\[[^\]]*\]\s*=\s*\{/);
  if (fwi) {
    const open = fwi.index + fwi[0].length - 1;
    const body = t.slice(open + 1, matchClose(t, open));
    const re = /\[\s*(FEAT_\w+)\s*\]\s*=\s*\{/g;
    let m;
    while ((m = re.exec(body))) {
      const o = re.lastIndex - 1;
      const c = matchClose(body, o);
      const e = body.slice(o + 1, c);
      re.lastIndex = c;
      const w = { word: m[1], leaf: null, subleaf: null, reg: null, msrIndex: null, names: [], msrName: null };
      let fn = e.match(/\.feat_names\s*=\s*\{/);
      if (fn) { const fo = fn.index + fn[0].length - 1; w.names = parseNameList(e.slice(fo + 1, matchClose(e, fo))); }
      else if ((fn = e.match(/\.feat_names\s*=\s*(\w+)/))) { w.names = arrays.get(fn[1]) || []; w.table = fn[1]; }
      const cp = e.match(/\.cpuid\s*=\s*\{/);
      const cpu = cp ? e.slice(cp.index + cp[0].length, matchClose(e, cp.index + cp[0].length - 1)) : null;
      const field = (newName, oldName) => {
        const mm = cpu ? cpu.match(new RegExp(`\\.${newName}\\s*=\\s*([^,}\\n]+)`)) : e.match(new RegExp(`\\.${oldName}\\s*=\\s*([^,}\\n]+)`));
        return mm ? mm[1].trim() : null;
      };
      const leafE = field('eax', 'cpuid_eax');
      const ecxE = field('ecx', 'cpuid_ecx');
      const needs = cpu ? /\.needs_ecx\s*=\s*true/.test(cpu) : /\.cpuid_needs_ecx\s*=\s*true/.test(e);
      const regE = field('reg', 'cpuid_reg');
      const msr = e.match(/\.msr\s*=\s*\{[^}]*\.index\s*=\s*(\w+)/);
      try {
        if (msr) { w.msrName = msr[1]; w.msrIndex = hex(evalExpr(msr[1], defs)); }
        else if (leafE != null) {
          w.leaf = hex(evalExpr(leafE, defs));
          w.subleaf = needs ? Number(evalExpr(ecxE || '0', defs)) : null;
          w.reg = REG[regE] || null;
        }
      } catch (err) { R.notes.push(`${m[1]}: ${err.message}`); }
      // 1.4 declares FEAT_7_0_EBX without an ecx (cpuid_needs_ecx came later); the word name
      // and the cpuid code (case 7, count == 0) give subleaf 0.
      const sub = m[1].match(/^FEAT_([0-9A-F]+)_(\d+)_E[ABCD]X$/);
      if (w.leaf && w.subleaf == null && sub && parseInt(sub[1], 16) === parseInt(w.leaf, 16)) {
        w.subleaf = Number(sub[2]);
        R.notes.push(`${m[1]}: no ecx in feature_word_info; subleaf ${sub[2]} from the word name`);
      }
      R.words.set(m[1], w);
    }
  } else {
    for (const [name, info] of Object.entries(OLD_TABLES)) {
      if (!arrays.has(name)) continue;
      const how = verifyOldTable(info, [tableFile, ...(kvmC.map(read))].filter(Boolean));
      R.checks[name] = how ? `verified (${how})` : 'unverified';
      R.words.set(info.word, { word: info.word, leaf: hex(info.leaf), subleaf: info.subleaf, reg: info.reg, msrIndex: null, names: arrays.get(name), table: name });
    }
  }
  // spellings from the tables ('|' separates alternatives; the first is the primary)
  const addSp = (sp, rec) => { if (!R.spellings.has(sp)) R.spellings.set(sp, []); R.spellings.get(sp).push(rec); };
  for (const w of R.words.values()) {
    w.names.forEach((s, bit) => {
      if (!s) return;
      const alts = s.split('|').filter((x) => x !== '');
      alts.forEach((a, i) => addSp(a, { word: w.word, bit, kind: i === 0 ? 'table' : 'table-alt', of: i === 0 ? null : alts[0] }));
    });
  }
  // object_property_add_alias(obj, "alias", obj, "target" ...)
  if (cpuC) {
    for (const m of cpuC.text.matchAll(/object_property_add_alias\s*\(\s*obj\s*,\s*"([^"]+)"\s*,\s*obj\s*,\s*"([^"]+)"/g)) {
      R.aliasCalls.push([m[1], m[2]]);
    }
    R.aliasFile = cpuC.path;
  }
  for (const [alias, target] of R.aliasCalls) {
    const tgt = (R.spellings.get(target) || []).filter((x) => x.kind !== 'alias');
    if (!tgt.length) { R.unresolvedAliases.push(`${alias}->${target}`); continue; }
    for (const x of tgt) addSp(alias, { word: x.word, bit: x.bit, kind: 'alias', of: target });
  }
  // primary name of each bit (for model feature lists)
  R.primary = (word, bit) => {
    const w = R.words.get(word);
    const s = w && w.names[bit];
    if (s) return s.split('|')[0];
    if (!w) return `${word}[${bit}]`;
    return w.msrIndex ? `msr${w.msrIndex}[${bit}]` : `${w.leaf}${w.subleaf != null ? '.' + w.subleaf : ''}.${w.reg}[${bit}]`;
  };
  // ----- models -----
  if (defsFile) parseModels(R, defsFile, srcs);
  for (const p of confs) { const f = read(p); if (f) parseCpudefConf(R, f); }
  // QOM-only types (host, max, base) may live in any target/i386 C file (e.g. kvm/kvm-cpu.c)
  let grep = '';
  try {
    grep = execFileSync('git', ['-C', gitdir, 'grep', '-o', '-E', 'X86_CPU_TYPE_NAME\\("[A-Za-z0-9_.-]+"\\)', commit, '--', 'target-i386/*.c', 'target/i386/*.c'],
      { encoding: 'utf8', maxBuffer: 1 << 26 });
  } catch { grep = ''; }
  for (const line of grep.split('\n').filter(Boolean).sort()) {
    const m = line.match(/^[0-9a-f]+:([^:]+):X86_CPU_TYPE_NAME\("([^"]+)"\)$/);
    if (m) addModel(R, m[2], { kind: 'qom', vendor: null, file: m[1], features: null });
  }
  for (const f of srcs) {
    if (/strcmp\s*\(\s*name\s*,\s*"host"\s*\)/.test(f.text)) addModel(R, 'host', { kind: 'special', vendor: null, file: f.path, features: null });
  }
  delete R.defs;
  return R;
}

/**
 * How the release's -cpu parser takes feature bits and the TSC frequency (the function that
 * splits the option with strtok on ','): `featureProps` when every feature bit is a QOM property
 * (x86_cpu_register_feature_bit_props), so `name=on|off` sets it; before that only `+name`/`-name`
 * set bits. `tscKey` is the key that sets the guest TSC frequency: `tsc-frequency` when any
 * `key=value` reaches the CPU's properties (a generic fallback, or the global properties of 2.7+)
 * and the property exists, else the parser's own special key (`tsc-freq` or `tsc_freq`), else null.
 */
function cpuOptionSyntax(srcs) {
  for (const f of srcs) {
    const at = f.text.search(/featurestr\s*=\s*(?:features\s*\?\s*)?strtok\s*\(/);
    if (at < 0) continue;
    const open = f.text.lastIndexOf('\n{', at) + 1;
    const body = f.text.slice(open, matchClose(f.text, open) + 1);
    const featureProps = srcs.some((s) => /\bx86_cpu_register_feature_bit_props\s*\(/.test(s.text));
    const generic = /qdev_prop_register_global\s*\(/.test(body) || /\}\s*else\s*\{\s*object_property_parse\s*\(\s*OBJECT\s*\(\s*cpu\s*\)\s*,\s*val\s*,\s*featurestr\b/.test(body);
    const tscProp = srcs.some((s) => /object_(?:class_)?property_add\w*\s*\(\s*\w+\s*,\s*"tsc-frequency"/.test(s.text));
    const tscKey = generic && tscProp ? 'tsc-frequency' : /"tsc-freq"/.test(body) ? 'tsc-freq' : /"tsc_freq"/.test(body) ? 'tsc_freq' : null;
    return { featureProps, tscKey, file: f.path };
  }
  return null;
}

/**
 * How the release's command line selects the machine type (`-machine`, else only `-M`) and the accelerator: `-accel` (DEF("accel") in
 * qemu-options.hx), `-machine accel=` (the machine option's help text), `-enable-kvm`
 * (qemu-options.hx, or vl.c's option table before the .hx file existed).
 */
function acceleratorOptions(gitdir, commit) {
  const hx = gitShow(gitdir, commit, 'qemu-options.hx');
  const text = hx ?? gitShow(gitdir, commit, 'vl.c') ?? '';
  return {
    accelOption: /\bDEF\(\s*"accel"/.test(text),
    machineAccel: /\baccel=accel/.test(text),
    enableKvm: /\bDEF\(\s*"enable-kvm"/.test(text) || /\{\s*"enable-kvm"\s*,/.test(text),
    machineOption: /\bDEF\(\s*"machine"/.test(text),
    optionsFile: hx ? 'qemu-options.hx' : 'vl.c',
  };
}

/**
 * The x86 PC machine types a release defines (`-machine TYPE`), from hw/pc*.c / hw/i386/pc_*.c:
 * `.name = "pc-1.2"` structs (0.10-2.4), DEFINE_*_MACHINE(suffix, "pc-i440fx-2.8", …) (2.5-9.0),
 * DEFINE_*_MACHINE[_AS_LATEST|_BUGFIX](major, minor[, micro]) (9.1+), and the `pc` / `q35` aliases.
 */
function machineTypes(gitdir, commit) {
  const files = lsTree(gitdir, commit, ['hw']).filter((f) => /^hw\/(i386\/)?(pc|pc_piix|pc_q35|isapc)\.c$/.test(f));
  const types = new Set();
  const typeName = /^(?:isapc|pc-(?:i440fx-|q35-)?\d+\.\d+(?:\.\d+)?)$/;
  for (const f of files) {
    const text = stripComments(gitShow(gitdir, commit, f) ?? '');
    for (const m of text.matchAll(/(?:\.name\s*=|DEFINE_\w*MACHINE\w*\(\s*\w+\s*,)\s*"([^"]+)"/g)) if (typeName.test(m[1])) types.add(m[1]);
    for (const m of text.matchAll(/^\s*DEFINE_(I440FX|Q35)_MACHINE(_AS_LATEST|_BUGFIX)?\(\s*(\d+)\s*,\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/gm)) {
      types.add(`pc-${m[1] === 'Q35' ? 'q35' : 'i440fx'}-${m[3]}.${m[4]}${m[5] ? '.' + m[5] : ''}`);
    }
    for (const m of text.matchAll(/\balias\s*=\s*"(pc|q35)"|\b(?:true|false)\s*,\s*"(pc|q35)"\s*,\s*major\b/g)) types.add(m[1] ?? m[2]);
  }
  return [...types].sort();
}

function addModel(R, name, rec) {
  if (R.models.has(name)) {
    const old = R.models.get(name);
    const rank = { builtin: 0, version: 1, alias: 2, config: 3, qom: 4, special: 5 };
    if (rank[rec.kind] >= rank[old.kind]) return;
  }
  R.models.set(name, rec);
}

function vendorOf(value, defs) {
  if (!value) return null;
  let macro = null; let str = null;
  const v = value.trim();
  if (v.startsWith('"')) str = cString(v);
  else { macro = v; const d = defs.get(v); str = d ? cString(d) : null; }
  if (macro) {
    const m = macro.match(/^CPUID_VENDOR_([A-Z]+?)\d*(?:_\d)?$/);
    if (m) return m[1].toLowerCase();
  }
  const map = { GenuineIntel: 'intel', AuthenticAMD: 'amd', HygonGenuine: 'hygon', '  Shanghai  ': 'zhaoxin', CentaurHauls: 'via' };
  return str && map[str] ? map[str] : null;
}

/** vendor1/2/3 (EBX, EDX, ECX words of CPUID 0): macros or numbers, decoded as little-endian ASCII. */
function vendorOfWords(exprs, defs) {
  const m = (exprs[0] || '').trim().match(/^CPUID_VENDOR_([A-Z]+?)\d*_1$/);
  if (m) return m[1].toLowerCase();
  try {
    let str = '';
    for (const e of exprs) { const v = Number(evalExpr(e, defs)); for (let i = 0; i < 4; i++) str += String.fromCharCode((v >>> (8 * i)) & 0xff); }
    return vendorOf(JSON.stringify(str), defs);
  } catch { return null; }
}

/** Evaluate a feature expression for one word into bit numbers. */
function bitsOf(expr, defs, width) {
  const v = evalExpr(expr, defs);
  const bits = [];
  for (let b = 0; b < width; b++) if ((v >> BigInt(b)) & 1n) bits.push(b);
  return bits;
}

function parseModels(R, file, srcs) {
  const t = file.text;
  const m = t.match(/(?:x86_def_t|X86CPUDefinition)\s+(?:builtin_)?x86_defs\s*\[\s*\]\s*=\s*\{/);
  const open = m.index + m[0].length - 1;
  // preprocessor lines inside the array (#ifdef TARGET_X86_64 ...) are dropped: both branches count
  const body = t.slice(open + 1, matchClose(t, open)).replace(/^[ \t]*#.*$/gm, '');
  const vendorDefaultIntel = srcs.some((f) => /if\s*\(\s*def->vendor1\s*\)\s*\{[^}]*\}\s*else\s*\{\s*env->cpuid_vendor1\s*=\s*CPUID_VENDOR_INTEL_1/.test(f.text));
  const versioned = /"%s-v%d"/.test(t) && /default_version_list/.test(t);
  const oldField = Object.fromEntries(Object.values(OLD_TABLES).map((x) => [x.def, x.word]));
  for (const entry of splitTop(body)) {
    if (!entry.startsWith('{')) continue;
    const inner = entry.slice(1, matchClose(entry, 0));
    const fields = {}; const feats = []; let versions = null;
    for (const it of splitTop(inner)) {
      const f = it.match(/^\.(\w+)(?:\s*\[\s*(\w+)\s*\])?\s*=\s*([\s\S]*)$/);
      if (!f) continue;
      if (f[1] === 'features' && f[2]) feats.push([f[2], f[3]]);
      else if (oldField[f[1]]) feats.push([oldField[f[1]], f[3]]);
      else if (f[1] === 'versions') versions = f[3];
      else fields[f[1]] = f[3];
    }
    const name = fields.name ? cString(fields.name) : null;
    if (!name) continue;
    let vendor = fields.vendor ? vendorOf(fields.vendor, R.defs) : null;
    if (!vendor && fields.vendor1) vendor = vendorOfWords([fields.vendor1, fields.vendor2, fields.vendor3], R.defs);
    let vendorDefaulted = false;
    if (!vendor && !fields.vendor && !fields.vendor1 && vendorDefaultIntel) { vendor = 'intel'; vendorDefaulted = true; }
    // feature bits per word
    const words = new Map(); const unresolved = [];
    for (const [w, expr] of feats) {
      const wi = R.words.get(w);
      const width = wi && wi.names.length > 32 ? 64 : 32;
      try { words.set(w, new Set(bitsOf(expr, R.defs, width))); } catch (e) { unresolved.push(`${w}: ${e.message}`); }
    }
    const rec = { kind: 'builtin', vendor, vendorDefaulted, file: file.path, features: unresolved.length ? null : words, unresolved };
    addModel(R, name, rec);
    if (!versioned) continue;
    // versions (4.1+): cumulative props over the base definition
    let vlist = [{ version: 1, alias: null, props: [] }];
    if (versions) {
      const vo = versions.indexOf('{');
      const vbody = versions.slice(vo + 1, matchClose(versions, vo));
      vlist = [];
      for (const ve of splitTop(vbody)) {
        if (!ve.startsWith('{')) continue;
        const vin = ve.slice(1, matchClose(ve, 0));
        let num = null; let alias = null; const props = [];
        const items = splitTop(vin);
        items.forEach((it, i) => {
          let f = it.match(/^\.(\w+)\s*=\s*([\s\S]*)$/);
          if (!f && i === 0 && /^\d+$/.test(it)) f = [it, 'version', it];
          if (!f) return;
          if (f[1] === 'version') num = Number(evalExpr(f[2], R.defs));
          else if (f[1] === 'alias') alias = cString(f[2]);
          else if (f[1] === 'props') {
            const po = f[2].indexOf('{');
            for (const pe of splitTop(f[2].slice(po + 1, matchClose(f[2], po)))) {
              const pin = pe.startsWith('{') ? pe.slice(1, matchClose(pe, 0)) : '';
              const pv = splitTop(pin);
              if (pv.length >= 2) props.push([cString(pv[0]), cString(pv[1])]);
            }
          }
        });
        if (num) vlist.push({ version: num, alias, props });
      }
    }
    let cur = rec.features ? new Map([...rec.features].map(([w, s]) => [w, new Set(s)])) : null;
    const vUnres = [];
    for (const v of vlist) {
      if (cur) {
        for (const [p, val] of v.props) {
          if (!p || !/^(on|off|true|false)$/.test(val || '')) continue;
          const loc = (R.spellings.get(p) || [])[0];
          if (!loc) { if (!/^(model-id|stepping|family|model|level|xlevel|vendor)$/.test(p)) vUnres.push(p); continue; }
          if (!cur.has(loc.word)) cur.set(loc.word, new Set());
          if (val === 'on' || val === 'true') cur.get(loc.word).add(loc.bit); else cur.get(loc.word).delete(loc.bit);
        }
      }
      const snap = cur ? new Map([...cur].map(([w, s]) => [w, new Set(s)])) : null;
      const vname = `${name}-v${v.version}`;
      addModel(R, vname, { kind: 'version', vendor, vendorDefaulted, file: file.path, features: snap, versionOf: name, unresolved: [...unresolved, ...vUnres.map((p) => `prop ${p}`)] });
      if (v.alias) addModel(R, v.alias, { kind: 'alias', vendor, vendorDefaulted, file: file.path, features: snap, aliasOf: vname, unresolved: [] });
    }
  }
}

function parseCpudefConf(R, f) {
  const sections = f.raw.split(/^\s*\[cpudef\]\s*$/m).slice(1);
  const map = { feature_edx: 'FEAT_1_EDX', feature_ecx: 'FEAT_1_ECX', extfeature_edx: 'FEAT_8000_0001_EDX', extfeature_ecx: 'FEAT_8000_0001_ECX' };
  for (const s of sections) {
    const kv = {};
    for (const line of s.split('\n')) {
      const m = line.match(/^\s*([a-z_]+)\s*=\s*"([^"]*)"/);
      if (m) kv[m[1]] = m[2];
      if (/^\s*\[/.test(line)) break;
    }
    if (!kv.name) continue;
    const words = new Map(); const unresolved = [];
    for (const [key, word] of Object.entries(map)) {
      if (kv[key] == null) continue;
      const wi = R.words.get(word);
      const set = new Set();
      for (const n of kv[key].split(/\s+/).filter(Boolean)) {
        const bit = wi ? wi.names.findIndex((x) => x && x.split('|').includes(n)) : -1;
        if (bit < 0) unresolved.push(`${key}: ${n}`); else set.add(bit);
      }
      words.set(word, set);
    }
    addModel(R, kv.name, { kind: 'config', vendor: vendorOf(`"${kv.vendor || ''}"`, R.defs), vendorDefaulted: false, file: f.path, features: words, unresolved });
  }
}

// ---------- main ----------
const releases = fs.readFileSync(releasesTsv, 'utf8').split('\n').filter((l) => l.trim() && !l.startsWith('#'))
  .map((l) => { const [version, commit, gitdir, ver] = l.split('\t'); return { version, commit, gitdir, ver }; });
const loaded = releases.map(loadRelease);
const names = releases.map((r) => r.version);
const cite = (R, p) => `qemu/qemu:${p}@${R.commit.slice(0, 12)}`;

function dating(present) {
  const idx = present.map((x, i) => (x ? i : -1)).filter((i) => i >= 0);
  const first = idx[0]; const last = idx[idx.length - 1];
  const gaps = [];
  for (let i = first; i < last; i++) if (present[i] && !present[i + 1]) {
    let j = i + 1; while (!present[j]) j++;
    gaps.push({ removedIn: names[i + 1], returnedIn: names[j] });
  }
  return { first, last, removedIn: last < names.length - 1 ? names[last + 1] : null, gaps };
}
function ranges(descs) { // descs[i] = string|null per release -> [{from,to,value}]
  const out = [];
  descs.forEach((d, i) => {
    if (d == null) return;
    const prev = out[out.length - 1];
    if (prev && prev.value === d && prev.toIdx === i - 1) { prev.to = names[i]; prev.toIdx = i; }
    else out.push({ from: names[i], to: names[i], toIdx: i, value: d });
  });
  return out.map(({ toIdx, ...r }) => r);
}

// features
const allSp = new Set();
for (const R of loaded) for (const s of R.spellings.keys()) allSp.add(s);
const features = {};
for (const sp of [...allSp].sort()) {
  const present = loaded.map((R) => R.spellings.has(sp));
  const d = dating(present);
  const R0 = loaded[d.first];
  const locOf = (R, x) => { const w = R.words.get(x.word); return { word: x.word, leaf: w.leaf, subleaf: w.subleaf, register: w.reg, bit: x.bit, msrIndex: w.msrIndex }; };
  const locKey = (l) => JSON.stringify([l.word, l.leaf, l.subleaf, l.register, l.bit, l.msrIndex]);
  const locs = new Map();
  const descs = loaded.map((R) => {
    const recs = R.spellings.get(sp);
    if (!recs) return null;
    return recs.map((x) => {
      const l = locOf(R, x); const k = locKey(l);
      if (!locs.has(k)) locs.set(k, { ...l, first: R.version });
      locs.get(k).last = R.version;
      return `${x.kind}${x.of ? ' of ' + x.of : ''} @ ${x.word}[${x.bit}]`;
    }).sort().join('; ');
  });
  const firstRecs = R0.spellings.get(sp);
  const top = locOf(R0, firstRecs[0]);
  const lastR = loaded[d.last];
  const lastRecs = lastR.spellings.get(sp);
  const kind0 = firstRecs[0].kind === 'alias' ? 'alias' : 'table';
  const lastKind = lastRecs[0].kind;
  const e = {
    leaf: top.leaf, subleaf: top.subleaf, register: top.register, bit: top.bit, msrIndex: top.msrIndex, word: top.word,
    first: R0.version, sinceOldest: d.first === 0, removedIn: d.removedIn, kind: kind0,
    aliasOf: lastKind === 'table' ? null : lastRecs[0].of,
    source: cite(R0, kind0 === 'alias' ? R0.aliasFile : R0.tableFile),
    history: ranges(descs),
  };
  if (d.gaps.length) e.gaps = d.gaps;
  if (locs.size > 1) e.locations = [...locs.values()];
  features[sp] = e;
}

// models
const allM = new Set();
for (const R of loaded) for (const n of R.models.keys()) allM.add(n);
const models = {};
for (const n of [...allM].sort()) {
  const present = loaded.map((R) => R.models.has(n));
  const d = dating(present);
  const R0 = loaded[d.first];
  const m0 = R0.models.get(n);
  const lastM = loaded[d.last].models.get(n);
  const vendors = loaded.map((R) => (R.models.has(n) ? String(R.models.get(n).vendor) : null));
  const fbr = {}; const unres = {};
  loaded.forEach((R) => {
    const m = R.models.get(n);
    if (!m) return;
    if (m.features) {
      const list = [];
      for (const [w, bits] of m.features) for (const b of bits) list.push(R.primary(w, b));
      fbr[R.version] = [...new Set(list)].sort();
    }
    if (m.unresolved && m.unresolved.length) unres[R.version] = [...m.unresolved].sort();
  });
  const e = {
    first: R0.version, sinceOldest: d.first === 0, removedIn: d.removedIn,
    vendor: lastM.vendor, vendorDefaulted: !!lastM.vendorDefaulted,
    versionOf: lastM.versionOf || null, aliasOf: lastM.aliasOf || null,
    kind: m0.kind, source: cite(R0, m0.file),
    history: ranges(loaded.map((R) => (R.models.has(n) ? R.models.get(n).kind + (R.models.get(n).aliasOf ? ' of ' + R.models.get(n).aliasOf : '') : null))),
    featuresByRelease: fbr,
  };
  if (new Set(vendors.filter((v) => v != null)).size > 1) e.vendorHistory = ranges(vendors);
  const defaulted = loaded.map((R) => (R.models.has(n) && R.models.get(n).vendorDefaulted ? 'defaulted to intel' : null));
  if (defaulted.some(Boolean)) e.vendorDefaultedIn = ranges(defaulted).map(({ from, to }) => ({ from, to }));
  if (d.gaps.length) e.gaps = d.gaps;
  if (Object.keys(unres).length) e.unresolvedByRelease = unres;
  models[n] = e;
}

const out = {
  generatedBy: 'scripts/kb/qemu-names.mjs',
  notes: [
    'Spellings are the raw strings of the feature-name tables (each \'|\' alternative separately) and of object_property_add_alias() calls in cpu.c.',
    'Releases with feat2prop=true also accept any spelling with \'_\' replaced by \'-\' (feat2prop() in the -cpu parser); those converted forms are not listed unless a table or alias names them.',
    'Old tables (no feature_word_info) are mapped by name: feature_name=1.EDX, ext_feature_name=1.ECX, ext2=0x80000001.EDX, ext3=0x80000001.ECX, kvm=0x40000001.EAX, svm=0x8000000A.EDX, cpuid_7_0_ebx=7.0.EBX; releases[].tableChecks tells whether the cpuid code confirms each.',
    'Model feature lists are the bits written in the model definition (plus cumulative version props from 4.1 on), named by that release\'s primary table spelling; bits set by code (e.g. AMD 0x80000001.EDX aliases, KVM defaults) are not included. Unnamed bits appear as LEAF[.SUBLEAF].REG[bit] or msrINDEX[bit].',
    'Model kinds: builtin (x86_defs/builtin_x86_defs entry), version (NAME-vN, 4.1+), alias (version alias), config ([cpudef] in sysconfigs/target/*.conf, read by default as a config file), qom (X86_CPU_TYPE_NAME literal type), special ("host" matched by name in old find_by_name code).',
    'vendor is taken from the newest release that has the model (vendorHistory when it differs across releases). vendorDefaulted=true: in that release the definition sets no vendor and the code falls back to CPUID_VENDOR_INTEL; vendorDefaultedIn lists all such releases.',
    'first is the oldest listed release that has the name (sinceOldest=true when it is the oldest release covered, 0.10); removedIn is the release right after the last one that has it; gaps lists removals that came back.',
  ],
  releases: loaded.map((R) => ({
    version: R.version, commit: R.commit, repo: R.gitdir.includes('ChengyuZhu6') ? 'ChengyuZhu6/qemu' : 'mkulke/qemu',
    paths: { tables: R.tableFile, models: R.defsFile, aliases: R.aliasFile || null, headers: R.files.headers, kvmPara: R.files.kvmPara, configs: R.files.configs },
    feat2prop: R.feat2prop, cpuOptions: R.cpuOptions, machineTypes: R.machineTypes, tableChecks: R.checks, unresolvedAliases: R.unresolvedAliases.sort(), notes: R.notes.sort(),
    counts: { words: R.words.size, spellings: R.spellings.size, models: R.models.size },
  })),
  features, models,
};

function canon(v) {
  if (Array.isArray(v)) return v.map(canon);
  if (v && typeof v === 'object') return Object.fromEntries(Object.keys(v).sort().map((k) => [k, canon(v[k])]));
  return v;
}
fs.mkdirSync(path.dirname(outPath), { recursive: true });
// The committed file keeps what the dating step reads; --full keeps everything.
const DROP = new Set(['history', 'featuresByRelease', 'unresolvedByRelease', 'vendorHistory']);
function compact(v, depth = 0) {
  if (Array.isArray(v)) return v.map((x) => compact(x, depth + 1));
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !DROP.has(k)).map(([k, x]) => [k, compact(x, depth + 1)]));
  return v;
}
const written = full ? out : { ...compact(out), releases: out.releases.map((r) => ({ version: r.version, commit: r.commit, cpuOptions: r.cpuOptions, machineTypes: r.machineTypes })) };
fs.writeFileSync(outPath, JSON.stringify(canon(written), null, 1) + '\n');
console.error(`wrote ${outPath}: ${Object.keys(features).length} spellings, ${Object.keys(models).length} models, ${loaded.length} releases`);
