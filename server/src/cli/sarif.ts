/** SARIF 2.1.0 output: one run, a rule per diagnostic code with help text. */
import { CODES, type Code, type Diagnostic, type Severity } from '../common/diagnostic';
import { RULE_HELP } from '../common/rule-help';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { error: 'error', warning: 'warning', information: 'note', hint: 'note' };

export function toSarif(files: Array<{ path: string; diagnostics: Diagnostic[] }>, version: string): object {
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
      locations: [
        {
          physicalLocation: {
            artifactLocation: { uri: toUri(f.path) },
            region: {
              startLine: d.range.start.line + 1,
              startColumn: d.range.start.character + 1,
              endLine: d.range.end.line + 1,
              endColumn: d.range.end.character + 1,
            },
          },
        },
      ],
    })),
  );
  return {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: { driver: { name: 'mtype', version, informationUri: 'https://github.com/mtype-tools/mtype', rules } },
        columnKind: 'utf16CodeUnits',
        results,
      },
    ],
  };
}

function toUri(path: string): string {
  return path.split(/[\\/]/).map(encodeURIComponent).join('/');
}
