/// <reference types="mocha" />
/**
 * Quick fixes through VS Code: the editor asks for code actions at a diagnostic, applies the chosen one's
 * workspace edit, and the server's next diagnostics no longer have the problem.
 */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import { codeAction, codeOf, diagnosticsWhere, extension, hasCode, open } from './util';

const MASK_MACHINE = /machine fx-mask \{[\s\S]*?\n\}/;
const WHITELIST_MACHINE = /machine fx-whitelist \{[\s\S]*?\n\}/;

suite('code actions', () => {
  let doc: vscode.TextDocument;

  suiteSetup(async () => {
    await extension();
    doc = await open('fixtures/fixes.mtype');
    await diagnosticsWhere(doc.uri, 'MT300 and MT302', (d) => hasCode('MT300')(d) && hasCode('MT302')(d), 60_000);
  });

  test('"Mask kvm-pv-eoi" on MT300 edits the machine and the MT300 goes', async () => {
    const mt300 = vscode.languages.getDiagnostics(doc.uri).find((d) => codeOf(d) === 'MT300')!;
    assert.equal(doc.getText(mt300.range), '+kvm-pv-eoi');
    const fix = await codeAction(doc, mt300, 'Mask kvm-pv-eoi');
    assert.equal(fix.kind?.value, vscode.CodeActionKind.QuickFix.value);
    const others = await vscode.commands.executeCommand<vscode.CodeAction[]>('vscode.executeCodeActionProvider', doc.uri, mt300.range, vscode.CodeActionKind.QuickFix.value);
    assert.ok(others.some((a) => a.title === 'Raise host-kernel to 3.6'), `also offers raising host-kernel: ${others.map((a) => a.title)}`);
    assert.ok(fix.edit, 'the fix carries a workspace edit');
    const whitelistBefore = WHITELIST_MACHINE.exec(doc.getText())![0];
    assert.ok(await vscode.workspace.applyEdit(fix.edit));
    const machine = MASK_MACHINE.exec(doc.getText())![0];
    assert.doesNotMatch(machine, /\+kvm-pv-eoi/);
    assert.match(machine, /-kvm-pv-eoi/);
    assert.match(machine, /\+kvmclock\n/, 'the rest of the list is kept');
    assert.match(machine, /-kvm-steal-time/);
    assert.equal(WHITELIST_MACHINE.exec(doc.getText())![0], whitelistBefore, 'the other machine is untouched');
    await diagnosticsWhere(doc.uri, 'MT300 gone', (d) => !hasCode('MT300')(d) && hasCode('MT302')(d));
  });

  test('"Whitelist all 7 KVM default bits" on MT302 adds a cpuid list and the MT302 goes', async () => {
    const mt302 = vscode.languages.getDiagnostics(doc.uri).find((d) => codeOf(d) === 'MT302' && d.message.includes('fx-whitelist'));
    assert.ok(mt302, 'MT302 of fx-whitelist');
    const fix = await codeAction(doc, mt302, 'Whitelist all 7 KVM default bits');
    assert.equal(fix.isPreferred, true);
    const single = await codeAction(doc, mt302, 'Whitelist kvm-pv-eoi');
    assert.ok(single, 'one action per bit as well');
    assert.ok(await vscode.workspace.applyEdit(fix.edit!));
    const machine = WHITELIST_MACHINE.exec(doc.getText())![0];
    for (const bit of ['kvmclock', 'kvm-nopiodelay', 'kvm-asyncpf', 'kvm-steal-time', 'kvm-pv-eoi', 'kvmclock-stable-bit', 'x2apic']) {
      assert.match(machine, new RegExp(`\\+${bit}\\b`), bit);
    }
    assert.match(machine, /cpu qemu64   # relies on QEMU 2\.12's KVM defaults/, 'the comment is kept');
    await diagnosticsWhere(doc.uri, 'MT302 of fx-whitelist gone', (d) => !d.some((x) => codeOf(x) === 'MT302' && x.message.includes('fx-whitelist')));
  });
});
