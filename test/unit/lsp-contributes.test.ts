/** package.json `contributes` agrees with the server and client: settings, tokens, commands, snippets, walkthrough. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { CODES } from '../../server/src/common/diagnostic';
import { CUSTOM_TOKEN_TYPES, TOKEN_MODIFIERS, TOKEN_TYPES } from '../../server/src/services/semantic-tokens';
import { EXPLAIN_COMMAND } from '../../server/src/services/code-lens';
import { codeActions } from '../../server/src/services/actions';
import { Project } from '../../server/src/services/project';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { applyRangeEdits } from './helpers/text-position';

const root = resolve(__dirname, '../..');
const pkg = JSON.parse(readFileSync(resolve(root, 'package.json'), 'utf8'));
const contributes = pkg.contributes;

test('mtype.severity offers every diagnostic code, each with the five levels', () => {
  const severity = contributes.configuration.properties['mtype.severity'];
  assert.equal(severity.type, 'object');
  assert.deepEqual(Object.keys(severity.properties), Object.keys(CODES));
  for (const p of Object.values(severity.properties) as Array<{ enum: string[] }>) assert.deepEqual(p.enum, ['error', 'warning', 'information', 'hint', 'off']);
  assert.ok(contributes.configuration.properties['mtype.trace.server']);
});

test('every custom semantic token type and modifier is declared, with its superType', () => {
  const types = contributes.semanticTokenTypes as Array<{ id: string; superType: string }>;
  for (const [id, t] of Object.entries(CUSTOM_TOKEN_TYPES)) assert.equal(types.find((x) => x.id === id)?.superType, t.superType, id);
  const standard = new Set(['keyword', 'class', 'type', 'variable', 'number', 'string', 'property', 'enumMember']);
  for (const t of TOKEN_TYPES) assert.ok(standard.has(t) || types.some((x) => x.id === t), t);
  const modifiers = (contributes.semanticTokenModifiers as Array<{ id: string }>).map((m) => m.id);
  for (const m of TOKEN_MODIFIERS) assert.ok(m === 'declaration' || m === 'deprecated' || modifiers.includes(m), m);
});

test('commands the client registers and the code lens runs are contributed', () => {
  const client = readFileSync(resolve(root, 'client/src/extension.ts'), 'utf8');
  const registered = [...client.matchAll(/registerCommand\('([^']+)'/g)].map((m) => m[1]);
  const contributed = (contributes.commands as Array<{ command: string }>).map((c) => c.command);
  assert.deepEqual([...registered].sort(), [...contributed].sort());
  assert.ok(contributed.includes(EXPLAIN_COMMAND));
});

test('snippets and walkthrough media exist and parse', () => {
  for (const s of contributes.snippets as Array<{ path: string }>) {
    const snippets = JSON.parse(readFileSync(resolve(root, s.path), 'utf8'));
    assert.deepEqual(Object.keys(snippets), ['machine', 'machine extends', 'cpuid block', 'cpuid for', 'migrate block']);
  }
  const [walkthrough] = contributes.walkthroughs;
  assert.equal(walkthrough.steps.length, 3);
  for (const step of walkthrough.steps) assert.ok(existsSync(resolve(root, step.media.markdown)), step.media.markdown);
  assert.ok(existsSync(resolve(root, 'media/walkthrough/example.mtype')));
});

test('the walkthrough example shows MT302, and "Whitelist all" leaves it clean', () => {
  const uri = 'example.mtype';
  const project = new Project(getKnowledgeBase());
  project.update(uri, readFileSync(resolve(root, 'media/walkthrough/example.mtype'), 'utf8'));
  // MT303 (facts the KB lacks, e.g. the KVM floor of fpu) is about the KB, not the example.
  const codes = () => project.diagnostics(uri).map((d) => d.code).filter((c) => c !== 'MT303');
  assert.deepEqual(codes(), ['MT302']);
  const mt302 = project.diagnostics(uri).find((d) => d.code === 'MT302')!;
  const [whitelistAll] = codeActions(project, uri, [{ code: 'MT302', range: mt302.range }]);
  assert.match(whitelistAll.title, /^Whitelist all \d+ KVM default bits$/);
  project.update(uri, applyRangeEdits(project.document(uri)!.text, whitelistAll.edits));
  assert.deepEqual(codes(), []);
});
