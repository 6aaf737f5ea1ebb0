/**
 * mtype turns V8's function inlining off for itself unless Node was started with a
 * flag that says something about it (common/v8-tuning.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { LATENCY_FLAGS, tuneV8ForLatency } from '../../server/src/common/v8-tuning';

test('with no inlining flag given, inlining is turned off', () => {
  assert.deepEqual(tuneV8ForLatency([]), LATENCY_FLAGS);
  assert.deepEqual(tuneV8ForLatency(['--max-old-space-size=512', '--v8-pool-size=1']), ['--no-turbo-inlining']);
  assert.deepEqual(tuneV8ForLatency(['--turbo-inlining-extra']), ['--no-turbo-inlining']);
});

test("a flag given to Node, either way and spelled either way, is kept", () => {
  for (const argv of [['--turbo-inlining'], ['--no-turbo-inlining'], ['--turbo_inlining'], ['--inspect', '--no-turbo_inlining']]) {
    assert.deepEqual(tuneV8ForLatency(argv), [], argv.join(' '));
  }
});

test('the command line runs with it and still checks', () => {
  // The bundled CLI sets the flag at start; a check must give the same output with and without it.
  const cli = join(__dirname, '../../server/out/cli.js');
  const examples = join(__dirname, '../../examples');
  const plain = spawnSync(process.execPath, [cli, 'check', examples, '--format', 'json'], { encoding: 'utf8' });
  const inlining = spawnSync(process.execPath, ['--turbo-inlining', cli, 'check', examples, '--format', 'json'], { encoding: 'utf8' });
  assert.equal(plain.stderr, '');
  assert.ok(plain.stdout.length > 100);
  assert.equal(plain.stdout, inlining.stdout);
  assert.equal(plain.status, inlining.status);
});
