/** Engine shapes -> LSP shapes. The only place that knows both. */
import {
  DiagnosticSeverity,
  DiagnosticTag,
  SymbolKind,
  type Diagnostic as LspDiagnostic,
  type DocumentSymbol,
} from 'vscode-languageserver';
import type { Diagnostic, Severity } from '../common/diagnostic';
import type { SymbolNode } from '../services/symbols';
import { serverCodeLinks } from './code-links';
import { mapped } from '../common/arrays';

const SEVERITY: Record<Severity, DiagnosticSeverity> = {
  error: DiagnosticSeverity.Error,
  warning: DiagnosticSeverity.Warning,
  information: DiagnosticSeverity.Information,
  hint: DiagnosticSeverity.Hint,
};

/**
 * What the client takes: related information and the code link only when it says it
 * accepts them (LSP `relatedInformation`, `codeDescriptionSupport`). A client that does
 * not is spared them: on a large file they are a third of every answer.
 */
export interface DiagnosticShape {
  related: boolean;
  codeDescription: boolean;
}

export const FULL_SHAPE: DiagnosticShape = { related: true, codeDescription: true };

/**
 * No `data`: code actions find their diagnostics again by code and range in the
 * engine's own list (services/actions.ts), so nothing would read it back.
 */
export function toLspDiagnostic(d: Diagnostic, shape: DiagnosticShape = FULL_SHAPE): LspDiagnostic {
  return {
    range: d.range,
    severity: SEVERITY[d.severity],
    code: d.code,
    ...(shape.codeDescription ? codeDescription(d.code) : undefined),
    source: 'mtype',
    message: d.message,
    tags: d.tags && mapped(d.tags, (t) => (t === 'unnecessary' ? DiagnosticTag.Unnecessary : DiagnosticTag.Deprecated)),
    relatedInformation: shape.related && d.related ? mapped(d.related, (r) => ({ location: { uri: r.uri, range: r.range }, message: r.message })) : undefined,
  };
}

/** The link to the code's section of the bundled codes page; none when the page is not there. */
function codeDescription(code: string): { codeDescription?: { href: string } } {
  const href = serverCodeLinks()(code);
  return href ? { codeDescription: { href } } : {};
}

export function toDocumentSymbol(s: SymbolNode): DocumentSymbol {
  return {
    name: s.name,
    detail: s.detail,
    kind: s.kind === 'machine' ? SymbolKind.Class : s.kind === 'block' ? SymbolKind.Array : SymbolKind.Property,
    range: s.range,
    selectionRange: s.selectionRange,
    children: s.children.map(toDocumentSymbol),
  };
}
