/**
 * The knowledge base: the data files of `./data`, indexed once and shared by the
 * server and the CLI. Nothing here decides anything; checks ask questions.
 */
import type { FeatureRecord, HostVendor, KernelsFile, LibvirtFile, ModelCompatRecord, ModelRecord, MsrRecord, ReleaseRecord, ReleasesFile } from './types';
import { LibvirtNames } from './libvirt-names';
import { compareVersions } from '../common/version';
import { suggest } from '../common/suggest';
import { featureShape, modelShape, msrShape } from './record-shapes';

export interface KnowledgeBaseData {
  features: FeatureRecord[];
  msrs: MsrRecord[];
  models: ModelRecord[];
  releases: ReleasesFile;
  /** Linux releases read (`kernels.json`), when that file exists. */
  kernels?: KernelsFile;
  /** libvirt's names (`libvirt.json`), when that file exists. */
  libvirt?: LibvirtFile;
}

export class KnowledgeBase {
  readonly features: readonly FeatureRecord[];
  readonly msrs: readonly MsrRecord[];
  readonly models: readonly ModelRecord[];
  /** Releases sorted oldest first. */
  readonly releases: readonly ReleaseRecord[];
  readonly modelCompat: readonly ModelCompatRecord[];
  readonly kernels?: KernelsFile;
  private readonly machineTypes: NonNullable<ReleasesFile['machineTypes']>;
  /** libvirt's spellings, models and domain elements; empty when the KB has no libvirt.json. */
  readonly libvirt: LibvirtNames;

  private readonly featureByName = new Map<string, FeatureRecord>();
  private readonly featureByLocation = new Map<string, FeatureRecord[]>();
  private readonly msrByName = new Map<string, MsrRecord>();
  private readonly msrByIndex = new Map<string, MsrRecord>();
  private readonly modelByName = new Map<string, ModelRecord>();
  private readonly releaseByVersion = new Map<string, ReleaseRecord>();
  private readonly msrsByFeature = new Map<string, MsrRecord[]>();

  constructor(data: KnowledgeBaseData) {
    this.features = data.features.map(featureShape);
    this.msrs = data.msrs.map(msrShape);
    this.models = data.models.map(modelShape);
    this.releases = [...data.releases.releases].sort((a, b) => compareVersions(a.version, b.version));
    this.modelCompat = data.releases.modelCompat;
    this.machineTypes = data.releases.machineTypes ?? {};
    this.kernels = data.kernels;
    this.libvirt = new LibvirtNames(data.libvirt);

    for (const f of this.features) {
      this.featureByName.set(f.name, f);
      const loc = locationKey(f);
      const list = this.featureByLocation.get(loc);
      if (list) list.push(f);
      else this.featureByLocation.set(loc, [f]);
    }
    for (const f of this.features) for (const a of f.aliases) if (!this.featureByName.has(a)) this.featureByName.set(a, f);
    for (const m of this.msrs) {
      this.msrByName.set(m.name, m);
      this.msrByIndex.set(m.index, m);
    }
    for (const m of this.msrs) for (const a of m.aliases) if (!this.msrByName.has(a)) this.msrByName.set(a, m);
    for (const m of this.models) this.modelByName.set(m.name, m);
    for (const m of this.models) for (const a of m.aliases) if (!this.modelByName.has(a)) this.modelByName.set(a, m);
    for (const r of this.releases) this.releaseByVersion.set(r.version, r);
    // MSRs of a feature: from either side of the relation, so one file's omission doesn't hide a fact.
    for (const f of this.features) {
      for (const name of f.msrs) {
        const msr = this.msrByName.get(name);
        if (msr) this.addMsrOfFeature(f.name, msr);
      }
    }
    for (const m of this.msrs) for (const f of m.features) if (this.featureByName.has(f)) this.addMsrOfFeature(this.featureByName.get(f)!.name, m);
  }

  private addMsrOfFeature(feature: string, msr: MsrRecord): void {
    const list = this.msrsByFeature.get(feature);
    if (!list) this.msrsByFeature.set(feature, [msr]);
    else if (!list.includes(msr)) list.push(msr);
  }

  /** A feature by canonical name or alias; QEMU reads `_` as `-` in property names (spec_ctrl = spec-ctrl). */
  feature(name: string): FeatureRecord | undefined {
    return this.featureByName.get(name) ?? (name.includes('_') ? this.featureByName.get(name.replace(/_/g, '-')) : undefined);
  }

