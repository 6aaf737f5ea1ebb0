/// <reference types="mocha" />
/**
 * Language features through VS Code's own provider commands (vscode.execute…Provider): what an editor user gets
 * from hover, completion, go to definition, rename, the outline, formatting and code lenses.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { extension, fileUri, hasCode, hoverText, open, positionOf, waitFor } from './util';

suite('language features', () => {
  suiteSetup(async () => {
    await extension();
  });

  test('hover on a whitelisted bit: CPUID location, MSR, kernel, where it comes from', async () => {
    const doc = await open('examples/q35.mtype');
    const at = positionOf(doc, '+kvm-pv-eoi', 3);
    const text = await waitFor('a hover on kvm-pv-eoi', async () => {
      const t = hoverText(await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, at));
      return t ? t : undefined;
    });
    assert.match(text, /\*\*kvm-pv-eoi\*\*/);
    assert.match(text, /0x40000001 EAX\[6\]/);
    assert.match(text, /MSR_KVM_PV_EOI_EN/);
    assert.match(text, /0x4b564d04/);
    assert.match(text, /Linux 3\.6/);
    assert.match(text, /pc-q35-7\.2 for Skylake-Server-v4: enabled \(whitelist\)/);
  });

  test('hover on a base machine defined in another file shows its resolved summary', async () => {
    const doc = await open('fixtures/child.mtype');
    const hovers = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 'fx-base', 2));
    const text = hoverText(hovers);
    assert.match(text, /\*\*machine fx-base\*\*/);
    assert.match(text, /QEMU 2\.12/);
    assert.match(text, /cpu qemu64/);
  });

  test('completion after "+kvm-" offers the KVM paravirt bits', async () => {
    const doc = await open('fixtures/complete.mtype');
    const line = positionOf(doc, '+kvmclock').line;
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(line + 1, 0), '    +kvm-\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    const at = new vscode.Position(line + 1, '    +kvm-'.length);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, at, '-');
    const label = (i: vscode.CompletionItem) => (typeof i.label === 'string' ? i.label : i.label.label);
    const labels = list.items.map(label);
    for (const want of ['kvm-pv-eoi', 'kvm-steal-time', 'kvm-asyncpf', 'kvm-nopiodelay']) assert.ok(labels.includes(want), `${want} in ${labels.slice(0, 40).join(', ')}…`);
    const eoi = list.items.find((i) => label(i) === 'kvm-pv-eoi')!;
    assert.equal(eoi.kind, vscode.CompletionItemKind.EnumMember);
    // the item replaces the word typed so far ("kvm-"), not the sign
    const range = eoi.range instanceof vscode.Range ? eoi.range : eoi.range?.replacing;
    assert.ok(range, 'the item has a replace range');
    assert.equal(doc.getText(range), 'kvm-');
  });

  test('go to definition: a base machine in another file', async () => {
    const doc = await open('fixtures/child.mtype');
    const result = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
      'vscode.executeDefinitionProvider', doc.uri, positionOf(doc, 'extends fx-base', 'extends '.length + 2));
    assert.equal(result.length, 1, JSON.stringify(result));
    const loc = result[0];
    const uri = 'targetUri' in loc ? loc.targetUri : loc.uri;
    const range = 'targetUri' in loc ? (loc.targetSelectionRange ?? loc.targetRange) : loc.range;
    assert.equal(uri.toString(), fileUri('fixtures/base.mtype').toString());
    const base = await vscode.workspace.openTextDocument(uri);
    assert.ok(range.start.line === positionOf(base, 'machine fx-base').line, `points at the declaration, got line ${range.start.line}`);
    assert.match(base.lineAt(range.start.line).text, /^machine fx-base \{/);
  });

  test('rename a machine: the declaration and its use in another file', async () => {
    const base = await open('fixtures/rename-base.mtype');
    const user = await open('fixtures/rename-user.mtype');
    const edit = await vscode.commands.executeCommand<vscode.WorkspaceEdit>('vscode.executeDocumentRenameProvider', base.uri, positionOf(base, 'fx-rename-me', 3), 'fx-renamed');
    assert.ok(edit, 'a rename edit');
    const files = edit.entries().map(([uri]) => vscode.workspace.asRelativePath(uri)).sort();
    assert.deepEqual(files, ['fixtures/rename-base.mtype', 'fixtures/rename-user.mtype']);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.match(base.getText(), /^machine fx-renamed \{$/m);
    assert.match(user.getText(), /^machine fx-rename-user extends fx-renamed \{$/m);
    const code = (base.getText() + user.getText()).split('\n').filter((l) => !l.includes('description'));
    assert.ok(!code.some((l) => l.includes('fx-rename-me')), 'no use of the old name is left');
    // the comment and the description string are left alone
    assert.match(user.getText(), /description "extends fx-rename-me"/);
    // the server sees the renamed pair: the base still resolves, to the renamed declaration
    const defs = await waitFor('definition of fx-renamed', async () => {
      const r = await vscode.commands.executeCommand<(vscode.Location | vscode.LocationLink)[]>(
        'vscode.executeDefinitionProvider', user.uri, positionOf(user, 'extends fx-renamed', 'extends '.length + 2));
      return r?.length ? r : undefined;
    });
    const target = defs[0];
    assert.equal(('targetUri' in target ? target.targetUri : target.uri).toString(), base.uri.toString());
    assert.ok(!hasCode('MT111')(vscode.languages.getDiagnostics(user.uri)), 'no unknown base');
  });

  test('document symbols: one per machine, named, with its name as selection', async () => {
    const doc = await open('examples/pc-i440fx.mtype');
    const symbols = await vscode.commands.executeCommand<vscode.DocumentSymbol[]>('vscode.executeDocumentSymbolProvider', doc.uri);
    assert.deepEqual(symbols.map((s) => s.name), ['pc-i440fx-2.12', 'pc-i440fx-2.0', 'pc-i440fx-1.7', 'pc-1.3', 'pc-1.2']);
    for (const s of symbols) {
      assert.equal(doc.getText(s.selectionRange), s.name);
      assert.ok(s.range.contains(s.selectionRange));
      assert.match(doc.getText(s.range), /^machine [\s\S]*\}$/);
    }
  });

  test('format document: canonical layout', async () => {
    const doc = await open('fixtures/format.mtype');
    const edits = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', doc.uri, { tabSize: 2, insertSpaces: true });
    assert.ok(edits?.length, 'formatting edits');
    const edit = new vscode.WorkspaceEdit();
    edit.set(doc.uri, edits);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(doc.getText(), 'machine fx-format extends fx-base {\n  qemu 2.12\n  host-kernel >= 4.4\n  cpu qemu64\n}\n');
    const again = await vscode.commands.executeCommand<vscode.TextEdit[]>('vscode.executeFormatDocumentProvider', doc.uri, { tabSize: 2, insertSpaces: true });
    assert.deepEqual(again ?? [], [], 'formatting is idempotent');
  });

  test('code lenses: a summary and "Explain" on each machine', async () => {
    const doc = await open('examples/q35.mtype');
    const lenses = await waitFor('code lenses', async () => {
      const l = await vscode.commands.executeCommand<vscode.CodeLens[]>('vscode.executeCodeLensProvider', doc.uri);
      return l?.length ? l : undefined;
    });
    const line = positionOf(doc, 'machine pc-q35-7.2').line;
    const here = lenses.filter((l) => l.range.start.line === line);
    const titles = here.map((l) => l.command?.title ?? '');
    assert.ok(titles.some((t) => /^\d+ bits · \d+ MSRs \(0 unmigrated\) · host ≥ 5\.10$/.test(t)), JSON.stringify(titles));
    const explain = here.find((l) => l.command?.title === 'Explain');
    assert.ok(explain, JSON.stringify(titles));
    // the server's `mtype.explainMachine pc-q35-7.2` arrives as vscode.openWith of the explanation document: an API
    // command, whose arguments VS Code passes inline instead of caching them (client/src/explain-view.ts)
    // (executeCodeLensProvider hands it back under its internal id, _workbench.openWith)
    assert.match(explain.command!.command, /^(vscode|_workbench)\.openWith$/);
    const [uri, viewType] = explain.command!.arguments as [vscode.Uri, string];
    assert.equal(String(uri), 'mtype-explain:/pc-q35-7.2.md');
    assert.equal(viewType, 'vscode.markdown.preview.editor');
    const explanation = await vscode.workspace.openTextDocument(vscode.Uri.parse(String(uri)));
    assert.match(explanation.getText(), /^# machine pc-q35-7\.2/m, 'the lens opens the explanation of its machine');
    assert.equal(explanation.languageId, 'markdown');
    assert.equal(lenses.filter((l) => l.command?.title === 'Explain').length, 2, 'one Explain per machine');
  });
});
