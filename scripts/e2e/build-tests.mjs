// Builds the extension-host suite: test/vscode/*.ts -> out/vscode/*.js (CommonJS, Node 20+).
// Each *.test.ts and the runner index.ts become one bundle each (helpers inlined); `vscode` is provided by the
// extension host and `mocha` is loaded from node_modules at run time.
// Usage: node scripts/e2e/build-tests.mjs  (the extension itself is built by scripts/build.mjs)
import * as esbuild from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';

const dir = 'test/vscode';
const entryPoints = readdirSync(dir)
  .filter((f) => f === 'index.ts' || f.endsWith('.test.ts'))
  .map((f) => `${dir}/${f}`);
rmSync('out/vscode', { recursive: true, force: true });
await esbuild.build({
  entryPoints,
  outdir: 'out/vscode',
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  sourcemap: true,
  logLevel: 'warning',
  external: ['vscode', 'mocha'],
});
console.log(`built ${entryPoints.length} files into out/vscode/`);
