/**
 * Input generators: random token streams (valid-looking and hostile pieces mixed)
 * and mutations of seed files. Everything is driven by an Rng, so an input is
 * fully described by (generator, seed).
 */
import type { Rng } from './prng';

/** Names that make the checks do real work; the rest is noise. */
export interface Vocabulary {
  features: readonly string[];
  models: readonly string[];
  msrs: readonly string[];
  machines: readonly string[];
}

export const DEFAULT_VOCABULARY: Vocabulary = {
  features: ['x2apic', 'kvmclock', 'kvm-pv-eoi', 'kvm_pv_eoi', 'kvm-steal-time', 'avx', 'avx2', 'invtsc', 'tsc-deadline', 'spec-ctrl', 'sse4.1', 'sse4_1', 'mpx', '3dnow', 'x2apc'],
  models: ['qemu64', 'Haswell', 'Haswell-v1', 'Skylake-Client', 'Opteron_G2', 'Opteron_G1', 'host', 'max', 'Nope'],
  msrs: ['MSR_KVM_PV_EOI_EN', 'MSR_KVM_STEAL_TIME', '0x4b564d04', '0x6e0', 'IA32_TSC_DEADLINE', 'MSR_NOPE', '0xdeadbeef'],
  machines: ['pc-1.3', 'pc-1.2', 'base', 'child', 'pc-next'],
};

const KEYWORDS = ['machine', 'extends', 'qemu', 'host-kernel', 'accel', 'kvm', 'tcg', 'cpu', 'cpuid', 'for', 'migrate', 'follows-host', 'alias', 'deprecated', 'description', 'compat'];
const VERSIONS = ['1.2', '1.3', '2.0', '2.11', '2.12', '4.2', '9.1', '2.6.32', '3.6', '0', '99.99.99', '1.2.3.4.5', '3..4'];
const PUNCT = ['{', '}', '+', '-', ',', '=', '>=', '..', '.', '>', '<', '\\', '"', '#', '!', '$', '@'];
const HOSTILE = ['\u0000', '\ufeff', '\ud800', '\udc00', '\udbff\udfff', '😀', 'é', '漢字', '\u200b', '\u2028', '\u00a0', '\x7f', '\x1b[31m', '\u000b', '\u000c'];
const SPACE = [' ', ' ', ' ', '  ', '\t', '\n', '\n', '\r\n', '\r', '\n\n'];
const COMMENTS = ['# note', '# mtype-ignore', '# mtype-ignore: MT300, MT302', '# mtype-ignore: MT001', '#', '# mtype-ignore:', '# é 😀 \u0000'];

function word(rng: Rng): string {
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-';
  let s = rng.pick('abcxyzAZ019_'.split(''));
  const n = rng.int(12);
  for (let i = 0; i < n; i++) s += alphabet[rng.int(alphabet.length)];
  return s;
}

function stringLiteral(rng: Rng): string {
  const parts = ['abc', '\\"', '\\\\', '\\n', ' ', 'é', '\\'];
  let s = '"';
  for (let i = rng.int(5); i > 0; i--) s += rng.pick(parts);
  return rng.chance(0.8) ? s + '"' : s; // sometimes unterminated
}

/** One token of a random stream, weighted towards things the parser recognises. */
export function randomToken(rng: Rng, vocab: Vocabulary = DEFAULT_VOCABULARY): string {
  const r = rng.int(100);
  if (r < 18) return rng.pick(KEYWORDS);
  if (r < 30) return rng.pick(['+', '-']) + rng.pick(vocab.features);
  if (r < 36) return rng.pick(vocab.models);
  if (r < 40) return rng.pick(vocab.msrs);
  if (r < 45) return rng.pick(vocab.machines);
  if (r < 50) return rng.pick(VERSIONS);
  if (r < 58) return rng.pick(PUNCT);
  if (r < 63) return word(rng);
  if (r < 66) return stringLiteral(rng);
  if (r < 70) return rng.pick(COMMENTS) + '\n';
  if (r < 76) return rng.pick(HOSTILE);
  return rng.pick(SPACE);
}

/** A random token stream: up to `maxTokens` tokens separated by blanks or line breaks. */
export function tokenStream(rng: Rng, maxTokens = 200, vocab?: Vocabulary): string {
  const n = rng.int(maxTokens + 1);
  let out = rng.chance(0.05) ? '\ufeff' : '';
  for (let i = 0; i < n; i++) {
    out += randomToken(rng, vocab);
    out += rng.chance(0.7) ? ' ' : rng.pick(SPACE);
  }
  return out;
}

