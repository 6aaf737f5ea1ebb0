import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { mapped } from '../../server/src/common/arrays';

test('mapped maps like Array.prototype.map (value and index) and returns a packed array, optimized or not', () => {
  assert.deepEqual(mapped(['a', 'b', 'c'], (x, i) => `${x}${i}`), ['a0', 'b1', 'c2']);
  assert.deepEqual(mapped([], (x) => x), []);

  // V8's natives, for this test's own process (node --test runs each file in its own).
  setFlagsFromString('--allow-natives-syntax');
  const holey = new Function('a', 'return %HasHoleyElements(a)') as (a: unknown[]) => boolean;
  const prepare = new Function('f', '%PrepareFunctionForOptimization(f)') as (f: unknown) => void;
  const optimizeNext = new Function('f', '%OptimizeFunctionOnNextCall(f)') as (f: unknown) => void;
  const caller = (list: readonly object[]) => mapped(list, (o) => ({ o }));
  const list = [{}, {}, {}];
  prepare(caller);
  const before = caller(list);
  caller(list);
  optimizeNext(caller);
  const after = caller(list);
  assert.equal(holey(before), false, 'interpreted caller: packed');
  assert.equal(holey(after), false, 'optimized caller: packed');
});
