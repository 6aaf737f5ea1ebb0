/** MT003 (scalar repeated) and MT500 (compat property repeated): one machine's own statements. */
import { SCALAR_KEYWORDS } from '../syntax/ast';
import type { MachineCheck } from './context';

export const checkRepeatedStatements: MachineCheck = (ctx, report) => {
  const seen = new Map<string, { start: number; end: number }>();
  const compat = new Map<string, { start: number; end: number }>();
  for (const s of ctx.ref.decl.statements) {
    if (SCALAR_KEYWORDS.has(s.kind)) {
      const firstOne = seen.get(s.kind);
      if (firstOne) {
        // No line numbers in messages: they would change whenever a line is inserted above.
        report({
          code: 'MT003',
          message: `'${s.keyword.text}' is set twice in machine ${ctx.name}; the first one counts`,
          span: s,
          related: [{ uri: ctx.doc.uri, span: { start: firstOne.start, end: firstOne.end }, message: `the first '${s.keyword.text}' of ${ctx.name}, which counts` }],
          fixes: [{ kind: 'remove', title: `Remove the repeated '${s.kind}'`, span: s, preferred: true }],
          tags: ['unnecessary'],
        });
      } else seen.set(s.kind, s);
    } else if (s.kind === 'compat' && s.driver && s.property) {
      const key = `${s.driver.text}.${s.property.text}`;
      const firstOne = compat.get(key);
      if (firstOne) {
        report({
          code: 'MT500',
          message: `compat property ${key} is set twice in machine ${ctx.name}; the later value wins`,
          span: s,
          related: [{ uri: ctx.doc.uri, span: { start: firstOne.start, end: firstOne.end }, message: `${key} is first set here` }],
          fixes: [{ kind: 'remove', title: `Remove this ${key}`, span: s, preferred: true }],
        });
      } else compat.set(key, s);
    }
  }
};
