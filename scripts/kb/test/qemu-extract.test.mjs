// The QEMU side of the KB generators on two miniature release trees written for this test:
// each tree is committed into a temporary git repository with fixed dates and author, so
// the commits, and with them the extractors' output, are the same on every run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const fixtures = path.join(root, 'test/fixtures/qemu-mini');

function fixtureRepo() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mtype-qemu-mini-'));
  const env = { ...process.env, GIT_AUTHOR_NAME: 'fixture', GIT_AUTHOR_EMAIL: 'fixture@example.invalid', GIT_COMMITTER_NAME: 'fixture', GIT_COMMITTER_EMAIL: 'fixture@example.invalid', GIT_AUTHOR_DATE: '2020-01-01T00:00:00Z', GIT_COMMITTER_DATE: '2020-01-01T00:00:00Z' };
  const git = (...args) => execFileSync('git', ['-C', dir, ...args], { env, encoding: 'utf8' }).trim();
  git('init', '-q');
  const lines = [];
  for (const [rel, sub] of [['1.0', 'r1'], ['2.0', 'r2']]) {
    for (const f of fs.readdirSync(dir)) if (f !== '.git') fs.rmSync(path.join(dir, f), { recursive: true });
    fs.cpSync(path.join(fixtures, sub), dir, { recursive: true });
    git('add', '-A');
    git('commit', '-q', '-m', `release ${rel}`);
    lines.push(`${rel}\t${git('rev-parse', 'HEAD')}\t${path.join(dir, '.git')}\tVERSION=${rel}.0`);
  }
  const tsv = path.join(dir, 'releases.tsv');
  fs.writeFileSync(tsv, lines.join('\n') + '\n');
  return { dir, tsv };
}

const run = (script, tsv, out) => execFileSync(process.execPath, [path.join(root, 'scripts/kb/qemu', script), '--releases', tsv, '--out', out], { stdio: 'pipe' });

test('names.mjs and migration.mjs on the fixture releases reproduce their expected output byte for byte', () => {
  const { dir, tsv } = fixtureRepo();
  try {
    for (const [script, expected] of [['names.mjs', 'expected-names.json'], ['migration.mjs', 'expected-migration.json']]) {
      const out = path.join(dir, expected);
      run(script, tsv, out);
      // MTYPE_UPDATE_FIXTURES=1 rewrites the expected files after a deliberate extractor change.
      if (process.env.MTYPE_UPDATE_FIXTURES) fs.copyFileSync(out, path.join(fixtures, expected));
      assert.equal(fs.readFileSync(out, 'utf8'), fs.readFileSync(path.join(fixtures, expected), 'utf8'), script);
    }
    const names = JSON.parse(fs.readFileSync(path.join(dir, 'expected-names.json'), 'utf8'));
    assert.equal(names.features.vme.first, '2.0', 'a name is dated by the first release whose tree has it');
    assert.equal(names.features.fpu.first, '1.0');
    assert.deepEqual([names.models['fixture-intel'].first, names.models['fixture-intel'].vendor], ['2.0', 'intel']);
    const [r1, r2] = names.releases;
    assert.deepEqual([r1.machineTypes, r2.machineTypes], [['pc', 'pc-1.0'], ['pc-i440fx-2.0', 'pc-q35-2.0']], 'struct and both macro forms of machine types');
    assert.equal(r1.cpuOptions, null, 'no -cpu parser in the tree: unknown, not guessed');
    assert.deepEqual([r2.cpuOptions.featureProps, r2.cpuOptions.tscKey], [true, 'tsc-frequency'], 'bit properties, and key=value pairs reach the tsc-frequency property');
    const mig = JSON.parse(fs.readFileSync(path.join(dir, 'expected-migration.json'), 'utf8'));
    const msr = mig.msrs.MSR_FIXTURE_STATE;
    assert.deepEqual([msr.vmstateSince, msr.migratedUnderKvmSince], ['1.0', '2.0'], 'in the stream from 1.0, through KVM only from 2.0');
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
