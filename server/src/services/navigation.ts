/**
 * Machine names across the workspace: go to definition (`extends NAME`, alias
 * names), find references, rename. Names are global to the workspace, so every
 * occurrence of the same spelling in a name position is the same machine.
 */
import type { Position, Range, Span } from '../common/text';
import type { ParsedDocument } from '../model/document';
import type { MachineRef } from '../model/resolve';
import type { Workspace } from '../model/workspace';
import { locate } from './locate';
import type { Project } from './project';

export interface LocationEntry {
  uri: string;
  range: Range;
}

/** Where a machine name appears: its declaration, an `alias`, or an `extends`. */
export interface Occurrence {
  uri: string;
  span: Span;
  role: 'declaration' | 'alias' | 'base';
}

const WORD = /^[A-Za-z0-9_][A-Za-z0-9_.-]*$/;

/** The machine name under the cursor, if any. */
function machineNameAt(project: Project, uri: string, position: Position) {
  const doc = project.document(uri);
  if (!doc) return undefined;
  const at = locate(doc, doc.lines.offsetAt(position));
  return at?.kind === 'machine' ? { doc, name: at.name } : undefined;
}

export function definitionAt(project: Project, uri: string, position: Position): LocationEntry[] {
  const at = machineNameAt(project, uri, position);
  if (!at) return [];
  return project.workspace.definitions(at.name.text).map((ref) => location(ref.doc, declarationSpan(ref, at.name.text)));
}

export function referencesAt(project: Project, uri: string, position: Position, includeDeclaration: boolean): LocationEntry[] {
  const at = machineNameAt(project, uri, position);
  if (!at) return [];
  const target = project.workspace.lookup(at.name.text);
  // Every name of the machine (its own and its aliases) refers to it.
  const names = new Set(target ? [target.name, ...aliasNames(target)] : [at.name.text]);
  return occurrences(project.workspace, names)
    .filter((o) => includeDeclaration || o.role === 'base')
    .map((o) => location(project.workspace.document(o.uri)!, o.span));
}

export function prepareRenameAt(project: Project, uri: string, position: Position): { range: Range; placeholder: string } | undefined {
  const at = machineNameAt(project, uri, position);
  return at ? { range: at.doc.lines.rangeOf(at.name), placeholder: at.name.text } : undefined;
}

export type RenameResult = { error: string } | { changes: Record<string, Array<{ range: Range; newText: string }>> };

export function renameAt(project: Project, uri: string, position: Position, newName: string): RenameResult {
  const at = machineNameAt(project, uri, position);
  if (!at) return { error: 'Only machine type names can be renamed.' };
  if (!WORD.test(newName) || newName.includes('..') || newName === 'extends') {
    return { error: `'${newName}' is not a valid machine type name: use letters, digits, '_', '.', '-' (not starting with '.' or '-').` };
  }
  const old = at.name.text;
  if (newName !== old && project.workspace.definitions(newName).length) return { error: `A machine type named '${newName}' already exists.` };
  const changes: Record<string, Array<{ range: Range; newText: string }>> = {};
  for (const o of occurrences(project.workspace, new Set([old]))) {
    const doc = project.workspace.document(o.uri)!;
    (changes[o.uri] ??= []).push({ range: doc.lines.rangeOf(o.span), newText: newName });
  }
  return { changes };
}

/** Every name-position occurrence of the given names in the workspace. */
export function occurrences(workspace: Workspace, names: Set<string>): Occurrence[] {
  const out: Occurrence[] = [];
  for (const doc of workspace.documents) {
    for (const m of doc.tree.machines) {
      if (m.name && names.has(m.name.text)) out.push({ uri: doc.uri, span: m.name, role: 'declaration' });
      if (m.base && names.has(m.base.text)) out.push({ uri: doc.uri, span: m.base, role: 'base' });
      for (const s of m.statements) if (s.kind === 'alias' && s.name && names.has(s.name.text)) out.push({ uri: doc.uri, span: s.name, role: 'alias' });
    }
  }
  return out;
}

function aliasNames(ref: MachineRef): string[] {
  return ref.decl.statements.flatMap((s) => (s.kind === 'alias' && s.name ? [s.name.text] : []));
}

/** The span that declares `name` in a machine: its name, or the alias statement naming it. */
function declarationSpan(ref: MachineRef, name: string): Span {
  if (ref.name === name) return ref.decl.name!;
  const alias = ref.decl.statements.find((s) => s.kind === 'alias' && s.name?.text === name);
  return alias?.kind === 'alias' && alias.name ? alias.name : ref.decl.name!;
}

function location(doc: ParsedDocument, span: Span): LocationEntry {
  return { uri: doc.uri, range: doc.lines.rangeOf(span) };
}
