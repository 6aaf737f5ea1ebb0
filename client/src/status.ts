/**
 * The language status items of .mtype editors (the `{}` in the status bar): the workspace and when it was last
 * checked (as ESLint shows its validation time), and the knowledge base's version. Both open the "Configure mtype"
 * quick pick, which edits mtype.hostKernelFloor and mtype.severity.
 */
import * as vscode from 'vscode';
import { State, type LanguageClient } from 'vscode-languageclient/node';

/** mtype/status of server/src/lsp/machine-requests.ts. */
export interface ProjectStatus {
  machines: number;
  files: number;
  indexing?: boolean;
  lastCheck?: { at: string; ms: number; uri: string } | null;
  kb: { features: number; msrs: number; models: number; releases: number; newestQemu: string | null; newestKernel?: string | null; version?: string };
}

const CONFIGURE = { title: 'Configure', command: 'mtype.configure' };

/** 0.04 ms, 3.1 ms, 120 ms: two significant digits below 10 ms (most checks reuse cached machine findings). */
const duration = (ms: number) => (ms < 0.01 ? '< 0.01 ms' : ms < 10 ? `${Number(ms.toPrecision(2))} ms` : `${Math.round(ms)} ms`);

export function statusItems(lc: LanguageClient): vscode.Disposable {
  const check = vscode.languages.createLanguageStatusItem('mtype.status', { language: 'mtype' });
  check.name = 'mtype';
  check.command = CONFIGURE;
  const kb = vscode.languages.createLanguageStatusItem('mtype.kb', { language: 'mtype' });
  kb.name = 'mtype knowledge base';
  kb.command = CONFIGURE;
  let timer: NodeJS.Timeout | undefined;
  const refresh = async () => {
    if (lc.state !== State.Running) return;
    try {
      const s = await lc.sendRequest<ProjectStatus>('mtype/status', {});
      const machines = `${s.machines} machine${s.machines === 1 ? '' : 's'} in ${s.files} file${s.files === 1 ? '' : 's'}`;
      check.busy = !!s.indexing;
      check.severity = vscode.LanguageStatusSeverity.Information;
      check.text = s.indexing ? `mtype: indexing (${s.files} files)` : `mtype: ${machines}`;
      check.detail = s.lastCheck ? `checked ${new Date(s.lastCheck.at).toLocaleTimeString()} in ${duration(s.lastCheck.ms)}` : 'not checked yet';
      kb.text = `KB ${s.kb.version ?? '?'}`;
      kb.detail = `QEMU ≤ ${s.kb.newestQemu ?? '?'}, Linux ≤ ${s.kb.newestKernel ?? '?'}`;
      if (s.indexing) schedule(); // until the index is complete
    } catch (error) {
      check.text = 'mtype';
      check.detail = `no status: ${(error as Error).message}`;
      check.severity = vscode.LanguageStatusSeverity.Warning;
    }
  };
  const schedule = () => {
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => void refresh(), 500);
  };
  void refresh();
  const subscriptions = [
    vscode.workspace.onDidChangeTextDocument((e) => e.document.languageId === 'mtype' && schedule()),
    vscode.workspace.onDidOpenTextDocument(schedule),
    vscode.workspace.onDidCloseTextDocument(schedule),
    vscode.workspace.onDidChangeConfiguration((e) => e.affectsConfiguration('mtype') && schedule()),
    lc.onDidChangeState((e) => e.newState === State.Running && schedule()), // a restarted server
  ];
  return new vscode.Disposable(() => {
    if (timer) clearTimeout(timer);
    check.dispose();
    kb.dispose();
    for (const s of subscriptions) s.dispose();
  });
}

const LEVELS = ['error', 'warning', 'information', 'hint', 'off'] as const;

/** "Configure mtype": the host kernel floor (input box), one code's severity (two quick picks), or the Settings UI. */
export async function configure(extensionId: string): Promise<void> {
  const config = vscode.workspace.getConfiguration('mtype');
  const floor = config.get<string>('hostKernelFloor', '');
  const severity = config.get<Record<string, string>>('severity', {});
  const picked = await vscode.window.showQuickPick(
    [
      { id: 'floor', label: 'Host kernel floor', description: floor || '(not set)', detail: 'The oldest host kernel of your fleet, for machines without host-kernel' },
      { id: 'severity', label: 'Severity of a diagnostic code', description: Object.entries(severity).map(([c, l]) => `${c}: ${l}`).join(', ') || '(defaults)' },
      { id: 'settings', label: 'Open the mtype settings' },
    ],
    { title: 'Configure mtype' },
  );
  if (picked?.id === 'floor') await editFloor(config, floor);
  else if (picked?.id === 'severity') await editSeverity(config, severity, scoped(config.inspect<Record<string, string>>('severity')), extensionId);
  else if (picked?.id === 'settings') await vscode.commands.executeCommand('workbench.action.openSettings', `@ext:${extensionId}`);
}

/** Where a setting is written: the workspace when one is open (a fleet's floor belongs to its project), else the user. */
const target = () => (vscode.workspace.workspaceFolders?.length ? vscode.ConfigurationTarget.Workspace : vscode.ConfigurationTarget.Global);

async function editFloor(config: vscode.WorkspaceConfiguration, current: string): Promise<void> {
  const value = await vscode.window.showInputBox({
    title: 'mtype: oldest host kernel of your fleet',
    prompt: 'A Linux version such as 4.19; empty: only the QEMU release\'s own minimum',
    value: current,
    validateInput: (v) => (/^(\d+(\.\d+){0,3})?$/.test(v.trim()) ? undefined : 'a version like 4.19 or 5.10.0, or empty'),
  });
  if (value !== undefined) await config.update('hostKernelFloor', value.trim(), target());
}

/** The value at the scope `target()` writes (object settings merge across scopes: only this one is rewritten). */
function scoped<T>(inspected: { globalValue?: T; workspaceValue?: T } | undefined): T | undefined {
  return target() === vscode.ConfigurationTarget.Workspace ? inspected?.workspaceValue : inspected?.globalValue;
}

async function editSeverity(config: vscode.WorkspaceConfiguration, current: Record<string, string>, own: Record<string, string> | undefined, extensionId: string): Promise<void> {
  const properties = vscode.extensions.getExtension(extensionId)?.packageJSON?.contributes?.configuration?.properties?.['mtype.severity']?.properties ?? {};
  const codes = Object.entries(properties as Record<string, { description?: string }>).map(([code, p]) => ({
    label: code,
    description: current[code] ? `${current[code]} (set)` : undefined,
    detail: p.description,
  }));
  const code = await vscode.window.showQuickPick(codes, { title: 'mtype: severity of which code?', matchOnDetail: true });
  if (!code) return;
  const levels = [...LEVELS.map((l) => ({ label: l })), { label: 'default', description: 'remove the override' }];
  const level = await vscode.window.showQuickPick(levels, { title: `mtype: severity of ${code.label}` });
  if (!level) return;
  const next = { ...own };
  if (level.label === 'default') delete next[code.label];
  else next[code.label] = level.label;
  await config.update('severity', Object.keys(next).length ? next : undefined, target());
}
