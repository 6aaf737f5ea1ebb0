/** Helpers of the extension-host suite: workspace files, polling (never fixed sleeps), compact diagnostics. */
import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'mtype-tools.mtype';

/** Polls `fn` until it returns something other than undefined; fails with `what` (and the last value seen). */
export async function waitFor<T>(what: string, fn: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await fn();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs a workspace folder (examples/ and fixtures/)');
  return folder.uri;
}

export const fileUri = (rel: string): vscode.Uri => vscode.Uri.joinPath(workspaceRoot(), rel);

/** Activates the extension (it activates on *.mtype in the workspace anyway) and returns it. */
export async function extension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is loaded`);
  await ext.activate();
  return ext;
}

/** Opens a workspace file in an editor (through the extension API) and returns its document. */
export async function open(rel: string): Promise<vscode.TextDocument> {
  const doc = await vscode.workspace.openTextDocument(fileUri(rel));
  await vscode.window.showTextDocument(doc, { preview: false });
  assert.equal(doc.languageId, 'mtype', `${rel} is an mtype document`);
  return doc;
}

export function codeOf(d: vscode.Diagnostic): string {
  return String(typeof d.code === 'object' ? d.code.value : d.code);
}

const SEVERITY = ['error', 'warning', 'information', 'hint'];
export const severityName = (d: vscode.Diagnostic): string => SEVERITY[d.severity];

/** 0-based `line:char-line:char`. */
export function rangeText(r: vscode.Range): string {
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character}`;
}

/** `MT300 error 7:2-7:10`, sorted: easy to compare and to read in a failure. */
export function summarize(diags: readonly vscode.Diagnostic[]): string[] {
  return diags.map((d) => `${codeOf(d)} ${severityName(d)} ${rangeText(d.range)}`).sort();
}

export const diagnostics = (uri: vscode.Uri): vscode.Diagnostic[] => vscode.languages.getDiagnostics(uri);

/** Waits until the diagnostics of `uri` satisfy `ok`, and returns them. */
export function diagnosticsWhere(uri: vscode.Uri, what: string, ok: (d: vscode.Diagnostic[]) => boolean, timeoutMs = 30_000): Promise<vscode.Diagnostic[]> {
  return waitFor(`${what} (${vscode.workspace.asRelativePath(uri)}; now: ${JSON.stringify(summarize(diagnostics(uri)))})`, () => {
    const d = diagnostics(uri);
    return ok(d) ? d : undefined;
  }, timeoutMs);
}

export const hasCode = (code: string) => (ds: vscode.Diagnostic[]) => ds.some((d) => codeOf(d) === code);

/** Position of the `occurrence`-th (0-based) `needle` in the document, moved `shift` characters right. */
export function positionOf(doc: vscode.TextDocument, needle: string, shift = 0, occurrence = 0): vscode.Position {
  let at = -1;
  for (let i = 0; i <= occurrence; i++) {
    at = doc.getText().indexOf(needle, at + 1);
    assert.ok(at >= 0, `'${needle}' (#${occurrence}) in ${vscode.workspace.asRelativePath(doc.uri)}`);
  }
  return doc.positionAt(at + shift);
}

/** Markdown/plain text of hover results, joined. */
export function hoverText(hovers: vscode.Hover[] | undefined): string {
  return (hovers ?? [])
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : String(c)))
    .join('\n');
}

/** Asks for code actions at a diagnostic until the server offers one titled `title` (a first answer can be empty). */
export async function codeAction(doc: vscode.TextDocument, diag: vscode.Diagnostic, title: string | RegExp): Promise<vscode.CodeAction> {
  let offered: string[] = [];
  return waitFor(`code action ${title} (offered: ${JSON.stringify(offered)})`, async () => {
    const actions = await vscode.commands.executeCommand<(vscode.CodeAction | vscode.Command)[]>(
      'vscode.executeCodeActionProvider', doc.uri, diag.range, vscode.CodeActionKind.QuickFix.value);
    offered = (actions ?? []).map((a) => a.title);
    return (actions ?? []).find((a): a is vscode.CodeAction => 'kind' in a && (typeof title === 'string' ? a.title === title : title.test(a.title)));
  }, 15_000);
}

/** Markdown documents that are open now (Explain / Compare open theirs as untitled markdown). */
export function openMarkdown(): vscode.TextDocument[] {
  return vscode.workspace.textDocuments.filter((d) => d.languageId === 'markdown');
}
