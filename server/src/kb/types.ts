/**
 * Shapes of the knowledge-base data files in `server/src/kb/data/`.
 *
 * Conventions (shared by every file):
 * - CPUID leaves and MSR indexes are lower-case hex strings: "0x40000001", "0x4b564d04".
 * - Subleaves are numbers (0 for leaf 0x7 subleaf 0), or null for leaves without one.
 * - Registers are "EAX" | "EBX" | "ECX" | "EDX".
 * - QEMU releases and Linux versions are strings: "1.3", "2.6.32", "5.10".
 * - An unknown fact is `null`, never a guess.
 * - `sources` lists where each fact comes from, as "owner/repo:path[@commit]" or a
 *   document reference ("qemu-devel: ... 2012-11-...", "libvirt:src/cpu_map/x86_features.xml").
 */

export type Register = 'EAX' | 'EBX' | 'ECX' | 'EDX';
export type MsrRole = 'state' | 'capability' | 'command';

export interface FeatureRecord {
  /** Canonical QEMU property name, e.g. "kvm-pv-eoi", "sse4.1". */
  name: string;
  /** Other spellings: QEMU legacy ("sse4_1"), libvirt, Linux /proc/cpuinfo. Unique across the KB. */
  aliases: string[];
  /** QEMU feature word, e.g. "FEAT_1_ECX", "FEAT_KVM", "FEAT_ARCH_CAPABILITIES", "FEAT_VMX_PROCBASED_CTLS". */
  word: string;
  /** CPUID location; null for MSR-feature words (see `msrBit`). */
  leaf: string | null;
  subleaf: number | null;
  register: Register | null;
  /** Bit number in the register (CPUID) or in the MSR (MSR-feature words). */
  bit: number;
  /** For MSR-feature words: the MSR whose bit this is ("0x10a"). */
  msrFeatureIndex?: string | null;
  /** One line, in our own words. */
  description: string;
  /** First QEMU release that knows the name (in any spelling), or null. */
  qemuSince: string | null;
  /** Names (canonical) of MSR records the guest uses because of this bit. */
  msrs: string[];
  /** First Linux release whose KVM can expose the bit to a guest; null if unknown. */
  kvmSince: string | null;
  /** Last Linux release whose KVM exposed it (it was dropped after), or null. */
  kvmUntil: string | null;
  /** True when the bit blocks live migration (invtsc). */
  unmigratable: boolean;
  /** Canonical names of the features this one needs. */
  dependsOn: string[];
  /** Deprecated in QEMU (true or a reason), or false. */
  deprecated: boolean | string;
  /** Free-form notes on disagreements between sources (kept for docs/hover). */
  notes?: string;
  sources: string[];
}

export interface MsrRecord {
  /** Canonical name as in Linux msr-index.h / kvm_para.h, e.g. "MSR_KVM_PV_EOI_EN", "MSR_IA32_TSC_DEADLINE". */
  name: string;
  aliases: string[];
  index: string;
  role: MsrRole;
  /** Canonical feature names that make the guest use this MSR. */
  features: string[];
  /** First QEMU release that migrates it (vmstate field or subsection); null if never or unknown. */
  migratedSince: string | null;
  /** When KVM keeps this MSR's state under another, migrated MSR: that MSR's name (kvmclock _NEW -> 0x11/0x12). */
  stateSharedWith?: string | null;
  /** First Linux release whose KVM can save/restore the MSR (KVM_GET/SET_MSRS); null if unknown. */
  kvmSince: string | null;
  description: string;
  notes?: string;
  sources: string[];
}

export interface ModelRecord {
  /** Versioned name, e.g. "Skylake-Server-v4". Unversioned models (qemu64, host) use the plain name. */
  name: string;
  /** The model family ("Skylake-Server"); equal to name for unversioned models. */
  family: string;
  /** Version number, or null for models QEMU does not version. */
  version: number | null;
  /** Other names that resolve to this record: the plain name for v1, alias names ("Skylake-Server-IBRS"). */
  aliases: string[];
  vendor: string | null;
  /** First QEMU release with this version (for v1: the release that added the plain model). */
  qemuSince: string | null;
  deprecated: boolean | string;
  /** Complete cumulative CPUID feature list (canonical names), without the KVM defaults. */
  features: string[];
  /** 'host' / 'max' pass the host through. */
  followsHost?: boolean;
  description: string;
  sources: string[];
}

/** A machine-type compat property that changes a CPU model's bits for old machine types. */
export interface ModelCompatRecord {
  /** Applies to machine types whose QEMU release is <= this. */
  upTo: string;
  /** Model family, or "*" for every model. */
  model: string;
  feature: string;
  value: boolean;
  sources: string[];
}

export interface ReleaseRecord {
  version: string;
  date: string | null;
  /** Features QEMU turns on by default with accel kvm for machine types of this release. */
  kvmDefaults: string[];
  /** Oldest host kernel this release supports for KVM, or null. */
  minKernel: string | null;
  sources: string[];
}

export interface ReleasesFile {
  releases: ReleaseRecord[];
  modelCompat: ModelCompatRecord[];
}
