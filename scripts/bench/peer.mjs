// Side by side with a peer: yaml-language-server 2.0.0 on the same machine types.
// The seeded 10k-line catalogue (generate.mjs, ~500 machines in `extends` chains) is
// written once as .mtype and once as YAML (one mapping per machine, `extends:` kept),
// with a JSON Schema that checks what a schema can: releases, models, accel, feature
// edits (+/- and the KB's feature names), MSR names, compat values. Both servers get
// the same client (lsp-client.mjs), the same typing edits (a character typed into a
// feature name, then deleted) and their default settings (debounce included: what a
// user waits for); edit→diagnostics is timed to the next publishDiagnostics twice: when
// its last byte arrives, and when the client has parsed it (what an editor can show
// then; a client built on vscode-jsonrpc sees a notification only after parsing it, so
// the answer's size counts: ~4 ms per megabyte here).
//
// The peer is not a dependency: install it outside the project, e.g.
//   npm install --prefix /tmp/yamlls yaml-language-server@2.0.0
// and point BENCH_PEER at it (default /tmp/yamlls). Without it the comparison is skipped.
//
// Usage: node scripts/bench/peer.mjs [--pairs N] [--node-args "ARGS"] [--caps basic|vscode] [--family MIN,MAX]   (or `npm run bench -- --peer`)
// --family: the lengths of the catalogue's `extends` chains (default 5,15). QEMU's own chains are
// longer (releases.json: 40 pc-i440fx machine types); 30,50 shows what an edit costs there.
// --caps vscode: the client announces related information and code links, as VS Code does.
// --node-args: Node options for mtype's server only, e.g. "--v8-pool-size=1", which the
// extension passes on a machine with two cores or fewer (client/src/server-launch.mjs).
// PEER_WARMUP=N: uncounted pairs first (default 3; a third line counts them too, as a check that
// times from the first keystroke would: V8 is still compiling the edit path then); PEER_DEBUG=1: every
// latency on stderr.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { bigFile, rng, vocabulary } from './generate.mjs';
import { LspClient, rssMb } from './lsp-client.mjs';
import { percentile } from './edits.mjs';

