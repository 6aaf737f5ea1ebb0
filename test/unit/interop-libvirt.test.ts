/**
 * libvirt both ways (server/src/interop/libvirt.ts), against the real knowledge base:
 * the XML reader's errors, the importer, and the round trip for every machine of examples/
 * and test/history/: import(export(M)) resolves to M's guest CPU, except the bits the export
 * lists as not expressible in libvirt (checked to be exactly those).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getKnowledgeBase } from '../../server/src/kb/knowledge-base';
import { Project } from '../../server/src/services/project';
import { explainMachine } from '../../server/src/services/explain';
import { exportLibvirt, importLibvirt } from '../../server/src/interop/libvirt';
import { machineTypeOf, machineTypeRelease } from '../../server/src/interop/machine-types';
import { ImportError, renderMtype } from '../../server/src/interop/imported';
import { parseXml } from '../../server/src/interop/xml';
import { renderExplanation } from '../../server/src/services/machine-requests';

const kb = getKnowledgeBase();

function projectOf(dir: string): Project {
  const p = new Project(kb);
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.mtype'))) p.update(join(dir, f), readFileSync(join(dir, f), 'utf8'));
  return p;
}

function machineNames(p: Project): string[] {
  const names = new Set<string>();
  for (const doc of p.workspace.documents) for (const m of doc.tree.machines) if (m.name) names.add(m.name.text);
  return [...names];
}

function importError(text: string): ImportError {
  try {
    importLibvirt(text, kb);
  } catch (e) {
    if (e instanceof ImportError) return e;
    throw e;
  }
  assert.fail(`no ImportError for ${JSON.stringify(text)}`);
}

/** The guest CPU of `.mtype` text's only machine. */
function resolveText(mtype: string) {
  const p = new Project(kb);
  p.update('imported.mtype', mtype);
  const name = [...p.workspace.documents][0].tree.machines[0].name!.text;
  return { e: explainMachine(p.workspace.lookup(name)!, p.workspace, kb), tsc: p.workspace.resolve(p.workspace.lookup(name)!).tscFrequency?.value ?? null };
}

