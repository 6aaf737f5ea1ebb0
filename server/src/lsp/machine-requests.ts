/**
 * Custom requests behind the client's commands and status item. Names and
 * shapes are shared with client/src/extension.ts:
 *   mtype/machines  {uri?, position?} -> {machines: MachineSummary[], current?: string}
 *   mtype/explain   {name, format, model?} -> {text}
 *   mtype/compare   {a, b} -> {markdown}
 *   mtype/status    {} -> ProjectStatus & {indexing: boolean, lastCheck: {at, ms, uri} | null}
 */
import { LSPErrorCodes, ResponseError } from 'vscode-languageserver';
import type { Position } from '../common/text';
import { compareMachines, listMachines, machineNameAt, projectStatus, renderExplanation, type ExplainFormat } from '../services/machine-requests';
import { afterIndex } from './indexing';
import type { MtypeSession } from './server';

const FORMATS: readonly ExplainFormat[] = ['markdown', 'text', 'qemu', 'libvirt', 'json'];

export function registerMachineRequests(session: MtypeSession): void {
  const { connection, project } = session;

  connection.onRequest('mtype/machines', afterIndex(session, (p: { uri?: string; position?: Position } | undefined) => ({
    machines: listMachines(project),
    current: p?.uri && p.position ? machineNameAt(project, p.uri, p.position) : undefined,
  })));

  connection.onRequest('mtype/explain', afterIndex(session, (p: { name?: unknown; format?: unknown; model?: unknown } | undefined) => {
    const format = (FORMATS as readonly unknown[]).includes(p?.format) ? (p!.format as ExplainFormat) : 'markdown';
    if (typeof p?.name !== 'string') throw new ResponseError(LSPErrorCodes.RequestFailed, 'mtype/explain needs a machine name');
    return orFail(renderExplanation(project, p.name, format, typeof p.model === 'string' ? p.model : undefined));
  }));

  connection.onRequest('mtype/compare', afterIndex(session, (p: { a?: unknown; b?: unknown } | undefined) => {
    if (typeof p?.a !== 'string' || typeof p?.b !== 'string') throw new ResponseError(LSPErrorCodes.RequestFailed, 'mtype/compare needs two machine names');
    return orFail(compareMachines(project, p.a, p.b));
  }));

  // Answered at once, also while indexing: the status item shows the progress.
  connection.onRequest('mtype/status', () => ({
    ...projectStatus(project),
    indexing: session.indexer.busy,
    lastCheck: session.lastCheck ?? null,
  }));
}

function orFail<T extends object>(result: T | { error: string }): T {
  if ('error' in result) throw new ResponseError(LSPErrorCodes.RequestFailed, result.error);
  return result;
}
