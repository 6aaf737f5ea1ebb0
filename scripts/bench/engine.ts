// In-process measurements of the engine, bundled by scripts/bench/run.mjs with esbuild
// (like the shipped bundles) and run in fresh processes:
//   node engine.js kb                      time of the first getKnowledgeBase()
//   node engine.js cold FILE               first parse / first full check in a fresh process
//   node engine.js warm FILE JSONFILE      medians after warm-up, plus JSON.parse of JSONFILE
//   node engine.js index DIR               Project indexing of every .mtype file below DIR
//   node engine.js edits FILE              engine CPU time per edit (text -> final diagnostics) for
//                                          typing, Enter and paste, p50/p95 over 2 x EDIT_RUNS edits,
//                                          and machines checked per edit (BENCH_INHERITED=each|once,
//                                          default once, as the language server reports)
// Each prints one JSON object on stdout.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { parseDocument } from '../../server/src/model/document';
import { Project } from '../../server/src/services/project';
import { findMtypeFiles, pathToUri, readFileText } from '../../server/src/lsp/files';

const [mode, arg1, arg2] = process.argv.slice(2);
const WARMUP = Number(process.env.BENCH_WARMUP ?? 20);
const RUNS = Number(process.env.BENCH_RUNS ?? 31);

function time(fn: () => void): number {
  const t0 = performance.now();
  fn();
  return performance.now() - t0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

function measure(fn: () => void): { median: number; min: number } {
  for (let i = 0; i < WARMUP; i++) fn();
  const xs: number[] = [];
  for (let i = 0; i < RUNS; i++) xs.push(time(fn));
  return { median: median(xs), min: Math.min(...xs) };
}

/** Text to diagnostics, as the server does on a change: parse, index, resolve, check. */
function fullCheck(text: string): number {
  const project = new Project(getKnowledgeBase());
  project.update('file:///bench/big.mtype', text);
  return project.diagnostics('file:///bench/big.mtype').length;
}

/** CPU time of `fn` in ms (user + system): less swayed than wall time by other jobs on the machine. */
function cpu(fn: () => void): number {
  const t0 = process.cpuUsage();
  fn();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / 1000;
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(p * s.length))];
}

/**
 * Engine CPU per edit, as the server spends it on a change: `Project.update` with the
 * new text, then the document's final diagnostics. Each kind of edit is applied and
 * undone at seeded places (every measured step is one edit):
 * typing = one character into a feature name; Enter = a line break at the start of a
 * statement line; Enter above a machine = at the start of a `machine` line; paste = 12
 * lines copied from another machine's body into a body.
 */
function perEdit(text: string): Record<string, { p50: number; p95: number; edits: number; checkedPerEdit?: number }> {
  const uri = 'file:///bench/big.mtype';
  const runs = Number(process.env.EDIT_RUNS ?? 200);
  // As the language server reports inherited findings (once per cause) unless BENCH_INHERITED=each.
  const project = new Project(getKnowledgeBase(), { inherited: process.env.BENCH_INHERITED === 'each' ? 'each' : 'once' });
  project.update(uri, text);
  project.diagnostics(uri);
  let seed = 12345;
  const rand = () => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 4294967296);
  const featureAt: number[] = [];
  for (let i = text.indexOf('\n    +'); i >= 0; i = text.indexOf('\n    +', i + 1)) featureAt.push(i + 7);
  const lineStarts: number[] = [];
  for (let i = text.indexOf('\n  '); i >= 0; i = text.indexOf('\n  ', i + 1)) lineStarts.push(i + 1);
  // `flat`: the whole list, as the server asks today. `pieces`: per-machine pieces, placing
  // only those whose version moved (what a server that encodes each piece once needs).
  const hasPieces = typeof (project as { diagnosticsByMachine?: unknown }).diagnosticsByMachine === 'function';
  const seen = new Map<string, number>();
  const analyse = (flat: boolean) => {
    if (flat || !hasPieces) return void project.diagnostics(uri);
    for (const piece of project.diagnosticsByMachine(uri)) {
      if (seen.get(piece.id) === piece.version) continue;
      seen.set(piece.id, piece.version);
      void piece.diagnostics.length;
    }
  };
  let flat = true;
  const edit = (make: () => [string, string]): number[] => {
    const xs: number[] = [];
    for (let i = 0; i < runs; i++) {
      const [edited, back] = make();
      xs.push(cpu(() => { project.update(uri, edited); analyse(flat); }));
      xs.push(cpu(() => { project.update(uri, back); analyse(flat); }));
    }
    return xs;
  };
  const pick = (xs: number[]) => xs[Math.floor(rand() * xs.length)];
  const typing = () => edit(() => { const at = pick(featureAt); return [text.slice(0, at) + 'x' + text.slice(at), text]; });
  const machineLines: number[] = [];
  for (let i = text.indexOf('\nmachine '); i >= 0; i = text.indexOf('\nmachine ', i + 1)) machineLines.push(i + 1);
  const enter = () => edit(() => { const at = pick(lineStarts); return [text.slice(0, at) + '\n' + text.slice(at), text]; });
  const enterAbove = () => edit(() => { const at = pick(machineLines); return [text.slice(0, at) + '\n' + text.slice(at), text]; });
  const paste = () => edit(() => {
    const from = pick(lineStarts);
    let end = from;
    for (let k = 0; k < 12 && end >= 0; k++) end = text.indexOf('\n', end + 1);
    const block = text.slice(from, end + 1);
    const at = pick(lineStarts);
    return [text.slice(0, at) + block + text.slice(at), text];
  });
  const out: Record<string, { p50: number; p95: number; edits: number; checkedPerEdit?: number }> = {};
  const checked = () => (project as { machinesChecked?: number }).machinesChecked ?? NaN;
  for (const mode of hasPieces ? [true, false] : [true]) {
    flat = mode;
    for (const [name, run] of [['typing', typing], ['enter', enter], ['enter above a machine', enterAbove], ['paste', paste]] as const) {
      run(); // warm-up
      const before = checked();
      const xs = run();
      out[`${name}${mode ? '' : ' (pieces)'}`] = { p50: percentile(xs, 0.5), p95: percentile(xs, 0.95), edits: xs.length, checkedPerEdit: (checked() - before) / xs.length };
    }
  }
  return out;
}

