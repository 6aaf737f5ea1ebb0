/**
 * The VS Code client: starts the bundled language server and forwards settings.
 * Everything about machine types lives in the server.
 */
import * as path from 'node:path';
import * as vscode from 'vscode';
import { LanguageClient, TransportKind, type LanguageClientOptions, type ServerOptions } from 'vscode-languageclient/node';

let client: LanguageClient | undefined;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const serverModule = context.asAbsolutePath(path.join('server', 'out', 'server.js'));
  const serverOptions: ServerOptions = {
    run: { module: serverModule, transport: TransportKind.ipc },
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
  };
  client = new LanguageClient('mtype', 'mtype language server', serverOptions, clientOptions);
  context.subscriptions.push(output);
  await client.start();
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}
