// Long fuzzing campaigns: npm run fuzz -- [--iterations N] [--seed S] [--cli-every K]
// Builds the engine (test/fuzz/engine.ts) with esbuild, runs it in a worker thread
// with a watchdog, and prints a summary. Exit status 1 when any input failed.
// Failing inputs are written to out/fuzz/failures/ with their seed in the name.
import * as esbuild from 'esbuild';
import { Worker } from 'node:worker_threads';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import os from 'node:os';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const HANG_MS = 1000; // an input slower than this counts as a hang
const KILL_MS = 30_000; // no progress for this long: the worker is stuck, kill it

function option(name, fallback) {
  const argv = process.argv.slice(2);
  const i = argv.findIndex((a) => a === name || a.startsWith(name + '='));
  if (i < 0) return fallback;
  const value = argv[i].includes('=') ? argv[i].split('=')[1] : argv[i + 1];
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) {
    console.error(`fuzz: ${name} needs a non-negative integer, got '${value}'`);
    process.exit(2);
  }
  return n;
}

const iterations = option('--iterations', 10_000);
const seed = option('--seed', 1);
const cliEvery = option('--cli-every', 1000);

if (!existsSync(join(root, 'server/out/cli.js'))) {
  console.error('fuzz: server/out/cli.js is missing; run `npm run build` first');
  process.exit(2);
}
const engine = join(root, 'out/fuzz/engine.js');
await esbuild.build({ // the engine: worker for campaigns, and `node out/fuzz/engine.js --replay` for one input
  entryPoints: [join(root, 'test/fuzz/engine.ts')],
  outfile: engine,
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
});

const stats = { inputs: 0, bytes: 0, totalMs: 0, maxMs: 0, maxIndex: -1, hangs: 0, cliRuns: 0, cliFailures: 0, cliMaxMs: 0 };
const failures = new Map(); // kind -> count
const examples = [];
const failureDir = join(root, 'out/fuzz/failures');

function record(kind, r, message, text) {
  failures.set(kind, (failures.get(kind) ?? 0) + 1);
  if (examples.length < 20) {
    examples.push(`#${r.index} seed ${r.seed} (${r.generator}): ${kind}: ${message.split('\n')[0]}`);
    if (text !== undefined) {
      mkdirSync(failureDir, { recursive: true });
      writeFileSync(join(failureDir, `${kind}-${r.seed}.mtype`), text);
    }
  }
}

function take(r) {
  stats.inputs++;
  stats.bytes += r.bytes;
  stats.totalMs += r.ms;
  if (r.ms > stats.maxMs) [stats.maxMs, stats.maxIndex] = [r.ms, r.index];
  if (r.failure) record(r.failure.kind, r, r.failure.message, r.failure.text);
  else if (r.ms > HANG_MS) record('hang', r, `${r.ms.toFixed(0)} ms`);
  if (r.cli) {
    stats.cliRuns++;
    stats.cliMaxMs = Math.max(stats.cliMaxMs, r.cli.ms);
    if (r.cli.failure) {
      stats.cliFailures++;
      record('cli', r, r.cli.failure);
    }
  }
}

/** Runs inputs [start, iterations) in a worker; resolves with the index to resume from (after a killed hang). */
function runWorker(start) {
  return new Promise((resolveRun) => {
    const progress = new SharedArrayBuffer(4);
    const current = new Int32Array(progress);
    // A heap limit turns a runaway input into a recorded crash instead of a machine out of memory.
    const worker = new Worker(engine, { workerData: { root, seed, start, end: iterations, cliEvery, progress }, resourceLimits: { maxOldGenerationSizeMb: 2048 } });
    let last = Date.now();
    let done = start;
    const watchdog = setInterval(() => {
      if (Date.now() - last < KILL_MS) return;
      const index = Atomics.load(current, 0);
      clearInterval(watchdog);
      void worker.terminate();
      take({ index, seed: -1, generator: '?', bytes: 0, ms: KILL_MS, failure: { kind: 'hang', message: `no progress for ${KILL_MS} ms (replay: --seed ${seed}, input ${index})` } });
      resolveRun(index + 1);
    }, 1000);
    worker.on('message', (batch) => {
      last = Date.now();
      for (const r of batch) take(r);
      done = batch[batch.length - 1].index + 1;
      if (Math.floor(done / 10_000) > Math.floor((done - batch.length) / 10_000)) console.error(`… ${done} inputs`);
    });
    worker.on('error', (error) => {
      clearInterval(watchdog);
      // The results of the unfinished batch are lost; the input that killed the worker is recorded.
      const index = Math.max(done, Atomics.load(current, 0));
      take({ index, seed: -1, generator: '?', bytes: 0, ms: 0, failure: { kind: 'crash', message: `worker died on input ${index}: ${error.stack}` } });
      resolveRun(index + 1);
    });
    worker.on('exit', () => {
      clearInterval(watchdog);
      resolveRun(iterations);
    });
  });
}

const t0 = Date.now();
for (let next = 0; next < iterations; ) next = await runWorker(next);
const wall = (Date.now() - t0) / 1000;

const row = (k, v) => console.log(`${k.padEnd(28)} ${v}`);
console.log(`\nmtype fuzz campaign — seed ${seed}, node ${process.version}, ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'})`);
row('inputs', stats.inputs);
row('bytes processed', `${stats.bytes} (${(stats.bytes / 1048576).toFixed(1)} MiB)`);
row('crashes', failures.get('crash') ?? 0);
row('internal-error diagnostics', failures.get('internal-error') ?? 0);
row(`hangs (> ${HANG_MS} ms)`, failures.get('hang') ?? 0);
row('ranges outside the text', failures.get('range') ?? 0);
row('nondeterministic output', failures.get('nondeterministic') ?? 0);
row('fix edits out of range', failures.get('fix') ?? 0);
row('max time per input', `${stats.maxMs.toFixed(1)} ms (input ${stats.maxIndex})`);
row('mean time per input', `${(stats.totalMs / Math.max(1, stats.inputs)).toFixed(2)} ms`);
row('CLI runs (child process)', `${stats.cliRuns}, failures ${stats.cliFailures}, max ${stats.cliMaxMs.toFixed(0)} ms`);
row('wall time', `${wall.toFixed(1)} s (${(stats.inputs / wall).toFixed(0)} inputs/s)`);
if (examples.length) {
  console.log('\nfailures (first 20; inputs saved in out/fuzz/failures/):');
  for (const e of examples) console.log('  ' + e);
}
process.exitCode = failures.size ? 1 : 0;
