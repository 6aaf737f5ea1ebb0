/**
 * The regression suite from QEMU's history (test/history/*.mtype), against the real
 * knowledge base. Annotations: `# expect: CODE…`, `# expect-not: CODE…`, `# strict`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Project } from '../../server/src/services/project';
import { explainMachine } from '../../server/src/services/explain';

const dir = resolve(__dirname, '../../test/history');
const kb = getKnowledgeBase();
const files = readdirSync(dir).filter((f) => f.endsWith('.mtype'));

interface Expectations {
  expect: Map<number, string[]>;
  expectNot: Map<number, string[]>;
  strict: boolean;
}

function annotations(text: string): Expectations {
  const out: Expectations = { expect: new Map(), expectNot: new Map(), strict: false };
  text.split(/\r?\n/).forEach((line, i) => {
    if (/#\s*strict\b/.test(line)) out.strict = true;
    const m = /#\s*(expect|expect-not):\s*((?:MT\d{3}\s*)+)/.exec(line);
    if (m) (m[1] === 'expect' ? out.expect : out.expectNot).set(i, m[2].trim().split(/\s+/));
  });
  return out;
}

const project = new Project(kb);
for (const f of files) project.update(f, readFileSync(join(dir, f), 'utf8'));

for (const file of files) {
  test(`history: ${file}`, () => {
    const text = project.document(file)!.text;
    const want = annotations(text);
    const diagnostics = project.diagnostics(file);
    const at = (line: number) => diagnostics.filter((d) => d.range.start.line === line).map((d) => d.code);
    for (const [line, codes] of want.expect) {
      for (const code of codes) assert.ok(at(line).includes(code as never), `${file}:${line + 1} expects ${code}, got [${at(line).join(', ')}]`);
    }
    for (const [line, codes] of want.expectNot) {
      for (const code of codes) assert.ok(!at(line).includes(code as never), `${file}:${line + 1} must not get ${code}`);
    }
    if (want.strict) {
      for (const d of diagnostics) {
        if (d.severity !== 'error' && d.severity !== 'warning') continue;
        const expected = want.expect.get(d.range.start.line) ?? [];
        assert.ok(expected.includes(d.code), `${file}:${d.range.start.line + 1} unexpected ${d.code}: ${d.message}`);
      }
    }
  });
}

/** Effective CPUID names of a machine of models.mtype. */
function bits(machine: string): Set<string> {
  const ref = project.workspace.lookup(machine)!;
  return new Set(explainMachine(ref, project.workspace, kb).features.map((f) => f.name));
}

test('history: MPX stays in Skylake models for machine types <= 3.1', () => {
  assert.ok(bits('skylake-3.1').has('mpx'));
  assert.ok(!bits('skylake-4.0').has('mpx'));
});

test('history: Opteron_G3 keeps rdtscp up to 2.4, loses it in 2.5, regains it in 4.0', () => {
  assert.ok(bits('opteron-2.4').has('rdtscp'));
  assert.ok(!bits('opteron-2.5').has('rdtscp'));
  assert.ok(bits('opteron-4.0').has('rdtscp'));
});

test('history: x2apic is a KVM default from 2.0, not for 1.7 machine types', () => {
  assert.ok(!bits('pc-1.7').has('x2apic'));
  assert.ok(bits('pc-2.0').has('x2apic'));
});

test('history: the bundled examples parse and resolve without syntax errors', () => {
  const examples = resolve(__dirname, '../../examples');
  const p = new Project(kb);
  const names = readdirSync(examples).filter((f) => f.endsWith('.mtype'));
  assert.ok(names.length >= 4);
  for (const f of names) p.update(f, readFileSync(join(examples, f), 'utf8'));
  for (const f of names) {
    const bad = p.diagnostics(f).filter((d) => ['MT001', 'MT002', 'MT100', 'MT110', 'MT111'].includes(d.code));
    assert.deepEqual(bad, [], f);
  }
});
