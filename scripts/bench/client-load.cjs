// Loads the client bundle the way VS Code does at activation (require, with a stub
// `vscode` module) and prints, as JSON, every module that loading requires.
// Usage: node scripts/bench/client-load.cjs client/out/extension.js
const Module = require('node:module');
const { performance } = require('node:perf_hooks');

const bundle = require('node:path').resolve(process.argv[2]);
const requested = [];
let recording = false;
const originalLoad = Module._load;
const stub = new Proxy(function () {}, { get: (_t, key) => (key === '__esModule' ? false : stub), apply: () => stub, construct: () => stub });
Module._load = function (request, parent, isMain) {
  if (recording && request !== bundle) requested.push(request);
  if (request === 'vscode') return stub;
  return originalLoad.call(this, request, parent, isMain);
};
const before = new Set(Object.keys(require.cache));
recording = true;
const t0 = performance.now();
const ext = require(bundle);
const loadMs = performance.now() - t0;
recording = false;
const files = Object.keys(require.cache).filter((f) => !before.has(f));
process.stdout.write(
  JSON.stringify({
    loadMs,
    exports: Object.keys(ext),
    requires: [...new Set(requested)].sort(),
    nonBuiltin: [...new Set(requested)].filter((r) => r !== 'vscode' && !Module.isBuiltin(r)),
    files,
  }) + '\n',
);
