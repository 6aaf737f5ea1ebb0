// Reads one Linux tree and tells which CPUID bits its KVM offers guests through
// KVM_GET_SUPPORTED_CPUID, per vendor (the VMX and the SVM module can add or remove bits),
// which paravirt bits it reports in leaf 0x40000001, and which KVM_CAP_* it answers.
//
// What counts as offered: a bit in a mask or capability list of the functions that build
// the supported CPUID (`do_cpuid_ent`, `__do_cpuid_ent`, `do_cpuid_7_mask`,
// `__do_cpuid_func`, `kvm_set_cpu_caps`), or set there, however conditionally (a host
// that has the bit gets it). Not offered: bits only tested (`entry->ecx & F(X)`,
// `boot_cpu_has(...)`), bits cleared (`&= ~F(X)`, `kvm_cpu_cap_clear`), and everything in
// the KVM_GET_EMULATED_CPUID functions, which QEMU does not read.
// Per vendor: `kvm_x86_ops->X_supported() ? F(Y) : 0` offers Y only on a vendor whose
// X_supported is not `return false`; the vendor hooks (`*_set_supported_cpuid`,
// `*_set_cpu_caps`) add bits for their vendor, and clear bits when they do so unconditionally.

import { tokenize, functionBodies, walk, evalInt, defines } from './c-tokens.mjs';
import { readFirst } from './tree.mjs';

const COMMON_FUNCTIONS = ['do_cpuid_ent', '__do_cpuid_ent', 'do_cpuid_7_mask', '__do_cpuid_func', 'kvm_set_cpu_caps'];
const VENDOR_FUNCTIONS = {
  intel: ['vmx_set_supported_cpuid', 'vmx_set_cpu_caps'],
  amd: ['svm_set_supported_cpuid', 'svm_set_cpu_caps'],
};
const FILES = {
  cpuid: ['arch/x86/kvm/cpuid.c'],
  x86: ['arch/x86/kvm/x86.c'],
  intel: ['arch/x86/kvm/vmx/vmx.c', 'arch/x86/kvm/vmx.c'],
  amd: ['arch/x86/kvm/svm/svm.c', 'arch/x86/kvm/svm.c'],
  cpufeatures: ['arch/x86/include/asm/cpufeatures.h', 'arch/x86/include/asm/cpufeature.h', 'include/asm-x86/cpufeature.h'],
  cpufeatureEnum: ['arch/x86/include/asm/cpufeature.h'],
  kvmWords: ['arch/x86/kvm/reverse_cpuid.h', 'arch/x86/kvm/cpuid.h'],
  svmHeader: ['arch/x86/include/asm/svm.h', 'include/asm-x86/svm.h'],
  msrIndex: ['arch/x86/include/asm/msr-index.h', 'arch/x86/include/uapi/asm/msr-index.h', 'include/asm-x86/msr-index.h'],
};

// Feature-word numbers of Linux before `enum cpuid_leafs` existed (4.6): the words that
// mirror a CPUID register kept their number when the enum was introduced.
const OLD_WORDS = {
  0: 'CPUID_1_EDX', 1: 'CPUID_8000_0001_EDX', 4: 'CPUID_1_ECX', 5: 'CPUID_C000_0001_EDX',
  6: 'CPUID_8000_0001_ECX', 9: 'CPUID_7_0_EBX', 10: 'CPUID_D_1_EAX', 11: 'CPUID_F_0_EDX',
  12: 'CPUID_F_1_EDX', 13: 'CPUID_8000_0008_EBX',
};

// Macros whose argument is a feature name (X for X86_FEATURE_X) and that offer it.
// RUNTIME_F (OSXSAVE, OSPKE, MWAIT) follows guest state and is not offered.
const OFFER_MACROS = new Set(['F', 'SF', 'EMULATED_F', 'X86_64_F', 'SCATTERED_F', 'PASSTHROUGH_F', 'SYNTHESIZED_F', 'feature_bit']);
const TEST_CALLS = new Set(['if', 'while', 'boot_cpu_has', 'static_cpu_has', 'cpu_has', 'this_cpu_has', 'guest_cpuid_has', 'kvm_cpu_cap_has', 'cpu_feature_enabled', 'cpuid_entry_has', 'WARN_ON', 'WARN_ON_ONCE']);

