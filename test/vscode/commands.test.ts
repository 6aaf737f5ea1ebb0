/// <reference types="mocha" />
/**
 * The extension's commands, run the way a user runs them: Explain (the Markdown preview of a read-only document), Copy as QEMU command line and as
 * libvirt domain XML (read back from the clipboard), Compare (two quick picks, answered here).
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import type { MtypeApi } from '../../client/src/extension';
import { extension, open, openMarkdown, positionOf, waitFor } from './util';

const COMMANDS = ['mtype.explainMachine', 'mtype.copyQemu', 'mtype.copyLibvirt', 'mtype.compareMachines'];

/** Waits for a Markdown document that was not open before and whose text satisfies `ok`. */
function newMarkdown(before: readonly vscode.TextDocument[], what: string, ok: (text: string) => boolean): Promise<vscode.TextDocument> {
  return waitFor(what, () => openMarkdown().find((d) => !before.includes(d) && ok(d.getText())));
}

/** The title of the next machine quick pick the extension shows (its API fires when a pick is asked to show). */
async function nextPick(): Promise<string> {
  const api = (await extension()).exports as MtypeApi;
  return new Promise((resolve) => {
    const sub = api.onDidShowMachinePick((title) => {
      sub.dispose();
      resolve(title);
    });
  });
}

async function clipboardAfter(command: string, ...args: unknown[]): Promise<string> {
  const sentinel = `mtype-suite-${Date.now()}`;
  await vscode.env.clipboard.writeText(sentinel);
  assert.equal(await vscode.env.clipboard.readText(), sentinel, 'the clipboard works in this window');
  await vscode.commands.executeCommand(command, ...args);
  return waitFor(`the clipboard to change after ${command}`, async () => {
    const text = await vscode.env.clipboard.readText();
    return text !== sentinel ? text : undefined;
  });
}

suite('commands', () => {
  suiteSetup(async () => {
    await extension();
    await open('examples/q35.mtype');
  });

  test('the commands are contributed and registered', async () => {
    const registered = await vscode.commands.getCommands(true);
    for (const c of COMMANDS) assert.ok(registered.includes(c), `${c} is registered`);
    const contributed = ((vscode.extensions.getExtension('mtype-tools.mtype')!.packageJSON.contributes?.commands ?? []) as Array<{ command: string }>).map((c) => c.command);
    for (const c of COMMANDS) assert.ok(contributed.includes(c), `${c} is in contributes.commands`);
  });

  test('Explain machine type opens the resolved machine as Markdown, in the Markdown preview', async () => {
    await vscode.commands.executeCommand('mtype.explainMachine', 'pc-q35-7.2');
    // a tab of the preview editor on the read-only explanation document
    const tab = await waitFor('the preview tab of mtype-explain:/pc-q35-7.2.md', () =>
      vscode.window.tabGroups.all
        .flatMap((g) => g.tabs)
        .find((t) => t.input instanceof vscode.TabInputCustom && t.input.uri.toString() === 'mtype-explain:/pc-q35-7.2.md' && t.input.viewType === 'vscode.markdown.preview.editor'),
    );
    assert.ok(tab.isActive, 'the explanation is the active tab');
    const doc = await waitFor('the explanation document', () => vscode.workspace.textDocuments.find((d) => d.uri.toString() === 'mtype-explain:/pc-q35-7.2.md'));
    assert.equal(doc.languageId, 'markdown');
    const text = doc.getText();
    assert.match(text, /Skylake-Server-v4/);
    assert.match(text, /kvm-pv-eoi/);
    assert.match(text, /7\.2/);
    assert.match(text, /MSR_KVM_PV_EOI_EN/);
  });

  test('Copy as QEMU puts the -machine, -accel and -cpu options on the clipboard', async () => {
    const text = await clipboardAfter('mtype.copyQemu', 'pc-q35-7.2');
    assert.match(text, /^-machine pc-q35-7\.2 -accel kvm -cpu Skylake-Server-v4,/);
    for (const bit of ['x2apic', 'kvmclock', 'kvm-steal-time', 'kvm-pv-eoi', 'kvmclock-stable-bit']) assert.match(text, new RegExp(`[,]${bit}=on\\b`));
  });

  test('Copy as libvirt puts the domain XML fragment on the clipboard: libvirt names, KVM bits outside <cpu>', async () => {
    const text = await clipboardAfter('mtype.copyLibvirt', 'pc-q35-7.2');
    assert.match(text, /<type arch='x86_64' machine='pc-q35-7\.2'>hvm<\/type>/);
    assert.match(text, /<cpu mode='custom' match='exact' check='full'>/);
    // libvirt 9.0 has no Skylake-Server-v4: the closest libvirt model, said in a comment
    assert.match(text, /<model fallback='forbid'>Skylake-Server-noTSX-IBRS<\/model>/);
    assert.match(text, /<!-- libvirt 9\.0\.0 has no model for QEMU's Skylake-Server-v4/);
    // PV EOI is <apic eoi>, never a CPU feature
    assert.match(text, /<apic eoi='on'\/>/);
    assert.doesNotMatch(text, /name='kvm-pv-eoi'/);
    assert.match(text, /<\/cpu>/);
  });

  test('Copy as QEMU without an argument takes the machine under the cursor', async () => {
    const doc = await open('examples/q35.mtype');
    const editor = vscode.window.activeTextEditor!;
    const at = positionOf(doc, 'pc-q35-8.0', 2);
    editor.selection = new vscode.Selection(at, at);
    // a quick pick opens with the machine under the cursor first; accept it
    const sentinel = `mtype-suite-${Date.now()}`;
    await vscode.env.clipboard.writeText(sentinel);
    const shown = nextPick();
    const done = vscode.commands.executeCommand('mtype.copyQemu');
    assert.match(await shown, /^Copy the QEMU command line of/);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem'); // once: the pick exists
    await done;
    const text = await vscode.env.clipboard.readText();
    assert.notEqual(text, sentinel, 'the clipboard was written');
    assert.match(text, /^-machine pc-q35-8\.0 -accel kvm -cpu Skylake-Server-v4,/);
  });

  test('Compare machine types: two quick picks, then the difference as Markdown', async () => {
    const doc = await open('examples/q35.mtype');
    const editor = vscode.window.activeTextEditor!;
    const at = positionOf(doc, 'pc-q35-7.2', 2);
    editor.selection = new vscode.Selection(at, at);
    const before = openMarkdown();
    const first = nextPick();
    const done = vscode.commands.executeCommand('mtype.compareMachines');
    // first pick: the machine under the cursor (listed first); second pick: the first other machine
    assert.match(await first, /^First machine type/);
    const second = nextPick();
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    assert.match(await second, /^Compare pc-q35-7\.2 with/);
    await vscode.commands.executeCommand('workbench.action.acceptSelectedQuickOpenItem');
    await done;
    const md = await newMarkdown(before, 'the comparison', (t) => t.includes('pc-q35-7.2'));
    const text = md.getText();
    assert.match(text, /pc-q35-7\.2/);
    const other = /pc-q35-8\.0|pc-i440fx|pc-1\.|acme|incident|pc-next|fx-/.exec(text.replace(/pc-q35-7\.2/g, ''));
    assert.ok(other, `names a second machine:\n${text}`);
  });
});
