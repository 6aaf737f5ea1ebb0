/**
 * Finding every regular expression the server could run on user text, and the
 * strings that make a backtracking engine go quadratic or worse.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export interface FoundRegex {
  file: string;
  source: string;
  flags: string;
}

// A regex literal after a token that can precede an expression; its first character is not '/' or '*' (comments).
const LITERAL = /(?:^|[=(,:!&|?{;[>]|\breturn)\s*\/((?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[*])(?:\\.|\[(?:\\.|[^\]\\\n])*\]|[^/\\\n[])*)\/([dgimsuy]*)/g;
const CONSTRUCTED = /new RegExp\(/g;

function tsFiles(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...tsFiles(path));
    else if (name.endsWith('.ts')) out.push(path);
  }
  return out;
}

/** Regex literals of every .ts file below `dir`; `dynamic` lists files that build a RegExp at run time. */
export function findRegexLiterals(dir: string): { literals: FoundRegex[]; dynamic: string[] } {
  const literals: FoundRegex[] = [];
  const dynamic: string[] = [];
  for (const path of tsFiles(dir)) {
    const file = relative(dir, path);
    const text = readFileSync(path, 'utf8');
    if (CONSTRUCTED.test(text)) dynamic.push(file);
    CONSTRUCTED.lastIndex = 0;
    for (const line of text.split('\n')) {
      if (/^\s*(\/\/|\*|\/\*)/.test(line)) continue;
      for (const m of line.matchAll(LITERAL)) {
        try {
          new RegExp(m[1], m[2]);
          literals.push({ file, source: m[1], flags: m[2] });
        } catch {
          // not a regex after all (a division in an odd place)
        }
      }
    }
  }
  return { literals, dynamic };
}

/** Strings of `n` characters built to defeat backtracking: long runs that fail at the very end. */
export function adversarialStrings(n: number): string[] {
  const rep = (unit: string, tail = '') => unit.repeat(Math.ceil(n / unit.length)) + tail;
  return [
    rep('a', '!'),
    rep('a', ' '),
    rep('a-', '!'),
    rep('a.', '\u0000'),
    rep(' ', '!'),
    rep('\t ', 'x'),
    rep('0', 'x'),
    '0x' + rep('0', 'g'),
    'MT' + rep('1', ','),
    rep('1.', 'x'),
    rep('.', 'x'),
    rep('+', 'x'),
    rep(' +', 'x'),
    rep(', ', 'x'),
    rep(',\t', 'MT1'),
    rep('&<\'`', 'x'),
    rep('a/b:', '@'),
    rep('a/', ':'),
    rep('{}', 'x'),
    rep('\\/', 'x'),
    rep('"\\', 'x'),
    rep('x', '\n'),
  ];
}
