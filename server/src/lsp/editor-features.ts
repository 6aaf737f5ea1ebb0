/**
 * Editor features beyond diagnostics and outline: each handler converts LSP
 * params to a service call and the engine shape back to LSP. No decisions here.
 */
import {
  CodeActionKind,
  CompletionItemKind,
  CompletionItemTag,
  InlayHintKind,
  InsertTextFormat,
  LSPErrorCodes,
  ResponseError,
  SymbolKind,
  type CodeAction,
  type CompletionItem,
  type InitializeParams,
  type SelectionRange,
  type ServerCapabilities,
  type TextEdit as LspTextEdit,
} from 'vscode-languageserver';
import type { TextEdit } from '../fixes/apply';
import type { Range } from '../common/text';
import type { ParsedDocument } from '../model/document';
import { codeActions, FIX_ALL_KIND } from '../services/actions';
import { codeLenses } from '../services/code-lens';
import { completionsAt, TRIGGER_CHARACTERS, type CompletionKind } from '../services/completion';
import { formatDocument } from '../services/formatting';
import { hoverAt } from '../services/hover';
import { inlayHints } from '../services/inlay-hints';
import { definitionAt, prepareRenameAt, referencesAt, renameAt } from '../services/navigation';
import { selectionRanges } from '../services/selection-ranges';
import { encodeTokens, semanticTokens, TOKEN_MODIFIERS, TOKEN_TYPES } from '../services/semantic-tokens';
import { workspaceSymbols } from '../services/workspace-symbols';
import { toLspDiagnostic } from './convert';
import { afterIndex } from './indexing';
import { registerMachineRequests } from './machine-requests';
import type { MtypeSession } from './server';

/** Capabilities of the features registered below, merged into the initialize result. */
export function editorCapabilities(params: InitializeParams): Partial<ServerCapabilities> {
  const prepareRename = !!params.capabilities.textDocument?.rename?.prepareSupport;
  return {
    hoverProvider: true,
    completionProvider: { triggerCharacters: TRIGGER_CHARACTERS, resolveProvider: false },
    codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix, FIX_ALL_KIND], resolveProvider: false },
    definitionProvider: true,
    referencesProvider: true,
    renameProvider: prepareRename ? { prepareProvider: true } : true,
    workspaceSymbolProvider: true,
    selectionRangeProvider: true,
    semanticTokensProvider: { legend: { tokenTypes: [...TOKEN_TYPES], tokenModifiers: [...TOKEN_MODIFIERS] }, full: true, range: false },
    documentFormattingProvider: true,
    inlayHintProvider: true,
    codeLensProvider: { resolveProvider: false },
  };
}

const COMPLETION_KINDS: Record<CompletionKind, CompletionItemKind> = {
  keyword: CompletionItemKind.Keyword,
  feature: CompletionItemKind.EnumMember,
  model: CompletionItemKind.Class,
  machine: CompletionItemKind.Module,
  msr: CompletionItemKind.Variable,
  version: CompletionItemKind.Value,
  value: CompletionItemKind.EnumMember,
};

