/**
 * What is under the cursor: the syntax node at an offset, classified by the role
 * its word plays (feature, MSR, model, machine name, …). Hover, navigation and
 * rename all start here, so they agree on what a word means.
 */
import { spanContains } from '../common/text';
import type { ParsedDocument } from '../model/document';
import type { Edit, MachineDecl, Name, Statement } from '../syntax/ast';
import type { MachineRef } from '../model/resolve';

export type Located =
  | { kind: 'feature'; name: Name; edit: Edit; machine: MachineDecl; statement: Statement }
  | { kind: 'provided-feature'; name: Name; machine: MachineDecl }
  | { kind: 'msr'; name: Name; machine: MachineDecl }
  | { kind: 'model'; name: Name; machine: MachineDecl }
  | { kind: 'machine'; name: Name; machine: MachineDecl; role: 'declaration' | 'base' | 'alias' }
  | { kind: 'keyword'; name: Name; machine: MachineDecl }
  | { kind: 'qemu-version'; name: Name; machine: MachineDecl }
  | { kind: 'kernel-version'; name: Name; machine: MachineDecl };

/** The machine whose text contains the offset (its header or body). */
export function machineAt(doc: ParsedDocument, offset: number): MachineDecl | undefined {
  return doc.tree.machines.find((m) => spanContains(m, offset));
}

export function locate(doc: ParsedDocument, offset: number): Located | undefined {
  const machine = machineAt(doc, offset);
  if (!machine) return undefined;
  const on = (n: Name | undefined): n is Name => !!n && spanContains(n, offset);
  if (on(machine.keyword) || on(machine.extendsKeyword)) return { kind: 'keyword', name: (on(machine.keyword) ? machine.keyword : machine.extendsKeyword)!, machine };
  if (on(machine.name)) return { kind: 'machine', name: machine.name, machine, role: 'declaration' };
  if (on(machine.base)) return { kind: 'machine', name: machine.base, machine, role: 'base' };
  const statement = machine.statements.find((s) => spanContains(s, offset));
  if (!statement) return undefined;
  if (on(statement.keyword)) return { kind: 'keyword', name: statement.keyword, machine };
  switch (statement.kind) {
    case 'qemu':
      return on(statement.version) ? { kind: 'qemu-version', name: statement.version, machine } : undefined;
    case 'host-kernel':
      if (on(statement.min)) return { kind: 'kernel-version', name: statement.min, machine };
      return on(statement.max) ? { kind: 'kernel-version', name: statement.max, machine } : undefined;
    case 'host-kernel-provides': {
      if (on(statement.provides)) return { kind: 'keyword', name: statement.provides, machine };
      const feature = statement.features.find(on);
      return feature ? { kind: 'provided-feature', name: feature, machine } : undefined;
    }
    case 'cpu':
      return on(statement.model) ? { kind: 'model', name: statement.model, machine } : undefined;
    case 'alias':
      return on(statement.name) ? { kind: 'machine', name: statement.name, machine, role: 'alias' } : undefined;
    case 'migrate': {
      const msr = statement.msrs.find(on);
      return msr ? { kind: 'msr', name: msr, machine } : undefined;
    }
    case 'cpuid': {
      if (on(statement.forKeyword)) return { kind: 'keyword', name: statement.forKeyword, machine };
      const model = statement.models.find(on);
      if (model) return { kind: 'model', name: model, machine };
      const edit = statement.edits.find((e) => spanContains(e, offset));
      return edit ? { kind: 'feature', name: edit.feature, edit, machine, statement } : undefined;
    }
    default:
      return undefined;
  }
}

/** The workspace reference of a declaration in a document, when it has a name. */
export function refOf(doc: ParsedDocument, decl: MachineDecl): MachineRef | undefined {
  return decl.name ? { doc, decl, name: decl.name.text } : undefined;
}
