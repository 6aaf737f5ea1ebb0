/**
 * Adversarial LSP traffic against the bundled server (`node server/out/server.js
 * --stdio`): requests before `initialize`, unknown URIs, out-of-range positions,
 * skipped versions and broken incremental changes, cancellation, and documents of
 * hostile size or shape. The server must answer every request (result or error)
 * and keep serving; above MAX_DOCUMENT_CHARS it reports one diagnostic instead of
 * analysing. Tests share one server process and run in order.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { LspClient } from '../fuzz/lib/lsp-client';
import { LineIndex } from '../../server/src/common/text';
import { assertRange } from '../fuzz/lib/check';

const root = resolve(__dirname, '../..');
const serverPath = join(root, 'server/out/server.js');
const workspace = mkdtempSync(join(tmpdir(), 'mtype-adv-'));
writeFileSync(join(workspace, 'base.mtype'), 'machine base {\n  qemu 4.2\n  cpu qemu64\n}\n');
const uriOf = (name: string) => pathToFileURL(join(workspace, name)).href;

let client: LspClient;
let version = 1;

interface LspDiagnostic {
  code: string;
  message: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
}

/** Opens (or replaces) a document and resolves with the diagnostics published for that exact text. */
async function open(uri: string, text: string, timeoutMs = 20_000): Promise<LspDiagnostic[]> {
  client.notifications.length = 0;
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'mtype', version: version++, text } });
  return published(uri, timeoutMs);
}

/** The next publish for `uri` (for `version` only, when given: an earlier version's may still arrive). */
async function published(uri: string, timeoutMs = 20_000, version?: number): Promise<LspDiagnostic[]> {
  const m = await client.waitFor((n) => n.method === 'textDocument/publishDiagnostics' && (n.params as { uri: string }).uri === uri && (version === undefined || (n.params as { version?: number }).version === version), `diagnostics for ${uri}`, timeoutMs);
  return (m.params as { diagnostics: LspDiagnostic[] }).diagnostics;
}

function close(uri: string): void {
  client.notify('textDocument/didClose', { textDocument: { uri } });
}

/** Any answer will do, result or error; what matters is that one comes, quickly. */
async function answers(method: string, params: unknown, timeoutMs = 5000): Promise<void> {
  const reply = await client.request(method, params, timeoutMs);
  assert.ok('result' in reply || 'error' in reply, `${method}: neither result nor error`);
}

async function stillServing(uri = uriOf('base.mtype')): Promise<void> {
  const t0 = Date.now();
  const reply = await client.request('textDocument/documentSymbol', { textDocument: { uri } }, 5000);
  assert.ok(Array.isArray(reply.result), JSON.stringify(reply.error));
  await answers('textDocument/hover', { textDocument: { uri }, position: { line: 0, character: 9 } });
  assert.ok(Date.now() - t0 < 3000, `slow answers: ${Date.now() - t0} ms`);
}

before(() => {
  client = new LspClient(serverPath, workspace);
});

after(async () => {
  await client.shutdown();
});

test('a request before initialize gets an answer, and initialize still works', async () => {
  // vscode-languageserver answers early requests instead of refusing them (-32002); either is an answer.
  const early = await client.request('textDocument/documentSymbol', { textDocument: { uri: uriOf('base.mtype') } });
  assert.ok(early.error?.code === -32002 || (Array.isArray(early.result) && early.result.length === 0), JSON.stringify(early));
  const init = await client.request('initialize', { processId: null, rootUri: null, capabilities: {}, workspaceFolders: [{ uri: pathToFileURL(workspace).href, name: 'w' }] });
  assert.ok((init.result as { capabilities: object }).capabilities);
  client.notify('initialized', {});
  const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri: uriOf('base.mtype') } });
  assert.equal((symbols.result as Array<{ name: string }>)[0].name, 'base', 'the workspace scan loaded base.mtype');
});

