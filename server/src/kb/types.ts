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
/** Host CPU vendors whose KVM code decides a floor: Intel and Zhaoxin use VMX, AMD and Hygon SVM. */
export type HostVendor = 'intel' | 'amd';

export interface MigrationBlock {
  /** First QEMU release with the block, or null for "as far back as known". */
  from: string | null;
  /** First QEMU release without it, or null when it still holds. */
  until: string | null;
  liftedByTscFrequencyFrom?: string | null;
  /** Lifted when every host kernel in range is at least this (nested state), with QEMU >= liftedByQemuFrom. */
  kernelFrom?: string | null;
  liftedByQemuFrom?: string | null;
  /** The block is about KVM's state (nested state, KVM's TSC): it does not hold under TCG. */
  kvmOnly?: boolean;
  reason: string;
  sources: string[];
}
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
  /**
   * Per-vendor mainline floors where the VMX and SVM code of KVM differ (rdtscp:
   * {"intel": "2.6.34", "amd": "4.5"}). A vendor that is absent uses `kvmSince`.
   * `kvmSince` itself is the later of the two (what a vendor-neutral model needs).
   */
  kvmSinceByVendor?: Partial<Record<HostVendor, string | null>> | null;
  /**
   * Stable point releases that received the backport, one per stable line
   * ("4.19.43", "4.14.119"): a kernel on that line from that point release on has the bit.
   */
  kvmStable?: string[];
  /**
   * Where the floor is only bracketed: the newest mainline release whose KVM is known to
   * lack the bit (every mainline release up to it lacks it). null when the floor is known.
   */
  kvmAbsentIn?: string | null;
  /** First QEMU release that no longer knows the name (removed), or null. */
  qemuUntil?: string | null;
  /** Per-alias QEMU dating: the release that first accepted the spelling, and the one that dropped it. */
  aliasDates?: Record<string, { since: string | null; until: string | null }>;
  /**
   * First release whose tables spell the bit with its canonical name, when that is later than
   * `qemuSince` (kvm-pv-eoi: 2.8; the bit was kvm_pv_eoi from 1.2). Exports for older releases use an alias.
   */
  nameSince?: string;
  /**
   * Releases in which the bit blocks live migration (QEMU's unmigratable flags and
   * blockers), as half-open ranges [from, until): arch-capabilities from 3.1 until 4.0.
   * `liftedByTscFrequencyFrom`: from that release on, a fixed tsc-frequency lifts it (invtsc).
   * `kernelFrom`: from that host kernel on the block is lifted (nested state of vmx/svm).
   */
  migrationBlocks?: MigrationBlock[];
  /** Dependencies that held only in some releases: [from, until). */
  dependsOnInReleases?: { feature: string; from: string | null; until: string | null; source: string }[];
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
  /**
   * First QEMU release that migrates it under KVM: it sends it in the migration stream
   * and reads and writes it through KVM_GET_MSRS / KVM_SET_MSRS. null if never or unknown.
   */
  migratedSince: string | null;
  /** First QEMU release whose migration stream carries it (enough under TCG); null if unknown. */
  vmstateSince?: string | null;
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
  /** "intel" | "amd" | "hygon" | "zhaoxin", or null for vendor-neutral models (qemu64, kvm64). */
  vendor: string | null;
  /** First QEMU release with this version (for v1: the release that added the plain model). */
  qemuSince: string | null;
  /** First QEMU release that no longer has the model (Icelake-Client: 7.1), or null. */
  qemuUntil?: string | null;
  /** Per-alias dating of plain and alias names (Haswell-noTSX appeared in 2.3, long before -v2). */
  aliasDates?: Record<string, { since: string | null; until: string | null }>;
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
  /**
   * True when, under KVM, the release turns on every paravirt bit the host kernel reports
   * (QEMU 0.15-1.1), so the guest CPUID follows the host kernel.
   */
  kvmDefaultsFollowHost?: boolean;
  /** Features QEMU forces off by default with accel kvm (svm, monitor, acpi from 2.2). */
  kvmDefaultsOff?: string[];
  /** What the release's command line accepts (read from its -cpu parser and option table). */
  commandLine?: CommandLineSyntax;
  sources: string[];
}

