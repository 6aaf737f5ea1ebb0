/**
 * The language server over stdio, as any LSP client sees it: capabilities,
 * hover, completion, quick fixes applied and re-checked, navigation across
 * files, outline and formatting. Real knowledge base.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { TestClient, applyRangeEdits, type LspDiagnostic } from './helpers/lsp-client';
import { positionOf } from './helpers/text-position';

const BASE = 'machine pc-base {\n  qemu 2.0\n  host-kernel >= 3.2\n  cpu qemu64\n}\n';
const CHILD = 'machine pc-child extends pc-base {\n  qemu 1.3\n  migrate MSR_KVM_PV_EOI_EN\n}\n';
const SCRATCH = 'machine scratch extends pc-base {\n  cpuid {\n    +kvm-pv-eoi\n    +kvm-\n  }\n}\n';

interface CodeAction {
  title: string;
  kind: string;
  isPreferred?: boolean;
  diagnostics: LspDiagnostic[];
  edit: { changes: Record<string, Array<{ range: LspDiagnostic['range']; newText: string }>> };
}

describe('language server protocol', () => {
  const client = new TestClient();
  const dir = mkdtempSync(join(tmpdir(), 'mtype-lsp-'));
  const uri = (name: string) => pathToFileURL(join(dir, name)).href;
  const texts = new Map<string, string>();
  let capabilities: Record<string, unknown>;

  before(async () => {
    writeFileSync(join(dir, 'base.mtype'), BASE);
    writeFileSync(join(dir, 'child.mtype'), CHILD);
    capabilities = (await client.initialize(dir)).capabilities;
    for (const [name, text] of [['base.mtype', BASE], ['child.mtype', CHILD], ['scratch.mtype', SCRATCH]]) {
      texts.set(uri(name), text);
      client.open(uri(name), text);
    }
    await client.diagnostics(uri('child.mtype'), (d) => d.some((x) => x.code === 'MT200'));
  });
  after(() => client.stop());

  /** Asks for the actions of the first diagnostic of `code` (message matching), applies `title`, re-checks. */
  async function applyFix(name: string, code: string, title: RegExp, message = /./): Promise<{ text: string; diagnostics: LspDiagnostic[] }> {
    const u = uri(name);
    const diagnostic = client.latest(u).find((x) => x.code === code && message.test(x.message));
    assert.ok(diagnostic, `no ${code} in ${name}`);
    const actions = await client.request<CodeAction[]>('textDocument/codeAction', {
      textDocument: { uri: u },
      range: diagnostic.range,
      context: { diagnostics: [diagnostic], only: ['quickfix'] },
    });
    const action = actions.find((a) => title.test(a.title));
    assert.ok(action, `no action ${title} among ${actions.map((a) => a.title).join(' | ')}`);
    assert.equal(action.kind, 'quickfix');
    assert.equal(action.diagnostics[0].code, code);
    const text = applyRangeEdits(texts.get(u)!, action.edit.changes[u]);
    texts.set(u, text);
    const since = client.mark();
    client.change(u, text);
    const diagnostics = await client.diagnostics(u, (d) => !d.some((x) => x.code === code && message.test(x.message)), since);
    assert.ok(!diagnostics.some((d) => d.code === 'MT001'), `the fix broke the syntax:\n${text}`);
    return { text, diagnostics };
  }

  test('initialize announces the editor features', () => {
    for (const key of ['hoverProvider', 'completionProvider', 'codeActionProvider', 'definitionProvider', 'referencesProvider', 'renameProvider', 'documentSymbolProvider', 'documentFormattingProvider', 'semanticTokensProvider', 'inlayHintProvider', 'codeLensProvider', 'selectionRangeProvider', 'workspaceSymbolProvider']) {
      assert.ok(capabilities[key], key);
    }
    assert.deepEqual((capabilities.completionProvider as { triggerCharacters: string[] }).triggerCharacters, ['+', '-', ' ']);
    assert.deepEqual(capabilities.codeActionProvider, { codeActionKinds: ['quickfix', 'source.fixAll.mtype'], resolveProvider: false });
    assert.deepEqual(capabilities.renameProvider, { prepareProvider: true });
    // Push diagnostics: the client did not offer pull
    assert.equal(capabilities.diagnosticProvider, undefined);
  });

  test('hover on a feature: CPUID location and its MSR', async () => {
    const h = await client.request<{ contents: { kind: string; value: string } }>('textDocument/hover', { textDocument: { uri: uri('scratch.mtype') }, position: positionOf(SCRATCH, 'pv-eoi') });
    assert.equal(h.contents.kind, 'markdown');
    for (const s of ['0x40000001', 'EAX', '[6]', 'MSR_KVM_PV_EOI_EN', '0x4b564d04']) assert.ok(h.contents.value.includes(s), s);
  });

  test('hover on an MSR in migrate says whether the machine migrates it', async () => {
    const h = await client.request<{ contents: { value: string } }>('textDocument/hover', { textDocument: { uri: uri('child.mtype') }, position: positionOf(CHILD, 'PV_EOI') });
    assert.match(h.contents.value, /0x4b564d04/);
    assert.match(h.contents.value, /In pc-child: migrated by QEMU 1\.3 itself/);
  });

  test('completion after +kvm- offers kvm-pv-eoi, replacing the typed kvm-', async () => {
    const at = positionOf(SCRATCH, '+kvm-\n', 5);
    const items = await client.request<Array<{ label: string; textEdit: { range: LspDiagnostic['range']; newText: string } }>>('textDocument/completion', {
      textDocument: { uri: uri('scratch.mtype') },
      position: at,
      context: { triggerKind: 2, triggerCharacter: '-' },
    });
    const eoi = items.find((i) => i.label === 'kvm-pv-eoi');
    assert.ok(eoi);
    assert.deepEqual(eoi.textEdit.range, { start: positionOf(SCRATCH, 'kvm-\n'), end: at });
    assert.equal(eoi.textEdit.newText, 'kvm-pv-eoi');
  });

  test('quick fix: mask a bit whose MSR is not migrated (MT200)', async () => {
    const { text } = await applyFix('child.mtype', 'MT200', /^Mask kvm-steal-time$/, /kvm-steal-time/);
    assert.match(text, /-kvm-steal-time/);
  });

  test('quick fix: raise host-kernel (MT300)', async () => {
    const { text } = await applyFix('base.mtype', 'MT300', /^Raise host-kernel to 3\.6$/, /kvm-pv-eoi/);
    assert.match(text, /host-kernel >= 3\.6/);
  });

  test('quick fix: whitelist all KVM default bits (MT302)', async () => {
    const { text, diagnostics } = await applyFix('base.mtype', 'MT302', /^Whitelist all \d+ KVM default bits$/);
    assert.match(text, /cpuid \{\n    \+kvmclock\n/);
    assert.ok(!diagnostics.some((d) => d.code === 'MT302'));
  });

  test('definition: from extends into the other file', async () => {
    const defs = await client.request<Array<{ uri: string; range: LspDiagnostic['range'] }>>('textDocument/definition', { textDocument: { uri: uri('child.mtype') }, position: positionOf(CHILD, 'pc-base', 3) });
    assert.deepEqual(defs, [{ uri: uri('base.mtype'), range: { start: { line: 0, character: 8 }, end: { line: 0, character: 15 } } }]);
  });

  test('rename a machine across files', async () => {
    const prepared = await client.request<{ placeholder: string }>('textDocument/prepareRename', { textDocument: { uri: uri('child.mtype') }, position: positionOf(CHILD, 'pc-base') });
    assert.equal(prepared.placeholder, 'pc-base');
    const edit = await client.request<{ changes: Record<string, Array<{ range: LspDiagnostic['range']; newText: string }>> }>('textDocument/rename', {
      textDocument: { uri: uri('child.mtype') },
      position: positionOf(CHILD, 'pc-base'),
      newName: 'pc-i440fx-base',
    });
    assert.deepEqual(Object.keys(edit.changes).sort(), [uri('base.mtype'), uri('child.mtype'), uri('scratch.mtype')].sort());
    assert.match(applyRangeEdits(texts.get(uri('base.mtype'))!, edit.changes[uri('base.mtype')]), /^machine pc-i440fx-base \{/);
    assert.match(applyRangeEdits(texts.get(uri('child.mtype'))!, edit.changes[uri('child.mtype')]), /extends pc-i440fx-base \{/);
    await assert.rejects(
      client.request('textDocument/rename', { textDocument: { uri: uri('child.mtype') }, position: positionOf(CHILD, 'pc-base'), newName: 'not a name' }),
      /not a valid machine type name/,
    );
  });

  test('document symbols: machines with their statements', async () => {
    const symbols = await client.request<Array<{ name: string; detail?: string; children: Array<{ name: string }> }>>('textDocument/documentSymbol', { textDocument: { uri: uri('child.mtype') } });
    assert.deepEqual(symbols.map((s) => [s.name, s.detail]), [['pc-child', 'extends pc-base']]);
    assert.deepEqual(symbols[0].children.map((c) => c.name).slice(0, 2), ['qemu', 'migrate']);
  });

  test('formatting is idempotent: format, apply, format again gives no edits', async () => {
    const u = uri('fmt.mtype');
    const messy = 'machine   fmt-1 extends pc-base{ qemu 2.0\n\t  host-kernel>=3.6 # why\n\n\n cpuid { +x2apic\n-kvm-pv-eoi } }\n';
    const since = client.mark();
    client.open(u, messy);
    await client.diagnostics(u, () => true, since);
    const options = { tabSize: 2, insertSpaces: true };
    const edits = await client.request<Array<{ range: LspDiagnostic['range']; newText: string }>>('textDocument/formatting', { textDocument: { uri: u }, options });
    assert.ok(edits.length > 0);
    const formatted = applyRangeEdits(messy, edits);
    assert.equal(formatted, 'machine fmt-1 extends pc-base {\n  qemu 2.0\n  host-kernel >= 3.6 # why\n\n  cpuid {\n    +x2apic\n    -kvm-pv-eoi\n  }\n}\n');
    client.change(u, formatted);
    assert.deepEqual(await client.request('textDocument/formatting', { textDocument: { uri: u }, options }), []);
  });

  test('semantic tokens, inlay hints and code lenses answer for an open file', async () => {
    const tokens = await client.request<{ data: number[] }>('textDocument/semanticTokens/full', { textDocument: { uri: uri('scratch.mtype') } });
    assert.equal(tokens.data.length % 5, 0);
    assert.ok(tokens.data.length >= 5 * 5);
    const hints = await client.request<Array<{ label: string }>>('textDocument/inlayHint', { textDocument: { uri: uri('scratch.mtype') }, range: { start: { line: 0, character: 0 }, end: { line: 10, character: 0 } } });
    assert.ok(hints.some((h) => h.label === '0x40000001 EAX[6]'));
    const lenses = await client.request<Array<{ command: { title: string; command: string; arguments?: unknown[] } }>>('textDocument/codeLens', { textDocument: { uri: uri('child.mtype') } });
    assert.deepEqual(lenses[1].command, { title: 'Explain', command: 'mtype.explainMachine', arguments: ['pc-child'] });
  });

  test('custom requests behind the client commands', async () => {
    const list = await client.request<{ machines: Array<{ name: string }>; current?: string }>('mtype/machines', { uri: uri('child.mtype'), position: { line: 1, character: 2 } });
    assert.ok(list.machines.some((m) => m.name === 'pc-base'));
    assert.equal(list.current, 'pc-child');
    const qemu = await client.request<{ text: string }>('mtype/explain', { name: 'pc-base', format: 'qemu' });
    assert.match(qemu.text, /^-machine accel=kvm -cpu qemu64(,|$)/, 'QEMU 2.0: the accelerator is a -machine option');
    const cmp = await client.request<{ markdown: string }>('mtype/compare', { a: 'pc-base', b: 'pc-child' });
    assert.match(cmp.markdown, /^# pc-base → pc-child/);
    const status = await client.request<{ machines: number; kb: { features: number } }>('mtype/status', {});
    assert.ok(status.machines >= 4);
    assert.ok(status.kb.features > 100);
    await assert.rejects(client.request('mtype/explain', { name: 'no-such-machine', format: 'text' }), /No machine type named/);
  });
});
