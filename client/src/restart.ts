/**
 * What the client does when the server process dies: restart it (vscode-languageclient then re-opens every open
 * document with its current, unsaved text, so the new server sees what the user sees), at most 5 times in
 * 3 minutes, saying so in the output channel; a server that keeps dying is left stopped, with one error.
 */
import type * as vscode from 'vscode';
import { CloseAction, ErrorAction, type ErrorHandler } from 'vscode-languageclient/node';

export const MAX_RESTARTS = 5;
const WINDOW_MS = 3 * 60 * 1000;

export function restartPolicy(output: vscode.LogOutputChannel, now: () => number = Date.now): ErrorHandler {
  let restarts: number[] = [];
  return {
    // a message the transport could not read or write: keep going, the close handler decides about the process.
    // A write into the pipe of a process that died is not counted: the close comes next, and a client with
    // a few messages in flight at that moment (an edit, code lenses, symbols) would otherwise shut down for good.
    error: (error, _message, count) => ({ action: pipeGone(error) || (count !== undefined && count <= 3) ? ErrorAction.Continue : ErrorAction.Shutdown }),
    closed: () => {
      const t = now();
      restarts = [...restarts.filter((r) => t - r < WINDOW_MS), t];
      if (restarts.length > MAX_RESTARTS) {
        return {
          action: CloseAction.DoNotRestart,
          message: `The mtype language server stopped ${restarts.length} times in 3 minutes; it is not restarted again. Its log is in this output channel; run "Developer: Reload Window" to start it again.`,
        };
      }
      output.warn(`The mtype language server stopped unexpectedly; restarting it (${restarts.length} of ${MAX_RESTARTS} in 3 minutes). Open documents are sent again with their unsaved text.`);
      return { action: CloseAction.Restart, handled: true };
    },
  };
}

/** Whether a transport error says the server's end of the pipe is gone (its process exited). */
function pipeGone(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || /\bEPIPE\b/.test(error.message);
}
