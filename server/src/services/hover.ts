/**
 * Hover: short Markdown about the word under the cursor — a feature, MSR, CPU
 * model, machine, keyword or version — read from the KB and, where it matters,
 * from the machine the word sits in (is this MSR migrated *here*?).
 */
import type { Position, Range } from '../common/text';
import { compareVersions } from '../common/version';
import { featureLocation, joinNames, msrWithIndex } from '../kb/describe';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { FeatureRecord, ModelRecord, MsrRecord } from '../kb/types';
import { migrationOf } from '../checks/msr-facts';
import { computeCpuid, effectiveQemu, modelsToCheck, type EffectiveCpuid } from '../model/cpuid';
import type { ParsedDocument } from '../model/document';
import type { MachineRef, ResolvedMachine } from '../model/resolve';
import type { MachineDecl, Name } from '../syntax/ast';
import { explainMachine } from './explain';
import { msrJson } from './kb-records';
import { KEYWORD_DOCS } from './keywords';
import { locate, refOf } from './locate';
import type { Project } from './project';

export interface HoverResult {
  markdown: string;
  range: Range;
}

export function hoverAt(project: Project, uri: string, position: Position): HoverResult | undefined {
  const doc = project.document(uri);
  if (!doc) return undefined;
  const at = locate(doc, doc.lines.offsetAt(position));
  if (!at) return undefined;
  const view = new MachineView(project, doc, at.machine);
  let markdown: string | undefined;
  switch (at.kind) {
    case 'feature': {
      const f = project.kb.feature(at.name.text);
      const models = at.statement.kind === 'cpuid' ? at.statement.models.map((m) => m.text) : [];
      markdown = f ? featureHover(f, project.kb, view, models[0]) : unknown(at.name, 'CPUID feature');
      break;
    }
    case 'provided-feature': {
      const f = project.kb.feature(at.name.text);
      markdown = f ? featureHover(f, project.kb, view) : unknown(at.name, 'CPUID feature');
      break;
    }
    case 'msr': {
      const m = project.kb.msr(at.name.text);
      markdown = m ? msrHover(m, project.kb, view) : unknown(at.name, 'MSR');
      break;
    }
    case 'model': {
      const m = project.kb.model(at.name.text);
      markdown = m ? modelHover(m, project.kb) : unknown(at.name, 'CPU model');
      break;
    }
    case 'machine':
      markdown = machineHover(project, at.name.text);
      break;
    case 'keyword':
      markdown = `**${at.name.text}** — ${KEYWORD_DOCS[at.name.text as keyof typeof KEYWORD_DOCS] ?? ''}`;
      break;
    case 'qemu-version':
      markdown = qemuHover(at.name.text, project.kb);
      break;
    case 'kernel-version':
      markdown = kernelHover(at.name.text, view);
      break;
  }
  return markdown ? { markdown, range: doc.lines.rangeOf(at.name) } : undefined;
}

/** The machine a hovered word sits in, resolved lazily (most hovers need only the KB). */
class MachineView {
  private resolvedCache?: ResolvedMachine | null;

  constructor(readonly project: Project, readonly doc: ParsedDocument, readonly decl: MachineDecl) {}

  get ref(): MachineRef | undefined {
    return refOf(this.doc, this.decl);
  }

  get resolved(): ResolvedMachine | undefined {
    if (this.resolvedCache === undefined) {
      const ref = this.ref;
      this.resolvedCache = ref ? this.project.workspace.resolve(ref) : null;
    }
    return this.resolvedCache ?? undefined;
  }

  get qemu(): string | undefined {
    const r = this.resolved;
    return r ? effectiveQemu(r, this.project.kb) : undefined;
  }

  /** Effective CPUID for one model, or for every model the machine is checked for. */
  cpuids(model?: string): EffectiveCpuid[] {
    const r = this.resolved;
    if (!r) return [];
    const models = model ? [{ name: model, origin: undefined }] : modelsToCheck(r);
    return models.map((m) => computeCpuid(r, m.name, m.origin, this.project.kb));
  }
}

function unknown(name: Name, what: string): string {
  return `**${name.text}** — not a ${what} the knowledge base knows`;
}

// ---- features -------------------------------------------------------------

