#!/usr/bin/env node
// Runs the extension-host suite (test/vscode, built into out/vscode/ by scripts/e2e/build-tests.mjs) inside
// code-server's Node extension host, headless, and exits with the suite's exit code.
//
// How: a fresh profile gets the .vsix installed (code-server --install-extension); code-server starts with
// --vscode-option enable-smoke-test-driver (without it a built workbench ignores the payload below); chromium opens
// the workbench with ?payload=[["extensionDevelopmentPath", …], ["extensionTestsPath", …]]. The workbench starts the
// remote extension host with that extension and calls run() of out/vscode/index.js in it; the extension host's
// console comes back through window.codeAutomationLog, the exit code through window.codeAutomationExit.
//
// The development path is the extension folder that --install-extension created from the .vsix, so the suite
// checks exactly what ships (--extension-path . checks the working tree instead).
//
//   node scripts/e2e/run-vscode-suite.mjs [--extension-path DIR] [--timeout 600] [--grep PATTERN] [--verbose]
// Artifacts: test-results/vscode-suite.png (the window at the end), test-results/logs/vscode-suite/.
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import {
  ROOT, RESULTS, checkTools, installVsix, launchChromium, log, makeProfile, newPage, removeProfile, saveLogs,
  startCodeServer, workbenchUrl, workspaceFiles,
} from '../../test/e2e/harness.mjs';

const { values: opt } = parseArgs({
  options: {
    'extension-path': { type: 'string' },
    timeout: { type: 'string', default: '600' },
    grep: { type: 'string' },
    verbose: { type: 'boolean', default: false },
  },
});

// The workbench's routine log lines; all of them still go to automation.log.
const NOISE = /^(Ignoring fetching additional builtin extensions|Updating additional builtin extensions cache|Creating a socket|Resolving connection token|Resolved connection token|\[reconnection-grace-time\]|\[Service Worker\]|\[AgentHost|\[AccountPolicyGate\]|No search provider registered for scheme|Canceled: Canceled|Started local extension host|Extension host \(|\[Extension Host\] \[Extension Host\]|Overwriting extension)/;

const testsModule = path.join(ROOT, 'out/vscode/index.js');
if (!fs.existsSync(testsModule)) {
  console.error(`${testsModule} is missing: run node scripts/e2e/build-tests.mjs first`);
  process.exit(2);
}
checkTools();
fs.mkdirSync(RESULTS, { recursive: true });

const profile = makeProfile('vscode-suite', workspaceFiles());
let server;
let browser;
let code = 1;
try {
  const installed = installVsix(profile);
  const extensionPath = opt['extension-path'] ? path.resolve(opt['extension-path']) : installed;
  log('extension under test:', extensionPath);
  server = await startCodeServer(profile, {
    args: ['--vscode-option', 'enable-smoke-test-driver'],
    // the remote extension host inherits the server's environment: the suite reads these
    env: { MTYPE_TEST_GREP: opt.grep ?? process.env.MTYPE_TEST_GREP ?? '', MTYPE_TEST_RUNNER: 'code-server' },
  });
  log('code-server listening on', server.url);
  browser = await launchChromium();
  const page = await newPage(browser, server);
  page.on('pageerror', (e) => log('pageerror:', e.message));

  let finish;
  const finished = new Promise((resolve) => (finish = resolve));
  const automationLog = fs.openSync(path.join(profile.logs, 'automation.log'), 'a');
  await page.exposeFunction('codeAutomationLog', (type, args) => {
    const line = args.map((a) => (typeof a === 'string' ? a : JSON.stringify(a))).join(' ');
    fs.writeSync(automationLog, `[${type}] ${line}\n`);
    if (!opt.verbose && NOISE.test(line)) return;
    (typeof console[type] === 'function' ? console[type] : console.log)(...args);
  });
  await page.exposeFunction('codeAutomationExit', (exitCode, logs) => {
    for (const { relativePath, contents } of logs ?? []) {
      const file = path.join(profile.logs, 'workbench', relativePath);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, contents);
    }
    finish(exitCode);
  });

  await page.goto(workbenchUrl(server, profile, [
    ['extensionDevelopmentPath', server.remote(extensionPath)],
    ['extensionTestsPath', server.remote(testsModule)],
    ['skipWelcome', 'true'],
  ]));
  log('workbench opened; the suite runs in the extension host');
  const timeout = new Promise((resolve) => setTimeout(() => resolve('timeout'), Number(opt.timeout) * 1000));
  const result = await Promise.race([finished, timeout]);
  if (result === 'timeout') {
    console.error(`the extension-host suite did not finish within ${opt.timeout} s`);
    console.log('extension-host suite: 0 passed, 1 failed (timed out)');
  } else {
    code = result;
  }
  await page.screenshot({ path: path.join(RESULTS, 'vscode-suite.png') }).catch(() => {});
} catch (error) {
  console.error(error);
  console.log('extension-host suite: 0 passed, 1 failed (did not run)');
  code = 1;
} finally {
  await browser?.close().catch(() => {});
  await server?.stop();
  const logs = saveLogs(profile, 'vscode-suite');
  log(`exit code ${code}; logs in ${path.relative(ROOT, logs)}`);
  removeProfile(profile);
}
process.exit(code);
