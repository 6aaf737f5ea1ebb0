/**
 * libvirt, both directions. Export: a resolved machine as the domain XML elements libvirt
 * reads (`<os>`, `<features>`, `<cpu>`, `<clock>`), with libvirt's own model and feature names
 * (kb.libvirt, from libvirt's cpu_map). Import: a domain XML, or a fragment of those elements,
 * as an `ImportedMachine`.
 *
 * libvirt hands QEMU `-cpu MODEL` plus exactly the `<feature>`s listed (and the KVM bits of
 * `<features>`/`<clock>`), and with check='full' it compares the CPU QEMU built with its own
 * cpu_map model. So a bit is written out when the machine's CPU differs from QEMU's model or
 * from libvirt's, and a bit libvirt has no name for goes into a comment, never dropped.
 */
import type { KnowledgeBase } from '../kb/knowledge-base';
import { hostVendor } from '../kb/knowledge-base';
import type { LibvirtElement, LibvirtModel } from '../kb/types';
import { modelBaseBits } from '../model/cpuid';
import { modelSpellingDates, nameInRelease } from '../checks/release-names';
import { emptyImport, ImportError, type ImportedMachine } from './imported';
import { machineTypeOf, machineTypeRelease } from './machine-types';
import { child, childrenNamed, parseXml, type XmlElement } from './xml';

/** What the export needs of a machine (services/explain's `Explanation` has it all). */
export interface LibvirtExportInput {
  machine: string;
  qemu: string;
  accel: 'kvm' | 'tcg';
  cpu: string;
  followsHost: boolean;
  features: ReadonlyArray<{ name: string; source: string }>;
  masked: ReadonlyArray<{ name: string }>;
}

export interface LibvirtExport {
  /** `kvm` or `qemu` (TCG): the `<domain type>` the fragment belongs in. */
  domainType: 'kvm' | 'qemu';
  machineType: string | null;
  mode: 'custom' | 'host-passthrough' | 'maximum';
  /** libvirt's model name (custom mode). */
  model: string | null;
  /** Why the model is not the machine's own, when it is not. */
  modelNote: string | null;
  /** `<feature>`s, libvirt spellings. */
  features: Array<{ name: string; policy: 'require' | 'disable' }>;
  /** KVM bits written as domain elements. */
  elements: Array<{ element: LibvirtElement; on: boolean }>;
  /** Bits libvirt cannot express (canonical QEMU names), with the value the machine wants. */
  notExpressible: Array<{ name: string; on: boolean }>;
  tscFrequency: string | null;
  xml: string;
}

export interface LibvirtExportOptions {
  tscFrequency?: string | null;
}

export function exportLibvirt(e: LibvirtExportInput, kb: KnowledgeBase, opts: LibvirtExportOptions = {}): LibvirtExport {
  const lv = kb.libvirt;
  const want = new Set(e.features.map((f) => f.name));
  const pinned = new Set([...e.features.filter((f) => f.source === 'whitelist').map((f) => f.name), ...e.masked.map((m) => m.name)]);
  const qemuModel = kb.model(e.cpu);
  const followsHost = !qemuModel || !!qemuModel.followsHost;
  const out: LibvirtExport = {
    domainType: e.accel === 'kvm' ? 'kvm' : 'qemu',
    machineType: machineTypeOf([e.machine], kb, e.qemu, []),
    mode: followsHost ? (e.cpu === 'max' ? 'maximum' : 'host-passthrough') : 'custom',
    model: null,
    modelNote: null,
    features: [],
    elements: [],
    notExpressible: [],
    tscFrequency: opts.tscFrequency ?? null,
    xml: '',
  };
  if (!qemuModel && e.cpu !== 'host' && e.cpu !== 'max') out.modelNote = `the knowledge base does not know the CPU model ${e.cpu}; written as host-passthrough`;

  // The bits QEMU and libvirt each assume for the model named; a bit the machine wants otherwise is written out.
  let qemuBase: ReadonlySet<string> = new Set(modelBaseBits(kb, e.cpu, e.qemu, e.accel));
  let libvirtModel: ReadonlySet<string> = new Set();
  if (out.mode === 'custom') {
    const choice = chooseModel(e, want, kb);
    if (choice) {
      out.model = choice.model.name;
      out.modelNote = choice.note;
      qemuBase = choice.qemuBase;
      libvirtModel = new Set([...choice.model.features, ...choice.model.removed]);
    } else {
      out.model = e.cpu;
      out.modelNote = `libvirt ${lv.newest ?? '(no cpu_map data)'} has no model QEMU ${e.qemu} accepts for ${e.cpu}; written as QEMU names it, which libvirt will reject`;
    }
  }
  const names = new Set([...want, ...qemuBase, ...libvirtModel, ...pinned]);
  for (const name of [...names].sort()) {
    const on = want.has(name);
    const element = lv.elementOf(name);
    if (element) {
      const differsFromQemu = on !== qemuBase.has(name);
      if (!differsFromQemu && !pinned.has(name)) continue;
      if (element.writes.includes(on ? 'on' : 'off')) out.elements.push({ element, on });
      else if (differsFromQemu) out.notExpressible.push({ name, on }); // libvirt accepts the element but does not pass this value on
      continue;
    }
    const differs = on !== qemuBase.has(name) || (out.mode === 'custom' && on !== libvirtModel.has(name)) || pinned.has(name);
    if (!differs) continue;
    const spelling = lv.spellingOf(name);
    if (spelling) out.features.push({ name: spelling, policy: on ? 'require' : 'disable' });
    else if (on !== qemuBase.has(name)) out.notExpressible.push({ name, on });
  }
  out.xml = renderXml(out, e, kb);
  return out;
}

