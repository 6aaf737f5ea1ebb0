/**
 * The language server reports an inherited finding once per cause by default
 * (`mtype.inheritedFindings`), lists the machines sharing it as related
 * information when the client takes related information, and leaves that out for
 * a client that does not say it does.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from './helpers/lsp-client';

const TEXT = 'machine base {\n  qemu 2.5\n  host-kernel >= 3.10\n  cpuid +kvm-pv-unhalt\n}\n\nmachine child extends base {\n}\n\nmachine grandchild extends child {\n}\n';
const mt300 = (ds: Array<{ code?: unknown }>) => ds.filter((d) => d.code === 'MT300');

test('by default the base carries the finding and names the machines that inherit it', async () => {
  const client = new TestClient();
  after(() => client.stop());
  await client.initialize(undefined, { textDocument: { publishDiagnostics: { relatedInformation: true, versionSupport: true } } });
  client.open('untitled:once.mtype', TEXT);
  const found = mt300(await client.diagnostics('untitled:once.mtype', (d) => mt300(d).length > 0));
  assert.equal(found.length, 1);
  const d = found[0] as { range: { start: { line: number } }; relatedInformation?: Array<{ message: string; location: { range: { start: { line: number } } } }> };
  assert.equal(d.range.start.line, 3);
  assert.deepEqual(d.relatedInformation?.map((r) => [r.location.range.start.line, r.message]), [[6, 'child inherits this too'], [9, 'grandchild inherits this too']]);
});

test('mtype.inheritedFindings "each" reports it on every machine again', async () => {
  const client = new TestClient();
  after(() => client.stop());
  await client.initialize(undefined, { textDocument: { publishDiagnostics: { relatedInformation: true } } });
  client.open('untitled:each.mtype', TEXT);
  await client.diagnostics('untitled:each.mtype', (d) => mt300(d).length === 1);
  const since = client.mark();
  await client.connection.sendNotification('workspace/didChangeConfiguration', { settings: { mtype: { inheritedFindings: 'each' } } });
  const found = mt300(await client.diagnostics('untitled:each.mtype', (d) => mt300(d).length === 3, since));
  assert.deepEqual(found.map((d) => (d as { range: { start: { line: number } } }).range.start.line), [3, 6, 9]);
});

test('a client that does not take related information or code links gets neither', async () => {
  const client = new TestClient();
  after(() => client.stop());
  await client.initialize();
  client.open('untitled:bare.mtype', TEXT);
  const found = mt300(await client.diagnostics('untitled:bare.mtype', (d) => mt300(d).length > 0));
  assert.equal(found.length, 1);
  assert.equal((found[0] as { relatedInformation?: unknown }).relatedInformation, undefined);
  assert.equal((found[0] as { codeDescription?: unknown }).codeDescription, undefined, 'nor a code link it did not announce');
});
