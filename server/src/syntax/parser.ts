/**
 * Recursive-descent parser for the .mtype language (spec §2).
 *
 * The text is cut into regions at every line whose first word is `machine`
 * (ast.ts `Region`); each region is lexed and parsed alone. Nothing below crosses
 * such a line — not an unclosed block, not error recovery — so a whole-file parse
 * equals the concatenation of region parses, which is what lets syntax/reparse.ts
 * re-parse only the regions an edit touches.
 *
 * Error recovery is line based, because every statement starts on its own line:
 * a bad statement yields one diagnostic and the parser resumes at the next line
 * (skipping a whole `{ … }` group the bad line opened). Brace groups are skipped
 * iteratively, so deep nesting cannot overflow the stack.
 */
import { lex, type Comment, type Token, type TokenKind } from './lexer';
import {
  STATEMENT_KEYWORDS,
  type Block,
  type Region,
  type CpuidStatement,
  type Edit,
  type MachineDecl,
  type MigrateStatement,
  type Name,
  type Statement,
  type StatementKeyword,
  type StringLiteral,
  type SyntaxDiagnostic,
  type SyntaxTree,
  type TreeChange,
} from './ast';
import { placed, type Anchor } from './placed';

const KEYWORD_SET: ReadonlySet<string> = new Set(STATEMENT_KEYWORDS);

export function parse(text: string): SyntaxTree {
  return treeOf(text, parseRegions(text, 0, text.length));
}

/** A tree from its regions (flat lists are their concatenation). */
let serials = 0;

export function treeOf(text: string, regions: Region[], changes: readonly TreeChange[] = []): SyntaxTree {
  const machines: MachineDecl[] = [];
  const comments: Comment[] = [];
  const diagnostics: SyntaxDiagnostic[] = [];
  for (const r of regions) {
    for (const m of r.machines) machines.push(m);
    for (const c of r.comments) comments.push(c);
    for (const d of r.diagnostics) diagnostics.push(d);
  }
  return { text, machines, comments, diagnostics, regions, serial: ++serials, changes };
}

/**
 * Parses `text[from, to)`, which must start at a line start and end at a line start
 * (or the end of the text), into regions. A region starts at `from` and at the start
 * of every line whose first token is the word `machine`.
 */
export function parseRegions(text: string, from: number, to: number): Region[] {
  const { tokens, comments } = lex(text, from, to);
  if (to <= from) return [];
  // Token index and offset where each region starts; the first starts at `from`.
  const starts = [0];
  const offsets = [from];
  for (let k = 1; k < tokens.length - 1; k++) {
    const t = tokens[k];
    if (t.kind === 'word' && t.text === 'machine' && tokens[k - 1].kind === 'newline') {
      starts.push(k);
      offsets.push(tokens[k - 1].end);
    }
  }
  const regions: Region[] = [];
  let c = 0;
  for (let r = 0; r < starts.length; r++) {
    const start = offsets[r];
    const end = r + 1 < starts.length ? offsets[r + 1] : to;
    const regionTokens = tokens.slice(starts[r], r + 1 < starts.length ? starts[r + 1] : tokens.length - 1);
    regionTokens.push({ kind: 'eof', start: end, end, text: '' });
    // Made first: its nodes count their offsets from its start (syntax/placed.ts).
    const region: Region = { start, end, machines: [], comments: [], diagnostics: [] };
    for (; c < comments.length && comments[c].start < end; c++) {
      const { start: from, end: to, body, ownLine } = comments[c];
      region.comments.push(placed<Comment>(region, from, to, { body, ownLine }));
    }
    const parsed = new Parser(regionTokens, region).parseRegion();
    region.machines = parsed.machines;
    region.diagnostics = parsed.diagnostics;
    regions.push(fitted(region));
  }
  return regions;
}

/**
 * The region with its lists copied to their exact size. A list grown by `push` keeps room
 * for 16 or more items, and most of a tree's lists hold one to three: across a workspace's
 * trees that spare room was several MB (docs/performance.md).
 */
