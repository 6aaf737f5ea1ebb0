/**
 * Indexing the workspace folders' .mtype files in the background: in slices that yield to the event loop (so
 * hover, completion and the like are answered meanwhile), with `window/workDoneProgress` when the client supports
 * it, and every skipped file named in the server log. Requests whose answer needs the whole workspace wait for
 * `idle()`.
 */
import type { Connection } from 'vscode-languageserver';
import { MAX_DOCUMENT_CHARS, indexFolder, pathToUri, uriToPath } from './files';
import type { MtypeSession } from './server';
import { withCompactHeap } from './heap';

export interface IndexTarget {
  /** A file's text from disk; returns nothing. */
  add(uri: string, text: string): void;
  /** The index of some folders is complete. */
  done(): void;
}

export class WorkspaceIndexer {
  private queue: Promise<void> = Promise.resolve();
  private running = 0;
  /** Files read by the indexer since the server started. */
  filesIndexed = 0;

  constructor(
    private readonly connection: Connection,
    private readonly target: IndexTarget,
  ) {}

  get busy(): boolean {
    return this.running > 0;
  }

  /** Resolves when every folder queued so far is indexed. */
  idle(): Promise<void> {
    return this.queue;
  }

  /** Queues folders (file: URIs) for indexing, after the ones queued before. */
  index(folderUris: string[]): Promise<void> {
    const roots = folderUris.map(uriToPath).filter((p): p is string => !!p);
    if (!roots.length) return this.queue;
    this.running++;
    // One index at a time (the queue), each with a compact heap (lsp/heap.ts).
    this.queue = this.queue.then(() => withCompactHeap(() => this.run(roots))).finally(() => {
      this.running--;
      this.target.done();
    });
    return this.queue;
  }

  private async run(roots: string[]): Promise<void> {
    const started = Date.now();
    const progress = await this.connection.window.createWorkDoneProgress().catch(() => undefined);
    progress?.begin('mtype: indexing', undefined, roots.length === 1 ? roots[0] : `${roots.length} folders`, false);
    let total = 0;
    for (const root of roots) {
      try {
        total += await indexFolder(root, {
          file: (path, text) => {
            if (text.length <= MAX_DOCUMENT_CHARS) this.target.add(pathToUri(path), text);
            else this.connection.console.warn(`mtype: ${path} is larger than ${MAX_DOCUMENT_CHARS / 1024 / 1024} MiB of text; not indexed`);
          },
          problem: (message, level) => (level === 'warning' ? this.connection.console.warn(`mtype: ${message}`) : this.connection.console.info(`mtype: ${message}`)),
          progress: (files) => progress?.report(`${total + files} files`),
        });
      } catch (error) {
        // a bug, not a file problem: say so and keep the server (and the files read so far)
        this.connection.console.error(`mtype: indexing ${root} failed: ${(error as Error).stack ?? String(error)}`);
      }
    }
    this.filesIndexed += total;
    progress?.done();
    this.connection.console.info(`mtype: indexed ${total} .mtype file${total === 1 ? '' : 's'} in ${Date.now() - started} ms`);
  }
}

/** Runs `handler` once the workspace index is complete (the event loop stays free meanwhile). */
export function afterIndex<P, R>(session: MtypeSession, handler: (params: P) => R): (params: P) => Promise<R> {
  return async (params: P) => {
    await session.indexer.idle();
    return handler(params);
  };
}
