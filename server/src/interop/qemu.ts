/**
 * The QEMU command line, both directions: a machine's guest CPU as the `-machine`/`-accel`/`-cpu`
 * options its own QEMU release accepts, and a command line read back into an ImportedMachine.
 * Every release-dependent spelling (model and property names, `+f` vs `f=on`, the TSC key, the
 * accelerator option, which machine types exist) comes from the knowledge base.
 */
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { CommandLineSyntax, FeatureRecord } from '../kb/types';
import { modelSpellingDates, nameInRelease, type NameDates } from '../checks/release-names';
import { LineIndex } from '../common/text';
import { emptyImport, ImportError, type ImportedMachine } from './imported';
import { machineTypeOf, machineTypeRelease } from './machine-types';

/** What an export needs to know about a machine (explain's data plus the few settings it does not carry). */
export interface QemuExportInput {
  /** The machine's name, then its aliases: the first that is a machine type of its release becomes `-machine`. */
  names: string[];
  qemu: string;
  accel: 'kvm' | 'tcg';
  /** The CPU model as the machine writes it. */
  cpu: string;
  /** Canonical names of the bits the machine whitelists, and of those it masks. */
  on: string[];
  off: string[];
  tscFrequency: string | null;
}

export interface QemuCommandLine {
  /** The options, in order (`-machine`, `pc-q35-7.2`, `-accel`, `kvm`, `-cpu`, `…`). */
  args: string[];
  /** What the release cannot express, one sentence each (rendered as `#` lines). */
  notes: string[];
  /** The bits whose edit the release cannot express (left out of -cpu, named in a note). */
  omitted: string[];
}

/** Where the KB has not read a release's command line: the forms every release from 0.10 to today accepts. */
const OLDEST_FORMS: CommandLineSyntax = { machine: '-M', featureSyntax: 'plus-minus', tscFrequencyKey: null, accel: '-enable-kvm' };

/** The syntax a release's command line takes (a point release takes its X.Y's). */
function syntaxOf(kb: KnowledgeBase, qemu: string): CommandLineSyntax {
  return kb.releaseFor(qemu)?.commandLine ?? OLDEST_FORMS;
}

/** QEMU's feat2prop(): the -cpu parser (2.4+) turns `_` into `-` before looking a property up. */
const feat2prop = (s: string) => s.replace(/_/g, '-');

/** Every spelling QEMU's own tables gave the bit, with its dates (the canonical one first). */
function rawSpellings(f: FeatureRecord): Array<{ spelling: string; dates: NameDates }> {
  const out = [{ spelling: f.name, dates: { since: f.nameSince ?? f.qemuSince, until: f.qemuUntil ?? null } }];
  for (const [spelling, d] of Object.entries(f.aliasDates ?? {})) out.push({ spelling, dates: { since: d.since, until: d.until } });
  return out;
}

/** The spelling of a bit that `qemu` accepts in `-cpu`, preferring the canonical name; null when it has none. */
export function featureSpelling(f: FeatureRecord, qemu: string, syntax: CommandLineSyntax): string | null {
  const live = rawSpellings(f).filter((s) => nameInRelease(s.dates, qemu).known);
  if (live.length === 0) return null;
  if (syntax.featureSyntax !== 'on-off') return live[0].spelling; // `+f` looks the table up verbatim
  const props = new Set(live.map((s) => feat2prop(s.spelling)));
  return [f.name, ...live.map((s) => s.spelling)].find((s) => props.has(feat2prop(s))) ?? null;
}

/** The model name `qemu` knows for the machine's model: as written if it can, else an unversioned alias, else the versioned name. */
export function modelSpelling(written: string, kb: KnowledgeBase, qemu: string): { name: string; known: boolean } {
  const model = kb.model(written);
  if (!model) return { name: written, known: false };
  const candidates = [written, ...(model.version === 1 ? [model.family] : []), ...model.aliases, model.name];
  const unversioned = (n: string) => !/-v\d+$/.test(n);
  const ordered = [written, ...candidates.filter(unversioned), ...candidates];
  // A spelling's own dates first: the record's name (qemu64-v1) is younger than the model (qemu64).
  const dates = (n: string): NameDates => model.aliasDates?.[n] ?? modelSpellingDates(model, n);
  const name = ordered.find((n) => nameInRelease(dates(n), qemu).known);
  return name ? { name, known: true } : { name: written, known: false };
}

