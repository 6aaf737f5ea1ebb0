/**
 * The extension-host suite's runner: the module that `extensionTestsPath` names. VS Code calls run() inside the
 * extension host, under @vscode/test-electron (desktop, `npm run test:vscode`) and under code-server
 * (scripts/e2e/run-vscode-suite.mjs) alike. MTYPE_TEST_GREP narrows the run to matching test titles.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';

/** The files run in this order: read-only checks first, then the tests that edit, rename, close and delete. */
const ORDER = ['diagnostics', 'language', 'commands', 'actions', 'lifecycle', 'restart'];

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'tdd', color: false, reporter: 'spec', timeout: 60_000, slow: 5_000 });
  const grep = process.env.MTYPE_TEST_GREP;
  if (grep) mocha.grep(grep);
  const rank = (f: string) => {
    const i = ORDER.indexOf(f.replace(/\.test\.js$/, ''));
    return i < 0 ? ORDER.length : i;
  };
  const files = fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js'));
  files.sort((a, b) => rank(a) - rank(b) || a.localeCompare(b));
  for (const f of files) mocha.addFile(path.join(__dirname, f));
  return new Promise((resolve, reject) => {
    const runner = mocha.run((failures) => {
      const stats = runner.stats;
      const skipped = stats?.pending ?? 0;
      console.log(`extension-host suite: ${stats?.passes ?? 0} passed, ${failures} failed${skipped ? ` (${skipped} skipped)` : ''}`);
      if (failures > 0) reject(new Error(`${failures} extension-host test(s) failed`));
      else resolve();
    });
  });
}
