/**
 * Diagnostics as the engine produces them: LSP-shaped (so the adapters pass them
 * through), but defined here so nothing below the adapters depends on LSP.
 */
import type { Range, Span } from './text';

export type Severity = 'error' | 'warning' | 'information' | 'hint';
export type SeveritySetting = Severity | 'off';

export const CODES = {
  MT001: { severity: 'error', title: 'Syntax error' },
  MT002: { severity: 'error', title: 'Unknown statement keyword' },
  MT003: { severity: 'warning', title: 'Scalar statement repeated in one machine' },
  MT004: { severity: 'warning', title: 'Unknown QEMU release or kernel version' },
  MT005: { severity: 'error', title: 'Empty host-kernel range' },
  MT100: { severity: 'error', title: 'Unknown CPUID feature' },
  MT101: { severity: 'warning', title: 'Non-canonical feature spelling' },
  MT102: { severity: 'warning', title: 'Feature edited twice in one machine' },
  MT103: { severity: 'warning', title: 'Enabled bit needs a bit that is not enabled' },
  MT104: { severity: 'error', title: "Feature unknown to the machine's QEMU release" },
  MT110: { severity: 'error', title: 'Unknown CPU model' },
  MT111: { severity: 'error', title: 'Unknown base machine type' },
  MT112: { severity: 'error', title: 'Inheritance cycle' },
  MT113: { severity: 'error', title: 'Machine type defined twice' },
  MT114: { severity: 'error', title: "CPU model not in the machine's QEMU release" },
  MT120: { severity: 'error', title: 'Unknown MSR in migrate' },
  MT121: { severity: 'hint', title: 'MSR already migrated by the QEMU release' },
  MT200: { severity: 'error', title: 'Unmigrated MSR' },
  MT201: { severity: 'error', title: 'Bit blocks live migration' },
  MT202: { severity: 'error', title: 'Migrated MSR some host kernel cannot restore' },
  MT300: { severity: 'error', title: 'Host-kernel-dependent bit' },
  MT301: { severity: 'error', title: 'CPUID follows the host' },
  MT302: { severity: 'information', title: "Bits only from QEMU's KVM defaults" },
  MT303: { severity: 'information', title: 'Facts the knowledge base does not know' },
  MT400: { severity: 'hint', title: 'Deprecated model, feature or machine type' },
  MT500: { severity: 'warning', title: 'Compat property set twice' },
} as const satisfies Record<string, { severity: Severity; title: string }>;

export type Code = keyof typeof CODES;

export function isCode(text: string): text is Code {
  return Object.prototype.hasOwnProperty.call(CODES, text);
}

/** A quick fix, described by intent; `fixes/` turns it into text edits. */
export type FixIntent =
  | { kind: 'replace'; title: string; span: Span; text: string; preferred?: boolean }
  | { kind: 'remove'; title: string; span: Span; preferred?: boolean }
  | { kind: 'whitelist'; title: string; machine: string; features: string[]; preferred?: boolean }
  | { kind: 'mask'; title: string; machine: string; features: string[]; preferred?: boolean }
  | { kind: 'set-kernel'; title: string; machine: string; min: string; preferred?: boolean }
  | { kind: 'set-qemu'; title: string; machine: string; version: string; preferred?: boolean }
  | { kind: 'add-migrate'; title: string; machine: string; msr: string; preferred?: boolean }
  | { kind: 'add-provides'; title: string; machine: string; features: string[]; preferred?: boolean }
  | { kind: 'add-statement'; title: string; machine: string; text: string; preferred?: boolean };

export interface RelatedInfo {
  uri: string;
  span: Span;
  message: string;
}

/**
 * What a finding is about, so that the findings one statement causes along an
 * `extends` chain can be told apart from other findings: the statement that brings
 * the bit in (its `Origin`, one object per syntax node, shared by every machine that
 * inherits it) and what of it (a bit, `bit>dependency`, a bit and a release…).
 */
export interface Cause {
  origin: object;
  subject: string;
}

/** The cause of a finding, when the statement behind it is known. */
export function causeAt(origin: object | undefined, subject: string): Cause | undefined {
  return origin ? { origin, subject } : undefined;
}

/** What a check reports: spans in the checked document. */
export interface Finding {
  code: Code;
  message: string;
  span: Span;
  related?: RelatedInfo[];
  cause?: Cause;
  fixes?: FixIntent[];
  tags?: Array<'unnecessary' | 'deprecated'>;
}

/** A finding placed in its document, with its final severity. */
export interface Diagnostic {
  code: Code;
  severity: Severity;
  message: string;
  range: Range;
  span: Span;
  related?: Array<{ uri: string; range: Range; message: string }>;
  fixes?: FixIntent[];
  tags?: Array<'unnecessary' | 'deprecated'>;
}

export type SeverityOverrides = Partial<Record<Code, SeveritySetting>>;