function fitted(region: Region): Region {
  region.machines = fit(region.machines);
  region.comments = fit(region.comments);
  region.diagnostics = fit(region.diagnostics);
  for (const m of region.machines) {
    m.statements = fit(m.statements);
    for (const st of m.statements) {
      if (st.kind === 'cpuid') {
        st.models = fit(st.models);
        st.edits = fit(st.edits);
      } else if (st.kind === 'migrate') st.msrs = fit(st.msrs);
      else if (st.kind === 'host-kernel-provides') st.features = fit(st.features);
    }
  }
  return region;
}

function fit<T>(list: T[]): T[] {
  return list.length ? list.slice() : list;
}

/** A statement's own fields, per kind (the keyword and span come from its start). */
type StatementFields<T> = T extends Statement ? Omit<T, 'start' | 'end' | 'keyword'> : never;

class Parser {
  private pos = 0;
  private readonly diagnostics: SyntaxDiagnostic[] = [];

  constructor(
    private readonly tokens: Token[],
    private readonly region: Anchor,
  ) {}

  /** A node of this region (syntax/placed.ts). */
  private node<T extends { start: number; end: number }>(start: number, end: number, fields: Omit<T, 'start' | 'end'>): T {
    return placed<T>(this.region, start, end, fields);
  }

  /** A statement at its keyword's span (widened later to its last token). */
  private statement<T extends Statement = Statement>(base: { keyword: Name; start: number; end: number }, fields: StatementFields<T>): T {
    return this.node<T>(base.start, base.end, { keyword: base.keyword, ...fields } as unknown as Omit<T, 'start' | 'end'>);
  }

  private span(start: number, end: number): { start: number; end: number } {
    return placed(this.region, start, end, {});
  }

  parseRegion(): { machines: MachineDecl[]; diagnostics: SyntaxDiagnostic[] } {
    const machines: MachineDecl[] = [];
    for (;;) {
      this.skipNewlines();
      const token = this.peek();
      if (token.kind === 'eof') break;
      if (this.isWord(token, 'machine')) {
        machines.push(this.parseMachine());
      } else if (token.kind === 'word') {
        this.report('MT002', token, `unknown keyword '${token.text}': a file holds 'machine' declarations`, {
          word: token.text,
          expected: ['machine'],
        });
        this.skipLine();
      } else if (token.kind === '}') {
        this.report('MT001', token, "unexpected '}' with no open machine");
        this.next();
      } else {
        this.reportUnexpected(token, "expected 'machine'");
        this.skipLine();
      }
    }
    return { machines, diagnostics: this.diagnostics };
  }

  // ---- machines -----------------------------------------------------------

  private parseMachine(): MachineDecl {
    const keyword = this.name(this.next());
    const machine = this.node<MachineDecl>(keyword.start, keyword.end, { keyword, statements: [] });
    const nameToken = this.peek();
    if (nameToken.kind === 'word' && !this.isWord(nameToken, 'extends')) {
      machine.name = this.name(this.next());
    } else {
      this.reportAt('MT001', keyword.end, "expected a machine name after 'machine'");
    }
    if (this.isWord(this.peek(), 'extends')) {
      machine.extendsKeyword = this.name(this.next());
      if (this.peek().kind === 'word') machine.base = this.name(this.next());
      else this.reportAt('MT001', machine.extendsKeyword.end, "expected a base machine name after 'extends'");
    }
    this.trailingJunk(['{']);
    machine.end = this.lastEnd();
    // The opening brace may sit on the next line.
    const save = this.pos;
    this.skipNewlines();
    let innerUnclosed = false;
    let body: Block;
    if (this.peek().kind === '{') {
      const open = this.next();
      body = this.node<Block>(open.start, open.end, { open: this.span(open.start, open.end) });
    } else {
      this.pos = save;
      this.reportAt('MT001', machine.end, `expected '{' to open machine '${machine.name?.text ?? ''}'`);
      const t = this.peekPastNewlines();
      if (t.kind !== 'word' || !KEYWORD_SET.has(t.text)) return machine;
      // The statements follow anyway: parse them, and don't also complain about the '}'.
      body = this.node<Block>(machine.end, machine.end, { open: this.span(machine.end, machine.end) });
      innerUnclosed = true;
    }
    machine.body = body;
    for (;;) {
      this.skipNewlines();
      const token = this.peek();
      if (token.kind === '}') {
        this.next();
        body.close = this.span(token.start, token.end);
        break;
      }
      if (token.kind === 'eof' || (this.isWord(token, 'machine') && this.atLineStart())) {
        if (!innerUnclosed) {
          this.report('MT001', body.open, `machine '${machine.name?.text ?? ''}' is missing its closing '}'`);
        }
        break;
      }
      const statement = this.parseStatement();
      if (statement) {
        machine.statements.push(statement);
        if (('block' in statement) && statement.block && !statement.block.close) innerUnclosed = true;
      }
    }
    body.end = this.lastEnd();
    machine.end = body.end;
    return machine;
  }

