// Tests of the TextMate grammar (syntaxes/mtype.tmLanguage.json) and the language
// configuration (language-configuration.json), run with the same engine VS Code
// uses: vscode-textmate on the Oniguruma WebAssembly build.
//
// The grammar and the configuration are read from the repository at run time
// (this file is bundled into out/test/, two levels below the root), so a
// grammar edit needs no rebuild to be tested.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vsctm from 'vscode-textmate';
import * as oniguruma from 'vscode-oniguruma';

const ROOT = path.resolve(__dirname, '../..');
const GRAMMAR_PATH = path.join(ROOT, 'syntaxes', 'mtype.tmLanguage.json');
const LANGUAGE_CONFIGURATION_PATH = path.join(ROOT, 'language-configuration.json');

interface Tok {
  text: string;
  scopes: string[];
  line: number;
}

// ---------------------------------------------------------------------------
// Loading

let onigReady: Promise<void> | undefined;
function loadOnig(): Promise<void> {
  if (!onigReady) {
    const wasmPath = require.resolve('vscode-oniguruma/release/onig.wasm', { paths: [ROOT, __dirname] });
    const buf = fs.readFileSync(wasmPath);
    const data = buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
    onigReady = oniguruma.loadWASM(data);
  }
  return onigReady;
}

let grammarReady: Promise<vsctm.IGrammar> | undefined;
function loadGrammar(): Promise<vsctm.IGrammar> {
  if (!grammarReady) {
    grammarReady = (async () => {
      await loadOnig();
      const registry = new vsctm.Registry({
        onigLib: Promise.resolve({
          createOnigScanner: (patterns: string[]) => new oniguruma.OnigScanner(patterns),
          createOnigString: (s: string) => new oniguruma.OnigString(s),
        }),
        loadGrammar: async (scopeName: string) =>
          scopeName === 'source.mtype'
            ? vsctm.parseRawGrammar(fs.readFileSync(GRAMMAR_PATH, 'utf8'), GRAMMAR_PATH)
            : null,
      });
      const grammar = await registry.loadGrammar('source.mtype');
      assert.ok(grammar, 'grammar source.mtype did not load');
      return grammar;
    })();
  }
  return grammarReady;
}

const rawGrammar = (): any => JSON.parse(fs.readFileSync(GRAMMAR_PATH, 'utf8'));
const languageConfiguration = (): any => JSON.parse(fs.readFileSync(LANGUAGE_CONFIGURATION_PATH, 'utf8'));

/** Tokenizes `lines` one after another, carrying the rule stack across lines. */
async function tokenizeLines(lines: string[]): Promise<Tok[][]> {
  const grammar = await loadGrammar();
  let state: vsctm.StateStack = vsctm.INITIAL;
  const out: Tok[][] = [];
  lines.forEach((line, i) => {
    const r = grammar.tokenizeLine(line, state);
    out.push(
      r.tokens.map((t) => ({
        text: line.substring(t.startIndex, Math.min(t.endIndex, line.length)),
        scopes: t.scopes,
        line: i,
      })),
    );
    state = r.ruleStack;
  });
  return out;
}

/** Tokenizes a document the way VS Code splits it into lines (LF or CRLF). */
async function tokenize(text: string): Promise<Tok[]> {
  return (await tokenizeLines(text.split(/\r?\n/))).flat();
}

/** The `nth` token (0-based) whose text is exactly `text`. */
function tok(toks: Tok[], text: string, nth = 0): Tok {
  const found = toks.filter((t) => t.text === text);
  assert.ok(found.length > nth, `no token ${JSON.stringify(text)} (#${nth}) in ${dump(toks)}`);
  return found[nth]!;
}

function dump(toks: Tok[]): string {
  return toks
    .filter((t) => t.text.trim() !== '')
    .map((t) => `${JSON.stringify(t.text)}=[${t.scopes.slice(1).join(' ')}]`)
    .join(', ');
}

/** Asserts that the token `text` carries every scope in `scopes`. */
function assertScopes(toks: Tok[], text: string, scopes: string[], nth = 0): void {
  const t = tok(toks, text, nth);
  for (const s of scopes) {
    assert.ok(t.scopes.includes(s), `token ${JSON.stringify(text)} lacks ${s}; has [${t.scopes.join(' ')}]`);
  }
}

/** Asserts that the token `text` carries nothing but `source.mtype`. */
function assertPlain(toks: Tok[], text: string, nth = 0): void {
  const t = tok(toks, text, nth);
  assert.deepEqual(t.scopes, ['source.mtype'], `token ${JSON.stringify(text)} should be unscoped`);
}

/** Every scope name the grammar can assign (`name`, `contentName`, captures). */
function grammarScopes(): Set<string> {
  const scopes = new Set<string>();
  const add = (name: unknown) => {
    if (typeof name === 'string') for (const s of name.split(/\s+/)) if (s) scopes.add(s);
  };
  const visit = (node: any) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    add(node.name);
    add(node.contentName);
    for (const key of ['captures', 'beginCaptures', 'endCaptures', 'whileCaptures']) {
      if (node[key]) for (const cap of Object.values(node[key])) visit(cap);
    }
    if (node.patterns) visit(node.patterns);
    if (node.repository) for (const rule of Object.values(node.repository)) visit(rule);
  };
  const g = rawGrammar();
  visit(g.patterns);
  visit(Object.values(g.repository));
  return scopes;
}

