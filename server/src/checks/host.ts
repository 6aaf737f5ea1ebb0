/**
 * Host dependence: MT300 (an enabled bit needs a newer KVM than the oldest host
 * kernel, or KVM dropped it before the newest) and MT302 (bits that reach the
 * guest only through QEMU's KVM defaults, not through the machine's whitelist).
 */
import { compareVersions } from '../common/version';
import { featureWithLocation, joinNames } from '../kb/describe';
import type { FixIntent } from '../common/diagnostic';
import type { MachineCheck } from './context';
import { enabledWhere, hasKernelRange, kvmDefaultBits } from './base-subsets';

export const checkHostKernel: MachineCheck = (ctx, report) => {
  // TCG does not ask the host kernel for CPUID; a follows-host machine promises no fixed ABI.
  if (ctx.machine.accel.value !== 'kvm' || ctx.machine.followsHost.value) return;
  const min = ctx.kernelMin;
  const max = ctx.kernelMax;
  const reported = new Set<string>();
  // Whether a bit depends on the host kernel is a fact of the feature and this machine's
  // kernel range: decided once per feature, however many CPU models list it.
  const verdicts = new Map<string, { tooNew: boolean; dropped: boolean }>();
  for (const cpuid of ctx.views) {
    if (cpuid.model?.followsHost) continue; // MT301 covers host-following models
    for (const bit of enabledWhere(cpuid, ctx.kb, hasKernelRange)) {
      const f = bit.feature;
      let verdict = verdicts.get(f.name);
      if (!verdict) {
        verdict = {
          tooNew: !!(min && f.kvmSince && compareVersions(min.value, f.kvmSince) < 0),
          dropped: !!(f.kvmUntil && (!max || compareVersions(max, f.kvmUntil) > 0)),
        };
        verdicts.set(f.name, verdict);
      }
      const { tooNew, dropped } = verdict;
      if (!tooNew && !dropped) continue;
      const where = ctx.place(bit.origin, `${f.name} comes from here`);
      const key = `${f.name}|${where.span.start}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const via = bit.source === 'kvm-default' ? `QEMU ${ctx.qemu}'s KVM defaults include` : bit.source === 'model' ? `${cpuid.modelName} includes` : `machine ${ctx.name} whitelists`;
      const fixes: FixIntent[] = [{ kind: 'mask', title: `Mask ${f.name}`, machine: ctx.name, feature: f.name, preferred: !tooNew }];
      let message: string;
      if (tooNew && min) {
        const stated =
          min.source === 'stated' ? `host-kernel >= ${min.value}`
          : min.source === 'floor' ? `the configured host-kernel floor (${min.value})`
          : `the oldest host kernel QEMU ${ctx.qemu} supports (${min.value})`;
        message = `${via} ${featureWithLocation(f)}, which KVM exposes from Linux ${f.kvmSince}; ${ctx.name} allows ${stated}: on older hosts the guest loses the bit`;
        fixes.push({ kind: 'set-kernel', title: `Raise host-kernel to ${f.kvmSince}`, machine: ctx.name, min: f.kvmSince!, preferred: true });
        fixes[0].preferred = false;
      } else {
        message = `${via} ${featureWithLocation(f)}, which KVM stopped exposing after Linux ${f.kvmUntil}; ${ctx.name} allows ${max ? `host kernels up to ${max}` : 'any newer host kernel'}`;
      }
      report({ code: 'MT300', message, ...where, fixes });
    }
  }
};

export const checkKvmDefaults: MachineCheck = (ctx, report) => {
  if (ctx.machine.accel.value !== 'kvm' || ctx.machine.followsHost.value) return;
  const bits = new Map<string, { origin: typeof ctx.machine.accel.origin }>();
  for (const cpuid of ctx.views) {
    for (const bit of kvmDefaultBits(cpuid)) if (!bits.has(bit.feature.name)) bits.set(bit.feature.name, { origin: bit.origin });
  }
  if (bits.size === 0) return;
  const names = [...bits.keys()];
  const first = bits.values().next().value!;
  const where = ctx.place(first.origin, `QEMU ${ctx.qemu} is chosen here`);
  const fixes: FixIntent[] = [
    { kind: 'whitelist', title: `Whitelist all ${names.length} KVM default bit${names.length > 1 ? 's' : ''}`, machine: ctx.name, features: names, preferred: true },
    ...names.map<FixIntent>((n) => ({ kind: 'whitelist', title: `Whitelist ${n}`, machine: ctx.name, features: [n] })),
  ];
  report({
    code: 'MT302',
    message: `${names.length} bit${names.length > 1 ? 's' : ''} reach${names.length > 1 ? '' : 'es'} the guest of ${ctx.name} only through QEMU ${ctx.qemu}'s KVM defaults, not its own whitelist: ${joinNames(names.map((n) => featureWithLocation(ctx.kb.feature(n)!)), 8)}`,
    ...where,
    fixes,
  });
};