export function registerEditorFeatures(session: MtypeSession): void {
  const { connection, project } = session;
  const doc = (uri: string) => project.document(uri);
  const edits = (d: ParsedDocument, list: TextEdit[]): LspTextEdit[] => list.map((e) => ({ range: d.lines.rangeOf(e.span), newText: e.newText }));

  connection.onHover(
    guard(session, null, (p) => {
      const h = hoverAt(project, p.textDocument.uri, p.position);
      return h ? { contents: { kind: 'markdown' as const, value: h.markdown }, range: h.range } : null;
    }),
  );

  connection.onCompletion(
    guard(session, [], (p) =>
      completionsAt(project, p.textDocument.uri, p.position).map(
        (c): CompletionItem => ({
          label: c.label,
          kind: COMPLETION_KINDS[c.kind],
          detail: c.detail,
          documentation: c.documentation ? { kind: 'markdown', value: c.documentation } : undefined,
          sortText: c.sortText,
          filterText: c.label,
          tags: c.deprecated ? [CompletionItemTag.Deprecated] : undefined,
          insertTextFormat: c.snippet ? InsertTextFormat.Snippet : InsertTextFormat.PlainText,
          textEdit: { range: c.range, newText: c.insertText ?? c.label },
        }),
      ),
    ),
  );

  connection.onCodeAction(
    guard(session, [], (p) => {
      const uri = p.textDocument.uri;
      return codeActions(project, uri, p.context.diagnostics, p.context.only, p.range).map(
        (a): CodeAction => ({
          title: a.title,
          kind: a.kind,
          isPreferred: a.isPreferred || undefined,
          diagnostics: a.diagnostics.map((d) => toLspDiagnostic(d)),
          edit: { changes: { [uri]: a.edits } },
        }),
      );
    }),
  );

  // Answers that span files wait for the workspace index (a rename must see every reference).
  connection.onDefinition(afterIndex(session, guard(session, [], (p) => definitionAt(project, p.textDocument.uri, p.position))));
  connection.onReferences(afterIndex(session, guard(session, [], (p) => referencesAt(project, p.textDocument.uri, p.position, p.context.includeDeclaration))));
  connection.onPrepareRename(guard(session, null, (p) => prepareRenameAt(project, p.textDocument.uri, p.position) ?? null));
  connection.onRenameRequest(afterIndex(session, (p) => {
    const result = renameAt(project, p.textDocument.uri, p.position, p.newName);
    if ('error' in result) throw new ResponseError(LSPErrorCodes.RequestFailed, result.error);
    return { changes: result.changes };
  }));

  connection.onWorkspaceSymbol(
    afterIndex(session, guard(session, [], (p) =>
      workspaceSymbols(project.workspace, p.query).map((s) => ({ name: s.name, kind: SymbolKind.Class, containerName: s.containerName, location: { uri: s.uri, range: s.range } })),
    )),
  );

  connection.onSelectionRanges(
    guard(session, [], (p) => {
      const d = doc(p.textDocument.uri);
      if (!d) return [];
      return p.positions.map((pos) => nest(selectionRanges(d, pos)));
    }),
  );

  connection.languages.semanticTokens.on(
    guard(session, { data: [] as number[] }, (p) => {
      const d = doc(p.textDocument.uri);
      return { data: d ? encodeTokens(semanticTokens(d, project.workspace, project.kb)) : [] };
    }),
  );

  connection.onDocumentFormatting(
    guard(session, [], (p) => {
      const d = doc(p.textDocument.uri);
      return d ? edits(d, formatDocument(d)) : [];
    }),
  );

  connection.languages.inlayHint.on(
    guard(session, [], (p) => {
      const d = doc(p.textDocument.uri);
      if (!d) return [];
      return inlayHints(d, p.range, project.workspace, project.kb).map((h) => ({
        position: h.position,
        label: h.label,
        kind: h.kind === 'type' ? InlayHintKind.Type : InlayHintKind.Parameter,
        paddingLeft: true,
        tooltip: h.tooltip,
      }));
    }),
  );

  connection.onCodeLens(
    guard(session, [], (p) => {
      const d = doc(p.textDocument.uri);
      if (!d) return [];
      return codeLenses(d, project.workspace, project.kb).map((l) => ({ range: l.range, command: { title: l.title, command: l.command?.id ?? '', arguments: l.command?.arguments } }));
    }),
  );

  registerMachineRequests(session);
}

/** Innermost-first ranges -> LSP's linked list of selection ranges. */
function nest(ranges: Range[]): SelectionRange {
  let node: SelectionRange | undefined;
  for (let i = ranges.length - 1; i >= 0; i--) node = { range: ranges[i], parent: node };
  return node!;
}

/**
 * Wraps a handler so a bug in one feature answers with an empty result (and a
 * log line) instead of an error popup, and never stops the server.
 */
export function guard<P, R>(session: MtypeSession, fallback: R, handler: (params: P) => R): (params: P) => R {
  return (params: P) => {
    try {
      return handler(params);
    } catch (error) {
      session.connection.console.error(`mtype: ${(error as Error).stack ?? String(error)}`);
      return fallback;
    }
  };
}
