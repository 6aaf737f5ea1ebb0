/**
 * The engine on files built to be expensive: thousands of unknown names,
 * duplicate definitions and broken `extends`. Each once took seconds to
 * minutes, or ran out of memory (see docs/robustness.md); the bounds here are
 * ten times what the fixed code needs on a slow shared machine.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Project } from '../../server/src/services/project';
import { MAX_SUGGESTED_NAMES } from '../../server/src/checks/budget';

const kb = getKnowledgeBase();

function analyse(text: string): { ms: number; diagnostics: ReturnType<Project['diagnostics']> } {
  const t0 = performance.now();
  const project = new Project(kb);
  project.update('file:///big.mtype', text);
  const diagnostics = project.diagnostics('file:///big.mtype');
  return { ms: performance.now() - t0, diagnostics };
}

// Was O(n²): every MT111 compared its base with every machine name (20,000 machines: 198 s).
test('5,000 machines extending unknown bases: linear, suggestions only for the first ones', () => {
  const text = Array.from({ length: 5000 }, (_, i) => `machine m${i} extends pc-${i}x { accel tcg }`).join('\n');
  const { ms, diagnostics } = analyse(text);
  const mt111 = diagnostics.filter((d) => d.code === 'MT111');
  assert.equal(mt111.length, 5000);
  assert.ok(ms < 5000, `${ms.toFixed(0)} ms`);
  assert.match(mt111[mt111.length - 1].message, /no \.mtype file of the workspace defines it/);
});

test('a misspelt base still gets its did-you-mean in a normal file', () => {
  const { diagnostics } = analyse('machine pc-base { accel tcg }\nmachine child extends pc-bse { accel tcg }\n');
  const d = diagnostics.find((x) => x.code === 'MT111')!;
  assert.match(d.message, /did you mean 'pc-base'/);
  assert.equal(d.fixes?.length, 1);
});

// Was O(n²) in text and related information: 5,000 copies of one machine ran out of a 4 GB heap.
test('3,000 definitions of one machine: each MT113 names a few others, not all', () => {
  const { ms, diagnostics } = analyse('machine same { accel tcg }\n'.repeat(3000));
  const mt113 = diagnostics.filter((d) => d.code === 'MT113');
  assert.equal(mt113.length, 3000);
  for (const d of mt113) {
    assert.ok((d.related?.length ?? 0) <= 5);
    assert.ok(d.message.length < 300, d.message);
  }
  assert.match(mt113[0].message, /defined 3000 times .*and 2994 more\)$/);
  assert.ok(ms < 5000, `${ms.toFixed(0)} ms`);
});

// Was ~0.3 ms of did-you-mean per unknown name: a 1 MB line of unknown features took most of a minute.
test('thousands of unknown features: suggestions for the first MAX_SUGGESTED_NAMES only', () => {
  const edits = Array.from({ length: 6000 }, (_, i) => `+x2apc${i % 10 ? '' : 'q'}`).join(' ');
  const { ms, diagnostics } = analyse(`machine a {\n  accel tcg\n  cpuid ${edits}\n}\n`);
  const mt100 = diagnostics.filter((d) => d.code === 'MT100');
  assert.equal(mt100.length, 6000);
  assert.match(mt100[0].message, /did you mean 'x2apic'/);
  assert.equal(mt100.filter((d) => d.fixes?.length).length, MAX_SUGGESTED_NAMES);
  assert.ok(ms < 5000, `${ms.toFixed(0)} ms`);
});
