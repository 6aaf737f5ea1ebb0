/** The adaptive debounce rule (lsp/debounce.ts, docs/architecture.md "Diagnostics timing"). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AdaptiveDebounce, fixedDebounce, MAX_MS, MIN_MS } from '../../server/src/lsp/debounce';

test('an isolated change waits the minimum; a burst doubles the delay up to the maximum; a pause resets it', () => {
  const d = new AdaptiveDebounce();
  assert.equal(d.next(1000), MIN_MS);
  d.record(20);
  // 2 ms later, while the last delay plus the publish cost has not passed: a burst.
  const delays = [1002, 1004, 1006, 1008, 1010, 1012].map((t) => d.next(t));
  assert.deepEqual(delays, [10, 20, 40, 50, 50, 50].map((x) => Math.min(x, MAX_MS)));
  // After the answer is long out, the next change is isolated again.
  assert.equal(d.next(5000), MIN_MS);
});

test('an expensive publish makes slower typing count as a burst; a cheap one does not', () => {
  const cheap = new AdaptiveDebounce();
  cheap.record(1);
  cheap.next(0);
  assert.equal(cheap.next(30), MIN_MS, 'a keystroke every 30 ms, 1 ms to answer');
  const costly = new AdaptiveDebounce();
  for (let i = 0; i < 10; i++) costly.record(80);
  costly.next(0);
  assert.ok(costly.next(30) > MIN_MS, 'a keystroke every 30 ms, ~80 ms to answer');
});

test('MTYPE_DEBOUNCE_MS fixes the delay (0..1000), anything else keeps the rule', () => {
  assert.equal(new AdaptiveDebounce(fixedDebounce('0')).next(0), 0);
  assert.equal(new AdaptiveDebounce(fixedDebounce('200')).next(0), 200);
  for (const bad of [undefined, '', 'x', '-1', '1001', '2.5']) assert.equal(fixedDebounce(bad), undefined);
});
