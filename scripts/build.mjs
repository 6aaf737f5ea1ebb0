// Builds the three bundles (client, server, CLI) and, with --tests, the test files.
// Usage: node scripts/build.mjs [--watch] [--production] [--tests] [--oracles]
import * as esbuild from 'esbuild';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const args = new Set(process.argv.slice(2));
const production = args.has('--production');
const common = {
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: !production,
  minify: production,
  logLevel: 'warning',
  legalComments: 'none',
};

const bundles = [
  { entryPoints: ['client/src/extension.ts'], outfile: 'client/out/extension.js', external: ['vscode'] },
  { entryPoints: ['server/src/lsp/main.ts'], outfile: 'server/out/server.js' },
  { entryPoints: ['server/src/cli/bin.ts'], outfile: 'server/out/cli.js' },
];

/** Every .ts file below `dir`, for the unbundled test build. */
function tsFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts') && !name.endsWith('.d.ts')) out.push(path);
  }
  return out;
}

const builds = bundles.map((b) => ({ ...common, ...b }));
if (args.has('--tests')) {
  // Each test file becomes its own bundle (sources and KB data included), so the
  // tests need nothing but node and run exactly the code the bundles ship.
  builds.push({
    ...common,
    sourcemap: true,
    minify: false,
    entryPoints: tsFiles('test/unit').filter((f) => f.endsWith('.test.ts')),
    outbase: 'test/unit',
    outdir: 'out/test',
  });
}

if (args.has('--oracles')) {
  // The tests against real QEMU/libvirt (npm run test:oracles): bundled like the unit tests, run apart.
  builds.push({ ...common, sourcemap: true, minify: false, entryPoints: tsFiles('test/oracles').filter((f) => f.endsWith('.test.ts')), outbase: 'test/oracles', outdir: 'out/oracles' });
}

if (args.has('--watch')) {
  const contexts = await Promise.all(builds.map((b) => esbuild.context(b)));
  await Promise.all(contexts.map((c) => c.watch()));
  console.log('watching…');
} else {
  await Promise.all(builds.map((b) => esbuild.build(b)));
}
