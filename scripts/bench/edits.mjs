// Edit → diagnostics over the real server (stdio), as an editor sees it, for one file:
// typing (a character into a feature name, then deleted), Enter (a line break after a
// statement, then joined back: every line below moves) and paste (a 6-line block into a
// machine, then removed). Push mode waits for the publishDiagnostics of the edit's
// version; pull mode sends textDocument/diagnostic right after didChange, as VS Code
// does, with the previous result id. Reports latency p50/p95, the server's CPU per edit
// (mtype/benchStats, MTYPE_BENCH=1), the bytes of the answering message, and RSS.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { rng } from './generate.mjs';
import { LspClient, rssMb } from './lsp-client.mjs';

export const percentile = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
};

/** Places in a file to edit at: feature names, statement line ends inside machines, machine bodies. */
export function editSites(text) {
  const lines = text.split('\n');
  const features = [];
  const statementEnds = [];
  lines.forEach((line, i) => {
    const edit = /^(\s*)([+-])([A-Za-z0-9_][A-Za-z0-9_.-]*)/.exec(line);
    if (edit) features.push({ line: i, character: edit[1].length + 1, length: edit[3].length });
    if (/^ {2}(qemu|description|host-kernel) /.test(line)) statementEnds.push({ line: i, character: line.length });
  });
  return { features, statementEnds };
}

const PASTE = ['  # pasted from another machine', '  cpuid {', '    +x2apic', '    +tsc-deadline', '  }', '  compat virtio-net-pci.mq = off'];

