#!/usr/bin/env node
// Independent check data from a local QEMU binary, for the knowledge-base tests.
//
// Usage:
//   node scripts/kb/qemu-reference.mjs [--qemu /usr/bin/qemu-system-x86_64] [--out test/fixtures/kb-reference-qemu72.json]
//
// It starts QEMU with `-machine none -accel tcg` and a QMP monitor on stdio, and asks it
// for the property names of the "max-x86_64-cpu" device (device-list-properties).
// Other parts (e.g. CPU models) can be added to this file as further functions that use `qmp`.
// No dependencies.

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');

/**
 * Start QEMU with QMP on stdio. Returns { cmd(name, args) -> Promise<return>, version, close() }.
 */
export async function startQmp(qemu = '/usr/bin/qemu-system-x86_64', extraArgs = []) {
  const child = spawn(qemu, ['-machine', 'none', '-accel', 'tcg', '-nodefaults', '-nographic',
    '-display', 'none', '-monitor', 'none', '-serial', 'none', '-qmp', 'stdio', ...extraArgs],
  { stdio: ['pipe', 'pipe', 'pipe'] });
  let buf = '';
  const waiters = [];
  const messages = [];
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  child.stdout.on('data', (d) => {
    buf += d;
    let nl;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl).trim();
      buf = buf.slice(nl + 1);
      if (!line) continue;
      const msg = JSON.parse(line);
      if (msg.event) continue;
      messages.push(msg);
      while (waiters.length && messages.length) waiters.shift()(messages.shift());
    }
  });
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const next = () => new Promise((resolve, reject) => {
    if (messages.length) { resolve(messages.shift()); return; }
    waiters.push(resolve);
    exited.then((code) => reject(new Error(`qemu exited (${code}): ${stderr}`)));
  });
  const greeting = await next();
  const cmd = async (execute, args) => {
    child.stdin.write(JSON.stringify(args ? { execute, arguments: args } : { execute }) + '\n');
    const r = await next();
    if (r.error) throw new Error(`${execute}: ${r.error.class}: ${r.error.desc}`);
    return r.return;
  };
  await cmd('qmp_capabilities');
  const v = greeting.QMP.version.qemu;
  return {
    cmd,
    version: `${v.major}.${v.minor}.${v.micro}`,
    async close() {
      try { await cmd('quit'); } catch { /* exits */ }
      await exited;
    },
  };
}

/**
 * The boolean property names of the max CPU (every feature spelling this QEMU accepts,
 * including underscore aliases and hv-*), sorted; plus the non-boolean names separately.
 */
export async function listFeatureNames(qmp, typename = 'max-x86_64-cpu') {
  const props = await qmp.cmd('device-list-properties', { typename });
  const bool = props.filter((p) => p.type === 'bool').map((p) => p.name).sort();
  const other = props.filter((p) => p.type !== 'bool').map((p) => p.name).sort();
  return { typename, booleanProperties: bool, otherProperties: other };
}

async function main() {
  const args = process.argv.slice(2);
  const opt = (k, d) => { const i = args.indexOf(k); return i >= 0 ? args[i + 1] : d; };
  const qemu = opt('--qemu', '/usr/bin/qemu-system-x86_64');
  const out = opt('--out', path.join(repoRoot, 'test', 'fixtures', 'kb-reference-qemu72.json'));
  const qmp = await startQmp(qemu);
  try {
    const features = await listFeatureNames(qmp);
    let doc = {};
    if (fs.existsSync(out)) doc = JSON.parse(fs.readFileSync(out, 'utf8'));
    doc.qemuVersion = qmp.version;
    doc.source = `${path.basename(qemu)} ${qmp.version}: QMP device-list-properties typename=${features.typename}`;
    doc.featureProperties = features.booleanProperties;
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
    console.log(`qemu-reference: ${features.booleanProperties.length} boolean CPU properties from QEMU ${qmp.version} -> ${path.relative(process.cwd(), out)}`);
  } finally {
    await qmp.close();
  }
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((e) => { console.error(e.message); process.exit(2); });
}
