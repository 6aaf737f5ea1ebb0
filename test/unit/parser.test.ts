import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../server/src/syntax/parser';
import { lex } from '../../server/src/syntax/lexer';
import { LineIndex } from '../../server/src/common/text';
import { signSpan, type Statement, type SyntaxTree } from '../../server/src/syntax/ast';

/** The text a span covers. */
const at = (tree: SyntaxTree, span: { start: number; end: number }) => tree.text.slice(span.start, span.end);
const statements = (tree: SyntaxTree, i = 0) => tree.machines[i].statements;
function only<K extends Statement['kind']>(tree: SyntaxTree, kind: K): Extract<Statement, { kind: K }> {
  const found = statements(tree).filter((s) => s.kind === kind);
  assert.equal(found.length, 1, `one ${kind} statement`);
  return found[0] as Extract<Statement, { kind: K }>;
}
const codes = (tree: SyntaxTree) => tree.diagnostics.map((d) => d.code);

test('lexer: words keep dots and dashes, but stop before ..', () => {
  const { tokens } = lex('+kvm-pv-eoi sse4.1 3.2..4.19 0x4b564d04');
  assert.deepEqual(
    tokens.filter((t) => t.kind !== 'eof').map((t) => [t.kind, t.text]),
    [['+', '+'], ['word', 'kvm-pv-eoi'], ['word', 'sse4.1'], ['word', '3.2'], ['..', '..'], ['word', '4.19'], ['word', '0x4b564d04']],
  );
});

test('lexer: strings decode \\" and \\\\, comments are kept with ownLine', () => {
  const { tokens, comments } = lex('description "a \\"b\\" \\\\ c" # tail\n# own line');
  const s = tokens.find((t) => t.kind === 'string')!;
  assert.equal(s.value, 'a "b" \\ c');
  assert.deepEqual(comments.map((c) => [c.body, c.ownLine]), [[' tail', false], [' own line', true]]);
});

test('machine header: name, extends, braces, exact ranges', () => {
  const tree = parse('machine pc-1.2 extends pc-1.3 {\n}\n');
  assert.deepEqual(tree.diagnostics, []);
  const m = tree.machines[0];
  assert.equal(at(tree, m.name!), 'pc-1.2');
  assert.equal(at(tree, m.base!), 'pc-1.3');
  assert.deepEqual([m.name!.start, m.name!.end, m.base!.start, m.base!.end], [8, 14, 23, 29]);
  assert.equal(at(tree, m.body!.open), '{');
  assert.equal(at(tree, m.body!.close!), '}');
  assert.equal(at(tree, m), tree.text.trimEnd());
});

test('brace on the next line is accepted', () => {
  const tree = parse('machine a\n{\n  qemu 2.0\n}\n');
  assert.deepEqual(tree.diagnostics, []);
  assert.equal(only(tree, 'qemu').version!.text, '2.0');
});

test('every scalar statement', () => {
  const tree = parse(
    'machine m {\n  qemu 1.3\n  host-kernel >= 3.2\n  accel kvm\n  cpu qemu64\n  follows-host\n  alias pc\n  deprecated "use pc-2.0"\n  description "The \\"m\\" type"\n}\n',
  );
  assert.deepEqual(tree.diagnostics, []);
  assert.equal(at(tree, only(tree, 'qemu')), 'qemu 1.3');
  const hk = only(tree, 'host-kernel');
  assert.equal(hk.form, 'min');
  assert.equal(at(tree, hk.min!), '3.2');
  assert.equal(at(tree, hk), 'host-kernel >= 3.2');
  assert.equal(only(tree, 'accel').value!.text, 'kvm');
  assert.equal(at(tree, only(tree, 'cpu').model!), 'qemu64');
  assert.equal(at(tree, only(tree, 'follows-host')), 'follows-host');
  assert.equal(only(tree, 'alias').name!.text, 'pc');
  assert.equal(only(tree, 'deprecated').reason!.value, 'use pc-2.0');
  assert.equal(only(tree, 'description').text!.value, 'The "m" type');
});