// Typed-and-deleted pairs not counted (PEER_WARMUP; 3 by default): the first edits after opening run before V8 has optimized the incremental path.
const WARM = Number(process.env.PEER_WARMUP ?? 3);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/** The generated .mtype catalogue as YAML: one top-level mapping per machine. */
export function toYaml(text) {
  const out = ['# The mtype benchmark catalogue as YAML (scripts/bench/peer.mjs).'];
  const lines = text.split('\n');
  let m;
  const flush = () => {
    if (!m) return;
    out.push(`${m.name}:`);
    for (const [k, v] of m.scalars) out.push(`  ${k}: ${v}`);
    if (m.cpuid.length) out.push('  cpuid:', ...m.cpuid.map((e) => `    - "${e}"`));
    if (m.cpuidFor.length) {
      out.push('  cpuid-for:');
      for (const b of m.cpuidFor) out.push(`    - models: [${b.models.join(', ')}]`, `      edits: [${b.edits.map((e) => `"${e}"`).join(', ')}]`);
    }
    if (m.migrate.length) out.push(`  migrate: [${m.migrate.map((x) => `"${x}"`).join(', ')}]`);
    if (m.compat.length) out.push('  compat:', ...m.compat.map(([k, v]) => `    ${k}: "${v.replace(/"/g, '')}"`));
    out.push('');
    m = undefined;
  };
  let block; // 'cpuid' | 'for' | 'migrate'
  for (const raw of lines) {
    const line = raw.replace(/\s+#.*$/, '');
    if (/^\s*#/.test(raw) || !line.trim()) {
      if (!m && raw.startsWith('#')) out.push(raw);
      continue;
    }
    let x;
    if ((x = /^machine (\S+)(?: extends (\S+))? \{$/.exec(line))) {
      flush();
      m = { name: x[1], scalars: x[2] ? [['extends', x[2]]] : [], cpuid: [], cpuidFor: [], migrate: [], compat: [] };
    } else if (line === '}') {
      flush();
    } else if (line === '  }') {
      block = undefined;
    } else if (block === 'cpuid') {
      m.cpuid.push(line.trim());
    } else if (block === 'for') {
      m.cpuidFor.at(-1).edits.push(line.trim());
    } else if (block === 'migrate') {
      m.migrate.push(line.trim());
    } else if (line === '  cpuid {') {
      block = 'cpuid';
    } else if ((x = /^ {2}cpuid for (.+?) \{(.*?)(\})?$/.exec(line))) {
      m.cpuidFor.push({ models: x[1].split(/,\s*/), edits: x[2].trim().split(/\s+/).filter(Boolean) });
      if (!x[3]) block = 'for';
    } else if ((x = /^ {2}cpuid ([+-]\S+)$/.exec(line))) {
      m.cpuid.push(x[1]);
    } else if (line === '  migrate {') {
      block = 'migrate';
    } else if ((x = /^ {2}migrate (.+)$/.exec(line))) {
      m.migrate.push(...x[1].split(/\s+/));
    } else if ((x = /^ {2}compat (\S+) = (.+)$/.exec(line))) {
      m.compat.push([x[1], x[2]]);
    } else if ((x = /^ {2}(qemu|host-kernel|cpu|accel|description|deprecated) (.+)$/.exec(line))) {
      m.scalars.push([x[1], x[2].startsWith('"') ? x[2] : `"${x[2]}"`]);
    }
  }
  flush();
  return out.join('\n') + '\n';
}

/** A JSON Schema for the YAML catalogue, from the same KB vocabulary. */
export function schemaFor(v) {
  const features = [...new Set([...v.features.map((f) => f.name), ...v.aliases])];
  const edit = { type: 'string', enum: features.flatMap((f) => [`+${f}`, `-${f}`]) };
  const machine = {
    type: 'object',
    additionalProperties: false,
    properties: {
      extends: { type: 'string' },
      qemu: { enum: v.versions },
      'host-kernel': { type: 'string', pattern: '^(>=|<=|<|>|=)?\\s*\\d+(\\.\\d+)*$' },
      cpu: { enum: [...new Set(v.models.flatMap((m) => [m.name, m.family]))] },
      accel: { enum: ['kvm', 'tcg'] },
      description: { type: 'string' },
      deprecated: { type: 'string' },
      cpuid: { type: 'array', items: edit },
      'cpuid-for': { type: 'array', items: { type: 'object', additionalProperties: false, required: ['models', 'edits'], properties: { models: { type: 'array', items: { type: 'string' } }, edits: { type: 'array', items: edit } } } },
      migrate: { type: 'array', items: { enum: [...v.stateMsrs.map((s) => s.name), ...v.stateMsrs.map((s) => s.index)] } },
      compat: { type: 'object', additionalProperties: { type: 'string' } },
    },
  };
  return { $schema: 'http://json-schema.org/draft-07/schema#', type: 'object', additionalProperties: machine };
}

function featureSites(text) {
  const sites = [];
  text.split('\n').forEach((line, i) => {
    const x = /^(\s*(?:- ")?)([+-])([A-Za-z0-9_][A-Za-z0-9_.-]*)/.exec(line);
    if (x) sites.push({ line: i, character: x[1].length + 1, length: x[3].length });
  });
  return sites;
}

/** Opens `text` on a server and times `pairs` typed-and-deleted characters to the next publish. */
/**
 * What the client announces for diagnostics. `basic`: versions only (no related information,
 * no code links); `vscode`: what VS Code announces, which makes mtype's answer nearly twice as large.
 */
const DIAGNOSTIC_CAPABILITIES = {
  basic: { versionSupport: true },
  vscode: { versionSupport: true, relatedInformation: true, codeDescriptionSupport: true, tagSupport: { valueSet: [1, 2] }, dataSupport: true },
};

async function typingLatency({ command, env, nodeArgs = [], path, text, languageId, settings, pairs, caps = 'basic' }) {
  const client = new LspClient(command, env, nodeArgs);
  client.settings = settings;
  const uri = pathToFileURL(path).href;
  await client.request('initialize', { processId: process.pid, rootUri: pathToFileURL(dirname(path)).href, capabilities: { textDocument: { publishDiagnostics: DIAGNOSTIC_CAPABILITIES[caps] } }, workspaceFolders: [{ uri: pathToFileURL(dirname(path)).href, name: 'peer' }] });
  client.notify('initialized', {});
  if (settings) client.notify('workspace/didChangeConfiguration', { settings });
  let waiting;
  client.onNotification = (method, params, at) => {
    if (method === 'textDocument/publishDiagnostics' && params.uri === uri && waiting) {
      const w = waiting;
      waiting = undefined;
      w({ at, parsed: performance.now(), count: params.diagnostics.length });
    }
  };
  const next = () => new Promise((r) => (waiting = r));
  let pending = next();
  client.notify('textDocument/didOpen', { textDocument: { uri, languageId, version: 1, text } });
  const opened = await pending;
  const sites = featureSites(text);
  const r = rng(4321);
  const latencies = [];
  const parsedLatencies = [];
  // Every edit, the first pairs too: what a check that counts from the first keystroke sees.
  const all = { arrival: [], parsed: [] };
  let version = 1;
  for (let i = 0; i < pairs + WARM; i++) {
    const f = r.pick(sites);
    const at = { line: f.line, character: f.character + r.int(0, f.length) };
    for (const change of [{ range: { start: at, end: at }, text: 'x' }, { range: { start: at, end: { line: at.line, character: at.character + 1 } }, text: '' }]) {
      pending = next();
      const t0 = performance.now();
      client.notify('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [change] });
      const got = await pending;
      all.arrival.push(got.at - t0);
      all.parsed.push(got.parsed - t0);
      if (i >= WARM) {
        // The first pairs warm up.
        latencies.push(got.at - t0);
        parsedLatencies.push(got.parsed - t0);
      }
    }
  }
  if (process.env.PEER_DEBUG) console.error(command.includes('yaml') ? 'peer' : 'mtype', latencies.map((x) => x.toFixed(0)).join(' '), '| parsed', parsedLatencies.map((x) => x.toFixed(0)).join(' '));
  const parsed = { p50: percentile(parsedLatencies, 50), p95: percentile(parsedLatencies, 95) };
  const fromFirst = { p95: percentile(all.arrival, 95), parsedP95: percentile(all.parsed, 95) };
  const result = { p50: percentile(latencies, 50), p95: percentile(latencies, 95), parsed, fromFirst, diagnostics: opened.count, rssMb: await rssMb(client.pid) };
  await client.stop();
  return result;
}

/** The peer's server script, or undefined when it is not installed. */
export function peerServer(prefix = process.env.BENCH_PEER ?? '/tmp/yamlls') {
  const bin = join(prefix, 'node_modules/yaml-language-server/bin/yaml-language-server');
  return existsSync(bin) ? bin : undefined;
}

export async function comparePeer({ vocab, pairs = 25, nodeArgs = [], caps = 'basic', family = [5, 15], log = () => {} }) {
  const peer = peerServer();
  if (!peer) return { skipped: 'skipped: yaml-language-server not found (npm install --prefix /tmp/yamlls yaml-language-server@2.0.0, or set BENCH_PEER)' };
  const dir = mkdtempSync(join(tmpdir(), 'mtype-peer-'));
  try {
    const big = bigFile(vocab, { seed: 42, lines: 10000, family });
    const yaml = toYaml(big.text);
    writeFileSync(join(dir, 'catalogue.mtype'), big.text);
    writeFileSync(join(dir, 'catalogue.yaml'), yaml);
    writeFileSync(join(dir, 'machine-types.schema.json'), JSON.stringify(schemaFor(vocab)));
    const schemaUri = pathToFileURL(join(dir, 'machine-types.schema.json')).href;
    log(`peer: ${big.machines} machine types in families of ${family[0]}–${family[1]}, ${yaml.split('\n').length} YAML lines; ${pairs * 2} typing edits per server…`);
    const mtype = await typingLatency({ command: join(ROOT, 'server/out/server.js'), env: {}, nodeArgs, path: join(dir, 'catalogue.mtype'), text: big.text, languageId: 'mtype', pairs, caps });
    const yamlResult = await typingLatency({
      command: peer,
      env: {},
      path: join(dir, 'catalogue.yaml'),
      text: yaml,
      languageId: 'yaml',
      settings: { yaml: { validate: true, schemas: { [schemaUri]: ['*.yaml'] }, schemaStore: { enable: false } } },
      pairs,
      caps,
    });
    const fromFirst = { ratio: yamlResult.fromFirst.p95 / mtype.fromFirst.p95, parsedRatio: yamlResult.fromFirst.parsedP95 / mtype.fromFirst.parsedP95 };
    return { machines: big.machines, yamlLines: yaml.split('\n').length, mtype, yaml: yamlResult, ratio: yamlResult.p95 / mtype.p95, parsedRatio: yamlResult.parsed.p95 / mtype.parsed.p95, fromFirst };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  process.chdir(ROOT);
  const args = process.argv.slice(2);
  const pairs = args.includes('--pairs') ? Number(args[args.indexOf('--pairs') + 1]) : 25;
  const nodeArgs = args.includes('--node-args') ? args[args.indexOf('--node-args') + 1].split(' ').filter(Boolean) : [];
  const caps = args.includes('--caps') ? args[args.indexOf('--caps') + 1] : 'basic';
  const familyArg = args.includes('--family') ? args[args.indexOf('--family') + 1] ?? '' : '5,15';
  const family = familyArg.split(',').map(Number);
  if (family.length !== 2 || !family.every((n) => Number.isInteger(n) && n >= 1) || family[0] > family[1]) {
    console.error(`peer.mjs: --family takes MIN,MAX (chain lengths, 1 <= MIN <= MAX), not '${familyArg}'`);
    process.exit(2);
  }
  if (!(caps in DIAGNOSTIC_CAPABILITIES)) {
    console.error(`peer.mjs: --caps takes basic or vscode, not '${caps}'`);
    process.exit(2);
  }
  const kbAll = JSON.parse(execFileSync(process.execPath, ['server/out/cli.js', 'kb', '--all', '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 << 20 }));
  const releases = JSON.parse(readFileSync('server/src/kb/data/releases.json', 'utf8')).releases;
  const result = await comparePeer({ vocab: vocabulary(kbAll, releases), pairs, nodeArgs, caps, family, log: (m) => process.stderr.write(`bench: ${m}\n`) });
  if (result.skipped) console.log(result.skipped);
  else {
    console.log(`edit→diagnostics p95 on ${result.machines} machine types: mtype${nodeArgs.length ? ` (node ${nodeArgs.join(' ')})` : ''} ${result.mtype.p95.toFixed(1)} ms (p50 ${result.mtype.p50.toFixed(1)}, ${result.mtype.diagnostics} diagnostics), yaml-language-server ${result.yaml.p95.toFixed(1)} ms (p50 ${result.yaml.p50.toFixed(1)}, ${result.yaml.diagnostics} diagnostics): ${result.ratio.toFixed(1)}×`);
    console.log(`  parsed by the client: mtype ${result.mtype.parsed.p95.toFixed(1)} ms (p50 ${result.mtype.parsed.p50.toFixed(1)}), yaml-language-server ${result.yaml.parsed.p95.toFixed(1)} ms (p50 ${result.yaml.parsed.p50.toFixed(1)}): ${result.parsedRatio.toFixed(1)}×`);
    console.log(`  counting the first ${WARM} pairs too: mtype ${result.mtype.fromFirst.p95.toFixed(1)} ms (parsed ${result.mtype.fromFirst.parsedP95.toFixed(1)}), yaml-language-server ${result.yaml.fromFirst.p95.toFixed(1)} ms (parsed ${result.yaml.fromFirst.parsedP95.toFixed(1)}): ${result.fromFirst.ratio.toFixed(1)}× (parsed ${result.fromFirst.parsedRatio.toFixed(1)}×)`);
  }
}