/** The export's XML text (the fragment `explain --format libvirt` prints). */
export function libvirtXml(e: LibvirtExportInput, kb: KnowledgeBase, opts: LibvirtExportOptions = {}): string {
  return exportLibvirt(e, kb, opts).xml;
}

interface ModelChoice {
  model: LibvirtModel;
  qemuBase: ReadonlySet<string>;
  note: string | null;
}

/**
 * libvirt's model for the machine's: one that is a spelling of the same QEMU record if libvirt has
 * it, else the model of the same family, then of the same vendor, then any, that needs the fewest
 * explicit bits. Only names the machine's QEMU release accepts count (libvirt passes the name on).
 */
function chooseModel(e: LibvirtExportInput, want: ReadonlySet<string>, kb: KnowledgeBase): ModelChoice | undefined {
  const own = kb.model(e.cpu)!;
  const tiers: Array<{ fits: (q: NonNullable<ReturnType<KnowledgeBase['model']>>) => boolean; why: string | null }> = [
    { fits: (q) => q === own, why: null },
    { fits: (q) => q.family === own.family, why: 'the libvirt model of the same family' },
    { fits: (q) => hostVendor(q) === hostVendor(own), why: `the libvirt model of the same vendor` },
    { fits: () => true, why: 'the libvirt model' },
  ];
  const candidates = kb.libvirt.models.filter((m) => {
    if (!m.qemu || m.until) return false;
    const q = kb.model(m.name);
    return !!q && !q.followsHost && nameInRelease(modelSpellingDates(q, m.name), e.qemu).known;
  });
  for (const tier of tiers) {
    let best: { model: LibvirtModel; qemuBase: ReadonlySet<string>; cost: number } | undefined;
    for (const m of candidates) {
      if (!tier.fits(kb.model(m.name)!)) continue;
      const qemuBase = modelBaseBits(kb, m.name, e.qemu, e.accel);
      const lvSet = new Set([...m.features, ...m.removed]);
      let cost = 0;
      for (const n of new Set([...want, ...qemuBase, ...lvSet])) if (want.has(n) !== qemuBase.has(n) || want.has(n) !== lvSet.has(n)) cost++;
      if (!best || cost < best.cost) best = { model: m, qemuBase, cost };
    }
    if (best) {
      const named = e.cpu === own.name ? e.cpu : `${e.cpu} (${own.name})`;
      const note = tier.why ? `libvirt ${kb.libvirt.newest} has no model for QEMU's ${named} that QEMU ${e.qemu} accepts; using ${best.model.name}, ${tier.why} with the fewest differing bits` : null;
      return { model: best.model, qemuBase: best.qemuBase, note };
    }
  }
  return undefined;
}

