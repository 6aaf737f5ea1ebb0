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
import { compareDiagnostics } from '../../server/src/checks/document-diagnostics';
import type { Diagnostic } from '../../server/src/common/diagnostic';
import type { DiagnosticsPiece } from '../../server/src/services/project';
import { ByteArena, encodeMessage, encodeMessageBytes, RawJson } from '../../server/src/lsp/wire';

const kb = getKnowledgeBase();
const root = resolve(__dirname, '../..');
const text = ['examples', 'test/history'].flatMap((dir) => readdirSync(join(root, dir)).filter((f) => f.endsWith('.mtype')).map((f) => readFileSync(join(root, dir, f), 'utf8'))).join('\n');

/** What the encoder must send, byte for byte: a fresh conversion of a fresh analysis. */
const freshJson = (files: Record<string, string>, uri: string, inherited: 'each' | 'once' = 'each', related = true) => {
  const p = new Project(kb, { inherited });
  for (const [u, t] of Object.entries(files)) p.update(u, t);
  return JSON.stringify(p.diagnostics(uri).map((d) => toLspDiagnostic(d, { related, codeDescription: related })));
};

const encoded = (encoder: DiagnosticEncoder, project: Project, uri: string) => {
  const json = encoder.encode(uri, project.diagnosticsByMachine(uri), project.diagnosticsGeneration(uri));
  // The writer sizes its buffer by this length: a wrong one would cut or pad the message.
  assert.equal(json.byteLength, Buffer.byteLength(json.text, 'utf8'));
  return json.text;
};

const lineStart = (s: string, at: number) => s.lastIndexOf('\n', at - 1) + 1;

for (const [inherited, related] of [['each', true], ['once', true], ['once', false]] as const) test(`the spliced diagnostics are byte-identical to a fresh encoding after random edits, Enter above machines included (inherited findings: ${inherited}${related ? '' : ', a client without related information or code links'})`, () => {
  // Two files whose machines extend each other's, so related places move in another file too.
  const cut = text.indexOf('\nmachine ', text.length >> 1) + 1;
  const files: Record<string, string> = { 'file:///enc/a.mtype': text.slice(0, cut), 'file:///enc/b.mtype': text.slice(cut) };
  const uris = Object.keys(files);
  const project = new Project(kb, { inherited });
  for (const [u, t] of Object.entries(files)) project.update(u, t);
  const encoder = new DiagnosticEncoder({ related, codeDescription: related });
  let seed = 7;
  const random = (n: number) => ((seed = (seed * 1103515245 + 12345) % 2147483648) % n);
  for (let i = 0; i < 60; i++) {
    const uri = uris[random(2)];
    const current = files[uri];
    const at = random(current.length);
    const ls = lineStart(current, at);
    const machineLine = current.indexOf('\nmachine ', at) + 1;
    const kind = i % 8;
    files[uri] =
      kind === 0 ? current.slice(0, at) + 'x' + current.slice(at) // typing
      : kind === 1 && machineLine > 0 ? current.slice(0, machineLine) + '\n' + current.slice(machineLine) // Enter above a machine
      : kind === 2 ? current.slice(0, ls) + '\n' + current.slice(ls) // Enter at a line start
      : kind === 3 ? current.slice(0, at) + current.slice(at + 1) // Delete
      : kind === 4 ? current.slice(0, ls) + '  +kvm-pv-eoi\n  cpuid { +x2apic }\n' + current.slice(ls) // paste
      : kind === 5 ? current.slice(0, ls) + current.slice(current.indexOf('\n', ls) + 1 || current.length) // delete a line
      : kind === 6 ? current.slice(0, at) + ' ' + current.slice(at + 1) // same length (a line break becomes a space)
      : current.slice(0, at) + '}' + current.slice(at);
    project.update(uri, files[uri]);
    for (const u of uris) {
      const json = encoded(encoder, project, u);
      assert.equal(json, freshJson(files, u, inherited, related), `after edit ${i} (kind ${kind} at ${at} in ${uri}): ${u}`);
      // The same generation again is the same text.
      assert.equal(encoded(encoder, project, u), json);
    }
  }
});

