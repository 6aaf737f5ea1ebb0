/** Editor features beyond diagnostics and outline (hover, completion, code actions, …). */
import type { InitializeParams, ServerCapabilities } from 'vscode-languageserver';
import type { MtypeSession } from './server';

/** Capabilities of the features registered below, merged into the initialize result. */
export function editorCapabilities(params: InitializeParams): Partial<ServerCapabilities> {
  void params;
  return {};
}

export function registerEditorFeatures(session: MtypeSession): void {
  void session;
}