function renderXml(x: LibvirtExport, e: LibvirtExportInput, kb: KnowledgeBase): string {
  const lines: string[] = [];
  const lvRelease = kb.libvirt.newest ?? 'unknown';
  lines.push(`<!-- mtype machine ${comment(e.machine)}: QEMU ${e.qemu}, accel ${e.accel}; for <domain type='${x.domainType}'>, libvirt ${lvRelease} names -->`);
  if (!x.machineType) lines.push(`<!-- the machine names no QEMU machine type: set <os><type machine='…'> to a QEMU ${e.qemu} type -->`);
  if (x.modelNote) lines.push(`<!-- ${comment(x.modelNote)} -->`);
  if (e.followsHost && x.mode === 'custom') lines.push('<!-- the machine says follows-host: a promise of the machine type (no fixed guest ABI), no libvirt setting -->');
  if (x.notExpressible.length) {
    lines.push(`<!-- not expressible in libvirt (no cpu_map feature or domain element): ${x.notExpressible.map((b) => `${b.name}=${b.on ? 'on' : 'off'}`).join(' ')} -->`);
  }
  if (x.machineType) lines.push('<os>', `  <type arch='x86_64' machine='${attr(x.machineType)}'>hvm</type>`, '</os>');
  const features = elementsUnder(x, 'features');
  if (features.length) lines.push('<features>', ...features.map((l) => '  ' + l), '</features>');
  if (x.mode === 'custom') {
    lines.push(`<cpu mode='custom' match='exact' check='full'>`, `  <model fallback='forbid'>${text(x.model!)}</model>`);
    for (const f of x.features) lines.push(`  <feature policy='${f.policy}' name='${attr(f.name)}'/>`);
    lines.push('</cpu>');
  } else if (x.features.length) {
    lines.push(`<cpu mode='${x.mode}' check='none' migratable='on'>`);
    for (const f of x.features) lines.push(`  <feature policy='${f.policy}' name='${attr(f.name)}'/>`);
    lines.push('</cpu>');
  } else lines.push(`<cpu mode='${x.mode}' check='none' migratable='on'/>`);
  const clock = elementsUnder(x, 'clock');
  if (x.tscFrequency) clock.push(`<timer name='tsc' frequency='${attr(x.tscFrequency)}'/>`);
  if (clock.length) lines.push(`<clock offset='utc'>`, ...clock.map((l) => '  ' + l), '</clock>');
  return lines.join('\n');
}

/** The element lines below one top-level element, grouped by their sub-path (`features/kvm`). */
function elementsUnder(x: LibvirtExport, top: string): string[] {
  const direct: string[] = [];
  const groups = new Map<string, string[]>();
  for (const { element: el, on } of x.elements) {
    const [head, ...rest] = el.parent.split('/');
    if (head !== top) continue;
    const keys = Object.entries(el.key).map(([k, v]) => ` ${k}='${attr(v)}'`).join('');
    const line = `<${el.element}${keys} ${el.attribute}='${on ? el.on : el.off}'/>`;
    if (!rest.length) direct.push(line);
    else groups.set(rest.join('/'), [...(groups.get(rest.join('/')) ?? []), line]);
  }
  for (const [sub, inner] of groups) direct.push(`<${sub}>`, ...inner.map((l) => '  ' + l), `</${sub}>`);
  return direct;
}

function attr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/'/g, '&apos;');
}

