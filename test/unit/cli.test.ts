/** The `mtype` command line, run as users run it: the bundled CLI in a child process. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const root = resolve(__dirname, '../..');
const bin = join(root, 'bin/mtype.js');

function mtype(args: string[], cwd = root) {
  const r = spawnSync(process.execPath, [bin, ...args], { cwd, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

function fixture(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'mtype-cli-'));
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), text);
  }
  return dir;
}

const BAD = 'machine m {\n  qemu 2.12\n  accel tcg\n  cpuid +x2apc\n}\n';
const GOOD = 'machine m {\n  qemu 2.12\n  accel tcg\n  cpu qemu64\n}\n';

test('check: text output is path:line:col: severity code message, then a summary; exit 1 on errors', () => {
  const dir = fixture({ 'a.mtype': BAD });
  const r = mtype(['check', 'a.mtype'], dir);
  assert.equal(r.code, 1);
  const lines = r.out.trim().split('\n');
  assert.match(lines[0], /^a\.mtype:4:10: error MT100 unknown CPUID feature 'x2apc'; did you mean 'x2apic'/);
  assert.match(lines[lines.length - 1], /^1 file checked: 1 error, 0 warnings/);
});

test('check: exit 0 without errors; folders are walked, skipping node_modules and dot-folders', () => {
  const dir = fixture({ 'sub/good.mtype': GOOD, 'node_modules/x/bad.mtype': BAD, '.hidden/bad.mtype': BAD, 'notes.txt': 'x' });
  const r = mtype(['check', '--format', 'json', '.'], dir);
  assert.equal(r.code, 0, r.err);
  const json = JSON.parse(r.out);
  assert.deepEqual(json.files.map((f: { path: string }) => f.path), ['sub/good.mtype']);
  assert.deepEqual(Object.keys(json.summary), ['errors', 'warnings', 'information', 'hints']);
});

test('check --format json: the §6 shape with 0-based LSP ranges', () => {
  const dir = fixture({ 'a.mtype': BAD });
  const r = mtype(['check', '--format=json', 'a.mtype'], dir);
  assert.equal(r.code, 1);
  const json = JSON.parse(r.out);
  const d = json.files[0].diagnostics.find((x: { code: string }) => x.code === 'MT100');
  assert.deepEqual(d.range, { start: { line: 3, character: 9 }, end: { line: 3, character: 14 } });
  assert.equal(d.severity, 'error');
  assert.equal(typeof d.message, 'string');
  assert.equal(json.summary.errors, 1);
});

test('check --format sarif: SARIF 2.1.0 with rules and help text', () => {
  const dir = fixture({ 'a.mtype': BAD });
  const r = mtype(['check', '--format', 'sarif', 'a.mtype'], dir);
  assert.equal(r.code, 1);
  const sarif = JSON.parse(r.out);
  assert.equal(sarif.version, '2.1.0');
  const run = sarif.runs[0];
  assert.equal(run.tool.driver.name, 'mtype');
  const rule = run.tool.driver.rules.find((x: { id: string }) => x.id === 'MT200');
  assert.match(rule.help.text, /live migration/);
  const result = run.results[0];
  assert.equal(result.ruleId, 'MT100');
  assert.equal(run.tool.driver.rules[result.ruleIndex].id, 'MT100');
  assert.deepEqual(result.locations[0].physicalLocation.region, { startLine: 4, startColumn: 10, endLine: 4, endColumn: 15 });
  assert.equal(result.locations[0].physicalLocation.artifactLocation.uri, 'a.mtype');
});

test('check --severity: override and turn off codes', () => {
  const dir = fixture({ 'a.mtype': BAD });
  assert.equal(mtype(['check', '--severity', 'MT100=warning', 'a.mtype'], dir).code, 0);
  const off = mtype(['check', '--severity', 'MT100=off', '--format', 'json', 'a.mtype'], dir);
  assert.equal(JSON.parse(off.out).files[0].diagnostics.length, 0);
  assert.equal(mtype(['check', '--severity', 'MT999=off', 'a.mtype'], dir).code, 2);
});

test('exit 2 with a clear message: unreadable path, bad usage', () => {
  const missing = mtype(['check', '/nonexistent/x.mtype']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read '\/nonexistent\/x\.mtype'/);
  assert.equal(mtype(['check', '--format', 'xml', '.']).code, 2);
  assert.equal(mtype(['frobnicate']).code, 2);
  assert.equal(mtype([]).code, 2);
  assert.equal(mtype(['--help']).code, 0);
});

test('explain: json shape of §6, qemu and libvirt renderings', () => {
  const dir = fixture({
    'a.mtype': 'machine base {\n  qemu 2.12\n  cpu qemu64\n  cpuid { +x2apic -kvm-steal-time }\n}\nmachine m extends base {\n  accel kvm\n}\n',
  });
  const r = mtype(['explain', 'm', '--format', 'json', '.'], dir);
  assert.equal(r.code, 0, r.err);
  const e = JSON.parse(r.out);
  assert.deepEqual(Object.keys(e), ['machine', 'qemu', 'hostKernel', 'accel', 'cpu', 'followsHost', 'features', 'masked', 'msrs']);
  assert.equal(e.machine, 'm');
  assert.equal(e.qemu, '2.12');
  assert.equal(e.cpu, 'qemu64');
  assert.equal(e.accel, 'kvm');
  const x2apic = e.features.find((f: { name: string }) => f.name === 'x2apic');
  assert.deepEqual(x2apic, { name: 'x2apic', leaf: '0x1', subleaf: null, register: 'ecx', bit: 21, source: x2apic.source });
  assert.ok(['model', 'kvm-default', 'whitelist'].includes(x2apic.source));
  assert.ok(e.masked.some((m: { name: string }) => m.name === 'kvm-steal-time'));
  assert.ok(e.features.some((f: { source: string }) => f.source === 'model'));
  for (const m of e.msrs) assert.match(m.index, /^0x[0-9a-f]+$/);
  const q = mtype(['explain', 'm', '--format', 'qemu', '.'], dir);
  assert.equal(q.out.trim(), '-accel kvm -cpu qemu64,x2apic=on,kvm-steal-time=off', 'QEMU 2.12: -accel, f=on|off');
  const l = mtype(['explain', 'm', '--format', 'libvirt', '.'], dir);
  assert.match(l.out, /<cpu mode='custom' match='exact'/);
  // libvirt has no element for kvm-steal-time: said in a comment, never a CPU feature (issue 13)
  assert.match(l.out, /<!-- not expressible in libvirt[^>]*kvm-steal-time=off -->/);
  assert.doesNotMatch(l.out, /name='kvm-steal-time'/);
  assert.match(l.out, /<feature policy='require' name='lahf_lm'\/>/, "libvirt's spelling of lahf-lm");
  assert.equal(mtype(['explain', 'nope', '.'], dir).code, 1);
});

test('kb: feature, MSR and model records in the §6 shapes; unknown names exit 1 with suggestions', () => {
  const f = JSON.parse(mtype(['kb', 'kvm-pv-eoi', '--format', 'json']).out);
  assert.equal(f.kind, 'feature');
  assert.equal(f.leaf, '0x40000001');
  assert.equal(f.register, 'eax');
  assert.equal(f.bit, 6);
  for (const k of ['name', 'aliases', 'leaf', 'subleaf', 'register', 'bit', 'description', 'qemuSince', 'msrs', 'kvmSince', 'kvmUntil', 'unmigratable', 'dependsOn', 'sources']) {
    assert.ok(k in f, `feature has ${k}`);
  }
  assert.ok(f.msrs.some((m: { name: string; index: string }) => m.index === '0x4b564d04'));
  const byIndex = JSON.parse(mtype(['kb', '0x4b564d04', '--format', 'json']).out);
  assert.equal(byIndex.kind, 'msr');
  assert.equal(byIndex.role, 'state');
  const model = JSON.parse(mtype(['kb', 'Skylake-Server-IBRS', '--format', 'json']).out);
  assert.equal(model.kind, 'model');
  assert.match(model.name, /^Skylake-Server-v\d+$/);
  assert.ok(model.features.includes('spec-ctrl'));
  const unknown = mtype(['kb', 'kvm-pv-eio']);
  assert.equal(unknown.code, 1);
  assert.match(unknown.err, /did you mean .*kvm-pv-eoi/);
  const all = JSON.parse(mtype(['kb', '--all', '--format', 'json']).out);
  assert.deepEqual(Object.keys(all), ['features', 'msrs', 'models']);
  assert.ok(all.features.length > 250);
});

test('a reader that closes the pipe early (mtype check | head -1) ends the command quietly', () => {
  const dir = fixture({ 'a.mtype': 'machine m {\n  accel tcg\n' + '  cpuid +x2apc\n'.repeat(5000) + '}\n' });
  const r = spawnSync('bash', ['-c', `set -o pipefail; node ${JSON.stringify(bin)} check a.mtype | head -1`], { cwd: dir, encoding: 'utf8' });
  assert.match(r.stdout, /^a\.mtype:3:/);
  assert.doesNotMatch(r.stderr, /EPIPE|Error/);
});

const INHERITED = {
  'base.mtype': 'machine pc-i440fx-2.5 {\n  qemu 2.5\n  host-kernel >= 3.10\n  cpuid +kvm-pv-unhalt\n}\n',
  'child.mtype': 'machine pc-2.4 extends pc-i440fx-2.5 {\n}\n',
};

test('check: an inherited finding names its source and is followed by a note line per related location', () => {
  const dir = fixture(INHERITED);
  const r = mtype(['check', 'child.mtype', 'base.mtype'], dir);
  const lines = r.out.split('\n');
  const i = lines.findIndex((l) => /^child\.mtype:1:9: \w+ MT\d+ pc-2\.4 inherits \+kvm-pv-unhalt .*from pc-i440fx-2\.5/.test(l));
  assert.ok(i >= 0, r.out);
  assert.match(lines[i + 1], /^ {2}base\.mtype:4:9: note: /);
});

test('check --inherited once: a finding shared along a chain in one file is reported once, the others as note lines; the default counts it per machine', () => {
  const dir = fixture({ 'chain.mtype': INHERITED['base.mtype'] + INHERITED['child.mtype'] + 'machine pc-2.3 extends pc-2.4 {\n}\n' });
  const each = mtype(['check', 'chain.mtype'], dir).out;
  assert.equal(each.split('\n').filter((l) => / MT300 /.test(l)).length, 3, each);
  const once = mtype(['check', '--inherited', 'once', 'chain.mtype'], dir).out.split('\n');
  const i = once.findIndex((l) => /^chain\.mtype:4:9: error MT300 machine pc-i440fx-2\.5 whitelists kvm-pv-unhalt/.test(l));
  assert.ok(i >= 0, once.join('\n'));
  assert.equal(once.filter((l) => / MT300 /.test(l)).length, 1);
  assert.deepEqual(once.slice(i + 1, i + 3), ['  chain.mtype:6:9: note: pc-2.4 inherits this too', '  chain.mtype:8:9: note: pc-2.3 inherits this too']);
  assert.match(once.at(-2) ?? once.at(-1) ?? '', /1 error/);
});

test('check --format json: related locations as {path, range, message}, 0-based', () => {
  const dir = fixture(INHERITED);
  const json = JSON.parse(mtype(['check', '--format', 'json', 'child.mtype', 'base.mtype'], dir).out);
  const d = json.files[0].diagnostics.find((x: { message: string }) => /inherits \+kvm-pv-unhalt/.test(x.message));
  assert.ok(d, JSON.stringify(json.files[0].diagnostics));
  assert.equal(d.related[0].path, 'base.mtype');
  assert.deepEqual(d.related[0].range.start, { line: 3, character: 8 });
  assert.equal(typeof d.related[0].message, 'string');
  assert.deepEqual(json.files[1].diagnostics.find((x: { code: string }) => x.code === 'MT302')?.related, []);
});

test('check --format sarif: relatedLocations, and URIs relative to the working directory under %SRCROOT%', () => {
  const dir = fixture({ 'sub/base.mtype': INHERITED['base.mtype'], 'sub/child.mtype': INHERITED['child.mtype'] });
  const sarif = JSON.parse(mtype(['check', '--format', 'sarif', join(dir, 'sub')], dir).out);
  const run = sarif.runs[0];
  assert.match(run.originalUriBaseIds['%SRCROOT%'].uri, /^file:\/\/.*\/$/);
  const result = run.results.find((x: { message: { text: string } }) => /inherits \+kvm-pv-unhalt/.test(x.message.text));
  assert.ok(result);
  assert.deepEqual(result.locations[0].physicalLocation.artifactLocation, { uri: 'sub/child.mtype', uriBaseId: '%SRCROOT%' });
  const related = result.relatedLocations[0];
  assert.deepEqual(related.physicalLocation.artifactLocation, { uri: 'sub/base.mtype', uriBaseId: '%SRCROOT%' });
  assert.equal(related.physicalLocation.region.startLine, 4);
  assert.equal(typeof related.message.text, 'string');
});

test('every command answers --help with its usage and exit 0', () => {
  for (const [args, pattern] of [
    [['--help'], /Usage:/],
    [['check', '--help'], /^Usage: mtype check/],
    [['explain', '--help'], /^Usage: mtype explain/],
    [['kb', '--help'], /^Usage: mtype kb/],
    [['help', 'check'], /^Usage: mtype check/],
    [['check', '-h'], /0-based/],
  ] as const) {
    const r = mtype([...args]);
    assert.equal(r.code, 0, args.join(' '));
    assert.match(r.out, pattern);
  }
});

test('import: a QEMU command line from a file or standard input becomes a .mtype machine; bad input exits 2 with path:line:col', () => {
  const dir = fixture({ 'run.sh': "qemu-system-x86_64 \\\n  -machine pc-q35-7.2,accel=kvm \\\n  -cpu 'Skylake-Server,+pcid,-hle,kvm-pv-eoi=on'\n", 'bad.sh': 'qemu-kvm\n  -cpu qemu64,x2apic=maybe\n' });
  const r = mtype(['import', 'run.sh'], dir);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'machine pc-q35-7.2 {\n  qemu 7.2\n  accel kvm\n  cpu Skylake-Server\n  cpuid {\n    +pcid\n    -hle\n    +kvm-pv-eoi\n  }\n}\n');
  writeFileSync(join(dir, 'imported.mtype'), r.out);
  assert.equal(mtype(['explain', 'pc-q35-7.2', '--format', 'qemu', 'imported.mtype'], dir).out.trim(), '-machine pc-q35-7.2 -accel kvm -cpu Skylake-Server,pcid=on,kvm-pv-eoi=on,hle=off');
  const piped = spawnSync(process.execPath, [bin, 'import', '--name', 'fleet-a', '--qemu', '2.12'], { cwd: dir, encoding: 'utf8', input: 'qemu-kvm -enable-kvm -cpu qemu64,-x2apic' });
  assert.equal(piped.stdout, 'machine fleet-a {\n  qemu 2.12\n  accel kvm\n  cpu qemu64\n  cpuid {\n    -x2apic\n  }\n}\n');
  const unknown = spawnSync(process.execPath, [bin, 'import'], { cwd: dir, encoding: 'utf8', input: 'qemu -machine pc-i440fx-2.8 -cpu Haswel,+x2apc' });
  assert.equal(unknown.status, 0, 'unknown names are kept, not an unreadable input');
  assert.match(unknown.stdout, /cpu Haswel\n[^]*\+x2apc/);
  assert.match(unknown.stderr, /^<stdin>: warning: MT110 .*'Haswel'.*Haswell.*\(kept as written; line 3 of the machine\)$/m);
  assert.match(unknown.stderr, /^<stdin>: warning: MT100 unknown CPUID feature 'x2apc'; did you mean 'x2apic'/m);
  // A domain XML (after a comment line) goes to the libvirt reader without --from.
  writeFileSync(join(dir, 'domain.xml'), '# saved by virsh dumpxml\n' + mtype(['explain', 'pc-q35-7.2', '--format', 'libvirt', 'imported.mtype'], dir).out);
  const fromXml = mtype(['import', 'domain.xml', '--name', 'from-xml'], dir);
  assert.equal(fromXml.code, 0, fromXml.err);
  assert.match(fromXml.out, /^machine from-xml \{\n  qemu 7\.2\n/);
  assert.equal(mtype(['import', 'domain.xml', '--from', 'qemu'], dir).code, 2, 'XML is no command line');
  const bad = mtype(['import', 'bad.sh'], dir);
  assert.equal(bad.code, 2);
  assert.equal(bad.err.trim(), "bad.sh:2:22: error: expected on or off for x2apic, not 'maybe'");
  assert.equal(mtype(['import', 'missing.sh'], dir).code, 2);
  assert.match(mtype(['import', '--qemu', 'new'], dir).err, /--qemu: 'new' is not a version/);
  assert.match(mtype(['import', 'x', '--from', 'yaml'], dir).err, /--from must be one of qemu, libvirt/);
  assert.match(mtype(['import', '--help']).out, /^Usage: mtype import \[FILE\|-\] \[--from qemu\|libvirt\] \[--name NAME\] \[--qemu VERSION\]/);
});
