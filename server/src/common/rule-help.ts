/** One paragraph per code: what it means and what to do. Used by SARIF and hover. */
import type { Code } from './diagnostic';

export const RULE_HELP: Record<Code, string> = {
  MT001: 'The line does not follow the .mtype syntax. The rest of the file is still checked.',
  MT002: 'A statement starts with a word that is not a keyword (qemu, host-kernel, accel, cpu, cpuid, migrate, follows-host, alias, deprecated, description, compat).',
  MT003: 'A statement that sets one value (qemu, host-kernel, accel, cpu, follows-host, description, deprecated) appears twice in one machine; the first one counts. Remove the other.',
  MT100: 'The feature name is not a CPUID bit QEMU knows. Check the spelling; the quick fix offers the closest names.',
  MT101: 'The feature is written with another spelling (a QEMU legacy, libvirt or /proc/cpuinfo name). Use the canonical QEMU name so diffs and searches find it.',
  MT102: 'One machine edits the same bit twice, or both whitelists and masks it. The later edit wins; remove the other to say what you mean.',
  MT103: 'An enabled bit needs another bit (e.g. avx2 needs avx) that is not enabled: QEMU will refuse or the guest will misbehave. Whitelist the dependency or mask the bit.',
  MT104: "The machine's QEMU release does not know this feature yet: QEMU would reject the property. Raise qemu or drop the edit.",
  MT110: 'The CPU model is not one QEMU defines.',
  MT111: 'No .mtype file of the workspace defines the base machine type named after extends.',
  MT112: 'Machine types extend each other in a loop; none of them can be resolved.',
  MT113: 'Two definitions share one machine type name; QEMU would register only one of them.',
  MT114: "The CPU model appeared in a later QEMU release than the machine's.",
  MT120: 'The MSR in migrate is not one the knowledge base knows (by name or index).',
  MT121: "The machine's QEMU release already migrates this MSR; the migrate entry is redundant.",
  MT200: 'An enabled CPUID bit makes the guest write a state MSR that the machine\'s QEMU release does not migrate: live migration silently loses guest state. Mask the bit, declare the MSR in migrate (if your QEMU build migrates it), or raise qemu to the first release that migrates it.',
  MT201: 'The bit (e.g. invtsc) blocks live migration: QEMU refuses to migrate a guest that has it. Mask it, or mark the machine follows-host if it never migrates.',
  MT202: 'The machine declares it migrates an MSR that KVM cannot save or restore on the oldest allowed host kernel. Raise host-kernel, or remove the entry.',
  MT300: 'An enabled bit needs a newer KVM than the oldest host kernel allowed (or KVM dropped it before the newest): on such hosts the bit disappears and the guest ABI differs between hosts. Mask the bit or raise host-kernel.',
  MT301: 'cpu host / max pass the host CPU through, so the guest ABI depends on the host. Mark the machine follows-host, or pin a named CPU model.',
  MT302: "These bits reach the guest only because QEMU's KVM defaults turn them on, not because the machine whitelists them. Whitelist them so the machine's CPUID does not change when the defaults do.",
  MT400: 'A deprecated CPU model, feature or machine type is in use; QEMU may remove it.',
  MT500: 'The same compat property is set twice in one machine; the later value wins.',
};
