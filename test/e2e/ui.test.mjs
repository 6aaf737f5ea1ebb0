// UI tests: what only pixels prove. The packaged extension (.vsix) in code-server (real VS Code workbench), driven
// by playwright-core in Debian's headless chromium. Each step saves a screenshot under test-results/ui/.
// Run through scripts/e2e/run-ui.mjs (npm run test:e2e does), or: node --test test/e2e/ui.test.mjs
//
// Rules: every user action (click, key press) is done once; only waiting for the UI to show something is repeated
// (Playwright's waitFor). Any error notification the workbench shows, during a step or after it, fails the test.
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { after, afterEach, before, test } from 'node:test';
import {
  RESULTS, checkTools, installVsix, launchChromium, log, makeProfile, newPage, notifications, removeProfile, saveLogs,
  startCodeServer, watchNotifications, workbenchUrl, workspaceFiles,
} from './harness.mjs';

const SHOTS = path.join(RESULTS, 'ui');
const STEP_TIMEOUT = 60_000; // a cold 2-core CI machine
const EDITOR = '.editor-instance .monaco-editor';

let profile;
let server;
let browser;
let page;

const shot = (name) => page.screenshot({ path: path.join(SHOTS, `${name}.png`) });

/** Fails when the workbench showed an error notification since the last check (a toast, or the notification center). */
let checkedNotifications = 0;
async function assertNoErrorNotification(when) {
  const all = await notifications(page);
  const fresh = all.slice(checkedNotifications);
  checkedNotifications = all.length;
  for (const n of fresh) log(`notification (${n.severity}): ${n.message}`);
  const errors = fresh.filter((n) => n.severity === 'error');
  if (errors.length) await shot(`error-notification-${Date.now()}`).catch(() => {});
  assert.deepEqual(errors.map((n) => n.message), [], `no error notification ${when}`);
}

/** Waits until keyboard input goes to the active editor (a key press before that would be lost). */
const editorFocused = () => page.waitForFunction((sel) => !!document.activeElement?.closest(sel), EDITOR);

/** The rendered text of the active editor (Monaco renders spaces as U+00A0). */
const editorText = async () => (await page.locator(`${EDITOR} .view-lines`).first().innerText()).replace(/\u00a0/g, ' ');

/** Waits until the active editor's rendered text matches `re`. */
function waitForText(re) {
  return page.waitForFunction(
    ([src, flags, sel]) => new RegExp(src, flags).test((document.querySelector(`${sel} .view-lines`)?.textContent ?? '').replace(/\u00a0/g, ' ')),
    [re.source, re.flags, EDITOR],
  );
}

/**
 * Every rendered token of the active editor: text, computed colour, box. Tokens are the innermost spans of
 * .view-line; the grammar (and semantic tokens) decide their class, the theme their colour.
 */
function tokens() {
  return page.evaluate((sel) => {
    const out = [];
    for (const line of document.querySelectorAll(`${sel} .view-lines .view-line`)) {
      for (const span of line.querySelectorAll('span > span')) {
        const text = span.textContent.replace(/\u00a0/g, ' ');
        if (!text.trim()) continue;
        const r = span.getBoundingClientRect();
        out.push({ text, trimmed: text.trim(), color: getComputedStyle(span).color, x: r.x, y: r.y, width: r.width, height: r.height });
      }
    }
    return out;
  }, EDITOR);
}

/** The token whose text (trimmed) is `text`, the `nth` on screen (top to bottom). */
async function token(text, nth = 0) {
  const all = (await tokens()).filter((t) => t.trimmed === text).sort((a, b) => a.y - b.y || a.x - b.x);
  assert.ok(all[nth], `token '${text}' #${nth} is rendered`);
  return all[nth];
}

const center = (box) => ({ x: box.x + box.width / 2, y: box.y + box.height / 2 });

/**
 * The token once the editor's layout has settled: after an edit VS Code asks for code lenses again, and
 * a lens that arrives (or goes) moves every line below it. A click aimed before that lands on another line.
 * Waits for the code lenses and for the token to stay where it is for half a second.
 */
async function settledToken(text, nth) {
  await page.locator(`${EDITOR} .codelens-decoration`, { hasText: 'Explain' }).first().waitFor();
  const end = Date.now() + STEP_TIMEOUT;
  let last = await token(text, nth);
  let since = Date.now();
  while (Date.now() - since < 500) {
    if (Date.now() > end) throw new Error(`token '${text}' #${nth} keeps moving (y ${last.y})`);
    await new Promise((r) => setTimeout(r, 100));
    const now = await token(text, nth);
    if (now.x !== last.x || now.y !== last.y) since = Date.now();
    last = now;
  }
  return last;
}

