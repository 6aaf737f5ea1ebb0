// Prints the KB's coverage figures (used to keep docs/knowledge-base.md true).
import { readFileSync } from 'node:fs';
const load = (f) => JSON.parse(readFileSync(new URL(`../../server/src/kb/data/${f}`, import.meta.url), 'utf8'));
const F = load('features.json');
const M = load('msrs.json');
const D = load('models.json');
const R = load('releases.json');
const count = (xs, p) => xs.filter(p).length;
console.log(`features ${F.length} (qemuSince ${count(F, (f) => f.qemuSince)}, kvmSince ${count(F, (f) => f.kvmSince)}, kvmUntil ${count(F, (f) => f.kvmUntil)})`);
console.log(`msrs ${M.length} (state ${count(M, (m) => m.role === 'state')}, capability ${count(M, (m) => m.role === 'capability')}, command ${count(M, (m) => m.role === 'command')}; migratedSince ${count(M, (m) => m.migratedSince)})`);
console.log(`models ${D.length} (versioned ${count(D, (d) => d.version !== null)}, qemuSince ${count(D, (d) => d.qemuSince)})`);
console.log(`releases ${R.releases.length} (${R.releases[0].version} … ${R.releases[R.releases.length - 1].version}), modelCompat ${R.modelCompat.length}`);
