/** Code lenses on each machine: a one-line summary, and "Explain" (a client command). */
import type { Range } from '../common/text';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { ParsedDocument } from '../model/document';
import type { Workspace } from '../model/workspace';
import { explainMachine } from './explain';
import { refOf } from './locate';

export const EXPLAIN_COMMAND = 'mtype.explainMachine';

export interface CodeLensEntry {
  range: Range;
  title: string;
  /** Client command to run on click; none for a plain label. */
  command?: { id: string; arguments: unknown[] };
}

export function codeLenses(doc: ParsedDocument, workspace: Workspace, kb: KnowledgeBase): CodeLensEntry[] {
  const out: CodeLensEntry[] = [];
  for (const m of doc.tree.machines) {
    const ref = refOf(doc, m);
    if (!ref) continue;
    const range = doc.lines.rangeOf(m.name!);
    const e = explainMachine(ref, workspace, kb);
    const state = e.msrs.filter((x) => x.role === 'state');
    const unmigrated = state.filter((x) => x.migrated === false).length;
    const host = e.followsHost ? 'follows the host' : `host ≥ ${e.hostKernel.min ?? '?'}`;
    out.push({ range, title: `${e.features.length} bits · ${state.length} MSRs (${unmigrated} unmigrated) · ${host}` });
    out.push({ range, title: 'Explain', command: { id: EXPLAIN_COMMAND, arguments: [ref.name] } });
  }
  return out;
}
