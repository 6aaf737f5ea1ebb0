/**
 * A view's decisions (model/cpuid.ts, model/edit-summary.ts) against their definition:
 * for a feature and a model, the edit that decides it is the chain's last edit naming
 * the feature that is global or in a `cpuid for` list applying to the model. The views
 * work it out from the base's summary (per model, own edits only, maps shared when
 * nothing changes); here it is read off the flat list of the chain's edits, over random
 * chains and random edits of them, so a summary reused from the previous text is
 * checked too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Workspace } from '../../server/src/model/workspace';
import { cpuidView, editAppliesTo, modelsToCheck } from '../../server/src/model/cpuid';
import type { ResolvedMachine } from '../../server/src/model/resolve';

const kb = getKnowledgeBase();
const FEATURES = ['sse', 'sse2', 'avx', 'pae', 'fpu', 'de', 'kvmclock', 'x2apic'];
const MODELS = ['qemu64', 'Westmere', 'Westmere-v1', 'Opteron_G2-v1', 'Skylake-Server', 'pentium2'];

function rng(seed: number) {
  let s = seed >>> 0;
  const next = () => ((s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  return { int: (n: number) => Math.floor(next() * n), pick: <T>(xs: readonly T[]) => xs[Math.floor(next() * xs.length)] };
}

function edits(r: ReturnType<typeof rng>, n: number): string {
  return Array.from({ length: n }, () => `${r.pick(['+', '-'])}${r.pick(FEATURES)}`).join(' ');
}

/** A chain of `depth` machines (each extends the one before), some with a `cpu`, global and per-model edits. */
function chainText(r: ReturnType<typeof rng>, depth: number): string {
  const out: string[] = [];
  for (let i = 0; i < depth; i++) {
    out.push(`machine m${i}${i ? ` extends m${i - 1}` : ''} {`);
    if (r.int(3) === 0) out.push(`  cpu ${r.pick(MODELS)}`);
    if (r.int(4) !== 0) out.push(`  cpuid { ${edits(r, 1 + r.int(3))} }`);
    for (let k = r.int(3); k > 0; k--) out.push(`  cpuid for ${Array.from({ length: 1 + r.int(2) }, () => r.pick(MODELS)).join(', ')} { ${edits(r, 1 + r.int(3))} }`);
    if (r.int(3) === 0) out.push(`  cpuid { ${edits(r, 1)} }`);
    out.push('}', '');
  }
  return out.join('\n');
}

/** The definition: the last edit of the chain naming the feature, global or applying to the model. */
function expected(machine: ResolvedMachine, modelName: string, feature: string) {
  const model = kb.model(modelName);
  let last;
  for (const e of machine.edits) {
    if (kb.feature(e.edit.feature.text)?.name !== feature) continue;
    if (e.models.length === 0 || editAppliesTo(e, model, modelName, kb)) last = e;
  }
  return last;
}

function checkAll(ws: Workspace, depth: number, r: ReturnType<typeof rng>): number {
  let compared = 0;
  // Views asked in a random order of machines: a summary may be made below before its base's.
  const order = Array.from({ length: depth }, (_, i) => i).sort(() => r.int(3) - 1);
  for (const i of order) {
    const ref = ws.definitions(`m${i}`)[0];
    const machine = ws.resolve(ref);
    for (const m of [...modelsToCheck(machine), { name: r.pick(MODELS), origin: undefined }]) {
      const view = cpuidView(machine, m.name, m.origin, kb);
      for (const f of FEATURES) {
        assert.equal(view.decision(f)?.edit, expected(machine, m.name, f), `m${i} for ${m.name}: ${f}`);
        compared++;
      }
    }
  }
  return compared;
}

test("a view's decisions are the chain's last applying edit, over random chains and edits of them", () => {
  let compared = 0;
  for (let seed = 1; seed <= 40; seed++) {
    const r = rng(seed);
    const depth = 2 + r.int(9);
    const ws = new Workspace();
    let text = chainText(r, depth);
    ws.setDocument('file:///chain.mtype', text, 1);
    compared += checkAll(ws, depth, r);
    // Edit the chain: a machine's body written again, the rest kept (their resolutions and summaries reused).
    for (let step = 2; step <= 6; step++) {
      const lines = text.split('\n');
      const at = lines.findIndex((l, k) => k >= r.int(lines.length) && l.startsWith('  cpuid'));
      if (at >= 0) lines[at] = r.int(2) ? `  cpuid { ${edits(r, 1 + r.int(3))} }` : `  cpuid for ${r.pick(MODELS)} { ${edits(r, 2)} }`;
      text = lines.join('\n');
      ws.setDocument('file:///chain.mtype', text, step);
      compared += checkAll(ws, depth, r);
    }
  }
  assert.ok(compared > 5000, `compared ${compared}`);
});