test('unknown URIs and out-of-range positions get answers', async () => {
  const uri = uriOf('small.mtype');
  await open(uri, 'machine small {\n  qemu 4.2\n}\n');
  const uris = [uri, 'file:///no/such/file.mtype', 'untitled:Untitled-1', 'weird:%%%', '', 'file:///%E0%A4%A.mtype'];
  const positions = [
    { line: 0, character: 0 },
    { line: -1, character: -1 },
    { line: 1e9, character: 1e9 },
    { line: 0, character: 2 ** 31 },
    { line: 1.5, character: 0.5 },
  ];
  for (const u of uris) {
    await answers('textDocument/documentSymbol', { textDocument: { uri: u } });
    await answers('textDocument/foldingRange', { textDocument: { uri: u } });
    for (const position of positions) {
      for (const method of ['textDocument/hover', 'textDocument/completion', 'textDocument/definition']) await answers(method, { textDocument: { uri: u }, position });
    }
  }
  await answers('textDocument/codeAction', { textDocument: { uri }, range: { start: { line: 5, character: 0 }, end: { line: -3, character: 99 } }, context: { diagnostics: [] } });
  await answers('no/such/method', { x: 1 });
  await stillServing();
});

test('didChange with skipped versions and overlapping, reversed or out-of-range incremental changes', async () => {
  const uri = uriOf('edited.mtype');
  const initial = 'machine edited {\n  qemu 4.2\n  cpuid { +x2apic }\n}\n';
  await open(uri, initial);
  // The server and this replica apply the same changes with the same library; the server's diagnostics must fit the replica.
  let replica = TextDocument.create(uri, 'mtype', 1, initial);
  const batches = [
    { version: 7, changes: [{ range: { start: { line: 2, character: 10 }, end: { line: 2, character: 16 } }, text: '+avx2 +x2apc' }] },
    { version: 3, changes: [{ range: { start: { line: 40, character: 0 }, end: { line: 99, character: 5 } }, text: '\nmachine tail {\n  cpu Nope\n}\n' }] },
    {
      version: 9,
      changes: [
        { range: { start: { line: 0, character: 3 }, end: { line: 1, character: 4 } }, text: 'X' },
        { range: { start: { line: 0, character: 1 }, end: { line: 2, character: 2 } }, text: '\r\n\ud800' },
        { range: { start: { line: 3, character: 5 }, end: { line: 1, character: 0 } }, text: '}' },
        { range: { start: { line: 0, character: 1e6 }, end: { line: 0, character: 1e6 } }, text: ' {' },
      ],
    },
    { version: 10, changes: [{ text: 'machine whole {\r\n  cpuid +x2apc\r\n}' }, { range: { start: { line: 1, character: 8 }, end: { line: 1, character: 8 } }, text: '-avx ' }] },
  ];
  for (const b of batches) {
    replica = TextDocument.update(replica, b.changes, b.version);
    client.notify('textDocument/didChange', { textDocument: { uri, version: b.version }, contentChanges: b.changes });
  }
  client.notify('textDocument/didChange', { textDocument: { uri, version: null }, contentChanges: [{ text: 'garbage' }] });
  client.notify('textDocument/didChange', { textDocument: { uri: uriOf('never-opened.mtype'), version: 2 }, contentChanges: [{ text: 'x' }] });
  client.notifications.length = 0;
  await stillServing(uri);
  const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual((symbols.result as Array<{ name: string }>).map((s) => s.name), ['whole'], 'the server holds the replica text');
  // Changes are analysed as they come, so a publish for an earlier version may arrive after the
  // log was cleared; the one for the replica's version must fit the replica's text.
  const diagnostics = await published(uri, 20_000, replica.version).catch(() => undefined);
  const lines = new LineIndex(replica.getText());
  for (const d of diagnostics ?? []) assertRange(lines, d.range, d.code);
  close(uri);
});

