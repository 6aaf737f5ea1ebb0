// `npm run bench`: generates inputs (fixed seeds), measures the engine in-process and the
// language server over stdio as an editor sees it, and prints a table against the budgets.
//
// Usage: node scripts/bench/run.mjs [--skip-package] [--json FILE] [--profile] [--rss-edits N] [--peer]
//   --skip-package  don't run `npm run package` (uses the bundles and mtype.vsix as they are)
//   --json FILE     also write every figure as JSON
//   --profile       write --cpu-prof profiles of the warm engine run and the didChange server
//                   into the temp directory (printed at the end)
//   --rss-edits N   also type N edits into the 10k-line file (after 1,000 warm-up edits) and
//                   print the server's RSS every 1,000 (10000 for the flat-memory check);
//                   --rss-file realistic types into the realistic 2k-line file instead
//   --peer          also compare with yaml-language-server (scripts/bench/peer.mjs; skipped
//                   with a message when it is not installed)
// Environment: BENCH_WARMUP, BENCH_RUNS (engine warm-up and measured runs; default 20, 31);
// BENCH_PAIRS (do/undo edit pairs per edit kind and mode; default 25).
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, freemem, loadavg, tmpdir, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import { bigFile, deepChain, realisticFile, rng, vocabulary, writeWorkspace } from './generate.mjs';
import { LspClient, rssMb } from './lsp-client.mjs';
import { editBench, rssCurve } from './edits.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
process.chdir(ROOT);
const args = process.argv.slice(2);
const flag = (name) => args.includes(name);
const option = (name) => (args.includes(name) ? args[args.indexOf(name) + 1] : undefined);
const PROFILE = flag('--profile');
const EDITS = 200;
const QUERIES = 200;
const COLD_RUNS = 5;

const log = (msg) => process.stderr.write(`bench: ${msg}\n`);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
};
const nodeJson = (script, ...rest) => {
  const out = execFileSync(process.execPath, [...(PROFILE && rest[0] === 'warm' ? ['--cpu-prof', `--cpu-prof-dir=${tmp}`] : []), script, ...rest], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return JSON.parse(out.trim().split('\n').pop());
};

// ---- machine ---------------------------------------------------------------

function machineInfo() {
  const cpuinfo = existsSync('/proc/cpuinfo') ? readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    nproc: Number(spawnSync('nproc', { encoding: 'utf8' }).stdout.trim()) || cpus().length,
    cpu: /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? cpus()[0]?.model ?? 'unknown',
    memGb: totalmem() / 2 ** 30,
    freeGb: freemem() / 2 ** 30,
    node: process.version,
    date: new Date().toISOString(),
    loadStart: loadavg(),
  };
}

// ---- build -----------------------------------------------------------------

const tmp = mkdtempSync(join(tmpdir(), 'mtype-bench-'));
const info = machineInfo();
log(`temp dir ${tmp}; load ${info.loadStart.map((x) => x.toFixed(2)).join(' ')}`);

let vsixBytes;
if (!flag('--skip-package')) {
  log('npm run package (production bundles + mtype.vsix)…');
  execFileSync('npm', ['run', 'package', '--silent'], { stdio: ['ignore', 'ignore', 'inherit'] });
}
if (existsSync('mtype.vsix')) vsixBytes = statSync('mtype.vsix').size;
const bundles = Object.fromEntries(['client/out/extension.js', 'server/out/server.js', 'server/out/cli.js'].map((f) => [f, statSync(f).size]));

// The engine bench entry, bundled like the shipped bundles (production options).
const engine = join(tmp, 'engine.js');
await esbuild.build({ entryPoints: ['scripts/bench/engine.ts'], outfile: engine, bundle: true, platform: 'node', format: 'cjs', target: 'node20', minify: true, logLevel: 'warning' });

// ---- inputs ----------------------------------------------------------------

