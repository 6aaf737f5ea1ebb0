/**
 * The syntax tree of one .mtype file. Every node has the exact span of its text;
 * nodes that could not be completed are still produced with what was present, so
 * later stages see as much of a broken file as possible.
 */
import type { Span } from '../common/text';
import type { Comment } from './lexer';

export interface Name extends Span {
  text: string;
}

export interface StringLiteral extends Span {
  value: string;
}

interface StatementBase extends Span {
  /** The statement's keyword (`qemu`, `cpuid`, …). */
  keyword: Name;
}

export interface QemuStatement extends StatementBase {
  kind: 'qemu';
  version?: Name;
}

export interface HostKernelStatement extends StatementBase {
  kind: 'host-kernel';
  /** `host-kernel >= MIN` or `host-kernel MIN .. MAX`. */
  form: 'min' | 'range';
  min?: Name;
  max?: Name;
}

/** `host-kernel provides FEATURE+`: bits the fleet's kernels carry as backports (accumulates through extends). */
export interface HostKernelProvidesStatement extends StatementBase {
  kind: 'host-kernel-provides';
  /** The `provides` word after `host-kernel`. */
  provides: Name;
  features: Name[];
}

/** `tsc-frequency WORD`: the guest's fixed TSC frequency (QEMU's tsc-frequency property). */
export interface TscFrequencyStatement extends StatementBase {
  kind: 'tsc-frequency';
  value?: Name;
}

export interface AccelStatement extends StatementBase {
  kind: 'accel';
  value?: Name;
}

export interface CpuStatement extends StatementBase {
  kind: 'cpu';
  model?: Name;
}

export interface Edit extends Span {
  sign: '+' | '-';
  feature: Name;
}

/** Where an edit's sign is: its first character (not stored: a workspace holds tens of thousands of edits). */
export function signSpan(e: Edit): Span {
  return { start: e.start, end: e.start + 1 };
}

export interface Block extends Span {
  open: Span;
  /** Missing when the block was never closed. */
  close?: Span;
}

export interface CpuidStatement extends StatementBase {
  kind: 'cpuid';
  /** Models named after `for`; empty for edits that apply to every model. */
  models: Name[];
  /** The `for` keyword, when present. */
  forKeyword?: Name;
  edits: Edit[];
  block?: Block;
}

export interface MigrateStatement extends StatementBase {
  kind: 'migrate';
  msrs: Name[];
  block?: Block;
}

export interface FollowsHostStatement extends StatementBase {
  kind: 'follows-host';
}

export interface AliasStatement extends StatementBase {
  kind: 'alias';
  name?: Name;
}

export interface DeprecatedStatement extends StatementBase {
  kind: 'deprecated';
  reason?: StringLiteral;
}

export interface DescriptionStatement extends StatementBase {
  kind: 'description';
  text?: StringLiteral;
}

export interface CompatStatement extends StatementBase {
  kind: 'compat';
  driver?: Name;
  property?: Name;
  value?: Name | StringLiteral;
}

export type Statement =
  | QemuStatement
  | HostKernelStatement
  | HostKernelProvidesStatement
  | TscFrequencyStatement
  | AccelStatement
  | CpuStatement
  | CpuidStatement
  | MigrateStatement
  | FollowsHostStatement
  | AliasStatement
  | DeprecatedStatement
  | DescriptionStatement
  | CompatStatement;

export type StatementKind = Statement['kind'];

/** The words that start a statement (`host-kernel` starts two kinds: a range and `provides`). */
export type StatementKeyword = Exclude<StatementKind, 'host-kernel-provides'>;

export const STATEMENT_KEYWORDS: readonly StatementKeyword[] = [
  'qemu',
  'host-kernel',
  'accel',
  'cpu',
  'cpuid',
  'migrate',
  'follows-host',
  'tsc-frequency',
  'alias',
  'deprecated',
  'description',
  'compat',
];

/** Statements that set one value; repeating them in a machine is MT003. */
export const SCALAR_KEYWORDS: ReadonlySet<StatementKind> = new Set([
  'qemu',
  'host-kernel',
  'accel',
  'cpu',
  'follows-host',
  'tsc-frequency',
  'description',
  'deprecated',
]);

export interface MachineDecl extends Span {
  keyword: Name;
  name?: Name;
  extendsKeyword?: Name;
  base?: Name;
  body?: Block;
  statements: Statement[];
}

export interface SyntaxDiagnostic extends Span {
  code: 'MT001' | 'MT002';
  message: string;
  /** For MT002: the unknown word, so a fix can suggest a keyword. */
  word?: string;
  /** For MT002: the keywords valid at that place. */
  expected?: readonly string[];
}

/**
 * A stretch of the file parsed on its own: from a line whose first word is `machine`
 * (or from the start of the file) to the next such line. Nothing the parser does
 * crosses such a line, so each region parses alone and a syntax error stays inside
 * its region; the incremental parser (syntax/reparse.ts) re-parses only the regions
 * an edit touches and keeps the others.
 */
export interface Region extends Span {
  /** Usually one; more when further `machine` declarations follow on the same line. */
  machines: MachineDecl[];
  comments: Comment[];
  diagnostics: SyntaxDiagnostic[];
}

export interface SyntaxTree {
  text: string;
  machines: MachineDecl[];
  comments: Comment[];
  diagnostics: SyntaxDiagnostic[];
  /** Consecutive, covering the whole text; the arrays above are their concatenation. */
  regions: Region[];
  /** Unique per tree, so a later tree can say which one it was parsed from. */
  serial: number;
  /** The edits that led here from earlier trees (syntax/reparse.ts), oldest first; a few at most. */
  changes: readonly TreeChange[];
}

/**
 * One reparse: the tree it started from, and where the text changed. Offsets
 * before `at` are unchanged; offsets after the changed stretch `[at, end)` of the new
 * text moved by the edit's length, and by `lineDelta` lines.
 */
export interface TreeChange {
  from: number;
  at: number;
  end: number;
  lineDelta: number;
  /**
   * Which regions were parsed again: `removed` regions of the old tree from index
   * `index` on were replaced by `added` new ones; every other region is the same
   * object, moved. Absent when a region outside that stretch changed too.
   */
  regions?: { index: number; removed: number; added: number };
}