export interface CommandLineSyntax {
  /** The option that names the machine type: `-machine` (0.15+), else only `-M`. */
  machine: '-machine' | '-M';
  /** `on-off`: every feature bit is a -cpu property (`name=on|off`, 2.4+); `plus-minus`: only `+name` / `-name`. */
  featureSyntax: 'on-off' | 'plus-minus';
  /** The -cpu key that sets the guest TSC frequency (`tsc-frequency`, `tsc-freq`, `tsc_freq`), or null when none. */
  tscFrequencyKey: string | null;
  /** How the accelerator is chosen: `-accel`, `-machine accel=` or `-enable-kvm` (TCG then is the default). */
  accel: '-accel' | '-machine accel=' | '-enable-kvm' | null;
}

export interface ReleasesFile {
  releases: ReleaseRecord[];
  modelCompat: ModelCompatRecord[];
  /** PC machine types (`pc-i440fx-2.8`, `pc-1.2`, `q35`): the first release that defines each, and the first without it. */
  machineTypes?: Record<string, { since: string; until: string | null; source: string }>;
}

/** Linux releases the knowledge base has read (`kernels.json`). */
export interface KernelRelease {
  /** Mainline release, "2.6.32", "5.10". */
  version: string;
  /** The tree the floors were read from, "owner/repo@commit", or null when no tree was read. */
  tree: string | null;
}

export interface StableLine {
  /** "4.19" */
  line: string;
  /** Newest point release known on the line ("4.19.325"), or null. */
  last: string | null;
}

export interface KernelsFile {
  releases: KernelRelease[];
  stableLines: StableLine[];
  sources: string[];
}

/** libvirt's names for the KB's facts (`libvirt.json`, written by scripts/kb/date-libvirt.mjs from libvirt's cpu_map). */
export interface LibvirtFile {
  /** The libvirt releases read, oldest first; `ref` is the tag or commit the files were read at. */
  releases: Array<{ version: string; ref: string; origin: string | null }>;
  /** libvirt's spelling of a QEMU bit, matched by CPUID location (or MSR index and bit). */
  features: LibvirtFeature[];
  /** libvirt bits the KB has no record of (no QEMU property). */
  unmatched: Array<{ libvirt: string; location: string; since: string; sources: string[] }>;
  models: LibvirtModel[];
  /** KVM paravirt bits libvirt keeps outside `<cpu>`. */
  elements: LibvirtElement[];
}

export interface LibvirtFeature {
  /** Canonical QEMU name. */
  name: string;
  /** libvirt's name (`pclmuldq`). */
  libvirt: string;
  /** Other spellings libvirt's cpu_map accepts for it (`<alias>`). */
  aliases: string[];
  /** First libvirt release read that has it. */
  since: string;
  sources: string[];
}

export interface LibvirtModel {
  /** libvirt's model name, which libvirt passes to QEMU's -cpu. */
  name: string;
  /** The QEMU model record that name resolves to, or null when QEMU has no such model. */
  qemu: string | null;
  vendor: string | null;
  /** The cpu_map model's features, as canonical QEMU names. */
  features: string[];
  /** Features the cpu_map marks removed='yes' (kept in the model for older domains). */
  removed: string[];
  /** cpu_map feature names of the model with no KB record. */
  unknownFeatures: string[];
  since: string;
  /** First libvirt release read without it, or null. */
  until: string | null;
  sources: string[];
}

/** Where a KVM bit lives in the domain XML: `<parent><element key… attribute='on|off'/></parent>`. */
export interface LibvirtElement {
  feature: string;
  /** Slash-separated path below `<domain>` ("clock", "features/kvm"). */
  parent: string;
  element: string;
  /** Attributes that identify the element (`name='kvmclock'` of a timer). */
  key: Record<string, string>;
  attribute: string;
  on: string;
  off: string;
  /** The values libvirt passes on to QEMU (`kvm-pv-ipi`: only off); the other value is not expressible. */
  writes: Array<'on' | 'off'>;
  since: string;
  sources: string[];
}
