/** The idle-time young-generation collection (lsp/idle-gc.ts). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getHeapSpaceStatistics } from 'node:v8';
import { collectAll, collectYoungIfFull } from '../../server/src/lsp/idle-gc';

const youngUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')!.space_used_size;

test('collects the young generation when it is fuller than asked, and only then', () => {
  let garbage: unknown[] = [];
  for (let i = 0; i < 20_000; i++) garbage.push({ i, text: `x${i}` });
  garbage = [];
  assert.equal(collectYoungIfFull(1), false, 'never fuller than its whole capacity');
  const before = youngUsed();
  assert.ok(before > 0);
  assert.equal(collectYoungIfFull(0), true);
  assert.ok(youngUsed() < before, `young generation ${before} -> ${youngUsed()} bytes`);
  assert.equal(garbage.length, 0);
});

test('collects the whole heap, old generation included', () => {
  const oldUsed = () => getHeapSpaceStatistics().find((s) => s.space_name === 'old_space')!.space_used_size;
  // Objects that survive two young collections are moved to the old generation; then dropped.
  let kept: unknown[] = [];
  for (let i = 0; i < 200_000; i++) kept.push({ i, text: `y${i}` });
  collectYoungIfFull(0);
  collectYoungIfFull(0);
  const before = oldUsed();
  kept = [];
  assert.equal(collectAll(), true);
  assert.ok(oldUsed() < before - 4_000_000, `old generation ${before} -> ${oldUsed()} bytes`);
  assert.equal(kept.length, 0);
});
