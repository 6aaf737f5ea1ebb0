/**
 * `explain --format qemu` and the editor's "Copy as QEMU": an explained machine as the command
 * line its own QEMU release accepts (the rendering itself lives in interop/qemu.ts).
 */
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { MachineRef } from '../model/resolve';
import type { Workspace } from '../model/workspace';
import { qemuCommandLine, renderQemu, type QemuExportInput } from '../interop/qemu';
import type { Explanation } from './explain';

/** What the export needs: explain's bits plus the machine's aliases and TSC frequency. */
export function qemuExportInput(e: Explanation, ref: MachineRef, workspace: Workspace): QemuExportInput {
  const aliases = ref.decl.statements.flatMap((s) => (s.kind === 'alias' && s.name ? [s.name.text] : []));
  return {
    names: [e.machine, ...aliases],
    qemu: e.qemu,
    accel: e.accel,
    cpu: e.cpu,
    on: e.features.filter((f) => f.source === 'whitelist').map((f) => f.name),
    off: e.masked.map((m) => m.name),
    tscFrequency: workspace.resolve(ref).tscFrequency?.value ?? null,
  };
}

export function explanationQemu(e: Explanation, ref: MachineRef, workspace: Workspace, kb: KnowledgeBase): string {
  return renderQemu(qemuCommandLine(qemuExportInput(e, ref, workspace), kb));
}
