/**
 * QEMU 7.2 as the oracle (Debian's qemu-system-x86, installed by scripts/oracles/install.sh):
 * for every machine of examples/ and test/history/ that QEMU 7.2 can run (its release is at most
 * 7.2 and its -machine type, if any, is one 7.2 has), start QEMU with the exported options under
 * TCG (`-S -display none -nodefaults -qmp stdio`) and read every feature property of the CPU it
 * built (QMP qom-get) against explain's bits for the machine under `accel tcg`. A bit explain
 * enables that TCG cannot give (absent from TCG's `max` model) is counted as TCG-filtered, not as a
 * mismatch. Every exported command line must start (no error exit).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Workspace } from '../../server/src/model/workspace';
import { compareVersions } from '../../server/src/common/version';
import { explainMachine } from '../../server/src/services/explain';
import { qemuExportInput } from '../../server/src/services/explain-qemu';
import { featureSpelling, qemuCommandLine } from '../../server/src/interop/qemu';

const root = resolve(__dirname, '../..');
const kb = getKnowledgeBase();
const QEMU = process.env.MTYPE_QEMU ?? 'qemu-system-x86_64';
const RELEASE = '7.2';

/** A QEMU process spoken to over QMP on stdio; stderr is kept for the failure message. */
class Qmp {
  private readonly waiting: Array<(reply: { return?: unknown; error?: { desc: string } }) => void> = [];
  private readonly exited: Promise<number | null>;
  stderr = '';

