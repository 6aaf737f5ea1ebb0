/**
 * Pushed diagnostics follow the workspace: a base deleted, re-created or renamed
 * on disk changes the open child's diagnostics, and closing a document clears
 * its diagnostics for good.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestClient, type LspDiagnostic } from './helpers/lsp-client';

const BASE = 'machine pc-base {\n  qemu 2.0\n  accel tcg\n}\n';
const CHILD = 'machine pc-child extends pc-base {\n}\n';
const DELETED = 3;
const CREATED = 1;
const CHANGED = 2;

describe('diagnostics lifecycle', () => {
  const client = new TestClient();
  const dir = mkdtempSync(join(tmpdir(), 'mtype-diag-'));
  const uri = (name: string) => pathToFileURL(join(dir, name)).href;
  const hasMT111 = (d: LspDiagnostic[]) => d.some((x) => x.code === 'MT111');
  const watched = (changes: Array<{ uri: string; type: number }>) => client.connection.sendNotification('workspace/didChangeWatchedFiles', { changes });

  before(async () => {
    writeFileSync(join(dir, 'base.mtype'), BASE);
    writeFileSync(join(dir, 'child.mtype'), CHILD);
    await client.initialize(dir);
    client.open(uri('child.mtype'), CHILD);
    // The base lives in a closed file the server read from disk.
    await client.diagnostics(uri('child.mtype'), (d) => !hasMT111(d));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
    return client.stop();
  });

  test('a base deleted on disk makes the open child report MT111; re-created, it resolves again', async () => {
    rmSync(join(dir, 'base.mtype'));
    let since = client.mark();
    await watched([{ uri: uri('base.mtype'), type: DELETED }]);
    await client.diagnostics(uri('child.mtype'), hasMT111, since);
    writeFileSync(join(dir, 'base.mtype'), BASE);
    since = client.mark();
    await watched([{ uri: uri('base.mtype'), type: CREATED }]);
    await client.diagnostics(uri('child.mtype'), (d) => !hasMT111(d), since);
  });

  test('a base renamed on disk (delete + create) still resolves', async () => {
    renameSync(join(dir, 'base.mtype'), join(dir, 'renamed.mtype'));
    const since = client.mark();
    await watched([
      { uri: uri('base.mtype'), type: DELETED },
      { uri: uri('renamed.mtype'), type: CREATED },
    ]);
    // Every open document is re-published after a watched-files change.
    const diagnostics = await client.diagnostics(uri('child.mtype'), () => true, since);
    assert.ok(!hasMT111(diagnostics), JSON.stringify(diagnostics));
    assert.ok(!hasMT111(client.latest(uri('child.mtype'))));
  });

  test('a base that grows past the size limit on disk leaves the workspace instead of lingering', async () => {
    writeFileSync(join(dir, 'renamed.mtype'), BASE + '#'.repeat(9 * 1024 * 1024));
    let since = client.mark();
    await watched([{ uri: uri('renamed.mtype'), type: CHANGED }]);
    await client.diagnostics(uri('child.mtype'), hasMT111, since);
    writeFileSync(join(dir, 'renamed.mtype'), BASE);
    since = client.mark();
    await watched([{ uri: uri('renamed.mtype'), type: CHANGED }]);
    await client.diagnostics(uri('child.mtype'), (d) => !hasMT111(d), since);
  });

  test('closing a document clears its diagnostics, and later changes do not bring them back', async () => {
    // `other` extends the child and stays in the workspace from disk after it is closed.
    const OTHER = 'machine other extends pc-child {\n  cpuid +nonsense\n}\n';
    writeFileSync(join(dir, 'other.mtype'), OTHER);
    const other = uri('other.mtype');
    client.open(other, OTHER);
    await client.diagnostics(other, (d) => d.some((x) => x.code === 'MT100'));
    const since = client.mark();
    client.close(other);
    assert.deepEqual(await client.diagnostics(other, () => true, since), []);
    // Changing its base re-checks `other`, but a closed document must not be re-published.
    const after = client.mark();
    client.change(uri('child.mtype'), CHILD.replace('{\n}', '{\n  cpuid +nonsense\n}'));
    await client.diagnostics(uri('child.mtype'), (d) => d.some((x) => x.code === 'MT100'), after);
    // Publishes of one flush are written together: after this round trip all of them have arrived.
    await client.request('textDocument/hover', { textDocument: { uri: other }, position: { line: 0, character: 0 } });
    assert.deepEqual(client.latest(other), []);
    assert.ok(!client.published.slice(after).some((p) => p.uri === other));
  });
});