/** Decodes a Linux word name ("CPUID_7_1_EAX", "CPUID_8000_0008_EBX") into a CPUID location. */
export function decodeWordName(name) {
  const m = /^CPUID_([0-9A-Fa-f]{1,4})(?:_([0-9A-Fa-f]{4}))?(?:_(\d+))?_(E[ABCD]X)$/.exec(name);
  if (!m) return null;
  let leaf;
  let subleaf = null;
  if (m[2] !== undefined) {
    leaf = parseInt(m[1] + m[2], 16);
    if (m[3] !== undefined) subleaf = Number(m[3]);
  } else {
    leaf = parseInt(m[1], 16);
    if (m[3] !== undefined) subleaf = Number(m[3]);
  }
  if (leaf === 7 && subleaf === null) subleaf = 0;
  if (leaf === 0xd && subleaf === null) subleaf = 1;
  if ((leaf === 0x12 || leaf === 0x24) && subleaf === null) subleaf = 0;
  return { leaf: `0x${leaf.toString(16)}`, subleaf, register: m[4] };
}

export function locationKey(loc, bit) {
  return `${loc.leaf}.${loc.subleaf ?? '-'}.${loc.register}.${bit}`;
}

/** Linux feature name (without X86_FEATURE_) -> CPUID location key, from the tree's headers. */
function featureLocations(tree) {
  const locs = new Map();
  const header = readFirst(tree, FILES.cpufeatures);
  if (!header) return locs;
  let words = new Map(Object.entries(OLD_WORDS).map(([k, v]) => [Number(k), v]));
  const enumFile = readFirst(tree, FILES.cpufeatureEnum);
  const enumMatch = enumFile && /enum\s+cpuid_leafs\s*\{([^}]*)\}/.exec(enumFile.text.replace(/\/\*[\s\S]*?\*\//g, ''));
  if (enumMatch) {
    words = new Map();
    let n = 0;
    for (const part of enumMatch[1].split(',')) {
      const m = /([A-Z0-9_]+)(?:\s*=\s*(\d+))?/.exec(part.trim());
      if (!m) continue;
      if (m[2] !== undefined) n = Number(m[2]);
      words.set(n++, m[1]);
    }
  }
  for (const [name, value] of defines(header.text)) {
    if (!name.startsWith('X86_FEATURE_')) continue;
    const m = /^\(\s*(\d+)\s*\*\s*32\s*\+\s*(\d+)\s*\)/.exec(value);
    if (!m) continue;
    const loc = decodeWordName(words.get(Number(m[1])) ?? '');
    if (loc) locs.set(name.slice('X86_FEATURE_'.length), locationKey(loc, Number(m[2])));
  }
  // KVM-only words (reverse_cpuid.h): X86_FEATURE_X or KVM_X86_FEATURE_X = KVM_X86_FEATURE(CPUID_.., bit)
  const kvmWords = readFirst(tree, FILES.kvmWords);
  if (kvmWords) {
    for (const [name, value] of defines(kvmWords.text)) {
      const m = /^KVM_X86_FEATURE\(\s*(CPUID_[A-Z0-9_]+)\s*,\s*(\d+)\s*\)/.exec(value);
      const short = name.replace(/^(KVM_)?X86_FEATURE_/, '');
      if (!m || short === name) continue;
      const loc = decodeWordName(m[1]);
      if (loc) locs.set(short, locationKey(loc, Number(m[2])));
    }
  }
  return locs;
}

/** Implementations of kvm_x86_ops members in a vendor file: op name -> constant false? */
function vendorOps(text, tokens) {
  const ops = new Map();
  const re = /\.\s*([a-z_0-9]+)\s*=\s*([A-Za-z_0-9]+)\s*,/g;
  let m;
  while ((m = re.exec(text))) {
    const impl = m[2];
    if (impl === 'NULL' || impl === 'false' || impl === '0') { ops.set(m[1], 'false'); continue; }
    if (impl === 'true' || impl === '1') { ops.set(m[1], 'true'); continue; }
    const body = functionBodies(tokens, impl)[0];
    if (!body) { ops.set(m[1], 'unknown'); continue; }
    const b = body.join(' ');
    ops.set(m[1], b === 'return false ;' || b === 'return 0 ;' ? 'false' : 'depends');
  }
  return ops;
}

/** Ops a ternary or if condition calls: kvm_x86_ops->NAME, kvm_x86_ops.NAME, static_call(kvm_x86_NAME). */
function gateOps(tokens) {
  const out = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] === 'kvm_x86_ops' && (tokens[i + 1] === '->' || tokens[i + 1] === '.')) out.push(tokens[i + 2]);
    if (tokens[i] === 'static_call' && tokens[i + 1] === '(' && /^kvm_x86_/.test(tokens[i + 2] ?? '')) out.push(tokens[i + 2].slice('kvm_x86_'.length));
    if (tokens[i] === 'kvm_mpx_supported') out.push('mpx_supported');
  }
  return out;
}

/**
 * Feature atoms in a function body with what the code does with them.
 * Returns [{name, kind: 'feature'|'kvm'|'raw', action: 'offer'|'clear'|'test', conditional, gates, caseLabel, register, bits}]
 */
