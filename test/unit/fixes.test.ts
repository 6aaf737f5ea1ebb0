/** Quick-fix edits: minimal, layout- and comment-preserving, and the file still parses. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyEdits, editsForFix } from '../../server/src/fixes/apply';
import { parseDocument } from '../../server/src/model/document';
import type { FixIntent } from '../../server/src/common/diagnostic';
import { miniKb } from './helpers/mini-kb';

const kb = miniKb();

function fix(text: string, intent: FixIntent): string {
  const doc = parseDocument('a.mtype', text);
  const out = applyEdits(text, editsForFix(doc, intent, kb));
  assert.deepEqual(parseDocument('a.mtype', out).tree.diagnostics, [], `result parses:\n${out}`);
  return out;
}

test('whitelist into an existing multi-line block keeps its indentation and comments', () => {
  const text = 'machine m {\n    qemu 2.0\n    cpuid {\n        +kvmclock   # clock\n    }\n}\n';
  assert.equal(
    fix(text, { kind: 'whitelist', title: '', machine: 'm', features: ['x2apic', 'kvm-pv-eoi'] }),
    'machine m {\n    qemu 2.0\n    cpuid {\n        +kvmclock   # clock\n        +x2apic\n        +kvm-pv-eoi\n    }\n}\n',
  );
});

test('whitelist creates cpuid { } where there is none, after the last statement', () => {
  const text = 'machine m {\n  qemu 2.0 # why\n}\n';
  assert.equal(fix(text, { kind: 'whitelist', title: '', machine: 'm', features: ['x2apic'] }), 'machine m {\n  qemu 2.0 # why\n  cpuid { +x2apic }\n}\n');
  const two = fix(text, { kind: 'whitelist', title: '', machine: 'm', features: ['x2apic', 'kvmclock'] });
  assert.equal(two, 'machine m {\n  qemu 2.0 # why\n  cpuid {\n    +x2apic\n    +kvmclock\n  }\n}\n');
});

test('whitelist flips the machine\'s own mask instead of adding a conflicting edit', () => {
  const text = 'machine m {\n  cpuid -x2apic -kvmclock\n}\n';
  assert.equal(fix(text, { kind: 'whitelist', title: '', machine: 'm', features: ['x2apic'] }), 'machine m {\n  cpuid +x2apic -kvmclock\n}\n');
});

test('mask flips an own +bit, or appends -bit to a one-line cpuid', () => {
  assert.equal(fix('machine m {\n  cpuid +kvm_pv_eoi\n}\n', { kind: 'mask', title: '', machine: 'm', features: ['kvm-pv-eoi'] }), 'machine m {\n  cpuid -kvm_pv_eoi\n}\n');
  assert.equal(fix('machine m {\n  cpuid +kvmclock\n}\n', { kind: 'mask', title: '', machine: 'm', features: ['kvm-pv-eoi'] }), 'machine m {\n  cpuid +kvmclock -kvm-pv-eoi\n}\n');
  assert.equal(fix('machine m { cpuid { +a } }\n', { kind: 'mask', title: '', machine: 'm', features: ['x2apic'] }), 'machine m { cpuid { +a -x2apic } }\n');
});

test('raise host-kernel: replace the version, or insert after the scalars', () => {
  assert.equal(fix('machine m {\n  host-kernel >= 3.2 # old\n}\n', { kind: 'set-kernel', title: '', machine: 'm', min: '3.6' }), 'machine m {\n  host-kernel >= 3.6 # old\n}\n');
  assert.equal(fix('machine m {\n  host-kernel 3.2..4.4\n}\n', { kind: 'set-kernel', title: '', machine: 'm', min: '3.6' }), 'machine m {\n  host-kernel 3.6..4.4\n}\n');
  assert.equal(
    fix('machine m {\n  qemu 1.3\n  cpuid +x\n}\n', { kind: 'set-kernel', title: '', machine: 'm', min: '3.6' }),
    'machine m {\n  qemu 1.3\n  host-kernel >= 3.6\n  cpuid +x\n}\n',
  );
});

test('raise qemu: replace, or insert as the first statement', () => {
  assert.equal(fix('machine m {\n  qemu 1.1\n}\n', { kind: 'set-qemu', title: '', machine: 'm', version: '1.3' }), 'machine m {\n  qemu 1.3\n}\n');
  assert.equal(fix('machine m {\n  cpu qemu64\n}\n', { kind: 'set-qemu', title: '', machine: 'm', version: '1.3' }), 'machine m {\n  qemu 1.3\n  cpu qemu64\n}\n');
});

test('declare migrate: extend an existing list or add a statement', () => {
  assert.equal(fix('machine m {\n  migrate A\n}\n', { kind: 'add-migrate', title: '', machine: 'm', msr: 'B' }), 'machine m {\n  migrate A B\n}\n');
  assert.equal(fix('machine m {\n  migrate {\n    A\n  }\n}\n', { kind: 'add-migrate', title: '', machine: 'm', msr: 'B' }), 'machine m {\n  migrate {\n    A\n    B\n  }\n}\n');
  assert.equal(fix('machine m {\n  qemu 1.1\n}\n', { kind: 'add-migrate', title: '', machine: 'm', msr: 'B' }), 'machine m {\n  qemu 1.1\n  migrate B\n}\n');
});

test('remove: whole line, mid-line with comma, the only edit of a one-line cpuid, keep trailing comments', () => {
  const t1 = 'machine m {\n  qemu 1.1\n  qemu 1.2\n}\n';
  assert.equal(fix(t1, { kind: 'remove', title: '', span: { start: t1.indexOf('qemu 1.2'), end: t1.indexOf('qemu 1.2') + 8 } }), 'machine m {\n  qemu 1.1\n}\n');
  const t2 = 'machine m {\n  migrate A, B\n}\n';
  assert.equal(fix(t2, { kind: 'remove', title: '', span: { start: t2.indexOf('A'), end: t2.indexOf('A') + 1 } }), 'machine m {\n  migrate B\n}\n');
  const t3 = 'machine m {\n  cpuid +a\n  cpuid +a # dup\n}\n';
  const at = t3.lastIndexOf('+a');
  assert.equal(fix(t3, { kind: 'remove', title: '', span: { start: at, end: at + 2 } }), 'machine m {\n  cpuid +a\n   # dup\n}\n'.replace('   # dup', '  # dup'));
});

test('CRLF files get CRLF lines', () => {
  const text = 'machine m {\r\n  qemu 2.0\r\n}\r\n';
  assert.equal(fix(text, { kind: 'add-statement', title: '', machine: 'm', text: 'follows-host' }), 'machine m {\r\n  qemu 2.0\r\n  follows-host\r\n}\r\n');
});