test('a piece that only moved is filled in, not stringified again, and still says the same as a fresh encoding', () => {
  const uri = 'file:///enc/move.mtype';
  const project = new Project(kb);
  const encoder = new DiagnosticEncoder();
  let current = text;
  for (let i = 0; i < 5; i++) {
    current = '\n' + current;
    project.update(uri, current);
    const stringified = encoder.stringified;
    const checked = project.machinesChecked;
    assert.equal(encoded(encoder, project, uri), freshJson({ [uri]: current }, uri));
    // From the second move on, only a machine checked again (its findings depend on the workspace:
    // duplicates, unknown bases) is stringified again; the first move makes the templates.
    if (i > 1) assert.ok(encoder.stringified - stringified <= project.machinesChecked - checked, `Enter ${i + 1}: ${encoder.stringified - stringified} pieces stringified again`);
    else if (i === 0) assert.ok(stringified === 0 && encoder.stringified > 10, 'the first encoding stringifies every piece with diagnostics');
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
  // The bytes written are the text's UTF-8, non-ASCII messages included.
  const wide = { jsonrpc: '2.0', method: 'x', params: { uri: 'file:///ü.mtype', diagnostics: new RawJson('[{"message":"é — ✓ \\ud83d\\ude00"}]') } };
  assert.deepEqual(encodeMessageBytes(wide as never), Buffer.from(encodeMessage(wide as never), 'utf8'));
  assert.deepEqual(encodeMessageBytes(response as never), Buffer.from(encodeMessage(response as never), 'utf8'));
  // The writer's arena: each message's bytes are right, though the buffer is written over.
  const arena = new ByteArena();
  for (const m of [wide, response, wide, msg]) assert.deepEqual(Buffer.from(encodeMessageBytes(m as never, arena)), Buffer.from(encodeMessage(m as never), 'utf8'));
  // Framed as the stdio writer sends it: the header counts the body's bytes, not its characters.
  for (const m of [wide, msg]) {
    const body = Buffer.from(encodeMessage(m as never), 'utf8');
    assert.deepEqual(Buffer.from(encodeMessageBytes(m as never, arena, true)), Buffer.concat([Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii'), body]));
  }
});

test('pieces whose version did not move are not asked for their lists; pieces out of text order fall back to the sorted flat list', () => {
  const at = (line: number, offset: number, message: string): Diagnostic => ({
    code: 'MT100',
    severity: 'error',
    message,
    range: { start: { line, character: 2 }, end: { line, character: 6 } },
    span: { start: offset, end: offset + 4 },
  });
  let asked = 0;
  const piece = (id: string, version: number, list: Diagnostic[]): DiagnosticsPiece => ({
    id,
    version,
    contentVersion: version,
    line: list[0]?.range.start.line ?? 0,
    get diagnostics() {
      asked++;
      return list;
    },
    rangeNumbers() {
      asked++;
      return { numbers: list.flatMap((d) => [d.range.start.line, d.range.start.character, d.range.end.line, d.range.end.character]), last: 4 * (list.length - 1) };
    },
  });
  const flat = (lists: Diagnostic[][]) => JSON.stringify(lists.flat().sort(compareDiagnostics).map((d) => toLspDiagnostic(d)));
  const encoder = new DiagnosticEncoder();

  const a = [at(1, 10, 'a1'), at(3, 30, 'a2')];
  const b = [at(5, 50, 'b1')];
  assert.equal(encoder.encode('file:///o.mtype', [piece('a', 1, a), piece('b', 1, b)], 1).text, flat([a, b]));
  assert.equal(asked, 2);
  // A new generation in which only b changed: a is not asked again.
  const b2 = [at(6, 60, 'b1')];
  assert.equal(encoder.encode('file:///o.mtype', [piece('a', 1, a), piece('b', 2, b2)], 2).text, flat([a, b2]));
  assert.equal(asked, 3, 'only the piece whose version moved');
  // b's finding now lies before a's last one (a finding placed outside its machine): the sorted flat list.
  const b3 = [at(2, 20, 'b1')];
  const out = encoder.encode('file:///o.mtype', [piece('a', 1, a), piece('b', 3, b3)], 3).text;
  assert.equal(out, flat([a, b3]));
  assert.notEqual(out, JSON.stringify([...a, ...b3].map((d) => toLspDiagnostic(d))), 'the concatenation would be out of order');
});
