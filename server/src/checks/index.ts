/**
 * Runs every check on one document and turns findings into diagnostics:
 * severity (defaults, then overrides), suppression comments, stable order.
 */
import { CODES, type Diagnostic, type Finding, type FixIntent, type SeverityOverrides } from '../common/diagnostic';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { ParsedDocument } from '../model/document';
import type { Workspace } from '../model/workspace';
import { MachineContext, type MachineCheck } from './context';
import { checkDependencies, checkFeatureNames, checkInheritedFeatureNames, checkProvidedNames } from './features';
import { checkHostKernel, checkKvmDefaults } from './host';
import { checkDuplicateDefinitions, checkInheritance } from './machines';
import { checkMigrateList, checkUnmigratedMsrs } from './migration';
import { checkKvmDefaultsFollowHost, checkModels } from './models';
import { checkUnknownFacts } from './unknown-facts';
import { checkVersions } from './versions';
import { checkRepeatedStatements } from './statements';
import { suppressedLines } from './suppression';
import { keywordFixes } from './keyword-fixes';
import type { MachineFindingsCache } from './machine-cache';

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

export interface AnalysisOptions {
  severity?: SeverityOverrides;
  /** Oldest host kernel of the fleet, for machines that state no host-kernel (a setting). */
  hostKernelFloor?: string;
}

/** Every finding of one document, before severity and suppression. */
export function findings(doc: ParsedDocument, workspace: Workspace, kb: KnowledgeBase, options: AnalysisOptions = {}, cache?: MachineFindingsCache): Finding[] {
  const out: Finding[] = [];
  for (const d of doc.tree.diagnostics) {
    out.push({
      code: d.code,
      message: d.message,
      span: { start: d.start, end: d.end },
      fixes: d.code === 'MT002' && d.word ? keywordFixes(doc, d) : undefined,
    });
  }
  const names = new Set<string>();
  for (const decl of doc.tree.machines) {
    if (!decl.name) continue;
    const ref = { doc, decl, name: decl.name.text };
    const ctx = new MachineContext(kb, workspace, doc, ref, workspace.resolve(ref), options.hostKernelFloor);
    names.add(ref.name);
    const key = cache?.keyOf(ctx);
    let machineFindings = key !== undefined ? cache!.get(ctx, key) : undefined;
    if (!machineFindings) {
      machineFindings = runChecks(ctx);
      if (key !== undefined) cache!.set(ctx, key, machineFindings);
    }
    for (const f of machineFindings) out.push(f); // not push(...): a machine may have 100k findings
  }
  cache?.prune(doc.uri, names);
  return out;
}

/** Every check on one machine. */
function runChecks(ctx: MachineContext): Finding[] {
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

export function analyseDocument(doc: ParsedDocument, workspace: Workspace, kb: KnowledgeBase, options: AnalysisOptions = {}, cache?: MachineFindingsCache): Diagnostic[] {
  const silenced = suppressedLines(doc);
  const result: Diagnostic[] = [];
  for (const f of findings(doc, workspace, kb, options, cache)) {
    const setting = options.severity?.[f.code] ?? CODES[f.code].severity;
    if (setting === 'off') continue;
    const range = doc.lines.rangeOf(f.span);
    const codes = silenced.get(range.start.line);
    if (codes && (codes.has(f.code) || codes.has('*'))) continue;
    result.push({
      code: f.code,
      severity: setting,
      message: f.message,
      range,
      span: { start: f.span.start, end: f.span.end },
      related: f.related?.map((r) => {
        const other = r.uri === doc.uri ? doc : workspace.document(r.uri);
        return { uri: r.uri, range: other ? other.lines.rangeOf(r.span) : range, message: r.message };
      }),
      fixes: f.fixes?.map(plainSpans),
      tags: f.tags,
    });
  }
  result.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end || (a.code < b.code ? -1 : a.code > b.code ? 1 : 0) || (a.message < b.message ? -1 : 1));
  return result;
}

/** Fix spans as plain {start, end}: checks often pass syntax nodes, which carry more. */
function plainSpans(fix: FixIntent): FixIntent {
  return 'span' in fix ? { ...fix, span: { start: fix.span.start, end: fix.span.end } } : fix;
}
