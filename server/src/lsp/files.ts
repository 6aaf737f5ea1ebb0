/** Reading the workspace's .mtype files from disk (never executing anything in it). */
import { readdirSync, readFileSync, realpathSync, statSync, type Dirent } from 'node:fs';
import { dirname, isAbsolute, join, relative, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/** Files larger than this are not analysed; one diagnostic says so. */
export const MAX_DOCUMENT_CHARS = 8 * 1024 * 1024;
/** A workspace scan stops after this many files, so a huge tree cannot stall start-up. */
export const MAX_WORKSPACE_FILES = 20000;

export function uriToPath(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

/** Every *.mtype file below `root`, skipping node_modules and dot-folders; symlinks are not followed. */
export function findMtypeFiles(root: string, limit = MAX_WORKSPACE_FILES): string[] {
  const out: string[] = [];
  const stack = [root];
  while (stack.length && out.length < limit) {
    const dir = stack.pop()!;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      continue;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) stack.push(path);
      else if (e.isFile() && e.name.endsWith('.mtype')) out.push(path);
      if (out.length >= limit) break;
    }
  }
  return out.sort();
}

export function readFileText(path: string): string | undefined {
  const result = readMtypeFile(path);
  return 'text' in result ? result.text : undefined;
}

/** A file's text, or why it cannot be read, in words for the server log. */
export function readMtypeFile(path: string): { text: string } | { problem: string } {
  try {
    const size = statSync(path).size;
    if (size > MAX_DOCUMENT_CHARS * 2) return { problem: `${path} is larger than ${(MAX_DOCUMENT_CHARS * 2) / 1024 / 1024} MiB; not indexed` };
    const text = readFileSync(path, 'utf8');
    return { text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
  } catch (error) {
    return { problem: fileProblem(path, error) };
  }
}

/** A file-system error as a sentence naming the path and what probably happened. */
export function fileProblem(path: string, error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ENOENT':
      return `${path} was deleted or renamed while mtype indexed the workspace; skipped`;
    case 'EISDIR':
      return `${path} is a folder now, not a file (replaced while indexing?); skipped`;
    case 'ENOTDIR':
      return `${path} is no longer a folder (replaced while indexing?); skipped`;
    case 'EACCES':
    case 'EPERM':
      return `cannot read ${path}: permission denied (${code}); skipped`;
    case 'ELOOP':
      return `${path} is a symlink loop; not followed`;
    default:
      return `cannot read ${path}: ${code ?? ''} ${(error as Error).message ?? String(error)}; skipped`.replace(/\s+/g, ' ');
  }
}

export interface IndexListener {
  /** A readable *.mtype file and its text. */
  file(path: string, text: string): void;
  /** Something in the tree mtype skipped, and why (`warning`: the user may want to fix it). */
  problem(message: string, level: 'warning' | 'info'): void;
  /** Called between slices, with the number of files read so far. */
  progress?(files: number): void;
}

export interface IndexOptions {
  /** Work this long at most before letting other events (requests) run. */
  sliceMs?: number;
  limit?: number;
  cancelled?: () => boolean;
}

/**
 * A pause between slices. A request passes through a chain of setImmediate hops inside vscode-jsonrpc (reading,
 * the message queue, the write lock): one hop per pause would cost a request several slices of latency
 * (measured: 4-5). So the pause lets the poll phase read input (a 1 ms timer), then turns the loop a few times.
 */
async function breather(): Promise<void> {
  await new Promise<void>((resolve) => setTimeout(resolve, 1));
  for (let i = 0; i < 4; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}

/**
 * Reads every *.mtype file below `root` (the rules of findMtypeFiles) in slices of `sliceMs`, yielding to the
 * event loop between them, so requests are answered while a large workspace is indexed. Files that vanish, turn
 * into folders or cannot be read, and symlinks (never followed; loops named as such), are reported, not thrown.
 * Resolves with the number of files read.
 */
export async function indexFolder(root: string, listener: IndexListener, options: IndexOptions = {}): Promise<number> {
  const sliceMs = options.sliceMs ?? 10;
  const limit = options.limit ?? MAX_WORKSPACE_FILES;
  const stack = [root];
  let files = 0;
  let sliceStart = Date.now();
  const pause = async () => {
    if (Date.now() - sliceStart < sliceMs) return;
    listener.progress?.(files);
    await breather();
    sliceStart = Date.now();
  };
  while (stack.length && files < limit && !options.cancelled?.()) {
    const dir = stack.pop()!;
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      listener.problem(fileProblem(dir, error), 'warning');
      continue;
    }
    // files in name order, then the subfolders (pushed in reverse, so popped in name order)
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const folders: string[] = [];
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      const path = join(dir, e.name);
      if (e.isDirectory()) folders.push(path);
      else if (e.isSymbolicLink()) symlinkProblem(path, listener);
      else if (e.isFile() && e.name.endsWith('.mtype')) {
        const read = readMtypeFile(path);
        if ('text' in read) {
          listener.file(path, read.text);
          files++;
        } else listener.problem(read.problem, 'warning');
        if (files >= limit) {
          listener.problem(`${root}: more than ${limit} .mtype files; the rest is not indexed`, 'warning');
          break;
        }
      }
      await pause();
    }
    for (let i = folders.length - 1; i >= 0; i--) stack.push(folders[i]);
    await pause();
  }
  listener.progress?.(files);
  return files;
}

/** Why a symlink in the workspace is skipped: a loop, a dangling link, or the rule (links are not followed). */
function symlinkProblem(path: string, listener: IndexListener): void {
  let target: string;
  try {
    target = realpathSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ELOOP') listener.problem(`${path} is a symlink loop; not followed`, 'warning');
    else if (code === 'ENOENT') listener.problem(`${path} is a broken symlink; skipped`, 'info');
    else listener.problem(fileProblem(path, error), 'warning');
    return;
  }
  let parent: string;
  try {
    parent = realpathSync(dirname(path));
  } catch {
    parent = dirname(path);
  }
  const rel = relative(target, parent);
  if (!isAbsolute(rel) && rel.split(sep)[0] !== '..') {
    listener.problem(`${path} is a symlink loop (it points to ${target}, a folder that contains it); not followed`, 'warning');
  } else if (path.endsWith('.mtype') || statSafe(target)?.isDirectory()) {
    listener.problem(`${path} is a symlink (to ${target}); mtype does not follow symlinks in the workspace`, 'info');
  }
}

function statSafe(path: string) {
  try {
    return statSync(path);
  } catch {
    return undefined;
  }
}

/**
 * True when `path` is a *.mtype file whose real location (symlinks resolved) is
 * inside one of the workspace `roots`: the only files the server re-reads from
 * disk on a client's say-so (a closed editor, a watched-file event).
 */
export function isWorkspaceMtype(path: string, roots: readonly string[]): boolean {
  if (!path.endsWith('.mtype')) return false;
  const real = realPath(path);
  if (!real) return false;
  return roots.some((root) => {
    const r = realPath(root);
    if (!r) return false;
    const rel = relative(r, real);
    return rel !== '' && !isAbsolute(rel) && rel.split(sep)[0] !== '..';
  });
}

function realPath(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}
