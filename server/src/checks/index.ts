/**
 * The checks, in order, and a document's analysis from scratch. Severity,
 * suppression and keeping results between edits: checks/document-diagnostics.ts.
 */
import type { Diagnostic, Finding } from '../common/diagnostic';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { ParsedDocument } from '../model/document';
import type { Workspace } from '../model/workspace';
import type { MachineContext, MachineCheck } from './context';
import { keepingChecker, type CheckSpec, type FeatureTouch, type ReuseCounts } from './reuse';
import { checkFeatureNames, checkInheritedFeatureNames, checkProvidedNames, inheritedNamesEditTouch } from './features';
import { checkDependencies, dependenciesTouch, judgeDependencies, rejudgeDependencies, reportDependencies } from './dependencies';
import { checkHostKernel, checkKvmDefaults, hostKernelTouch, judgeHostKernel, kvmDefaultsTouch, rejudgeHostKernel, reportHostKernel } from './host';
import { checkDuplicateDefinitions, checkInheritance } from './machines';
import { checkMigrateList, checkUnmigratedMsrs, judgeUnmigratedMsrs, migrateListTouch, rejudgeUnmigratedMsrs, reportUnmigratedMsrs, unmigratedMsrsTouch } from './migration';
import { checkKvmDefaultsFollowHost, checkModels } from './models';
import { checkUnknownFacts, judgeUnknownFacts, rejudgeUnknownFacts, reportUnknownFacts, unknownFactsTouch } from './unknown-facts';
import { checkVersions } from './versions';
import { checkRepeatedStatements } from './statements';
import { DocumentDiagnostics, flatten, type AnalysisOptions, type MachineChecker } from './document-diagnostics';
import { concatenated, mapped } from '../common/arrays';

/** Touched by no change in how a feature is decided: checks of the machine's own statements and settings. */
const NO_FEATURE: FeatureTouch = () => false;

/**
 * The checks in order, with what may keep their findings between checks (checks/reuse.ts):
 * `touches` for decided features, `editTouches` for edits as written. A check with neither
 * reads other machines or the workspace and always runs.
 */
const MACHINE_CHECKS: CheckSpec[] = [
  { check: checkRepeatedStatements, touches: NO_FEATURE },
  { check: checkVersions, touches: NO_FEATURE },
  { check: checkInheritance },
  { check: checkDuplicateDefinitions },
  { check: checkModels, touches: NO_FEATURE },
  { check: checkFeatureNames, touches: NO_FEATURE },
  { check: checkInheritedFeatureNames, touches: NO_FEATURE, editTouches: inheritedNamesEditTouch },
  { check: checkProvidedNames, touches: NO_FEATURE },
  { check: checkDependencies, touches: dependenciesTouch, rejudging: { judge: judgeDependencies, again: rejudgeDependencies, report: reportDependencies } },
  { check: checkMigrateList, touches: migrateListTouch },
  { check: checkUnmigratedMsrs, touches: unmigratedMsrsTouch, rejudging: { judge: judgeUnmigratedMsrs, again: rejudgeUnmigratedMsrs, report: reportUnmigratedMsrs } },
  { check: checkHostKernel, touches: hostKernelTouch, rejudging: { judge: judgeHostKernel, again: rejudgeHostKernel, report: reportHostKernel } },
  { check: checkKvmDefaults, touches: kvmDefaultsTouch },
  { check: checkKvmDefaultsFollowHost, touches: NO_FEATURE },
  { check: checkUnknownFacts, touches: unknownFactsTouch, rejudging: { judge: judgeUnknownFacts, again: rejudgeUnknownFacts, report: reportUnknownFacts } },
];

export type { AnalysisOptions, DiagnosticsPiece } from './document-diagnostics';
export type { ReuseCounts } from './reuse';

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
  return concatenated(mapped(MACHINE_CHECKS, ({ check }) => runCheck(check, ctx)));
}

/**
 * The checks of a project, which analyses the same machines again and again: a check
 * that none of a machine's changes touches keeps its findings (checks/reuse.ts).
 */
export function machineChecker(counts?: ReuseCounts): MachineChecker {
  return keepingChecker(MACHINE_CHECKS, runCheck, counts);
}

/** One document's final diagnostics from scratch (the CLI; the project keeps them between edits). */
export function analyseDocument(doc: ParsedDocument, workspace: Workspace, kb: KnowledgeBase, options: AnalysisOptions = {}): Diagnostic[] {
  return flatten(new DocumentDiagnostics(workspace, kb, options, runChecks).analyse(doc));
}