function text(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** Comment text may not hold `--`. */
function comment(s: string): string {
  return s.replace(/--/g, '- -');
}

// ---------------------------------------------------------------------------------------------
// Import

export interface LibvirtImportOptions {
  name?: string;
  qemu?: string;
}

const FRAGMENT_ELEMENTS = ['os', 'features', 'cpu', 'clock'];

/** A domain XML (or a fragment of `<os>`, `<features>`, `<cpu>`, `<clock>`) as a machine. */
export function importLibvirt(text: string, kb: KnowledgeBase, opts: LibvirtImportOptions = {}): ImportedMachine {
  const roots = parseXml(text);
  let domain: XmlElement;
  const m = emptyImport();
  if (roots.length === 1 && roots[0].name === 'domain') {
    domain = roots[0];
    const type = domain.attributes.get('type');
    if (type === 'kvm') m.accel = 'kvm';
    else if (type === 'qemu') m.accel = 'tcg';
    else if (type === undefined) fail(domain, "<domain> without type='kvm' or type='qemu'");
    else fail(domain, `<domain type='${type}'> is not a QEMU/KVM domain (expected type='kvm' or type='qemu')`);
  } else {
    for (const r of roots) {
      if (!FRAGMENT_ELEMENTS.includes(r.name)) fail(r, `expected <domain> or a fragment of <os>, <features>, <cpu>, <clock>; found <${r.name}>`);
    }
    domain = { name: 'domain', attributes: new Map(), children: roots, text: '', line: 1, column: 1 };
  }

  const osType = child(child(domain, 'os') ?? domain, 'type');
  if (child(domain, 'os') && osType) {
    const arch = osType.attributes.get('arch');
    if (arch && arch !== 'x86_64' && arch !== 'i686') fail(osType, `arch='${arch}': only x86 guests (x86_64, i686) are machine types mtype checks`);
    m.machineType = osType.attributes.get('machine') ?? null;
  }
  m.qemu = opts.qemu ?? (m.machineType ? machineTypeRelease(m.machineType) : null);
  m.name = opts.name ?? m.machineType ?? 'imported';

  const cpu = child(domain, 'cpu');
  if (cpu) readCpu(cpu, m, kb);
  const clock = child(domain, 'clock');
  for (const timer of clock ? childrenNamed(clock, 'timer') : []) {
    if (timer.attributes.get('name') !== 'tsc') continue;
    const hz = timer.attributes.get('frequency');
    if (hz !== undefined) {
      if (!isDigits(hz)) fail(timer, `<timer name='tsc' frequency='${hz}'>: expected a frequency in Hz`);
      m.tscFrequency = hz;
    }
  }
  readElements(domain, m, kb);
  const kvm = child(child(domain, 'features') ?? domain, 'kvm');
  const hidden = kvm && child(kvm, 'hidden');
  if (child(domain, 'features') && hidden?.attributes.get('state') === 'on') m.notes.push("libvirt <kvm><hidden state='on'/> hides the KVM signature (QEMU kvm=off): no CPUID bit a machine type holds");
  return m;
}

const POLICIES: Record<string, boolean | 'optional'> = { require: true, force: true, disable: false, forbid: false, optional: 'optional' };

function readCpu(cpu: XmlElement, m: ImportedMachine, kb: KnowledgeBase): void {
  const mode = cpu.attributes.get('mode') ?? 'custom';
  const model = child(cpu, 'model');
  if (mode === 'host-passthrough' || mode === 'host-model') {
    m.model = 'host';
    if (mode === 'host-model') m.notes.push("libvirt mode='host-model': libvirt picks the model closest to each host at start; imported as cpu host (follows the host)");
  } else if (mode === 'maximum') m.model = 'max';
  else if (mode === 'custom') {
    const name = model?.text.trim();
    if (model && !name) fail(model, '<model> without a model name');
    m.model = name || null;
    if (name && model?.attributes.get('fallback') === 'allow') m.notes.push(`libvirt <model fallback='allow'>: libvirt may use another model where QEMU lacks ${name}`);
    if (name && !kb.model(name)) m.notes.push(`libvirt model ${name} is not a QEMU model the knowledge base knows`);
  } else fail(cpu, `<cpu mode='${mode}'>: expected custom, host-model, host-passthrough or maximum`);
  for (const f of childrenNamed(cpu, 'feature')) {
    const name = f.attributes.get('name');
    if (!name) fail(f, "<feature> without name='…'");
    const policyText = f.attributes.get('policy') ?? 'require';
    const policy = POLICIES[policyText];
    if (policy === undefined) fail(f, `<feature policy='${policyText}'>: expected require, force, disable, forbid or optional`);
    const qemuName = kb.libvirt.qemuNameOf(name) ?? kb.feature(name)?.name ?? name;
    if (policy === 'optional') m.notes.push(`libvirt feature ${name} is optional (on only where the host has it); imported as +${qemuName}`);
    if (kb.libvirt.isUnmatched(name)) m.notes.push(`libvirt feature ${name} has no QEMU property; kept as written`);
    m.edits.push({ name: qemuName, on: policy !== false });
  }
}

/** The KVM bits libvirt keeps in `<features>` and `<clock>` (kb.libvirt.elements). */
function readElements(domain: XmlElement, m: ImportedMachine, kb: KnowledgeBase): void {
  for (const el of kb.libvirt.elements) {
    let parent: XmlElement | undefined = domain;
    for (const step of el.parent.split('/')) parent = parent && child(parent, step);
    if (!parent) continue;
    for (const node of childrenNamed(parent, el.element)) {
      if (!Object.entries(el.key).every(([k, v]) => node.attributes.get(k) === v)) continue;
      const value = node.attributes.get(el.attribute);
      if (value === undefined) {
        // <apic/> alone turns on the APIC, not PV EOI; <pvspinlock/> and the <kvm> children default to on.
        if (el.attribute === 'state' && el.writes.includes('on')) m.edits.push({ name: el.feature, on: true });
        continue;
      }
      if (value !== el.on && value !== el.off) fail(node, `<${el.element} ${el.attribute}='${value}'>: expected '${el.on}' or '${el.off}'`);
      const on = value === el.on;
      if (el.writes.includes(on ? 'on' : 'off')) m.edits.push({ name: el.feature, on });
      else m.notes.push(`libvirt does not pass <${el.element} ${el.attribute}='${value}'/> on to QEMU (${el.feature} stays as QEMU's default)`);
    }
  }
}

function isDigits(s: string): boolean {
  if (!s.length) return false;
  for (const c of s) if (c < '0' || c > '9') return false;
  return true;
}

function fail(el: XmlElement, message: string): never {
  throw new ImportError(el.line, el.column, message);
}
