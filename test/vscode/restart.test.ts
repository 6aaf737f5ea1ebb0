/// <reference types="mocha" />
/**
 * Faults of the server process: killed (SIGKILL) while the user edits, it is restarted by the client, and the new
 * server checks the documents' current, unsaved text — edits typed while no server ran included.
 */
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import { codeOf, diagnosticsWhere, extension, open, positionOf, waitFor } from './util';

/** PIDs of the mtype language servers this extension host started (its child processes running server.js). */
function serverPids(): number[] {
  const out = execFileSync('ps', ['-o', 'pid=,args=', '--ppid', String(process.pid)], { encoding: 'utf8' });
  return out
    .split('\n')
    .filter((l) => /server[\\/]out[\\/]server\.js/.test(l))
    .map((l) => Number(l.trim().split(/\s+/)[0]));
}

const unknownBits = (d: vscode.Diagnostic[]) => d.filter((x) => codeOf(x) === 'MT100').map((x) => `${x.message} @${x.range.start.line}`);

suite('server restart', () => {
  suiteSetup(async () => {
    await extension();
  });

  test('a server killed while the user edits is restarted and checks the unsaved text', async () => {
    const doc = await open('fixtures/restart.mtype');
    const editor = vscode.window.activeTextEditor!;
    const onDisk = fs.readFileSync(doc.uri.fsPath, 'utf8');
    const line = positionOf(doc, '+x2apic').line;
    const [pid] = await waitFor('the language server process', () => {
      const pids = serverPids();
      return pids.length === 1 ? pids : undefined;
    });

    // an edit the running server sees
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(line + 1, 0), '    +no-such-bit\n')));
    await diagnosticsWhere(doc.uri, 'MT100 for no-such-bit', (d) => unknownBits(d).length === 1, 60_000);

    // the server dies; the user goes on typing before any new server runs
    process.kill(pid, 'SIGKILL');
    assert.ok(await editor.edit((e) => e.insert(new vscode.Position(line + 2, 0), '    +another-typo\n')));

    const [restarted] = await waitFor('a new language server process', () => {
      const pids = serverPids().filter((p) => p !== pid);
      return pids.length ? pids : undefined;
    }, 60_000);
    assert.notEqual(restarted, pid);
    const after = await diagnosticsWhere(doc.uri, 'both unknown bits, from the restarted server', (d) => unknownBits(d).length === 2, 60_000);
    assert.deepEqual(unknownBits(after), [`unknown CPUID feature 'no-such-bit' @${line + 1}`, `unknown CPUID feature 'another-typo' @${line + 2}`]);
    assert.ok(doc.isDirty, 'the edits are still unsaved');
    assert.equal(fs.readFileSync(doc.uri.fsPath, 'utf8'), onDisk, 'and not on disk: the server got them from the editor');

    // the restarted server answers requests as before
    const hover = await vscode.commands.executeCommand<vscode.Hover[]>('vscode.executeHoverProvider', doc.uri, positionOf(doc, 'x2apic', 1));
    assert.ok(hover?.length, 'hover from the restarted server');
    await vscode.commands.executeCommand('workbench.action.files.revert');
  });
});