  // ---- statements ---------------------------------------------------------

  /** Parses one statement line; returns undefined (after one diagnostic) when it is not one. */
  private parseStatement(): Statement | undefined {
    const token = this.peek();
    if (token.kind !== 'word') {
      this.reportUnexpected(token, 'expected a statement');
      this.skipLine();
      return undefined;
    }
    if (!KEYWORD_SET.has(token.text)) {
      this.report('MT002', token, `unknown statement keyword '${token.text}'`, {
        word: token.text,
        expected: STATEMENT_KEYWORDS,
      });
      this.skipLine();
      return undefined;
    }
    const keyword = this.name(this.next());
    const kind = keyword.text as StatementKeyword;
    const reported = this.diagnostics.length;
    const statement = this.parseStatementBody(kind, keyword);
    statement.end = Math.max(statement.end, this.lastEnd());
    // A statement that already reported its error skips the rest of its line quietly.
    if (this.diagnostics.length > reported) {
      if (!this.atLineStart()) this.skipLine(['}']);
    }
    else this.trailingJunk(['}']);
    return statement;
  }

  private parseStatementBody(kind: StatementKeyword, keyword: Name): Statement {
    const base = { keyword, start: keyword.start, end: keyword.end };
    switch (kind) {
      case 'qemu':
        return this.statement(base, { kind, version: this.expectWord(keyword, 'a QEMU release after \'qemu\' (e.g. 2.12)') });
      case 'accel': {
        const value = this.expectWord(keyword, "'kvm' or 'tcg' after 'accel'");
        if (value && value.text !== 'kvm' && value.text !== 'tcg') {
          this.report('MT001', value, `'accel' takes 'kvm' or 'tcg', not '${value.text}'`);
        }
        return this.statement(base, { kind, value });
      }
      case 'cpu':
        return this.statement(base, { kind, model: this.expectWord(keyword, "a CPU model after 'cpu'") });
      case 'alias':
        return this.statement(base, { kind, name: this.expectWord(keyword, "a machine name after 'alias'") });
      case 'follows-host':
        return this.statement(base, { kind });
      case 'tsc-frequency':
        return this.statement(base, { kind, value: this.expectWord(keyword, "a frequency in Hz after 'tsc-frequency' (e.g. 2400000000)") });
      case 'deprecated': {
        const t = this.peek();
        return this.statement(base, { kind, reason: t.kind === 'string' ? this.string(this.next()) : undefined });
      }
      case 'description': {
        const t = this.peek();
        if (t.kind === 'string') return this.statement(base, { kind, text: this.string(this.next()) });
        this.reportAt('MT001', keyword.end, "expected a quoted string after 'description'");
        return this.statement(base, { kind });
      }
      case 'host-kernel':
        return this.parseHostKernel(base);
      case 'cpuid':
        return this.parseCpuid(base);
      case 'migrate':
        return this.parseMigrate(base);
      case 'compat':
        return this.parseCompat(base);
    }
  }

