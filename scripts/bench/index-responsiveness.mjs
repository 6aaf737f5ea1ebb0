#!/usr/bin/env node
// How responsive the server stays while it indexes a 10,000-file workspace: hover on an open document every
// 20 ms from `initialized` until the index's window/workDoneProgress ends; prints the time to the initialize
// answer, the index time, and hover latency (p50, p95, max) during the index.
//   node scripts/bench/index-responsiveness.mjs [--files 10000] [--server server/out/server.js]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { performance } from 'node:perf_hooks';
import { LspClient } from './lsp-client.mjs';

const { values: opt } = parseArgs({ options: { files: { type: 'string', default: '10000' }, server: { type: 'string', default: 'server/out/server.js' } } });
const FILES = Number(opt.files);
const dir = mkdtempSync(join(tmpdir(), 'mtype-bench-index-'));
for (let i = 0; i < FILES; i++) {
  const base = i ? ` extends ws-${i - 1}` : '';
  writeFileSync(join(dir, `ws-${String(i).padStart(5, '0')}.mtype`), `machine ws-${i}${i % 50 ? base : ''} {\n  qemu 2.12\n  accel kvm\n  host-kernel >= 4.19\n  cpu qemu64\n  cpuid {\n    +x2apic\n  }\n}\n`);
}
const client = new LspClient(resolve(opt.server));
let ended;
const done = new Promise((r) => (ended = r));
client.onNotification = (method, params, at) => {
  if (method === '$/progress' && params.value.kind === 'end') ended(at);
};
const t0 = performance.now();
const init = await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dir).href, workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'bench' }], capabilities: { window: { workDoneProgress: true } } });
const tInit = init.at - t0;
client.notify('initialized', {});
const uri = pathToFileURL(join(dir, 'open.mtype')).href;
client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'mtype', version: 1, text: 'machine open-one {\n  qemu 2.12\n  cpuid {\n    +x2apic\n  }\n}\n' } });
const latencies = [];
let finished = false;
void done.then(() => (finished = true));
const timeout = setTimeout(() => (finished = true), 120_000);
while (!finished) {
  const sent = performance.now();
  const r = await client.request('textDocument/hover', { textDocument: { uri }, position: { line: 3, character: 6 } });
  if (!finished) latencies.push(r.at - sent);
  await new Promise((r) => setTimeout(r, 20));
}
clearTimeout(timeout);
const tEnd = (await Promise.race([done, Promise.resolve(undefined)])) ?? performance.now();
const symbols = await client.request('workspace/symbol', { query: `ws-${FILES - 1}` });
await client.stop();
rmSync(dir, { recursive: true, force: true });
latencies.sort((a, b) => a - b);
const pct = (p) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] : NaN);
console.log(`${FILES} files: initialize answered in ${tInit.toFixed(0)} ms; index done ${(tEnd - t0).toFixed(0)} ms after start`);
console.log(`hover during the index: ${latencies.length} requests, p50 ${pct(50).toFixed(1)} ms, p95 ${pct(95).toFixed(1)} ms, max ${(latencies.at(-1) ?? NaN).toFixed(1)} ms`);
console.log(`workspace/symbol after the index: ${symbols.result.length} match(es) for ws-${FILES - 1}`);
