import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { compileBaselineOnFirstCall } from '../../server/src/lsp/baseline-code';

// V8's OptimizationStatus bits (src/runtime/runtime.h of V8 11): the function runs in the
// interpreter, or runs baseline (Sparkplug) code.
const INTERPRETED = 1 << 7;
const BASELINE = 1 << 15;

test('the server compiles a function to baseline code at its first call, unless Node was told otherwise', () => {
  // This test's own process: node --test runs each file in a process of its own.
  setFlagsFromString('--allow-natives-syntax');
  const status = new Function('f', 'return %GetOptimizationStatus(f)') as (f: unknown) => number;

  const before = new Function('x', 'return x + 1') as (x: number) => number;
  before(1);
  assert.equal(compileBaselineOnFirstCall(['--no-always-sparkplug'], ''), false);
  assert.equal(compileBaselineOnFirstCall([], '--max-old-space-size=512 --no-sparkplug'), false);
  const stillBefore = new Function('x', 'return x + 2') as (x: number) => number;
  stillBefore(1);

  assert.equal(compileBaselineOnFirstCall([], '--max-old-space-size=512'), true);
  const after = new Function('x', 'return x + 3') as (x: number) => number;
  after(1);

  for (const f of [before, stillBefore]) {
    assert.notEqual(status(f) & INTERPRETED, 0, 'called once, before the flag: interpreted');
    assert.equal(status(f) & BASELINE, 0);
  }
  assert.notEqual(status(after) & BASELINE, 0, 'called once, after the flag: baseline code');
});