/** Puts the caret into a token, moves the mouse away, waits for the light bulb, opens the quick-fix menu. */
async function quickFixMenu(tokenText, nth, itemText) {
  const t = await settledToken(tokenText, nth);
  const { x, y } = center(t);
  await page.mouse.click(x, y);
  await page.mouse.move(1200, 780); // a hover under the mouse can close the menu
  await editorFocused();
  // the light bulb shows once the code actions at the caret arrived: Ctrl+. then opens them at once. Wait for
  // the bulb of the caret's line (VS Code draws it one line below or above when the text leaves it no room): a bulb
  // still showing further away (the previous step's) says nothing yet.
  const bulbs = page.locator(`${EDITOR} :is([class*="codicon-gutter-lightbulb"], .lightBulbWidget)`).filter({ visible: true });
  const end = Date.now() + STEP_TIMEOUT;
  for (;;) {
    const boxes = await Promise.all((await bulbs.all()).map((b) => b.boundingBox()));
    if (boxes.some((b) => b && Math.abs(center(b).y - y) < t.height * 1.5)) break;
    if (Date.now() > end) {
      await shot(`no-bulb-${tokenText}-${nth}`);
      throw new Error(`no light bulb on the line of '${tokenText}' #${nth} (y ${y}; bulbs at y ${boxes.map((b) => b && center(b).y).join(', ') || 'none'})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const item = page.locator('.action-widget .monaco-list-row.action', { hasText: itemText }).first();
  await page.keyboard.press('Control+.');
  await item.waitFor({ state: 'visible' });
  return item;
}

/** Rows of the Problems panel. */
const problemRows = () => page.locator('.markers-panel .monaco-list-row');

before(async () => {
  checkTools();
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  profile = makeProfile('ui', workspaceFiles());
  installVsix(profile);
  server = await startCodeServer(profile);
  log('code-server listening on', server.url);
  browser = await launchChromium();
  page = await newPage(browser, server);
  page.setDefaultTimeout(STEP_TIMEOUT);
  page.on('pageerror', (e) => log('pageerror:', e.message));
  await watchNotifications(page);
});

afterEach(async () => {
  if (page) await assertNoErrorNotification('after the test');
});

after(async () => {
  if (page) await shot('final').catch(() => {});
  await browser?.close().catch(() => {});
  await server?.stop();
  if (profile) {
    saveLogs(profile, 'ui');
    removeProfile(profile);
  }
});

/** Ctrl+P, the file name, Enter: the file opens in the active editor. */
async function quickOpen(name) {
  const input = page.locator('.quick-input-widget input');
  await page.keyboard.press('Control+P');
  await input.waitFor({ state: 'visible' });
  await input.fill(name);
  await page.locator('.quick-input-list .monaco-list-row', { hasText: name }).first().waitFor();
  await page.keyboard.press('Enter');
  await page.locator('.tabs-container .tab.active', { hasText: name }).waitFor();
}

test('the workbench opens the workspace and fixes.mtype in an mtype editor', async () => {
  await page.goto(workbenchUrl(server, profile));
  await page.locator('.monaco-workbench').waitFor();
  await page.locator('.explorer-folders-view .monaco-list-row', { hasText: 'fixtures' }).waitFor();
  await page.locator('.explorer-folders-view').click();
  await quickOpen('fixes.mtype');
  await waitForText(/machine fx-whitelist/);
  await page.locator('#status\\.editor\\.mode', { hasText: 'Machine type' }).waitFor();
});

test('the grammar colours keywords, whitelisted and masked bits differently', async () => {
  // One snapshot of the rendered tokens at a time, until it is consistent: tokenization and then semantic tokens
  // (which recolour the bits) arrive after the text.
  const snapshot = async () => {
    const all = (await tokens()).sort((a, b) => a.y - b.y || a.x - b.x);
    const color = (text, nth = 0) => all.filter((t) => t.trimmed === text)[nth]?.color;
    const plain = await page.evaluate((sel) => getComputedStyle(document.querySelector(`${sel} .view-lines`)).color, EDITOR);
    return {
      keyword: color('cpuid'), keyword2: color('qemu', 1),
      whitelist: color('kvmclock'), whitelist2: color('kvm-nopiodelay'),
      mask: color('kvm-steal-time'), plain,
    };
  };
  const consistent = (c) => c.keyword && c.whitelist && c.mask
    && new Set([c.keyword, c.whitelist, c.mask, c.plain]).size === 4
    && c.keyword2 === c.keyword && c.whitelist2 === c.whitelist;
  let seen = await snapshot();
  const deadline = Date.now() + STEP_TIMEOUT;
  while (!consistent(seen) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 200));
    seen = await snapshot();
  }
  log('token colours', JSON.stringify(seen));
  assert.ok(seen.keyword && seen.whitelist && seen.mask, 'cpuid, kvmclock and kvm-steal-time are rendered');
  assert.notEqual(seen.keyword, seen.whitelist, 'keyword vs whitelisted bit');
  assert.notEqual(seen.keyword, seen.mask, 'keyword vs masked bit');
  assert.notEqual(seen.whitelist, seen.mask, 'whitelisted vs masked bit');
  for (const role of ['keyword', 'whitelist', 'mask']) assert.notEqual(seen[role], seen.plain, `${role}: not the editor's plain foreground`);
  // the same role has the same colour elsewhere
  assert.equal(seen.keyword2, seen.keyword, 'qemu is coloured as a keyword too');
  assert.equal(seen.whitelist2, seen.whitelist, 'another whitelisted bit, the same colour');
  await shot('1-colours');
});

test('a diagnostic shows as a squiggle and in the Problems panel with its code', async () => {
  await page.locator(`${EDITOR} .squiggly-error`).first().waitFor();
  await page.locator(`${EDITOR} .squiggly-info`).first().waitFor();
  await page.keyboard.press('Control+Shift+M');
  const mt300 = problemRows().filter({ hasText: 'MT300' });
  await mt300.first().waitFor();
  const text = await mt300.first().innerText();
  assert.match(text, /fx-mask whitelists kvm-pv-eoi/);
  assert.match(text, /mtype\s*\(?MT300\)?/); // rendered as "mtype(MT300)", or "mtype" and "MT300" in two cells
  assert.match(text, /Ln 11, Col 5/);
  await problemRows().filter({ hasText: 'MT302' }).first().waitFor();
  // (MT400 is a hint: VS Code shows hints in the editor only, not in the Problems panel)
  await shot('2-problems');
});

test('hovering a bit shows the hover card with the knowledge base and the diagnostic', async () => {
  // VS Code asks for code lenses only while the editor has focus (the Problems panel took it): focus the editor,
  // and let the lenses arrive before hovering (they move the lines down; and they belong in the picture)
  await page.keyboard.press('Control+1');
  await page.locator(`${EDITOR} .codelens-decoration`, { hasText: 'Explain' }).first().waitFor();
  const t = await token('kvm-pv-eoi');
  const hover = page.locator('.monaco-hover', { hasText: 'MSR_KVM_PV_EOI_EN' }).first();
  const { x, y } = center(t);
  await page.mouse.move(x, y);
  await hover.waitFor({ state: 'visible' });
  const text = await hover.innerText();
  assert.match(text, /kvm-pv-eoi/);
  assert.match(text, /0x40000001 EAX\[6\]/);
  assert.match(text, /Linux 3\.6/);
  assert.match(text, /MT300/); // the diagnostic's part of the card
  await shot('3-hover');
  await page.mouse.move(1200, 780);
  await page.keyboard.press('Escape');
  await hover.waitFor({ state: 'hidden' });
});

test('quick fix (Ctrl+.) "Mask kvm-pv-eoi" edits the text; the error goes', async () => {
  const item = await quickFixMenu('kvm-pv-eoi', 0, 'Mask kvm-pv-eoi');
  await shot('4-quickfix-mask-menu');
  await item.click();
  await waitForText(/-kvm-pv-eoi/);
  assert.doesNotMatch(await editorText(), /\+kvm-pv-eoi/);
  await page.locator(`${EDITOR} .squiggly-error`).waitFor({ state: 'detached' });
  await problemRows().filter({ hasText: 'MT300' }).waitFor({ state: 'detached' });
  await shot('5-quickfix-mask-applied');
});

test('quick fix (Ctrl+.) "Whitelist all 7 KVM default bits" adds the list; MT302 goes', async () => {
  // MT302's range is fx-whitelist's `qemu 2.12` line: the second `qemu` token on screen
  const item = await quickFixMenu('qemu', 1, 'Whitelist all 7 KVM default bits');
  await shot('6-quickfix-whitelist-menu');
  await item.click();
  await page.keyboard.press('Control+End'); // the new list is longer than the editor is high
  await waitForText(/\+x2apic/);
  await page.locator(`${EDITOR} .squiggly-info`).waitFor({ state: 'detached' });
  await problemRows().filter({ hasText: 'MT302' }).waitFor({ state: 'detached' });
  await page.locator('.markers-panel', { hasText: 'No problems have been detected' }).waitFor(); // MT400 is a hint: not listed
  await shot('7-quickfix-whitelist-applied');
  await page.keyboard.press('Control+S');
  const file = path.join(profile.workspace, 'fixtures/fixes.mtype');
  const end = Date.now() + STEP_TIMEOUT;
  // fx-whitelist's new list is the only place with +kvm-steal-time (fx-mask masks it): wait for the save.
  while (!fs.readFileSync(file, 'utf8').includes('+kvm-steal-time') && Date.now() < end) await new Promise((r) => setTimeout(r, 100));
  const saved = fs.readFileSync(file, 'utf8');
  assert.match(saved, /-kvm-pv-eoi/);
  assert.match(saved, /\+x2apic/);
});

test('quick fix, then the code lens: "Explain" opens the explanation, no error', async () => {
  // The sequence of issue 15: the quick fix above replaced the lens list while fx-mask's lens was out of view
  // (Ctrl+End); scrolling back and clicking "Explain" at once used to run a released command
  // ("Actual command not found, wanted to execute mtype.explainMachine /N").
  await page.keyboard.press('Control+Home'); // back to fx-mask, the first machine
  const lenses = page.locator(`${EDITOR} .codelens-decoration`);
  const explain = lenses.first().locator('a', { hasText: 'Explain' });
  await explain.waitFor();
  const first = await lenses.first().innerText();
  assert.match(first, /\d+ bits · \d+ MSRs \(\d+ unmigrated\) · host ≥ 3\.2/);
  await shot('8-codelens');
  await explain.click(); // once: a click that does nothing is the bug
  await assertNoErrorNotification('after clicking "Explain"');
  // the explanation opens as a read-only Markdown preview (mtype-explain:/fx-mask.md), rendered
  await page.locator('.tabs-container .tab.active', { hasText: 'fx-mask' }).first().waitFor();
  const rendered = async () => {
    for (const frame of page.frames()) {
      const h1 = await frame.locator('h1', { hasText: 'fx-mask' }).count().catch(() => 0);
      if (h1) return true;
    }
    return false;
  };
  const end = Date.now() + STEP_TIMEOUT;
  while (!(await rendered())) {
    assert.ok(Date.now() < end, 'the Markdown preview renders the explanation of fx-mask');
    await new Promise((r) => setTimeout(r, 200));
  }
  await shot('9-explain');
  await assertNoErrorNotification('with the explanation open');
});

test('the language status shows the last check and the KB version; "Configure" edits the host kernel floor and a severity', async () => {
  await page.locator('.tabs-container .tab', { hasText: 'fixes.mtype' }).first().click();
  await page.locator('.tabs-container .tab.active', { hasText: 'fixes.mtype' }).waitFor();
  await page.locator('#status\\.languageStatus').click();
  const hover = page.locator('.monaco-hover', { hasText: /KB [0-9a-f]{12}/ }).first();
  await hover.waitFor();
  const text = await hover.innerText();
  assert.match(text, /mtype: \d+ machines in \d+ files/);
  assert.match(text, /checked \d{1,2}:\d{2}:\d{2}.* in (< )?[\d.]+ ms/);
  assert.match(text, /QEMU ≤ [\d.]+, Linux ≤ [\d.]+/);
  await shot('10-language-status');

  const settingsFile = path.join(profile.workspace, '.vscode', 'settings.json');
  const settings = () => (fs.existsSync(settingsFile) ? fs.readFileSync(settingsFile, 'utf8') : '');
  const waitForSettings = async (re) => {
    const end = Date.now() + STEP_TIMEOUT;
    while (!re.test(settings())) {
      assert.ok(Date.now() < end, `workspace settings match ${re}: ${settings()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const input = page.locator('.quick-input-widget input');
  const pick = async (label) => {
    const row = page.locator('.quick-input-list .monaco-list-row', { hasText: label }).first();
    await row.waitFor();
    await row.click();
  };

  // the host kernel floor: Configure -> "Host kernel floor" -> an input box
  await hover.locator('a', { hasText: 'Configure' }).first().click();
  await pick('Host kernel floor');
  await page.locator('.quick-input-widget', { hasText: 'oldest host kernel' }).waitFor();
  await input.fill('4.19');
  await shot('11-configure-floor');
  await page.keyboard.press('Enter');
  await waitForSettings(/"mtype\.hostKernelFloor":\s*"4\.19"/);

  // a severity: Configure -> "Severity of a diagnostic code" -> MT400 -> off (from the command palette this time)
  await page.keyboard.press('Control+Shift+P');
  await input.waitFor({ state: 'visible' });
  await input.fill('>mtype: Configure');
  await pick('Configure mtype');
  await pick('Severity of a diagnostic code');
  await page.locator('.quick-input-widget', { hasText: 'severity of which code' }).waitFor();
  await input.fill('MT400');
  await pick('MT400');
  await page.locator('.quick-input-widget', { hasText: 'severity of MT400' }).waitFor();
  await pick('off');
  await waitForSettings(/"mtype\.severity":\s*\{\s*"MT400":\s*"off"\s*\}/);
});