const suites = [resolve(__dirname, '../../examples'), resolve(__dirname, '../../test/history')];
let machines = 0;
let excluded = 0;
for (const dir of suites) {
  const project = projectOf(dir);
  for (const name of machineNames(project)) {
    test(`libvirt round trip: ${dir.split('/').pop()}/${name}`, () => {
      machines++;
      const ref = project.workspace.lookup(name)!;
      const e = explainMachine(ref, project.workspace, kb);
      const tscFrequency = project.workspace.resolve(ref).tscFrequency?.value ?? null;
      const x = exportLibvirt(e, kb, { tscFrequency });
      // The names written are libvirt's: the model is a cpu_map model, every <feature> a cpu_map feature.
      if (x.model) assert.ok(kb.libvirt.model(x.model), `${x.model} is a libvirt model`);
      for (const f of x.features) assert.ok(kb.libvirt.qemuNameOf(f.name), `${f.name} is a cpu_map feature`);
      assert.doesNotMatch(x.xml, /name='kvm[-_]|name='kvmclock'\/>/, 'no KVM paravirt bit as a CPU feature');
      const domain = `<domain type='${x.domainType}'>\n<name>rt</name>\n<memory unit='MiB'>64</memory>\n${x.xml}\n</domain>\n`;
      const imported = importLibvirt(domain, kb, { name: 'rt', qemu: x.machineType ? undefined : e.qemu });
      const back = resolveText(renderMtype(imported));
      assert.equal(back.e.qemu, e.qemu);
      assert.equal(back.e.accel, e.accel);
      assert.equal(back.tsc, tscFrequency);
      // `follows-host` on a machine with a fixed model is a promise of the machine type, which libvirt has no place for.
      const hostModel = !!kb.model(e.cpu)?.followsHost;
      assert.equal(back.e.followsHost, hostModel);
      if (e.followsHost && !hostModel) assert.match(x.xml, /follows-host.*no libvirt setting/);
      // Expected: M's bits, with each bit the export could not express left as QEMU's model gives it.
      const expected = new Set(e.features.map((f) => f.name));
      for (const b of x.notExpressible) {
        excluded++;
        if (b.on) expected.delete(b.name);
        else expected.add(b.name);
      }
      const got = new Set(back.e.features.map((f) => f.name));
      const missing = [...expected].filter((n) => !got.has(n));
      const extra = [...got].filter((n) => !expected.has(n));
      assert.deepEqual({ missing, extra }, { missing: [], extra: [] }, `${name}: ${x.xml}`);
      if (x.mode === 'custom') assert.equal(kb.model(back.e.cpu), kb.model(x.model!), 'the model libvirt names is the model imported');
      // A fragment (what explain prints) imports the same way, the domain type aside.
      if (x.domainType === 'kvm') {
        const fromFragment = importLibvirt(x.xml, kb, { name: 'rt', qemu: x.machineType ? undefined : e.qemu });
        assert.deepEqual({ ...fromFragment, accel: 'kvm' }, imported);
      }
    });
  }
}

test('libvirt round trip covered every machine', { skip: false }, () => {
  // node:test runs tests in order: this one runs after every round trip above.
  assert.ok(machines >= 70, `round trips run: ${machines}`);
  console.log(`libvirt round trip: ${machines} machines, ${excluded} bits not expressible in libvirt (excluded explicitly)`);
});

test('export: libvirt spellings, libvirt model names, KVM bits where libvirt keeps them', () => {
  const p = new Project(kb);
  p.update(
    'm.mtype',
    'machine pc-q35-7.2 {\n  qemu 7.2\n  cpu Skylake-Server-v4\n  tsc-frequency 2400000000\n  cpuid {\n    +pclmulqdq\n    -tsc-adjust\n    -kvmclock\n    -kvm-pv-eoi\n    +kvm-pv-unhalt\n    +kvm-poll-control\n    +kvm-pv-ipi\n    -kvm-steal-time\n  }\n}\n',
  );
  const ref = p.workspace.lookup('pc-q35-7.2')!;
  const x = exportLibvirt(explainMachine(ref, p.workspace, kb), kb, { tscFrequency: '2400000000' });
  assert.equal(x.model, 'Skylake-Server-noTSX-IBRS', 'libvirt 9.0 has no Skylake-Server-v4: the same family');
  assert.match(x.modelNote ?? '', /no model for QEMU's Skylake-Server-v4/);
  assert.match(x.xml, /<type arch='x86_64' machine='pc-q35-7\.2'>hvm<\/type>/);
  assert.match(x.xml, /<feature policy='disable' name='tsc_adjust'\/>/);
  assert.doesNotMatch(x.xml, /tsc-adjust|pclmulqdq/);
  assert.match(x.xml, /<timer name='kvmclock' present='no'\/>/);
  assert.match(x.xml, /<apic eoi='off'\/>/);
  assert.match(x.xml, /<pvspinlock state='on'\/>/);
  assert.match(x.xml, /<kvm>\s*<poll-control state='on'\/>\s*<\/kvm>/);
  assert.match(x.xml, /<timer name='tsc' frequency='2400000000'\/>/);
  assert.match(x.xml, /not expressible in libvirt[^>]*kvm-steal-time=off/);
  // libvirt 9.0 passes <pv-ipi state='on'/> on to QEMU as nothing (it writes only kvm-pv-ipi=off).
  assert.deepEqual(x.notExpressible, [
    { name: 'kvm-pv-ipi', on: true },
    { name: 'kvm-steal-time', on: false },
  ]);
  assert.doesNotMatch(x.xml, /<pv-ipi/);
  // The editor's "Copy as libvirt" goes through the same export.
  const copied = renderExplanation(p, 'pc-q35-7.2', 'libvirt');
  assert.ok('text' in copied && copied.text === x.xml);
});

test('export: a model libvirt has under its QEMU alias, and host/max', () => {
  const p = new Project(kb);
  p.update('m.mtype', 'machine a {\n  qemu 2.12\n  cpu Haswell-noTSX-IBRS\n}\nmachine h {\n  cpu host\n  cpuid +pcid\n}\nmachine t {\n  accel tcg\n  cpu max\n}\n');
  const ex = (n: string) => exportLibvirt(explainMachine(p.workspace.lookup(n)!, p.workspace, kb), kb);
  assert.equal(ex('a').model, 'Haswell-noTSX-IBRS');
  assert.equal(ex('a').modelNote, null);
  assert.match(ex('h').xml, /<cpu mode='host-passthrough' check='none' migratable='on'>\s*<feature policy='require' name='pcid'\/>/);
  assert.equal(ex('t').domainType, 'qemu');
  assert.match(ex('t').xml, /<cpu mode='maximum'/);
});

test('machine types: one rule for both formats, dated by the KB (a type runs in its own and later releases until removed)', () => {
  const notes: string[] = [];
  assert.equal(machineTypeOf(['pc-q35-7.2'], kb, '7.2', notes), 'pc-q35-7.2');
  assert.equal(machineTypeOf(['pc-i440fx-2.12'], kb, '2.12', notes), 'pc-i440fx-2.12');
  assert.equal(machineTypeOf(['pc-1.3'], kb, '1.3', notes), 'pc-1.3');
  assert.equal(machineTypeOf(['pc-q35-7.2'], kb, '8.0', notes), 'pc-q35-7.2', 'QEMU 8.0 still starts the 7.2 type');
  assert.deepEqual(notes, []);
  assert.equal(machineTypeOf(['pc-q35-8.0'], kb, '7.2', notes), null, 'a type newer than the release');
  assert.match(notes[0], /QEMU 7\.2 has no machine type pc-q35-8\.0 yet/);
  assert.equal(machineTypeOf(['acme-2018.1'], kb, '2.8', []), null);
  assert.equal(machineTypeRelease('pc-q35-7.2'), '7.2');
  assert.equal(machineTypeRelease('pc-i440fx-2.12'), '2.12');
  assert.equal(machineTypeRelease('pc-q35-4.0.1'), '4.0');
  assert.equal(machineTypeRelease('q35'), null);
  // the libvirt export writes the same <os><type machine> the QEMU export writes -machine for
  const later = exportLibvirt({ machine: 'pc-q35-7.2', qemu: '8.0', accel: 'kvm', cpu: 'qemu64', followsHost: false, features: [], masked: [] }, kb);
  assert.equal(later.machineType, 'pc-q35-7.2');
});

test('import: a full domain with libvirt spellings, policies, <features> and <clock>', () => {
  const m = importLibvirt(
    `<?xml version='1.0'?>
<!-- a domain as virsh dumpxml prints it -->
<domain type='kvm' xmlns:qemu='http://libvirt.org/schemas/domain/qemu/1.0'>
  <name>guest</name>
  <os><type arch='x86_64' machine='pc-i440fx-2.12'>hvm</type><boot dev='hd'/></os>
  <features><acpi/><apic eoi='on'/><pvspinlock state='off'/><kvm><hidden state='on'/><pv-ipi state='off'/><hint-dedicated/></kvm></features>
  <cpu mode='custom' match='exact' check='partial'>
    <model fallback='allow'>Haswell-noTSX</model>
    <vendor>Intel</vendor>
    <topology sockets='1' cores='2' threads='1'/>
    <feature policy='require' name='pclmuldq'/>
    <feature policy='force' name='tsc_adjust'/>
    <feature policy='disable' name='lahf_lm'/>
    <feature policy='forbid' name='sse4.2'/>
    <feature name='pcid'/>
    <feature policy='optional' name='invtsc'/>
  </cpu>
  <clock offset='utc'><timer name='rtc' tickpolicy='catchup'/><timer name='kvmclock' present='no'/><timer name='tsc' frequency='2100000000'/></clock>
  <devices/>
</domain>`,
    kb,
  );
  assert.equal(m.name, 'pc-i440fx-2.12');
  assert.equal(m.machineType, 'pc-i440fx-2.12');
  assert.equal(m.qemu, '2.12');
  assert.equal(m.accel, 'kvm');
  assert.equal(m.model, 'Haswell-noTSX');
  assert.equal(m.tscFrequency, '2100000000');
  assert.deepEqual(m.edits, [
    { name: 'pclmulqdq', on: true },
    { name: 'tsc-adjust', on: true },
    { name: 'lahf-lm', on: false },
    { name: 'sse4.2', on: false },
    { name: 'pcid', on: true },
    { name: 'invtsc', on: true },
    { name: 'kvmclock', on: false },
    { name: 'kvm-pv-eoi', on: true },
    { name: 'kvm-pv-unhalt', on: false },
    { name: 'kvm-hint-dedicated', on: true },
    { name: 'kvm-pv-ipi', on: false },
  ]);
  assert.ok(m.notes.some((n) => n.includes("fallback='allow'")));
  assert.ok(m.notes.some((n) => n.includes('invtsc is optional')));
  assert.ok(m.notes.some((n) => n.includes('hides the KVM signature')));
  const text = renderMtype(m);
  assert.match(text, /^machine pc-i440fx-2\.12 \{\n  qemu 2\.12\n  accel kvm\n  cpu Haswell-noTSX\n  tsc-frequency 2100000000\n/m);
});

test('import: modes, domain types and a <cpu> fragment', () => {
  assert.equal(importLibvirt("<cpu mode='host-passthrough'/>", kb).model, 'host');
  const hm = importLibvirt("<cpu mode='host-model'/>", kb);
  assert.equal(hm.model, 'host');
  assert.ok(hm.notes[0].includes('host-model'));
  assert.equal(importLibvirt("<cpu mode='maximum'/>", kb).model, 'max');
  const tcg = importLibvirt("<domain type='qemu'><cpu><model>qemu64</model></cpu></domain>", kb, { name: 'x', qemu: '7.2' });
  assert.deepEqual([tcg.accel, tcg.model, tcg.name, tcg.qemu, tcg.machineType], ['tcg', 'qemu64', 'x', '7.2', null]);
  const ipi = importLibvirt("<features><kvm><pv-ipi state='on'/></kvm></features>", kb);
  assert.deepEqual(ipi.edits, []);
  assert.match(ipi.notes[0], /does not pass <pv-ipi state='on'\/> on to QEMU/);
  const frag = importLibvirt("<cpu mode='custom'><model>EPYC</model><feature policy='disable' name='svm'/></cpu>", kb);
  assert.deepEqual([frag.accel, frag.model, frag.name, frag.edits], [null, 'EPYC', 'imported', [{ name: 'svm', on: false }]]);
});

test('import: what it cannot read is an error at its line and column', () => {
  const cases: Array<[string, number, number, RegExp]> = [
    ["<domain type='xen'><name>x</name></domain>", 1, 1, /not a QEMU\/KVM domain/],
    ["<domain><name>x</name></domain>", 1, 1, /without type=/],
    ["<cpu>\n  <feature policy='sometimes' name='pcid'/>\n</cpu>", 2, 3, /policy='sometimes'/],
    ["<cpu>\n  <feature policy='require'/>\n</cpu>", 2, 3, /without name/],
    ["<cpu mode='fancy'/>", 1, 1, /mode='fancy'/],
    ["<devices/>", 1, 1, /expected <domain> or a fragment/],
    ["<domain type='kvm'>\n<features>\n  <apic eoi='yes'/>\n</features></domain>", 3, 3, /expected 'on' or 'off'/],
    ["<domain type='kvm'><clock><timer name='tsc' frequency='fast'/></clock></domain>", 1, 27, /frequency in Hz/],
    ["<domain type='kvm'><os><type arch='aarch64'>hvm</type></os></domain>", 1, 24, /only x86/],
    ['<cpu>\n  <model>Haswell</modle>\n</cpu>', 2, 17, /does not match <model>/],
    ["<cpu mode='custom>\n</cpu>", 2, 1, /'<' in the value of the attribute mode/],
    ["<cpu mode='custom", 1, 18, /end of input in the value of the attribute mode/],
    ["<cpu mode=custom/>", 1, 11, /quoted value/],
    ["<cpu a='1' a='2'/>", 1, 12, /given twice/],
    ['<cpu>\n<model>x &nbsp; y</model></cpu>', 2, 10, /unknown entity &nbsp;/],
    ['<cpu>', 1, 6, /end of input inside <cpu>/],
    ['', 1, 1, /no XML element/],
    ['hello <cpu/>', 1, 1, /text outside an element/],
    ['<!DOCTYPE domain><domain/>', 1, 1, /DOCTYPE/],
    ['<cpu><!-- a -- b --></cpu>', 1, 6, /'--' inside a comment/],
    ['</cpu>', 1, 1, /without an opening tag/],
    ['<cpu mode="custom"model="x"/>', 1, 19, /expected a space/],
  ];
  for (const [text, line, column, message] of cases) {
    const err = importError(text);
    assert.match(err.message, message, text);
    assert.deepEqual([err.line, err.column], [line, column], `${text}: ${err.message}`);
  }
});

test('xml reader: entities, CDATA, CRLF and deep nesting stay bounded', () => {
  const [root] = parseXml("<?xml version='1.0' encoding='UTF-8'?>\r\n<a x='&lt;&amp;&#65;&#x42;'><![CDATA[<raw>]]>t&gt;</a>");
  assert.equal(root.attributes.get('x'), '<&AB');
  assert.equal(root.text, '<raw>t>');
  const deep = '<a>'.repeat(5000) + '</a>'.repeat(5000);
  assert.throws(() => parseXml(deep), (e: unknown) => e instanceof ImportError && /nested deeper/.test(e.message));
  const err = (() => {
    try {
      parseXml('<a>\r\n\r\n  <b></c></a>');
    } catch (e) {
      return e as ImportError;
    }
  })();
  assert.deepEqual([err?.line, err?.column], [3, 6]);
});