export function qemuCommandLine(m: QemuExportInput, kb: KnowledgeBase): QemuCommandLine {
  const notes: string[] = [];
  const syntax = syntaxOf(kb, m.qemu);
  const args: string[] = [];
  const typeNotes: string[] = [];
  const type = machineTypeOf(m.names, kb, m.qemu, typeNotes);
  for (const n of typeNotes) notes.push(`${n}: no -machine option`);
  if (syntax.accel === '-machine accel=' && syntax.machine === '-machine') args.push('-machine', `${type ? `${type},` : ''}accel=${m.accel}`);
  else if (type) args.push(syntax.machine, type);
  if (syntax.accel === '-accel') args.push('-accel', m.accel);
  else if (syntax.accel === '-enable-kvm' && m.accel === 'kvm') args.push('-enable-kvm');
  else if (syntax.accel === null && m.accel === 'kvm') notes.push(`QEMU ${m.qemu} has no KVM option: the machine's accel kvm cannot be expressed`);

  const model = modelSpelling(m.cpu, kb, m.qemu);
  if (!model.known) notes.push(`QEMU ${m.qemu} has no CPU model ${m.cpu} (the checker reports it): written as it stands`);
  const props: string[] = [];
  const omitted: string[] = [];
  const onOff = syntax.featureSyntax === 'on-off';
  const release = kb.releaseFor(m.qemu);
  const kvmDefaults = m.accel === 'kvm' ? (release?.kvmDefaults ?? []) : [];
  if (m.accel === 'kvm' && release?.kvmDefaultsFollowHost) notes.push(`QEMU ${m.qemu} turns on every paravirt bit the host kernel reports: under KVM the guest CPU follows the host kernel, whatever the options say`);
  const prop = (name: string, on: boolean) => {
    const f = kb.feature(name);
    const spelling = f ? featureSpelling(f, m.qemu, syntax) : name;
    if (!spelling && on && kvmDefaults.includes(name)) return; // the release sets it itself (kvmclock-stable-bit before 2.1)
    if (!spelling) {
      notes.push(`QEMU ${m.qemu} has no -cpu property for ${name}: ${on ? 'whitelist' : 'mask'} left out`);
      omitted.push(name);
      return;
    }
    props.push(onOff ? `${spelling}=${on ? 'on' : 'off'}` : `${on ? '+' : '-'}${spelling}`);
  };
  for (const name of m.on) prop(name, true);
  for (const name of m.off) prop(name, false);
  if (m.tscFrequency) {
    if (syntax.tscFrequencyKey) props.push(`${syntax.tscFrequencyKey}=${m.tscFrequency}`);
    else notes.push(`QEMU ${m.qemu} has no -cpu option for the TSC frequency: tsc-frequency ${m.tscFrequency} left out`);
  }
  args.push('-cpu', [model.name, ...props].join(','));
  return { args, notes, omitted };
}

/** The command line as text: the notes as `#` lines, then the options on one line. */
export function renderQemu(c: QemuCommandLine): string {
  return [...c.notes.map((n) => `# ${n}`), c.args.join(' ')].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Import: a command line as text.

interface Word {
  text: string;
  line: number;
  column: number;
  /** The input offset of each character of `text` (quotes and escapes make them differ). */
  offsets: number[];
  /** 1-based line and column of an input offset. */
  locate: (offset: number) => { line: number; column: number };
}

/** The input position of `word.text[index]` (or just past the word's end). */
function posOf(w: Word, index: number): { line: number; column: number } {
  if (index < w.offsets.length) return w.locate(w.offsets[index]);
  return w.offsets.length ? w.locate(w.offsets[w.offsets.length - 1] + 1) : { line: w.line, column: w.column };
}

function errorAt(w: Word, index: number, message: string): ImportError {
  const p = posOf(w, index);
  return new ImportError(p.line, p.column, message);
}

/** 1-based line and column of each offset (the engine's line index: \n, \r\n and \r breaks). */
function locator(text: string): (offset: number) => { line: number; column: number } {
  const lines = new LineIndex(text);
  return (offset) => {
    const p = lines.positionAt(offset);
    return { line: p.line + 1, column: p.character + 1 };
  };
}

/**
 * Splits shell-like text into words: `'…'` and `"…"` quotes, `\` escapes and `\`-newline
 * continuations, `#` comments at a word's start. Positions are 1-based.
 */
export function shellWords(text: string): Word[] {
  const locate = locator(text);
  const words: Word[] = [];
  let current: { chars: string[]; offsets: number[]; start: number } | null = null;
  const start = (at: number) => (current ??= { chars: [], offsets: [], start: at });
  const add = (at: number) => {
    const w = start(at);
    w.chars.push(text[at]);
    w.offsets.push(at);
  };
  const end = () => {
    if (!current) return;
    const p = locate(current.start);
    words.push({ text: current.chars.join(''), line: p.line, column: p.column, offsets: current.offsets, locate });
    current = null;
  };
  let i = 0;
  while (i < text.length) {
    const c = text[i];
    if (c === '\\') {
      if (text[i + 1] === '\n') i += 2;
      else if (text[i + 1] === '\r' && text[i + 2] === '\n') i += 3;
      else {
        if (i + 1 < text.length) add(i + 1);
        i += 2;
      }
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      end();
      i++;
      continue;
    }
    if (c === '#' && !current) {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    if (c === "'" || c === '"') {
      const open = i;
      start(i);
      i++;
      while (i < text.length && text[i] !== c) {
        if (c === '"' && text[i] === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1])) {
          if (text[i + 1] !== '\n') add(i + 1);
          i += 2;
          continue;
        }
        add(i);
        i++;
      }
      if (i >= text.length) {
        const p = locate(open);
        throw new ImportError(p.line, p.column, `unterminated ${c === '"' ? 'double' : 'single'} quote: expected a closing ${c}`);
      }
      i++;
      continue;
    }
    add(i);
    i++;
  }
  end();
  return words;
}