/** Every regular expression in the grammar. */
function grammarRegexes(): string[] {
  const out: string[] = [];
  const visit = (node: any) => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    for (const key of ['match', 'begin', 'end', 'while']) if (typeof node[key] === 'string') out.push(node[key]);
    for (const value of Object.values(node)) if (typeof value === 'object') visit(value);
  };
  visit(rawGrammar().repository);
  visit(rawGrammar().patterns);
  return out;
}

/**
 * Finds groups that are repeated without bound (`*`, `+`, `{n,}`) and contain an
 * unbounded quantifier themselves: the `(a+)+` shape of catastrophic backtracking.
 */
function nestedUnboundedQuantifiers(re: string): string[] {
  const problems: string[] = [];
  const stack: { start: number; inner: boolean }[] = [];
  /** Length and boundedness of the quantifier starting at `i`, if any. */
  const quantifier = (i: number): { len: number; unbounded: boolean } | null => {
    const c = re[i];
    let len = 0;
    let unbounded = false;
    if (c === '*' || c === '+') {
      len = 1;
      unbounded = true;
    } else if (c === '?') {
      len = 1;
    } else if (c === '{') {
      const m = /^\{(\d*)(,?)(\d*)\}/.exec(re.slice(i));
      if (!m) return null;
      len = m[0].length;
      unbounded = m[2] === ',' && m[3] === '';
    } else {
      return null;
    }
    if (re[i + len] === '?' || re[i + len] === '+') len++; // lazy / possessive
    return { len, unbounded };
  };
  let inClass = false;
  for (let i = 0; i < re.length; i++) {
    const c = re[i];
    if (c === '\\') {
      i++;
      continue;
    }
    if (inClass) {
      if (c === ']') inClass = false;
      continue;
    }
    if (c === '[') {
      inClass = true;
      if (re[i + 1] === '^') i++;
      if (re[i + 1] === ']') i++;
      continue;
    }
    if (c === '(') {
      stack.push({ start: i, inner: false });
      if (re[i + 1] === '?') i++; // `(?:`, `(?=`, `(?<!` … are not quantifiers
      continue;
    }
    const top = stack[stack.length - 1];
    if (c === ')') {
      const group = stack.pop();
      assert.ok(group, `unbalanced ) in ${re}`);
      const q = quantifier(i + 1);
      if (q?.unbounded && group.inner) problems.push(re.slice(group.start, i + 1 + q.len));
      const parent = stack[stack.length - 1];
      if (parent && (group.inner || q?.unbounded)) parent.inner = true;
      if (q) i += q.len;
      continue;
    }
    const q = quantifier(i);
    if (q) {
      if (q.unbounded && top) top.inner = true;
      i += q.len - 1;
    }
  }
  assert.equal(stack.length, 0, `unbalanced ( in ${re}`);
  return problems;
}

function elapsed<T>(f: () => T): { ms: number; value: T } {
  const start = process.hrtime.bigint();
  const value = f();
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, value };
}

// ---------------------------------------------------------------------------
// Fixtures

/** Uses every construct of the language; the coverage test needs all scopes here. */
const FULL_FIXTURE = [
  '# Machine types of the example fleet',
  'machine pc-1.3 {   # the base',
  '  qemu 1.3',
  '  host-kernel >= 3.2   # mtype-ignore: MT300, MT302',
  '  accel kvm',
  '  cpu qemu64',
  '  cpuid {',
  '    +kvmclock',
  '    +x2apic',
  '    -kvm-steal-time',
  '  }',
  '  cpuid for Opteron_G2, Opteron_G3 { +rdtscp }',
  '  migrate MSR_KVM_PV_EOI_EN 0x4b564d04',
  '  migrate {',
  '    IA32_TSC_DEADLINE',
  '    0x6e0',
  '  }',
  '  compat e1000.autonegotiation = off',
  '  compat virtio-net-pci.x-mtu = "1500"',
  '  description "PC \\"i440FX\\" 1.3 \\\\ legacy"',
  '  deprecated "use pc-1.4"',
  '  alias pc-old',
  '}',
  '',
  '# mtype-ignore: MT400',
  'machine pc-1.2 extends pc-1.3 {',
  '  qemu 1.2',
  '  host-kernel 3.2..4.19',
  '  host-kernel provides md-clear, kvm-pv-ipi   # RHEL backports',
  '  tsc-frequency 2400000000',
  '  accel tcg',
  '  cpuid -kvm-pv-eoi +sse4.1 +3dnowprefetch',
  '}',
  '',
  'machine pc-next {',
  '  follows-host',
  '  cpu host',
  '  deprecated',
  '}',
  '',
].join('\n');

// ---------------------------------------------------------------------------
// The grammar file itself

test('grammar: the file is the one package.json contributes, with scopeName source.mtype', () => {
  const g = rawGrammar();
  assert.equal(g.scopeName, 'source.mtype');
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));
  const contributed = pkg.contributes.grammars.find((x: any) => x.language === 'mtype');
  assert.equal(contributed.scopeName, 'source.mtype');
  assert.equal(path.resolve(ROOT, contributed.path), GRAMMAR_PATH);
  const language = pkg.contributes.languages.find((x: any) => x.id === 'mtype');
  assert.equal(path.resolve(ROOT, language.configuration), LANGUAGE_CONFIGURATION_PATH);
});

