/**
 * The checks, in order, and a document's analysis from scratch. Severity,
 * suppression and keeping results between edits: checks/document-diagnostics.ts.
 */
import type { Diagnostic, Finding } from '../common/diagnostic';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { ParsedDocument } from '../model/document';
import type { Workspace } from '../model/workspace';
import type { MachineContext, MachineCheck } from './context';
import type { MachineDecl } from '../syntax/ast';
import { changedEdits, changedFeatures, keepable, sameSettings, settingsOf, type EditTouch, type FeatureTouch, type LastCheck } from './reuse';
import { maySuggest } from './budget';
import type { BudgetQuery } from './context';
import type { FeatureRecord } from '../kb/types';
import type { EditRef } from '../model/resolve';
import { editSummary } from '../model/edit-summary';
import { checkDependencies, checkFeatureNames, checkInheritedFeatureNames, checkProvidedNames, dependenciesTouch, inheritedNamesEditTouch } from './features';
import { checkHostKernel, checkKvmDefaults, hostKernelTouch, kvmDefaultsTouch } from './host';
import { checkDuplicateDefinitions, checkInheritance } from './machines';
import { checkMigrateList, checkUnmigratedMsrs, migrateListTouch, unmigratedMsrsTouch } from './migration';
import { checkKvmDefaultsFollowHost, checkModels } from './models';
import { checkUnknownFacts, unknownFactsTouch } from './unknown-facts';
import { checkVersions } from './versions';
import { checkRepeatedStatements } from './statements';
import { DocumentDiagnostics, flatten, type AnalysisOptions, type MachineChecker } from './document-diagnostics';

/** Touched by no change in how a feature is decided: checks of the machine's own statements and settings. */
const NO_FEATURE: FeatureTouch = () => false;

/**
 * The checks in order, with what may keep their findings between checks (checks/reuse.ts):
 * `touches` for decided features, `editTouches` for edits as written. A check with neither
 * reads other machines or the workspace and always runs.
 */
const MACHINE_CHECKS: Array<{ check: MachineCheck; touches?: FeatureTouch; editTouches?: EditTouch }> = [
  { check: checkRepeatedStatements, touches: NO_FEATURE },
  { check: checkVersions, touches: NO_FEATURE },
  { check: checkInheritance },
  { check: checkDuplicateDefinitions },
  { check: checkModels, touches: NO_FEATURE },
  { check: checkFeatureNames, touches: NO_FEATURE },
  { check: checkInheritedFeatureNames, touches: NO_FEATURE, editTouches: inheritedNamesEditTouch },
  { check: checkProvidedNames, touches: NO_FEATURE },
  { check: checkDependencies, touches: dependenciesTouch },
  { check: checkMigrateList, touches: migrateListTouch },
  { check: checkUnmigratedMsrs, touches: unmigratedMsrsTouch },
  { check: checkHostKernel, touches: hostKernelTouch },
  { check: checkKvmDefaults, touches: kvmDefaultsTouch },
  { check: checkKvmDefaultsFollowHost, touches: NO_FEATURE },
  { check: checkUnknownFacts, touches: unknownFactsTouch },
];

export type { AnalysisOptions, DiagnosticsPiece } from './document-diagnostics';

/** One check's findings; a check that throws costs only its own. */
function runCheck(check: MachineCheck, ctx: MachineContext): Finding[] {
  const found: Finding[] = [];
  try {
    check(ctx, (f) => found.push(f));
  } catch (error) {
    // A check that trips over odd input must not take the others down with it.
    found.push({ code: 'MT001', message: `internal error in ${check.name}: ${(error as Error).message}`, span: ctx.nameSpan });
  }
  return found;
}

/** Every check on one machine, from scratch. */
export function runChecks(ctx: MachineContext): Finding[] {
  return MACHINE_CHECKS.flatMap(({ check }) => runCheck(check, ctx));
}

/** How often a checker ran a check that could have been kept, and kept it (for tests and benchmarks). */
export interface ReuseCounts {
  kept: number;
  run: number;
}

/**
 * The checks of a project that analyses the same machines again and again: each machine's
 * last findings are kept per check, and a check that none of the machine's changes touches
 * keeps them (checks/reuse.ts). When every check kept its findings or found none again,
 * the machine's findings are the same array as last time.
 */
export function machineChecker(counts: ReuseCounts = { kept: 0, run: 0 }): MachineChecker & { counts: ReuseCounts } {
  const lastChecks = new WeakMap<MachineDecl, LastCheck>();
  const checker = (ctx: MachineContext): Finding[] => {
    const decl = ctx.ref.decl;
    const settings = settingsOf(ctx);
    const last = lastChecks.get(decl);
    const same = !!last && sameSettings(last.settings, settings);
    const edits = same ? changedEdits(last!.edits, ctx.machine.edits) : undefined;
    const features = edits ? changedFeatures(edits, last!, ctx) : undefined;
    const found: Finding[][] = [];
    const budget: BudgetQuery[][] = [];
    const keep: boolean[] = [];
    let unchanged = same;
    for (let i = 0; i < MACHINE_CHECKS.length; i++) {
      const { check, touches, editTouches } = MACHINE_CHECKS[i];
      if (same && touches && last!.keepable[i] && !touchedBy(features!, edits!, touches, editTouches, ctx) && answersHold(last!.budget[i], ctx)) {
        counts.kept++;
        found.push(last!.findings[i]);
        budget.push(last!.budget[i]);
        keep.push(true);
        ctx.budgetQueries.push(...last!.budget[i]);
        continue;
      }
      if (touches) counts.run++;
      const asked = ctx.budgetQueries.length;
      const outside = ctx.askedOutside;
      const findings = runCheck(check, ctx);
      // Nothing found, again, is as good as kept.
      if (unchanged && !(findings.length === 0 && last!.findings[i].length === 0)) unchanged = false;
      found.push(findings);
      budget.push(ctx.budgetQueries.slice(asked));
      keep.push(ctx.askedOutside === outside && keepable(findings, decl));
    }
    const all = unchanged ? last!.all : found.flat();
    // With no edit changed, the decisions are the last ones (the same origins): no summary to make.
    const decisions = edits && edits.length === 0 ? last!.decisions : editSummary(ctx.machine, ctx.kb);
    lastChecks.set(decl, { settings, decisions, edits: ctx.machine.edits, findings: found, budget, keepable: keep, all });
    return all;
  };
  return Object.assign(checker, { counts });
}

function touchedBy(features: ReadonlyMap<string, FeatureRecord>, edits: readonly EditRef[], touches: FeatureTouch, editTouches: EditTouch | undefined, ctx: MachineContext): boolean {
  for (const f of features.values()) if (touches(f, ctx)) return true;
  if (editTouches) for (const e of edits) if (editTouches(e, ctx)) return true;
  return false;
}

/** Whether the did-you-mean budget answers a check asked for are still the same (checks/budget.ts). */
function answersHold(queries: readonly BudgetQuery[], ctx: MachineContext): boolean {
  return queries.every((q) => maySuggest(ctx.doc.tree, q.kind, ctx.ref.decl.start + q.at, q.limit) === q.answer);
}

/** One document's final diagnostics from scratch (the CLI; the project keeps them between edits). */
export function analyseDocument(doc: ParsedDocument, workspace: Workspace, kb: KnowledgeBase, options: AnalysisOptions = {}): Diagnostic[] {
  return flatten(new DocumentDiagnostics(workspace, kb, options, runChecks).analyse(doc));
}
