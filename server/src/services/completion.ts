/**
 * Completion from the text before the cursor on its line (statements are one
 * line each, so that is enough context) plus the tree for "which machine / which
 * block am I in". Every item replaces just the partial word being typed.
 */
import type { Position, Range } from '../common/text';
import { compareVersions } from '../common/version';
import { featureLocation, joinNames } from '../kb/describe';
import type { KnowledgeBase } from '../kb/knowledge-base';
import { computeCpuid, DEFAULT_MODEL } from '../model/cpuid';
import type { ParsedDocument } from '../model/document';
import { STATEMENT_KEYWORDS, type MachineDecl } from '../syntax/ast';
import { KEYWORD_DOCS, KEYWORD_SNIPPETS } from './keywords';
import { refOf } from './locate';
import type { Project } from './project';

export type CompletionKind = 'keyword' | 'feature' | 'model' | 'machine' | 'msr' | 'version' | 'value';

export interface CompletionEntry {
  label: string;
  kind: CompletionKind;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** Text to insert instead of the label; a snippet when `snippet` is set. */
  insertText?: string;
  snippet?: boolean;
  sortText?: string;
  deprecated?: boolean;
  /** The partial word the item replaces. */
  range: Range;
}

/** Characters after which the editor should ask for completions. */
export const TRIGGER_CHARACTERS = ['+', '-', ' '];