function featureHover(f: FeatureRecord, kb: KnowledgeBase, view: MachineView, model?: string): string {
  const lines = [`**${f.name}** · ${code(featureLocation(f))}`, '', f.description, ''];
  const qemu = view.qemu;
  const machine = view.resolved;
  for (const m of kb.msrsOfFeature(f.name)) {
    let here = '';
    if (machine && qemu && m.role === 'state') {
      const mig = migrationOf(machine, qemu, m, kb);
      here = mig.migrated === true ? ` — migrated by ${view.ref!.name}` : mig.migrated === false ? ` — **not migrated** by ${view.ref!.name} (QEMU ${qemu})` : '';
    }
    lines.push(`- MSR ${code(m.name)} ${code(m.index)} · ${m.role}${m.migratedSince ? ` · QEMU migrates it since ${m.migratedSince}` : ''}${here}`);
  }
  if (f.kvmSince || f.kvmUntil || f.kvmSinceByVendor) {
    const vendors = f.kvmSinceByVendor ? Object.entries(f.kvmSinceByVendor).map(([v, since]) => `${v === 'intel' ? 'Intel' : 'AMD'} ${since}`).join(', ') : '';
    const stable = f.kvmStable?.length ? `; stable lines from ${f.kvmStable.join(' / ')}` : '';
    lines.push(`- KVM: Linux ${f.kvmSince ? `${f.kvmSince}` : '?'}${f.kvmUntil ? ` – ${f.kvmUntil}` : ' and later'}${vendors ? ` (${vendors})` : ''}${stable}`);
  } else if (f.leaf) lines.push('- KVM: the first Linux release is not known');
  if (f.qemuSince) lines.push(`- QEMU knows it since ${f.qemuSince}`);
  if (f.aliases.length) lines.push(`- Aliases: ${f.aliases.map(code).join(', ')}`);
  if (f.dependsOn.length) lines.push(`- Needs: ${f.dependsOn.map(code).join(', ')}`);
  if (f.unmigratable) lines.push('- **Blocks live migration**');
  if (f.deprecated) lines.push(`- Deprecated${typeof f.deprecated === 'string' ? `: ${f.deprecated}` : ''}`);
  const status = machine ? bitStatus(f, view, model) : undefined;
  if (status) lines.push(`- In ${status}`);
  if (f.sources.length) lines.push('', `Sources: ${f.sources.map(sourceLink).join(' · ')}`);
  return lines.join('\n');
}

/** "pc-1.2 for qemu64: masked (would come from kvm-default)". */
function bitStatus(f: FeatureRecord, view: MachineView, model?: string): string | undefined {
  const [cpuid] = view.cpuids(model ?? view.resolved?.cpu?.value);
  if (!cpuid) return undefined;
  const where = `${view.ref!.name} for ${cpuid.modelName}`;
  const bit = cpuid.enabled.get(f.name);
  if (bit) return `${where}: enabled (${bit.source})`;
  const masked = cpuid.masked.get(f.name);
  if (masked) return `${where}: masked${masked.wouldComeFrom ? ` (would come from ${masked.wouldComeFrom})` : ''}`;
  return `${where}: not enabled`;
}

// ---- MSRs -----------------------------------------------------------------

function msrHover(m: MsrRecord, kb: KnowledgeBase, view: MachineView): string {
  const features = msrJson(m, kb).features;
  const lines = [`**${m.name}** · ${code(m.index)} · ${m.role}`, '', m.description, ''];
  if (features.length) lines.push(`- Used by: ${features.map(code).join(', ')}`);
  lines.push(`- QEMU migrates it since: ${m.migratedSince ?? 'unknown'}`);
  lines.push(`- KVM saves/restores it since: ${m.kvmSince ? `Linux ${m.kvmSince}` : 'unknown'}`);
  if (m.stateSharedWith) lines.push(`- State kept with ${code(m.stateSharedWith)}`);
  const machine = view.resolved;
  const qemu = view.qemu;
  if (machine && qemu) {
    const name = view.ref!.name;
    const byRelease = !!m.migratedSince && compareVersions(qemu, m.migratedSince) >= 0;
    const mig = migrationOf(machine, qemu, m, kb);
    let state: string;
    if (m.role !== 'state') state = `nothing to migrate (${m.role} MSR)`;
    else if (byRelease) state = `migrated by QEMU ${qemu} itself`;
    else if (mig.migrated === true) state = mig.how === 'shared' ? `migrated through ${msrWithIndex(mig.via!)}` : `migrated: declared in \`migrate\` (QEMU ${qemu} alone does not)`;
    else if (mig.migrated === false) state = `**not migrated** (QEMU ${qemu}; first migrated in ${mig.since})`;
    else state = 'migration unknown';
    lines.push(`- In ${name}: ${state}`);
  }
  if (m.sources.length) lines.push('', `Sources: ${m.sources.map(sourceLink).join(' · ')}`);
  return lines.join('\n');
}

