/// <reference types="mocha" />
/**
 * Diagnostics in the editor: the examples and fixtures, opened in VS Code, carry the codes, severities and ranges
 * the contract promises, and exactly what `mtype check --format json` reports for the same files.
 */
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as path from 'node:path';
import * as vscode from 'vscode';
import { codeOf, diagnostics, diagnosticsWhere, extension, fileUri, open, rangeText, severityName, summarize, workspaceRoot } from './util';

const FLAGGED: Record<string, string[]> = {
  'examples/incidents.mtype': [
    'MT200 error 7:2-7:10', // qemu 1.3: kvm-steal-time's MSR is migrated only from 1.5
    'MT300 error 7:2-7:10', // qemu 1.3: kvm-pv-eoi needs Linux 3.6, host-kernel >= 3.2
    'MT302 information 7:2-7:10',
    'MT200 error 9:2-9:12', // qemu64's mtrr: MTRRs migrate under KVM only from 2.2
    'MT201 error 9:2-9:12', // qemu64's svm before 2.2: nested SVM state migrates from 5.1
    'MT302 information 15:2-15:11',
    'MT301 error 16:6-16:10', // cpu host
    'MT302 information 21:2-21:10',
    'MT200 error 22:2-22:13', // Haswell's mtrr (2.1)
    'MT200 error 22:2-22:13', // Haswell's rdtscp: TSC_AUX migrates under KVM only from 2.5
    'MT201 error 23:8-23:15', // +invtsc
  ],
  // The editor shows an inherited finding once per cause (mtype.inheritedFindings "once"): on the
  // topmost machine that has it, the machines below it listed in its related information.
  'examples/pc-i440fx.mtype': [
    'MT200 error 43:8-43:21', // pc-i440fx-2.0: mtrr (pc-i440fx-1.7, pc-1.3, pc-1.2 inherit it)
    'MT201 error 43:8-43:21', // pc-i440fx-2.0: svm (likewise)
    'MT200 error 54:8-54:14', // pc-1.3: steal time (pc-1.2 inherits it)
    'MT400 hint 58:9-58:16', // kvm-mmu is deprecated
  ],
  'fixtures/fixes.mtype': [
    'MT300 error 10:4-10:15', // +kvm-pv-eoi needs Linux 3.6, host-kernel >= 3.2
    'MT302 information 18:2-18:11', // fx-whitelist: qemu 2.12 brings 7 KVM default bits
  ],
};
/** MT303 reports gaps of the knowledge base, not of the files: left out here (the UI profile turns it off). */
const notKbGap = (code: string | undefined) => code !== 'MT303';
const findings = (uri: vscode.Uri) => diagnostics(uri).filter((d) => notKbGap(codeOf(d)));

const CLEAN = ['examples/q35.mtype', 'examples/downstream.mtype', 'examples/pc-next.mtype', 'fixtures/base.mtype', 'fixtures/child.mtype'];

suite('diagnostics', () => {
  const docs = new Map<string, vscode.TextDocument>();

  suiteSetup(async () => {
    await extension();
    // Clean files first, flagged ones last: the server answers in order, so once the last file has its
    // diagnostics, every earlier file has been analysed (a clean file's "nothing" is then final, not "not yet").
    for (const rel of [...CLEAN, ...Object.keys(FLAGGED)]) docs.set(rel, await open(rel));
    for (const rel of Object.keys(FLAGGED)) {
      await diagnosticsWhere(fileUri(rel), `${FLAGGED[rel].length} diagnostics`, (d) => d.filter((x) => notKbGap(codeOf(x))).length === FLAGGED[rel].length, 60_000);
    }
  });

  for (const [rel, expected] of Object.entries(FLAGGED)) {
    test(`${rel}: codes, severities and ranges`, async () => {
      const got = await diagnosticsWhere(fileUri(rel), 'the expected diagnostics', (d) => summarize(d.filter((x) => notKbGap(codeOf(x)))).join() === [...expected].sort().join(), 10_000)
        .then((d) => d.filter((x) => notKbGap(codeOf(x))))
        .catch(() => findings(fileUri(rel)));
      assert.deepEqual(summarize(got), [...expected].sort());
      for (const d of got) {
        assert.equal(d.source, 'mtype', 'source');
        assert.match(d.message, /\S/, 'a message');
      }
    });
  }

  test('messages name the machine, the bit and the numbers', () => {
    const incidents = diagnostics(fileUri('examples/incidents.mtype'));
    const mt200 = incidents.find((d) => codeOf(d) === 'MT200');
    assert.ok(mt200);
    assert.match(mt200.message, /incident-pv-eoi/);
    assert.match(mt200.message, /kvm-steal-time \(CPUID 0x40000001 EAX\[5\]\)/);
    assert.match(mt200.message, /MSR_KVM_STEAL_TIME \(0x4b564d03\)/);
    assert.match(mt200.message, /1\.5/);
    const mt301 = incidents.find((d) => codeOf(d) === 'MT301');
    assert.equal(docs.get('examples/incidents.mtype')!.getText(mt301!.range), 'host');
  });

  for (const rel of CLEAN) {
    test(`${rel}: no diagnostics`, () => {
      assert.deepEqual(summarize(findings(fileUri(rel))), []);
    });
  }

  test('the editor shows what `mtype check --format json` reports', async () => {
    // The same engine through its other adapter: the CLI shipped in the extension, run on the workspace.
    const ext = await extension();
    const cli = path.join(ext.extensionPath, 'server', 'out', 'cli.js');
    const root = workspaceRoot().fsPath;
    // The editor's default for inherited findings is "once"; the command line's is "each".
    const run = spawnSync(process.execPath, [cli, 'check', '--format', 'json', '--inherited', 'once', 'examples', 'fixtures/fixes.mtype'], {
      cwd: root,
      encoding: 'utf8',
      env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' },
    });
    assert.equal(run.status, 1, `mtype check exits 1 when there are errors\n${run.stderr}`);
    const report = JSON.parse(run.stdout) as {
      files: Array<{ path: string; diagnostics: Array<{ code: string; severity: string; message: string; range: { start: { line: number; character: number }; end: { line: number; character: number } } }> }>;
    };
    let compared = 0;
    for (const file of report.files) {
      const uri = vscode.Uri.file(path.resolve(root, file.path));
      const cliView = file.diagnostics.filter((d) => notKbGap(d.code)).map((d) => `${d.code} ${d.severity} ${d.range.start.line}:${d.range.start.character}-${d.range.end.line}:${d.range.end.character} ${d.message}`).sort();
      const editorView = findings(uri).map((d) => `${codeOf(d)} ${severityName(d)} ${rangeText(d.range)} ${d.message}`).sort();
      assert.deepEqual(editorView, cliView, file.path);
      compared += cliView.length;
    }
    assert.ok(compared >= 13, `compared ${compared} diagnostics`);
  });

  test('an inherited finding is shown once, on the base, with the machines that share it as related information', () => {
    const mtrr = diagnostics(fileUri('examples/pc-i440fx.mtype')).find((d) => codeOf(d) === 'MT200' && /mtrr/.test(d.message));
    assert.ok(mtrr, 'the MT200 for mtrr');
    assert.deepEqual(
      (mtrr.relatedInformation ?? []).map((r) => r.message).filter((m) => m.endsWith('inherits this too')),
      ['pc-i440fx-1.7 inherits this too', 'pc-1.3 inherits this too', 'pc-1.2 inherits this too'],
    );
  });
});
