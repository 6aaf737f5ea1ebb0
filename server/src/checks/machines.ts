/** Machine-level structure: MT111 unknown base, MT112 cycle, MT113 duplicate, MT400 deprecated base. */
import type { FixIntent } from '../common/diagnostic';
import { suggest } from '../common/suggest';
import type { MachineCheck } from './context';
import { mapped } from '../common/arrays';

/** MT113 names at most this many other definitions, so N copies of a machine cost O(N) each, not O(N) text each. */
const MAX_LISTED_DUPLICATES = 5;
/** Did-you-mean for a base compares with every machine name: keep (suggested bases x names) near this. */
const BASE_SUGGESTION_WORK = 2_000_000;

export const checkInheritance: MachineCheck = (ctx, report) => {
  const decl = ctx.ref.decl;
  const base = decl.base;
  if (!base) return;
  const { missingBase, cycle } = ctx.machine;
  if (missingBase && missingBase.in.decl === decl) {
    const suggestions = ctx.maySuggest('base', base.start, Math.max(10, Math.floor(BASE_SUGGESTION_WORK / ctx.workspace.machineNameCount))) ? suggest(base.text, ctx.workspace.machineNames(), 3).filter((s) => s !== ctx.name) : [];
    report({
      code: 'MT111',
      message: `unknown base machine type '${base.text}'${suggestions.length ? `; did you mean ${mapped(suggestions, (s) => `'${s}'`).join(', ')}?` : ': no .mtype file of the workspace defines it'}`,
      span: base,
      fixes: mapped(suggestions, (s, i): FixIntent => ({ kind: 'replace', title: `Change to '${s}'`, span: base, text: s, preferred: i === 0 && suggestions.length === 1 })),
    });
  }
  if (cycle && cycle.some((r) => r.decl === decl)) {
    const names = [...cycle.map((r) => r.name), cycle[0].name];
    report({
      code: 'MT112',
      message: `inheritance cycle: ${names.join(' extends ')}`,
      span: base,
      related: mapped(cycle.filter((r) => r.decl !== decl && r.decl.base), (r) => ({ uri: r.doc.uri, span: r.decl.base!, message: `${r.name} extends ${r.decl.base!.text}` })),
    });
  }
  const baseRef = ctx.workspace.lookup(base.text);
  const deprecated = baseRef?.decl.statements.find((s) => s.kind === 'deprecated');
  if (baseRef && deprecated && deprecated.kind === 'deprecated') {
    report({
      code: 'MT400',
      message: `base machine type ${baseRef.name} is deprecated${deprecated.reason ? `: ${deprecated.reason.value}` : ''}`,
      span: base,
      tags: ['deprecated'],
      related: [{ uri: baseRef.doc.uri, span: deprecated, message: 'deprecated here' }],
    });
  }
};

export const checkDuplicateDefinitions: MachineCheck = (ctx, report) => {
  const defs = ctx.workspace.definitions(ctx.name).filter((r) => r.name === ctx.name);
  if (defs.length < 2) return;
  const all = defs.filter((r) => r.decl !== ctx.ref.decl);
  const others = all.slice(0, MAX_LISTED_DUPLICATES);
  const more = all.length > others.length ? ` and ${all.length - others.length} more` : '';
  const here = (r: (typeof defs)[number]) => (r.doc.uri === ctx.doc.uri ? 'this file' : r.doc.uri);
  const places = [...new Set(others.map(here))];
  report({
    code: 'MT113',
    message: `machine type ${ctx.name} is defined ${defs.length} times in the workspace (also in ${places.join(', ')}${more})`,
    span: ctx.nameSpan,
    related: mapped(others, (r) => ({ uri: r.doc.uri, span: r.decl.name ?? r.decl.keyword, message: `${ctx.name} is also defined here` })),
  });
};
