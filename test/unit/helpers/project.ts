/** Analyse in-memory files and summarise diagnostics as `CODE@text` for compact assertions. */
import { Project } from '../../../server/src/services/project';
import type { KnowledgeBase } from '../../../server/src/kb/knowledge-base';
import type { AnalysisOptions } from '../../../server/src/checks/index';
import type { Diagnostic } from '../../../server/src/common/diagnostic';

export function load(files: Record<string, string>, kb: KnowledgeBase, options: AnalysisOptions = {}): Project {
  const project = new Project(kb);
  project.setOptions(options);
  for (const [uri, text] of Object.entries(files)) project.update(uri, text);
  return project;
}

/** "MT200@+kvm-pv-eoi" for each diagnostic: code and the text its range covers. */
export function summary(project: Project, uri: string, filter?: (d: Diagnostic) => boolean): string[] {
  const doc = project.document(uri)!;
  return project
    .diagnostics(uri)
    .filter(filter ?? (() => true))
    .map((d) => `${d.code}@${doc.text.slice(d.span.start, d.span.end)}`);
}

export function diagnosticsOf(project: Project, uri: string, code: string): Diagnostic[] {
  return project.diagnostics(uri).filter((d) => d.code === code);
}