  /** Features at one CPUID location (QEMU names a few bits twice). */
  featuresAt(leaf: string, subleaf: number | null, register: string, bit: number): FeatureRecord[] {
    return this.featureByLocation.get(`${leaf}/${subleaf ?? ''}/${register}/${bit}`) ?? [];
  }

  /** An MSR by canonical name, alias or hex index ("0x4b564d04", case-insensitive). */
  msr(nameOrIndex: string): MsrRecord | undefined {
    const byName = this.msrByName.get(nameOrIndex);
    if (byName) return byName;
    if (/^0x[0-9a-f]+$/i.test(nameOrIndex)) return this.msrByIndex.get(normaliseHex(nameOrIndex));
    return undefined;
  }

  msrsOfFeature(feature: string): readonly MsrRecord[] {
    return this.msrsByFeature.get(feature) ?? [];
  }

  /** The features that make the guest use an MSR (its gating bits), from either side of the relation. */
  featuresOfMsr(msr: MsrRecord): readonly FeatureRecord[] {
    if (!this.featuresByMsr) {
      this.featuresByMsr = new Map();
      for (const f of this.features) {
        for (const m of this.msrsOfFeature(f.name)) {
          const list = this.featuresByMsr.get(m) ?? [];
          list.push(f);
          this.featuresByMsr.set(m, list);
        }
      }
    }
    return this.featuresByMsr.get(msr) ?? [];
  }

  private featuresByMsr?: Map<MsrRecord, FeatureRecord[]>;

  /** A CPU model by versioned name, plain name or alias. */
  model(name: string): ModelRecord | undefined {
    return this.modelByName.get(name);
  }

  /** A PC machine type's dates (`-machine TYPE`), if QEMU ever defined one of that name. */
  machineType(name: string): { since: string; until: string | null } | undefined {
    return Object.hasOwn(this.machineTypes, name) ? this.machineTypes[name] : undefined;
  }

  release(version: string): ReleaseRecord | undefined {
    return this.releaseByVersion.get(version);
  }

  get newestRelease(): ReleaseRecord {
    return this.releases[this.releases.length - 1];
  }

  /** The known releases just before and just after `version` (either may be missing). */
  releasesAround(version: string): { before?: ReleaseRecord; after?: ReleaseRecord } {
    let before: ReleaseRecord | undefined;
    for (const r of this.releases) {
      if (compareVersions(r.version, version) < 0) before = r;
      else if (compareVersions(r.version, version) > 0) return { before, after: r };
    }
    return { before };
  }

  /**
   * The newest Linux version the KB knows: the newest release of kernels.json when
   * that file exists, else the newest kernel version named anywhere in the KB.
   */
  get newestKernel(): string | undefined {
    if (this.newestKernelCache === undefined) {
      let newest: string | null = null;
      const see = (v: string | null | undefined) => {
        if (v && (!newest || compareVersions(v, newest) > 0)) newest = v;
      };
      if (this.kernels?.releases.length) {
        for (const r of this.kernels.releases) see(r.version);
        for (const l of this.kernels.stableLines) see(l.last);
      } else {
        for (const f of this.features) {
          see(f.kvmSince);
          see(f.kvmUntil);
          for (const v of Object.values(f.kvmSinceByVendor ?? {})) see(v);
          for (const v of f.kvmStable ?? []) see(v);
          for (const b of f.migrationBlocks ?? []) see(b.kernelFrom);
        }
        for (const m of this.msrs) see(m.kvmSince);
        for (const r of this.releases) see(r.minKernel);
      }
      this.newestKernelCache = newest;
    }
    return this.newestKernelCache ?? undefined;
  }

  private newestKernelCache?: string | null;

  /** Mainline Linux releases of kernels.json, oldest first (empty when the file is absent). */
  get mainlineKernels(): readonly string[] {
    if (!this.mainlineCache) this.mainlineCache = (this.kernels?.releases ?? []).map((r) => r.version).sort(compareVersions);
    return this.mainlineCache;
  }

  private mainlineCache?: string[];

  /**
   * A bit's mainline kernel floor for hosts of one vendor (null: vendor-neutral, the
   * later of the vendors' floors). A vendor without its own floor uses `kvmSince`;
   * null when the KB does not know.
   */
  kernelFloor(f: FeatureRecord, vendor: HostVendor | null): string | null {
    const byVendor = f.kvmSinceByVendor;
    // Asked for every enabled bit of every machine checked: no allocation on the way.
    if (!byVendor) return f.kvmSince;
    if (vendor) return vendor in byVendor ? (byVendor[vendor] ?? null) : f.kvmSince;
    const intel = 'intel' in byVendor ? (byVendor.intel ?? null) : f.kvmSince;
    const amd = 'amd' in byVendor ? (byVendor.amd ?? null) : f.kvmSince;
    // kvmSince is by definition the later one; use it when either vendor's floor is unknown.
    if (!intel || !amd) return f.kvmSince;
    return compareVersions(intel, amd) >= 0 ? intel : amd;
  }

