/** The adaptive debounce rule (lsp/debounce.ts, docs/architecture.md "Diagnostics timing"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveDebounce, BURST_MS, fixedDebounce, MAX_MS, MIN_MS } from '../../server/src/lsp/debounce';

test('a change after the previous one was answered is analysed at once; changes while one waits double the wait up to the maximum', () => {
  const d = new AdaptiveDebounce();
  assert.equal(d.next(false), MIN_MS);
  assert.equal(MIN_MS, 0);
  // Each change arrives while the previous one's analysis is still waiting: a burst.
  const delays = [1, 2, 3, 4, 5, 6].map(() => d.next(true));
  assert.deepEqual(delays, [BURST_MS, 2 * BURST_MS, 4 * BURST_MS, 8 * BURST_MS, MAX_MS, MAX_MS].map((x) => Math.min(x, MAX_MS)));
  // Once it has been answered, the next change is isolated again.
  assert.equal(d.next(false), MIN_MS);
  assert.equal(d.next(true), BURST_MS);
});

test('MTYPE_DEBOUNCE_MS fixes the delay (0..1000), anything else keeps the rule', () => {
  assert.equal(new AdaptiveDebounce(fixedDebounce('0')).next(false), 0);
  assert.equal(new AdaptiveDebounce(fixedDebounce('200')).next(true), 200);
  for (const bad of [undefined, '', 'x', '-1', '1001', '2.5']) assert.equal(fixedDebounce(bad), undefined);
});
