/**
 * The incremental parser (syntax/reparse.ts) must give exactly the tree a fresh
 * parse gives, whatever the edit — syntax errors included — and re-parse only the
 * regions the edit touches.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse } from '../../server/src/syntax/parser';
import { reparse, type ReparseStats } from '../../server/src/syntax/reparse';
import type { SyntaxTree } from '../../server/src/syntax/ast';
import { generatedFile, rng } from './helpers/workload';

/** One line per node, `kind@start..end`, plus the regions: a tree compare is a string compare. */
export function dump(tree: SyntaxTree): string {
  const out: string[] = [];
  const walk = (node: unknown, label: string): void => {
    if (node === null || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach((n, i) => walk(n, `${label}[${i}]`));
    const n = node as Record<string, unknown>;
    const text = typeof n.text === 'string' ? ` ${JSON.stringify(n.text)}` : '';
    if (typeof n.start === 'number') out.push(`${label}${n.kind ? ':' + n.kind : ''}@${n.start}..${n.end}${text}`);
    for (const [k, v] of Object.entries(n)) if (k !== 'expected' && k[0] !== '$') walk(v, `${label}.${k}`);
  };
  tree.regions.forEach((r, i) => out.push(`region ${i}@${r.start}..${r.end}`));
  walk(tree.machines, 'm');
  walk(tree.comments, 'c');
  walk(tree.diagnostics, 'd');
  out.push(...tree.diagnostics.map((d) => `${d.code} ${d.message}`));
  return out.join('\n');
}

/** Applies `replace` at the `|` of `marked` (or over `[...]`) to a tree of the unmarked text. */
function edit(marked: string, replacement: string): { before: string; after: string } {
  const open = marked.indexOf('[');
  if (open >= 0) {
    const close = marked.indexOf(']');
    const before = marked.slice(0, open) + marked.slice(open + 1, close) + marked.slice(close + 1);
    return { before, after: marked.slice(0, open) + replacement + marked.slice(close + 1) };
  }
  const at = marked.indexOf('|');
  const before = marked.slice(0, at) + marked.slice(at + 1);
  return { before, after: before.slice(0, at) + replacement + before.slice(at) };
}

const FILE = 'machine a {\n  qemu 2.0\n  cpuid { +x2apic }\n}\n\nmachine b extends a {\n  cpu Haswell\n}\n# between\nmachine c {\n  description "c"\n}\n';

const CASES: Array<{ name: string; marked: string; text: string; reparsed?: number }> = [
  { name: 'typing inside a statement', marked: FILE.replace('cpu Haswell', 'cpu Has|well'), text: 'x', reparsed: 'machine b extends a {\n  cpu Hasxwell\n}\n# between\n'.length },
  { name: 'Enter at the start of a machine line', marked: FILE.replace('machine c', '|machine c'), text: '\n', reparsed: 0 },
  { name: 'an unclosed block stays in its region', marked: FILE.replace('+x2apic }', '+x2apic |}'), text: '{' },
  { name: 'an unclosed machine body', marked: FILE.replace('cpu Haswell\n}', 'cpu Haswell\n[}]'), text: '' },
  { name: 'an unclosed string', marked: FILE.replace('"c"', '"c|"'), text: '' },
  { name: 'a stray machine word inside a body', marked: FILE.replace('  cpu Haswell', '|  cpu Haswell'), text: 'machine\n' },
  { name: 'machine keyword broken', marked: FILE.replace('machine b', 'mac|hine b'), text: ' ' },
  { name: 'machine keyword deleted', marked: FILE.replace('machine b', '[machine ]b'), text: '' },
  { name: 'line break before a machine deleted', marked: FILE.replace('}\n\nmachine b', '}\n[\n]machine b'), text: ' ' },
  { name: 'a new machine typed in the middle', marked: FILE.replace('# between', '|# between'), text: 'machine z extends c {\n' },
  { name: 'a brace group opened on a bad line', marked: FILE.replace('  cpu Haswell', '|  cpu Haswell'), text: 'bogus {\n' },
  { name: 'text before the first machine', marked: '|' + FILE, text: 'junk {\n' },
  { name: 'Enter at the start of a file that starts with a machine', marked: '|' + FILE, text: '\n', reparsed: 1 },
  { name: 'Enter at the start of a file that starts with text', marked: '|# head\njunk\n' + FILE, text: '\n' },
  { name: 'CRLF line breaks', marked: FILE.replace(/\n/g, '\r\n').replace('cpu Haswell', 'cpu |Haswell'), text: '\r\n' },
  { name: 'everything deleted', marked: `[${FILE}]`, text: '' },
  { name: 'everything from nothing', marked: '|', text: FILE },
];

for (const c of CASES) {
  test(`reparse equals a fresh parse: ${c.name}`, () => {
    const { before, after } = edit(c.marked, c.text);
    const stats: ReparseStats = { reparsed: -1, kept: -1 };
    const tree = reparse(parse(before), after, stats);
    assert.equal(dump(tree), dump(parse(after)));
    if (c.reparsed !== undefined) assert.equal(stats.reparsed, c.reparsed);
  });
}

test('machines an edit does not touch are the same objects, moved', () => {
  const old = parse(FILE);
  const [a, b, c] = old.machines;
  const tree = reparse(old, FILE.replace('qemu 2.0', 'qemu 2.0.1\n'));
  assert.notEqual(tree.machines[0], a);
  assert.equal(tree.machines[1], b);
  assert.equal(tree.machines[2], c);
  assert.equal(dump(tree), dump(parse(tree.text)));
});

test('in a re-parsed machine, the header and the statements the edit did not touch are the old objects, moved', () => {
  const old = parse(FILE);
  const a = old.machines[0];
  const [qemu, cpuid] = a.statements;
  // Typed into `qemu`: the name before it and the cpuid block after it (shifted by 2) survive.
  const tree = reparse(old, FILE.replace('qemu 2.0', 'qemu 2.0.1'));
  const edited = tree.machines[0];
  assert.notEqual(edited, a);
  assert.equal(edited.name, a.name);
  assert.notEqual(edited.statements[0], qemu);
  assert.equal(edited.statements[1], cpuid);
  assert.equal(cpuid.start, FILE.indexOf('cpuid') + 2);
  assert.equal(dump(tree), dump(parse(tree.text)));
  // Typed into the block: now the block is new and `qemu` (before the edit) is kept.
  const again = reparse(tree, tree.text.replace('+x2apic', '+x2apicx'));
  assert.equal(again.machines[0].statements[0], edited.statements[0]);
  assert.notEqual(again.machines[0].statements[1], cpuid);
  assert.equal(dump(again), dump(parse(again.text)));
});

test('in the statement an edit lies in, the edits and names outside the change are the old objects, moved', () => {
  const text = 'machine a {\n  cpuid for Haswell, Skylake-Client { +x2apic +avx -pdpe1gb }\n  migrate MSR_IA32_TSC_ADJUST MSR_IA32_TSC\n}\n';
  const old = parse(text);
  const block = old.machines[0].statements[0];
  assert.ok(block.kind === 'cpuid');
  const [x2apic, avx, pdpe1gb] = block.edits;
  const [haswell, skylake] = block.models;
  // Typed into +avx (one character longer): the edit is new, its neighbours and the model names are kept.
  const tree = reparse(old, text.replace('+avx ', '+avxx '));
  const now = tree.machines[0].statements[0];
  assert.ok(now.kind === 'cpuid');
  assert.notEqual(now, block, 'the statement itself is parsed again');
  assert.equal(now.edits[0], x2apic);
  assert.notEqual(now.edits[1], avx);
  assert.equal(now.edits[2], pdpe1gb);
  assert.equal(pdpe1gb.start, text.indexOf('-pdpe1gb') + 1, 'a kept word after the change moved by its length');
  assert.deepEqual([now.models[0], now.models[1]], [haswell, skylake]);
  assert.equal(dump(tree), dump(parse(tree.text)));
  // Typed into a model name: that name is new, the other one and every edit are kept.
  const again = reparse(tree, tree.text.replace('Skylake-Client', 'Skylake-Clientx'));
  const block2 = again.machines[0].statements[0];
  assert.ok(block2.kind === 'cpuid');
  assert.equal(block2.models[0], haswell);
  assert.notEqual(block2.models[1], skylake);
  assert.deepEqual(block2.edits, now.edits);
  assert.equal(block2.edits[0], x2apic);
  assert.equal(dump(again), dump(parse(again.text)));
  // An MSR of a migrate list likewise.
  const msrs = again.machines[0].statements[1];
  assert.ok(msrs.kind === 'migrate');
  const third = reparse(again, again.text.replace('MSR_IA32_TSC\n', 'MSR_IA32_TSCx\n'));
  const msrs2 = third.machines[0].statements[1];
  assert.ok(msrs2.kind === 'migrate');
  assert.equal(msrs2.msrs[0], msrs.msrs[0]);
  assert.notEqual(msrs2.msrs[1], msrs.msrs[1]);
  assert.equal(dump(third), dump(parse(third.text)));
});

const root = resolve(__dirname, '../..');
const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.mtype')).map((f) => readFileSync(join(root, 'examples', f), 'utf8'));
const SNIPPETS = ['x', '\n', '\n\n', '{', '}', '"', '#', ' ', 'machine', 'machine q {\n', '\nmachine q extends a {\n  cpuid +x2apic\n', '  cpuid {\n', '+', '-avx', 'qemu 2.0\n'];

/** Random edits (typing, Enter, paste, deletes, syntax errors), each reparsed from the previous tree. */
export function randomEdits(seed: number, start: string, steps: number, check: (text: string, step: number) => void): void {
  const r = rng(seed);
  let text = start;
  for (let step = 0; step < steps; step++) {
    const at = r.int(0, text.length);
    const kind = r.next();
    if (kind < 0.45) text = text.slice(0, at) + r.pick(SNIPPETS) + text.slice(at);
    else if (kind < 0.75) text = text.slice(0, at) + text.slice(Math.min(text.length, at + r.int(1, 4)));
    else if (kind < 0.9) {
      const from = r.int(0, text.length);
      text = text.slice(0, at) + text.slice(from, from + r.int(1, 300)) + text.slice(at);
    } else text = text.slice(0, at) + text.slice(Math.min(text.length, at + r.int(5, 200)));
    check(text, step);
  }
}

test('reparse equals a fresh parse over random edits of the examples and a generated catalogue', () => {
  const starts = [...examples, generatedFile(42, 400)];
  starts.forEach((start, i) => {
    let tree = parse(start);
    randomEdits(1000 + i, start, 100, (text, step) => {
      tree = reparse(tree, text);
      assert.equal(dump(tree), dump(parse(text)), `start ${i}, step ${step}`);
    });
  });
});
