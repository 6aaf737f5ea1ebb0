/** The line index made from the previous one after an edit equals one made from scratch (\r, \n and \r\n breaks). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineIndex } from '../../server/src/common/text';

test('LineIndex.afterEdit equals a fresh index after random edits, line breaks of every kind included', () => {
  let seed = 20261202;
  const random = (n: number) => ((seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) % n);
  const pieces = ['a', 'bc', '\n', '\r', '\r\n', ' ', '\n\n', '\r\r\n'];
  let text = 'machine a {\r\n  qemu 2.0\n}\r';
  let index = new LineIndex(text);
  for (let step = 0; step < 3000; step++) {
    const at = random(text.length + 1);
    const removed = random(4);
    let inserted = '';
    for (let k = random(3); k > 0; k--) inserted += pieces[random(pieces.length)];
    const edited = text.slice(0, at) + inserted + text.slice(Math.min(text.length, at + removed));
    if (edited.length > 400) {
      text = edited.slice(0, 200);
      index = new LineIndex(text);
      continue;
    }
    index = LineIndex.afterEdit(index, edited, at, at + inserted.length);
    assert.deepEqual(index.lineStarts, new LineIndex(edited).lineStarts, `step ${step}: ${JSON.stringify(text)} -> ${JSON.stringify(edited)}`);
    text = edited;
  }
});
