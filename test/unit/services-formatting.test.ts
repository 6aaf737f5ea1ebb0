/** Formatting: canonical layout, comments and blank lines kept, idempotent, never loses text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseDocument } from '../../server/src/model/document';
import { applyEdits } from '../../server/src/fixes/apply';
import { formatDocument } from '../../server/src/services/formatting';

function format(text: string): string {
  return applyEdits(text, formatDocument(parseDocument('a.mtype', text)));
}

test('indentation, spacing and one statement per line', () => {
  const messy = 'machine   pc-1.3   extends  base{ qemu 1.3\n\t  host-kernel>=3.2\n cpu qemu64 }\n';
  assert.equal(format(messy), 'machine pc-1.3 extends base {\n  qemu 1.3\n  host-kernel >= 3.2\n  cpu qemu64\n}\n');
});

test('multi-line cpuid blocks get one edit per line; one-line blocks stay on one line', () => {
  const text = 'machine m {\ncpuid {   +a  +b\n -c }\n  cpuid for X ,Y {+d   -e}\n    migrate {\nMSR_A, MSR_B\n}\n}\n';
  assert.equal(format(text), 'machine m {\n  cpuid {\n    +a\n    +b\n    -c\n  }\n  cpuid for X, Y { +d -e }\n  migrate {\n    MSR_A,\n    MSR_B\n  }\n}\n');
});

test('comments stay in place; blank lines are kept, runs collapsed to one', () => {
  const text = '# header\n\n\n\nmachine m {   # the machine\n    # own line\n  qemu 1.3     # trailing\n\n\n\n  cpuid {\n    +a # why a\n  }\n}\n\n\n';
  assert.equal(format(text), '# header\n\nmachine m { # the machine\n  # own line\n  qemu 1.3 # trailing\n\n  cpuid {\n    +a # why a\n  }\n}\n');
});

test('a machine brace on the next line joins the header, unless a comment is in the way', () => {
  assert.equal(format('machine m\n{\n  qemu 1.3\n}\n'), 'machine m {\n  qemu 1.3\n}\n');
  assert.equal(format('machine m # note\n{\n  qemu 1.3\n}\n'), 'machine m # note\n{\n  qemu 1.3\n}\n');
});

test('idempotent, and CRLF files stay CRLF', () => {
  const samples = [
    'machine a{qemu 1.3\ncpuid { +x\n-y }}\nmachine b extends a {   }\n',
    'machine a {\r\n    qemu 1.3\r\n\r\n\r\n  cpuid +x -y # c\r\n}\r\n',
    '# only a comment',
    '',
  ];
  for (const s of samples) {
    const once = format(s);
    assert.equal(format(once), once, JSON.stringify(s));
    assert.deepEqual(formatDocument(parseDocument('a.mtype', once)), []);
  }
  assert.equal(format(samples[1]), 'machine a {\r\n  qemu 1.3\r\n\r\n  cpuid +x -y # c\r\n}\r\n');
});

test('files with syntax errors are left alone', () => {
  for (const broken of ['machine m {\n  qemu\n}\n', 'machine m {\n  cpuid +x\n', 'machine m {\n  bogus 1\n}\n', 'machine m {\n  cpuid +x $$\n}\n']) {
    assert.deepEqual(formatDocument(parseDocument('a.mtype', broken)), [], broken);
  }
});

test('host-kernel provides and tsc-frequency format like other statements', () => {
  assert.equal(format('machine m {\n host-kernel   provides  md-clear ,kvm-pv-ipi\n\ttsc-frequency    2400000000\n}\n'), 'machine m {\n  host-kernel provides md-clear, kvm-pv-ipi\n  tsc-frequency 2400000000\n}\n');
});
