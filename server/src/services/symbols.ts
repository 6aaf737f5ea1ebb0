/** Document outline and folding, from the syntax tree alone. */
import type { Range } from '../common/text';
import type { ParsedDocument } from '../model/document';

export interface SymbolNode {
  name: string;
  detail?: string;
  kind: 'machine' | 'statement' | 'block';
  range: Range;
  selectionRange: Range;
  children: SymbolNode[];
}

export function documentSymbols(doc: ParsedDocument): SymbolNode[] {
  const out: SymbolNode[] = [];
  for (const m of doc.tree.machines) {
    if (!m.name) continue;
    const children: SymbolNode[] = [];
    for (const s of m.statements) {
      let name: string = s.keyword.text;
      if (s.kind === 'cpuid') name = s.models.length ? `cpuid for ${s.models.map((x) => x.text).join(', ')}` : 'cpuid';
      const detail =
        s.kind === 'qemu' ? s.version?.text
        : s.kind === 'cpu' ? s.model?.text
        : s.kind === 'host-kernel' ? (s.form === 'min' ? `>= ${s.min?.text ?? ''}` : `${s.min?.text ?? ''}..${s.max?.text ?? ''}`)
        : s.kind === 'host-kernel-provides' ? `provides ${s.features.map((x) => x.text).join(' ')}`
        : s.kind === 'tsc-frequency' ? s.value?.text
        : s.kind === 'accel' ? s.value?.text
        : s.kind === 'cpuid' ? s.edits.map((e) => e.sign + e.feature.text).join(' ')
        : s.kind === 'migrate' ? s.msrs.map((x) => x.text).join(' ')
        : s.kind === 'compat' ? `${s.driver?.text ?? ''}.${s.property?.text ?? ''}`
        : s.kind === 'alias' ? s.name?.text
        : undefined;
      const range = doc.lines.rangeOf(s);
      children.push({ name, detail: detail && detail.length > 80 ? detail.slice(0, 77) + '…' : detail, kind: s.kind === 'cpuid' || s.kind === 'migrate' ? 'block' : 'statement', range, selectionRange: doc.lines.rangeOf(s.keyword), children: [] });
    }
    out.push({
      name: m.name.text,
      detail: m.base ? `extends ${m.base.text}` : undefined,
      kind: 'machine',
      range: doc.lines.rangeOf(m),
      selectionRange: doc.lines.rangeOf(m.name),
      children,
    });
  }
  return out;
}

export interface FoldingRange {
  startLine: number;
  endLine: number;
  kind?: 'comment' | 'region';
}

export function foldingRanges(doc: ParsedDocument): FoldingRange[] {
  const out: FoldingRange[] = [];
  const add = (open: number, close: number | undefined) => {
    if (close === undefined) return;
    const startLine = doc.lines.positionAt(open).line;
    const endLine = doc.lines.positionAt(close).line;
    if (endLine > startLine) out.push({ startLine, endLine });
  };
  for (const m of doc.tree.machines) {
    if (m.body) add(m.body.open.start, m.body.close?.start);
    for (const s of m.statements) if ((s.kind === 'cpuid' || s.kind === 'migrate') && s.block) add(s.block.open.start, s.block.close?.start);
  }
  // Runs of two or more own-line comments fold together.
  let runStart = -1;
  let runEnd = -1;
  for (const c of doc.tree.comments) {
    const line = doc.lines.positionAt(c.start).line;
    if (!c.ownLine) continue;
    if (runStart >= 0 && line === runEnd + 1) runEnd = line;
    else {
      if (runStart >= 0 && runEnd > runStart) out.push({ startLine: runStart, endLine: runEnd, kind: 'comment' });
      runStart = runEnd = line;
    }
  }
  if (runStart >= 0 && runEnd > runStart) out.push({ startLine: runStart, endLine: runEnd, kind: 'comment' });
  return out.sort((a, b) => a.startLine - b.startLine);
}
