/** One line of documentation and a snippet per keyword (spec §2), shared by hover and completion. */
import type { StatementKeyword } from '../syntax/ast';

export const KEYWORD_DOCS: Record<StatementKeyword | 'machine' | 'extends' | 'for' | 'provides', string> = {
  machine: 'Declares a machine type: `machine NAME [extends BASE] { … }`.',
  extends: "Starts from the base machine's resolved settings; this machine's statements override them.",
  for: '`cpuid for MODEL, … { … }`: edits that apply only to the named CPU models.',
  qemu: 'The QEMU release that provides this machine type; decides the KVM defaults, models and migrated MSRs.',
  'host-kernel': 'Host kernels the machine must run on: `>= MIN` or `MIN .. MAX` (stable point releases count: `4.19.43 .. 4.19.325`); `host-kernel provides BIT…` names backports the fleet\'s kernels carry. Bits some kernel in range lacks are flagged (MT300).',
  provides: '`host-kernel provides BIT…`: bits every host kernel of the fleet carries as a backport (a distribution kernel); accumulates through `extends`.',
  accel: 'Accelerator: `kvm` (default; adds QEMU\'s KVM default bits) or `tcg`.',
  cpu: "Default CPU model; `host` and `max` follow the host's CPU.",
  cpuid: 'CPUID edits for every model: `+bit` whitelists a bit, `-bit` masks it.',
  migrate: "MSRs this machine migrates beyond what its QEMU release migrates.",
  'follows-host': 'Like `pc-next` / `-cpu host`: the machine promises no fixed guest ABI.',
  'tsc-frequency': "The guest's fixed TSC frequency in Hz (QEMU's `tsc-frequency`); from the releases that allow it, lets invtsc migrate (MT201).",
  alias: 'Another name this machine type answers to (not inherited).',
  deprecated: 'Marks the machine type deprecated, with an optional reason (not inherited).',
  description: 'One-line description of the machine type (not inherited).',
  compat: 'A device compat property: `compat DRIVER.PROPERTY = VALUE`; the child wins on the same property.',
};

/** Snippet bodies (LSP snippet syntax) for statement keywords. */
export const KEYWORD_SNIPPETS: Record<StatementKeyword, string> = {
  qemu: 'qemu ${1:9.1}',
  'host-kernel': 'host-kernel >= ${1:5.10}',
  accel: 'accel ${1|kvm,tcg|}',
  cpu: 'cpu ${1:qemu64}',
  cpuid: 'cpuid {\n\t$0\n}',
  migrate: 'migrate ${1:MSR}',
  'follows-host': 'follows-host',
  'tsc-frequency': 'tsc-frequency ${1:2400000000}',
  alias: 'alias ${1:name}',
  deprecated: 'deprecated "${1:reason}"',
  description: 'description "${1}"',
  compat: 'compat ${1:driver}.${2:property} = ${3:value}',
};