  constructor(args: string[]) {
    const child = spawn(QEMU, [...args, '-S', '-display', 'none', '-nodefaults', '-qmp', 'stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr.on('data', (d) => (this.stderr += d));
    let greeted = false;
    createInterface({ input: child.stdout }).on('line', (line) => {
      const msg = JSON.parse(line);
      if (msg.QMP) greeted = true;
      else if (greeted && !msg.event) this.waiting.shift()?.(msg);
    });
    this.exited = new Promise((done) => child.on('exit', (code) => done(code)));
    this.exited.then(() => {
      for (const w of this.waiting.splice(0)) w({ error: { desc: `QEMU exited: ${this.stderr.trim()}` } });
    });
  }

  private readonly child: ReturnType<typeof spawn>;

  execute(command: string, args?: object): Promise<{ return?: unknown; error?: { desc: string } }> {
    return new Promise((done) => {
      this.waiting.push(done);
      this.child.stdin!.write(JSON.stringify({ execute: command, ...(args ? { arguments: args } : {}) }) + '\n');
    });
  }

  async quit(): Promise<number | null> {
    await this.execute('quit');
    return this.exited;
  }

  /** Resolves to the exit code if QEMU stops before answering qmp_capabilities. */
  async start(): Promise<{ ok: true } | { ok: false; stderr: string }> {
    const r = await this.execute('qmp_capabilities');
    return r.error ? { ok: false, stderr: this.stderr } : { ok: true };
  }
}

function qemuVersion(): string | null {
  const r = spawnSync(QEMU, ['--version'], { encoding: 'utf8' });
  return r.status === 0 ? (/version (\d+\.\d+)/.exec(r.stdout)?.[1] ?? null) : null;
}

function machineTypes(): Set<string> {
  const r = spawnSync(QEMU, ['-machine', 'help'], { encoding: 'utf8' });
  return new Set(r.stdout.split('\n').slice(1).map((l) => l.split(/\s+/)[0]).filter(Boolean));
}

/** The feature properties TCG can give: the full expansion of the `max` model. */
async function tcgSupported(): Promise<Set<string>> {
  const q = new Qmp(['-machine', 'none', '-accel', 'tcg']);
  assert.ok((await q.start()).ok, q.stderr);
  const r = (await q.execute('query-cpu-model-expansion', { type: 'full', model: { name: 'max' } })) as { return: { model: { props: Record<string, unknown> } } };
  await q.quit();
  return new Set(Object.entries(r.return.model.props).filter(([, v]) => v === true).map(([k]) => k));
}

function folder(dir: string): Array<{ uri: string; text: string }> {
  return readdirSync(join(root, dir))
    .filter((n) => n.endsWith('.mtype'))
    .sort()
    .map((n) => ({ uri: join(dir, n), text: readFileSync(join(root, dir, n), 'utf8') }));
}

const version = qemuVersion();
const skip = version === null ? `${QEMU} is not installed (run scripts/oracles/install.sh)` : version !== RELEASE ? `${QEMU} is QEMU ${version}, not ${RELEASE}` : false;

test(`QEMU ${RELEASE} builds the CPU explain describes, from the exported command lines`, { skip, timeout: 600_000 }, async (t) => {
  const types = machineTypes();
  const tcg = await tcgSupported();
  const syntax = kb.release(RELEASE)?.commandLine;
  assert.ok(syntax, `the KB has read QEMU ${RELEASE}'s command line`);
  // Every KB bit QEMU 7.2 has a property for, by that property's name.
  const properties = kb.features.flatMap((f) => {
    const p = featureSpelling(f, RELEASE, syntax);
    return p ? [{ name: f.name, property: p }] : [];
  });
  const totals = { machines: 0, bits: 0, on: 0, matched: 0, filtered: 0, accepted: 0 };
  const skipped: string[] = [];
  const mismatches: string[] = [];
  for (const dir of ['examples', 'test/history']) {
    const docs = folder(dir);
    const ws = new Workspace();
    for (const d of docs) ws.setDocument(d.uri, d.text);
    const names = [...ws.machineNames()];
    // Each machine under TCG: the same machine with `accel tcg`, which is what QEMU builds here.
    ws.setDocument('oracle-tcg.mtype', names.map((n, i) => `machine oracle-tcg-${i} extends ${n} {\n  accel tcg\n}\n`).join(''));
    for (const [i, name] of names.entries()) {
      const ref = ws.lookup(name)!;
      const e = explainMachine(ref, ws, kb);
      if (compareVersions(e.qemu, RELEASE) > 0) continue; // a newer release's machine: not QEMU 7.2's to run
      const kvm = qemuCommandLine(qemuExportInput(e, ref, ws), kb);
      const named = kvm.args.includes('-machine') ? kvm.args[kvm.args.indexOf('-machine') + 1].split(',')[0] : null;
      const machine = named && !named.startsWith('accel=') ? named : null; // `-machine accel=kvm` names no type
      if (machine && !types.has(machine)) {
        skipped.push(`${name}: QEMU ${RELEASE} has no machine type ${machine}`);
        continue;
      }
      if (e.followsHost && e.cpu === 'host') {
        skipped.push(`${name}: -cpu host needs KVM`);
        continue;
      }
      const eTcg = explainMachine(ws.lookup(`oracle-tcg-${i}`)!, ws, kb);
      const input = qemuExportInput(eTcg, ref, ws);
      input.names = [name, ...input.names.slice(1)];
      const line = qemuCommandLine(input, kb);
      const q = new Qmp(line.args);
      const started = await q.start();
      assert.ok(started.ok, `QEMU ${RELEASE} rejects the export of ${name}: ${line.args.join(' ')}\n${q.stderr}`);
      totals.accepted++;
      if (kvm.args.at(-1) !== line.args.at(-1)) {
        // The KVM line's -cpu differs from the TCG one: it must start too.
        const k = new Qmp([...line.args.slice(0, -1), kvm.args.at(-1)!]);
        assert.ok((await k.start()).ok, `QEMU ${RELEASE} rejects -cpu ${kvm.args.at(-1)} (${name}):\n${k.stderr}`);
        await k.quit();
        totals.accepted++;
      }
      // Without a -machine type QEMU 7.2 would build its own newest machine's CPU; the machine's
      // release has a 7.2 machine type of the same guest ABI (pc-i440fx-R): compare under that one.
      let oracle = q;
      let args = line.args;
      if (!machine && !types.has(`pc-i440fx-${e.qemu}`)) {
        await q.quit();
        skipped.push(`${name}: QEMU ${RELEASE} has no machine type of release ${e.qemu}; command line accepted, bits not compared`);
        continue;
      }
      if (!machine) {
        await q.quit();
        args = ['-machine', `pc-i440fx-${e.qemu}`, ...line.args];
        oracle = new Qmp(args);
        assert.ok((await oracle.start()).ok, `QEMU ${RELEASE} rejects ${args.join(' ')}:\n${oracle.stderr}`);
      }
      if (e.followsHost) {
        await oracle.quit();
        skipped.push(`${name}: cpu ${e.cpu} follows the host; command line accepted, bits not compared`);
        continue;
      }
      const cpus = (await oracle.execute('query-cpus-fast')) as { return: Array<{ 'qom-path': string }> };
      const path = cpus.return[0]['qom-path'];
      const expected = new Set(eTcg.features.map((f) => f.name));
      for (const { name: bit, property } of properties) {
        const r = await oracle.execute('qom-get', { path, property });
        if (r.error) {
          mismatches.push(`${name}: QEMU ${RELEASE} has no property ${property} (the KB says it has)`);
          continue;
        }
        const actual = r.return === true;
        totals.bits++;
        if (expected.has(bit)) totals.on++;
        if (actual === expected.has(bit)) totals.matched++;
        else if (expected.has(bit) && !tcg.has(property)) totals.filtered++;
        else mismatches.push(`${name} (${args.join(' ')}): ${bit} is ${actual ? 'on' : 'off'} in QEMU, ${expected.has(bit) ? 'on' : 'off'} in explain`);
      }
      assert.equal(await oracle.quit(), 0, `QEMU exits cleanly after quit (${name})`);
      totals.machines++;
    }
  }
  const summary = `qemu ${RELEASE} oracle: ${totals.machines} machines compared, ${totals.bits} bits compared (${totals.on} of them on in explain), ${totals.matched} matched, ${totals.filtered} TCG-filtered, ${mismatches.length} mismatched; ${totals.accepted} command lines accepted; ${skipped.length} not run`;
  console.log(summary);
  for (const s of skipped) t.diagnostic(`not run: ${s}`);
  assert.deepEqual(mismatches, [], summary);
  assert.ok(totals.machines > 0, 'some machine was compared');
});
