/**
 * The wire encoding of diagnostics (lsp/diagnostic-encoding.ts, lsp/wire.ts) must
 * say exactly what stringifying `toLspDiagnostic` says, after any sequence of
 * edits (pieces reused, lines moved, lists mostly new), and a message with raw
 * pieces must be valid JSON with the pieces in place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Project } from '../../server/src/services/project';
import { toLspDiagnostic } from '../../server/src/lsp/convert';
import { DiagnosticEncoder } from '../../server/src/lsp/diagnostic-encoding';
import { encodeMessage, RawJson } from '../../server/src/lsp/wire';

const kb = getKnowledgeBase();
const root = resolve(__dirname, '../..');
const text = ['examples', 'test/history'].flatMap((dir) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.mtype')).map((f) => readFileSync(join(root, dir, f), 'utf8'))).join('\n');

const expected = (project: Project, uri: string) => JSON.parse(JSON.stringify(project.diagnostics(uri).map(toLspDiagnostic)));

test('encoded diagnostics equal toLspDiagnostic after typed characters, new lines and deletions', async () => {
  const uri = 'file:///enc/all.mtype';
  const project = new Project(kb);
  const encoder = new DiagnosticEncoder();
  let current = text;
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (let i = 0; i < 40; i++) {
    const at = random(current.length);
    const edit = ['x', '\n', '', '+kvm-pv-eoi', '}'][i % 5];
    current = edit === '' ? current.slice(0, at) + current.slice(at + 1) : current.slice(0, at) + edit + current.slice(at);
    project.update(uri, current);
    const json = encoder.encode(uri, project.diagnostics(uri));
    assert.deepEqual(JSON.parse(json), expected(project, uri), `after edit ${i} (${JSON.stringify(edit)} at ${at})`);
    // The same list again is the same text; the pieces of a mostly-new list are cut after the answer.
    assert.equal(encoder.encode(uri, project.diagnostics(uri)), json);
    if (i % 3 === 0) await new Promise((r) => setImmediate(r));
  }
});

test('a message with raw pieces is the JSON of the message with the values in place', () => {
  const items = [{ message: 'a "quoted" \u2014 text', code: 'MT100' }];
  const msg = { jsonrpc: '2.0', method: 'textDocument/publishDiagnostics', params: { uri: 'file:///a%20b.mtype', version: 3, diagnostics: new RawJson(JSON.stringify(items)) } };
  const raw = msg.params.diagnostics;
  const out = encodeMessage(msg as never);
  assert.deepEqual(JSON.parse(out), { ...msg, params: { ...msg.params, diagnostics: items } });
  // The message object is left as it was.
  assert.equal(msg.params.diagnostics, raw);
  const response = { jsonrpc: '2.0', id: 4, result: { kind: 'full', resultId: '9', items: new RawJson('[]') } };
  assert.deepEqual(JSON.parse(encodeMessage(response as never)), { jsonrpc: '2.0', id: 4, result: { kind: 'full', resultId: '9', items: [] } });
  // Other writers see the value through toJSON.
  assert.deepEqual(JSON.parse(JSON.stringify(response)), JSON.parse(encodeMessage(response as never)));
});
