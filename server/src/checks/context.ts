/** What every check sees: one machine of one document, resolved, with the KB. */
import { causeAt, type Cause, type Finding, type RelatedInfo } from '../common/diagnostic';
import type { Span } from '../common/text';
import type { KnowledgeBase } from '../kb/knowledge-base';
import { cpuidView, effectiveQemu, modelsToCheck, type CpuidView } from '../model/cpuid';
import type { ParsedDocument } from '../model/document';
import type { MachineRef, Origin, ResolvedMachine } from '../model/resolve';
import type { Workspace } from '../model/workspace';
import { compareVersions } from '../common/version';
import { featureLocation, featureWithLocation } from '../kb/describe';
import type { EffectiveBit } from '../model/cpuid';
import type { KernelRange } from './kernel-facts';
import { maySuggest, type NameKind } from './budget';
import { mapped } from '../common/arrays';

/** One did-you-mean budget answer a check asked for, at an offset relative to the machine. */
export interface BudgetQuery {
  kind: NameKind;
  at: number;
  limit?: number;
  answer: boolean;
}

export class MachineContext {
  private viewCache?: CpuidView[];
  /** The budget answers the checks asked for (checks/budget.ts): the findings depend on them. */
  readonly budgetQueries: BudgetQuery[] = [];
  /** Set when a check asked about a name outside this machine. */
  askedOutside = false;

  constructor(
    readonly kb: KnowledgeBase,
    readonly workspace: Workspace,
    readonly doc: ParsedDocument,
    readonly ref: MachineRef,
    readonly machine: ResolvedMachine,
    /** The configured fleet floor for machines that state no host-kernel. */
    readonly kernelFloor?: string,
    /**
     * One finding per cause (`inherited: once`): the bits one CPU model (or the KVM
     * defaults) brings in at one place are reported as one finding that lists them.
     */
    readonly perCause = false,
  ) {}

  get name(): string {
    return this.ref.name;
  }

  /** The machine's name in the text: where findings without a better place go. */
  get nameSpan(): Span {
    return this.ref.decl.name ?? this.ref.decl.keyword;
  }

  /** Whether the name at `offset` (in this machine) may get did-you-mean suggestions; remembered. */
  maySuggest(kind: NameKind, offset: number, limit?: number): boolean {
    const answer = maySuggest(this.doc.tree, kind, offset, limit);
    const decl = this.ref.decl;
    if (offset < decl.start || offset > decl.end) this.askedOutside = true;
    this.budgetQueries.push({ kind, at: offset - decl.start, limit, answer });
    return answer;
  }

  get qemu(): string {
    return effectiveQemu(this.machine, this.kb);
  }

  /** The machine's CPUID for each model it is checked for (computed once). */
  get views(): CpuidView[] {
    if (!this.viewCache) this.viewCache = mapped(modelsToCheck(this.machine), (m) => cpuidView(this.machine, m.name, m.origin, this.kb));
    return this.viewCache;
  }

  /**
   * Oldest host kernel: stated or inherited; else the newer of the QEMU release's minimum
   * and the configured floor; undefined when neither is known.
   */
  get kernelMin(): { value: string; source: 'stated' | 'release' | 'floor' } | undefined {
    if (this.machine.hostKernelMin) return { value: this.machine.hostKernelMin.value, source: 'stated' };
    const release = this.kb.releaseFor(this.qemu)?.minKernel ?? undefined;
    const floor = this.kernelFloor;
    if (release && (!floor || compareVersions(release, floor) >= 0)) return { value: release, source: 'release' };
    return floor ? { value: floor, source: 'floor' } : undefined;
  }

  get kernelMax(): string | undefined {
    return this.machine.hostKernelMax?.value;
  }

  /** The host kernels the machine runs on; undefined when the oldest is unknown or the range is empty (MT005). */
  get kernelRange(): KernelRange | undefined {
    const min = this.kernelMin?.value;
    const max = this.kernelMax;
    if (!min || (max && compareVersions(min, max) > 0)) return undefined;
    return { min, max };
  }