test('grammar: every regular expression compiles with Oniguruma', async () => {
  await loadOnig();
  const regexes = grammarRegexes();
  assert.ok(regexes.length > 20);
  for (const re of regexes) {
    assert.doesNotThrow(() => new oniguruma.OnigScanner([re]).dispose(), `does not compile: ${re}`);
  }
});

test('grammar: no regular expression repeats a group that itself repeats (no (a+)+)', () => {
  // Self-check of the checker first.
  assert.deepEqual(nestedUnboundedQuantifiers('(a+)+'), ['(a+)+']);
  assert.deepEqual(nestedUnboundedQuantifiers('(?:x[a-z]*)*b'), ['(?:x[a-z]*)*']);
  assert.deepEqual(nestedUnboundedQuantifiers('((a)*)+'), ['((a)*)+']);
  assert.deepEqual(nestedUnboundedQuantifiers('(?:[0-9]|\\.(?=[0-9]))*'), []);
  assert.deepEqual(nestedUnboundedQuantifiers('(a+)?b*'), []);
  assert.deepEqual(nestedUnboundedQuantifiers('[(+)]*'), []);
  const config = languageConfiguration();
  const all = [
    ...grammarRegexes(),
    config.wordPattern,
    config.indentationRules.increaseIndentPattern,
    config.indentationRules.decreaseIndentPattern,
  ];
  for (const re of all) assert.deepEqual(nestedUnboundedQuantifiers(re), [], `nested quantifier in ${re}`);
});

test('grammar: every scope the grammar defines appears in the tokenized fixture', async () => {
  const defined = grammarScopes();
  const seen = new Set((await tokenize(FULL_FIXTURE)).flatMap((t) => t.scopes));
  const missing = [...defined].filter((s) => !seen.has(s));
  assert.deepEqual(missing, [], `scopes never produced by the fixture: ${missing.join(', ')}`);
  // And the fixture produces no scope the grammar does not define.
  const unknown = [...seen].filter((s) => s !== 'source.mtype' && !defined.has(s));
  assert.deepEqual(unknown, []);
  assert.ok(defined.size >= 45, `only ${defined.size} scopes`);
});

// ---------------------------------------------------------------------------
// Comments and suppressions

test('comments: a # comment to the end of the line, also after a statement', async () => {
  const toks = await tokenize('# just a note\nmachine a { # opening\n  qemu 2.0 # the release\n}');
  assertScopes(toks, '#', ['comment.line.number-sign.mtype', 'punctuation.definition.comment.mtype']);
  assertScopes(toks, ' just a note', ['comment.line.number-sign.mtype']);
  assertScopes(toks, ' opening', ['comment.line.number-sign.mtype']);
  assertScopes(toks, ' the release', ['comment.line.number-sign.mtype']);
  assertScopes(toks, '2.0', ['constant.numeric.version.mtype']);
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype']);
});

test('comments: a suppression comment is highlighted with its codes', async () => {
  const toks = await tokenize('machine a {\n  host-kernel >= 3.2   # mtype-ignore: MT300, MT302\n  # mtype-ignore:MT200\n}');
  const suppression = ['comment.line.number-sign.mtype', 'meta.suppression.mtype'];
  assertScopes(toks, '#', [...suppression, 'punctuation.definition.comment.mtype']);
  assertScopes(toks, 'mtype-ignore', [...suppression, 'keyword.other.suppression.mtype']);
  assertScopes(toks, ':', [...suppression, 'punctuation.separator.key-value.mtype']);
  assertScopes(toks, 'MT300', [...suppression, 'constant.other.diagnostic-code.mtype']);
  assertScopes(toks, ',', [...suppression, 'punctuation.separator.comma.mtype']);
  assertScopes(toks, 'MT302', [...suppression, 'constant.other.diagnostic-code.mtype']);
  assertScopes(toks, 'MT200', [...suppression, 'constant.other.diagnostic-code.mtype']);
  // The statement before the comment keeps its own scopes.
  assertScopes(toks, '3.2', ['constant.numeric.version.mtype']);
});

test('comments: an ordinary comment that mentions mtype-ignore is not a suppression', async () => {
  const toks = await tokenize('# see the docs for mtype-ignore: MT300');
  assert.equal(toks.length, 2);
  assert.ok(toks.every((t) => !t.scopes.includes('meta.suppression.mtype')), dump(toks));
  assert.ok(toks.every((t) => t.scopes.includes('comment.line.number-sign.mtype')), dump(toks));
});

// ---------------------------------------------------------------------------
// Machine declarations

test('machine: keyword, declared name, extends and the base name, braces', async () => {
  const toks = await tokenize('machine pc-q35-rhel9.4.0 extends pc-q35-9.1 {\n}');
  assertScopes(toks, 'machine', ['storage.type.machine.mtype']);
  assertScopes(toks, 'pc-q35-rhel9.4.0', ['entity.name.type.machine.mtype']);
  assertScopes(toks, 'extends', ['keyword.other.extends.mtype']);
  assertScopes(toks, 'pc-q35-9.1', ['entity.other.inherited-class.mtype']);
  assertScopes(toks, '{', ['punctuation.section.block.begin.mtype']);
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype']);
});

