/**
 * Where a diagnostic's code links to (`codeDescription.href`): the codes page that ships next to the
 * server (docs/codes.md in the repository, the npm package and the .vsix), opened at the code's section.
 *
 * The link is a file: URI with a `#L<line>` fragment, because that is what works offline: VS Code opens a
 * diagnostic's code link through its opener service, which opens file: URIs in an editor at the line a `#L`
 * fragment names (an `#mt300` anchor is ignored there, and `command:` URIs are refused from a hover).
 * The repository's web page is not linked: the package cannot know that it exists and matches this version.
 * Without the bundled page (a server copied on its own) diagnostics carry no link rather than a dead one.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** code (MT300) -> href, or undefined when the codes page is not next to the server. */
export type CodeLinks = (code: string) => string | undefined;

/** The first docs/codes.md found from `start` upwards (server/out/server.js -> <root>/docs/codes.md). */
export function findCodesPage(start: string, levels = 4): string | undefined {
  let dir = start;
  for (let i = 0; i <= levels; i++) {
    const candidate = join(dir, 'docs', 'codes.md');
    if (existsSync(candidate)) return candidate;
    const up = dirname(dir);
    if (up === dir) break;
    dir = up;
  }
  return undefined;
}

/** The 1-based line of each `## MTnnn: title` section heading of the codes page. */
export function sectionLines(markdown: string): Map<string, number> {
  const lines = new Map<string, number>();
  markdown.split(/\r\n|\r|\n/).forEach((line, i) => {
    const m = /^## (MT\d{3})\b/.exec(line);
    if (m && !lines.has(m[1])) lines.set(m[1], i + 1);
  });
  return lines;
}

export function codeLinks(page: string | undefined): CodeLinks {
  if (!page) return () => undefined;
  let text: string;
  try {
    text = readFileSync(page, 'utf8');
  } catch {
    return () => undefined;
  }
  const base = pathToFileURL(page).href;
  const lines = sectionLines(text);
  const cache = new Map<string, string>();
  return (code) => {
    let href = cache.get(code);
    if (!href) {
      const line = lines.get(code);
      href = line ? `${base}#L${line}` : base;
      cache.set(code, href);
    }
    return href;
  };
}

/** The links of the running server: computed once, from the bundle's own location. */
let serverLinks: CodeLinks | undefined;
export function serverCodeLinks(): CodeLinks {
  serverLinks ??= codeLinks(findCodesPage(__dirname));
  return serverLinks;
}
