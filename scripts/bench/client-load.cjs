// Loads the client bundle the way VS Code does at activation (require, with a stub
// `vscode` module) and prints, as JSON, every module that loading requires.
// Usage: node scripts/bench/client-load.cjs client/out/extension.js
const Module = require('node:module');
const { performance } = require('node:perf_hooks');

const requested = [];
const originalLoad = Module._load;
const stub = new Proxy(function () {}, { get: (_t, key) => (key === '__esModule' ? false : stub), apply: () => stub, construct: () => stub });
Module._load = function (request, parent, isMain) {
  requested.push(request);
  if (request === 'vscode') return stub;
  return originalLoad.call(this, request, parent, isMain);
};
const before = new Set(Object.keys(require.cache));
const t0 = performance.now();
const ext = require(require('node:path').resolve(process.argv[2]));
const loadMs = performance.now() - t0;
const files = Object.keys(require.cache).filter((f) => !before.has(f));
process.stdout.write(
  JSON.stringify({
    loadMs,
    exports: Object.keys(ext),
    requires: [...new Set(requested.slice(1))].sort(),
    files,
  }) + '\n',
);