  private parseHostKernel(base: { keyword: Name; start: number; end: number }): Statement {
    if (this.isWord(this.peek(), 'provides')) {
      const provides = this.name(this.next());
      const features: Name[] = [];
      while (this.peek().kind === 'word') {
        features.push(this.name(this.next()));
        if (this.peek().kind === ',') this.next();
      }
      if (features.length === 0) this.reportAt('MT001', provides.end, "expected feature names after 'host-kernel provides'");
      return this.statement(base, { kind: 'host-kernel-provides', provides, features });
    }
    if (this.peek().kind === '>=') {
      const op = this.next();
      const min = this.expectWordAfter(op.end, "a kernel version after '>=' (e.g. 3.10)");
      return this.statement(base, { kind: 'host-kernel', form: 'min', min });
    }
    const min = this.expectWord(base.keyword, "'>= VERSION' or 'MIN .. MAX' after 'host-kernel'");
    if (!min) return this.statement(base, { kind: 'host-kernel', form: 'min' });
    if (this.peek().kind !== '..') {
      this.reportAt('MT001', min.end, "expected '..' between the kernel versions (or write 'host-kernel >= VERSION')");
      return this.statement(base, { kind: 'host-kernel', form: 'range', min });
    }
    const dots = this.next();
    const max = this.expectWordAfter(dots.end, "a kernel version after '..'");
    return this.statement(base, { kind: 'host-kernel', form: 'range', min, max });
  }

  private parseCpuid(base: { keyword: Name; start: number; end: number }): CpuidStatement {
    const statement = this.statement<CpuidStatement>(base, { kind: 'cpuid', models: [], edits: [] });
    if (this.isWord(this.peek(), 'for')) {
      statement.forKeyword = this.name(this.next());
      for (;;) {
        const t = this.peek();
        if (t.kind === 'word') statement.models.push(this.name(this.next()));
        else break;
        if (this.peek().kind === ',') this.next();
      }
      if (statement.models.length === 0) {
        this.reportAt('MT001', statement.forKeyword.end, "expected a CPU model after 'cpuid for'");
      }
      if (this.peek().kind !== '{') {
        this.reportAt('MT001', this.lastEnd(), "expected '{' with the edits for these models");
        return statement;
      }
    }
    if (this.peek().kind === '{') {
      statement.block = this.parseBlock((t) => this.parseEdit(t, statement.edits), 'edits');
      return statement;
    }
    // Edits on the statement's own line: `cpuid +x2apic -kvm-steal-time`.
    const reported = this.diagnostics.length;
    while ((this.peek().kind === '+' || this.peek().kind === '-') && this.diagnostics.length === reported) this.parseEdit(this.peek(), statement.edits);
    if (statement.edits.length === 0 && this.diagnostics.length === reported) {
      this.reportAt('MT001', base.keyword.end, "expected '+FEATURE', '-FEATURE' or '{' after 'cpuid'");
    }
    return statement;
  }

  /** Parses one `+feature` / `-feature`; returns false when the token is not an edit. */
  private parseEdit(token: Token, into: Edit[]): boolean {
    if (token.kind !== '+' && token.kind !== '-') {
      if (token.kind === 'word') {
        this.report('MT001', token, `'${token.text}' needs a sign: '+${token.text}' whitelists it, '-${token.text}' masks it`);
      } else {
        this.reportUnexpected(token, "expected '+FEATURE' or '-FEATURE'");
      }
      return false;
    }
    this.next();
    const feature = this.peek();
    if (feature.kind !== 'word' || feature.start !== token.end) {
      this.reportAt('MT001', token.end, `expected a feature name right after '${token.kind}'`);
      return true;
    }
    this.next();
    into.push(this.node<Edit>(token.start, feature.end, { sign: token.kind, feature: this.name(feature) }));
    return true;
  }

