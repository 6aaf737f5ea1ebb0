#!/usr/bin/env node
// The extension-host suite in desktop VS Code (Electron) through @vscode/test-electron: `npm run test:vscode`.
// runTests downloads VS Code (update.code.visualstudio.com) unless VSCODE_EXECUTABLE names an installed one, then
// starts it with extensionDevelopmentPath = this repository and extensionTestsPath = out/vscode/index.js, on a temp
// copy of the same workspace the code-server runner uses (examples/ and test/vscode/fixtures/).
//   VSCODE_EXECUTABLE=/path/to/code   use this VS Code instead of downloading one
//   VSCODE_VERSION=stable|1.91.0      the version to download (default stable)
//   MTYPE_TEST_GREP=pattern           run only the matching tests
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { runTests } from '@vscode/test-electron';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'mtype-vscode-'));
const workspace = path.join(tmp, 'workspace');
fs.cpSync(path.join(root, 'examples'), path.join(workspace, 'examples'), { recursive: true });
fs.cpSync(path.join(root, 'test/vscode/fixtures'), path.join(workspace, 'fixtures'), { recursive: true });
try {
  await runTests({
    vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
    version: process.env.VSCODE_EXECUTABLE ? undefined : process.env.VSCODE_VERSION || 'stable',
    extensionDevelopmentPath: root,
    extensionTestsPath: path.join(root, 'out/vscode/index.js'),
    extensionTestsEnv: { MTYPE_TEST_GREP: process.env.MTYPE_TEST_GREP ?? '', MTYPE_TEST_RUNNER: 'electron' },
    launchArgs: [
      workspace,
      '--disable-extensions', // other installed extensions stay out of the way
      '--disable-workspace-trust',
      '--skip-welcome',
      '--skip-release-notes',
      '--user-data-dir', path.join(tmp, 'user-data'),
    ],
  });
} catch (error) {
  console.error('extension-host suite (desktop VS Code) failed:', error instanceof Error ? error.message : error);
  process.exitCode = 1;
} finally {
  fs.rmSync(tmp, { recursive: true, force: true });
}