function atoms(body, macroValues) {
  const out = [];
  walk(body, (i, ctx) => {
    const t = body[i];
    let name = null;
    let kind = 'feature';
    let end = i;
    if ((OFFER_MACROS.has(t) || t === 'KF' || t === 'VENDOR_F' || t === 'ALIASED_1_EDX_F') && body[i + 1] === '(' && body[i + 3] === ')') {
      name = t === 'KF' ? `KVM_CPUID_BIT_${body[i + 2]}` : body[i + 2];
      if (t === 'VENDOR_F') return; // the vendor module decides; read there
      if (t === 'ALIASED_1_EDX_F') kind = 'aliased';
      end = i + 3;
    } else if (t === 'bit' && body[i + 1] === '(' && /^X86_FEATURE_/.test(body[i + 2] ?? '') && body[i + 3] === ')') {
      name = body[i + 2].slice('X86_FEATURE_'.length);
      end = i + 3;
    } else if (/^X86_FEATURE_/.test(t) && ['kvm_cpu_cap_set', 'kvm_cpu_cap_check_in_place', 'kvm_cpu_cap_check_and_set', 'kvm_cpu_cap_clear'].includes(body[i - 2]) && body[i - 1] === '(') {
      name = t.slice('X86_FEATURE_'.length);
    } else if (/^KVM_FEATURE_/.test(t)) {
      name = t.slice('KVM_FEATURE_'.length);
      kind = 'kvm';
    } else if (/^SVM_FEATURE_/.test(t) && macroValues.has(t)) {
      name = t;
      kind = 'raw';
    } else {
      return;
    }
    const prev = body[i - 1];
    const encl = ctx.parens;
    let action = 'offer';
    if (encl.includes('kvm_cpu_cap_clear') || prev === '~' || encl.includes('~')) action = 'clear';
    else if (encl.some((p) => TEST_CALLS.has(p)) || prev === '&' || prev === '==' || prev === '!=' || encl.includes('&')) action = 'test';
    // A `&` just before an enclosing group also makes it a test: `x & (F(A) | F(B))`.
    if (action === 'offer') {
      const st = ctx.statement;
      for (let k = st.length - 1; k >= 0; k--) {
        if (st[k] === '(' && (st[k - 1] === '&' || st[k - 1] === '~')) { action = st[k - 1] === '~' ? 'clear' : 'test'; break; }
        if (st[k] === '=' || st[k] === '|=' || st[k] === '&=') break;
      }
    }
    const qmark = ctx.statement.indexOf('?');
    const gates = qmark >= 0 ? gateOps(ctx.statement.slice(0, qmark)) : [];
    const register = registerOf(ctx.statement);
    out.push({ name, kind, action, conditional: ctx.conditional, gates, caseLabel: ctx.caseLabel, register, end });
  });
  return out;
}

function registerOf(statement) {
  for (let k = 0; k + 2 < statement.length; k++) {
    if (statement[k] === 'entry' && statement[k + 1] === '->' && /^e[abcd]x$/.test(statement[k + 2])) return statement[k + 2].toUpperCase();
  }
  return null;
}

/** Raw constant bits set into `entry->REG` under a `case LEAF:` label (ARAT, invariant TSC, the SVM bit). */
function rawBits(body, macroValues) {
  const out = [];
  walk(body, (i, ctx) => {
    if (body[i] !== 'entry' || body[i + 1] !== '->' || !/^e[abcd]x$/.test(body[i + 2] ?? '')) return;
    const op = body[i + 3];
    if (op !== '=' && op !== '|=' && op !== '&=') return;
    // Only statements that start with entry->REG (possibly as the body of an if/else).
    if (ctx.statement.length !== 0 && ![')', 'else'].includes(body[i - 1])) return;
    let j = i + 4;
    const rhs = [];
    while (j < body.length && body[j] !== ';') rhs.push(body[j++]);
    let value;
    try { value = evalInt(rhs, macroValues); } catch { return; }
    if (value === 0n) return;
    const leaf = caseLeaf(ctx.caseLabel);
    if (leaf === null) return;
    for (let b = 0; b < 32; b++) if ((value >> BigInt(b)) & 1n) out.push({ leaf, register: body[i + 2].toUpperCase(), bit: b, op });
  });
  return out;
}

function caseLeaf(label) {
  if (!label || label === 'default') return null;
  if (/^(0[xX][0-9a-fA-F]+|\d+)[uU]?$/.test(label)) return Number(label.replace(/[uU]$/, ''));
  return null;
}

function leafKey(leaf, register, bit) {
  const subleaf = leaf === 7 ? 0 : leaf === 0xd ? 1 : null;
  return `0x${leaf.toString(16)}.${subleaf ?? '-'}.${register}.${bit}`;
}