const kbAll = JSON.parse(execFileSync(process.execPath, ['server/out/cli.js', 'kb', '--all', '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
const releases = JSON.parse(readFileSync('server/src/kb/data/releases.json', 'utf8')).releases;
const vocab = vocabulary(kbAll, releases);
const big = bigFile(vocab, { seed: 42, lines: 10000 });
const bigPath = join(tmp, 'big.mtype');
writeFileSync(bigPath, big.text);
const bigBytes = Buffer.byteLength(big.text);
// A JSON document of the same byte size (KB records, repeated and trimmed, padded exactly).
const jsonPath = join(tmp, 'same-size.json');
{
  const records = [...kbAll.features, ...kbAll.msrs, ...kbAll.models];
  const items = [];
  let size = 2;
  for (let i = 0; ; i++) {
    const s = JSON.stringify(records[i % records.length]).length + 1;
    if (size + s > bigBytes - 64) break;
    items.push(records[i % records.length]);
    size += s;
  }
  let json = JSON.stringify(items);
  json = json.slice(0, -1) + `,{"pad":"${'x'.repeat(bigBytes - json.length - 11)}"}]`;
  writeFileSync(jsonPath, json);
}
const real = realisticFile(vocab, { seed: 11, lines: 2000 });
const realPath = join(tmp, 'realistic.mtype');
writeFileSync(realPath, real.text);
// One deep `extends` chain (releases.json lists 40 pc-i440fx machine types across QEMU's releases;
// a chain of 300 is far past any family of them): what an edit costs when every machine below it
// must be checked again, and a walk that is quadratic in the depth would show here (two were,
// round 12 of docs/performance.md).
const CHAIN_DEPTH = 300;
const chainText = deepChain(CHAIN_DEPTH);
const chainPath = join(tmp, 'chain.mtype');
writeFileSync(chainPath, chainText);
const wsDir = join(tmp, 'workspace');
const ws = writeWorkspace(vocab, wsDir, { seed: 7, files: 1000, perFile: 4 });
log(`inputs: big.mtype ${big.text.split('\n').length - 1} lines, ${big.machines} machines, ${(bigBytes / 1024).toFixed(0)} KiB; workspace ${ws.files} files, ${ws.machines} machines, ${ws.lines} lines, ${(ws.bytes / 1048576).toFixed(1)} MiB`);

// ---- in-process engine -----------------------------------------------------

log('KB load and cold runs (fresh processes)…');
const kbLoads = [];
const colds = [];
for (let i = 0; i < COLD_RUNS; i++) {
  kbLoads.push(nodeJson(engine, 'kb').kbLoadMs);
  colds.push(nodeJson(engine, 'cold', bigPath));
}
log('warm runs…');
const warm = nodeJson(engine, 'warm', bigPath, jsonPath);
log('in-process workspace indexing…');
const indexRuns = [0, 1, 2].map(() => nodeJson(engine, 'index', wsDir));

// ---- the server over stdio -------------------------------------------------

const SERVER = 'server/out/server.js';
const capabilities = {
  textDocument: { synchronization: { didSave: false }, hover: { contentFormat: ['markdown'] }, completion: { completionItem: { snippetSupport: true } }, publishDiagnostics: { versionSupport: true } },
  workspace: { workspaceFolders: true },
};

async function initialize(client, folders) {
  const r = await client.request('initialize', {
    processId: process.pid,
    rootUri: folders[0] ?? null,
    capabilities,
    workspaceFolders: folders.length ? folders.map((uri) => ({ uri, name: 'bench' })) : null,
  });
  client.notify('initialized', {});
  return r;
}

/** initialize with the 1,000-file folder until the server answers workspace/symbol and documentSymbol. */
async function workspaceIndexing() {
  const client = new LspClient(SERVER);
  const t0 = performance.now();
  const init = await initialize(client, [pathToFileURL(wsDir).href]);
  const tInit = init.at - t0;
  const symbols = await client.request('workspace/symbol', { query: 'ws999' });
  const tSymbols = symbols.at - t0;
  const someFile = pathToFileURL(join(wsDir, 'site07', 'catalogue-507.mtype')).href;
  const docSymbols = await client.request('textDocument/documentSymbol', { textDocument: { uri: someFile } });
  const rss = await rssMb(client.pid);
  await client.stop();
  return { initializeMs: tInit, workspaceSymbolMs: tSymbols, symbols: symbols.result.length, documentSymbols: docSymbols.result.length, rssMb: rss };
}

/** Positions of interest in the big file: feature names in edits, models, bases, line starts in machines. */
function positions(text) {
  const lines = text.split('\n');
  const features = [];
  const models = [];
  const bases = [];
  const keywordLines = [];
  lines.forEach((line, i) => {
    const edit = /^(\s*)([+-])([A-Za-z0-9_][A-Za-z0-9_.-]*)/.exec(line);
    if (edit) features.push({ line: i, character: edit[1].length + 1, length: edit[3].length });
    const cpu = /^\s*cpu (\S+)/.exec(line);
    if (cpu) models.push({ line: i, character: line.indexOf(cpu[1]), length: cpu[1].length });
    const ext = / extends (\S+)/.exec(line);
    if (ext) bases.push({ line: i, character: line.indexOf(ext[1], line.indexOf(' extends ')), length: ext[1].length });
    if (/^ {2}(qemu|host-kernel|description) /.test(line)) keywordLines.push({ line: i, character: 2, length: 0 });
  });
  return { features, models, bases, keywordLines };
}

async function editorSession(debounceEnv, { queries }) {
  const env = debounceEnv === undefined ? {} : { MTYPE_DEBOUNCE_MS: String(debounceEnv) };
  const client = new LspClient(SERVER, env, PROFILE && !queries ? ['--cpu-prof', `--cpu-prof-dir=${tmp}`] : []);
  const uri = pathToFileURL(bigPath).href;
  await initialize(client, []);
  let waiting;
  client.onNotification = (method, params, at) => {
    if (method !== 'textDocument/publishDiagnostics' || params.uri !== uri || !waiting) return;
    if (params.version === undefined || params.version >= waiting.version) {
      const w = waiting;
      waiting = undefined;
      w.resolve({ at, count: params.diagnostics.length, versioned: params.version !== undefined });
    }
  };
  const diagnosticsFor = (version) => new Promise((resolve) => (waiting = { version, resolve }));
  const tOpen = performance.now();
  let pending = diagnosticsFor(1);
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'mtype', version: 1, text: big.text } });
  const opened = await pending;
  const openMs = opened.at - tOpen;

  const pos = positions(big.text);
  const r = rng(1234);
  const latencies = [];
  let version = 1;
  let versioned = true;
  for (let i = 0; i < EDITS / 2; i++) {
    // Type one character into a feature name (usually making it unknown), then delete it.
    const f = r.pick(pos.features);
    const at = { line: f.line, character: f.character + r.int(0, f.length) };
    const ch = r.pick(['x', 'e', '1', '_']);
    for (const change of [
      { range: { start: at, end: at }, text: ch },
      { range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' },
    ]) {
      version++;
      pending = diagnosticsFor(version);
      const t0 = performance.now();
      client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: [change] });
      const got = await pending;
      versioned &&= got.versioned;
      latencies.push(got.at - t0);
    }
  }
  const result = { openMs, p50: percentile(latencies, 50), p95: percentile(latencies, 95), max: Math.max(...latencies), versioned, rssMb: await rssMb(client.pid) };

  if (queries) {
    const hovers = [];
    const completions = [];
    let hoverHits = 0;
    let completionItems = 0;
    const kinds = ['features', 'features', 'models', 'bases'];
    for (let i = 0; i < QUERIES; i++) {
      const p = r.pick(pos[kinds[i % kinds.length]]);
      const position = { line: p.line, character: p.character + r.int(0, Math.max(0, p.length - 1)) };
      const t0 = performance.now();
      const h = await client.request('textDocument/hover', { textDocument: { uri }, position });
      hovers.push(h.at - t0);
      if (h.result) hoverHits++;
    }
    for (let i = 0; i < QUERIES; i++) {
      // Right after '+'/'-' (features), in a partial feature name, after `cpu `, `extends `, at a statement start.
      const kind = ['features', 'features', 'models', 'bases', 'keywordLines'][i % 5];
      const p = r.pick(pos[kind]);
      const position = { line: p.line, character: p.character + (kind === 'features' && i % 2 ? r.int(1, Math.max(1, p.length - 1)) : 0) };
      const t0 = performance.now();
      const c = await client.request('textDocument/completion', { textDocument: { uri }, position });
      completions.push(c.at - t0);
      completionItems += Array.isArray(c.result) ? c.result.length : (c.result?.items?.length ?? 0);
    }
    result.hoverP50 = percentile(hovers, 50);
    result.hoverP95 = percentile(hovers, 95);
    result.hoverHits = hoverHits;
    result.completionP50 = percentile(completions, 50);
    result.completionP95 = percentile(completions, 95);
    result.completionItems = completionItems / QUERIES;
  }
  await client.stop();
  return result;
}