// ---- CPU models -----------------------------------------------------------

function modelHover(m: ModelRecord, kb: KnowledgeBase): string {
  const lines = [`**${m.name}**${m.family !== m.name ? ` (${m.family})` : ''}${m.vendor ? ` · ${m.vendor}` : ''}`, ''];
  if (m.description) lines.push(m.description, '');
  if (m.followsHost) lines.push("- Follows the host's CPU: no fixed CPUID");
  else lines.push(`- ${m.features.length} bits (without the KVM defaults)`);
  lines.push(`- QEMU: ${m.qemuSince ? `since ${m.qemuSince}` : 'release unknown'}`);
  if (m.aliases.length) lines.push(`- Also named: ${m.aliases.map(code).join(', ')}`);
  if (m.deprecated) lines.push(`- Deprecated${typeof m.deprecated === 'string' ? `: ${m.deprecated}` : ''}`);
  const versions = kb.models.filter((x) => x.family === m.family && x.version !== null).sort((a, b) => a.version! - b.version!);
  if (versions.length > 1) {
    lines.push('', '**Versions**');
    let previous: ModelRecord | undefined;
    for (const v of versions) {
      const label = `v${v.version}${v.qemuSince ? ` (QEMU ${v.qemuSince})` : ''}${v === m ? ' ←' : ''}`;
      lines.push(`- ${label}: ${previous ? versionDelta(previous, v) : `${v.features.length} bits`}`);
      previous = v;
    }
  }
  if (m.sources.length) lines.push('', `Sources: ${m.sources.map(sourceLink).join(' · ')}`);
  return lines.join('\n');
}

function versionDelta(from: ModelRecord, to: ModelRecord): string {
  const before = new Set(from.features);
  const after = new Set(to.features);
  const added = to.features.filter((f) => !before.has(f)).map((f) => `+${f}`);
  const removed = from.features.filter((f) => !after.has(f)).map((f) => `-${f}`);
  const all = [...added, ...removed];
  return all.length ? joinNames(all, 8) : 'same bits';
}

// ---- machines -------------------------------------------------------------

const MAX_FOLDED_LISTED = 10;

function machineHover(project: Project, name: string): string {
  const ref = project.workspace.lookup(name);
  if (!ref) return `**${name}** — no machine type of the workspace has this name`;
  const e = explainMachine(ref, project.workspace, project.kb);
  const decl = ref.decl;
  const description = decl.statements.find((s) => s.kind === 'description');
  const bySource = { model: 0, 'kvm-default': 0, whitelist: 0 };
  for (const f of e.features) bySource[f.source]++;
  const state = e.msrs.filter((m) => m.role === 'state');
  const unmigrated = state.filter((m) => m.migrated === false).map((m) => m.name);
  const lines = [`**machine ${ref.name}**${decl.base ? ` extends ${decl.base.text}` : ''}${ref.name !== name ? ` (alias ${name})` : ''}`, ''];
  if (description?.kind === 'description' && description.text) lines.push(description.text.value, '');
  lines.push(`- QEMU ${e.qemu} · accel ${e.accel} · cpu ${e.cpu}${e.followsHost ? ' · follows the host' : ''}`);
  lines.push(`- Host kernels: ${e.hostKernel.min ? `≥ ${e.hostKernel.min}` : 'minimum unknown'}${e.hostKernel.max ? `, ≤ ${e.hostKernel.max}` : ''}`);
  lines.push(`- ${e.features.length} bits: ${bySource.model} model · ${bySource['kvm-default']} kvm-default · ${bySource.whitelist} whitelist${e.masked.length ? `; ${e.masked.length} masked` : ''}`);
  lines.push(`- ${state.length} state MSRs: ${state.length - unmigrated.length} migrated${unmigrated.length ? ` · **${unmigrated.length} not migrated**: ${joinNames(unmigrated)}` : ''}`);
  // With one finding per cause, what the machine inherits is shown on its base: say it here.
  const folded = project.foldedFindings(ref);
  if (folded.length) {
    lines.push('', `**${folded.length} inherited finding${folded.length > 1 ? 's' : ''}, shown on the base where ${folded.length > 1 ? 'they start' : 'it starts'}:**`);
    for (const f of folded.slice(0, MAX_FOLDED_LISTED)) lines.push(`- ${f.severity} ${f.code}: ${f.message}`);
    if (folded.length > MAX_FOLDED_LISTED) lines.push(`- … and ${folded.length - MAX_FOLDED_LISTED} more (\`mtype check --inherited each\` lists them all)`);
  }
  return lines.join('\n');
}

