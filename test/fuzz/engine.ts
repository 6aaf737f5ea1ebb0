/**
 * The fuzzing engine of `npm run fuzz`, bundled by scripts/fuzz.mjs and run in a
 * worker thread (so the main thread can notice and kill a real hang). Input i of
 * a campaign is a pure function of (seed, i): any failure replays from its seed.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { getKnowledgeBase, type KnowledgeBase } from '../../server/src/kb/knowledge-base';
import { LineIndex } from '../../server/src/common/text';
import { miniKb } from '../unit/helpers/mini-kb';
import { Rng, deriveSeed } from './lib/prng';
import { machineLike, mutate, tokenStream } from './lib/generate';
import { repositorySeeds } from './lib/seeds';
import { FuzzFailure, assertRange, checkInput } from './lib/check';

export interface Job {
  root: string;
  seed: number;
  start: number;
  end: number;
  /** Every `cliEvery`-th input also goes through the CLI bundle in a child process (0: never). */
  cliEvery: number;
  /** Int32 slot where the worker publishes the index it is working on, for the hang watchdog. */
  progress: SharedArrayBuffer;
}

export interface Result {
  index: number;
  seed: number;
  generator: string;
  bytes: number;
  ms: number;
  failure?: { kind: string; message: string; text: string };
  cli?: { ms: number; failure?: string };
}

/** An input slower than this (first analysis, or the whole check) is a hang. */
export const HANG_MS = 1000;

const COMPANION = 'machine base {\n  qemu 1.3\n  cpu Haswell\n  cpuid { +kvm-pv-eoi }\n}\nmachine pc-1.3 extends base { deprecated "old" }\n';

export function generate(seeds: readonly string[], seed: number): { generator: string; text: string } {
  const rng = new Rng(seed);
  const r = rng.int(10);
  if (r < 3) return { generator: 'tokens', text: tokenStream(rng, rng.chance(0.1) ? 2000 : 150) };
  if (r < 5) return { generator: 'machines', text: rng.chance(0.5) ? machineLike(rng) : mutate(rng, machineLike(rng)) };
  return { generator: 'mutation', text: mutate(rng, rng.pick(seeds), seeds, rng.chance(0.2) ? 30 : 6) };
}

export function runOne(index: number, job: Job, seeds: readonly string[], kbs: KnowledgeBase[], tmp: string): Result {
  const seed = deriveSeed(job.seed, index);
  const { generator, text } = generate(seeds, seed);
  const result: Result = { index, seed, generator, bytes: Buffer.byteLength(text), ms: 0 };
  const options = { companion: index % 3 === 0 ? COMPANION : undefined, budgetMs: HANG_MS, inherited: index % 2 ? ('once' as const) : ('each' as const) };
  // A slow input is timed twice and the faster run counts: on a shared machine one run can be starved.
  for (let attempt = 0; attempt < 2; attempt++) {
    const t0 = performance.now();
    result.failure = undefined;
    try {
      checkInput(text, kbs[index % kbs.length], options);
    } catch (error) {
      const kind = error instanceof FuzzFailure ? error.kind : 'crash';
      result.failure = { kind, message: (error as Error).message, text };
    }
    const ms = performance.now() - t0;
    result.ms = attempt === 0 ? ms : Math.min(result.ms, ms);
    if (result.ms <= HANG_MS && result.failure?.kind !== 'hang') break;
  }
  if (job.cliEvery > 0 && index % job.cliEvery === 0) result.cli = runCli(text, join(job.root, 'server/out/cli.js'), join(tmp, `input-${index}.mtype`));
  return result;
}

/** The CLI must exit 0 or 1 (2 is "could not run"), print JSON, and keep its ranges inside the text it read. */
function runCli(text: string, cli: string, path: string): Result['cli'] {
  writeFileSync(path, text);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, [cli, 'check', '--format', 'json', path], { encoding: 'utf8', timeout: 20_000, maxBuffer: 1 << 28 });
  const ms = performance.now() - t0;
  if (r.error) return { ms, failure: `spawn: ${r.error.message}` };
  if (r.status !== 0 && r.status !== 1) return { ms, failure: `exit ${r.status}: ${r.stderr.slice(0, 500)}` };
  try {
    let read = Buffer.from(text, 'utf8').toString('utf8'); // what the file holds: lone surrogates became U+FFFD
    if (read.charCodeAt(0) === 0xfeff) read = read.slice(1);
    const lines = new LineIndex(read);
    const json = JSON.parse(r.stdout) as { files: Array<{ diagnostics: Array<{ code: string; range: Parameters<typeof assertRange>[1] }> }> };
    for (const d of json.files[0]?.diagnostics ?? []) assertRange(lines, d.range, `CLI ${d.code}`);
  } catch (error) {
    return { ms, failure: (error as Error).message };
  }
  return { ms };
}

function setup(job: Job) {
  return { seeds: repositorySeeds(job.root), kbs: [getKnowledgeBase(), miniKb()], tmp: mkdtempSync(join(tmpdir(), 'mtype-fuzz-')) };
}

if (parentPort && workerData) {
  const job = workerData as Job;
  const { seeds, kbs, tmp } = setup(job);
  const progress = new Int32Array(job.progress);
  let batch: Result[] = [];
  for (let i = job.start; i < job.end; i++) {
    Atomics.store(progress, 0, i);
    batch.push(runOne(i, job, seeds, kbs, tmp));
    if (batch.length === 200 || i === job.end - 1) {
      parentPort.postMessage(batch);
      batch = [];
    }
  }
}

// Replay: node out/fuzz/engine.js --replay ROOT SEED FIRST [LAST] — runs inputs FIRST..LAST of a campaign
// one by one, printing each index before it runs, and writes the input to stdout when it fails.
const replay = process.argv.indexOf('--replay');
if (!parentPort && replay >= 0) {
  const [root, seed, first, last] = process.argv.slice(replay + 1);
  const job: Job = { root, seed: Number(seed), start: Number(first), end: Number(last ?? first) + 1, cliEvery: 0, progress: new SharedArrayBuffer(4) };
  const { seeds, kbs, tmp } = setup(job);
  for (let i = job.start; i < job.end; i++) {
    const { text } = generate(seeds, deriveSeed(job.seed, i));
    writeSync(2, `input ${i}: ${text.length} characters\n`);
    const r = runOne(i, job, seeds, kbs, tmp);
    writeSync(2, `  ${r.ms.toFixed(1)} ms${r.failure ? ` — ${r.failure.message}` : ''}\n`);
    if (r.failure) writeSync(1, text);
  }
}
