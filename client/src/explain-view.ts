/**
 * The explanation of a machine type as a read-only virtual document (`mtype-explain:/<name>.md`), shown in the
 * Markdown preview, and the code-lens rewrite that makes "Explain" safe to click after an edit.
 *
 * Why the rewrite: VS Code caches a lens command that carries arguments in the extension host and hands the
 * editor only a cache id; the cache entry is released when the lens list is replaced after an edit, but lens
 * widgets that were outside the viewport keep the old id until they are resolved again. A click in that window
 * fails with "Actual command not found, wanted to execute mtype.explainMachine /N". `vscode.openWith` is an API
 * command whose arguments travel inline (no cache), so a stale lens still opens the right explanation.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';

export const EXPLAIN_SCHEME = 'mtype-explain';
/** The command the server's "Explain" lens names (server/src/services/code-lens.ts). */
export const EXPLAIN_COMMAND = 'mtype.explainMachine';
const PREVIEW = 'vscode.markdown.preview.editor';

export function explainUri(name: string): vscode.Uri {
  return vscode.Uri.from({ scheme: EXPLAIN_SCHEME, path: `/${name}.md` });
}

function nameOf(uri: vscode.Uri): string {
  return uri.path.replace(/^\//, '').replace(/\.md$/, '');
}

/** Opens the explanation of `name` rendered (the Markdown preview), else as read-only Markdown source. */
export async function openExplanation(name: string, refresh: () => void): Promise<void> {
  refresh(); // an explanation opened before shows the workspace as it is now
  const uri = explainUri(name);
  try {
    await vscode.commands.executeCommand('vscode.openWith', uri, PREVIEW);
  } catch {
    await vscode.commands.executeCommand('vscode.open', uri); // no Markdown preview available: the source will do
  }
}

/** Provides `mtype-explain:` documents from the server's mtype/explain; re-asks when .mtype documents change. */
export function registerExplainDocuments(lc: LanguageClient): { disposable: vscode.Disposable; refresh: () => void } {
  const changed = new vscode.EventEmitter<vscode.Uri>();
  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    async provideTextDocumentContent(uri) {
      const name = nameOf(uri);
      try {
        const result = await lc.sendRequest<{ text: string }>('mtype/explain', { name, format: 'markdown' });
        return result.text;
      } catch (error) {
        return `# ${name}\n\nmtype cannot explain this machine type: ${(error as Error).message}\n`;
      }
    },
  };
  const refresh = () => {
    for (const doc of vscode.workspace.textDocuments) if (doc.uri.scheme === EXPLAIN_SCHEME) changed.fire(doc.uri);
  };
  let timer: NodeJS.Timeout | undefined;
  const onEdit = vscode.workspace.onDidChangeTextDocument((e) => {
    if (e.document.languageId !== 'mtype') return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(refresh, 500);
  });
  const registration = vscode.workspace.registerTextDocumentContentProvider(EXPLAIN_SCHEME, provider);
  return {
    refresh,
    disposable: new vscode.Disposable(() => {
      if (timer) clearTimeout(timer);
      onEdit.dispose();
      registration.dispose();
      changed.dispose();
    }),
  };
}

/** The server's `mtype.explainMachine <name>` lens command as `vscode.openWith <explain uri>` (see above). */
export function inlineExplainLens(lens: vscode.CodeLens): vscode.CodeLens {
  const command = lens.command;
  const name = command?.arguments?.[0];
  if (command?.command !== EXPLAIN_COMMAND || typeof name !== 'string') return lens;
  lens.command = { title: command.title, tooltip: `Explain ${name}`, command: 'vscode.openWith', arguments: [explainUri(name), PREVIEW] };
  return lens;
}
