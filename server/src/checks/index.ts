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
import { editSummary } from '../model/edit-summary';
import { changedFeatures, sameSettings, settingsOf, type FeatureTouch, type LastCheck } from './reuse';
import { checkDependencies, checkFeatureNames, checkInheritedFeatureNames, checkProvidedNames, dependenciesTouch } from './features';
import { checkHostKernel, checkKvmDefaults, hostKernelTouch, kvmDefaultsTouch } from './host';
import { checkDuplicateDefinitions, checkInheritance } from './machines';
import { checkMigrateList, checkUnmigratedMsrs, unmigratedMsrsTouch } from './migration';
import { checkKvmDefaultsFollowHost, checkModels } from './models';
import { checkUnknownFacts, unknownFactsTouch } from './unknown-facts';
import { checkVersions } from './versions';
import { checkRepeatedStatements } from './statements';
import { DocumentDiagnostics, flatten, type AnalysisOptions, type MachineChecker } from './document-diagnostics';

/** The checks in order; `touches` marks those whose findings may be kept between checks (checks/reuse.ts). */
const MACHINE_CHECKS: Array<{ check: MachineCheck; touches?: FeatureTouch }> = [
  { check: checkRepeatedStatements },
  { check: checkVersions },
  { check: checkInheritance },
  { check: checkDuplicateDefinitions },
  { check: checkModels },
  { check: checkFeatureNames },
  { check: checkInheritedFeatureNames },
  { check: checkProvidedNames },
  { check: checkDependencies, touches: dependenciesTouch },
  { check: checkMigrateList },
  { check: checkUnmigratedMsrs, touches: unmigratedMsrsTouch },
  { check: checkHostKernel, touches: hostKernelTouch },
  { check: checkKvmDefaults, touches: kvmDefaultsTouch },
  { check: checkKvmDefaultsFollowHost },
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
 * last findings are kept per check, and a check that none of the machine's changed
 * decisions touches keeps them (checks/reuse.ts).
 */
export function machineChecker(counts: ReuseCounts = { kept: 0, run: 0 }): MachineChecker & { counts: ReuseCounts } {
  const lastChecks = new WeakMap<MachineDecl, LastCheck>();
  const checker = (ctx: MachineContext): Finding[] => {
    const settings = settingsOf(ctx);
    const last = lastChecks.get(ctx.ref.decl);
    const changed = last && sameSettings(last.settings, settings) ? changedFeatures(last, ctx) : undefined;
    const findings: Finding[][] = [];
    for (let i = 0; i < MACHINE_CHECKS.length; i++) {
      const { check, touches } = MACHINE_CHECKS[i];
      if (touches && changed) {
        let touched = false;
        for (const f of changed.values()) if ((touched = touches(f, ctx))) break;
        if (!touched) {
          counts.kept++;
          findings.push(last!.findings[i]);
          continue;
        }
      }
      if (touches) counts.run++;
      findings.push(runCheck(check, ctx));
    }
    lastChecks.set(ctx.ref.decl, { settings, decisions: editSummary(ctx.machine, ctx.kb), findings });
    return findings.flat();
  };
  return Object.assign(checker, { counts });
}

/** One document's final diagnostics from scratch (the CLI; the project keeps them between edits). */
export function analyseDocument(doc: ParsedDocument, workspace: Workspace, kb: KnowledgeBase, options: AnalysisOptions = {}): Diagnostic[] {
  return flatten(new DocumentDiagnostics(workspace, kb, options, runChecks).analyse(doc));
}
