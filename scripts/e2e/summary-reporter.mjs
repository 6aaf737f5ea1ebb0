// A node:test reporter that prints one closing line, "ui suite: N passed, N failed (N skipped)", after the spec
// reporter's output. Used by scripts/e2e/run-e2e.sh for test/e2e/*.test.mjs; MTYPE_SUITE names the suite
// (default "ui suite").
export default async function* summary(source) {
  let passed = 0;
  let failed = 0;
  let skipped = 0;
  for await (const event of source) {
    const data = event.data ?? {};
    if (data.details?.type === 'suite') continue;
    // the file itself is reported as a test only when it fails outside any test (e.g. a crash in before())
    if (event.type === 'test:pass') {
      if (data.skip || data.todo) skipped++;
      else if (data.nesting === 0 && data.name === data.file) continue;
      else passed++;
    } else if (event.type === 'test:fail') {
      failed++;
    }
  }
  yield `${process.env.MTYPE_SUITE || 'ui suite'}: ${passed} passed, ${failed} failed${skipped ? ` (${skipped} skipped)` : ''}\n`;
}
