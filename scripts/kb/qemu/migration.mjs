#!/usr/bin/env node
// qemu-migration.mjs — per-release x86 migration facts from QEMU release trees.
//
// Usage: node scripts/kb/qemu/migration.mjs [--releases TSV] [--out JSON] [--report MD] [--kb DIR]
//   --releases  release table (release, commit, gitdir, VERSION); default scripts/kb/qemu/releases.tsv
//   --out       default scripts/kb/data/qemu-migration.json
//   --report    optional: write a diff against the KB to this Markdown file
//   --kb        KB data dir holding msrs.json / releases.json; default server/src/kb/data next to this script
//
// Reads, per release, with `git -C GITDIR show COMMIT:PATH` (x86 only):
//   target(-|/)i386/{machine.c, kvm.c | kvm/kvm.c, kvm/kvm-cpu.c, cpu.c | cpuid.c, cpu.h},
//   hw/pc_piix.c | hw/i386/pc_piix.c, hw/i386/pc_q35.c | hw/pc_q35.c,
//   linux-headers/asm-x86/kvm_para.h, include/standard-headers/asm-x86/kvm_para.h (MSR_KVM_* indices).
// Extracts: MSR put/get in kvm.c vs. vmstate in machine.c; KVM default CPUID bits and machine-type
// compat; migration blockers (unmigratable_flags, invtsc, nested vmx/svm); feature_dependencies.
// Output is deterministic (sorted keys, 1-space indent).
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stripComments } from '../c-source.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const arg = (k, d) => { const i = process.argv.indexOf(k); return i > 0 ? process.argv[i + 1] : d; };
const TSV = arg('--releases', join(here, 'releases.tsv'));
const OUT = arg('--out', join(here, '../data/qemu-migration.json'));
const REPORT = arg('--report', null);
const KB = arg('--kb', join(here, '../../../server/src/kb/data'));

const releases = readFileSync(TSV, 'utf8').trim().split('\n').map((l) => {
  const [rel, commit, gitdir] = l.split('\t');
  return { rel, commit, gitdir };
});
const relIdx = new Map(releases.map((r, i) => [r.rel, i]));
const src = (r, path) => `qemu/qemu:${path}@${r.commit.slice(0, 12)}`;
const cmpRel = (a, b) => relIdx.get(a) - relIdx.get(b);

// ---------- tree access ----------
const CANDIDATES = {
  machine: ['target/i386/machine.c', 'target-i386/machine.c'],
  kvm: ['target/i386/kvm/kvm.c', 'target/i386/kvm.c', 'target-i386/kvm.c'],
  kvmcpu: ['target/i386/kvm/kvm-cpu.c'],
  cpu: ['target/i386/cpu.c', 'target-i386/cpu.c', 'target-i386/cpuid.c'],
  cpuh: ['target/i386/cpu.h', 'target-i386/cpu.h'],
  piix: ['hw/i386/pc_piix.c', 'hw/pc_piix.c'],
  q35: ['hw/i386/pc_q35.c', 'hw/pc_q35.c'],
  para1: ['include/standard-headers/asm-x86/kvm_para.h'],
  para2: ['linux-headers/asm-x86/kvm_para.h'],
};
function loadTree(r) {
  const list = new Set(execFileSync('git', ['-C', r.gitdir, 'ls-tree', '-r', '--name-only', r.commit,
    '--', 'target-i386', 'target/i386', 'hw', 'include/standard-headers/asm-x86', 'linux-headers/asm-x86'],
  { encoding: 'utf8', maxBuffer: 1 << 26 }).split('\n'));
  const t = {};
  for (const [k, paths] of Object.entries(CANDIDATES)) {
    const p = paths.find((x) => list.has(x));
    if (!p) continue;
    const raw = execFileSync('git', ['-C', r.gitdir, 'show', `${r.commit}:${p}`], { encoding: 'utf8', maxBuffer: 1 << 26 });
    t[k] = { path: p, text: stripComments(raw) };
  }
  return t;
}