let result: unknown;
switch (mode) {
  case 'kb': {
    const ms = time(() => getKnowledgeBase());
    result = { kbLoadMs: ms };
    break;
  }
  case 'cold': {
    const text = readFileSync(arg1, 'utf8');
    const kbMs = time(() => getKnowledgeBase());
    const parseMs = time(() => parseDocument('file:///bench/big.mtype', text));
    let diagnostics = 0;
    const fullMs = time(() => (diagnostics = fullCheck(text)));
    result = { kbMs, parseMs, fullMs, diagnostics };
    break;
  }
  case 'warm': {
    const text = readFileSync(arg1, 'utf8');
    const json = readFileSync(arg2, 'utf8');
    const kb = getKnowledgeBase();
    const parse = measure(() => parseDocument('file:///bench/big.mtype', text));
    const full = measure(() => fullCheck(text));
    // Check only: a parsed, indexed document analysed from scratch (fresh caches).
    const checkOnly = (() => {
      const xs: number[] = [];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        const project = new Project(kb);
        project.update('file:///bench/big.mtype', text);
        const ms = time(() => project.diagnostics('file:///bench/big.mtype'));
        if (i >= WARMUP) xs.push(ms);
      }
      return { median: median(xs), min: Math.min(...xs) };
    })();
    const jsonParse = measure(() => JSON.parse(json));
    const project = new Project(kb);
    project.update('file:///bench/big.mtype', text);
    const diags = project.diagnostics('file:///bench/big.mtype');
    const byCode: Record<string, number> = {};
    for (const d of diags) byCode[d.code] = (byCode[d.code] ?? 0) + 1;
    result = { bytes: Buffer.byteLength(text), parse, full, checkOnly, jsonParse, diagnostics: diags.length, byCode };
    break;
  }
  case 'index': {
    const kb = getKnowledgeBase();
    const project = new Project(kb);
    let files = 0;
    const indexMs = time(() => {
      for (const path of findMtypeFiles(arg1)) {
        const text = readFileText(path);
        if (text !== undefined) project.update(pathToUri(path), text);
        files++;
      }
    });
    // Not part of indexing (the server checks open documents only), shown for scale.
    let diagnostics = 0;
    const checkAllMs = time(() => {
      for (const doc of [...project.workspace.documents]) diagnostics += project.diagnostics(doc.uri).length;
    });
    result = { files, indexMs, checkAllMs, diagnostics, rssMb: process.memoryUsage().rss / 1048576 };
    break;
  }
  case 'edits': {
    result = perEdit(readFileSync(arg1, 'utf8'));
    break;
  }
  default:
    console.error('usage: engine.js kb | cold FILE | warm FILE JSONFILE | index DIR | edits FILE');
    process.exit(2);
}
process.stdout.write(JSON.stringify(result) + '\n');