/** Options that take a value (so the value is not mistaken for an option); the rest are ignored. */
const VALUED = new Set(['-m', '-smp', '-drive', '-netdev', '-device', '-name', '-serial', '-monitor', '-qmp', '-display', '-vga', '-chardev', '-boot', '-kernel', '-initrd', '-append', '-hda', '-hdb', '-cdrom', '-object', '-numa', '-global', '-bios', '-L', '-rtc', '-uuid', '-pidfile', '-vnc', '-spice', '-usbdevice', '-net', '-fsdev', '-virtfs', '-incoming', '-mem-path', '-smbios', '-D', '-d', '-k', '-overcommit', '-sandbox', '-msg', '-run-with', '-action', '-fw_cfg', '-blockdev', '-audiodev', '-iscsi', '-loadvm', '-trace', '-plugin', '-readconfig']);

/** How a -cpu word turns a bit on or off: `+f`, `-f`, `f`, `f=on|off|true|false|yes|no`. */
function featureEdit(part: string): { name: string; on: boolean } | { value: string; name: string } | null {
  if (part.startsWith('+')) return { name: part.slice(1), on: true };
  if (part.startsWith('-')) return { name: part.slice(1), on: false };
  const eq = part.indexOf('=');
  if (eq < 0) return { name: part, on: true };
  const name = part.slice(0, eq);
  const value = part.slice(eq + 1);
  if (['on', 'true', 'yes'].includes(value)) return { name, on: true };
  if (['off', 'false', 'no'].includes(value)) return { name, on: false };
  return { name, value };
}

/** -cpu keys that are settings of the CPU, not bits (kept out of the edits; tsc-frequency is read). */
const CPU_SETTINGS = new Set(['family', 'model', 'stepping', 'level', 'xlevel', 'vendor', 'model-id', 'hv-spinlocks', 'min-level', 'min-xlevel', 'phys-bits', 'host-phys-bits', 'l3-cache', 'host-cache-info', 'migratable', 'enforce', 'check', 'pmu', 'lmce', 'hv-vendor-id', 'guest-phys-bits', 'kvm', 'legacy-cache', 'cpuid-0xb', 'full-cpuid-auto-level', 'x-force-features', 'ucode-rev', 'kvm-no-smi-migration', 'apic-id', 'level-func7']);

/** Reads a QEMU command line (as text) into the neutral shape. */
export function importQemu(text: string): ImportedMachine {
  const words = shellWords(text);
  const m = emptyImport();
  let i = 0;
  let seen = false;
  // argv0: a path or a name that is not an option (qemu-system-x86_64, qemu-kvm, /usr/bin/kvm …)
  if (words.length && !words[0].text.startsWith('-')) i = 1;
  const value = (w: Word) => {
    const v = words[i + 1];
    if (!v) throw errorAt(w, w.text.length, `${w.text} needs a value: expected ${w.text === '-cpu' ? 'a CPU model' : w.text === '-accel' ? 'an accelerator (kvm, tcg)' : 'a machine type'} after it`);
    i++;
    return v;
  };
  for (; i < words.length; i++) {
    const w = words[i];
    const opt = w.text.startsWith('--') ? w.text.slice(1) : w.text;
    if (opt === '-cpu') readCpu(value(w), m);
    else if (opt === '-machine' || opt === '-M') readMachine(value(w), m);
    else if (opt === '-accel') readAccel(value(w), m);
    else if (opt === '-enable-kvm') m.accel = 'kvm';
    else {
      if (VALUED.has(opt)) i++; // its value is not an option
      continue;
    }
    seen = true;
  }
  if (!seen) {
    const at = words[0] ?? { line: 1, column: 1 };
    throw new ImportError(at.line, at.column, 'expected a QEMU command line with -cpu, -machine/-M, -accel or -enable-kvm');
  }
  if (m.machineType) {
    m.name = m.machineType;
    m.qemu = machineTypeRelease(m.machineType) ?? m.qemu;
  }
  return m;
}

