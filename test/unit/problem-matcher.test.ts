/**
 * The `$mtype` problem matcher of package.json against real `mtype check` output: every line the CLI prints is
 * a problem (or a related-location note) whose file, line, column, code, severity and message are those of
 * `mtype check --format json` on the same files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const bin = join(root, 'bin/mtype.js');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const matcher = (pkg.contributes.problemMatchers as Array<Record<string, any>>).find((m) => m.name === 'mtype')!;
const PATHS = ['examples', 'test/vscode/fixtures'];

function check(format: 'text' | 'json'): string {
  const r = spawnSync(process.execPath, [bin, 'check', ...PATHS, '--format', format], { cwd: root, encoding: 'utf8' });
  assert.ok(r.status === 0 || r.status === 1, r.stderr);
  return r.stdout;
}

/** VS Code's reading of the severity group (ProblemMatcher.getSeverity): anything else falls back to the matcher's. */
function vscodeSeverity(value: string | undefined): string {
  const v = (value ?? '').toLowerCase();
  if (v === 'error') return 'error';
  if (v === 'warning' || v === 'warn') return 'warning';
  if (v === 'info' || v === 'hint' || v === 'note') return 'info';
  return matcher.severity ?? 'error';
}

interface Problem { file: string; line: number; column: number; severity: string; code?: string; message: string }

function parse(line: string): Problem | undefined {
  const p = matcher.pattern;
  const m = new RegExp(p.regexp).exec(line);
  if (!m) return undefined;
  return { file: m[p.file], line: Number(m[p.line]), column: Number(m[p.column]), severity: vscodeSeverity(m[p.severity]), code: m[p.code], message: m[p.message] };
}

test('$mtype is contributed: a single-line pattern with file, line, column, severity, code and message', () => {
  assert.ok(matcher, 'contributes.problemMatchers has "mtype" ($mtype in tasks.json)');
  assert.equal(matcher.owner, 'mtype-check', 'its own owner: task problems do not replace the language server\'s');
  assert.deepEqual(matcher.fileLocation, ['autoDetect', '${workspaceFolder}']);
  for (const group of ['file', 'line', 'column', 'severity', 'code', 'message']) assert.equal(typeof matcher.pattern[group], 'number', group);
});

test('every line of `mtype check` output is matched, with the facts of --format json', () => {
  const output = check('text').split('\n').filter((l) => l.trim());
  assert.match(output.at(-1)!, /^\d+ files? checked: /, 'the summary line ends the output');
  const lines = output.slice(0, -1);
  const json = JSON.parse(check('json')) as {
    files: Array<{ path: string; diagnostics: Array<{ code: string; severity: string; message: string; range: { start: { line: number; character: number } }; related: Array<{ path: string; range: { start: { line: number; character: number } }; message: string }> }> }>;
  };
  const expected: Problem[] = [];
  for (const f of json.files) {
    for (const d of f.diagnostics) {
      expected.push({ file: f.path, line: d.range.start.line + 1, column: d.range.start.character + 1, severity: vscodeSeverity(d.severity === 'information' ? 'info' : d.severity), code: d.code, message: d.message });
      for (const r of d.related) expected.push({ file: r.path, line: r.range.start.line + 1, column: r.range.start.character + 1, severity: 'info', code: undefined, message: r.message });
    }
  }
  assert.ok(expected.length > 20, `the fixtures produce problems (${expected.length})`);
  assert.ok(expected.some((p) => p.code === undefined), 'and related-location notes');
  const parsed = lines.map((l) => ({ l, p: parse(l) }));
  const unmatched = parsed.filter((x) => !x.p);
  assert.deepEqual(unmatched.map((x) => x.l), [], 'lines the matcher misses');
  const got = parsed.map((x) => x.p).filter((p): p is Problem => !!p);
  assert.deepEqual(got, expected);
  // information is not a word VS Code knows: the pattern must hand it "info", or the problem shows as an error
  assert.ok(got.some((p) => p.code === 'MT302' && p.severity === 'info'));
  assert.ok(got.some((p) => p.code === 'MT300' && p.severity === 'error'));
});