test('host-kernel range form', () => {
  const tree = parse('machine m {\n  host-kernel 3.10..5.4\n}\n');
  assert.deepEqual(tree.diagnostics, []);
  const hk = only(tree, 'host-kernel');
  assert.equal(hk.form, 'range');
  assert.equal(at(tree, hk.min!), '3.10');
  assert.equal(at(tree, hk.max!), '5.4');
  const spaced = parse('machine m {\n  host-kernel 2.6.32 .. 4.19\n}\n');
  assert.deepEqual(spaced.diagnostics, []);
  assert.equal(only(spaced, 'host-kernel').max!.text, '4.19');
});

test('deprecated without a reason', () => {
  const tree = parse('machine m {\n  deprecated\n}\n');
  assert.deepEqual(tree.diagnostics, []);
  assert.equal(only(tree, 'deprecated').reason, undefined);
});

test('cpuid: one-line edits, block edits, signs and feature ranges', () => {
  const tree = parse('machine m {\n  cpuid +x2apic -kvm-steal-time\n  cpuid {\n    +kvmclock\n    -sse4.1 +pclmulqdq\n  }\n}\n');
  assert.deepEqual(tree.diagnostics, []);
  const [line, block] = statements(tree) as Array<Extract<Statement, { kind: 'cpuid' }>>;
  assert.deepEqual(line.edits.map((e) => e.sign + e.feature.text), ['+x2apic', '-kvm-steal-time']);
  assert.equal(line.block, undefined);
  assert.equal(at(tree, line.edits[1]), '-kvm-steal-time');
  assert.equal(at(tree, signSpan(line.edits[1])), '-');
  assert.deepEqual(block.edits.map((e) => e.sign + e.feature.text), ['+kvmclock', '-sse4.1', '+pclmulqdq']);
  assert.equal(at(tree, block.block!.open), '{');
  assert.ok(block.block!.close);
  assert.equal(block.models.length, 0);
});

test('cpuid for: models with and without commas', () => {
  const tree = parse('machine m {\n  cpuid for Opteron_G2, Opteron_G3 Opteron_G4 { +rdtscp }\n}\n');
  assert.deepEqual(tree.diagnostics, []);
  const s = only(tree, 'cpuid');
  assert.deepEqual(s.models.map((m) => m.text), ['Opteron_G2', 'Opteron_G3', 'Opteron_G4']);
  assert.equal(at(tree, s.forKeyword!), 'for');
  assert.equal(at(tree, s.edits[0]), '+rdtscp');
});

test('migrate: names and hex indexes, one-line and block', () => {
  const tree = parse('machine m {\n  migrate MSR_KVM_PV_EOI_EN 0x4b564d03\n  migrate {\n    IA32_TSC_DEADLINE,\n    0x48\n  }\n  migrate { }\n}\n');
  assert.deepEqual(tree.diagnostics, []);
  const [a, b, c] = statements(tree) as Array<Extract<Statement, { kind: 'migrate' }>>;
  assert.deepEqual(a.msrs.map((m) => m.text), ['MSR_KVM_PV_EOI_EN', '0x4b564d03']);
  assert.deepEqual(b.msrs.map((m) => m.text), ['IA32_TSC_DEADLINE', '0x48']);
  assert.ok(b.block?.close);
  assert.deepEqual(c.msrs, []);
});

test('compat: driver.property = word | string', () => {
  const tree = parse('machine m {\n  compat e1000.autonegotiation = off\n  compat virtio-net-pci.romfile = "efi-virtio.rom"\n}\n');
  assert.deepEqual(tree.diagnostics, []);
  const [a, b] = statements(tree) as Array<Extract<Statement, { kind: 'compat' }>>;
  assert.equal(at(tree, a.driver!), 'e1000');
  assert.equal(at(tree, a.property!), 'autonegotiation');
  assert.equal(at(tree, a.value!), 'off');
  assert.equal((b.value as { value: string }).value, 'efi-virtio.rom');
});