log('server: workspace indexing (3 runs)…');
const indexing = [];
for (let i = 0; i < 3; i++) indexing.push(await workspaceIndexing());
log('server: 200 didChange edits with the default debounce, hover and completion…');
const withDebounce = await editorSession(undefined, { queries: true });
log('server: 200 didChange edits with MTYPE_DEBOUNCE_MS=0…');
const noDebounce = await editorSession(0, { queries: false });
const PAIRS = Number(process.env.BENCH_PAIRS ?? 25);
const workloads = [
  { name: '10k-line file', path: bigPath, text: big.text },
  { name: 'realistic 2k-line file', path: realPath, text: real.text },
];
const edits = [];
for (const w of workloads) {
  for (const mode of ['push', 'pull']) {
    for (const kind of ['typing', 'enter', 'paste']) {
      log(`server: ${w.name}, ${mode}, ${kind}: ${PAIRS * 2} edits…`);
      edits.push({ workload: w.name, ...(await editBench({ server: SERVER, path: w.path, text: w.text, mode, kind, pairs: PAIRS })) });
    }
  }
}
for (const kind of ['typing', 'enter']) {
  const pairs = 10;
  log(`server: a ${CHAIN_DEPTH}-machine chain, push, ${kind}: ${pairs * 2} edits…`);
  edits.push({ workload: `${CHAIN_DEPTH}-machine chain`, ...(await editBench({ server: SERVER, path: chainPath, text: chainText, mode: 'push', kind, pairs })) });
}
const rssEdits = Number(option('--rss-edits') ?? 0);
const rssOn = option('--rss-file') === 'realistic' ? workloads[1] : workloads[0];
if (rssEdits > 0) log(`server: RSS over ${rssEdits} typing edits into the ${rssOn.name}…`);
const rss = rssEdits > 0 ? { file: rssOn.name, ...(await rssCurve({ server: SERVER, path: rssOn.path, text: rssOn.text, edits: rssEdits, log })) } : undefined;
let peer;
if (flag('--peer')) {
  const { comparePeer } = await import('./peer.mjs');
  peer = await comparePeer({ vocab, log });
  // The server as the extension starts it on this machine, when that differs from a bare `node` (client/src/server-launch.mjs).
  const { serverNodeOptions } = await import('../../client/src/server-launch.mjs');
  const nodeArgs = serverNodeOptions();
  if (!peer.skipped && nodeArgs.length) peer.asExtension = { nodeArgs, ...(await comparePeer({ vocab, nodeArgs, log })) };
  // Chains as long as QEMU's own (releases.json: 40 pc-i440fx machine types), where every edit checks the machines below it again.
  if (!peer.skipped) peer.longChains = await comparePeer({ vocab, family: [30, 50], log });
}
const profileNote = PROFILE ? `profiles: ${readdirSync(tmp).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(tmp, f)).join(', ')}` : '';

