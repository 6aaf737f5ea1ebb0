/** Smart selection: word -> edit -> block -> statement -> machine body -> machine -> file. */
import type { Position, Range, Span } from '../common/text';
import { spanContains } from '../common/text';
import type { ParsedDocument } from '../model/document';

/** Ranges around a position, innermost first; each strictly contains the previous one. */
export function selectionRanges(doc: ParsedDocument, position: Position): Range[] {
  const offset = doc.lines.offsetAt(position);
  const spans: Span[] = [];
  const machine = doc.tree.machines.find((m) => spanContains(m, offset));
  if (machine) {
    const statement = machine.statements.find((s) => spanContains(s, offset));
    if (statement) {
      const words = [statement.keyword, ...namesOf(statement)];
      const word = words.find((w) => spanContains(w, offset));
      if (word) spans.push(word);
      if (statement.kind === 'cpuid') {
        const edit = statement.edits.find((e) => spanContains(e, offset));
        if (edit) spans.push(edit);
      }
      if ((statement.kind === 'cpuid' || statement.kind === 'migrate') && statement.block) spans.push(statement.block);
      spans.push(statement);
    } else {
      const header = [machine.keyword, machine.name, machine.extendsKeyword, machine.base].find((w) => w && spanContains(w, offset));
      if (header) spans.push(header);
    }
    if (machine.body) spans.push(machine.body);
    spans.push(machine);
  }
  spans.push({ start: 0, end: doc.text.length });
  const out: Span[] = [];
  for (const s of spans) {
    const last = out[out.length - 1];
    if (!last || (s.start <= last.start && s.end >= last.end && (s.start < last.start || s.end > last.end))) out.push(s);
  }
  return out.map((s) => doc.lines.rangeOf(s));
}

function namesOf(s: ParsedDocument['tree']['machines'][number]['statements'][number]): Span[] {
  switch (s.kind) {
    case 'qemu':
      return s.version ? [s.version] : [];
    case 'host-kernel':
      return [s.min, s.max].filter((x): x is NonNullable<typeof x> => !!x);
    case 'accel':
      return s.value ? [s.value] : [];
    case 'cpu':
      return s.model ? [s.model] : [];
    case 'cpuid':
      return [...(s.forKeyword ? [s.forKeyword] : []), ...s.models, ...s.edits.map((e) => e.feature)];
    case 'migrate':
      return s.msrs;
    case 'alias':
      return s.name ? [s.name] : [];
    case 'deprecated':
      return s.reason ? [s.reason] : [];
    case 'description':
      return s.text ? [s.text] : [];
    case 'compat':
      return [s.driver, s.property, s.value].filter((x): x is NonNullable<typeof x> => !!x);
    case 'host-kernel-provides':
      return [s.provides, ...s.features];
    case 'tsc-frequency':
      return s.value ? [s.value] : [];
    case 'follows-host':
      return [];
  }
}
