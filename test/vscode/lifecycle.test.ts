/// <reference types="mocha" />
/**
 * Settings and document life cycle: `mtype.severity` changes take effect without a restart; a file's diagnostics
 * leave the Problems view when its editor is closed, and when the file is deleted.
 */
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { codeOf, diagnostics, diagnosticsWhere, extension, fileUri, hasCode, open, summarize, waitFor } from './util';

/** Opens a file the way the explorer does (not through openTextDocument, which keeps the document alive). */
async function openInEditor(rel: string): Promise<vscode.TextDocument> {
  const uri = fileUri(rel);
  await vscode.commands.executeCommand('vscode.open', uri, { preview: false });
  return waitFor(`${rel} open`, () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === uri.toString()));
}

function tabOf(uri: vscode.Uri): vscode.Tab | undefined {
  return vscode.window.tabGroups.all
    .flatMap((g) => g.tabs)
    .find((t) => t.input instanceof vscode.TabInputText && t.input.uri.toString() === uri.toString());
}

suite('settings and life cycle', () => {
  suiteSetup(async () => {
    await extension();
  });

  test('mtype.severity: {"MT302":"off"} hides MT302, "warning" changes its severity, removing it restores it', async () => {
    const doc = await open('examples/incidents.mtype');
    const config = () => vscode.workspace.getConfiguration('mtype');
    await diagnosticsWhere(doc.uri, 'MT302 and MT301', (d) => hasCode('MT302')(d) && hasCode('MT301')(d), 60_000);
    const count = diagnostics(doc.uri).length;
    try {
      await config().update('severity', { MT302: 'off' }, vscode.ConfigurationTarget.Workspace);
      const off = await diagnosticsWhere(doc.uri, 'MT302 off', (d) => !hasCode('MT302')(d) && hasCode('MT301')(d));
      assert.equal(off.length, count - 3, JSON.stringify(summarize(off)));

      await config().update('severity', { MT302: 'warning' }, vscode.ConfigurationTarget.Workspace);
      const warn = await diagnosticsWhere(doc.uri, 'MT302 as warnings', (d) => d.filter((x) => codeOf(x) === 'MT302').length === 3 && d.every((x) => codeOf(x) !== 'MT302' || x.severity === vscode.DiagnosticSeverity.Warning));
      assert.equal(warn.length, count);
    } finally {
      await config().update('severity', undefined, vscode.ConfigurationTarget.Workspace);
    }
    await diagnosticsWhere(doc.uri, 'MT302 back as information', (d) => d.filter((x) => codeOf(x) === 'MT302' && x.severity === vscode.DiagnosticSeverity.Information).length === 3);
  });

  test('closing a file removes its diagnostics', async () => {
    const doc = await openInEditor('fixtures/close.mtype');
    await diagnosticsWhere(doc.uri, 'MT301 on fx-close', hasCode('MT301'), 60_000);
    const tab = await waitFor('the tab of close.mtype', () => tabOf(doc.uri));
    assert.ok(await vscode.window.tabGroups.close(tab));
    await waitFor('close.mtype to close', () => (vscode.workspace.textDocuments.some((d) => d.uri.toString() === doc.uri.toString()) ? undefined : true), 60_000);
    await diagnosticsWhere(doc.uri, 'no diagnostics after closing', (d) => d.length === 0);
  });

  test('deleting an open file removes its diagnostics', async () => {
    const doc = await openInEditor('fixtures/delete.mtype');
    await diagnosticsWhere(doc.uri, 'MT301 on fx-delete', hasCode('MT301'), 60_000);
    const edit = new vscode.WorkspaceEdit();
    edit.deleteFile(doc.uri);
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.equal(fs.existsSync(doc.uri.fsPath), false, 'the file is gone from disk');
    await diagnosticsWhere(doc.uri, 'no diagnostics after deleting', (d) => d.length === 0, 60_000);
    // VS Code closes the editor of a deleted file on its own schedule: wait for the UI, do nothing again.
    await waitFor('its editor closed', () => (tabOf(doc.uri) === undefined ? true : undefined), 10_000);
  });
});
