/**
 * SARIF 2.1.0 output: one run, a rule per diagnostic code with help text. Artifact
 * URIs are relative to the working directory (uriBaseId %SRCROOT%), so code-scanning
 * services map them onto the repository; related locations carry where an inherited
 * finding comes from.
 */
import { relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CODES, type Code, type Diagnostic, type Severity } from '../common/diagnostic';
import type { Range } from '../common/text';
import { RULE_HELP } from '../common/rule-help';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

const SRCROOT = '%SRCROOT%';

export function toSarif(files: Array<{ path: string; diagnostics: Diagnostic[] }>, version: string, cwd: string = process.cwd()): object {
  const location = (path: string, range: Range) => ({
    physicalLocation: {
      artifactLocation: { uri: toUri(relative(cwd, resolve(cwd, path))), uriBaseId: SRCROOT },
      region: {
        startLine: range.start.line + 1,
        startColumn: range.start.character + 1,
        endLine: range.end.line + 1,
        endColumn: range.end.character + 1,
      },
    },
  });
  const codes = Object.keys(CODES) as Code[];
  const rules = codes.map((code) => ({
    id: code,
    name: CODES[code].title.replace(/[^A-Za-z0-9]+(.)?/g, (_, c: string | undefined) => (c ? c.toUpperCase() : '')),
    shortDescription: { text: CODES[code].title },
    fullDescription: { text: RULE_HELP[code] },
    help: { text: RULE_HELP[code], markdown: RULE_HELP[code] },
    defaultConfiguration: { level: LEVEL[CODES[code].severity] },
  }));
  const results = files.flatMap((f) =>
    f.diagnostics.map((d) => ({
      ruleId: d.code,
      ruleIndex: codes.indexOf(d.code),
      level: LEVEL[d.severity],
      message: { text: d.message },
      locations: [location(f.path, d.range)],
      ...(d.related?.length ? { relatedLocations: d.related.map((r, id) => ({ id, ...location(r.uri, r.range), message: { text: r.message } })) } : {}),
    })),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'mtype', version, informationUri: 'https://github.com/mtype-tools/mtype', rules } },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { [SRCROOT]: { uri: pathToFileURL(cwd.endsWith('/') ? cwd : cwd + '/').href } },
        results,
      },
    ],
  };
}

function toUri(path: string): string {
  return path.split(/[\\/]/).map(encodeURIComponent).join('/');
}
