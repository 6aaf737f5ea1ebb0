/**
 * What the editor's commands ask the server (explain, copy as -cpu / <cpu>,
 * compare, list machines, status), as plain data; lsp/ exposes it as custom
 * requests.
 */
import { createHash } from 'node:crypto';
import type { Position, Range } from '../common/text';
import type { KnowledgeBase } from '../kb/knowledge-base';
import { machineAt } from './locate';
import { explainMachine, explanationText } from './explain';
import { explanationQemu } from './explain-qemu';
import { libvirtXml } from '../interop/libvirt';
import { explanationMarkdown } from './explain-markdown';
import { compareExplanations, comparisonMarkdown } from './compare';
import type { Project } from './project';

export interface MachineSummary {
  name: string;
  uri: string;
  range: Range;
  base?: string;
  description?: string;
}

export type ExplainFormat = 'markdown' | 'text' | 'qemu' | 'libvirt' | 'json';

export function listMachines(project: Project): MachineSummary[] {
  const out: MachineSummary[] = [];
  for (const doc of project.workspace.documents) {
    for (const m of doc.tree.machines) {
      if (!m.name) continue;
      const d = m.statements.find((s) => s.kind === 'description');
      out.push({
        name: m.name.text,
        uri: doc.uri,
        range: doc.lines.rangeOf(m.name),
        base: m.base?.text,
        description: d?.kind === 'description' ? d.text?.value : undefined,
      });
    }
  }
  return out.sort((a, b) => a.name.localeCompare(b.name));
}

/** The name of the machine whose text holds the position, if any. */
export function machineNameAt(project: Project, uri: string, position: Position): string | undefined {
  const doc = project.document(uri);
  return doc ? machineAt(doc, doc.lines.offsetAt(position))?.name?.text : undefined;
}

export function renderExplanation(project: Project, name: string, format: ExplainFormat, model?: string): { text: string } | { error: string } {
  const ref = project.workspace.lookup(name);
  if (!ref) return { error: `No machine type named '${name}' in the workspace.` };
  const e = explainMachine(ref, project.workspace, project.kb, model);
  switch (format) {
    case 'markdown':
      return { text: explanationMarkdown(e, project.kb) };
    case 'text':
      return { text: explanationText(e, project.kb) };
    case 'qemu':
      return { text: explanationQemu(e, ref, project.workspace, project.kb) };
    case 'libvirt':
      return { text: libvirtXml(e, project.kb, { tscFrequency: project.workspace.resolve(ref).tscFrequency?.value }) };
    case 'json':
      return { text: JSON.stringify(e, null, 2) };
  }
}

export function compareMachines(project: Project, a: string, b: string): { markdown: string } | { error: string } {
  const refA = project.workspace.lookup(a);
  const refB = project.workspace.lookup(b);
  if (!refA || !refB) return { error: `No machine type named '${!refA ? a : b}' in the workspace.` };
  const c = compareExplanations(explainMachine(refA, project.workspace, project.kb), explainMachine(refB, project.workspace, project.kb));
  return { markdown: comparisonMarkdown(c) };
}

export interface ProjectStatus {
  machines: number;
  files: number;
  kb: {
    features: number;
    msrs: number;
    models: number;
    releases: number;
    newestQemu: string | null;
    newestKernel: string | null;
    /** A fingerprint of the knowledge base's content: it changes whenever any fact does. */
    version: string;
  };
}

const fingerprints = new WeakMap<KnowledgeBase, string>();

/** First 12 hex digits of the SHA-256 of the KB's records (computed once per KB). */
export function kbVersion(kb: KnowledgeBase): string {
  let v = fingerprints.get(kb);
  if (!v) {
    const hash = createHash('sha256');
    for (const part of [kb.features, kb.msrs, kb.models, kb.releases, kb.modelCompat, kb.kernels ?? null]) hash.update(JSON.stringify(part));
    v = hash.digest('hex').slice(0, 12);
    fingerprints.set(kb, v);
  }
  return v;
}

export function projectStatus(project: Project): ProjectStatus {
  const kb = project.kb;
  let machines = 0;
  for (const doc of project.workspace.documents) machines += doc.tree.machines.filter((m) => m.name).length;
  return {
    machines,
    files: project.workspace.documentCount,
    kb: {
      features: kb.features.length,
      msrs: kb.msrs.length,
      models: kb.models.length,
      releases: kb.releases.length,
      newestQemu: kb.releases.length ? kb.newestRelease.version : null,
      newestKernel: kb.newestKernel ?? null,
      version: kbVersion(kb),
    },
  };
}
