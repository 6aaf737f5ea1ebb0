/**
 * Inlay hints: the CPUID location after each feature name of an edit, and, after
 * the `{` of a machine that extends a base, the settings it inherits without
 * stating them (qemu, host-kernel, cpu, accel).
 */
import type { Position, Range } from '../common/text';
import { featureLocation } from '../kb/describe';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { ParsedDocument } from '../model/document';
import type { Setting } from '../model/resolve';
import type { Workspace } from '../model/workspace';
import { refOf } from './locate';

export interface InlayHintEntry {
  position: Position;
  label: string;
  kind: 'type' | 'parameter';
  tooltip?: string;
}

export function inlayHints(doc: ParsedDocument, range: Range, workspace: Workspace, kb: KnowledgeBase): InlayHintEntry[] {
  const from = doc.lines.offsetAt(range.start);
  const to = doc.lines.offsetAt(range.end);
  const inRange = (offset: number) => offset >= from && offset <= to;
  const out: InlayHintEntry[] = [];
  for (const m of doc.tree.machines) {
    if (m.end < from || m.start > to) continue;
    const ref = refOf(doc, m);
    if (ref && m.base && m.body && inRange(m.body.open.end)) {
      const label = inheritedSummary(workspace, ref.name, new Set(m.statements.map((s) => s.kind)));
      if (label) out.push({ position: doc.lines.positionAt(m.body.open.end), label, kind: 'parameter', tooltip: `Inherited from ${m.base.text}` });
    }
    for (const s of m.statements) {
      if (s.kind !== 'cpuid') continue;
      for (const e of s.edits) {
        const f = kb.feature(e.feature.text);
        if (!f || !inRange(e.end)) continue;
        out.push({ position: doc.lines.positionAt(e.end), label: featureLocation(f).replace(/^CPUID /, ''), kind: 'type', tooltip: f.description });
      }
    }
  }
  return out;
}

/** "qemu 1.3 · host-kernel >= 3.2 · cpu qemu64" for the settings a base provides and the machine does not state. */
function inheritedSummary(workspace: Workspace, name: string, stated: Set<string>): string | undefined {
  const ref = workspace.lookup(name);
  if (!ref) return undefined;
  const r = workspace.resolve(ref);
  const inherited = <T>(s: Setting<T> | undefined): s is Setting<T> => !!s?.origin && s.origin.machine !== name;
  const parts: string[] = [];
  if (!stated.has('qemu') && inherited(r.qemu)) parts.push(`qemu ${r.qemu.value}`);
  if (!stated.has('host-kernel') && inherited(r.hostKernelMin)) {
    parts.push(r.hostKernelMax ? `host-kernel ${r.hostKernelMin.value} .. ${r.hostKernelMax.value}` : `host-kernel >= ${r.hostKernelMin.value}`);
  }
  if (!stated.has('cpu') && inherited(r.cpu)) parts.push(`cpu ${r.cpu.value}`);
  if (!stated.has('accel') && inherited(r.accel)) parts.push(`accel ${r.accel.value}`);
  return parts.length ? parts.join(' · ') : undefined;
}
