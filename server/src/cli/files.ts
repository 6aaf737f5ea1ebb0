/** Finding .mtype files: files as given, folders walked (skipping node_modules and dot-folders). */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export class UsageError extends Error {}

/** Above this size a file is not analysed (see docs/robustness.md); one diagnostic says so. */
export const MAX_FILE_BYTES = 8 * 1024 * 1024;

export function collectFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    let st;
    try {
      st = statSync(p);
    } catch {
      throw new UsageError(`cannot read '${p}': no such file or directory`);
    }
    if (st.isDirectory()) walk(p, out);
    else if (st.isFile()) out.push(p);
    else throw new UsageError(`cannot read '${p}': not a file or folder`);
  }
  return [...new Set(out)];
}

function walk(dir: string, out: string[]): void {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    throw new UsageError(`cannot read folder '${dir}'`);
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    if (e.name.startsWith('.') || e.name === 'node_modules') continue;
    const path = join(dir, e.name);
    if (e.isDirectory()) walk(path, out);
    else if (e.isFile() && e.name.endsWith('.mtype')) out.push(path);
  }
}

export function readText(path: string): string {
  let buffer: Buffer;
  try {
    buffer = readFileSync(path);
  } catch (error) {
    throw new UsageError(`cannot read '${path}': ${(error as NodeJS.ErrnoException).code ?? 'error'}`);
  }
  let text = buffer.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return text;
}