  /** The newest known release not newer than `version` (facts of 2.4.1 are those of 2.4). */
  releaseFor(version: string): ReleaseRecord | undefined {
    if (this.releaseForCache.has(version)) return this.releaseForCache.get(version);
    let found: ReleaseRecord | undefined;
    for (const r of this.releases) if (compareVersions(r.version, version) <= 0) found = r;
    if (this.releaseForCache.size >= 4096) this.releaseForCache.clear(); // versions come from user text
    this.releaseForCache.set(version, found);
    return found;
  }

  private readonly releaseForCache = new Map<string, ReleaseRecord | undefined>();

  /** Every spelling users may type for features, for did-you-mean. */
  featureSpellings(): Iterable<string> {
    return this.featureByName.keys();
  }

  modelSpellings(): Iterable<string> {
    return this.modelByName.keys();
  }

  msrSpellings(): Iterable<string> {
    return this.msrByName.keys();
  }

  suggestFeature(name: string): string[] {
    return canonicalise(suggest(name, this.featureSpellings(), 6), (n) => this.feature(n)?.name);
  }

  suggestModel(name: string): string[] {
    return suggest(name, this.modelSpellings(), 3);
  }

  suggestMsr(name: string): string[] {
    return canonicalise(suggest(name, this.msrSpellings(), 6), (n) => this.msr(n)?.name);
  }
}

function canonicalise(names: string[], canon: (n: string) => string | undefined): string[] {
  const out: string[] = [];
  for (const n of names) {
    const c = canon(n) ?? n;
    if (!out.includes(c)) out.push(c);
    if (out.length === 3) break;
  }
  return out;
}

export function normaliseHex(text: string): string {
  return '0x' + BigInt(text).toString(16);
}

function locationKey(f: FeatureRecord): string {
  if (f.leaf === null) return `msr:${f.msrFeatureIndex ?? ''}/${f.bit}`;
  return `${f.leaf}/${f.subleaf ?? ''}/${f.register ?? ''}/${f.bit}`;
}

let shared: KnowledgeBase | undefined;

/** kernels.json is optional: older data sets do not have it. */
function optionalKernels(): KernelsFile | undefined {
  try {
    /* eslint-disable-next-line @typescript-eslint/no-require-imports */
    return require('./data/kernels.json');
  } catch {
    return undefined;
  }
}

/** libvirt.json is optional too. */
function optionalLibvirt(): LibvirtFile | undefined {
  try {
    /* eslint-disable-next-line @typescript-eslint/no-require-imports */
    return require('./data/libvirt.json');
  } catch {
    return undefined;
  }
}

/**
 * The KVM code a host vendor runs: Hygon's is AMD's (SVM), Zhaoxin's Intel's (VMX); null
 * for vendor-neutral models. Accepts the KB's vendor names and the CPUID vendor strings
 * QEMU's model table uses ("GenuineIntel", "AuthenticAMD", "HygonGenuine", "CentaurHauls", "  Shanghai  ").
 */
export function hostVendor(model: ModelRecord | undefined): HostVendor | null {
  const v = model?.vendor?.trim().toLowerCase();
  if (!v) return null;
  if (v === 'intel' || v === 'genuineintel' || v === 'zhaoxin' || v === 'centaurhauls' || v === 'shanghai') return 'intel';
  if (v === 'amd' || v === 'authenticamd' || v === 'hygon' || v === 'hygongenuine') return 'amd';
  return null;
}

/** The bundled knowledge base, loaded on first use. */
export function getKnowledgeBase(): KnowledgeBase {
  if (!shared) {
    // require() inside the function keeps the data out of module start-up.
    /* eslint-disable @typescript-eslint/no-require-imports */
    shared = new KnowledgeBase({
      features: require('./data/features.json'),
      msrs: require('./data/msrs.json'),
      models: require('./data/models.json'),
      releases: require('./data/releases.json'),
      kernels: optionalKernels(),
      libvirt: optionalLibvirt(),
    });
  }
  return shared;
}