// ---------- small C helpers ----------
function matchBrace(s, open) { // index of '{' or '(' -> index of its partner
  const o = s[open], c = o === '{' ? '}' : ')';
  let d = 0;
  for (let i = open; i < s.length; i++) {
    const ch = s[i];
    if (ch === '"' || ch === "'") { let j = i + 1; while (j < s.length && s[j] !== ch) j += s[j] === '\\' ? 2 : 1; i = j; continue; }
    if (ch === o) d++; else if (ch === c && --d === 0) return i;
  }
  return s.length;
}
function splitArgs(s, open) { // s[open] === '(' -> array of top-level argument strings
  const end = matchBrace(s, open), out = [];
  let d = 0, cur = '';
  for (let i = open + 1; i < end; i++) {
    const ch = s[i];
    if ('([{'.includes(ch)) d++; else if (')]}'.includes(ch)) d--;
    if (ch === ',' && d === 0) { out.push(cur.trim()); cur = ''; } else cur += ch;
  }
  out.push(cur.trim());
  return out;
}
function functions(s) { // top-level function definitions: [{name, body}]
  const out = [], re = /^[A-Za-z_][\w \t*]*?\b(\w+)\s*\(/gm;
  let m;
  while ((m = re.exec(s))) {
    const p = m.index + m[0].length - 1, close = matchBrace(s, p);
    const after = s.slice(close + 1, close + 200).match(/^\s*\{/);
    if (!after || ['if', 'while', 'for', 'switch', 'return'].includes(m[1])) continue;
    const b = close + 1 + after[0].length - 1, e = matchBrace(s, b);
    out.push({ name: m[1], body: s.slice(b, e + 1) });
    re.lastIndex = e;
  }
  return out;
}
function defines(s) { // #define NAME value (object-like and function-like)
  s = s.replace(/\\\n/g, ' ');
  const d = new Map(), re = /^[ \t]*#[ \t]*define[ \t]+(\w+)(\([^)]*\))?[ \t]+([^\n]*?)\s*$/gm;
  let m;
  while ((m = re.exec(s))) if (!d.has(m[1])) d.set(m[1], { params: m[2] || null, value: m[3] });
  return d;
}
function numValue(defs, name, depth = 0) { // numeric value of a macro or null
  const e = defs.get(name);
  if (!e || e.params || depth > 4) return null;
  let v = e.value.replace(/\b(\d+|0x[0-9a-fA-F]+)[uUlL]+\b/g, '$1').trim();
  while (/^\(.*\)$/.test(v) && matchBrace(v, 0) === v.length - 1) v = v.slice(1, -1).trim();
  if (/^(0x[0-9a-fA-F]+|\d+)$/.test(v)) return BigInt(v);
  let m = v.match(/^(\d+)\s*<<\s*(\d+)$/); if (m) return BigInt(m[1]) << BigInt(m[2]);
  m = v.match(/^(\w+)$/); if (m) return numValue(defs, m[1], depth + 1);
  m = v.match(/^\(?(\d+)\)?\s*<<\s*\(?(\w+)\)?$/);
  if (m) { const b = numValue(defs, m[2], depth + 1); return b === null ? null : BigInt(m[1]) << b; }
  m = v.match(/^(\w+)\s*\+\s*(0x[0-9a-fA-F]+|\d+)$/);
  if (m) { const b = numValue(defs, m[1], depth + 1); return b === null ? null : b + BigInt(m[2]); }
  return null;
}
const bitOf = (v) => { if (v === null || v === 0n) return null; let i = 0; while (!((v >> BigInt(i)) & 1n)) i++; return (v >> BigInt(i)) === 1n ? i : null; };
const hex = (v) => '0x' + v.toString(16);
const lead = (a) => { const m = a.match(/^[\s(]*(MSR_\w+)/); return m ? m[1] : null; };
const envField = (a) => { const m = a.match(/env->(\w+)/); return m ? m[1] : null; };

// ---------- 1. MSRs ----------
function kvmMsrs(t, defs) {
  const put = new Map(), get = new Map(), init = new Map(); // name -> Set(fields)
  const req = new Map(), res = new Map(), caseRanges = [];
  const add = (m, k, f) => { if (!k) return; if (!m.has(k)) m.set(k, new Set()); if (f) m.get(k).add(f); };
  if (!t.kvm) return { put, get, init };
  for (const fn of functions(t.kvm.text)) {
    const n = fn.name, b = fn.body;
    const cls = /get/.test(n) && !/supported|feature_msr|msr_list/.test(n) ? 'get' : /put|set/.test(n) ? 'put' : 'init';
    const reM = /\b(kvm_msr_entry_set|kvm_msr_entry_add|kvm_put_one_msr|kvm_set_one_msr|kvm_get_one_msr)\s*\(/g;
    let m;
    while ((m = reM.exec(b))) {
      const a = splitArgs(b, m.index + m[0].length - 1);
      const name = lead(a[1] || ''), f = envField(a[2] || '');
      if (!name) continue;
      if (m[1] === 'kvm_get_one_msr') { add(get, name, f); continue; }
      if (m[1] === 'kvm_put_one_msr' || m[1] === 'kvm_set_one_msr') { add(put, name, f); continue; }
      if (cls === 'put') add(put, name, f); else if (cls === 'get') add(req, name); else add(init, name, f);
    }
    if (cls === 'init') continue;
    const idx = [...b.matchAll(/\.index\s*=\s*(MSR_\w+)/g)].map((x) => x[1]);
    for (const name of idx) { if (cls === 'put') add(put, name, null); else add(req, name); }
    if (cls !== 'get') continue;
    // results: case labels (ranges: both bounds), "index >= MSR_X" tests, single-entry readers
    const reC = /\bcase\s+([^:]+?)(?:\s*\.\.\.\s*([^:]+?))?\s*:(?!:)/g;
    while ((m = reC.exec(b))) {
      const body = b.slice(reC.lastIndex, reC.lastIndex + 600).split(/\bbreak\s*;/)[0];
      const fm = body.match(/env->(\w+)[^;=]*=(?!=)/);
      for (const side of [m[1], m[2]]) if (side && lead(side)) add(res, lead(side), fm && fm[1]);
      if (m[2]) caseRanges.push([m[1], m[2], fm && fm[1]]);
    }
    for (const x of b.matchAll(/index\s*>=\s*(MSR_\w+)/g)) {
      const fm = b.slice(x.index, x.index + 400).match(/env->(\w+)[^;=]*=(?!=)/);
      add(res, x[1], fm && fm[1]);
    }
    if (idx.length === 1 && !/switch\s*\(/.test(b)) { const fm = b.match(/env->(\w+)\s*=(?!=)/); add(res, idx[0], fm && fm[1]); }
  }
  const evalIdx = (e) => { const m = e.trim().match(/^(MSR_\w+)(?:\s*\+\s*(0x[0-9a-fA-F]+|\d+))?$/); if (!m) return null;
    const v = numValue(defs, m[1]); return v === null ? null : v + BigInt(m[2] || 0); };
  for (const [lo, hi, f] of caseRanges) { // "case A ... B:" covers every requested MSR between the bounds
    const a = evalIdx(lo), z = evalIdx(hi);
    if (a === null || z === null) continue;
    for (const k of req.keys()) { const v = numValue(defs, k); if (v !== null && v >= a && v <= z) add(res, k, f); }
  }
  for (const [k, fs] of req) if (res.has(k)) { add(get, k); for (const f of res.get(k)) get.get(k).add(f); }
  // EFER travels in struct kvm_sregs(2), not in the MSR lists
  if (/sregs2?\.efer\s*=\s*env->efer/.test(t.kvm.text)) add(put, 'MSR_EFER', 'efer');
  if (/env->efer\s*=\s*sregs2?\.efer/.test(t.kvm.text)) add(get, 'MSR_EFER', 'efer');
  return { put, get, init };
}
function vmstate(t) { // field -> section name ("cpu" main or "cpu/..."), reachable from the "cpu" description
  const fields = new Map();
  if (!t.machine) return fields;
  const s = t.machine.text, blocks = new Map();
  for (const m of s.matchAll(/VMStateDescription\s+(\w+)\s*=\s*\{/g)) {
    const b0 = m.index + m[0].length - 1, body = s.slice(b0, matchBrace(s, b0) + 1);
    const nm = (body.match(/\.name\s*=\s*"([^"]+)"/) || [])[1];
    const fs = [...body.matchAll(/\bVMSTATE_\w+\s*\(\s*([^,()]+)/g)].map((x) => x[1].trim().replace(/^(parent_obj\.|env\.|env->)/, '').match(/^\w+/)?.[0]).filter(Boolean);
    const refs = [...body.matchAll(/&\s*(\w+)/g)].map((x) => x[1]);
    blocks.set(m[1], { nm, fs, refs });
  }
  const main = [...blocks.entries()].find(([, v]) => v.nm === 'cpu');
  if (main) {
    const seen = new Set(), stack = [[main[0], null]];
    while (stack.length) {
      const [id, top] = stack.pop();
      if (seen.has(id) || !blocks.has(id)) continue;
      seen.add(id);
      const b = blocks.get(id), sec = id === main[0] ? 'cpu' : (top || b.nm);
      for (const f of b.fs) if (!fields.has(f) || fields.get(f) !== 'cpu') fields.set(f, fields.get(f) && sec !== 'cpu' ? fields.get(f) : sec);
      for (const r of b.refs) stack.push([r, id === main[0] ? null : sec]);
    }
  }
  for (const m of s.matchAll(/qemu_put_\w+\s*\(\s*f\s*,\s*&?\s*env->(\w+)/g)) fields.set(m[1], 'cpu'); // pre-vmstate cpu_save
  return fields;
}

// ---------- feature names (for blockers / dependencies) ----------
function featNames(t) { // FEAT_x -> [names by bit]
  const out = new Map();
  if (!t.cpu) return out;
  const s = t.cpu.text;
  const arrays = new Map();
  for (const m of s.matchAll(/(\w+)\s*\[\s*\w*\s*\]\s*=\s*\{/g)) {
    const b0 = m.index + m[0].length - 1; arrays.set(m[1], s.slice(b0 + 1, matchBrace(s, b0)));
  }
  const list = (body) => { // feat_names initialiser, positional or designated ([16] = "x")
    const out = []; let pos = 0;
    for (const x of body.split(',').map((y) => y.trim()).filter((y) => y !== '')) {
      const d = x.match(/^\[\s*(\d+)\s*\]\s*=\s*(.*)$/s);
      if (d) pos = +d[1];
      out[pos++] = ((d ? d[2] : x).match(/^"([^"]*)"/) || [])[1] || null;
    }
    return out;
  };
  const fwi = s.search(/FeatureWordInfo\s+feature_word_info\s*\[[^\]]*\]\s*=\s*\{/);
  if (fwi < 0) return out;
  const b0 = s.indexOf('{', fwi), fw = s.slice(b0, matchBrace(s, b0));
  for (const m of fw.matchAll(/\[\s*(FEAT_\w+)\s*\]\s*=\s*\{/g)) {
    const e0 = m.index + m[0].length - 1, e = fw.slice(e0, matchBrace(fw, e0) + 1);
    let fm = e.match(/\.feat_names\s*=\s*\{/), names = [];
    if (fm) { const f0 = fm.index + fm[0].length - 1; names = list(e.slice(f0 + 1, matchBrace(e, f0))); }
    else if ((fm = e.match(/\.feat_names\s*=\s*(\w+)/)) && arrays.has(fm[1])) names = list(arrays.get(fm[1]));
    out.set(m[1], { names, body: e });
  }
  return out;
}
function maskNames(defs, fnames, word, expr) {
  expr = expr.trim();
  if (/^~0/.test(expr)) return [`${word}:*`];
  const toks = [], walk = (e, d) => {
    for (let tok of e.split('|')) {
      tok = tok.trim().replace(/^\(+|\)+$/g, '').trim();
      if (!tok) continue;
      const def = defs.get(tok);
      if (d < 4 && def && !def.params && def.value.includes('|')) walk(def.value, d + 1); else toks.push(tok);
    }
  };
  walk(expr, 0);
  return toks.map((tok) => {
    const b = /^\w+$/.test(tok) ? bitOf(numValue(defs, tok)) : null;
    const nm = b !== null && fnames.get(word) ? fnames.get(word).names[b] : null;
    return nm || (/^[A-Z]\w*$/.test(tok) ? tok : `${word}:${tok}`);
  });
}
function unmigratable(t, defs, fnames) {
  const out = [];
  for (const [w, { body }] of fnames) {
    const m = body.match(/\.unmigratable_flags\s*=\s*([^,}]+)/);
    if (m && m[1].trim() !== '0') for (const n of maskNames(defs, fnames, w, m[1])) out.push(n);
  }
  return out.sort();
}
function dependencies(t, defs, fnames) {
  if (!t.cpu) return null;
  const s = t.cpu.text, i = s.search(/FeatureDep\s+feature_dependencies\s*\[\s*\]\s*=\s*\{/);
  if (i < 0) return null;
  const b0 = s.indexOf('{', i), body = s.slice(b0, matchBrace(s, b0)), out = [];
  for (const m of body.matchAll(/\.from\s*=\s*\{\s*(FEAT_\w+)\s*,\s*([^}]+)\}\s*,\s*\.to\s*=\s*\{\s*(FEAT_\w+)\s*,\s*([^}]+)\}/g)) {
    for (const f of maskNames(defs, fnames, m[1], m[2])) for (const to of maskNames(defs, fnames, m[3], m[4])) out.push([f, to]);
  }
  return out;
}

// ---------- 2. KVM defaults ----------
const KVMF = { CLOCKSOURCE: 'kvmclock', NOP_IO_DELAY: 'kvm-nopiodelay', MMU_OP: 'kvm-mmu', CLOCKSOURCE2: 'kvmclock',
  ASYNC_PF: 'kvm-asyncpf', STEAL_TIME: 'kvm-steal-time', PV_EOI: 'kvm-pv-eoi', PV_UNHALT: 'kvm-pv-unhalt',
  CLOCKSOURCE_STABLE_BIT: 'kvmclock-stable-bit' };
const CPUIDF = { CPUID_EXT_X2APIC: 'x2apic', CPUID_ACPI: 'acpi', CPUID_EXT_MONITOR: 'monitor', CPUID_EXT3_SVM: 'svm' };
const tokNames = (expr) => [...new Set([...expr.matchAll(/KVM_FEATURE_(\w+)|\b(CPUID_\w+)/g)]
  .map((m) => (m[1] ? KVMF[m[1]] || `kvm:${m[1]}` : CPUIDF[m[2]] || m[2])))];
const uniqSort = (a) => [...new Set(a)].sort();
function kvmDefaults(r, t) {
  const sources = [], cond = [];
  const res = { on: [], off: [], followsHostKernel: false, mechanism: null, conditional: cond, sources };
  const kv = t.kvm?.text || '', cp = t.cpu?.text || '', kc = t.kvmcpu?.text || '';
  const block = (s, re) => { const i = s.search(re); if (i < 0) return null; const b0 = s.indexOf('{', i); return s.slice(b0, matchBrace(s, b0) + 1); };
  const props = block(kc, /kvm_default_props\s*\[\s*\]\s*=/) || block(cp, /kvm_default_props\s*\[\s*\]\s*=/);
  if (props) {
    const f = block(kc, /kvm_default_props\s*\[\s*\]\s*=/) ? t.kvmcpu : t.cpu;
    for (const m of props.matchAll(/\{\s*"([\w-]+)"\s*,\s*"(\w+)"\s*\}/g)) (m[2] === 'on' ? res.on : res.off).push(m[1]);
    res.mechanism = 'kvm_default_props'; sources.push(src(r, f.path));
  } else if (/kvm_default_features/.test(cp) && /static uint32_t kvm_default_features\b[^=]*=\s*(\{|\()/.test(cp)) {
    const b = cp.slice(cp.search(/static uint32_t kvm_default_features/)).split(';')[0];
    res.on = tokNames(b);
    const u = block(cp, /static uint32_t kvm_default_unset_features/);
    if (u) res.off = tokNames(u);
    res.mechanism = 'kvm_default_features'; sources.push(src(r, t.cpu.path));
    if (/enable_kvm_pv_eoi/.test(cp)) res.on.push('kvm-pv-eoi');
    if (/enable_kvm_pv_eoi/.test(cp)) cond.push('kvm-pv-eoi: not in kvm_default_features; enable_kvm_pv_eoi() adds it, and only the pc-1.3 machine init (pc_init_pci_1_3) calls it, so every other machine type of this release lacks it (see compat)');
    // a second, KVM-less definition (e.g. "#else kvm_default_features = 0") is not the KVM case
  } else if (/plus_kvm_features\s*=\s*\(1\s*<</.test(cp)) {
    const i = cp.search(/plus_kvm_features\s*=\s*\(1\s*<</);
    res.on = tokNames(cp.slice(i).split(';')[0]); res.mechanism = 'plus_kvm_features mask in cpu_x86_find_by_name'; sources.push(src(r, t.cpu.path));
  } else if (/plus_kvm_features\s*=\s*~0/.test(cp) && /KVM_CPUID_FEATURES/.test(kv)) {
    const hostLeaf = /cpuid_kvm_features\s*&\s*kvm_arch_get_supported_cpuid\s*\([^)]*KVM_CPUID_FEATURES/.test(kv);
    const para = /cpuid_kvm_features\s*&\s*get_para_features/.test(kv);
    sources.push(src(r, t.cpu.path), src(r, t.kvm.path));
    if (hostLeaf) {
      res.followsHostKernel = true; res.mechanism = 'plus_kvm_features = ~0, masked by KVM_GET_SUPPORTED_CPUID leaf 0x40000001 EAX';
      const fn = block(cp, /kvm_feature_name\s*\[\s*\]\s*=/);
      res.on = fn ? uniqSort([...fn.matchAll(/"([\w-]+)"/g)].map((m) => m[1].replace(/_/g, '-'))) : [];
      cond.push('every KVM_CPUID_FEATURES.EAX bit reported by the host kernel reaches the guest (named bits listed in "on"; unnamed bits too); fallback for kernels without the leaf: KVM_CAP_* probe list (get_para_features)');
    } else if (para) {
      const pf = block(kv, /para_features\s*\[\s*\]\s*=/) || '';
      res.on = uniqSort(tokNames(pf)); res.mechanism = 'plus_kvm_features = ~0, masked by get_para_features() (KVM_CAP_* probes)';
      cond.push('each bit only if the host reports the matching KVM_CAP_* extension');
    }
  } else {
    res.mechanism = /KVM_CPUID_FEATURES/.test(kv) ? 'unknown' : 'no KVM paravirt CPUID leaf written by QEMU';
    if (t.kvm) sources.push(src(r, t.kvm.path));
  }
  // forced changes under KVM that depend on the irqchip
  const all = cp + kc;
  if (/x86_cpu_change_kvm_default\(\s*"x2apic"\s*,\s*"off"\s*\)/.test(all)) cond.push('x2apic: default switched off when the irqchip is not in-kernel');
  else if (/ret\s*&=\s*~CPUID_EXT_X2APIC/.test(kv)) cond.push('x2apic: cleared from the supported set when the irqchip is not in-kernel');
  if (/x86_cpu_change_kvm_default\(\s*"kvm-msi-ext-dest-id"\s*,\s*"on"\s*\)/.test(all)) cond.push('kvm-msi-ext-dest-id: default switched on with a split irqchip');
  res.on = uniqSort(res.on); res.off = uniqSort(res.off);
  return res;
}

// ---------- compat (machine types) ----------
const COMPAT_CALL = /\b(enable_kvm_pv_eoi|disable_kvm_pv_eoi|x86_cpu_compat_disable_kvm_features|x86_cpu_compat_kvm_no_autoenable|x86_cpu_compat_kvm_no_autodisable|x86_cpu_change_kvm_default)\s*\(/g;
function compatCalls(r, t) {
  const out = [];
  for (const key of ['piix', 'q35']) {
    if (!t[key]) continue;
    const s = t[key].text, fns = functions(s), byName = new Map(fns.map((f) => [f.name, f]));
    const direct = new Map();
    for (const f of fns) {
      for (const m of f.body.matchAll(COMPAT_CALL)) {
        const a = splitArgs(f.body, m.index + m[0].length - 1);
        let feat, value;
        if (m[1] === 'enable_kvm_pv_eoi') { feat = 'kvm-pv-eoi'; value = 'enable'; }
        else if (m[1] === 'disable_kvm_pv_eoi') { feat = 'kvm-pv-eoi'; value = false; }
        else if (m[1] === 'x86_cpu_change_kvm_default') { feat = a[0].replace(/"/g, ''); value = a[1] === 'NULL' ? null : a[1].replace(/"/g, ''); }
        else { feat = tokNames(a[1])[0]; value = m[1] === 'x86_cpu_compat_kvm_no_autodisable' ? null : false; }
        if (value === null && !['svm', 'acpi', 'monitor'].includes(feat)) value = false; // dropped "on" default: no CPU model sets it
        if (!direct.has(f.name)) direct.set(f.name, []);
        direct.get(f.name).push({ feat, value, fn: m[1] });
      }
    }
    const closure = (name, seen = new Set()) => { // compat calls reachable from a function in this file
      if (seen.has(name) || !byName.has(name)) return [];
      seen.add(name);
      const acc = [...(direct.get(name) || [])];
      for (const c of byName.get(name).body.matchAll(/\b(\w+)\s*\(/g)) if (c[1] !== name) acc.push(...closure(c[1], seen));
      return acc;
    };
    const machines = [];
    const mdefs = defines(s);
    const expand = (x, d = 0) => (d > 10 ? x : x.replace(/\b[A-Z][A-Z0-9_]*MACHINE_OPTIONS\b/g, (k) => (mdefs.has(k) && !mdefs.get(k).params ? expand(mdefs.get(k).value, d + 1) : k)));
    for (const m of s.matchAll(/QEMUMachine\s+\w+\s*=\s*\{/g)) { // QEMUMachine structs (1.x-2.3); .init may sit in *_MACHINE_OPTIONS macros
      const b0 = m.index + m[0].length - 1, blk = expand(s.slice(b0, matchBrace(s, b0)));
      const name = (blk.match(/\.name\s*=\s*"([^"]+)"/) || [])[1], inits = [...blk.matchAll(/\.init\s*=\s*(\w+)/g)];
      if (name && inits.length) machines.push({ name, fns: [inits[inits.length - 1][1]] });
    }
    for (const m of s.matchAll(/DEFINE_(?:I440FX|Q35|PC)_MACHINE\s*\(\s*\w+\s*,\s*"([^"]+)"\s*,\s*(\w+)\s*,\s*(\w+)/g)) machines.push({ name: m[1], fns: [m[2], m[3]] });
    for (const mc of machines) for (const c of mc.fns.flatMap((f) => closure(f))) out.push({ machine: mc.name, ...c, file: t[key].path });
    for (const mc of machines) out.push({ machine: mc.name, feat: null, file: t[key].path }); // machine list
  }
  return out;
}
const mver = (n) => { const m = n.match(/(\d+)\.(\d+)$/); return m ? [+m[1], +m[2]] : null; };

// ---------- main ----------
const perRel = [];
for (const r of releases) {
  const t = loadTree(r);
  const defs = new Map();
  for (const k of ['cpuh', 'para1', 'para2']) if (t[k]) for (const [n, v] of defines(t[k].text)) if (!defs.has(n)) defs.set(n, v);
  const fn = featNames(t);
  perRel.push({ r, t, defs, msr: kvmMsrs(t, defs), vm: vmstate(t), kd: kvmDefaults(r, t), compat: compatCalls(r, t),
    unmig: unmigratable(t, defs, fn), deps: dependencies(t, defs, fn) });
  process.stderr.write(`${r.rel} `);
}
process.stderr.write('\n');

// MSRs
const msrNames = new Set();
for (const p of perRel) for (const m of [p.msr.put, p.msr.get, p.msr.init]) for (const k of m.keys()) msrNames.add(k);
const firstRel = (flags) => { const i = flags.findIndex(Boolean); return i < 0 ? null : releases[i].rel; };
const runStart = (flags) => { // start of the final run of true values reaching the newest release
  if (!flags[flags.length - 1]) return null;
  let i = flags.length - 1; while (i > 0 && flags[i - 1]) i--; return releases[i].rel;
};
const ranges = (flags) => { const out = []; let s = -1;
  flags.forEach((f, i) => { if (f && s < 0) s = i; if ((!f || i === flags.length - 1) && s >= 0) { const e = f ? i : i - 1; out.push(releases[s].rel === releases[e].rel ? releases[s].rel : `${releases[s].rel}..${releases[e].rel}`); s = -1; } });
  return out; };
const msrs = {};
for (const name of [...msrNames].sort()) {
  const fieldsAt = perRel.map((p) => new Set([...(p.msr.put.get(name) || []), ...(p.msr.get.get(name) || []), ...(p.msr.init.get(name) || [])]));
  const put = perRel.map((p) => p.msr.put.has(name)), get = perRel.map((p) => p.msr.get.has(name));
  const initOnly = perRel.map((p) => p.msr.init.has(name));
  const sec = perRel.map((p, i) => { for (const f of [...fieldsAt[i]].sort()) if (p.vm.has(f)) return { f, s: p.vm.get(f) }; return null; });
  // vmstate before the MSR shows up in kvm.c: use the fields known from any release
  const allFields = new Set(fieldsAt.flatMap((s) => [...s]));
  const vmAny = perRel.map((p, i) => sec[i] || [...allFields].sort().map((f) => (p.vm.has(f) ? { f, s: p.vm.get(f) } : null)).find(Boolean) || null);
  const vm = vmAny.map(Boolean), all = vm.map((v, i) => v && put[i] && get[i]);
  let index = null;
  for (let i = perRel.length - 1; i >= 0 && index === null; i--) {
    const d = perRel[i].defs.get(name);
    if (!d) continue;
    const v = numValue(perRel[i].defs, name);
    index = v !== null ? hex(v) : `${d.params || ''}${d.value}`.replace(/\s+/g, ' ');
  }
  const at = (flags, file) => { const i = flags.findIndex(Boolean); return i < 0 ? null : src(releases[i], perRel[i].t[file].path); };
  const last = vmAny[vmAny.length - 1] || [...vmAny].reverse().find(Boolean) || null;
  msrs[name] = {
    index,
    vmstateField: last ? last.f : null,
    vmstateSince: firstRel(vm),
    vmstateSubsection: last && last.s !== 'cpu' ? last.s : null,
    kvmPutSince: firstRel(put),
    kvmGetSince: firstRel(get),
    kvmInitSince: firstRel(initOnly),
    migratedUnderKvmSince: runStart(all),
    history: { vmstate: ranges(vm), put: ranges(put), get: ranges(get), init: ranges(initOnly), all: ranges(all) },
    sources: uniqSort([at(vm, 'machine'), at(put, 'kvm'), at(get, 'kvm'), at(all, 'kvm')].filter(Boolean)),
  };
}

// kvmDefaults
const kvmDefaultsOut = {};
for (const p of perRel) kvmDefaultsOut[p.r.rel] = p.kd;

// compat: group by (feature, value, machine set) per release, then merge equal consecutive releases
const compatRows = new Map();
for (const p of perRel) {
  const allMachines = uniqSort(p.compat.filter((c) => !c.feat).map((c) => c.machine));
  const groups = new Map();
  for (const c of p.compat.filter((x) => x.feat)) {
    const k = `${c.feat}\t${c.value}`;
    if (!groups.has(k)) groups.set(k, { feat: c.feat, value: c.value, ms: new Set(), files: new Set() });
    groups.get(k).ms.add(c.machine); groups.get(k).files.add(c.file);
  }
  for (const g of groups.values()) {
    let ms = [...g.ms], value = g.value;
    if (value === 'enable') { ms = allMachines.filter((m) => !g.ms.has(m)); value = false; }
    ms = uniqSort(ms);
    const vs = ms.map(mver).filter(Boolean), up = vs.sort((a, b) => b[0] - a[0] || b[1] - a[1])[0];
    const key = `${g.feat}\t${value}\t${ms.join(',')}`;
    if (!compatRows.has(key)) compatRows.set(key, { feature: g.feat, value, machines: ms, upTo: up ? `${up[0]}.${up[1]}` : null, rels: [], files: new Set() });
    compatRows.get(key).rels.push(p.r.rel); for (const f of g.files) compatRows.get(key).files.add(`${p.r.rel}\t${f}`);
  }
}
const compat = [...compatRows.values()].map((c) => {
  const firstFile = [...c.files].sort((a, b) => cmpRel(a.split('\t')[0], b.split('\t')[0]))[0].split('\t');
  const prefixes = uniqSort(c.machines.map((m) => (mver(m) ? m.replace(/-?\d+\.\d+$/, '') : m)));
  return {
    feature: c.feature, value: c.value,
    meaning: c.value === null ? 'KVM default dropped: the CPU model\'s own value applies' : 'not enabled by default',
    upTo: c.upTo,
    machineTypes: `${prefixes.filter((x) => c.machines.some((m) => mver(m) && m.startsWith(x))).map((x) => `${x}-*`).join(', ')}${c.upTo ? ` up to ${c.upTo}` : ''}${c.machines.filter((m) => !mver(m)).map((m) => `, ${m}`).join('')}`.replace(/^, /, ''),
    machines: c.machines,
    releases: ranges(releases.map((r) => c.rels.includes(r.rel))),
    source: src(releases[relIdx.get(firstFile[0])], firstFile[1]),
  };
}).sort((a, b) => (a.feature < b.feature ? -1 : a.feature > b.feature ? 1 : cmpRel(a.releases[0].split('..')[0], b.releases[0].split('..')[0])));

// blockers
function statusRanges(statusAt, srcAt) {
  const out = []; let cur = null;
  perRel.forEach((p, i) => {
    const s = statusAt(p);
    const k = s ? JSON.stringify(s) : null;
    if (cur && cur.k === k) { cur.until = p.r.rel; return; }
    if (cur && cur.k !== null) out.push(cur);
    cur = { k, from: p.r.rel, until: p.r.rel, s, src: s ? srcAt(p) : null };
  });
  if (cur && cur.k !== null) out.push(cur);
  const lastRel = releases[releases.length - 1].rel;
  return out.map((c) => ({ from: c.from, until: c.until === lastRel ? null : c.until, ...c.s, source: c.src }));
}
const kvmSrc = (p) => src(p.r, p.t.kvm.path), cpuSrc = (p) => src(p.r, p.t.cpu.path), machSrc = (p) => src(p.r, p.t.machine.path);
const blockers = {
  invtsc: statusRanges((p) => {
    const unm = p.unmig.includes('invtsc'), blk = /invtsc_mig_blocker/.test(p.t.kvm?.text || '');
    if (!unm && !blk) return null;
    const lifted = /if\s*\(\s*!env->user_tsc_khz\s*\)\s*\{\s*if\s*\([^)]*CPUID_APM_INVTSC/.test(p.t.kvm?.text || '');
    return { unmigratableFlag: unm, kvmMigrationBlocker: blk, liftedByTscFrequency: lifted };
  }, (p) => [cpuSrc(p), kvmSrc(p)]),
  'arch-capabilities': statusRanges((p) => (p.unmig.includes('arch-capabilities') ? { unmigratableFlag: true } : null), (p) => [cpuSrc(p)]),
  unmigratableFlags: statusRanges((p) => (p.unmig.length ? { flags: p.unmig } : null), (p) => [cpuSrc(p)]),
  vmx: statusRanges((p) => {
    const kv = p.t.kvm?.text || '', mc = p.t.machine?.text || '';
    const blk = /"Nested (VMX )?virtualization does not support live migration yet"/.test(kv) && /CPUID_EXT_VMX|cpu_has_nested_virt|cpu_has_vmx/.test(kv);
    const state = vmstate(p.t).has('nested_state') && /"cpu\/kvm_nested_state\/vmx"/.test(mc);
    const pre = /cpu_vmx_maybe_enabled\(env\)\s*&&\s*\(\s*!env->nested_state/.test(mc);
    if (!blk && !state) return { status: 'no blocker, nested state not migrated' };
    return state ? { status: 'nested state migrated', vmstateSubsection: 'cpu/nested_state', formatSubsection: 'cpu/kvm_nested_state/vmx',
      preSaveFailsWithoutKernelSupport: pre, kernelCapability: 'KVM_CAP_NESTED_STATE',
      kernelBracket: { absentIn: '4.6.2', presentIn: '4.20', sources: ['xing393939/linux-4.6.2:include/uapi/linux/kvm.h', 'a4913994/linux-4.20:include/uapi/linux/kvm.h'] } } : { status: 'migration blocker', message: (kv.match(/"(Nested (?:VMX )?virtualization does not support live migration yet)"/) || [])[1] };
  }, (p) => [kvmSrc(p), machSrc(p)]),
  svm: statusRanges((p) => {
    const kv = p.t.kvm?.text || '', mc = p.t.machine?.text || '';
    const blk = /"Nested virtualization does not support live migration yet"/.test(kv) && /cpu_has_nested_virt|CPUID_EXT3_SVM/.test(kv);
    if (/"cpu\/kvm_nested_state\/svm"/.test(mc)) return { status: 'nested state migrated', vmstateSubsection: 'cpu/nested_state', formatSubsection: 'cpu/kvm_nested_state/svm', preSaveFailsWithoutKernelSupport: false,
      kernelCapability: 'KVM_CAP_NESTED_STATE with KVM_STATE_NESTED_FORMAT_SVM', kernelSince: '5.8 (stated in the message of qemu/qemu@b16c0e20c742; linux 5.3/5.4 uapi still marks FORMAT_SVM "unused")' };
    return blk ? { status: 'migration blocker' } : { status: 'no blocker, nested state not migrated' };
  }, (p) => [kvmSrc(p), machSrc(p)]),
};
{ const f = blockers.invtsc.find((e) => e.liftedByTscFrequency); for (const e of blockers.invtsc) e.liftedByTscFrequencyFrom = f ? f.from : null; }
blockers.migratableFilter = statusRanges((p) => {
  const c = p.t.cpu?.text || '';
  if (!/x86_cpu_get_migratable_flags/.test(c)) return null;
  return { rule: /migratable_flags\s*&\s*f\)\s*\|\|/.test(c) ? 'bit migratable if listed in migratable_flags, or named in feat_names and not in unmigratable_flags'
    : 'bit migratable if named in feat_names and not in unmigratable_flags' };
}, (p) => [cpuSrc(p)]);
blockers.notes = {
  invtsc: 'Invariant-TSC: unmigratable_flags keeps it out of "-cpu host,migratable=on"; kvm.c adds a migration blocker "State blocked by non-migratable CPU device (invtsc flag)". liftedByTscFrequency = the blocker is skipped when tsc-frequency (env->user_tsc_khz) is set: qemu/qemu@d99569d9d856 "kvm: Allow invtsc migration if tsc-khz is set explicitly" (2017-01-08).',
  'arch-capabilities': 'Added unmigratable by qemu/qemu@3fc7c73139d2 (2018-07-05); made migratable by qemu/qemu@014018e19b3c "i386: Make arch_capabilities migratable" (2019-01-25).',
  vmx: 'Blocker added by qemu/qemu@d98f26073beb (2018-11-14). Nested state save/restore: qemu/qemu@ebbfef2f34cf (2019-06-19, uses KVM_GET/SET_NESTED_STATE, kernel commit 8fcc4b5923af "kvm: nVMX: Introduce KVM_CAP_NESTED_STATE"); blocker replaced by a cpu_pre_save check by qemu/qemu@79a197ab180e (2019-07-06): migration fails ("Guest maybe enabled nested virtualization but kernel does not support required capabilities to save vCPU nested state") only if the vCPU may have VMX enabled and the kernel lacks KVM_CAP_NESTED_STATE, or lacks KVM_CAP_EXCEPTION_PAYLOAD while in guest mode with an injected exception. KVM_CAP_NESTED_STATE (157) and KVM_CAP_EXCEPTION_PAYLOAD (164): absent from linux-4.6.2 (xing393939/linux-4.6.2), present in linux-4.20 (a4913994/linux-4.20:include/uapi/linux/kvm.h); 4.19 not checked from a tree.',
  svm: 'No SVM-specific blocker in any release (the 3.1/4.0 blocker tests CPUID_EXT_VMX only; the VMX+SVM blocker of qemu/qemu@18ab37ba1cee never reached a release). SVM nested state: qemu/qemu@b16c0e20c742 (2020-05-20) "KVM: add support for AMD nested live migration", whose message says the kernel side is part of Linux 5.8; the cpu_pre_save check covers VMX only, so without kernel support an SVM guest migrates without its nested state.',
};

// dependencies
const dependenciesOut = {};
for (const p of perRel) if (p.deps) dependenciesOut[p.r.rel] = p.deps.map((d) => d).sort((a, b) => (a.join() < b.join() ? -1 : a.join() > b.join() ? 1 : 0));
const depPairs = new Map();
for (const [rel, list] of Object.entries(dependenciesOut)) for (const d of list) { const k = d.join(' -> '); if (!depPairs.has(k)) depPairs.set(k, []); depPairs.get(k).push(rel); }
const dependencyRanges = {};
for (const [k, rels] of [...depPairs.entries()].sort()) dependencyRanges[k] = ranges(releases.map((r) => rels.includes(r.rel)));

// ---------- output ----------
const sortKeys = (v) => (Array.isArray(v) ? v.map(sortKeys) : v && typeof v === 'object'
  ? Object.fromEntries(Object.keys(v).sort((a, b) => (relIdx.has(a) && relIdx.has(b) ? cmpRel(a, b) : a < b ? -1 : a > b ? 1 : 0)).map((k) => [k, sortKeys(v[k])])) : v);
const out = { generatedBy: 'scripts/kb/qemu-migration.mjs', releases: releases.map((r) => r.rel),
  msrs, kvmDefaults: kvmDefaultsOut, compat, blockers, dependencies: dependenciesOut, dependencyRanges };
mkdirSync(dirname(OUT), { recursive: true });
writeFileSync(OUT, JSON.stringify(sortKeys(out), null, 1) + '\n');

// ---------- report against the KB ----------
const lines = ['# QEMU migration facts vs. KB', '', `Generated by scripts/kb/qemu-migration.mjs from ${releases.length} release trees (${releases[0].rel}..${releases[releases.length - 1].rel}).`, ''];
if (existsSync(join(KB, 'msrs.json'))) {
  const kb = JSON.parse(readFileSync(join(KB, 'msrs.json'), 'utf8'));
  const byIndex = new Map();
  for (const [n, m] of Object.entries(msrs)) if (/^0x/.test(m.index || '')) { if (!byIndex.has(m.index)) byIndex.set(m.index, []); byIndex.get(m.index).push(n); }
  lines.push('## msrs.json migratedSince vs. migratedUnderKvmSince', '', '| KB MSR | index | KB migratedSince | QEMU macro | vmstateSince | kvmPut | kvmGet | migratedUnderKvmSince | evidence |', '|---|---|---|---|---|---|---|---|---|');
  const same = [];
  const kbByName = new Map(kb.map((k) => [k.name, k]));
  const matched = new Set();
  for (const k of kb) {
    if (k.stateSharedWith && kbByName.has(k.stateSharedWith)) { // e.g. *_NEW kvmclock MSRs: state saved through the old index
      const o = kbByName.get(k.stateSharedWith), on = [o.name, ...(o.aliases || [])].find((a) => msrs[a]) || (byIndex.get(o.index) || [])[0];
      if (on && msrs[on].migratedUnderKvmSince === (k.migratedSince ?? null)) { same.push(`${k.name} (via ${on})`); continue; }
    }
    const cands = uniqSort([...(msrs[k.name] ? [k.name] : []), ...(k.aliases || []).filter((a) => msrs[a]), ...(byIndex.get(k.index) || [])]);
    const n = cands[0];
    const m = n ? msrs[n] : null;
    const mine = m ? m.migratedUnderKvmSince : null;
    if (n) matched.add(n);
    if (m && mine === (k.migratedSince ?? null)) { same.push(k.name); continue; }
    if (!m && (k.migratedSince ?? null) === null) { same.push(k.name); continue; }
    const beyond = !m && /^\d+\.\d+$/.test(k.migratedSince || '') && !relIdx.has(k.migratedSince) ? ` (KB value is beyond the newest tree ${releases[releases.length - 1].rel})` : '';
    lines.push(`| ${k.name} | ${k.index} | ${k.migratedSince ?? 'null'}${beyond} | ${n || '(not in kvm.c)'} | ${m?.vmstateSince ?? 'null'} | ${m?.kvmPutSince ?? 'null'} | ${m?.kvmGetSince ?? 'null'} | ${mine ?? 'null'} | ${m ? `field ${m.vmstateField ?? '?'}${m.vmstateSubsection ? ` (${m.vmstateSubsection})` : ''}; put ${m.history.put.join(' ') || '-'}; get ${m.history.get.join(' ') || '-'}; ${m.sources.join(', ')}` : 'no kvm_put/get_msrs entry and no vmstate field found'} |`);
  }
  lines.push('', `Agreeing (${same.length}): ${same.join(', ')}`, '');
  const extra = Object.keys(msrs).filter((n) => !matched.has(n) && !kb.some((k) => k.name === n || (k.aliases || []).includes(n) || k.index === msrs[n].index));
  lines.push('## MSRs found in the trees but absent from msrs.json', '', '| QEMU macro | index | vmstateSince | kvmPut | kvmGet | migratedUnderKvmSince | subsection |', '|---|---|---|---|---|---|---|');
  for (const n of extra) { const m = msrs[n]; lines.push(`| ${n} | ${m.index} | ${m.vmstateSince ?? 'null'} | ${m.kvmPutSince ?? 'null'} | ${m.kvmGetSince ?? 'null'} | ${m.migratedUnderKvmSince ?? 'null'} | ${m.vmstateSubsection ?? '-'} |`); }
  lines.push('');
}
if (existsSync(join(KB, 'releases.json'))) {
  const kb = JSON.parse(readFileSync(join(KB, 'releases.json'), 'utf8'));
  lines.push('## releases.json kvmDefaults vs. extracted', '', '| release | KB kvmDefaults | extracted on | followsHostKernel | extracted off | source |', '|---|---|---|---|---|---|');
  const same = [];
  for (const r of releases) {
    const k = (kb.releases || []).find((x) => x.version === r.rel), e = kvmDefaultsOut[r.rel];
    const kbOn = k ? uniqSort(k.kvmDefaults || []) : null;
    if (kbOn && kbOn.join() === e.on.join() && !e.followsHostKernel && !e.conditional.some((c) => /pc-1\.3/.test(c))) { same.push(r.rel); continue; }
    lines.push(`| ${r.rel} | ${kbOn ? kbOn.join(', ') || '(none)' : '(no KB record)'} | ${e.on.join(', ') || '(none)'} | ${e.followsHostKernel} | ${e.off.join(', ') || '-'} | ${e.sources.join(', ')}${e.conditional.length ? `; ${e.conditional.join('; ')}` : ''} |`);
  }
  lines.push('', `Agreeing on the "on" list (${same.length}): ${same.join(', ')}`, '',
    'Note: the KB lists only "on" properties; the extracted "off" list (kvm_default_unset_features / kvm_default_props "off") and the machine-type compat entries are in migration.json.', '');
}
if (REPORT) writeFileSync(REPORT, lines.join('\n'));
process.stderr.write(`wrote ${OUT} (${Object.keys(msrs).length} MSRs)${REPORT ? ` and ${REPORT}` : ''}\n`);