// ---- versions -------------------------------------------------------------

function qemuHover(version: string, kb: KnowledgeBase): string {
  const release = kb.releaseFor(version);
  if (!release) return `**QEMU ${version}** — older than every release the knowledge base knows`;
  const lines = [`**QEMU ${version}**${release.date && release.version === version ? ` · released ${release.date}` : ''}`, ''];
  if (release.version !== version) lines.push(`Not in the knowledge base; the facts of QEMU ${release.version} apply.`, '');
  lines.push(`- KVM defaults: ${release.kvmDefaults.length ? release.kvmDefaults.map(code).join(', ') : 'none'}`);
  lines.push(`- Oldest host kernel for KVM: ${release.minKernel ?? 'unknown'}`);
  return lines.join('\n');
}

function kernelHover(version: string, view: MachineView): string {
  const lines = [`**Linux ${version}**`, ''];
  const needNewer = new Map<string, string>();
  const dropped = new Map<string, string>();
  for (const cpuid of view.cpuids()) {
    if (cpuid.model?.followsHost) continue;
    for (const bit of cpuid.enabled.values()) {
      const f = bit.feature;
      if (f.kvmSince && compareVersions(version, f.kvmSince) < 0) needNewer.set(f.name, `${code(f.name)} (${f.kvmSince}, ${bit.source})`);
      if (f.kvmUntil && compareVersions(version, f.kvmUntil) > 0) dropped.set(f.name, `${code(f.name)} (until ${f.kvmUntil})`);
    }
  }
  const name = view.ref?.name ?? 'this machine';
  if (needNewer.size) lines.push(`- Enabled bits of ${name} that need a newer kernel: ${joinNames([...needNewer.values()], 10)}`);
  if (dropped.size) lines.push(`- Enabled bits KVM no longer exposes on it: ${joinNames([...dropped.values()], 10)}`);
  if (!needNewer.size && !dropped.size) lines.push(`- Every enabled bit of ${name} with a known KVM version is available on it`);
  return lines.join('\n');
}

// ---- helpers --------------------------------------------------------------

function code(text: string): string {
  return '`' + text.replace(/`/g, '') + '`';
}

/** Blob URL prefixes; `REF` is the pinned tag or commit of the source, else master. */
const REPOS = new Map([
  ['qemu/qemu', 'https://gitlab.com/qemu-project/qemu/-/blob/REF/'],
  ['torvalds/linux', 'https://github.com/torvalds/linux/blob/REF/'],
  ['libvirt/libvirt', 'https://gitlab.com/libvirt/libvirt/-/blob/REF/'],
]);

/**
 * "qemu/qemu:target/i386/cpu.c@v10.2.2" -> a Markdown link to the file at that
 * ref (old paths such as target-i386/ exist only there); other sources stay text.
 */
export function sourceLink(source: string): string {
  const colon = source.indexOf(':');
  const base = colon > 0 ? REPOS.get(source.slice(0, colon)) : undefined;
  if (!base) return source;
  const rest = source.slice(colon + 1);
  const end = rest.search(/\s/);
  const target = end < 0 ? rest : rest.slice(0, end);
  const [path, ref] = target.split('@', 2);
  if (!path) return source;
  return `[${source.slice(0, colon + 1)}${target}](${base.replace('REF', ref || 'master')}${path})${rest.slice(target.length)}`;
}