// ---- activation: what loading the client bundle requires --------------------

const clientLoad = JSON.parse(execFileSync(process.execPath, ['scripts/bench/client-load.cjs', 'client/out/extension.js'], { encoding: 'utf8' }).trim());
const clientText = readFileSync('client/out/extension.js', 'utf8');
const clientNonBuiltin = clientLoad.nonBuiltin;
const clientHasKb = clientText.includes('MSR_KVM_PV_EOI_EN') || clientText.includes('kvmDefaults');
const clientLoadsServer = clientLoad.files.some((f) => /server[\\/]out|kb[\\/]data/.test(f) && !f.endsWith('extension.js'));


// ---- table -----------------------------------------------------------------

const kbLoad = median(kbLoads);
const cold = { kb: median(colds.map((c) => c.kbMs)), parse: median(colds.map((c) => c.parseMs)), full: median(colds.map((c) => c.fullMs)) };
const idx = {
  init: median(indexing.map((x) => x.initializeMs)),
  symbol: median(indexing.map((x) => x.workspaceSymbolMs)),
  rss: median(indexing.map((x) => x.rssMb)),
  inProcess: median(indexRuns.map((x) => x.indexMs)),
  checkAll: median(indexRuns.map((x) => x.checkAllMs)),
};
const MB = bigBytes / 1e6;
const debounceMs = 50; // the adaptive debounce's maximum (lsp/debounce.ts MAX_MS)
const mbps = (ms) => { const x = MB / (ms / 1000); return `${fmt(x, x < 10 ? 1 : 0)} MB/s`; };
const fmt = (x, d = 1) => (x === undefined || Number.isNaN(x) ? 'n/a' : x.toFixed(d));
const rows = [];
const row = (what, value, budget, pass) => rows.push([what, value, budget ?? '', pass === undefined ? '' : pass ? 'PASS' : 'MISS']);

