/**
 * Faults while the workspace is indexed, against the real server over stdio: files deleted, renamed or replaced
 * by a folder after the walk listed them, unreadable files and symlink loops give a line in the server log (the
 * client's output channel) and no crash; a 10,000-file workspace is indexed in slices, so requests are answered
 * meanwhile, with window/workDoneProgress begin/report/end.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { fileProblem } from '../../server/src/lsp/files';
import { TestClient, type LspDiagnostic } from './helpers/lsp-client';

const FILES = 10_000;
const root = mkdtempSync(join(tmpdir(), 'mtype-faults-'));
const name = (i: number) => `ws-${String(i).padStart(5, '0')}`;
// The walk reads a folder's files in name order after listing it: the zz-* files are read last, seconds after
// the listing, which is when the test breaks them.
const victims = {
  deleted: join(root, 'zz-deleted.mtype'),
  renamed: join(root, 'zz-renamed.mtype'),
  replaced: join(root, 'zz-replaced.mtype'),
  unreadable: join(root, 'zz-unreadable.mtype'),
};
const canMakeUnreadable = process.getuid?.() !== 0; // root reads a file of mode 000 anyway

interface Progress {
  token: string | number;
  value: { kind: 'begin' | 'report' | 'end'; title?: string; message?: string };
}

const client = new TestClient();
const logs: Array<{ type: number; message: string }> = [];
const progress: Array<Progress & { at: number }> = [];
let seq = 0;
let onEnd: () => void;
let onReport: () => void;
const ended = new Promise<void>((resolve) => (onEnd = resolve));
const firstReport = new Promise<void>((resolve) => (onReport = resolve));
client.connection.onNotification('$/progress', (p: Progress) => {
  progress.push({ ...p, at: ++seq });
  if (p.value.kind === 'report') onReport();
  if (p.value.kind === 'end') onEnd();
});
client.connection.onNotification('window/logMessage', (p: { type: number; message: string }) => logs.push(p));

before(() => {
  for (let i = 0; i < FILES; i++) writeFileSync(join(root, `${name(i)}.mtype`), `machine ${name(i)} {\n  qemu 2.0\n  accel tcg\n  cpu qemu64\n}\n`);
  for (const [what, path] of Object.entries(victims)) writeFileSync(path, `machine zz-${what} {\n  qemu 2.0\n  accel tcg\n}\n`);
  symlinkSync(root, join(root, 'zz-loop'), 'dir'); // a folder link to its own parent
  symlinkSync(join(root, 'zz-self'), join(root, 'zz-self')); // a link to itself: ELOOP
});

after(async () => {
  await client.stop();
  rmSync(root, { recursive: true, force: true });
});

const child = pathToFileURL(join(root, 'child.mtype')).href;
const childText = `machine child extends ${name(FILES - 1)} {\n  host-kernel >= 4.19\n}\n`;

test('a 10,000-file workspace: requests are answered while it is indexed, progress begins, reports and ends', async () => {
  await client.initialize(root, { window: { workDoneProgress: true } });
  client.open(child, childText);
  await firstReport;

  // break the files the walk listed but has not read yet
  unlinkSync(victims.deleted);
  renameSync(victims.renamed, join(root, 'zz-renamed-later.mtype'));
  unlinkSync(victims.replaced);
  mkdirSync(victims.replaced);
  if (canMakeUnreadable) chmodSync(victims.unreadable, 0o000);

  // the server answers now, while the index is still being built
  const status = await client.request<{ indexing: boolean; files: number }>('mtype/status', {});
  const symbols = await client.request<unknown[]>('textDocument/documentSymbol', { textDocument: { uri: child } });
  const hover = await client.request<unknown>('textDocument/hover', { textDocument: { uri: child }, position: { line: 1, character: 4 } });
  const answeredAt = seq;
  assert.equal(status.indexing, true, 'mtype/status says the index is being built');
  assert.ok(status.files < FILES, `only part of the workspace is indexed yet (${status.files} files)`);
  assert.equal(symbols.length, 1, 'document symbols of the open file');
  assert.ok(hover, 'a hover on host-kernel');
  assert.ok(!progress.some((p) => p.value.kind === 'end' && p.at <= answeredAt), 'all three answered before the progress ended');

  await ended;
  const kinds = progress.map((p) => p.value.kind);
  assert.equal(kinds[0], 'begin');
  assert.equal(kinds.at(-1), 'end');
  assert.ok(kinds.filter((k) => k === 'report').length >= 2, `reports while indexing: ${kinds.length}`);
  assert.equal(new Set(progress.map((p) => p.token)).size, 1, 'one token for the whole index');
  assert.match(progress[0].value.title ?? '', /indexing/);

  const done = await client.request<{ indexing: boolean; files: number }>('mtype/status', {});
  assert.equal(done.indexing, false);
  // every readable file, the open child, and (as root) the file of mode 000
  assert.equal(done.files, FILES + 1 + (canMakeUnreadable ? 0 : 1));
});

test('the open document was checked against the whole index: no false "unknown base" on the way', async () => {
  const first = await client.diagnostics(child, () => true);
  assert.ok(!first.some((d: LspDiagnostic) => d.code === 'MT111'), `first publish: ${JSON.stringify(first.map((d) => d.code))}`);
  const symbols = await client.request<Array<{ name: string }>>('workspace/symbol', { query: name(FILES - 1) });
  assert.ok(symbols.some((s) => s.name === name(FILES - 1)), 'the last file of the walk is indexed');
});

test('each fault is a clear line in the server log, and the server keeps answering', () => {
  const text = logs.map((l) => l.message);
  const line = (re: RegExp) => text.find((m) => re.test(m));
  assert.ok(line(/zz-deleted\.mtype was deleted or renamed while mtype indexed the workspace; skipped/), text.slice(-12).join('\n'));
  assert.ok(line(/zz-renamed\.mtype was deleted or renamed while mtype indexed the workspace; skipped/));
  assert.ok(line(/zz-replaced\.mtype is a folder now, not a file/));
  if (canMakeUnreadable) assert.ok(line(/cannot read .*zz-unreadable\.mtype: permission denied/));
  assert.ok(line(/zz-loop is a symlink loop \(it points to .*, a folder that contains it\); not followed/));
  assert.ok(line(/zz-self is a symlink loop; not followed/));
  assert.ok(line(/indexed \d+ \.mtype files in \d+ ms/));
  // warnings (type 2) for the faults, not errors: nothing crashed
  assert.ok(!logs.some((l) => l.type === 1), logs.filter((l) => l.type === 1).map((l) => l.message).join('\n'));
});

test('an unreadable file as a plain user: permission denied in the log', { skip: canMakeUnreadable ? false : 'running as root: mode 000 does not stop root' }, () => {
  assert.ok(logs.some((l) => /cannot read .*zz-unreadable\.mtype: permission denied \(EACCES\)/.test(l.message)));
});

test('fileProblem names the path and the cause for each file-system error the walk can meet', () => {
  const err = (code: string) => Object.assign(new Error(`${code}: something`), { code });
  assert.match(fileProblem('/w/a.mtype', err('EACCES')), /^cannot read \/w\/a\.mtype: permission denied \(EACCES\); skipped$/);
  assert.match(fileProblem('/w/a.mtype', err('EPERM')), /permission denied \(EPERM\)/);
  assert.match(fileProblem('/w/a.mtype', err('ENOENT')), /deleted or renamed/);
  assert.match(fileProblem('/w/a.mtype', err('EISDIR')), /is a folder now/);
  assert.match(fileProblem('/w/sub', err('ENOTDIR')), /no longer a folder/);
  assert.match(fileProblem('/w/l', err('ELOOP')), /symlink loop/);
  assert.match(fileProblem('/w/a.mtype', err('EIO')), /^cannot read \/w\/a\.mtype: EIO EIO: something; skipped$/);
});
