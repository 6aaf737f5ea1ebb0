/**
 * The client's restart policy (client/src/restart-rules.ts): transport errors after the server died do not
 * stop the client, other errors do after three, and a server is restarted at most 5 times in 3 minutes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { continuesAfter, MAX_RESTARTS, RestartWindow, WINDOW_MS } from '../../client/src/restart-rules';

const epipe = () => Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });

test('writes into the pipe of a dead server never shut the client down, however many were in flight', () => {
  for (let count = 1; count <= 10; count++) assert.equal(continuesAfter(epipe(), count), true, `EPIPE #${count}`);
  assert.equal(continuesAfter(new Error('write EPIPE'), 7), true, 'known by its message too');
  assert.equal(continuesAfter(Object.assign(new Error('Cannot call write after a stream was destroyed'), { code: 'ERR_STREAM_DESTROYED' }), 9), true);
});

test('other transport errors: the client goes on for three, then shuts down', () => {
  const bad = new Error('Header must provide a Content-Length property.');
  assert.deepEqual([1, 2, 3, 4, 5].map((n) => continuesAfter(bad, n)), [true, true, true, false, false]);
  assert.equal(continuesAfter(bad, undefined), false);
});

test('a server is restarted up to 5 times in 3 minutes; stops older than that no longer count', () => {
  let t = 0;
  const window = new RestartWindow(() => t);
  const outcomes = [];
  for (let i = 0; i < MAX_RESTARTS + 1; i++) {
    outcomes.push(window.stopped());
    t += 1000;
  }
  assert.deepEqual(outcomes.map((o) => o.restart), [true, true, true, true, true, false]);
  assert.equal(outcomes[MAX_RESTARTS].count, MAX_RESTARTS + 1);
  t += WINDOW_MS;
  assert.deepEqual(window.stopped(), { count: 1, restart: true });
});