test('$/cancelRequest for a pending request and for an unknown id', async () => {
  const uri = uriOf('base.mtype');
  const id = client.requestId('textDocument/documentSymbol', { textDocument: { uri } });
  client.notify('$/cancelRequest', { id });
  const reply = await client.response(id, 'cancelled documentSymbol');
  assert.ok('result' in reply || reply.error?.code === -32800, JSON.stringify(reply));
  client.notify('$/cancelRequest', { id: 987654 });
  client.notify('$/cancelRequest', { id: 'not-a-number' });
  client.notify('$/cancelRequest', null);
  await stillServing();
});

test('a 10 MB document gets one clear diagnostic instead of analysis, and shrinking it brings analysis back', async () => {
  const uri = uriOf('huge.mtype');
  const big = 'machine huge {\n  cpuid +x2apc\n}\n' + '# padding\n'.repeat(1_050_000);
  assert.ok(big.length > 10_000_000);
  const t0 = Date.now();
  const diagnostics = await open(uri, big);
  assert.equal(diagnostics.length, 1, JSON.stringify(diagnostics));
  assert.match(diagnostics[0].message, /larger than 8 MiB/);
  const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri } });
  assert.deepEqual(symbols.result, [], 'an oversized document is not parsed');
  await stillServing();
  client.notifications.length = 0;
  client.notify('textDocument/didChange', { textDocument: { uri, version: version++ }, contentChanges: [{ text: 'machine huge {\n  accel tcg\n  cpuid +x2apc\n}\n' }] });
  const after = await published(uri);
  assert.deepEqual(after.map((d) => d.code), ['MT100']);
  assert.ok(Date.now() - t0 < 15_000);
  close(uri);
});

test('a 100k-line file is analysed to its last line', async () => {
  const uri = uriOf('long.mtype');
  const parts: string[] = [];
  for (let i = 0; i < 100_000 / 6; i++) parts.push(`machine m${i} {\n  qemu 4.2\n  accel tcg\n  cpu qemu64\n  cpuid { +x2apic }   # ${i}\n}\n`);
  parts.push('machine last {\n  accel tcg\n  cpuid +x2apc\n}\n');
  const text = parts.join('');
  const lineOfTypo = text.split('\n').length - 3;
  assert.ok(lineOfTypo > 100_000);
  const diagnostics = await open(uri, text);
  assert.deepEqual(diagnostics.map((d) => `${d.code}@${d.range.start.line}`), [`MT100@${lineOfTypo}`]);
  const symbols = await client.request('textDocument/documentSymbol', { textDocument: { uri } }, 15_000);
  assert.equal((symbols.result as unknown[]).length, parts.length);
  await stillServing();
  close(uri);
});

test('5,000 nested braces and a 1 MB line', async () => {
  const nested = uriOf('nested.mtype');
  const d1 = await open(nested, 'machine deep {\n  cpuid ' + '{'.repeat(5000) + '\n' + '}'.repeat(5000) + '\n  qemu 4.2\n}\n');
  assert.ok(d1.some((d) => d.code === 'MT001'));
  await stillServing(nested);
  const wide = uriOf('wide.mtype');
  // 131,072 edits of one bit on one line: 131,071 MT102 findings, all silenced by the comment at its end.
  const line = '  cpuid ' + '+x2apic '.repeat(131_072) + '# mtype-ignore: MT102';
  const description = '  description "' + 'x'.repeat(1_048_576) + '"';
  assert.ok(line.length > 1_000_000);
  const d2 = await open(wide, 'machine wide {\n  accel tcg\n' + line + '\n' + description + '\n  cpuid +x2apc\n}\n');
  assert.deepEqual(d2.map((d) => `${d.code}@${d.range.start.line}`), ['MT100@4']);
  await stillServing(wide);
  await answers('textDocument/hover', { textDocument: { uri: wide }, position: { line: 2, character: line.length } });
  close(nested);
  close(wide);
});

test('after all that the server is alive and answers quickly', async () => {
  assert.equal(client.exited, undefined, client.stderr);
  await stillServing();
});
