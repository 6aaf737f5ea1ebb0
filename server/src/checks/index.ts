/**
 * The checks, in order, and a document's analysis from scratch. Severity,
 * suppression and keeping results between edits: checks/document-diagnostics.ts.
 */
import type { Diagnostic, Finding } from '../common/diagnostic';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { ParsedDocument } from '../model/document';
import type { Workspace } from '../model/workspace';
import type { MachineContext, MachineCheck } from './context';
import { checkDependencies, checkFeatureNames, checkInheritedFeatureNames, checkProvidedNames } from './features';
import { checkHostKernel, checkKvmDefaults } from './host';
import { checkDuplicateDefinitions, checkInheritance } from './machines';
import { checkMigrateList, checkUnmigratedMsrs } from './migration';
import { checkKvmDefaultsFollowHost, checkModels } from './models';
import { checkUnknownFacts } from './unknown-facts';
import { checkVersions } from './versions';
import { checkRepeatedStatements } from './statements';
import { DocumentDiagnostics, flatten, type AnalysisOptions } from './document-diagnostics';

const MACHINE_CHECKS: MachineCheck[] = [
  checkRepeatedStatements,
  checkVersions,
  checkInheritance,
  checkDuplicateDefinitions,
  checkModels,
  checkFeatureNames,
  checkInheritedFeatureNames,
  checkProvidedNames,
  checkDependencies,
  checkMigrateList,
  checkUnmigratedMsrs,
  checkHostKernel,
  checkKvmDefaults,
  checkKvmDefaultsFollowHost,
  checkUnknownFacts,
];

export type { AnalysisOptions, DiagnosticsPiece } from './document-diagnostics';

/** Every check on one machine; a check that throws costs only its own findings. */
export function runChecks(ctx: MachineContext): Finding[] {
  const found: Finding[] = [];
  for (const check of MACHINE_CHECKS) {
    try {
      check(ctx, (f) => found.push(f));
    } catch (error) {
      // A check that trips over odd input must not take the others down with it.
      found.push({ code: 'MT001', message: `internal error in ${check.name}: ${(error as Error).message}`, span: ctx.nameSpan });
    }
  }
  return found;
}

/** One document's final diagnostics from scratch (the CLI; the project keeps them between edits). */
export function analyseDocument(doc: ParsedDocument, workspace: Workspace, kb: KnowledgeBase, options: AnalysisOptions = {}): Diagnostic[] {
  return flatten(new DocumentDiagnostics(workspace, kb, options, runChecks).analyse(doc));
}
