// A node:test reporter for npm test, after the spec reporter: the five slowest tests, and every test over the
// 5 s budget of a unit test (long campaigns belong in npm run fuzz, speed in npm run bench). Wall time on a
// shared 2-core machine can triple, so over budget is a warning; a test over a minute fails the run: that is
// no busy machine but a test that must move or shrink (the regex meta-test once took 63 s).
const BUDGET_MS = 5_000;
const FAIL_MS = 60_000;

export default async function* durations(source) {
  const tests = [];
  for await (const event of source) {
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const data = event.data ?? {};
    if (data.details?.type === 'suite' || data.name === data.file) continue;
    tests.push({ name: data.name, file: data.file, ms: data.details?.duration_ms ?? 0 });
  }
  tests.sort((a, b) => b.ms - a.ms);
  const root = process.cwd() + '/';
  const where = (t) => `${t.name} (${(t.file ?? '').replace(root, '')})`;
  yield 'slowest tests:\n';
  for (const t of tests.slice(0, 5)) yield `  ${(t.ms / 1000).toFixed(1).padStart(5)} s  ${where(t)}\n`;
  const over = tests.filter((t) => t.ms > BUDGET_MS);
  for (const t of over) yield `over the ${BUDGET_MS / 1000} s budget of a unit test: ${where(t)}, ${(t.ms / 1000).toFixed(1)} s\n`;
  const failing = tests.filter((t) => t.ms > FAIL_MS);
  if (failing.length) {
    yield `${failing.length} test(s) over ${FAIL_MS / 1000} s: move them to npm run fuzz or make them smaller\n`;
    process.exitCode = 1;
  }
}