test('machine: alias names another machine name', async () => {
  const toks = await tokenize('machine pc-i440fx-9.1 {\n  alias pc\n}');
  assertScopes(toks, 'alias', ['keyword.other.alias.mtype']);
  assertScopes(toks, 'pc', ['entity.name.type.machine.alias.mtype']);
});

test('machine: consecutive machines each get their own scopes', async () => {
  const toks = await tokenize(FULL_FIXTURE);
  assertScopes(toks, 'pc-1.3', ['entity.name.type.machine.mtype'], 0);
  assertScopes(toks, 'pc-1.2', ['entity.name.type.machine.mtype']);
  assertScopes(toks, 'pc-1.3', ['entity.other.inherited-class.mtype'], 1);
  assertScopes(toks, 'pc-next', ['entity.name.type.machine.mtype']);
  assertScopes(toks, 'machine', ['storage.type.machine.mtype'], 2);
});

// ---------------------------------------------------------------------------
// Statement keywords

test('statements: each statement keyword has its keyword.other.<name> scope', async () => {
  const lines = [
    'qemu 7.2',
    'host-kernel >= 4.19',
    'accel kvm',
    'cpu Skylake-Server',
    'cpuid +x2apic',
    'migrate IA32_TSC_DEADLINE',
    'follows-host',
    'alias pc',
    'deprecated "old"',
    'description "desc"',
    'compat e1000.mac = on',
  ];
  const toks = await tokenize(['machine m {', ...lines.map((l) => `  ${l}`), '}'].join('\n'));
  for (const line of lines) {
    const keyword = line.split(' ')[0]!;
    assertScopes(toks, keyword, [`keyword.other.${keyword}.mtype`]);
  }
  const cpuid = await tokenize('cpuid for Haswell { +pcid }');
  assertScopes(cpuid, 'for', ['keyword.control.for.mtype']);
});

test('statements: keywords match whole words only', async () => {
  const toks = await tokenize('machine m {\n  cpu qemu64\n  cpuid +cpuid-fault\n  qemuu 2.0\n}');
  assertScopes(toks, 'cpu', ['keyword.other.cpu.mtype']);
  assertScopes(toks, 'qemu64', ['support.class.cpu-model.mtype']);
  assert.ok(!tok(toks, 'qemu64').scopes.some((s) => s.startsWith('keyword')));
  assertScopes(toks, 'cpuid', ['keyword.other.cpuid.mtype']);
  assert.ok(!tok(toks, 'cpuid').scopes.includes('keyword.other.cpu.mtype'));
  assertScopes(toks, 'cpuid-fault', ['entity.name.function.feature.whitelist.mtype']);
  // An unknown keyword is left alone (the language server reports it).
  assert.ok(toks.every((t) => !t.text.includes('qemuu') || !t.scopes.some((s) => s.startsWith('keyword'))), dump(toks));
});

test('statements: a statement on the same line as the braces does not swallow the }', async () => {
  const toks = await tokenize('machine a { qemu 1.0 }\nmachine b { cpuid +x }\nmachine c {\n}');
  assertScopes(toks, '1.0', ['constant.numeric.version.mtype']);
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype'], 0);
  assertScopes(toks, 'b', ['entity.name.type.machine.mtype']);
  assertScopes(toks, 'x', ['entity.name.function.feature.whitelist.mtype']);
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype'], 1);
  assertScopes(toks, 'c', ['entity.name.type.machine.mtype']);
});

// ---------------------------------------------------------------------------
// Versions, accel, CPU models

test('versions: qemu VERSION', async () => {
  const toks = await tokenize('machine m {\n  qemu 7.2.0\n}\nmachine n {\n  qemu 10\n}');
  assertScopes(toks, '7.2.0', ['constant.numeric.version.mtype']);
  assertScopes(toks, '10', ['constant.numeric.version.mtype']);
});

test('versions: host-kernel >= VERSION', async () => {
  const toks = await tokenize('machine m {\n  host-kernel >= 2.6.32\n}');
  assertScopes(toks, 'host-kernel', ['keyword.other.host-kernel.mtype']);
  assertScopes(toks, '>=', ['keyword.operator.comparison.mtype']);
  assertScopes(toks, '2.6.32', ['constant.numeric.version.mtype']);
});

test('versions: host-kernel A..B tokenizes as version, .., version (with and without spaces)', async () => {
  for (const [text, a, b] of [
    ['host-kernel 3.2..4.19', '3.2', '4.19'],
    ['host-kernel 3.2 .. 4.19', '3.2', '4.19'],
    ['host-kernel 2.6.32..5.10.0', '2.6.32', '5.10.0'],
  ] as const) {
    const toks = await tokenize(`machine m {\n  ${text}\n}`);
    const significant = toks.filter((t) => t.line === 1 && t.text.trim() !== '').map((t) => t.text);
    assert.deepEqual(significant, ['host-kernel', a, '..', b], text);
    assertScopes(toks, a, ['constant.numeric.version.mtype']);
    assertScopes(toks, '..', ['keyword.operator.range.mtype']);
    assertScopes(toks, b, ['constant.numeric.version.mtype']);
  }
});

