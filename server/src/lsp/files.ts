/** Reading the workspace's .mtype files from disk (never executing anything in it). */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
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
  try {
    if (statSync(path).size > MAX_DOCUMENT_CHARS * 2) return undefined;
    const text = readFileSync(path, 'utf8');
    return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
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
