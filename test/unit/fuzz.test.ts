/**
 * Fuzz and property tests (issue 6): random token streams and mutations of seed
 * files never throw, never hang, keep every range inside its document and give
 * the same diagnostics every time. Small here (about a second or two); long
 * campaigns run with `npm run fuzz`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { LineIndex } from '../../server/src/common/text';
import { getKnowledgeBase, type KnowledgeBase } from '../../server/src/kb/knowledge-base';
import { miniKb } from './helpers/mini-kb';
import { Rng, deriveSeed } from '../fuzz/lib/prng';
import { machineLike, mutate, tokenStream } from '../fuzz/lib/generate';
import { BUILTIN_SEEDS, repositorySeeds } from '../fuzz/lib/seeds';
import { FuzzFailure, assertRange, checkInput } from '../fuzz/lib/check';

const root = resolve(__dirname, '../..');
const SEED = 0x6d747970; // fixed: the suite must be reproducible; `npm run fuzz -- --seed S` explores
const COMPANION = 'machine base {\n  qemu 1.3\n  cpu Haswell\n  cpuid { +kvm-pv-eoi }\n}\nmachine pc-1.3 extends base { deprecated "old" }\n';

type Generator = (rng: Rng) => string;

function campaign(name: string, count: number, generate: Generator, kbs: KnowledgeBase[]): void {
  for (let i = 0; i < count; i++) {
    const seed = deriveSeed(SEED, i);
    const text = generate(new Rng(seed));
    const kb = kbs[i % kbs.length];
    try {
      // Both ways of reporting inherited findings: the command line's and the editor's.
      checkInput(text, kb, { companion: i % 2 ? COMPANION : undefined, inherited: i % 4 < 2 ? 'each' : 'once' });
    } catch (error) {
      const shown = JSON.stringify(text.length > 400 ? text.slice(0, 400) + '…' : text);
      assert.fail(`${name} #${i} (seed ${seed}): ${(error as Error).message}\ninput: ${shown}`);
    }
  }
}

const kbs = () => [miniKb(), getKnowledgeBase()];

test('random token streams: no crash, no hang, ranges inside, deterministic', { timeout: 60_000 }, () => {
  campaign('tokens', 200, (rng) => tokenStream(rng, 120), kbs());
});

test('machine-shaped streams with damage', { timeout: 60_000 }, () => {
  campaign('machines', 150, (rng) => (rng.chance(0.5) ? machineLike(rng) : mutate(rng, machineLike(rng))), kbs());
});

test('mutations of the examples, the corpus and built-in seeds', { timeout: 60_000 }, () => {
  const seeds = repositorySeeds(root);
  assert.ok(seeds.length >= BUILTIN_SEEDS.length);
  campaign('mutations', 250, (rng) => mutate(rng, rng.pick(seeds), seeds), kbs());
});

test('every seed file itself satisfies the properties', () => {
  for (const kb of kbs()) for (const text of repositorySeeds(root)) checkInput(text, kb, { companion: COMPANION });
});

test('hostile extremes: NULs, lone surrogates, BOMs, bare CRs, deep braces, long words', { timeout: 60_000 }, () => {
  const inputs = [
    '',
    '\u0000'.repeat(5000),
    '\ud800'.repeat(5000) + 'machine a {}',
    '\udc00machine\ud800 a {\n}',
    '\ufeff\ufeffmachine a {\r\r\r}\r',
    'machine a {\n' + '{'.repeat(5000) + '}'.repeat(5000) + '\n}\n',
    'machine a {\n  cpuid ' + '{ '.repeat(3000) + '\n}',
    'machine ' + 'a'.repeat(100_000) + ' {\n  cpuid +' + 'x'.repeat(100_000) + '\n}\n',
    'machine a {\n  cpuid ' + '+x2apic '.repeat(5_000) + '\n}\n',
    'machine a {\n  migrate ' + '0x'.padEnd(10_000, 'f') + '\n}\n',
    '"' + '\\'.repeat(10_001) + '\n"\\"',
    '#'.repeat(50_000),
    'machine a extends a {}\nmachine b extends c {}\nmachine c extends b {}\n',
    Array.from({ length: 100 }, (_, i) => `machine m${i} extends m${i + 1} { cpuid +avx2 }`).join("\n") + "\nmachine m100 extends m0 {}",
  ];
  for (const kb of kbs()) for (const text of inputs) checkInput(text, kb, { companion: COMPANION });
});

// The property checker must itself be able to fail, or the campaigns above prove nothing.
test('the range property rejects positions outside the document', () => {
  const lines = new LineIndex('ab\r\ncd');
  assertRange(lines, { start: { line: 1, character: 0 }, end: { line: 1, character: 2 } }, 'ok');
  assert.throws(() => assertRange(lines, { start: { line: 0, character: 3 }, end: { line: 0, character: 3 } }, 'x'), FuzzFailure); // past "ab" (CR is not content)
  assert.throws(() => assertRange(lines, { start: { line: 2, character: 0 }, end: { line: 2, character: 0 } }, 'x'), FuzzFailure);
  assert.throws(() => assertRange(lines, { start: { line: 1, character: 1 }, end: { line: 0, character: 1 } }, 'x'), FuzzFailure);
});

test('the generators are deterministic per seed and differ across seeds', () => {
  const a = tokenStream(new Rng(42), 50);
  assert.equal(tokenStream(new Rng(42), 50), a);
  assert.notEqual(tokenStream(new Rng(43), 50), a);
  assert.equal(mutate(new Rng(7), BUILTIN_SEEDS[0]), mutate(new Rng(7), BUILTIN_SEEDS[0]));
});