/** The edit pairs of one kind: each is [do, undo] content changes. */
export function editPairs(kind, sites, r) {
  switch (kind) {
    case 'typing': {
      const f = r.pick(sites.features);
      const at = { line: f.line, character: f.character + r.int(0, f.length) };
      return [{ range: { start: at, end: at }, text: r.pick(['x', 'e', '1', '_']) }, { range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' }];
    }
    case 'enter': {
      const at = r.pick(sites.statementEnds);
      return [{ range: { start: at, end: at }, text: '\n  ' }, { range: { start: at, end: { line: at.line + 1, character: 2 } }, text: '' }];
    }
    case 'paste': {
      const at = r.pick(sites.statementEnds);
      const text = '\n' + PASTE.join('\n');
      return [{ range: { start: at, end: at }, text }, { range: { start: at, end: { line: at.line + PASTE.length, character: PASTE.at(-1).length } }, text: '' }];
    }
    default:
      throw new Error(`unknown edit kind ${kind}`);
  }
}

const CAPABILITIES = {
  push: { textDocument: { synchronization: { didSave: false }, publishDiagnostics: { versionSupport: true } }, workspace: { workspaceFolders: true } },
  pull: { textDocument: { synchronization: { didSave: false }, diagnostic: { dynamicRegistration: false } }, workspace: { workspaceFolders: true, diagnostics: { refreshSupport: true } } },
};

/** Starts a server on `path` (open, first diagnostics received) and returns a session to edit it. */
export async function openSession({ server, path, text, mode, env = {}, nodeArgs = [] }) {
  const client = new LspClient(server, { MTYPE_BENCH: '1', ...env }, nodeArgs);
  const uri = pathToFileURL(path).href;
  await client.request('initialize', { processId: process.pid, rootUri: null, capabilities: CAPABILITIES[mode], workspaceFolders: null });
  client.notify('initialized', {});
  let refreshes = 0;
  client.onServerRequest = (method) => method === 'workspace/diagnostic/refresh' && refreshes++;
  let waiting;
  client.onNotification = (method, params, at, bytes) => {
    if (method !== 'textDocument/publishDiagnostics' || params.uri !== uri || !waiting || params.version < waiting.version) return;
    const w = waiting;
    waiting = undefined;
    w.resolve({ at, bytes, count: params.diagnostics.length });
  };
  let version = 1;
  let resultId;
  /** Sends changes (or opens the document) and resolves with { ms, bytes, count } of the answer. */
  const send = async (changes) => {
    const pushed = mode === 'push' ? new Promise((resolve) => (waiting = { version, resolve })) : undefined;
    const t0 = performance.now();
    if (changes) client.notify('textDocument/didChange', { textDocument: { uri, version }, contentChanges: changes });
    else client.notify('textDocument/didOpen', { textDocument: { uri, languageId: 'mtype', version, text } });
    if (pushed) {
      const got = await pushed;
      return { ms: got.at - t0, bytes: got.bytes, count: got.count };
    }
    const r = await client.request('textDocument/diagnostic', { textDocument: { uri }, previousResultId: resultId });
    resultId = r.result.resultId;
    return { ms: r.at - t0, bytes: r.bytes, count: r.result.items?.length, unchanged: r.result.kind === 'unchanged' };
  };
  const opened = await send(undefined);
  // The server's own figures (MTYPE_BENCH=1); a server without the request (an older
  // build, for before/after runs) gets its CPU time from /proc/PID/stat instead.
  const stats = async (gc = false) => {
    try {
      return (await client.request('mtype/benchStats', { gc })).result;
    } catch {
      const fields = readFileSync(`/proc/${client.pid}/stat`, 'utf8').split(') ')[1].split(' ');
      const tick = 1000 / 100; // USER_HZ
      return { cpuUserMs: Number(fields[11]) * tick, cpuSystemMs: Number(fields[12]) * tick, heapUsed: NaN };
    }
  };
  return {
    client,
    opened,
    stats,
    refreshes: () => refreshes,
    async edit(changes) {
      version++;
      return send(changes);
    },
    stop: () => client.stop(),
  };
}

/** `pairs` do/undo pairs of one kind; latency, CPU per edit, bytes per answer, RSS. */
export async function editBench({ server, path, text, mode, kind, pairs = 50, seed = 1234, env = {}, nodeArgs = [] }) {
  const session = await openSession({ server, path, text, mode, env, nodeArgs });
  const sites = editSites(text);
  const r = rng(seed);
  const latencies = [];
  const bytes = [];
  let unchanged = 0;
  // Warm-up: a few pairs not counted.
  for (let i = 0; i < 5; i++) for (const change of editPairs(kind, sites, r)) await session.edit([change]);
  const before = await session.stats();
  const refreshesBefore = session.refreshes();
  for (let i = 0; i < pairs; i++) {
    for (const change of editPairs(kind, sites, r)) {
      const got = await session.edit([change]);
      latencies.push(got.ms);
      bytes.push(got.bytes);
      if (got.unchanged) unchanged++;
    }
  }
  const after = await session.stats();
  const edits = pairs * 2;
  const result = {
    mode,
    kind,
    edits,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    cpuMsPerEdit: (after.cpuUserMs + after.cpuSystemMs - before.cpuUserMs - before.cpuSystemMs) / edits,
    bytesP50: percentile(bytes, 50),
    bytesMax: Math.max(...bytes),
    unchanged,
    refreshes: session.refreshes() - refreshesBefore,
    diagnostics: session.opened.count,
    rssMb: await rssMb(session.client.pid),
  };
  await session.stop();
  return result;
}

/**
 * RSS (VmRSS) every `every` edits over `edits` typing edits (push, no debounce), after
 * `warmup` edits; with each point the live heap: V8's heap used right after a full GC
 * (the server runs with --expose-gc for that), which shows whether anything is retained.
 */
export async function rssCurve({ server, path, text, edits = 10000, every = 1000, warmup = 1000, log = () => {}, env = {} }) {
  const session = await openSession({ server, path, text, mode: 'push', env: { MTYPE_DEBOUNCE_MS: '0', ...env }, nodeArgs: ['--expose-gc'] });
  const sites = editSites(text);
  const r = rng(99);
  const point = async (edits) => {
    const rss = await rssMb(session.client.pid); // before the GC below, as the system sees it
    return { edits, rssMb: rss, heapMb: (await session.stats(true)).heapUsed / 2 ** 20 };
  };
  const curve = [await point(0)];
  let done = 0;
  while (done < warmup + edits) {
    for (const change of editPairs('typing', sites, r)) {
      await session.edit([change]);
      done++;
    }
    if (done % every === 0) {
      const p = await point(done);
      curve.push(p);
      log(`rss after ${p.edits} edits: ${p.rssMb.toFixed(0)} MB (live heap ${p.heapMb.toFixed(0)} MB)`);
    }
  }
  await session.stop();
  const steady = curve.filter((p) => p.edits >= warmup);
  const min = Math.min(...steady.map((p) => p.rssMb));
  const max = Math.max(...steady.map((p) => p.rssMb));
  // Flat = within ±10 % of the middle of its range after warm-up.
  return { curve, warmup, edits, steadyMinMb: min, steadyMaxMb: max, flat: (max - min) / ((max + min) / 2) <= 0.2 };
}