test('versions: a malformed version is not highlighted as a version', async () => {
  const toks = await tokenize('machine m {\n  qemu 1.3abc\n  qemu 1.\n}');
  assert.ok(toks.every((t) => !t.scopes.includes('constant.numeric.version.mtype')), dump(toks));
});

test('accel: kvm and tcg are constants, other words are not', async () => {
  const toks = await tokenize('machine m {\n  accel kvm\n  accel tcg\n  accel kvmx\n}');
  assertScopes(toks, 'kvm', ['constant.language.accel.mtype']);
  assertScopes(toks, 'tcg', ['constant.language.accel.mtype']);
  assert.ok(toks.every((t) => !t.text.includes('kvmx') || !t.scopes.includes('constant.language.accel.mtype')));
});

test('cpu: model names, including host and versioned models', async () => {
  const toks = await tokenize('machine m {\n  cpu Cascadelake-Server-v2\n  cpu host\n  cpu max\n}');
  assertScopes(toks, 'Cascadelake-Server-v2', ['support.class.cpu-model.mtype']);
  assertScopes(toks, 'host', ['support.class.cpu-model.mtype']);
  assertScopes(toks, 'max', ['support.class.cpu-model.mtype']);
});

// ---------------------------------------------------------------------------
// CPUID edits

test('cpuid: + whitelist and - mask edits get different scopes', async () => {
  const toks = await tokenize('machine m {\n  cpuid +kvm-pv-eoi -kvm-steal-time\n}');
  const plus = tok(toks, '+');
  const minus = tok(toks, '-');
  const added = tok(toks, 'kvm-pv-eoi');
  const masked = tok(toks, 'kvm-steal-time');
  assertScopes(toks, '+', ['markup.inserted.whitelist.mtype', 'keyword.operator.whitelist.mtype']);
  assertScopes(toks, 'kvm-pv-eoi', ['markup.inserted.whitelist.mtype', 'entity.name.function.feature.whitelist.mtype']);
  assertScopes(toks, '-', ['markup.deleted.mask.mtype', 'keyword.operator.mask.mtype']);
  assertScopes(toks, 'kvm-steal-time', ['markup.deleted.mask.mtype', 'variable.parameter.feature.mask.mtype']);
  assert.notDeepEqual(plus.scopes, minus.scopes);
  assert.notDeepEqual(added.scopes, masked.scopes);
  // Themes colour by scope prefix: the feature scopes differ already in their
  // first two segments, so a theme with no mtype rules still tells them apart.
  const root = (t: Tok) => t.scopes[t.scopes.length - 1]!.split('.').slice(0, 2).join('.');
  assert.notEqual(root(added), root(masked));
  assert.ok(!masked.scopes.includes('markup.inserted.whitelist.mtype'));
  assert.ok(!added.scopes.includes('markup.deleted.mask.mtype'));
});

test('cpuid: one-line form with several edits; feature names stay whole', async () => {
  const toks = await tokenize('machine m {\n  cpuid -kvm-pv-eoi +sse4.1 +3dnowprefetch, +avx512-bf16\n}');
  assertScopes(toks, 'cpuid', ['keyword.other.cpuid.mtype']);
  assertScopes(toks, 'kvm-pv-eoi', ['variable.parameter.feature.mask.mtype']);
  assertScopes(toks, 'sse4.1', ['entity.name.function.feature.whitelist.mtype']);
  assertScopes(toks, '3dnowprefetch', ['entity.name.function.feature.whitelist.mtype']);
  assertScopes(toks, ',', ['punctuation.separator.comma.mtype']);
  assertScopes(toks, 'avx512-bf16', ['entity.name.function.feature.whitelist.mtype']);
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype']);
});

test('cpuid: a block spanning lines keeps edit scopes and closes', async () => {
  const toks = await tokenize(
    ['machine m {', '  cpuid {', '    +kvmclock   # clock', '', '    -x2apic', '  }', '  qemu 2.0', '}'].join('\n'),
  );
  assertScopes(toks, '{', ['punctuation.section.block.begin.mtype'], 1);
  assertScopes(toks, 'kvmclock', ['markup.inserted.whitelist.mtype', 'entity.name.function.feature.whitelist.mtype']);
  assertScopes(toks, ' clock', ['comment.line.number-sign.mtype']);
  assertScopes(toks, 'x2apic', ['markup.deleted.mask.mtype', 'variable.parameter.feature.mask.mtype']);
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype'], 0);
  // After the block, statements are statements again; the machine still closes.
  assertScopes(toks, 'qemu', ['keyword.other.qemu.mtype']);
  assertScopes(toks, '2.0', ['constant.numeric.version.mtype']);
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype'], 1);
  const last = await tokenizeLines(['machine m {', '  cpuid {', '  }', '}', 'machine n {']);
  // The rule stack is back at the top level: the next machine starts afresh.
  assert.deepEqual(last[4]!.find((t) => t.text === 'n')!.scopes, ['source.mtype', 'entity.name.type.machine.mtype']);
});