/** Reads a tree; returns {version, files, offered: {intel: Set, amd: Set}, kvmLeaf: Set, caps: Set, unmapped: Set}. */
export function readKvmCpuid(tree) {
  const files = {};
  const read = new Map(); // each file is read once
  const get = (key) => {
    if (!read.has(key)) {
      const f = readFirst(tree, FILES[key]);
      if (f) files[key] = f.path;
      read.set(key, f);
    }
    return read.get(key);
  };
  const makefile = tree.read('Makefile') ?? '';
  const v = (k) => (new RegExp(`^${k}[ \\t]*=[ \\t]*(\\S*)`, 'm').exec(makefile) || [])[1] ?? '';
  const version = `${v('VERSION')}.${v('PATCHLEVEL')}.${v('SUBLEVEL')}${v('EXTRAVERSION')}`;

  const locs = featureLocations(tree);
  const cpuid = get('cpuid');
  const x86 = get('x86');
  const cpuidDefs = new Map([...defines(cpuid?.text ?? ''), ...defines(x86?.text ?? '')]);
  const kvmCpuidBits = new Map();
  for (const [name, value] of cpuidDefs) {
    if (name.startsWith('KVM_CPUID_BIT_') && /^\d+$/.test(value)) kvmCpuidBits.set(name, Number(value));
  }
  const svmDefs = new Map();
  for (const src of [get('svmHeader')?.text, get('amd')?.text]) {
    for (const [name, value] of defines(src ?? '')) {
      if (!name.startsWith('SVM_FEATURE_')) continue;
      try { svmDefs.set(name, evalInt(tokenize(value))); } catch { /* not a constant */ }
    }
  }

  const unmapped = new Set();
  const keyOf = (a) => {
    if (a.kind === 'aliased') {
      const k = locs.get(a.name);
      return k ? k.replace(/^0x1\.-\.EDX\./, '0x80000001.-.EDX.') : null;
    }
    if (a.name.startsWith('KVM_CPUID_BIT_')) {
      const bit = kvmCpuidBits.get(a.name);
      return bit === undefined ? null : `0x7.0.EDX.${bit}`;
    }
    return locs.get(a.name) ?? null;
  };

  // Common code.
  const commonText = [cpuid?.text, x86?.text].filter(Boolean).join('\n');
  const commonTokens = tokenize(commonText);
  const common = [];
  const commonRaw = [];
  for (const fn of COMMON_FUNCTIONS) {
    for (const body of functionBodies(commonTokens, fn)) {
      common.push(...atoms(body, svmDefs));
      commonRaw.push(...rawBits(body, svmDefs));
    }
  }
  const kvmLeaf = new Set(common.filter((a) => a.kind === 'kvm' && a.action === 'offer').map((a) => a.name));

  const offered = {};
  for (const vendor of ['intel', 'amd']) {
    const vf = get(vendor);
    const vTokens = tokenize(vf?.text ?? '');
    const ops = vendorOps(vf?.text ?? '', vTokens);
    const set = new Set();
    for (const a of common) {
      if (a.kind === 'kvm' || a.action !== 'offer') continue;
      if (a.gates.some((g) => ops.get(g) === 'false')) continue;
      const k = keyOf(a);
      if (k) set.add(k); else unmapped.add(a.name);
    }
    // In the common code a constant mask offers its bits too (`entry->edx &= (1 << 8)`: invariant TSC).
    for (const r of commonRaw) set.add(leafKey(r.leaf, r.register, r.bit));
    const clears = [];
    for (const fn of VENDOR_FUNCTIONS[vendor]) {
      for (const body of functionBodies(vTokens, fn)) {
        for (const a of atoms(body, svmDefs)) {
          if (a.kind === 'kvm') continue;
          if (a.kind === 'raw') {
            if (a.action !== 'offer') continue;
            const leaf = caseLeaf(a.caseLabel);
            const value = svmDefs.get(a.name);
            if (leaf === null || a.register === null) continue;
            for (let b = 0; b < 32; b++) if ((value >> BigInt(b)) & 1n) set.add(leafKey(leaf, a.register, b));
            continue;
          }
          const k = keyOf(a);
          if (!k) { unmapped.add(a.name); continue; }
          if (a.action === 'offer') set.add(k);
          else if (a.action === 'clear' && !a.conditional) clears.push(k);
        }
        for (const r of rawBits(body, svmDefs)) if (r.op !== '&=') set.add(leafKey(r.leaf, r.register, r.bit));
      }
    }
    for (const k of clears) set.delete(k);
    offered[vendor] = set;
  }

  // KVM_CAP_* the tree answers (KVM_CHECK_EXTENSION cases anywhere in x86.c).
  const caps = new Set();
  for (const m of (x86?.text ?? '').matchAll(/case\s+(KVM_CAP_[A-Z0-9_]+)\s*:/g)) caps.add(m[1]);

  return { version, files, offered, kvmLeaf, caps, unmapped };
}
