/** Definition, references, rename, workspace symbols and selection ranges across files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { miniKb } from './helpers/mini-kb';
import { load } from './helpers/project';
import { applyRangeEdits, positionOf } from './helpers/text-position';
import { definitionAt, prepareRenameAt, referencesAt, renameAt } from '../../server/src/services/navigation';
import { workspaceSymbols, fuzzyScore } from '../../server/src/services/workspace-symbols';
import { selectionRanges } from '../../server/src/services/selection-ranges';
import { LineIndex } from '../../server/src/common/text';

const kb = miniKb();
const BASE = 'machine pc-1.3 {\n  qemu 1.3\n  alias pc-old\n}\n';
const CHILD = 'machine pc-1.2 extends pc-1.3 {\n  qemu 1.2\n}\nmachine pc-1.1 extends pc-old {\n}\n';
const files = () => load({ 'base.mtype': BASE, 'child.mtype': CHILD }, kb);
const at = (uri: string, range: { start: { line: number; character: number } }) => `${uri}:${range.start.line}:${range.start.character}`;

test('definition: from extends into the other file, for names and aliases', () => {
  const p = files();
  assert.deepEqual(definitionAt(p, 'child.mtype', positionOf(CHILD, 'pc-1.3', 2)), [{ uri: 'base.mtype', range: { start: { line: 0, character: 8 }, end: { line: 0, character: 14 } } }]);
  const alias = definitionAt(p, 'child.mtype', positionOf(CHILD, 'pc-old', 1));
  assert.deepEqual(alias.map((l) => at(l.uri, l.range)), ['base.mtype:2:8']);
  assert.deepEqual(definitionAt(p, 'child.mtype', positionOf(CHILD, 'qemu')), []);
});

test('references: declaration, aliases and every extends, across files', () => {
  const p = files();
  const refs = referencesAt(p, 'base.mtype', positionOf(BASE, 'pc-1.3'), true).map((l) => at(l.uri, l.range));
  assert.deepEqual(refs.sort(), ['base.mtype:0:8', 'base.mtype:2:8', 'child.mtype:0:23', 'child.mtype:3:23']);
  const usesOnly = referencesAt(p, 'base.mtype', positionOf(BASE, 'pc-1.3'), false).map((l) => at(l.uri, l.range));
  assert.deepEqual(usesOnly.sort(), ['child.mtype:0:23', 'child.mtype:3:23']);
});

test('rename: every declaration and extends of the name, in every file', () => {
  const p = files();
  assert.deepEqual(prepareRenameAt(p, 'child.mtype', positionOf(CHILD, 'pc-1.3'))?.placeholder, 'pc-1.3');
  assert.equal(prepareRenameAt(p, 'child.mtype', positionOf(CHILD, 'qemu')), undefined);
  const result = renameAt(p, 'child.mtype', positionOf(CHILD, 'pc-1.3', 1), 'pc-i440fx-1.3');
  assert.ok('changes' in result);
  assert.equal(applyRangeEdits(BASE, result.changes['base.mtype']), BASE.replace('pc-1.3', 'pc-i440fx-1.3'));
  assert.equal(applyRangeEdits(CHILD, result.changes['child.mtype']), CHILD.replace('extends pc-1.3', 'extends pc-i440fx-1.3'));
});

test('rename rejects names that are not words, keywords, and names already taken', () => {
  const p = files();
  const pos = positionOf(BASE, 'pc-1.3');
  for (const bad of ['', 'two words', '-x', 'a..b', 'extends', 'pc"1']) assert.ok('error' in renameAt(p, 'base.mtype', pos, bad), bad);
  assert.match((renameAt(p, 'base.mtype', pos, 'pc-1.2') as { error: string }).error, /already exists/);
  assert.ok('error' in renameAt(p, 'base.mtype', positionOf(BASE, 'qemu'), 'x'));
});

test('workspace symbols: every machine, fuzzy-matched, best first', () => {
  const p = files();
  assert.deepEqual(workspaceSymbols(p.workspace, '').map((s) => s.name).sort(), ['pc-1.1', 'pc-1.2', 'pc-1.3']);
  assert.deepEqual(workspaceSymbols(p.workspace, 'p12').map((s) => s.name), ['pc-1.2']);
  assert.equal(workspaceSymbols(p.workspace, 'pc-1.2')[0].containerName, 'pc-1.3');
  assert.equal(fuzzyScore('xyz', 'pc-1.2'), undefined);
  assert.ok(fuzzyScore('pc1', 'pc-1.2')! < fuzzyScore('p2', 'pc-1.2')!);
});

test('selection ranges grow word -> edit -> block -> statement -> body -> machine -> file', () => {
  const text = 'machine m {\n  cpuid {\n    +kvm-pv-eoi\n  }\n}\n';
  const p = load({ 'a.mtype': text }, kb);
  const lines = new LineIndex(text);
  const ranges = selectionRanges(p.document('a.mtype')!, positionOf(text, 'pv'));
  const texts = ranges.map((r) => text.slice(lines.offsetAt(r.start), lines.offsetAt(r.end)));
  assert.deepEqual(texts, ['kvm-pv-eoi', '+kvm-pv-eoi', '{\n    +kvm-pv-eoi\n  }', 'cpuid {\n    +kvm-pv-eoi\n  }', text.slice(10, -1), text.slice(0, -1), text]);
});