test('cpuid: for A, B { +x } names the CPU models and edits them', async () => {
  const toks = await tokenize('machine m {\n  cpuid for Opteron_G2, Opteron_G3 { +rdtscp -svm }\n}');
  assertScopes(toks, 'for', ['keyword.control.for.mtype']);
  assertScopes(toks, 'Opteron_G2', ['support.class.cpu-model.mtype']);
  assertScopes(toks, ',', ['punctuation.separator.comma.mtype']);
  assertScopes(toks, 'Opteron_G3', ['support.class.cpu-model.mtype']);
  assertScopes(toks, '{', ['punctuation.section.block.begin.mtype'], 1);
  assertScopes(toks, 'rdtscp', ['entity.name.function.feature.whitelist.mtype']);
  assertScopes(toks, 'svm', ['variable.parameter.feature.mask.mtype']);
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype'], 0);
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype'], 1);
  assert.ok(!tok(toks, 'rdtscp').scopes.includes('support.class.cpu-model.mtype'));
});

test('cpuid: for models without commas, and a for block spanning lines', async () => {
  const toks = await tokenize('machine m {\n  cpuid for EPYC EPYC-Rome {\n    +ibpb\n  }\n  cpu EPYC\n}');
  assertScopes(toks, 'EPYC', ['support.class.cpu-model.mtype'], 0);
  assertScopes(toks, 'EPYC-Rome', ['support.class.cpu-model.mtype']);
  assertScopes(toks, 'ibpb', ['entity.name.function.feature.whitelist.mtype']);
  assertScopes(toks, 'cpu', ['keyword.other.cpu.mtype']);
  assertScopes(toks, 'EPYC', ['support.class.cpu-model.mtype'], 1);
});

test('cpuid: an unclosed block ends at the next statement or machine line', async () => {
  const toks = await tokenize('machine m {\n  cpuid {\n    +kvmclock\n  qemu 2.0\n}\nmachine n {\n  cpuid {\n    -x\nmachine o {\n}');
  assertScopes(toks, 'qemu', ['keyword.other.qemu.mtype']);
  assertScopes(toks, '2.0', ['constant.numeric.version.mtype']);
  assertScopes(toks, 'n', ['entity.name.type.machine.mtype']);
  assertScopes(toks, 'machine', ['storage.type.machine.mtype'], 2);
  assertScopes(toks, 'o', ['entity.name.type.machine.mtype']);
});

// ---------------------------------------------------------------------------
// migrate

test('migrate: one-line MSR names and hex indexes', async () => {
  const toks = await tokenize('machine m {\n  migrate MSR_KVM_PV_EOI_EN 0x4b564d04, IA32_TSC_DEADLINE 0X6E0\n}');
  assertScopes(toks, 'migrate', ['keyword.other.migrate.mtype']);
  assertScopes(toks, 'MSR_KVM_PV_EOI_EN', ['variable.other.msr.mtype']);
  assertScopes(toks, '0x4b564d04', ['constant.numeric.hex.msr.mtype']);
  assertScopes(toks, ',', ['punctuation.separator.comma.mtype']);
  assertScopes(toks, 'IA32_TSC_DEADLINE', ['variable.other.msr.mtype']);
  assertScopes(toks, '0X6E0', ['constant.numeric.hex.msr.mtype']);
});

test('migrate: a block spanning lines, with names, hex and comments', async () => {
  const toks = await tokenize(
    ['machine m {', '  migrate {', '    MSR_KVM_STEAL_TIME  # steal time', '    0x4b564d03', '  }', '  accel kvm', '}'].join('\n'),
  );
  assertScopes(toks, '{', ['punctuation.section.block.begin.mtype'], 1);
  assertScopes(toks, 'MSR_KVM_STEAL_TIME', ['variable.other.msr.mtype']);
  assertScopes(toks, ' steal time', ['comment.line.number-sign.mtype']);
  assertScopes(toks, '0x4b564d03', ['constant.numeric.hex.msr.mtype']);
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype'], 0);
  assertScopes(toks, 'kvm', ['constant.language.accel.mtype']);
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype'], 1);
});

test('migrate: a malformed hex index is a name, not a number', async () => {
  const toks = await tokenize('machine m {\n  migrate 0x4bzz\n}');
  assertScopes(toks, '0x4bzz', ['variable.other.msr.mtype']);
  assert.ok(!tok(toks, '0x4bzz').scopes.includes('constant.numeric.hex.msr.mtype'));
});

// ---------------------------------------------------------------------------
// Strings, compat

test('strings: double-quoted with \\" and \\\\ escapes', async () => {
  const toks = await tokenize('machine m {\n  description "PC \\"i440FX\\" \\\\ x" # after\n}');
  const str = 'string.quoted.double.mtype';
  assertScopes(toks, '"', [str, 'punctuation.definition.string.begin.mtype'], 0);
  assertScopes(toks, 'PC ', [str]);
  assertScopes(toks, '\\"', [str, 'constant.character.escape.mtype'], 0);
  assertScopes(toks, 'i440FX', [str]);
  assertScopes(toks, '\\"', [str, 'constant.character.escape.mtype'], 1);
  assertScopes(toks, '\\\\', [str, 'constant.character.escape.mtype']);
  assertScopes(toks, '"', [str, 'punctuation.definition.string.end.mtype'], 1);
  // The string closed: the comment after it is a comment.
  assertScopes(toks, ' after', ['comment.line.number-sign.mtype']);
  assert.ok(!tok(toks, ' after').scopes.includes(str));
});

