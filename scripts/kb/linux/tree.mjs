// Read-only access to one source tree: a git directory at a commit (a fetched snapshot) or
// a plain directory (the test fixtures). Both answer `read(path)` with the text or null.

import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';

export function openTree(spec) {
  if (spec.gitdir) {
    // Some imports keep the kernel in a subdirectory ("linux-4.14.177/").
    const prefix = spec.subdir ? spec.subdir.replace(/\/?$/, '/') : '';
    return {
      label: `${spec.repo}@${spec.commit.slice(0, 12)}`,
      read(file) {
        try {
          return execFileSync('git', ['-C', spec.gitdir, 'show', `${spec.commit}:${prefix}${file}`], {
            encoding: 'utf8',
            maxBuffer: 64 * 1024 * 1024,
            stdio: ['ignore', 'pipe', 'ignore'],
          });
        } catch {
          return null;
        }
      },
    };
  }
  return {
    label: spec.label ?? spec.dir,
    read(file) {
      const p = path.join(spec.dir, file);
      return fs.existsSync(p) ? fs.readFileSync(p, 'utf8') : null;
    },
  };
}

/** The first of `paths` the tree has, as {path, text}, or null. */
export function readFirst(tree, paths) {
  for (const p of paths) {
    const text = tree.read(p);
    if (text !== null) return { path: p, text };
  }
  return null;
}
