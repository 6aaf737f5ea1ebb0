/** Seed files for mutation: the repository's examples, the bad-file corpus, and a few built-ins. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

export const BUILTIN_SEEDS: readonly string[] = [
  `machine pc-1.3 {
  qemu 1.3
  host-kernel >= 3.2   # flagged: kvm-pv-eoi needs Linux 3.6
  cpu qemu64
  cpuid {
    +kvmclock
    +x2apic
    -kvm-steal-time
  }
  cpuid for Opteron_G2, Opteron_G3 { +rdtscp }
  compat e1000.autonegotiation = off
}

machine pc-1.2 extends pc-1.3 {
  qemu 1.2
  cpuid -kvm-pv-eoi
}

machine pc-next {
  follows-host
  cpu host
}
`,
  'machine a extends b {\r\n\tqemu 2.12\r\n\thost-kernel 3.10 .. 5.4\r\n\tmigrate { MSR_KVM_PV_EOI_EN, 0x6e0 }\r\n}\r\nmachine b extends a { accel tcg }\r\n',
  'machine d {\n  description "a \\"quoted\\" text"\n  deprecated "old"\n  alias dd\n  cpu Haswell # mtype-ignore: MT114\n  cpuid +avx2 -avx +avx2\n  compat virtio-net.mq = "on"\n  compat virtio-net.mq = off\n}\n',
];

/** Every `*.mtype` file directly in the given folders (missing folders are skipped). */
export function readSeedFolders(folders: readonly string[]): string[] {
  const out: string[] = [];
  for (const dir of folders) {
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir).sort()) if (name.endsWith('.mtype')) out.push(readFileSync(join(dir, name), 'utf8'));
  }
  return out;
}

/** Seeds of a repository checkout: examples/, test/fuzz/corpus/, then the built-ins. */
export function repositorySeeds(root: string): string[] {
  return [...readSeedFolders([join(root, 'examples'), join(root, 'test/fuzz/corpus')]), ...BUILTIN_SEEDS];
}