/** `-accel kvm`, `-accel tcg,thread=multi`, `-accel accel=kvm`. */
function readAccel(w: Word, m: ImportedMachine): void {
  const [first, ...rest] = w.text.split(',');
  const name = first.startsWith('accel=') ? first.slice(6) : first;
  const pick = accelOf(name);
  if (!pick) throw errorAt(w, first.startsWith('accel=') ? 6 : 0, `unknown accelerator '${name}': expected kvm or tcg`);
  if (!m.accel) m.accel = pick;
  for (const r of rest) if (r.startsWith('accel=')) m.accel ??= accelOf(r.slice(6));
}

/** `kvm`, `tcg`, `kvm:tcg` (the first that QEMU would try wins). */
function accelOf(name: string): 'kvm' | 'tcg' | null {
  const first = name.split(':')[0];
  return first === 'kvm' || first === 'tcg' ? first : null;
}

/** `-machine TYPE[,accel=kvm][,…]`, `-machine type=TYPE,…`. */
function readMachine(w: Word, m: ImportedMachine): void {
  let offset = 0;
  for (const [k, part] of w.text.split(',').entries()) {
    const here = offset;
    offset += part.length + 1;
    const eq = part.indexOf('=');
    if (eq < 0) {
      if (k === 0) {
        if (!WORD.test(part)) throw errorAt(w, 0, `expected a machine type name after -machine, not '${part}'`);
        m.machineType = part;
      }
      continue;
    }
    const key = part.slice(0, eq);
    const val = part.slice(eq + 1);
    if (key === 'type') {
      if (!WORD.test(val)) throw errorAt(w, here + eq + 1, `expected a machine type name, not '${val}'`);
      m.machineType = val;
    }
    else if (key === 'accel') {
      const a = accelOf(val);
      if (!a) throw errorAt(w, here + eq + 1, `unknown accelerator '${val}': expected kvm or tcg`);
      m.accel = a;
    }
  }
}

const WORD = /^[A-Za-z0-9_][A-Za-z0-9_.\-]*$/;

/** `-cpu MODEL[,+f][,-f][,f=on|off][,tsc-frequency=N]`. */
function readCpu(w: Word, m: ImportedMachine): void {
  const parts = w.text.split(',');
  const model = parts[0];
  if (!WORD.test(model)) throw errorAt(w, 0, `expected a CPU model name first in -cpu, not '${model}'`);
  // A later -cpu replaces an earlier one whole, as in QEMU.
  m.model = model;
  m.edits = [];
  m.tscFrequency = null;
  let index = model.length + 1;
  for (const part of parts.slice(1)) {
    const here = index;
    index += part.length + 1;
    if (part === '') continue;
    const e = featureEdit(part);
    const nameAt = /^[+-]/.test(part) ? here + 1 : here;
    if (!e || !WORD.test(e.name)) throw errorAt(w, nameAt, `expected +feature, -feature or feature=on|off, not '${part}'`);
    const key = feat2prop(e.name);
    if ('value' in e) {
      const valueAt = here + e.name.length + 1;
      if (key === 'tsc-frequency' || key === 'tsc-freq') {
        const hz = tscHz(e.value);
        if (!hz) throw errorAt(w, valueAt, `expected a frequency in Hz (2400000000, or 2.4G), not '${e.value}'`);
        m.tscFrequency = hz;
      } else if (CPU_SETTINGS.has(key)) m.notes.push(`-cpu ${part}: not a CPUID bit; a machine type cannot hold it`);
      else throw errorAt(w, valueAt, `expected on or off for ${e.name}, not '${e.value}'`);
    } else if (CPU_SETTINGS.has(key)) m.notes.push(`-cpu ${part}: not a CPUID bit; a machine type cannot hold it`);
    else m.edits.push(e);
  }
}

/** QEMU takes metric suffixes for tsc-frequency (`2.4G`); the `.mtype` value is plain Hz. */
function tscHz(v: string): string | null {
  const m = /^(\d+(?:\.\d+)?)([kKMGT]?)$/.exec(v);
  if (!m) return null;
  const scale = { '': 1, k: 1e3, K: 1e3, M: 1e6, G: 1e9, T: 1e12 }[m[2]]!;
  const hz = Number(m[1]) * scale;
  return Number.isSafeInteger(hz) ? String(hz) : null;
}
