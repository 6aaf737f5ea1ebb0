/** What every check sees: one machine of one document, resolved, with the KB. */
import type { Finding, RelatedInfo } from '../common/diagnostic';
import type { Span } from '../common/text';
import type { KnowledgeBase } from '../kb/knowledge-base';
import { cpuidView, effectiveQemu, modelsToCheck, type CpuidView } from '../model/cpuid';
import type { ParsedDocument } from '../model/document';
import type { MachineRef, Origin, ResolvedMachine } from '../model/resolve';
import type { Workspace } from '../model/workspace';
import { compareVersions } from '../common/version';

export class MachineContext {
  private viewCache?: CpuidView[];

  constructor(
    readonly kb: KnowledgeBase,
    readonly workspace: Workspace,
    readonly doc: ParsedDocument,
    readonly ref: MachineRef,
    readonly machine: ResolvedMachine,
    /** The configured fleet floor for machines that state no host-kernel. */
    readonly kernelFloor?: string,
  ) {}

  get name(): string {
    return this.ref.name;
  }

  /** The machine's name in the text: where findings without a better place go. */
  get nameSpan(): Span {
    return this.ref.decl.name ?? this.ref.decl.keyword;
  }

  get qemu(): string {
    return effectiveQemu(this.machine, this.kb);
  }

  /** The machine's CPUID for each model it is checked for (computed once). */
  get views(): CpuidView[] {
    if (!this.viewCache) this.viewCache = modelsToCheck(this.machine).map((m) => cpuidView(this.machine, m.name, m.origin, this.kb));
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

  /** True when `origin` is a statement of this machine in this document. */
  isOwn(origin: Origin | undefined): boolean {
    return !!origin && origin.uri === this.doc.uri && origin.machine === this.name && this.ref.decl.start <= origin.span.start && origin.span.end <= this.ref.decl.end;
  }

  /**
   * Where to report something caused by `origin`: the statement itself when it is
   * this machine's own; otherwise the machine's name, with related information
   * pointing at the inherited statement.
   */
  place(origin: Origin | undefined, what = 'inherited from here'): { span: Span; related?: RelatedInfo[] } {
    if (origin && this.isOwn(origin)) return { span: origin.span };
    if (origin) return { span: this.nameSpan, related: [{ uri: origin.uri, span: origin.span, message: `${what} (machine ${origin.machine})` }] };
    return { span: this.nameSpan };
  }
}

export type MachineCheck = (ctx: MachineContext, report: (f: Finding) => void) => void;
