/** MT003 (scalar repeated) and MT500 (compat property repeated): one machine's own statements. */
import { SCALAR_KEYWORDS } from '../syntax/ast';
import type { MachineCheck } from './context';

export const checkRepeatedStatements: MachineCheck = (ctx, report) => {
  const seen = new Map<string, { start: number }>();
  const compat = new Map<string, { start: number }>();
  for (const s of ctx.ref.decl.statements) {
    if (SCALAR_KEYWORDS.has(s.kind)) {
      const firstOne = seen.get(s.kind);
      if (firstOne) {
        const line = ctx.doc.lines.positionAt(firstOne.start).line + 1;
        report({
          code: 'MT003',
          message: `'${s.kind}' is set twice in machine ${ctx.name} (first on line ${line}); the first one counts`,
          span: s,
          fixes: [{ kind: 'remove', title: `Remove the repeated '${s.kind}'`, span: s, preferred: true }],
          tags: ['unnecessary'],
        });
      } else seen.set(s.kind, s);
    } else if (s.kind === 'compat' && s.driver && s.property) {
      const key = `${s.driver.text}.${s.property.text}`;
      const firstOne = compat.get(key);
      if (firstOne) {
        const line = ctx.doc.lines.positionAt(firstOne.start).line + 1;
        report({
          code: 'MT500',
          message: `compat property ${key} is set twice in machine ${ctx.name} (first on line ${line})`,
          span: s,
          fixes: [{ kind: 'remove', title: `Remove this ${key}`, span: s, preferred: true }],
        });
      } else compat.set(key, s);
    }
  }
};
