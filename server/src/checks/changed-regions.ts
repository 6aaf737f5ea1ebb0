/**
 * Which regions of a document an edit can have changed the analysis of.
 *
 * After an edit that kept every machine's header (name, base, aliases, and how many
 * names of each kind it holds: the did-you-mean budget ranks them) and the suppression
 * comments of the regions it touched (see `sameHeaders`), those are: the regions
 * parsed again, the regions of machines whose resolution the workspace dropped since
 * the last analysis (the edited machine's dependents, or a change in another
 * document), and the regions whose findings are made anew on every analysis (they
 * depend on the rest of the workspace). Every other region keeps its piece (same
 * findings); an edit that changed the line count only moves the pieces below it (the
 * analysis places every piece again). Anything else gives undefined, and the whole
 * document is analysed.
 */
import type { ParsedDocument } from '../model/document';
import { aliasesOf, type Workspace } from '../model/workspace';
import type { MachineDecl, Region } from '../syntax/ast';
import { nameCounts } from './budget';
import { suppressionShape } from './suppression';

/** Where the last analysis of a document left off. */
export interface AnalysedState {
  /** The tree analysed (its serial). */
  serial: number;
  /** The workspace generation then (`Workspace.invalidatedSince`). */
  generation: number;
  /** Its text and regions, in order. */
  text: string;
  regions: readonly Region[];
  /** Indexes of the regions analysed again every time. */
  volatile: ReadonlySet<number>;
  /** The region index of each machine analysed. */
  indexOf: WeakMap<MachineDecl, number>;
}

export function changedRegions(doc: ParsedDocument, last: AnalysedState, workspace: Workspace): Set<number> | undefined {
  const tree = doc.tree;
  const change = tree.changes[tree.changes.length - 1];
  // One re-parse since, with a known line count (a \r before the edit may pair differently).
  if (!change || change.from !== last.serial || Number.isNaN(change.lineDelta) || !change.regions) return undefined;
  const { index, removed, added } = change.regions;
  if (removed !== added || tree.regions.length !== last.regions.length) return undefined;
  const out = new Set<number>();
  for (let k = index; k < index + added; k++) {
    const region = tree.regions[k];
    if (!sameHeaders(last.regions[k], last.text, region, tree.text, change.lineDelta !== 0)) return undefined;
    for (const m of region.machines) last.indexOf.set(m, k);
    out.add(k);
  }
  const names = workspace.invalidatedSince(last.generation);
  if (!names) return undefined;
  for (const i of last.volatile) out.add(i);
  for (const name of names) {
    for (const ref of workspace.definitions(name)) {
      if (ref.doc.uri !== doc.uri) continue;
      const i = last.indexOf.get(ref.decl);
      if (i === undefined || tree.regions[i]?.machines.includes(ref.decl) !== true) return undefined;
      out.add(i);
    }
  }
  return out;
}

/**
 * Whether a re-parsed region still declares what the rest of the document sees of it:
 * the same machines by name, base and aliases, and as many names of each kind. And, when
 * the line count stayed, its suppression comments on the same lines (the analysis keeps
 * the document's silenced lines then). When it changed, the analysis finds the silenced
 * lines again; a comment of this region may silence the first line of the next one, and
 * if an edit changed that, the analysis sees the next region's silenced lines change and
 * analyses the whole document (`DocumentDiagnostics.analyseChanged`).
 */
function sameHeaders(before: Region, beforeText: string, now: Region, nowText: string, linesMoved: boolean): boolean {
  if (before.machines.length !== now.machines.length) return false;
  // Lines moved: the analysis finds the silenced lines again, and sees to a region whose silenced lines changed.
  if (!linesMoved && suppressionShape(before, beforeText) !== suppressionShape(now, nowText)) return false;
  for (let i = 0; i < now.machines.length; i++) {
    const a = before.machines[i];
    const b = now.machines[i];
    if (a.name?.text !== b.name?.text || a.base?.text !== b.base?.text || !sameAliases(a, b)) return false;
  }
  return nameCounts(before.machines) === nameCounts(now.machines);
}

/** The names the workspace indexes the two versions of one machine under (its name being the same). */
function sameAliases(a: MachineDecl, b: MachineDecl): boolean {
  const name = a.name?.text ?? '';
  return aliasesOf({ decl: a, name }).join(' ') === aliasesOf({ decl: b, name }).join(' ');
}