  private parseMigrate(base: { keyword: Name; start: number; end: number }): MigrateStatement {
    const statement = this.statement<MigrateStatement>(base, { kind: 'migrate', msrs: [] });
    const parseMsr = (t: Token): boolean => {
      if (t.kind === 'word') {
        statement.msrs.push(this.name(this.next()));
        if (this.peek().kind === ',') this.next();
        return true;
      }
      this.reportUnexpected(t, 'expected an MSR name or index');
      return false;
    };
    if (this.peek().kind === '{') {
      statement.block = this.parseBlock(parseMsr, 'MSRs');
      return statement;
    }
    while (this.peek().kind === 'word') parseMsr(this.peek());
    if (statement.msrs.length === 0) {
      this.reportAt('MT001', base.keyword.end, "expected MSR names, indexes or '{' after 'migrate'");
    }
    return statement;
  }

  private parseCompat(base: { keyword: Name; start: number; end: number }): Statement {
    const target = this.peek();
    if (target.kind !== 'word') {
      this.reportAt('MT001', base.keyword.end, "expected DRIVER.PROPERTY after 'compat'");
      return this.statement(base, { kind: 'compat' });
    }
    this.next();
    const dot = target.text.indexOf('.');
    if (dot <= 0 || dot === target.text.length - 1) {
      this.report('MT001', target, `expected DRIVER.PROPERTY, found '${target.text}'`);
      return this.statement(base, { kind: 'compat' });
    }
    const driver = this.node<Name>(target.start, target.start + dot, { text: target.text.slice(0, dot) });
    const property = this.node<Name>(target.start + dot + 1, target.end, { text: target.text.slice(dot + 1) });
    if (this.peek().kind !== '=') {
      this.reportAt('MT001', target.end, "expected '=' and a value after the compat property");
      return this.statement(base, { kind: 'compat', driver, property });
    }
    const eq = this.next();
    const v = this.peek();
    let value: Name | StringLiteral | undefined;
    if (v.kind === 'word') value = this.name(this.next());
    else if (v.kind === 'string') value = this.string(this.next());
    else this.reportAt('MT001', eq.end, "expected a value after '='");
    return this.statement(base, { kind: 'compat', driver, property, value });
  }

  /**
   * Parses `{ item* }` where items may span lines. A `machine` keyword at the
   * start of a line ends an unclosed block, so a missing '}' costs one diagnostic.
   */
  private parseBlock(item: (t: Token) => boolean, what: string): Block {
    const open = this.next();
    const block = this.node<Block>(open.start, open.end, { open: this.span(open.start, open.end) });
    for (;;) {
      this.skipNewlines();
      const t = this.peek();
      if (t.kind === '}') {
        this.next();
        block.close = this.span(t.start, t.end);
        break;
      }
      if (t.kind === 'eof' || (this.isWord(t, 'machine') && this.atLineStart()) || (t.kind === 'word' && KEYWORD_SET.has(t.text) && this.atLineStart())) {
        this.report('MT001', block.open, `this block of ${what} is missing its closing '}'`);
        break;
      }
      if (!item(t)) this.skipInBlock();
    }
    block.end = this.lastEnd();
    return block;
  }

  // ---- helpers ------------------------------------------------------------

  private expectWord(after: Name, what: string): Name | undefined {
    return this.expectWordAfter(after.end, what);
  }

  private expectWordAfter(offset: number, what: string): Name | undefined {
    const t = this.peek();
    if (t.kind === 'word') return this.name(this.next());
    this.reportAt('MT001', offset, `expected ${what}`);
    return undefined;
  }

  /** Anything left on the statement's line is an error; one diagnostic, then skip. */
  private trailingJunk(allowed: TokenKind[]): void {
    const t = this.peek();
    if (t.kind === 'newline' || t.kind === 'eof' || allowed.includes(t.kind)) return;
    this.reportUnexpected(t, 'expected the end of the line');
    this.skipLine(allowed);
  }