row(`parse, 10k-line file (${(bigBytes / 1024).toFixed(0)} KiB), warm median`, `${fmt(warm.parse.median, 2)} ms (${mbps(warm.parse.median)})`);
row('full check (parse+resolve+checks), warm median', `${fmt(warm.full.median, 2)} ms (${mbps(warm.full.median)})`, '≤ 15 ms', warm.full.median <= 15);
row('  of which checks (resolve+checks+diagnostics)', `${fmt(warm.checkOnly.median, 2)} ms`);
row('parse, cold (fresh process, first run)', `${fmt(cold.parse, 1)} ms (${mbps(cold.parse)})`);
row('full check, cold (fresh process, first run, KB loaded)', `${fmt(cold.full, 1)} ms (${mbps(cold.full)})`);
row('floor: JSON.parse of a same-size JSON file, warm', `${fmt(warm.jsonParse.median, 2)} ms (full check = ${fmt(warm.full.median / warm.jsonParse.median, 1)}× JSON.parse)`);
row('debounce (adaptive, lsp/debounce.ts)', `5–${debounceMs} ms`, '≤ 50 ms', debounceMs <= 50);
row('didChange → publishDiagnostics p50 / p95, with debounce', `${fmt(withDebounce.p50)} / ${fmt(withDebounce.p95)} ms`);
row('didChange → publishDiagnostics p50 / p95, debounce 0', `${fmt(noDebounce.p50)} / ${fmt(noDebounce.p95)} ms`, 'p95 ≤ 30 ms', noDebounce.p95 <= 30);
for (const e of edits) {
  row(
    `edit→diagnostics p50 / p95, ${e.workload}, ${e.mode}, ${e.kind}`,
    `${fmt(e.p50)} / ${fmt(e.p95)} ms; server CPU ${fmt(e.cpuMsPerEdit)} ms/edit; ${fmt(e.bytesP50 / 1024, 0)} KiB/answer${e.mode === 'pull' ? `; ${e.unchanged} unchanged, ${e.refreshes} refreshes` : ''}`,
  );
}
if (rss) {
  row(`server RSS over ${rss.edits} edits after ${rss.warmup} warm-up (${rss.file})`, `${fmt(rss.steadyMinMb, 0)}–${fmt(rss.steadyMaxMb, 0)} MB (${rss.curve.map((p) => fmt(p.rssMb, 0)).join(' ')})`, 'flat ±10 %', rss.flat);
  row('  live heap after a full GC at the same points', `${rss.curve.map((p) => fmt(p.heapMb, 0)).join(' ')} MB`);
}
if (peer) {
  row(peer.skipped ? 'peer: yaml-language-server' : `peer: edit→diagnostics p95, ${peer.machines} machine types (mtype / yaml-language-server)`, peer.skipped ?? `${fmt(peer.mtype.p95)} / ${fmt(peer.yaml.p95)} ms: ${fmt(peer.ratio, 1)}×`, peer.skipped ? '' : '≥ 20×', peer.skipped ? undefined : peer.ratio >= 20);
  if (!peer.skipped) row('  the same, timed when the client has parsed the answer', `${fmt(peer.mtype.parsed.p95)} / ${fmt(peer.yaml.parsed.p95)} ms: ${fmt(peer.parsedRatio, 1)}×`, '≥ 20×', peer.parsedRatio >= 20);
  if (!peer.skipped) row('  the same, counting the first (warm-up) edits too', `${fmt(peer.mtype.fromFirst.p95)} / ${fmt(peer.yaml.fromFirst.p95)} ms: ${fmt(peer.fromFirst.ratio, 1)}× (parsed: ${fmt(peer.fromFirst.parsedRatio, 1)}×)`, '≥ 20×', peer.fromFirst.ratio >= 20);
  const ext = peer.asExtension;
  if (ext) row(`  the same, mtype started as the extension starts it here (node ${ext.nodeArgs.join(' ')})`, `${fmt(ext.mtype.p95)} / ${fmt(ext.yaml.p95)} ms: ${fmt(ext.ratio, 1)}× (parsed: ${fmt(ext.parsedRatio, 1)}×)`, '≥ 20×', ext.ratio >= 20);
  const long = peer.longChains;
  if (long) row(`  the same on extends chains of 30–50 machines (${long.machines} machine types)`, `${fmt(long.mtype.p95)} / ${fmt(long.yaml.p95)} ms: ${fmt(long.ratio, 1)}× (parsed: ${fmt(long.parsedRatio, 1)}×)`, '≥ 20×', long.ratio >= 20);
}
row('hover p50 / p95 (10k-line file)', withDebounce.hoverP95 === undefined ? 'n/a' : `${fmt(withDebounce.hoverP50, 2)} / ${fmt(withDebounce.hoverP95, 2)} ms`, 'p95 ≤ 10 ms', withDebounce.hoverP95 === undefined ? undefined : withDebounce.hoverP95 <= 10);
row('completion p50 / p95 (10k-line file)', withDebounce.completionP95 === undefined ? 'n/a' : `${fmt(withDebounce.completionP50, 2)} / ${fmt(withDebounce.completionP95, 2)} ms`, 'p95 ≤ 10 ms', withDebounce.completionP95 === undefined ? undefined : withDebounce.completionP95 <= 10);
row('workspace indexing over LSP: initialize → workspace/symbol answered', `${fmt(idx.symbol, 0)} ms (initialize answered at ${fmt(idx.init, 0)} ms)`, '≤ 1000 ms', idx.symbol <= 1000);
row('workspace indexing in-process (Project, read+parse+index)', `${fmt(idx.inProcess, 0)} ms`);
row('  (checking all 1,000 files in-process, not done at start-up)', `${fmt(idx.checkAll, 0)} ms`);
row('server RSS after indexing 1,000 files', `${fmt(idx.rss, 0)} MB`, '≤ 100 MB', idx.rss <= 100);
row('server RSS with the 10k-line file open, after 200 edits', `${fmt(withDebounce.rssMb, 0)} MB`);
row('KB load (getKnowledgeBase(), fresh process)', `${fmt(kbLoad, 1)} ms`, '≤ 20 ms', kbLoad <= 20);
for (const [file, size] of Object.entries(bundles)) row(`bundle ${file}`, `${fmt(size / 1024, 0)} KiB`);
row('mtype.vsix', vsixBytes === undefined ? 'n/a' : `${fmt(vsixBytes / 1024, 0)} KiB`, '≤ 1 MB', vsixBytes === undefined ? undefined : vsixBytes <= 1048576);
row(
  'activation: loading client/out/extension.js',
  `${fmt(bundles['client/out/extension.js'] / 1024, 0)} KiB, loads in ${fmt(clientLoad.loadMs, 1)} ms; requires only ${clientLoad.requires.join(', ')}${clientLoadsServer || clientHasKb ? ' — LOADS SERVER/KB' : ''}`,
  'client bundle only',
  !clientLoadsServer && !clientHasKb && clientNonBuiltin.length === 0,
);

