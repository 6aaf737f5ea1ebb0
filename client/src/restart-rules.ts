/**
 * The restart policy's decisions, apart from vscode-languageclient (so the unit tests can load them):
 * whether a transport error lets the client go on, and whether a server that stopped is started again.
 */
export const MAX_RESTARTS = 5;
export const WINDOW_MS = 3 * 60 * 1000;

/**
 * A message the transport could not read or write: keep going, the close handler decides about the process.
 * A write into the pipe of a process that died is not counted: the close comes next, and a client with a few
 * messages in flight at that moment (an edit, code lenses, symbols) would otherwise shut down for good.
 */
export function continuesAfter(error: Error, count: number | undefined): boolean {
  return pipeGone(error) || (count !== undefined && count <= 3);
}

/** Whether a transport error says the server's end of the pipe is gone (its process exited). */
export function pipeGone(error: Error): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'EPIPE' || code === 'ERR_STREAM_DESTROYED' || /\bEPIPE\b/.test(error.message);
}

/** The server's stops in the last WINDOW_MS: it is restarted up to MAX_RESTARTS times in that window. */
export class RestartWindow {
  private stops: number[] = [];

  constructor(private readonly now: () => number = Date.now) {}

  /** Notes a stop; how many the window holds now, and whether to restart. */
  stopped(): { count: number; restart: boolean } {
    const t = this.now();
    this.stops = [...this.stops.filter((s) => t - s < WINDOW_MS), t];
    return { count: this.stops.length, restart: this.stops.length <= MAX_RESTARTS };
  }
}