test('strings: an unterminated string ends at the end of its line', async () => {
  const toks = await tokenize('machine m {\n  deprecated "oops \\"\n  qemu 2.0\n}');
  assertScopes(toks, 'deprecated', ['keyword.other.deprecated.mtype']);
  assertScopes(toks, '\\"', ['string.quoted.double.mtype', 'constant.character.escape.mtype']);
  assertScopes(toks, 'qemu', ['keyword.other.qemu.mtype']);
  assert.ok(!tok(toks, 'qemu').scopes.includes('string.quoted.double.mtype'));
  assertScopes(toks, '}', ['punctuation.section.block.end.mtype']);
});

test('compat: DRIVER.PROPERTY = VALUE with a word or a string value', async () => {
  const toks = await tokenize(
    'machine m {\n  compat e1000.autonegotiation = off\n  compat virtio-net-pci.x-mtu-bypass = "on # not a comment"\n}',
  );
  assertScopes(toks, 'compat', ['keyword.other.compat.mtype']);
  assertScopes(toks, 'e1000', ['entity.name.tag.driver.mtype']);
  assertScopes(toks, '.', ['punctuation.accessor.mtype']);
  assertScopes(toks, 'autonegotiation', ['variable.other.property.mtype']);
  assertScopes(toks, '=', ['keyword.operator.assignment.mtype']);
  assertScopes(toks, 'off', ['constant.other.value.mtype']);
  assertScopes(toks, 'virtio-net-pci', ['entity.name.tag.driver.mtype']);
  assertScopes(toks, 'x-mtu-bypass', ['variable.other.property.mtype']);
  assertScopes(toks, 'on # not a comment', ['string.quoted.double.mtype']);
  assert.ok(toks.every((t) => !t.scopes.includes('comment.line.number-sign.mtype')), dump(toks));
});

test('compat: a value that looks like a driver.property stays a value', async () => {
  const toks = await tokenize('machine m {\n  compat kvm-pit.lost_tick_policy = delay.x # why\n}');
  assertScopes(toks, 'kvm-pit', ['entity.name.tag.driver.mtype']);
  assertScopes(toks, 'lost_tick_policy', ['variable.other.property.mtype']);
  assertScopes(toks, 'delay.x', ['constant.other.value.mtype']);
  assertScopes(toks, ' why', ['comment.line.number-sign.mtype']);
});

// ---------------------------------------------------------------------------
// Line endings, top level

test('CRLF: a CRLF document tokenizes exactly like its LF twin', async () => {
  const lf = await tokenize(FULL_FIXTURE);
  const crlf = await tokenize(FULL_FIXTURE.replace(/\n/g, '\r\n'));
  assert.deepEqual(crlf, lf);
});

test('CRLF: a stray \\r left at line ends does not glue onto words or break blocks', async () => {
  const lines = FULL_FIXTURE.split('\n').map((l) => `${l}\r`);
  const toks = (await tokenizeLines(lines)).flat();
  assertScopes(toks, '1.3', ['constant.numeric.version.mtype']);
  assertScopes(toks, 'qemu64', ['support.class.cpu-model.mtype']);
  assertScopes(toks, 'kvmclock', ['entity.name.function.feature.whitelist.mtype']);
  assertScopes(toks, '0x6e0', ['constant.numeric.hex.msr.mtype']);
  assertScopes(toks, 'off', ['constant.other.value.mtype']);
  assertScopes(toks, '4.19', ['constant.numeric.version.mtype']);
  assertScopes(toks, 'pc-next', ['entity.name.type.machine.mtype']);
  assertScopes(toks, 'follows-host', ['keyword.other.follows-host.mtype']);
});

test('host-kernel provides and tsc-frequency: keywords, provided features, the frequency', async () => {
  const toks = await tokenize('machine m {\n  host-kernel provides md-clear kvm-pv-ipi # distro\n  tsc-frequency 2400000000\n  cpu qemu64\n}');
  assertScopes(toks, 'provides', ['keyword.other.provides.mtype']);
  assertScopes(toks, 'md-clear', ['entity.name.function.feature.provided.mtype']);
  assertScopes(toks, 'kvm-pv-ipi', ['entity.name.function.feature.provided.mtype']);
  assertScopes(toks, 'tsc-frequency', ['keyword.other.tsc-frequency.mtype']);
  assertScopes(toks, '2400000000', ['constant.numeric.frequency.mtype']);
  assertScopes(toks, 'qemu64', ['support.class.cpu-model.mtype']);
});

test('top level: statements outside a machine are still highlighted', async () => {
  const toks = await tokenize('qemu 9.1\ncpuid +pcid');
  assertScopes(toks, 'qemu', ['keyword.other.qemu.mtype']);
  assertScopes(toks, '9.1', ['constant.numeric.version.mtype']);
  assertScopes(toks, 'pcid', ['entity.name.function.feature.whitelist.mtype']);
});

test('unscoped text: unknown words are left alone', async () => {
  const toks = await tokenize('machine m {\n  frobnicate now\n}');
  assertPlain(toks, '  frobnicate now');
});

// ---------------------------------------------------------------------------
// Linear time (a safety guard, not a benchmark)