  /** How the machine states its host kernels, for messages. */
  get kernelsStated(): string {
    const min = this.kernelMin;
    if (!min) return 'any host kernel';
    if (min.source === 'stated') return this.kernelMax ? `host-kernel ${min.value} .. ${this.kernelMax}` : `host-kernel >= ${min.value}`;
    if (min.source === 'floor') return `the configured host-kernel floor (${min.value})`;
    return `the oldest host kernel QEMU ${this.qemu} supports (${min.value})`;
  }

  private providedCache?: Set<string>;

  /** Whether the machine says its fleet's kernels carry the bit (`host-kernel provides`). */
  provides(feature: string): boolean {
    if (!this.providedCache) this.providedCache = new Set(this.machine.provides.map((p) => this.kb.feature(p.name.text)?.name ?? p.name.text));
    return this.providedCache.has(feature);
  }

  /**
   * Where an enabled bit comes from, as a clause naming the bit: "machine m whitelists
   * x2apic (…)", "m inherits +kvm-pv-unhalt (…) from pc-i440fx-2.5", "Haswell includes
   * avx (…)", "QEMU 1.3's KVM defaults include kvm-pv-eoi (…)". `f` names what is brought in
   * (the bit with its location by default; "5 bits" when a model's bits are reported together).
   */
  bitSource(bit: EffectiveBit, modelName: string, f = featureWithLocation(bit.feature)): string {
    const inherited = bit.origin && !this.isOwn(bit.origin) ? bit.origin.machine : undefined;
    switch (bit.source) {
      case 'whitelist':
        return inherited ? `${this.name} inherits +${bit.feature.name} (${featureLocation(bit.feature)}) from ${inherited}` : `machine ${this.name} whitelists ${f}`;
      case 'model':
        return inherited && this.machine.cpu?.value === modelName ? `${this.name} inherits cpu ${modelName} from ${inherited}, which includes ${f}` : `${modelName} includes ${f}`;
      case 'kvm-default':
        return inherited ? `${this.name} inherits ${this.machine.accel.origin?.machine === inherited ? 'accel kvm' : `qemu ${this.qemu}`} from ${inherited}, whose KVM defaults include ${f}` : `QEMU ${this.qemu}'s KVM defaults include ${f}`;
    }
  }

  /**
   * The statement that decides whether a bit is there: where it came from, or for a
   * bit of the default CPU model (no `cpu` stated), where the release is chosen.
   */
  causeOf(bit: EffectiveBit): Origin | undefined {
    return bit.origin ?? (bit.source === 'model' ? this.machine.qemu?.origin : undefined);
  }

  /** True when `origin` is a statement of this machine in this document. */
  isOwn(origin: Origin | undefined): boolean {
    return !!origin && origin.uri === this.doc.uri && origin.machine === this.name && this.ref.decl.start <= origin.span.start && origin.span.end <= this.ref.decl.end;
  }

  /** Where `place` reports something caused by `origin`: its statement when it is this machine's own, else the machine's name. */
  spanFor(origin: Origin | undefined): Span {
    return origin && this.isOwn(origin) ? origin.span : this.nameSpan;
  }

  /**
   * Where to report something caused by `origin`: the statement itself when it is
   * this machine's own; otherwise the machine's name, with related information
   * pointing at the inherited statement. With a `subject` (what of the statement
   * the finding is about), the finding names its cause, so the same finding of a
   * base and of the machines extending it can be reported once (checks/fold.ts).
   */
  place(origin: Origin | undefined, what = 'inherited from here', subject?: string, causeOrigin = origin): { span: Span; related?: RelatedInfo[]; cause?: Cause } {
    const cause = subject !== undefined ? causeAt(causeOrigin, subject) : undefined;
    if (origin && this.isOwn(origin)) return { span: origin.span, cause };
    if (origin) return { span: this.nameSpan, related: [{ uri: origin.uri, span: origin.span, message: `${what} (machine ${origin.machine})` }], cause };
    return { span: this.nameSpan };
  }
}

export type MachineCheck = (ctx: MachineContext, report: (f: Finding) => void) => void;