const isWordStart = (c: number) => (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const isWordPart = (c: number) => isWordStart(c) || c === 46 || c === 45;

/** The word (§2) that ends `text`, or ''. A backward scan: linear, unlike an unanchored `…*$` regex. */
function trailingWord(text: string): string {
  let i = text.length;
  while (i > 0 && isWordPart(text.charCodeAt(i - 1))) i--;
  while (i < text.length && !isWordStart(text.charCodeAt(i))) i++; // a word starts with neither '.' nor '-'
  return text.slice(i);
}

export function completionsAt(project: Project, uri: string, position: Position): CompletionEntry[] {
  const doc = project.document(uri);
  if (!doc || position.line < 0 || position.line >= doc.lines.lineCount) return [];
  const offset = doc.lines.offsetAt(position);
  const lineStart = doc.lines.lineStarts[position.line];
  const prefix = doc.text.slice(lineStart, offset);
  if (prefix.includes('#') || prefix.includes('"')) return []; // in a comment or string
  let partial = trailingWord(prefix);
  // "3.2..4" lexes as VERSION '..' VERSION: the partial word is after the dots.
  if (partial.includes('..')) partial = partial.slice(partial.lastIndexOf('..') + 2);
  const before = prefix.slice(0, prefix.length - partial.length);
  const range = { start: doc.lines.positionAt(offset - partial.length), end: doc.lines.positionAt(offset) };
  const c = new Completer(project, doc, offset, range);
  return c.complete(before);
}

class Completer {
  private readonly kb: KnowledgeBase;

  constructor(
    private readonly project: Project,
    private readonly doc: ParsedDocument,
    private readonly offset: number,
    private readonly range: Range,
  ) {
    this.kb = project.kb;
  }

  complete(before: string): CompletionEntry[] {
    const machine = this.machineBodyAt();
    const sign = /(?:^|[\s{,])([+-])$/.exec(before)?.[1];
    if (sign) return machine ? this.features(machine, sign as '+' | '-') : [];
    const words = before.replace(/\.\.$/, ' .. ').trim().split(/\s+/).filter(Boolean);
    // After a brace only a `migrate { …` list continues on the same line.
    if (/[{}]/.test(before) && words[0] !== 'migrate') return [];
    if (words.length === 0) {
      if (!machine) return [this.machineKeyword()];
      return this.inMigrateBlock(machine) ? this.msrs() : this.inCpuidBlock(machine) ? [] : this.keywords();
    }
    const [first, second, third] = words;
    if (first === 'machine') {
      if (words.length === 2) return [this.item('extends', 'keyword', { documentation: KEYWORD_DOCS.extends })];
      return words.length === 3 && third === 'extends' ? this.machines(second) : [];
    }
    if (!machine) return [];
    switch (first) {
      case 'cpu':
        return words.length === 1 ? this.models() : [];
      case 'cpuid':
        return second === 'for' ? this.models() : words.length === 1 ? [this.item('for', 'keyword', { documentation: KEYWORD_DOCS.for })] : [];
      case 'migrate':
        return before.includes('}') ? [] : this.msrs();
      case 'qemu':
        return words.length === 1 ? this.releases() : [];
      case 'host-kernel':
        if (second === 'provides') return words.length >= 2 ? this.providedFeatures() : [];
        if (words.length === 1) return [this.item('provides', 'keyword', { documentation: KEYWORD_DOCS.provides }), ...this.kernels()];
        return (words.length === 2 && second === '>=') || (words.length === 3 && third === '..') ? this.kernels() : [];
      case 'accel':
        return words.length === 1 ? ['kvm', 'tcg'].map((v) => this.item(v, 'value', { detail: v === 'kvm' ? 'default; adds the KVM default bits' : 'emulation' })) : [];
      default:
        return [];
    }
  }

  // ---- where the cursor is -----------------------------------------------

  /** The machine whose body holds the cursor (an unclosed body runs to the next machine). */
  private machineBodyAt(): MachineDecl | undefined {
    const machines = this.doc.tree.machines;
    for (let i = 0; i < machines.length; i++) {
      const body = machines[i].body;
      if (!body || this.offset < body.open.end) continue;
      const end = body.close ? body.close.start : (machines[i + 1]?.start ?? this.doc.text.length);
      if (this.offset <= end) return machines[i];
    }
    return undefined;
  }

  private blockAt(machine: MachineDecl, kind: 'cpuid' | 'migrate') {
    return machine.statements.find((s) => s.kind === kind && s.block && this.offset >= s.block.open.end && this.offset <= (s.block.close?.start ?? machine.end));
  }

  private inMigrateBlock(machine: MachineDecl): boolean {
    return !!this.blockAt(machine, 'migrate');
  }

  private inCpuidBlock(machine: MachineDecl): boolean {
    return !!this.blockAt(machine, 'cpuid');
  }

  // ---- item lists ---------------------------------------------------------

  private item(label: string, kind: CompletionKind, extra: Partial<CompletionEntry> = {}): CompletionEntry {
    return { label, kind, range: this.range, ...extra };
  }

  private machineKeyword(): CompletionEntry {
    return this.item('machine', 'keyword', { documentation: KEYWORD_DOCS.machine, insertText: 'machine ${1:name} {\n\t$0\n}', snippet: true });
  }

  private keywords(): CompletionEntry[] {
    return STATEMENT_KEYWORDS.map((k) => this.item(k, 'keyword', { documentation: KEYWORD_DOCS[k], insertText: KEYWORD_SNIPPETS[k], snippet: true }));
  }

  /** Features after a sign; bits already in the effective CPUID rank lower for '+', higher for '-'. */
  private features(machine: MachineDecl, sign: '+' | '-'): CompletionEntry[] {
    const enabled = this.enabledBits(machine);
    return this.kb.features.map((f) => {
      const on = enabled.has(f.name);
      const msrs = this.kb.msrsOfFeature(f.name).map((m) => `${m.name} (${m.index})`);
      const doc = [f.description, msrs.length ? `MSRs: ${msrs.join(', ')}` : '', f.kvmSince ? `KVM: Linux ${f.kvmSince}` : '', on ? '_Already enabled in this machine._' : '']
        .filter(Boolean)
        .join('\n\n');
      const rank = (sign === '+') === on ? '1' : '0';
      return this.item(f.name, 'feature', { detail: featureLocation(f), documentation: doc, sortText: `${rank}${f.name}`, deprecated: !!f.deprecated });
    });
  }

  /** Features a fleet kernel can carry as a backport: those KVM exposes from some kernel. */
  private providedFeatures(): CompletionEntry[] {
    return this.kb.features
      .filter((f) => f.kvmSince || f.kvmSinceByVendor || f.kvmStable?.length)
      .map((f) => this.item(f.name, 'feature', { detail: featureLocation(f), documentation: f.kvmSince ? `KVM: Linux ${f.kvmSince}` : undefined }));
  }

  private enabledBits(machine: MachineDecl): Set<string> {
    const ref = refOf(this.doc, machine);
    if (!ref) return new Set();
    const resolved = this.project.workspace.resolve(ref);
    const forBlock = machine.statements.find((s) => s.kind === 'cpuid' && s.models.length && s.start <= this.offset && this.offset <= s.end);
    const model = forBlock?.kind === 'cpuid' ? forBlock.models[0].text : (resolved.cpu?.value ?? DEFAULT_MODEL);
    return new Set(computeCpuid(resolved, model, undefined, this.kb).enabled.keys());
  }

  private models(): CompletionEntry[] {
    return this.kb.models.map((m) =>
      this.item(m.name, 'model', {
        detail: m.followsHost ? 'follows the host' : `${m.features.length} bits${m.qemuSince ? ` · QEMU ${m.qemuSince}` : ''}`,
        documentation: m.description,
        deprecated: !!m.deprecated,
      }),
    );
  }

  private machines(self: string | undefined): CompletionEntry[] {
    const out: CompletionEntry[] = [];
    for (const name of this.project.workspace.machineNames()) {
      if (name === self) continue;
      const base = this.project.workspace.lookup(name)?.decl.base?.text;
      out.push(this.item(name, 'machine', { detail: base ? `extends ${base}` : undefined }));
    }
    return out;
  }

  private msrs(): CompletionEntry[] {
    return this.kb.msrs.map((m) =>
      this.item(m.name, 'msr', { detail: `${m.index} · ${m.role}${m.migratedSince ? ` · migrated since QEMU ${m.migratedSince}` : ''}`, documentation: m.description }),
    );
  }

  /** Releases newest first. */
  private releases(): CompletionEntry[] {
    const all = [...this.kb.releases].reverse();
    return all.map((r, i) =>
      this.item(r.version, 'version', {
        detail: `QEMU ${r.version}${r.date ? ` · ${r.date}` : ''}`,
        documentation: r.kvmDefaults.length ? `KVM defaults: ${r.kvmDefaults.join(', ')}` : undefined,
        sortText: String(i).padStart(4, '0'),
      }),
    );
  }

  /** Kernel versions the KB has facts about: release minimums and first KVM versions of bits. */
  private kernels(): CompletionEntry[] {
    const firstFor = new Map<string, string[]>();
    const add = (v: string | null, what?: string) => {
      if (!v) return;
      const list = firstFor.get(v) ?? [];
      if (what) list.push(what);
      firstFor.set(v, list);
    };
    for (const r of this.kb.releases) add(r.minKernel);
    for (const f of this.kb.features) add(f.kvmSince, f.name);
    const versions = [...firstFor.keys()].sort((a, b) => compareVersions(b, a));
    return versions.map((v, i) => {
      const bits = firstFor.get(v)!;
      return this.item(v, 'version', { detail: bits.length ? `Linux ${v}: KVM first exposes ${joinNames(bits, 4)}` : `Linux ${v}`, sortText: String(i).padStart(4, '0') });
    });
  }
}
