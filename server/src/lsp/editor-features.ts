/** Editor features beyond diagnostics and outline (hover, completion, code actions, …). */
import type { MtypeSession } from './server';

export function registerEditorFeatures(session: MtypeSession): void {
  void session;
}
