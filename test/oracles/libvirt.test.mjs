// libvirt as an oracle for `explain --format libvirt` (install: scripts/oracles/install-libvirt.sh).
// For every machine of examples/ and test/history/:
//   1. the exported XML, in a minimal <domain>, validates against libvirt's installed domain.rng (xmllint --relaxng);
//   2. its <model> and every <feature name> are in the installed cpu_map (read here, not from the KB);
//   3. libvirt itself turns the domain into a QEMU command line (virsh -c qemu:///session domxml-to-native,
//      as an unprivileged user with a private session daemon), and the -cpu it writes, read back as a
//      machine, resolves to the machine's guest CPU (the bits the export lists as not expressible aside).
// Prints one summary line. Skips, saying why, when libvirt is not installed.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync, spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const CPU_MAP = '/usr/share/libvirt/cpu_map';
const SCHEMA = '/usr/share/libvirt/schemas/domain.rng';
const have = (cmd) => {
  try {
    execFileSync('sh', ['-c', `command -v ${cmd}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const missing = [
  !fs.existsSync(CPU_MAP) && `${CPU_MAP} (libvirt0)`,
  !fs.existsSync(SCHEMA) && `${SCHEMA} (libvirt0)`,
  !have('xmllint') && 'xmllint (libxml2-utils)',
  !have('virsh') && 'virsh (libvirt-clients)',
  !fs.existsSync('/usr/sbin/libvirtd') && !have('libvirtd') && 'libvirtd (libvirt-daemon)',
].filter(Boolean);
const skip = missing.length ? `libvirt is not installed (missing ${missing.join(', ')}); run scripts/oracles/install-libvirt.sh` : false;

// The engine, bundled from source with esbuild (a dev dependency), so the test calls it directly.
async function loadEngine() {
  const esbuild = await import('esbuild');
  const out = path.join(os.tmpdir(), `mtype-libvirt-engine-${process.pid}.cjs`);
  await esbuild.build({ entryPoints: [path.join(root, 'test/oracles/libvirt-engine.ts')], bundle: true, platform: 'node', format: 'cjs', outfile: out, logLevel: 'error', loader: { '.json': 'json' } });
  const engine = createRequire(import.meta.url)(out);
  fs.rmSync(out, { force: true });
  return engine;
}

/** libvirt's installed x86 cpu_map: model names, feature names and aliases (its own files, not the KB). */
function installedCpuMap() {
  const index = fs.readFileSync(path.join(CPU_MAP, 'index.xml'), 'utf8');
  const x86 = index.slice(index.indexOf("<arch name='x86'>"), index.indexOf('</arch>', index.indexOf("<arch name='x86'>")));
  const files = [...x86.matchAll(/filename='([^']+)'/g)].map((m) => m[1]);
  const models = new Set();
  const features = new Set();
  for (const f of files) {
    const xml = fs.readFileSync(path.join(CPU_MAP, f), 'utf8').replace(/<!--[\s\S]*?-->/g, '');
    if (f === 'x86_features.xml') for (const m of xml.matchAll(/<(?:feature|alias) name='([^']+)'/g)) features.add(m[1]);
    else for (const m of xml.matchAll(/<model name='([^']+)'>/g)) models.add(m[1]);
  }
  return { models, features };
}

/** Every machine of a folder, as (dir, name). */
function machinesOf(dir) {
  const names = new Set();
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.mtype'))) {
    for (const line of fs.readFileSync(path.join(dir, f), 'utf8').split('\n')) {
      const m = /^machine\s+([A-Za-z0-9_][A-Za-z0-9_.-]*)/.exec(line);
      if (m) names.add(m[1]);
    }
  }
  return [...names];
}

/** A minimal full domain around an exported fragment (libvirt requires <name>, <memory>, <os>). */
function domainOf(x, name) {
  const fragment = x.xml;
  const type = x.domainType;
  const os = x.machineType ? '' : "<os>\n  <type arch='x86_64'>hvm</type>\n</os>\n";
  return `<domain type='${type}'>\n<name>${name}</name>\n<memory unit='MiB'>64</memory>\n${os}${fragment}\n</domain>\n`;
}

/** A private libvirt session (daemon started here, stopped by its pid) for an unprivileged user. */
function session(home) {
  const asRoot = process.getuid?.() === 0;
  const env = { PATH: '/usr/bin:/usr/sbin:/bin:/sbin', HOME: home, XDG_RUNTIME_DIR: path.join(home, 'run'), XDG_CONFIG_HOME: path.join(home, 'config'), XDG_CACHE_HOME: path.join(home, 'cache'), LC_ALL: 'C' };
  fs.mkdirSync(env.XDG_RUNTIME_DIR, { recursive: true, mode: 0o700 });
  if (asRoot) execFileSync('chown', ['-R', '65534:65534', home]);
  // libvirt's session mode is for unprivileged users; as root, run it as nobody (in the kvm group, for /dev/kvm).
  const kvmGid = asRoot ? groupId('kvm') : null;
  const groups = kvmGid !== null ? [`--groups=${kvmGid}`] : ['--clear-groups'];
  const wrap = (cmd, args) => (asRoot ? ['setpriv', ['--reuid=65534', '--regid=65534', ...groups, cmd, ...args]] : [cmd, args]);
  const libvirtd = fs.existsSync('/usr/sbin/libvirtd') ? '/usr/sbin/libvirtd' : 'libvirtd';
  const [dcmd, dargs] = wrap(libvirtd, ['--timeout=120']);
  const daemon = spawn(dcmd, dargs, { env, stdio: 'ignore' });
  const sock = path.join(env.XDG_RUNTIME_DIR, 'libvirt', 'libvirt-sock');
  for (let i = 0; i < 100 && !fs.existsSync(sock); i++) execFileSync('sleep', ['0.1']);
  return {
    toNative(file) {
      const [cmd, args] = wrap('virsh', ['-c', 'qemu:///session', 'domxml-to-native', 'qemu-argv', file]);
      return execFileSync(cmd, args, { env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    },
    stop() {
      if (daemon.exitCode === null) daemon.kill('SIGTERM');
    },
  };
}

function groupId(name) {
  const line = fs.readFileSync('/etc/group', 'utf8').split('\n').find((l) => l.startsWith(name + ':'));
  return line ? line.split(':')[2] : null;
}

/** Whether the session user can open /dev/kvm (libvirt then accepts type='kvm' domains). */
function kvmUsable() {
  try {
    const st = fs.statSync('/dev/kvm');
    if (process.getuid?.() === 0) return (st.mode & 0o060) === 0o060 && String(st.gid) === groupId('kvm');
    fs.accessSync('/dev/kvm', fs.constants.R_OK | fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** The -machine type and -cpu value of a QEMU command line libvirt wrote. */
function argvCpu(argv) {
  const words = argv.trim().split(/\s+/);
  const at = (opt) => {
    const i = words.indexOf(opt);
    return i < 0 ? null : words[i + 1];
  };
  return { machine: at('-machine')?.split(',')[0] ?? null, cpu: at('-cpu'), accel: at('-accel') };
}

/** -cpu MODEL,prop=on,… as a machine (what QEMU builds from it), in .mtype. */
function cpuAsMtype(cpu, e) {
  const [model, ...props] = cpu.split(',');
  const edits = [];
  let tsc = null;
  for (const p of props) {
    const [k, v] = p.split('=');
    if (k === 'tsc-frequency') tsc = v;
    else if (v === 'on' || v === 'off') edits.push(`${v === 'on' ? '+' : '-'}${k}`);
    else if (p.startsWith('+') || p.startsWith('-')) edits.push(p);
    else throw new Error(`unexpected -cpu property ${p}`);
  }
  const host = model === 'host' || model === 'max';
  return [`machine from-libvirt {`, `  qemu ${e.qemu}`, `  accel ${e.accel}`, `  cpu ${host ? model : model}`, ...(tsc ? [`  tsc-frequency ${tsc}`] : []), '  cpuid {', ...edits.map((x) => `    ${x}`), '  }', '}', ''].join('\n');
}

test('libvirt oracle: schema, cpu_map names, domxml-to-native', { skip }, async () => {
  const engine = await loadEngine();
  const kb = engine.getKnowledgeBase();
  const cpuMap = installedCpuMap();
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'mtype-libvirt-'));
  fs.chmodSync(home, 0o755);
  const qemuMachines = have('qemu-system-x86_64') ? new Set(execFileSync('qemu-system-x86_64', ['-machine', 'help'], { encoding: 'utf8' }).split('\n').slice(1).map((l) => l.split(/\s+/)[0]).filter(Boolean)) : null;
  const stats = { machines: 0, validated: 0, names: 0, converted: 0, matched: 0, noMachineType: 0, bitsCompared: 0, excluded: 0, needKvm: 0, failures: [] };
  const jobs = [];
  for (const dir of [path.join(root, 'examples'), path.join(root, 'test/history')]) {
    const project = new engine.Project(kb);
    for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.mtype'))) project.update(path.join(dir, f), fs.readFileSync(path.join(dir, f), 'utf8'));
    for (const name of machinesOf(dir)) {
      const ref = project.workspace.lookup(name);
      const e = engine.explainMachine(ref, project.workspace, kb);
      const x = engine.exportLibvirt(e, kb, { tscFrequency: project.workspace.resolve(ref).tscFrequency?.value ?? null });
      const file = path.join(home, `${jobs.length}.xml`);
      fs.writeFileSync(file, domainOf(x, `mtype-${jobs.length}`), { mode: 0o644 });
      jobs.push({ where: `${path.basename(dir)}/${name}`, e, x, file });
    }
  }
  stats.machines = jobs.length;

  // 1. libvirt's schema, all files in one xmllint run.
  let report = '';
  try {
    execFileSync('xmllint', ['--noout', '--relaxng', SCHEMA, ...jobs.map((j) => j.file)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    report = String(err.stderr ?? '');
  }
  const invalid = jobs.filter((j) => report.includes(`${j.file} fails to validate`) || report.includes(`${j.file}:`));
  stats.validated = jobs.length - invalid.length;
  for (const j of invalid) stats.failures.push(`${j.where}: not valid for ${SCHEMA}:\n${report.split('\n').filter((l) => l.startsWith(j.file)).join('\n')}`);

  // 2. Names against the installed cpu_map.
  for (const j of jobs) {
    const names = [...(j.x.model ? [['model', j.x.model]] : []), ...j.x.features.map((f) => ['feature', f.name])];
    for (const [kind, n] of names) {
      stats.names++;
      if (!(kind === 'model' ? cpuMap.models : cpuMap.features).has(n)) stats.failures.push(`${j.where}: ${kind} ${n} is not in ${CPU_MAP}`);
    }
  }

  // 3. libvirt writes the QEMU command line; read its -cpu back as a machine and resolve it.
  const kvm = kvmUsable();
  const lv = session(home);
  after(() => lv.stop());
  try {
    for (const j of jobs) {
      let xml = fs.readFileSync(j.file, 'utf8');
      if (!kvm && j.x.domainType === 'kvm') {
        // Without /dev/kvm libvirt takes only TCG domains; it then omits <features><kvm> and refuses host-passthrough.
        if (j.x.mode === 'host-passthrough' || j.x.elements.some((el) => el.element.parent === 'features/kvm')) {
          stats.needKvm++;
          continue;
        }
        xml = xml.replace(/<domain type='kvm'>/, "<domain type='qemu'>");
      }
      const type = j.x.machineType;
      if (type && qemuMachines && !qemuMachines.has(type)) {
        xml = xml.replace(/ machine='[^']*'/, ''); // the installed QEMU no longer (or not yet) has this machine type
        stats.noMachineType++;
      }
      const file = j.file.replace(/\.xml$/, '-tcg.xml');
      fs.writeFileSync(file, xml, { mode: 0o644 });
      let argv;
      try {
        argv = lv.toNative(file);
      } catch (err) {
        stats.failures.push(`${j.where}: domxml-to-native failed: ${String(err.stderr ?? err.message).trim()}`);
        continue;
      }
      stats.converted++;
      const got = argvCpu(argv);
      if (type && qemuMachines?.has(type)) assert.equal(got.machine, type, `${j.where}: -machine`);
      if (j.x.mode !== 'custom') {
        if (!got.cpu?.startsWith(j.x.mode === 'maximum' ? 'max' : 'host')) stats.failures.push(`${j.where}: -cpu ${got.cpu} for mode ${j.x.mode}`);
      }
      const p = new engine.Project(kb);
      p.update('from-libvirt.mtype', cpuAsMtype(got.cpu, j.e));
      const back = engine.explainMachine(p.workspace.lookup('from-libvirt'), p.workspace, kb);
      const expected = new Set(j.e.features.map((f) => f.name));
      for (const b of j.x.notExpressible) {
        stats.excluded++;
        if (b.on) expected.delete(b.name);
        else expected.add(b.name);
      }
      const have = new Set(back.features.map((f) => f.name));
      stats.bitsCompared += new Set([...expected, ...have]).size;
      const missingBits = [...expected].filter((n) => !have.has(n));
      const extraBits = [...have].filter((n) => !expected.has(n));
      if (missingBits.length || extraBits.length) stats.failures.push(`${j.where}: -cpu ${got.cpu}: missing ${missingBits.join(' ') || '-'}, extra ${extraBits.join(' ') || '-'}`);
      else stats.matched++;
    }
  } finally {
    lv.stop();
  }
  console.log(
    `libvirt oracle (libvirt ${execFileSync('virsh', ['--version'], { encoding: 'utf8' }).trim()}): ${stats.machines} machines, ${stats.validated} XMLs validated against domain.rng, ` +
      `${stats.names} names checked against cpu_map, ${stats.converted} converted by domxml-to-native (${stats.noMachineType} without a machine type the installed QEMU lacks), ` +
      `${stats.matched} matched (${stats.bitsCompared} bits compared, ${stats.excluded} not expressible excluded)` +
      (kvm ? ', domains converted as type kvm' : `; no usable /dev/kvm: ${stats.needKvm} KVM-only domains not converted, the others converted as type qemu`),
  );
  fs.rmSync(home, { recursive: true, force: true });
  assert.deepEqual(stats.failures, []);
});