test('several machines, comments anywhere, empty files', () => {
  assert.deepEqual(parse('').machines, []);
  assert.deepEqual(parse('').diagnostics, []);
  assert.deepEqual(parse('# only a comment\n').diagnostics, []);
  const tree = parse('# header\nmachine a { } # trailing\n\nmachine b extends a {\n  # inside\n  qemu 2.0 # why\n}\n');
  assert.deepEqual(tree.diagnostics, []);
  assert.deepEqual(tree.machines.map((m) => m.name!.text), ['a', 'b']);
  assert.equal(tree.comments.length, 4);
});

test('CRLF, tabs, BOM and non-ASCII keep exact positions', () => {
  const text = '\uFEFFmachine a {\r\n\tqemu 2.0 # café ☕\r\n\tdescription "Größe 😀"\r\n}\r\n';
  const tree = parse(text);
  assert.deepEqual(tree.diagnostics, []);
  const q = only(tree, 'qemu');
  const lines = new LineIndex(text);
  assert.deepEqual(lines.positionAt(q.version!.start), { line: 1, character: 6 });
  assert.equal(only(tree, 'description').text!.value, 'Größe 😀');
});

// ---- error paths ----------------------------------------------------------

test('MT002: unknown statement keyword, one diagnostic, the rest still parsed', () => {
  const tree = parse('machine m {\n  qemu 2.0\n  cpuidd +x2apic\n  cpu qemu64\n}\n');
  assert.deepEqual(codes(tree), ['MT002']);
  const d = tree.diagnostics[0];
  assert.equal(at(tree, d), 'cpuidd');
  assert.equal(d.word, 'cpuidd');
  assert.deepEqual(statements(tree).map((s) => s.kind), ['qemu', 'cpu']);
});

test('MT002 at top level; a bad line that opens a block is skipped whole', () => {
  const tree = parse('machin a {\n  qemu 1.0\n}\nmachine b {\n  qemu 2.0\n}\n');
  assert.deepEqual(codes(tree), ['MT002']);
  assert.equal(at(tree, tree.diagnostics[0]), 'machin');
  assert.deepEqual(tree.machines.map((m) => m.name!.text), ['b']);
});

const oneError: Array<[string, string, string, RegExp]> = [
  ['machine name missing', 'machine {\n}\n', '{', /machine name/],
  ['base missing', 'machine a extends {\n}\n', '{', /base machine name/],
  ['opening brace missing', 'machine a\n  qemu 1.0\n', '', /expected '\{'/],
  ['qemu version missing', 'machine a {\n  qemu\n}\n', '', /QEMU release/],
  ['host-kernel operator missing', 'machine a {\n  host-kernel 3.2\n}\n', '', /'\.\.'/],
  ['host-kernel max missing', 'machine a {\n  host-kernel 3.2 ..\n}\n', '', /after '\.\.'/],
  ['host-kernel >= version missing', 'machine a {\n  host-kernel >=\n}\n', '', /kernel version/],
  ['accel value wrong', 'machine a {\n  accel hvf\n}\n', 'hvf', /'kvm' or 'tcg'/],
  ['cpu model missing', 'machine a {\n  cpu\n}\n', '', /CPU model/],
  ['cpuid with nothing', 'machine a {\n  cpuid\n}\n', '', /'\+FEATURE'/],
  ['edit without sign', 'machine a {\n  cpuid {\n    x2apic\n  }\n}\n', 'x2apic', /needs a sign/],
  ['sign without feature', 'machine a {\n  cpuid { + }\n}\n', '}', /feature name/],
  ['sign separated from feature', 'machine a {\n  cpuid + x2apic\n}\n', 'x2apic', /right after/],
  ['cpuid for without models', 'machine a {\n  cpuid for { +x }\n}\n', '{', /CPU model after 'cpuid for'/],
  ['cpuid for without block', 'machine a {\n  cpuid for Haswell +x\n}\n', '+', /expected '\{'/],
  ['migrate with nothing', 'machine a {\n  migrate\n}\n', '', /MSR names/],
  ['migrate block junk', 'machine a {\n  migrate { + }\n}\n', '+', /MSR name or index/],
  ['compat without dot', 'machine a {\n  compat e1000 = off\n}\n', 'e1000', /DRIVER\.PROPERTY/],
  ['compat without =', 'machine a {\n  compat e1000.x off\n}\n', 'off', /expected '='/],
  ['compat without value', 'machine a {\n  compat e1000.x =\n}\n', '', /value after '='/],
  ['description without string', 'machine a {\n  description hello\n}\n', 'hello', /quoted string/],
  ['unterminated string', 'machine a {\n  description "open\n}\n', '"open', /unterminated/],
  ['junk after statement', 'machine a {\n  qemu 2.0 2.1\n}\n', '2.1', /end of the line/],
  ['invalid characters', 'machine a {\n  qemu 2.0\n  @@@\n}\n', '@@@', /unexpected characters/],
  ['stray closing brace', '}\nmachine a {\n}\n', '}', /no open machine/],
  ['non-keyword at top level', '+x\n', '+', /expected 'machine'/],
  ['missing closing brace at EOF', 'machine a {\n  qemu 2.0\n', '{', /missing its closing/],
  ['missing closing brace of a block', 'machine a {\n  cpuid {\n    +x2apic\n', '{', /block of edits is missing/],
];

