/**
 * Whether a bit blocks live migration in one machine (spec §3, MT201): the
 * feature's release-bound blocks ([from, until) of QEMU releases), each possibly
 * lifted by a fixed tsc-frequency (invtsc) or by a QEMU release and host kernels
 * that can migrate nested state (vmx, svm). A feature without release-bound blocks
 * falls back to its lasting `unmigratable` flag.
 */
import { compareVersions } from '../common/version';
import type { FeatureRecord, MigrationBlock } from '../kb/types';
import type { MachineContext } from './context';

export interface ActiveBlock {
  reason: string;
  block?: MigrationBlock;
  /** From this release on, setting tsc-frequency would lift the block. */
  tscFrequencyLiftsFrom?: string;
}

const inRange = (qemu: string, from: string | null, until: string | null) =>
  (!from || compareVersions(qemu, from) >= 0) && (!until || compareVersions(qemu, until) < 0);

/** The block that holds for `f` in this machine, or undefined when it migrates. */
export function activeBlock(ctx: MachineContext, f: FeatureRecord): ActiveBlock | undefined {
  const blocks = f.migrationBlocks;
  if (!blocks || blocks.length === 0) return f.unmigratable ? { reason: 'QEMU marks it unmigratable' } : undefined;
  const qemu = ctx.qemu;
  for (const b of blocks) {
    if (!inRange(qemu, b.from, b.until)) continue;
    if (b.kvmOnly && ctx.machine.accel.value !== 'kvm') continue;
    if (liftedByTscFrequency(ctx, b) || liftedByNestedState(ctx, b)) continue;
    const tsc = b.liftedByTscFrequencyFrom && compareVersions(qemu, b.liftedByTscFrequencyFrom) >= 0 ? b.liftedByTscFrequencyFrom : undefined;
    return { reason: b.reason, block: b, tscFrequencyLiftsFrom: tsc };
  }
  return undefined;
}

function liftedByTscFrequency(ctx: MachineContext, b: MigrationBlock): boolean {
  return !!(b.liftedByTscFrequencyFrom && ctx.machine.tscFrequency && compareVersions(ctx.qemu, b.liftedByTscFrequencyFrom) >= 0);
}

/** Nested state migrates with a QEMU from liftedByQemuFrom and every host kernel from kernelFrom (TCG needs no kernel). */
function liftedByNestedState(ctx: MachineContext, b: MigrationBlock): boolean {
  if (!b.liftedByQemuFrom && !b.kernelFrom) return false;
  if (b.liftedByQemuFrom && compareVersions(ctx.qemu, b.liftedByQemuFrom) < 0) return false;
  if (b.kernelFrom && ctx.machine.accel.value === 'kvm') {
    const range = ctx.kernelRange;
    if (!range || compareVersions(range.min, b.kernelFrom) < 0) return false;
  }
  return true;
}
