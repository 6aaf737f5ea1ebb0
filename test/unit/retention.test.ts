/**
 * Old versions of a document are not kept alive by the analysis: typing at random
 * places (each edit re-checks another family) leaves, after a full GC, no more than
 * the current version. Before the fix, every piece kept the version it was made
 * for, and cached resolutions kept the version their ref was made for: the live heap
 * grew by ~0.2 MB per edit on the 10k-line benchmark file, without bound.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Project } from '../../server/src/services/project';
import type { ParsedDocument } from '../../server/src/model/document';
import { generatedFile, rng } from './helpers/workload';

setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Types a character at `pairs` random feature names and deletes it again; registers every version made. */
function typeAtRandomPlaces(project: Project, uri: string, text: string, pairs: number, registry: FinalizationRegistry<number>): number {
  project.update(uri, text);
  for (const piece of project.diagnosticsByMachine(uri)) void piece.diagnostics;
  const sites: number[] = [];
  for (let i = text.indexOf('\n    +'); i >= 0; i = text.indexOf('\n    +', i + 1)) sites.push(i + 6);
  assert.ok(sites.length > 50);
  const r = rng(7);
  let versions = 0;
  for (let i = 0; i < pairs; i++) {
    const at = r.pick(sites);
    for (const next of [text.slice(0, at) + 'x' + text.slice(at), text]) {
      project.update(uri, next);
      for (const piece of project.diagnosticsByMachine(uri)) void piece.diagnostics;
      registry.register(project.document(uri) as ParsedDocument, versions++);
    }
  }
  return versions;
}

for (const inherited of ['each', 'once'] as const) {
  test(`typing at random places keeps no old version of the document alive (inherited findings: ${inherited})`, async () => {
    const project = new Project(getKnowledgeBase(), { inherited });
    // Counted by a FinalizationRegistry: a WeakRef would keep its target for the rest of the job.
    let collected = 0;
    const registry = new FinalizationRegistry<number>(() => collected++);
    // In a function of its own, so no stale local of this (async) frame holds a version.
    const versions = typeAtRandomPlaces(project, 'file:///retention.mtype', generatedFile(42, 1500), 60, registry);
    for (let k = 0; k < 5 && collected < versions - 1; k++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    // Only the current version may stay.
    assert.ok(collected >= versions - 1, `${versions - 1 - collected} of ${versions - 1} old versions are still reachable`);
  });
}

