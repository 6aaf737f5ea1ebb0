/** CPU model names: MT110 unknown, MT114 newer than the QEMU release, MT400 deprecated, MT301 host-following. */
import { compareVersions } from '../common/version';
import type { FixIntent } from '../common/diagnostic';
import type { Name } from '../syntax/ast';
import type { MachineCheck, MachineContext } from './context';
import type { Finding } from '../common/diagnostic';
import { maySuggest } from './budget';

/** Model names this machine states itself: its `cpu` line and its `cpuid for` lists. */
function ownModelNames(ctx: MachineContext): Array<{ name: Name; isCpuLine: boolean }> {
  const out: Array<{ name: Name; isCpuLine: boolean }> = [];
  for (const s of ctx.ref.decl.statements) {
    if (s.kind === 'cpu' && s.model) out.push({ name: s.model, isCpuLine: true });
    if (s.kind === 'cpuid') for (const m of s.models) out.push({ name: m, isCpuLine: false });
  }
  return out;
}

export const checkModels: MachineCheck = (ctx, report) => {
  const qemu = ctx.qemu;
  const seen = new Set<string>();
  for (const { name, isCpuLine } of ownModelNames(ctx)) {
    const model = ctx.kb.model(name.text);
    if (!model) {
      const suggestions = maySuggest(ctx.doc.tree, 'model', name.start) ? ctx.kb.suggestModel(name.text) : [];
      report({
        code: 'MT110',
        message: `unknown CPU model '${name.text}'${suggestions.length ? `; did you mean ${suggestions.map((s) => `'${s}'`).join(', ')}?` : ''}`,
        span: name,
        fixes: suggestions.map<FixIntent>((s, i) => ({ kind: 'replace', title: `Change to '${s}'`, span: name, text: s, preferred: i === 0 && suggestions.length === 1 })),
      });
      continue;
    }
    if (seen.has(`${name.start}`)) continue;
    seen.add(`${name.start}`);
    // The KB dates versioned names; an alias (Haswell-noTSX) may be older than the
    // versioned name it resolves to (Haswell-v2, 4.1), so only the dated spellings count.
    const dated = name.text === model.name || (model.version === 1 && name.text === model.family);
    if (dated && model.qemuSince && compareVersions(qemu, model.qemuSince) < 0) {
      report({
        code: 'MT114',
        message: `CPU model ${model.name} first appeared in QEMU ${model.qemuSince}; machine ${ctx.name} is QEMU ${qemu}`,
        span: name,
        fixes: [{ kind: 'set-qemu', title: `Raise qemu to ${model.qemuSince}`, machine: ctx.name, version: model.qemuSince, preferred: true }],
      });
    }
    if (model.deprecated) {
      report({
        code: 'MT400',
        message: `CPU model ${model.name} is deprecated${typeof model.deprecated === 'string' ? `: ${model.deprecated}` : ''}`,
        span: name,
        tags: ['deprecated'],
      });
    }
    if (isCpuLine && model.followsHost) reportHostModel(ctx, name, report);
  }
  // An inherited `cpu host` is reported on the machine's name, once.
  const cpu = ctx.machine.cpu;
  if (cpu && !ctx.isOwn(cpu.origin) && ctx.kb.model(cpu.value)?.followsHost) reportHostModel(ctx, undefined, report);
};

function reportHostModel(ctx: MachineContext, name: Name | undefined, report: (f: Finding) => void): void {
  if (ctx.machine.followsHost.value) return;
  const model = ctx.machine.cpu?.value ?? name?.text ?? 'host';
  const where = name ? { span: { start: name.start, end: name.end } } : ctx.place(ctx.machine.cpu?.origin, `cpu ${model} is set here`);
  const fixes: FixIntent[] = [{ kind: 'add-statement', title: `Mark ${ctx.name} as follows-host`, machine: ctx.name, text: 'follows-host' }];
  if (name) fixes.push({ kind: 'replace', title: 'Pin the named model qemu64', span: name, text: 'qemu64' });
  report({
    code: 'MT301',
    message: `machine ${ctx.name} uses cpu ${model}, whose CPUID follows the host: guests see different bits on different hosts, including bits QEMU ${ctx.qemu} cannot migrate`,
    ...where,
    fixes,
  });
}
