/** mtype/status, what the VS Code status items show: workspace counts, the last check, the KB's version. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { KnowledgeBase, getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { kbVersion } from '../../server/src/services/machine-requests';
import { TestClient } from './helpers/lsp-client';

const root = mkdtempSync(join(tmpdir(), 'mtype-status-'));
const client = new TestClient();
after(async () => {
  await client.stop();
  rmSync(root, { recursive: true, force: true });
});

interface Status {
  machines: number;
  files: number;
  indexing: boolean;
  lastCheck: { at: string; ms: number; uri: string } | null;
  kb: { features: number; newestQemu: string | null; newestKernel: string | null; version: string };
}

test('mtype/status: counts, indexing, the last check (time, duration, document) and the KB version', async () => {
  writeFileSync(join(root, 'base.mtype'), 'machine st-base {\n  qemu 2.12\n  accel tcg\n}\n');
  await client.initialize(root);
  const uri = pathToFileURL(join(root, 'child.mtype')).href;
  const before = await client.request<Status>('mtype/status', {});
  assert.equal(before.lastCheck, null, 'nothing checked yet');
  assert.match(before.kb.version, /^[0-9a-f]{12}$/);
  assert.ok(before.kb.features > 100 && before.kb.newestQemu && before.kb.newestKernel);

  const t0 = Date.now();
  client.open(uri, 'machine st-child extends st-base {\n  +no-such-bit\n}\n');
  await client.diagnostics(uri, (d) => d.length > 0);
  const s = await client.request<Status>('mtype/status', {});
  assert.equal(s.indexing, false);
  assert.equal(s.machines, 2);
  assert.equal(s.files, 2);
  assert.equal(s.lastCheck?.uri, uri);
  assert.ok(Date.parse(s.lastCheck!.at) >= t0 - 1000 && Date.parse(s.lastCheck!.at) <= Date.now(), s.lastCheck!.at);
  assert.ok(s.lastCheck!.ms >= 0);
  assert.equal(s.kb.version, before.kb.version, 'the same KB, the same version');
});

test('the KB version is a fingerprint of its content: one changed fact changes it', () => {
  const kb = getKnowledgeBase();
  const same = new KnowledgeBase({ features: kb.features as never, msrs: kb.msrs as never, models: kb.models as never, releases: { releases: [...kb.releases] as never, modelCompat: kb.modelCompat as never }, kernels: kb.kernels });
  assert.equal(kbVersion(same), kbVersion(kb));
  const features = kb.features.map((f, i) => (i === 0 ? { ...f, description: `${f.description} (edited)` } : f));
  const edited = new KnowledgeBase({ features: features as never, msrs: kb.msrs as never, models: kb.models as never, releases: { releases: [...kb.releases] as never, modelCompat: kb.modelCompat as never }, kernels: kb.kernels });
  assert.notEqual(kbVersion(edited), kbVersion(kb));
});
