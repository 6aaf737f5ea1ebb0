import * as assert from 'node:assert/strict';
import { test } from 'node:test';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { settleShapes } from '../../server/src/services/settle-shapes';

test('the warm-up edit session analyses a document with findings, and every undone edit gives the first answer again', () => {
  const counts = settleShapes(getKnowledgeBase());
  // One opening, then two rounds of (typing, undo, Enter, undo).
  assert.equal(counts.length, 9);
  assert.ok(counts[0] >= 5, `the warm-up document has findings to place and fold (got ${counts[0]})`);
  for (const undone of [2, 4, 6, 8]) assert.equal(counts[undone], counts[0], `analysis ${undone} (an undo)`);
  // The typed character makes +de an unknown feature: the typing edit changes the findings.
  assert.notEqual(counts[1], counts[0]);
});
