/**
 * libvirt's names for the KB's facts (`libvirt.json`), indexed both ways: QEMU bit → libvirt
 * spelling, libvirt spelling or alias → QEMU bit, models by libvirt name, and the domain
 * elements that hold KVM paravirt bits.
 */
import type { LibvirtElement, LibvirtFeature, LibvirtFile, LibvirtModel } from './types';

export class LibvirtNames {
  readonly releases: LibvirtFile['releases'];
  readonly models: readonly LibvirtModel[];
  readonly elements: readonly LibvirtElement[];
  private readonly byQemu = new Map<string, LibvirtFeature>();
  private readonly bySpelling = new Map<string, LibvirtFeature>();
  private readonly modelByName = new Map<string, LibvirtModel>();
  private readonly elementByFeature = new Map<string, LibvirtElement>();
  private readonly unmatched = new Set<string>();

  constructor(data: LibvirtFile | undefined) {
    this.releases = data?.releases ?? [];
    this.models = data?.models ?? [];
    this.elements = data?.elements ?? [];
    for (const f of data?.features ?? []) {
      this.byQemu.set(f.name, f);
      this.bySpelling.set(f.libvirt, f);
    }
    for (const f of data?.features ?? []) for (const a of f.aliases) if (!this.bySpelling.has(a)) this.bySpelling.set(a, f);
    for (const m of this.models) this.modelByName.set(m.name, m);
    for (const e of this.elements) this.elementByFeature.set(e.feature, e);
    for (const u of data?.unmatched ?? []) this.unmatched.add(u.libvirt);
  }

  /** The newest libvirt release the KB has read ("9.0.0"), or null without libvirt data. */
  get newest(): string | null {
    return this.releases.length ? this.releases[this.releases.length - 1].version : null;
  }

  /** libvirt's `<feature name=…>` for a canonical QEMU bit, or undefined when cpu_map has none. */
  spellingOf(qemuName: string): string | undefined {
    return this.byQemu.get(qemuName)?.libvirt;
  }

  /** The canonical QEMU name of a libvirt feature name or alias. */
  qemuNameOf(libvirtName: string): string | undefined {
    return this.bySpelling.get(libvirtName)?.name;
  }

  /** A cpu_map feature that no QEMU property sets (osxsave, cmt …). */
  isUnmatched(libvirtName: string): boolean {
    return this.unmatched.has(libvirtName);
  }

  model(name: string): LibvirtModel | undefined {
    return this.modelByName.get(name);
  }

  /** The domain element that holds a KVM bit, when libvirt has one. */
  elementOf(qemuName: string): LibvirtElement | undefined {
    return this.elementByFeature.get(qemuName);
  }
}