/** A stream shaped like a file: machine headers and statement lines, with random damage. */
export function machineLike(rng: Rng, vocab: Vocabulary = DEFAULT_VOCABULARY): string {
  const eol = rng.chance(0.3) ? '\r\n' : '\n';
  const lines: string[] = [];
  for (let m = rng.range(1, 3); m > 0; m--) {
    const base = rng.chance(0.4) ? ` extends ${rng.pick(vocab.machines)}` : '';
    lines.push(`machine ${rng.pick(vocab.machines)}${base} {`);
    for (let s = rng.int(8); s > 0; s--) lines.push('  ' + statementLine(rng, vocab));
    if (rng.chance(0.9)) lines.push('}');
  }
  return lines.join(eol) + (rng.chance(0.8) ? eol : '');
}

function statementLine(rng: Rng, vocab: Vocabulary): string {
  const edits = () => Array.from({ length: rng.range(1, 4) }, () => rng.pick(['+', '-']) + rng.pick(vocab.features)).join(' ');
  const line = rng.pick([
    () => `qemu ${rng.pick(VERSIONS)}`,
    () => `host-kernel >= ${rng.pick(VERSIONS)}`,
    () => `host-kernel ${rng.pick(VERSIONS)} .. ${rng.pick(VERSIONS)}`,
    () => `accel ${rng.pick(['kvm', 'tcg', 'xen'])}`,
    () => `cpu ${rng.pick(vocab.models)}`,
    () => `cpuid ${edits()}`,
    () => `cpuid { ${edits()} }`,
    () => `cpuid for ${rng.pick(vocab.models)}, ${rng.pick(vocab.models)} { ${edits()} }`,
    () => `migrate ${rng.pick(vocab.msrs)} ${rng.pick(vocab.msrs)}`,
    () => `migrate { ${rng.pick(vocab.msrs)} }`,
    () => 'follows-host',
    () => `alias ${rng.pick(vocab.machines)}`,
    () => `deprecated ${stringLiteral(rng)}`,
    () => `description ${stringLiteral(rng)}`,
    () => `compat e1000.autonegotiation = ${rng.pick(['off', 'on', '"x"'])}`,
    () => tokenStream(rng, 6, vocab).replace(/[\r\n]+/g, ' '),
  ])();
  return rng.chance(0.15) ? `${line} ${rng.pick(COMMENTS).replace('\n', '')}` : line;
}

// ---- mutations ------------------------------------------------------------

function splitLines(text: string): string[] {
  return text.split('\n');
}

/** Applies 1..maxMutations random line or character mutations. */
export function mutate(rng: Rng, text: string, donors: readonly string[] = [], maxMutations = 6): string {
  let out = text;
  for (let k = rng.range(1, maxMutations); k > 0; k--) out = mutateOnce(rng, out, donors);
  return out;
}

function mutateOnce(rng: Rng, text: string, donors: readonly string[]): string {
  const lines = splitLines(text);
  const li = rng.int(lines.length);
  const pos = rng.int(text.length + 1);
  switch (rng.int(10)) {
    case 0: // delete a line
      lines.splice(li, 1);
      return lines.join('\n');
    case 1: {
      // insert a line from a donor file, or a random one
      const donor = donors.length && rng.chance(0.6) ? rng.pick(splitLines(rng.pick(donors))) : tokenStream(rng, 8).replace(/\n/g, ' ');
      lines.splice(li, 0, donor);
      return lines.join('\n');
    }
    case 2: // duplicate a line
      lines.splice(li, 0, lines[li]);
      return lines.join('\n');
    case 3: {
      // swap two lines
      const lj = rng.int(lines.length);
      [lines[li], lines[lj]] = [lines[lj], lines[li]];
      return lines.join('\n');
    }
    case 4: // delete a run of characters
      return text.slice(0, pos) + text.slice(pos + rng.range(1, 8));
    case 5: // insert a token
      return text.slice(0, pos) + randomToken(rng) + text.slice(pos);
    case 6: {
      // duplicate a run of characters
      const len = rng.range(1, 40);
      return text.slice(0, pos) + text.slice(pos, pos + len) + text.slice(pos);
    }
    case 7: // swap two adjacent characters (may split a surrogate pair or a CRLF: on purpose)
      return pos + 1 < text.length ? text.slice(0, pos) + text[pos + 1] + text[pos] + text.slice(pos + 2) : text;
    case 8: // replace one character with a hostile one
      return text.slice(0, pos) + rng.pick(HOSTILE) + text.slice(pos + 1);
    default: // switch line endings of the whole text
      return rng.chance(0.5) ? text.replace(/\r?\n/g, '\r\n') : text.replace(/\r\n/g, '\n');
  }
}
