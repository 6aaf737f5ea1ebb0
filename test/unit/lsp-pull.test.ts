/**
 * Pull diagnostics over the real server: reports carry a result id, a pull with
 * the current id answers `unchanged`, an edit changes the id, and the server asks
 * for a refresh only when a document other than the edited one changed.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestClient } from './helpers/lsp-client';

interface Report {
  kind: 'full' | 'unchanged';
  resultId?: string;
  items?: Array<{ code: string }>;
}

const BASE = 'machine pc-base {\n  qemu 2.0\n  accel tcg\n}\n';
const CHILD = 'machine pc-child extends pc-base {\n  cpuid +x2apic\n}\n';
const client = new TestClient();
const dir = mkdtempSync(join(tmpdir(), 'mtype-pull-'));
const uri = (name: string) => pathToFileURL(join(dir, name)).href;
let refreshes = 0;
const pull = (name: string, previousResultId?: string) => client.request<Report>('textDocument/diagnostic', { textDocument: { uri: uri(name) }, previousResultId });
const settle = () => new Promise((r) => setTimeout(r, 300));

before(async () => {
  writeFileSync(join(dir, 'base.mtype'), BASE);
  writeFileSync(join(dir, 'child.mtype'), CHILD);
  client.connection.onRequest('workspace/diagnostic/refresh', () => {
    refreshes++;
    return null;
  });
  const init = await client.initialize(dir, { textDocument: { diagnostic: { dynamicRegistration: false } }, workspace: { diagnostics: { refreshSupport: true } } });
  assert.ok(init.capabilities.diagnosticProvider);
  client.open(uri('base.mtype'), BASE);
  client.open(uri('child.mtype'), CHILD);
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
  return client.stop();
});

test('a pull with the current result id is answered unchanged; an edit gives a new id', async () => {
  const first = await pull('child.mtype');
  assert.equal(first.kind, 'full');
  assert.ok(first.resultId);
  assert.deepEqual(await pull('child.mtype', first.resultId), { kind: 'unchanged', resultId: first.resultId });
  client.change(uri('child.mtype'), CHILD.replace('x2apic', 'nonsense'));
  const edited = await pull('child.mtype', first.resultId);
  assert.equal(edited.kind, 'full');
  assert.notEqual(edited.resultId, first.resultId);
  assert.ok(edited.items!.some((d) => d.code === 'MT100'), JSON.stringify(edited.items));
});

test('an edit that changes only the edited document sends no refresh; one that changes another pulled document does', async () => {
  await pull('base.mtype');
  await pull('child.mtype');
  await settle();
  const before = refreshes;
  client.change(uri('child.mtype'), CHILD.replace('x2apic', 'nonsens'));
  await settle();
  assert.equal(refreshes, before, 'the child changed only itself');
  // Renaming the base leaves the child with an unknown base (MT111): another document changed.
  client.change(uri('base.mtype'), BASE.replace('pc-base', 'pc-renamed'));
  await settle();
  assert.equal(refreshes, before + 1);
  const child = await pull('child.mtype');
  assert.ok(child.items!.some((d) => d.code === 'MT111'), JSON.stringify(child.items));
});

test('a change on disk that changes an open document (which the client does not pull by itself) sends a refresh', async () => {
  client.change(uri('base.mtype'), BASE);
  await settle();
  await pull('base.mtype');
  const child = await pull('child.mtype');
  assert.ok(!child.items!.some((d) => d.code === 'MT111'), JSON.stringify(child.items));
  client.close(uri('base.mtype'));
  await settle();
  const before = refreshes;
  // The base is renamed on disk: the open child's text is the same, its diagnostics are not.
  writeFileSync(join(dir, 'base.mtype'), BASE.replace('pc-base', 'pc-gone'));
  await client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uri('base.mtype'), type: 2 }] });
  await settle();
  assert.equal(refreshes, before + 1);
  assert.ok((await pull('child.mtype')).items!.some((d) => d.code === 'MT111'));
});
