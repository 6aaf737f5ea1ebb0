/**
 * CPU model names: MT110 unknown, MT114 not in the QEMU release (not yet, or removed),
 * MT400 deprecated; MT301 host-following CPUID (cpu host/max, or a release whose KVM
 * defaults follow the host kernel).
 */
import { compareVersions } from '../common/version';
import { causeAt, type FixIntent } from '../common/diagnostic';
import type { Name } from '../syntax/ast';
import type { MachineCheck, MachineContext } from './context';
import type { Finding } from '../common/diagnostic';
import { suggest } from '../common/suggest';
import { modelSpellingDates, nameInRelease, type NameInRelease } from './release-names';
import { mapped } from '../common/arrays';

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
      const suggestions = ctx.maySuggest('model', name.start) ? ctx.kb.suggestModel(name.text) : [];
      report({
        code: 'MT110',
        message: `unknown CPU model '${name.text}'${suggestions.length ? `; did you mean ${mapped(suggestions, (s) => `'${s}'`).join(', ')}?` : ''}`,
        span: name,
        fixes: mapped(suggestions, (s, i): FixIntent => ({ kind: 'replace', title: `Change to '${s}'`, span: name, text: s, preferred: i === 0 && suggestions.length === 1 })),
      });
      continue;
    }
    if (seen.has(`${name.start}`)) continue;
    seen.add(`${name.start}`);
    const inRelease = nameInRelease(modelSpellingDates(model, name.text), qemu);
    if (!inRelease.known) reportModelRelease(ctx, name, model.name, inRelease, report);
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

function reportModelRelease(ctx: MachineContext, name: Name, canonical: string, r: Exclude<NameInRelease, { known: true }>, report: (f: Finding) => void): void {
  const qemu = ctx.qemu;
  const spelled = name.text === canonical ? `CPU model ${canonical}` : `CPU model ${name.text} (${canonical})`;
  const fixes: FixIntent[] = [];
  if (r.why === 'not-yet') fixes.push({ kind: 'set-qemu', title: `Raise qemu to ${r.since}`, machine: ctx.name, version: r.since, preferred: true });
  const near = availableModels(ctx, name.text);
  near.forEach((m) => fixes.push({ kind: 'replace', title: `Change to '${m}' (in QEMU ${qemu})`, span: name, text: m }));
  report({
    code: 'MT114',
    message:
      r.why === 'not-yet'
        ? `${spelled} first appeared in QEMU ${r.since}; machine ${ctx.name} is QEMU ${qemu}${near.length ? `; did you mean ${mapped(near, (m) => `'${m}'`).join(', ')}?` : ''}`
        : `${spelled} was removed in QEMU ${r.until}; machine ${ctx.name} is QEMU ${qemu}${near.length ? `; did you mean ${mapped(near, (m) => `'${m}'`).join(', ')}?` : ''}`,
    span: name,
    fixes,
  });
}

/** The nearest model spellings the machine's release has, for did-you-mean. */
function availableModels(ctx: MachineContext, text: string): string[] {
  const qemu = ctx.qemu;
  const out: string[] = [];
  for (const candidate of suggest(text, ctx.kb.modelSpellings(), 12)) {
    const m = ctx.kb.model(candidate);
    if (!m || candidate === text || m.followsHost) continue;
    if (nameInRelease(modelSpellingDates(m, candidate), qemu).known) out.push(candidate);
    if (out.length === 2) break;
  }
  return out;
}

function reportHostModel(ctx: MachineContext, name: Name | undefined, report: (f: Finding) => void): void {
  // Under TCG, `max` is what the emulator implements, not the host; `host` needs KVM.
  if (ctx.machine.followsHost.value || ctx.machine.accel.value !== 'kvm') return;
  const model = ctx.machine.cpu?.value ?? name?.text ?? 'host';
  const where = name ? { span: { start: name.start, end: name.end }, cause: ctx.isOwn(ctx.machine.cpu?.origin) ? causeAt(ctx.machine.cpu?.origin, model) : undefined } : ctx.place(ctx.machine.cpu?.origin, `cpu ${model} is set here`, model);
  const fixes: FixIntent[] = [{ kind: 'add-statement', title: `Mark ${ctx.name} as follows-host`, machine: ctx.name, text: 'follows-host' }];
  if (name) fixes.push({ kind: 'replace', title: 'Pin the named model qemu64', span: name, text: 'qemu64' });
  report({
    code: 'MT301',
    message: `machine ${ctx.name} uses cpu ${model}, whose CPUID follows the host: guests see different bits on different hosts, including bits QEMU ${ctx.qemu} cannot migrate`,
    ...where,
    fixes,
  });
}

/** MT301 for QEMU 0.15-1.1 under KVM: every paravirt bit the host kernel reports reaches the guest. */
export const checkKvmDefaultsFollowHost: MachineCheck = (ctx, report) => {
  if (ctx.machine.accel.value !== 'kvm' || ctx.machine.followsHost.value) return;
  const release = ctx.kb.releaseFor(ctx.qemu);
  if (!release?.kvmDefaultsFollowHost) return;
  const where = ctx.place(ctx.machine.qemu?.origin ?? ctx.machine.accel.origin, `QEMU ${ctx.qemu} is chosen here`, ctx.qemu);
  const fixes: FixIntent[] = [{ kind: 'add-statement', title: `Mark ${ctx.name} as follows-host`, machine: ctx.name, text: 'follows-host' }];
  const fixed = ctx.kb.releases.find((r) => compareVersions(r.version, release.version) > 0 && !r.kvmDefaultsFollowHost);
  if (fixed) fixes.push({ kind: 'set-qemu', title: `Raise qemu to ${fixed.version}, whose KVM defaults are a fixed list`, machine: ctx.name, version: fixed.version });
  report({
    code: 'MT301',
    message: `machine ${ctx.name} is QEMU ${ctx.qemu} under KVM, which turns on every paravirt bit the host kernel reports: the guest CPUID follows the host kernel${fixed ? ` (QEMU ${fixed.version} fixed the list per release)` : ''}`,
    ...where,
    fixes,
  });
};