for (const [name, text, covered, message] of oneError) {
  test(`MT001: ${name}`, () => {
    const tree = parse(text);
    assert.deepEqual(codes(tree), ['MT001'], JSON.stringify(tree.diagnostics));
    const d = tree.diagnostics[0];
    assert.match(d.message, message);
    assert.equal(at(tree, d), covered);
    assert.ok(d.start >= 0 && d.end <= text.length && d.start <= d.end);
  });
}

test('a missing } before the next machine costs one diagnostic and both machines parse', () => {
  const tree = parse('machine a {\n  qemu 1.0\nmachine b {\n  qemu 2.0\n}\n');
  assert.deepEqual(codes(tree), ['MT001']);
  assert.deepEqual(tree.machines.map((m) => [m.name!.text, m.statements.length]), [['a', 1], ['b', 1]]);
});

test('an unclosed cpuid block ends at the next statement keyword', () => {
  const tree = parse('machine a {\n  cpuid {\n    +x2apic\n  qemu 2.0\n}\n');
  assert.deepEqual(codes(tree), ['MT001']);
  assert.deepEqual(statements(tree).map((s) => s.kind), ['cpuid', 'qemu']);
});

test('errors on several lines: one diagnostic each, in order', () => {
  const tree = parse('machine a {\n  qemu\n  bogus 1\n  cpu\n  accel kvm\n}\n');
  assert.deepEqual(codes(tree), ['MT001', 'MT002', 'MT001']);
  assert.equal(only(tree, 'accel').value!.text, 'kvm');
});

test('deep nesting and long lines do not overflow or hang', () => {
  const deep = 'machine a {\n' + '{'.repeat(5000) + '\n' + '}'.repeat(5000) + '\n}\n';
  const tree = parse(deep);
  assert.ok(tree.diagnostics.length >= 1);
  const long = parse('machine a {\n  cpuid ' + '+x '.repeat(100000) + '\n}\n');
  assert.equal(long.machines[0].statements.length, 1);
});

test('host-kernel provides: feature names (commas optional), its own kind; not a range', () => {
  const tree = parse('machine m {\n  host-kernel >= 3.10\n  host-kernel provides md-clear, kvm-pv-ipi kvm-pv-unhalt\n}\n');
  assert.deepEqual(codes(tree), []);
  const p = only(tree, 'host-kernel-provides');
  assert.equal(at(tree, p.keyword), 'host-kernel');
  assert.equal(at(tree, p.provides), 'provides');
  assert.deepEqual(p.features.map((f) => at(tree, f)), ['md-clear', 'kvm-pv-ipi', 'kvm-pv-unhalt']);
  assert.equal(only(tree, 'host-kernel').min?.text, '3.10');
  assert.deepEqual(codes(parse('machine m {\n  host-kernel provides\n}\n')), ['MT001']);
});

test('tsc-frequency: one word', () => {
  const tree = parse('machine m {\n  tsc-frequency 2400000000\n}\n');
  assert.deepEqual(codes(tree), []);
  assert.equal(only(tree, 'tsc-frequency').value?.text, '2400000000');
  assert.deepEqual(codes(parse('machine m {\n  tsc-frequency\n}\n')), ['MT001']);
});
