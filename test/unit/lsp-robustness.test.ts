/**
 * The server answers every request — with a result or an error — whatever it is
 * sent (before initialize, out-of-range positions, unknown documents, garbage
 * text, unknown methods), and keeps serving afterwards.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TestClient } from './helpers/lsp-client';

const DOC = 'file:///robust/a.mtype';
const TEXT = 'machine m {\n  qemu 2.0\n  cpuid +kvm-pv-eoi\n}\n';
const HOVER = { textDocument: { uri: DOC }, position: { line: 2, character: 12 } };

/** Settles a request: its result, or the error's message; never throws. */
async function settle(p: Promise<unknown>): Promise<{ ok: boolean; value: unknown }> {
  try {
    return { ok: true, value: await p };
  } catch (error) {
    return { ok: false, value: (error as Error).message };
  }
}

describe('requests before initialize', () => {
  const client = new TestClient();
  after(() => client.stop());

  test('are answered, and the server then initializes and serves normally', async () => {
    await settle(client.request('textDocument/hover', HOVER));
    await client.initialize();
    client.open(DOC, TEXT);
    await client.diagnostics(DOC);
    const h = await client.request<{ contents: { value: string } }>('textDocument/hover', HOVER);
    assert.match(h.contents.value, /kvm-pv-eoi/);
  });
});

describe('odd requests after initialize', () => {
  const client = new TestClient();
  before(async () => {
    await client.initialize();
    client.open(DOC, TEXT);
    await client.diagnostics(DOC);
  });
  after(() => client.stop());

  const positions = [
    { line: 9999, character: 9999 },
    { line: 0, character: 9999 },
    { line: -3, character: -7 },
  ];
  const methods = (uri: string, position: { line: number; character: number }): Array<[string, unknown]> => [
    ['textDocument/hover', { textDocument: { uri }, position }],
    ['textDocument/completion', { textDocument: { uri }, position }],
    ['textDocument/definition', { textDocument: { uri }, position }],
    ['textDocument/references', { textDocument: { uri }, position, context: { includeDeclaration: true } }],
    ['textDocument/prepareRename', { textDocument: { uri }, position }],
    ['textDocument/selectionRange', { textDocument: { uri }, positions: [position] }],
    ['textDocument/codeAction', { textDocument: { uri }, range: { start: position, end: position }, context: { diagnostics: [{ code: 'MT100', message: 'x', range: { start: position, end: position } }] } }],
    ['textDocument/inlayHint', { textDocument: { uri }, range: { start: position, end: position } }],
    ['textDocument/formatting', { textDocument: { uri }, options: { tabSize: 2, insertSpaces: true } }],
    ['textDocument/semanticTokens/full', { textDocument: { uri } }],
    ['textDocument/codeLens', { textDocument: { uri } }],
    ['textDocument/documentSymbol', { textDocument: { uri } }],
    ['textDocument/foldingRange', { textDocument: { uri } }],
  ];

  test('out-of-range positions get empty answers, not errors', async () => {
    for (const position of positions) {
      for (const [method, params] of methods(DOC, position)) {
        const r = await settle(client.request(method, params));
        assert.ok(r.ok, `${method} at ${JSON.stringify(position)}: ${r.value}`);
      }
    }
  });

  test('unknown documents get empty answers', async () => {
    for (const [method, params] of methods('file:///nowhere/missing.mtype', { line: 0, character: 0 })) {
      const r = await settle(client.request(method, params));
      assert.ok(r.ok, `${method}: ${r.value}`);
      assert.ok(r.value === null || (Array.isArray(r.value) && r.value.length === 0) || (r.value as { data?: unknown[] }).data?.length === 0, `${method}: ${JSON.stringify(r.value)}`);
    }
  });

  test('garbage text is diagnosed and every feature still answers on it', async () => {
    const uri = 'file:///robust/garbage.mtype';
    const garbage = 'machine {{{ }}} +++ ---\u0000\u0007 "unterminated\n\uffff\ud800 machine x extends { cpuid for , { +- } migrate { { }\n' + '}'.repeat(50) + '\n#'.repeat(20) + '\r\r\n\t\tmachine';
    const since = client.mark();
    client.open(uri, garbage);
    const diagnostics = await client.diagnostics(uri, () => true, since);
    assert.ok(diagnostics.some((d) => d.code === 'MT001'));
    for (let line = 0; line < 4; line++) {
      for (const [method, params] of methods(uri, { line, character: 3 })) {
        const r = await settle(client.request(method, params));
        assert.ok(r.ok, `${method} on garbage: ${r.value}`);
      }
    }
  });

  test('unknown methods are errors, and the server keeps serving', async () => {
    const r = await settle(client.request('mtype/no-such-request', {}));
    assert.equal(r.ok, false);
    const bad = await settle(client.request('mtype/explain', { name: 42 }));
    assert.equal(bad.ok, false);
    const h = await client.request<{ contents: { value: string } }>('textDocument/hover', HOVER);
    assert.match(h.contents.value, /0x40000001/);
  });
});
