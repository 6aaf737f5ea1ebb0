// The diagnostic code link, clicked as a user does: in the hover card of MT300, the link "MT300" opens the
// codes page shipped in the .vsix (docs/codes.md of the installed extension) at the section of MT300, offline,
// and no error notification appears. The packaged extension in code-server, driven by playwright-core in
// Debian's chromium (scripts/e2e/run-e2e.sh runs it). Screenshots: test-results/code-link/.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, before, test } from 'node:test';
import {
  ROOT, RESULTS, checkTools, installVsix, launchChromium, log, makeProfile, newPage, removeProfile, saveLogs,
  startCodeServer, workbenchUrl,
} from './harness.mjs';

const SHOTS = path.join(RESULTS, 'code-link');
const EDITOR = '.editor-instance .monaco-editor';
const ERROR_TOAST = '.notifications-toasts .notification-toast:has(.codicon-error)';

let profile;
let server;
let browser;
let page;

const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

before(async () => {
  checkTools();
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  profile = makeProfile('code-link', { fixtures: path.join(ROOT, 'test/neovim/fixtures') });
  installVsix(profile);
  server = await startCodeServer(profile);
  browser = await launchChromium();
  page = await newPage(browser, server);
  page.setDefaultTimeout(60_000); // a cold, shared 2-core machine
  page.on('pageerror', (e) => log('pageerror:', e.message));
});

after(async () => {
  if (page) await shot('final').catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
  if (profile) {
    saveLogs(profile, 'code-link');
    removeProfile(profile);
  }
});

test('the MT300 code link in the hover opens the bundled codes page at MT300', async () => {
  await page.goto(workbenchUrl(server, profile));
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'fixtures' }).waitFor();
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'fixtures' }).click();
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'fixes.mtype' }).click();
  await page.locator('.tabs-container .tab.active', { hasText: 'fixes.mtype' }).waitFor();
  // the error squiggle of MT300 on "+kvm-pv-eoi" means the server has answered
  const squiggle = page.locator(`${EDITOR} .squiggly-error`).first();
  await squiggle.waitFor();

  // Caret into the flagged bit, then "Show Hover" (Ctrl+K Ctrl+I): the card holds the diagnostic and its link.
  const token = page.locator(`${EDITOR} .view-line span`, { hasText: /^\+?kvm-pv-eoi$/ }).first();
  await token.click();
  await page.keyboard.press('Control+K');
  await page.keyboard.press('Control+I');
  const link = page.locator('.monaco-hover a.code-link', { hasText: 'MT300' }).first();
  await link.waitFor({ state: 'visible' });
  const href = await link.getAttribute('href');
  log('code link:', href);
  assert.match(href, /^(file|vscode-remote):\/\/.*\/docs\/codes\.md#L\d+$/);
  await shot('1-hover-with-code-link');

  await link.click();
  await page.locator('.tabs-container .tab.active', { hasText: 'codes.md' }).waitFor();
  // the editor shows the page at MT300's section heading: the caret is on that line
  const line = Number(href.split('#L')[1]);
  await page.locator('.statusbar-item', { hasText: new RegExp(`^Ln ${line}, Col 1$`) }).waitFor();
  await page.locator(`${EDITOR} .view-line`, { hasText: '## MT300: Host-kernel-dependent bit' }).first().waitFor();
  await shot('2-codes-page-at-MT300');
  assert.equal(await page.locator(ERROR_TOAST).count(), 0, 'an error notification appeared');
});
