/** Workspace folders added or removed after start-up are scanned or forgotten. */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestClient, type LspDiagnostic } from './helpers/lsp-client';

const first = mkdtempSync(join(tmpdir(), 'mtype-f1-'));
const second = mkdtempSync(join(tmpdir(), 'mtype-f2-'));
const client = new TestClient();
after(() => {
  rmSync(first, { recursive: true, force: true });
  rmSync(second, { recursive: true, force: true });
  return client.stop();
});

test('a base in a folder added later resolves; removing the folder makes it unknown again', async () => {
  writeFileSync(join(second, 'base.mtype'), 'machine late-base {\n  qemu 2.0\n  accel tcg\n}\n');
  const child = pathToFileURL(join(first, 'child.mtype')).href;
  const text = 'machine child extends late-base {\n}\n';
  writeFileSync(join(first, 'child.mtype'), text);
  await client.initialize(first, { workspace: { workspaceFolders: true } });
  const hasMT111 = (d: LspDiagnostic[]) => d.some((x) => x.code === 'MT111');
  client.open(child, text);
  await client.diagnostics(child, hasMT111);
  let since = client.mark();
  const folder = { uri: pathToFileURL(second).href, name: 'second' };
  await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [folder], removed: [] } });
  const resolved = await client.diagnostics(child, (d) => !hasMT111(d), since);
  assert.ok(!hasMT111(resolved));
  since = client.mark();
  await client.connection.sendNotification('workspace/didChangeWorkspaceFolders', { event: { added: [], removed: [folder] } });
  await client.diagnostics(child, hasMT111, since);
});