test('linear time: 100 kB pathological lines tokenize in well under 2 s each', async () => {
  const grammar = await loadGrammar();
  const n = 100_000;
  const aDash = 'a-'.repeat(n / 2);
  const dotted = '1.'.repeat(n / 2);
  const cases: [string, string[]][] = [
    ['top level a-a-a', [aDash]],
    ['top level ++++', ['+'.repeat(n)]],
    ['machine name', [`machine ${aDash}!`]],
    ['machine body', ['machine m {', aDash]],
    ['cpuid one-line ++++', ['machine m {', `  cpuid ${'+'.repeat(n)}`]],
    ['cpuid one-line ----', ['machine m {', `  cpuid ${'-'.repeat(n)}`]],
    ['cpuid one-line a-a-a', ['machine m {', `  cpuid ${aDash}`]],
    ['cpuid one-line +a-a-a!', ['machine m {', `  cpuid +${aDash}!`]],
    ['cpuid edits +a +a', ['machine m {', `  cpuid ${'+a '.repeat(n / 3)}`]],
    ['cpuid block', ['machine m {', '  cpuid {', `-${aDash}-`]],
    ['cpuid for', ['machine m {', `  cpuid for ${'a, '.repeat(n / 3)}`]],
    ['migrate', ['machine m {', `  migrate ${aDash}`]],
    ['migrate hex', ['machine m {', `  migrate 0x${'4'.repeat(n)}z`]],
    ['qemu dotted', ['machine m {', `  qemu ${dotted}a`]],
    ['qemu digits', ['machine m {', `  qemu ${'1'.repeat(n)}.a`]],
    ['host-kernel ..', ['machine m {', `  host-kernel ${'1..'.repeat(n / 3)}`]],
    ['compat', ['machine m {', `  compat ${aDash}.${aDash} = ${aDash}`]],
    ['string escapes', ['machine m {', `  description "${'\\\\\\"'.repeat(n / 4)}`]],
    ['comment', [`# mtype-ignore: ${'MT1, '.repeat(n / 5)}`]],
    ['comment #####', ['#'.repeat(n)]],
    ['suppression MTMTMT', [`# mtype-ignore: ${'MT'.repeat(n / 2)}1`]],
  ];
  for (const [name, lines] of cases) {
    const { ms } = elapsed(() => {
      let state: vsctm.StateStack = vsctm.INITIAL;
      for (const line of lines) state = grammar.tokenizeLine(line, state).ruleStack;
    });
    assert.ok(ms < 2000, `${name}: ${ms.toFixed(0)} ms`);
  }
});

// ---------------------------------------------------------------------------
// Language configuration

test('language configuration: comments, brackets, pairs, folding', () => {
  const config = languageConfiguration();
  assert.equal(config.comments.lineComment, '#');
  assert.deepEqual(config.brackets, [['{', '}']]);
  const pairs = config.autoClosingPairs.map((p: any) => [p.open, p.close]);
  assert.deepEqual(pairs, [['{', '}'], ['"', '"']]);
  assert.deepEqual(config.surroundingPairs, [['{', '}'], ['"', '"']]);
  assert.equal(config.folding.offSide, false);
});

test('language configuration: the word pattern keeps feature names, versions and MSR indexes whole', () => {
  const word = new RegExp(languageConfiguration().wordPattern, 'g');
  const words = (s: string) => s.match(word) ?? [];
  for (const w of ['kvm-pv-eoi', 'sse4.1', '3dnowprefetch', '2.6.32', '0x4b564d04', 'MSR_KVM_PV_EOI_EN', 'pc-q35-rhel9.4.0']) {
    assert.deepEqual(words(w), [w]);
  }
  assert.deepEqual(words('+kvm-pv-eoi'), ['kvm-pv-eoi']);
  assert.deepEqual(words('-kvm-steal-time'), ['kvm-steal-time']);
  assert.deepEqual(words('cpuid -kvm-pv-eoi +sse4.1'), ['cpuid', 'kvm-pv-eoi', 'sse4.1']);
  assert.deepEqual(words('host-kernel 3.2..4.19'), ['host-kernel', '3.2', '4.19']);
  assert.deepEqual(words('compat e1000.autonegotiation = off'), ['compat', 'e1000.autonegotiation', 'off']);
  assert.deepEqual(words('migrate {MSR_A, 0x10}'), ['migrate', 'MSR_A', '0x10']);
  const { ms } = elapsed(() => words('a-'.repeat(50_000) + '.'.repeat(50_000)));
  assert.ok(ms < 2000, `${ms} ms`);
});

test('language configuration: indentation rules', () => {
  const rules = languageConfiguration().indentationRules;
  const inc = new RegExp(rules.increaseIndentPattern);
  const dec = new RegExp(rules.decreaseIndentPattern);
  for (const line of ['machine pc-1.3 {', 'machine a extends b {  # base', '  cpuid {', '  cpuid for A, B {', '  migrate {']) {
    assert.ok(inc.test(line), line);
  }
  for (const line of ['  cpuid for A { +x }', '  qemu 1.3', '  description "{"', '# {', '}']) {
    assert.ok(!inc.test(line), line);
  }
  assert.ok(dec.test('  }'));
  assert.ok(dec.test('}  # end'));
  assert.ok(!dec.test('  +x }'));
  const { ms } = elapsed(() => inc.test('{'.repeat(1) + ' '.repeat(100_000) + '}'));
  assert.ok(ms < 2000, `${ms} ms`);
});
