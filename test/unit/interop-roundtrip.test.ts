/**
 * Round trip through QEMU's door, as a property over every machine of examples/ and test/history/
 * (and every CPU model each is checked for): importing `explain --format qemu M` gives a machine
 * with M's guest CPU — the same model record, accelerator, TSC frequency and enabled bits — except
 * for the bits the export itself says the release cannot express (its `#` notes).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Workspace } from '../../server/src/model/workspace';
import { modelsToCheck } from '../../server/src/model/cpuid';
import { explainMachine } from '../../server/src/services/explain';
import { qemuExportInput } from '../../server/src/services/explain-qemu';
import { qemuCommandLine, renderQemu } from '../../server/src/interop/qemu';
import { importMachine } from '../../server/src/interop/import';
import { renderMtype } from '../../server/src/interop/imported';

const root = resolve(__dirname, '../..');
const kb = getKnowledgeBase();

function folderWorkspace(dir: string): Workspace {
  const ws = new Workspace();
  for (const f of readdirSync(join(root, dir)).filter((n) => n.endsWith('.mtype')).sort()) ws.setDocument(join(dir, f), readFileSync(join(root, dir, f), 'utf8'));
  return ws;
}

test('import(explain --format qemu M) resolves to the guest CPU of M, for every machine of examples/ and test/history/', (t) => {
  let machines = 0;
  let bits = 0;
  const notExpressible: string[] = [];
  for (const dir of ['examples', 'test/history']) {
    const ws = folderWorkspace(dir);
    for (const name of ws.machineNames()) {
      const ref = ws.lookup(name)!;
      for (const { name: model } of modelsToCheck(ws.resolve(ref))) {
        if (!kb.model(model) && model !== ws.resolve(ref).cpu?.value) continue; // a misspelt `cpuid for` model: nothing to export
        const e = explainMachine(ref, ws, kb, model);
        const exported = qemuCommandLine(qemuExportInput(e, ref, ws), kb);
        const text = renderQemu(exported);
        const imported = renderMtype(importMachine(text, kb, { name: 'roundtrip', qemu: e.qemu }));
        const back = new Workspace();
        back.setDocument('roundtrip.mtype', imported);
        const b = explainMachine(back.lookup('roundtrip')!, back, kb);
        const what = `${dir} ${name} (cpu ${model}):\n${text}\n→\n${imported}`;
        assert.equal(kb.model(b.cpu) ?? b.cpu, kb.model(e.cpu) ?? e.cpu, `same model: ${what}`);
        assert.deepEqual([b.qemu, b.accel], [e.qemu, e.accel], what);
        assert.equal(back.resolve(back.lookup('roundtrip')!).tscFrequency?.value, ws.resolve(ref).tscFrequency?.value, `same TSC frequency: ${what}`);
        const omitted = new Set(exported.omitted);
        const before = new Set(e.features.map((f) => f.name).filter((n) => !omitted.has(n)));
        const after = new Set(b.features.map((f) => f.name).filter((n) => !omitted.has(n)));
        assert.deepEqual([...after].sort(), [...before].sort(), `same enabled bits: ${what}`);
        machines++;
        bits += before.size;
        for (const n of omitted) notExpressible.push(`${name}@${e.qemu}:${n}`);
      }
    }
  }
  assert.ok(machines > 50, `every machine was compared (${machines})`);
  t.diagnostic(`round trip: ${machines} machine/model pairs, ${bits} enabled bits identical; not expressible on their release: ${notExpressible.length} (${notExpressible.join(', ')})`);
});
