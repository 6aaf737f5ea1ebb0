/** The benchmark's seeded workload (scripts/bench/generate.mjs), small enough for unit tests. */
import { bigFile, rng, vocabulary, type Rng } from '../../../scripts/bench/generate.mjs';
import { getKnowledgeBase } from '../../../server/src/kb/knowledge-base';
import { allRecordsJson } from '../../../server/src/services/kb-records';
import releases from '../../../server/src/kb/data/releases.json';

let vocab: ReturnType<typeof vocabulary> | undefined;

/** A generated catalogue of inheritance families, `lines` long (seeded: the same text every run); `family`: chain lengths [min, max]. */
export function generatedFile(seed: number, lines: number, family?: [number, number]): string {
  vocab ??= vocabulary(allRecordsJson(getKnowledgeBase()), (releases as { releases: unknown[] }).releases);
  return bigFile(vocab, family ? { seed, lines, family } : { seed, lines }).text;
}

export { rng, type Rng };
