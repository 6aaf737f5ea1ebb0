/**
 * The VS Code client: starts the bundled language server, forwards settings, and
 * wires commands and the status item to the server's custom requests
 * (server/src/lsp/machine-requests.ts). Everything about machine types lives in
 * the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';
import { inlineExplainLens, openExplanation, registerExplainDocuments } from './explain-view';
import { restartPolicy } from './restart';
import { serverNodeOptions } from './server-launch.mjs';
import { configure, statusItems } from './status';

let client: LanguageClient | undefined;

/**
 * Fired with a machine quick pick's title once the workbench shows it (its first active item). Exported through the extension's API
 * so the extension-host tests can answer a pick once, after it exists, instead of pressing Enter until
 * something happens.
 */
let machinePickShown: vscode.EventEmitter<string> | undefined; // made in activate: loading the module creates nothing

export interface MtypeApi {
  onDidShowMachinePick: vscode.Event<string>;
}

interface MachineSummary {
  name: string;
  uri: string;
  base?: string;
  description?: string;
}

export async function activate(context: vscode.ExtensionContext): Promise<MtypeApi> {
  const serverModule = context.asAbsolutePath(path.join('server', 'out', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: serverNodeOptions() } },
    debug: { module: serverModule, transport: TransportKind.ipc, options: { execArgv: ['--nolazy', '--inspect=6019'] } },
  };
  const output = vscode.window.createOutputChannel('mtype', { log: true });
  const clientOptions: LanguageClientOptions = {
    documentSelector: [{ language: 'mtype' }],
    synchronize: {
      configurationSection: 'mtype',
      fileEvents: vscode.workspace.createFileSystemWatcher('**/*.mtype'),
    },
    outputChannel: output,
    traceOutputChannel: output,
    errorHandler: restartPolicy(output),
    middleware: {
      provideCodeLenses: async (document, token, next) => (await next(document, token))?.map(inlineExplainLens),
    },
  };
  const lc = new LanguageClient('mtype', 'mtype language server', serverOptions, clientOptions);
  client = lc;
  const explainDocs = registerExplainDocuments(lc);
  context.subscriptions.push(
    output,
    explainDocs.disposable,
    vscode.commands.registerCommand('mtype.explainMachine', (name?: unknown) => explain(lc, name, explainDocs.refresh)),
    vscode.commands.registerCommand('mtype.copyQemu', (name?: unknown) => copy(lc, 'qemu', name)),
    vscode.commands.registerCommand('mtype.copyLibvirt', (name?: unknown) => copy(lc, 'libvirt', name)),
    vscode.commands.registerCommand('mtype.compareMachines', () => compare(lc)),
    vscode.commands.registerCommand('mtype.openExample', () => openExample(context)),
    vscode.commands.registerCommand('mtype.configure', () => configure(context.extension.id)),
  );
  await lc.start();
  context.subscriptions.push(statusItems(lc));
  machinePickShown = new vscode.EventEmitter<string>();
  context.subscriptions.push(machinePickShown);
  return { onDidShowMachinePick: machinePickShown.event };
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

// ---- commands -------------------------------------------------------------

async function explain(lc: LanguageClient, arg: unknown, refresh: () => void): Promise<void> {
  const name = await machineName(lc, arg, 'Machine type to explain');
  if (name) await openExplanation(name, refresh);
}

async function copy(lc: LanguageClient, format: 'qemu' | 'libvirt', arg: unknown): Promise<void> {
  const name = await machineName(lc, arg, format === 'qemu' ? 'Copy the QEMU command line of' : 'Copy the libvirt domain XML of');
  if (!name) return;
  const result = await ask<{ text: string }>(lc, 'mtype/explain', { name, format });
  if (!result) return;
  await vscode.env.clipboard.writeText(result.text);
  void vscode.window.showInformationMessage(`Copied ${format === 'qemu' ? 'the QEMU command line' : 'the libvirt domain XML'} of ${name}.`);
}

async function compare(lc: LanguageClient): Promise<void> {
  const a = await machineName(lc, undefined, 'First machine type (from)');
  if (!a) return;
  const b = await machineName(lc, undefined, `Compare ${a} with`, a);
  if (!b) return;
  const result = await ask<{ markdown: string }>(lc, 'mtype/compare', { a, b });
  if (result) await showMarkdown(result.markdown);
}

async function openExample(context: vscode.ExtensionContext): Promise<void> {
  const file = vscode.Uri.joinPath(context.extensionUri, 'media', 'walkthrough', 'example.mtype');
  const content = new TextDecoder().decode(await vscode.workspace.fs.readFile(file));
  const doc = await vscode.workspace.openTextDocument({ language: 'mtype', content });
  await vscode.window.showTextDocument(doc);
}

// ---- helpers --------------------------------------------------------------

/** The machine named by a command argument, else a quick pick (the one under the cursor first). */
async function machineName(lc: LanguageClient, arg: unknown, title: string, exclude?: string): Promise<string | undefined> {
  if (typeof arg === 'string' && arg) return arg;
  const editor = vscode.window.activeTextEditor;
  const here = editor?.document.languageId === 'mtype' ? { uri: editor.document.uri.toString(), position: editor.selection.active } : {};
  const list = await ask<{ machines: MachineSummary[]; current?: string }>(lc, 'mtype/machines', here);
  if (!list) return undefined;
  const machines = list.machines.filter((m) => m.name !== exclude);
  if (!machines.length) {
    void vscode.window.showInformationMessage('No machine types in the workspace.');
    return undefined;
  }
  const items = machines.map((m) => ({ label: m.name, description: m.base ? `extends ${m.base}` : undefined, detail: m.description }));
  const current = items.findIndex((i) => i.label === list.current);
  if (current > 0) items.unshift(...items.splice(current, 1));
  return pickOne(items, title);
}

/** A quick pick of `items`; its first active-item report (sent by the workbench once the list shows) fires `machinePickShown`. */
function pickOne(items: vscode.QuickPickItem[], title: string): Promise<string | undefined> {
  const pick = vscode.window.createQuickPick();
  pick.title = title;
  pick.matchOnDescription = true;
  pick.items = items;
  return new Promise((resolve) => {
    let shown = false;
    pick.onDidChangeActive((active) => {
      if (shown || active.length === 0) return;
      shown = true;
      machinePickShown?.fire(title);
    });
    pick.onDidAccept(() => {
      resolve((pick.selectedItems[0] ?? pick.activeItems[0])?.label);
      pick.hide();
    });
    pick.onDidHide(() => {
      resolve(undefined); // no effect after an accept
      pick.dispose();
    });
    pick.show();
  });
}

async function ask<T>(lc: LanguageClient, method: string, params: object): Promise<T | undefined> {
  try {
    return await lc.sendRequest<T>(method, params);
  } catch (error) {
    void vscode.window.showErrorMessage(`mtype: ${(error as Error).message}`);
    return undefined;
  }
}

async function showMarkdown(content: string): Promise<void> {
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  try {
    await vscode.commands.executeCommand('markdown.showPreview', doc.uri);
  } catch {
    await vscode.window.showTextDocument(doc); // no Markdown preview available: the source will do
  }
}