info.loadEnd = loadavg();
const width = [0, 1, 2, 3].map((c) => Math.max(...rows.map((r) => r[c].length), ['what', 'measured', 'budget', ''][c].length));
const line = (r) => `| ${r.map((x, i) => x.padEnd(width[i])).join(' | ')} |`;
const out = [
  `mtype bench — ${info.date}`,
  `machine: ${info.nproc} CPUs (${info.cpu}), ${fmt(info.memGb, 1)} GiB RAM, node ${info.node}; load ${info.loadStart.map((x) => x.toFixed(2)).join(' ')} at start, ${info.loadEnd.map((x) => x.toFixed(2)).join(' ')} at end`,
  `inputs: realistic ${real.text.split('\n').length - 1}-line file ${real.machines} machines, ${edits.find((e) => e.workload.startsWith('realistic'))?.diagnostics} diagnostics; 10k-line file ${big.machines} machines, ${warm.diagnostics} diagnostics (${Object.entries(warm.byCode).map(([k, v]) => `${k}×${v}`).join(' ')}); workspace ${ws.files} files / ${ws.machines} machines / ${ws.lines} lines`,
  `warm = median of ${process.env.BENCH_RUNS ?? 31} runs after ${process.env.BENCH_WARMUP ?? 20} warm-up runs; cold = median of ${COLD_RUNS} fresh processes; LSP latencies over ${EDITS} edits / ${QUERIES} requests`,
  '',
  line(['what', 'measured', 'budget', '']),
  line(width.map((w) => '-'.repeat(w))),
  ...rows.map(line),
];
if (profileNote) out.push('', profileNote);
console.log(out.join('\n'));

const json = option('--json');
if (json) writeFileSync(json, JSON.stringify({ info, big: { bytes: bigBytes, machines: big.machines }, ws, kbLoads, colds, warm, indexRuns, indexing, withDebounce, noDebounce, edits, rss, peer, bundles, vsixBytes, clientLoad, rows }, null, 2));
if (!PROFILE && !flag('--keep')) rmSync(tmp, { recursive: true, force: true });
else log(`kept ${tmp}`);

