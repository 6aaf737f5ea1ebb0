/**
 * What the client does when the server process dies: restart it (vscode-languageclient then re-opens every open
 * document with its current, unsaved text, so the new server sees what the user sees), at most 5 times in
 * 3 minutes, saying so in the output channel; a server that keeps dying is left stopped, with one error.
 * The decisions are in restart-rules.ts.
 */
import type * as vscode from 'vscode';
import { CloseAction, ErrorAction, type ErrorHandler } from 'vscode-languageclient/node';
import { continuesAfter, MAX_RESTARTS, RestartWindow } from './restart-rules';

export { MAX_RESTARTS };

export function restartPolicy(output: vscode.LogOutputChannel, now: () => number = Date.now): ErrorHandler {
  const window = new RestartWindow(now);
  return {
    error: (error, _message, count) => ({ action: continuesAfter(error, count) ? ErrorAction.Continue : ErrorAction.Shutdown }),
    closed: () => {
      const { count, restart } = window.stopped();
      if (!restart) {
        return {
          action: CloseAction.DoNotRestart,
          message: `The mtype language server stopped ${count} times in 3 minutes; it is not restarted again. Its log is in this output channel; run "Developer: Reload Window" to start it again.`,
        };
      }
      output.warn(`The mtype language server stopped unexpectedly; restarting it (${count} of ${MAX_RESTARTS} in 3 minutes). Open documents are sent again with their unsaved text.`);
      return { action: CloseAction.Restart, handled: true };
    },
  };
}
