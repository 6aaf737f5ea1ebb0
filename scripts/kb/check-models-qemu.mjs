#!/usr/bin/env node
// Independent check of server/src/kb/data/models.json against a real QEMU binary.
//
// Usage:
//   node scripts/kb/check-models-qemu.mjs [--qemu /usr/bin/qemu-system-x86_64]
//        [--models server/src/kb/data/models.json] [--fixture test/fixtures/qemu72-models.json]
//        [--from-fixture]   (compare against the saved fixture instead of running QEMU)
//
// It starts `qemu-system-x86_64 -machine none -accel tcg -qmp stdio`, lists every CPU model with
// query-cpu-definitions, and for each versioned name ("X-vN") asks
// query-cpu-model-expansion type "static": QEMU answers with model "base" plus one boolean
// property per named feature bit, describing the model definition (no TCG filtering happens
// in expansion; filtering only happens when a CPU is realized).
//
// Compared: the set of feature properties that are true, ignoring
//  - vmx-* bits (acceptance ignores them),
//  - kvm-* paravirt bits (FEAT_KVM is emptied when the accelerator is not KVM),
//  - "vme": QEMU's TCG accelerator turns it off for every built-in model (tcg_default_props),
//    so TCG expansion cannot tell whether a model has it.
// The raw per-model lists (all true feature properties, as QEMU reported them) are saved to
// the fixture so tests can compare without a QEMU binary.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import readline from 'node:readline';

function parseArgs(argv) {
  const a = {};
  for (let i = 2; i < argv.length; i++) {
    const k = argv[i];
    if (k === '--from-fixture') { a.fromFixture = true; continue; }
    if (k === '--with-vmx') { a.withVmx = true; continue; }
    a[k.slice(2)] = argv[++i];
  }
  return a;
}

const args = parseArgs(process.argv);
const QEMU = args.qemu ?? '/usr/bin/qemu-system-x86_64';
const MODELS = args.models ?? 'server/src/kb/data/models.json';
const FIXTURE = args.fixture ?? 'test/fixtures/qemu72-models.json';

const NON_FEATURE = new Set(['family', 'model', 'stepping', 'model-id', 'vendor', 'min-level',
  'min-xlevel', 'level', 'xlevel', 'min-xlevel2', 'xlevel2']);

//   --with-vmx  also compare vmx-* bits (reported as a second figure).
export function comparable(list, withVmx = false) {
  return list.filter((f) => (withVmx || !f.startsWith('vmx-')) && !f.startsWith('kvm') && f !== 'vme');
}

class Qmp {
  constructor(bin) {
    this.proc = spawn(bin, ['-machine', 'none', '-accel', 'tcg', '-nographic', '-nodefaults',
      '-qmp', 'stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
    this.waiters = [];
    this.queue = [];
    readline.createInterface({ input: this.proc.stdout }).on('line', (line) => {
      let msg;
      try { msg = JSON.parse(line); } catch { return; }
      if ('event' in msg) return;
      const w = this.waiters.shift();
      if (w) w(msg); else this.queue.push(msg);
    });
  }
  next() {
    if (this.queue.length) return Promise.resolve(this.queue.shift());
    return new Promise((res) => this.waiters.push(res));
  }
  async cmd(execute, args) {
    const p = this.next();
    this.proc.stdin.write(JSON.stringify(args ? { execute, arguments: args } : { execute }) + '\n');
    const r = await p;
    if (r.error) throw new Error(`${execute}: ${r.error.desc}`);
    return r.return;
  }
}

async function fromQemu() {
  const q = new Qmp(QEMU);
  const greeting = await q.next();
  await q.cmd('qmp_capabilities');
  const defs = await q.cmd('query-cpu-definitions');
  const out = {
    qemu: greeting.QMP?.version ?? null,
    command: `${QEMU} -machine none -accel tcg -qmp stdio; query-cpu-model-expansion type=static`,
    note: 'Per versioned model: the feature properties QEMU reports true for the model definition. ' +
      'With TCG, kvm-* bits are always false and "vme" is forced off (tcg_default_props).',
    definitions: defs.map((d) => ({ name: d.name, aliasOf: d['alias-of'] ?? null,
      deprecated: d.deprecated ?? false, static: d.static ?? false }))
      .sort((a, b) => a.name.localeCompare(b.name)),
    models: {},
  };
  for (const d of out.definitions) {
    if (!/-v\d+$/.test(d.name)) continue;
    const r = await q.cmd('query-cpu-model-expansion', { type: 'static', model: { name: d.name } });
    const props = r.model.props;
    out.models[d.name] = Object.keys(props)
      .filter((k) => props[k] === true && !NON_FEATURE.has(k)).sort();
  }
  await q.cmd('quit').catch(() => {});
  q.proc.kill();
  return out;
}

async function main() {
  let fx;
  if (args.fromFixture) {
    fx = JSON.parse(fs.readFileSync(FIXTURE, 'utf8'));
  } else {
    fx = await fromQemu();
    fs.mkdirSync(FIXTURE.replace(/\/[^/]*$/, ''), { recursive: true });
    fs.writeFileSync(FIXTURE, JSON.stringify(fx, null, 1) + '\n');
    console.log(`saved ${Object.keys(fx.models).length} QEMU model expansions to ${FIXTURE}`);
  }
  const kb = JSON.parse(fs.readFileSync(MODELS, 'utf8'));
  const byName = new Map(kb.map((r) => [r.name, r]));
  let same = 0, total = 0;
  const missing = [], diffs = [];
  for (const [name, feats] of Object.entries(fx.models)) {
    total++;
    const r = byName.get(name);
    if (!r) { missing.push(name); continue; }
    const a = new Set(comparable(feats, args.withVmx)), b = new Set(comparable(r.features, args.withVmx));
    const onlyQemu = [...a].filter((x) => !b.has(x)), onlyKb = [...b].filter((x) => !a.has(x));
    if (!onlyQemu.length && !onlyKb.length) same++;
    else diffs.push(`${name}: only in QEMU [${onlyQemu.join(' ')}] only in KB [${onlyKb.join(' ')}]`);
  }
  // aliases must resolve too
  const aliasNames = new Set(kb.flatMap((r) => r.aliases));
  const missingAliases = fx.definitions
    .filter((d) => !/-v\d+$/.test(d.name) && !byName.has(d.name) && !aliasNames.has(d.name))
    .map((d) => d.name);
  for (const d of diffs) console.log(d);
  if (missing.length) console.log(`missing from models.json: ${missing.join(', ')}`);
  if (missingAliases.length) console.log(`names QEMU knows that resolve to nothing: ${missingAliases.join(', ')}`);
  const pct = total ? (100 * same / total) : 0;
  console.log(`agreement: ${same}/${total} versioned models identical (${pct.toFixed(1)} %), ` +
    `ignoring ${args.withVmx ? '' : 'vmx-*, '}kvm-* and vme`);
  process.exitCode = pct >= 95 && !missing.length ? 0 : 1;
}

main().catch((e) => { console.error(e); process.exit(2); });
