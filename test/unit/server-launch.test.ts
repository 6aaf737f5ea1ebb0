import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { serverNodeOptions } from '../../client/src/server-launch.mjs';

test('the server gets one V8 background thread on a machine with two cores or fewer, the default elsewhere', () => {
  assert.deepEqual(serverNodeOptions(1), ['--v8-pool-size=1']);
  assert.deepEqual(serverNodeOptions(2), ['--v8-pool-size=1']);
  assert.deepEqual(serverNodeOptions(4), []);
  assert.deepEqual(serverNodeOptions(64), []);
});

test('Node accepts the options the client starts the server with (a misspelt one would keep the server from starting)', () => {
  const run = spawnSync(process.execPath, [...serverNodeOptions(2), '-e', 'process.stdout.write("started")'], { encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  assert.equal(run.stdout, 'started');
});
