/**
 * Findings per machine, kept between analyses of a document. A keystroke changes
 * one machine's text; every other machine whose own text and whose bases' texts
 * are unchanged gets its findings back, moved to where its text now starts,
 * instead of being checked again.
 *
 * Stored spans are relative to the machine they lie in (related information is
 * tied to its machine by name), so an edit earlier in the file that only moves a
 * machine does not invalidate it. Findings that depend on the rest of the
 * workspace (duplicates, unknown bases, cycles, did-you-mean budgets) are not
 * stored: those machines are checked every time.
 */
import type { Finding, FixIntent } from '../common/diagnostic';
import type { Span } from '../common/text';
import type { ParsedDocument } from '../model/document';
import type { Workspace } from '../model/workspace';
import type { MachineDecl } from '../syntax/ast';
import type { MachineContext } from './context';

interface StoredRelated {
  uri: string;
  machine: string;
  start: number;
  end: number;
  message: string;
}

interface StoredFinding {
  finding: Finding;
  related?: StoredRelated[];
}

interface Entry {
  key: string;
  findings: StoredFinding[];
}

/** Codes whose messages or fixes depend on more than the machine's chain. */
const UNCACHEABLE = new Set(['MT100', 'MT110', 'MT111', 'MT112', 'MT113', 'MT120']);

export class MachineFindingsCache {
  private readonly entries = new Map<string, Entry>();
  private readonly byDoc = new WeakMap<ParsedDocument, Map<string, MachineDecl>>();

  clear(): void {
    this.entries.clear();
  }

  /** Forgets the machines of a document that are not in `keep`. */
  prune(uri: string, keep: Set<string>): void {
    const prefix = `${uri}\n`;
    for (const id of this.entries.keys()) if (id.startsWith(prefix) && !keep.has(id.slice(prefix.length))) this.entries.delete(id);
  }

  /** The key under which a machine's findings may be reused, or undefined when they may not. */
  keyOf(ctx: MachineContext): string | undefined {
    const m = ctx.machine;
    if (m.cycle || m.missingBase) return undefined;
    if (ctx.workspace.definitions(ctx.name).filter((r) => r.name === ctx.name).length > 1) return undefined;
    // Messages quote no line numbers (related information carries places), so a machine
    // that only moved keeps its findings.
    const parts = [ctx.kernelFloor ?? ''];
    for (const r of m.chain) parts.push(r.doc.uri, r.doc.text.slice(r.decl.start, r.decl.end));
    return parts.join('\u0000');
  }

  get(ctx: MachineContext, key: string): Finding[] | undefined {
    const entry = this.entries.get(this.id(ctx));
    if (!entry || entry.key !== key) return undefined;
    const base = ctx.ref.decl.start;
    const out: Finding[] = [];
    for (const stored of entry.findings) {
      const f = stored.finding;
      let related: Finding['related'];
      if (stored.related) {
        related = [];
        for (const r of stored.related) {
          const decl = this.machineIn(ctx.workspace, r.uri, r.machine);
          if (!decl) return undefined;
          related.push({ uri: r.uri, span: { start: decl.start + r.start, end: decl.start + r.end }, message: r.message });
        }
      }
      out.push({ ...f, span: shift(f.span, base), fixes: f.fixes?.map((x) => shiftFix(x, base)), related });
    }
    return out;
  }

  set(ctx: MachineContext, key: string, findings: Finding[]): void {
    const decl = ctx.ref.decl;
    if (findings.some((f) => UNCACHEABLE.has(f.code))) return;
    const stored: StoredFinding[] = [];
    for (const f of findings) {
      if (!inside(f.span, decl)) return;
      if (f.fixes?.some((x) => 'span' in x && !inside(x.span, decl))) return;
      let related: StoredRelated[] | undefined;
      if (f.related) {
        related = [];
        for (const r of f.related) {
          const owner = this.machineAt(ctx.workspace, r.uri, r.span);
          if (!owner) return;
          related.push({ uri: r.uri, machine: owner.name!.text, start: r.span.start - owner.start, end: r.span.end - owner.start, message: r.message });
        }
      }
      stored.push({
        finding: { ...f, span: shift(f.span, -decl.start), fixes: f.fixes?.map((x) => shiftFix(x, -decl.start)), related: undefined },
        related,
      });
    }
    this.entries.set(this.id(ctx), { key, findings: stored });
  }

  private id(ctx: MachineContext): string {
    return `${ctx.doc.uri}\n${ctx.name}`;
  }

  private machines(workspace: Workspace, uri: string): Map<string, MachineDecl> | undefined {
    const doc = workspace.document(uri);
    if (!doc) return undefined;
    let map = this.byDoc.get(doc);
    if (!map) {
      map = new Map();
      for (const m of doc.tree.machines) if (m.name && !map.has(m.name.text)) map.set(m.name.text, m);
      this.byDoc.set(doc, map);
    }
    return map;
  }

  private machineIn(workspace: Workspace, uri: string, name: string): MachineDecl | undefined {
    return this.machines(workspace, uri)?.get(name);
  }

  /** The machine a span lies in, if it is the first of its name in its document. */
  private machineAt(workspace: Workspace, uri: string, span: Span): MachineDecl | undefined {
    const doc = workspace.document(uri);
    const decl = doc?.tree.machines.find((m) => m.start <= span.start && span.end <= m.end);
    return decl?.name && this.machineIn(workspace, uri, decl.name.text) === decl ? decl : undefined;
  }
}

function inside(span: Span, decl: MachineDecl): boolean {
  return decl.start <= span.start && span.end <= decl.end;
}

function shift(span: Span, by: number): Span {
  return { start: span.start + by, end: span.end + by };
}

function shiftFix(fix: FixIntent, by: number): FixIntent {
  return 'span' in fix ? { ...fix, span: shift(fix.span, by) } : fix;
}