  private reportUnexpected(token: Token, expected: string): void {
    if (token.kind === 'invalid') {
      this.report('MT001', token, `unexpected character${token.text.length > 1 ? 's' : ''} '${token.text}'`);
    } else if (token.kind === 'string' && token.unterminated) {
      this.report('MT001', token, 'unterminated string: add the closing \'"\'');
    } else {
      const shown = token.kind === 'newline' ? 'end of line' : token.kind === 'eof' ? 'end of file' : `'${token.text}'`;
      this.report('MT001', token, `${expected}, found ${shown}`);
    }
  }

  /**
   * Skips to the end of the current line. A '{' opened on the line is skipped to
   * its matching '}' (nesting counted, not recursed), but never past a line that
   * starts with `machine`: the damage of an unclosed group stays in its region.
   * Stops before a token kind in `stopBefore` when no group is open.
   */
  private skipLine(stopBefore: TokenKind[] = []): void {
    let depth = 0;
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof') return;
      if (depth > 0 && this.isWord(t, 'machine') && this.atLineStart()) return;
      if (depth === 0 && (t.kind === 'newline' || stopBefore.includes(t.kind))) return;
      if (t.kind === '{') depth++;
      else if (t.kind === '}') {
        if (depth === 0) return;
        depth--;
      }
      this.next();
    }
  }

  /** Inside a block: skip the rest of the line but never past the block's '}'. */
  private skipInBlock(): void {
    for (;;) {
      const t = this.peek();
      if (t.kind === 'eof' || t.kind === 'newline' || t.kind === '}') return;
      this.next();
      if (t.kind === '+' || t.kind === '-') return;
    }
  }

  private skipNewlines(): void {
    while (this.tokens[this.pos].kind === 'newline') this.pos++;
  }

  private peekPastNewlines(): Token {
    let i = this.pos;
    while (this.tokens[i].kind === 'newline') i++;
    return this.tokens[i];
  }

  private atLineStart(): boolean {
    return this.pos === 0 || this.tokens[this.pos - 1].kind === 'newline';
  }

  private peek(): Token {
    return this.tokens[this.pos];
  }

  private next(): Token {
    const t = this.tokens[this.pos];
    if (t.kind !== 'eof') this.pos++;
    return t;
  }

  private lastEnd(): number {
    for (let i = this.pos - 1; i >= 0; i--) if (this.tokens[i].kind !== 'newline') return this.tokens[i].end;
    return 0;
  }

  private isWord(t: Token, text: string): boolean {
    return t.kind === 'word' && t.text === text;
  }

  private name(t: Token): Name {
    return this.node<Name>(t.start, t.end, { text: intern(t.text) });
  }

  private string(t: Token): StringLiteral {
    if (t.unterminated) this.report('MT001', t, 'unterminated string: add the closing \'"\'');
    return this.node<StringLiteral>(t.start, t.end, { value: t.value ?? '' });
  }

  private report(code: 'MT001' | 'MT002', span: { start: number; end: number }, message: string, extra?: Partial<SyntaxDiagnostic>): void {
    this.diagnostics.push(this.node<SyntaxDiagnostic>(span.start, span.end, { code, message, ...extra }));
  }

  private reportAt(code: 'MT001' | 'MT002', offset: number, message: string): void {
    // A zero-width error is invisible in editors; widen it to the next character when there is one.
    const t = this.peek();
    const end = t.kind !== 'eof' && t.kind !== 'newline' ? t.end : offset;
    const start = t.kind !== 'eof' && t.kind !== 'newline' ? t.start : offset;
    this.diagnostics.push(this.node<SyntaxDiagnostic>(start, end, { code, message }));
  }
}

/**
 * One string per distinct name: a workspace's trees hold ~100,000 names (features, models,
 * machines) but only a few thousand distinct ones, and each token's text is its own copy
 * (syntax/lexer.ts). Bounded, so names typed and dropped while editing cannot pile up.
 */
const names = new Map<string, string>();
const MAX_NAMES = 50_000;

function intern(text: string): string {
  const known = names.get(text);
  if (known !== undefined) return known;
  if (names.size >= MAX_NAMES) names.clear();
  names.set(text, text);
  return text;
}
