// A small C token reader for the KVM sources: enough structure (functions, braces,
// parentheses, statements, `if` conditions) to tell a bit KVM offers from a bit it only
// tests or clears. It does not preprocess; both sides of an #ifdef are read.

import { stripComments } from '../c-source.mjs';

/** Tokens: identifiers/numbers as words, everything else one character (or a two-char operator). */
export function tokenize(src) {
  const text = stripComments(src).replace(/^[ \t]*#.*(?:\\\n.*)*$/gm, (line) =>
    // Keep #define lines out of function bodies' token streams, but keep line count.
    line.replace(/[^\n]/g, ' '),
  );
  const tokens = [];
  const re = /([A-Za-z0-9_]+|"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|->|<<|>>|&&|\|\||[&|^+\-*/%<>!=]=|\S)/g;
  let m;
  while ((m = re.exec(text))) tokens.push(m[1]);
  return tokens;
}

/** The body tokens (without the outer braces) of every definition of function `name`. */
export function functionBodies(tokens, name) {
  const bodies = [];
  for (let i = 0; i < tokens.length; i++) {
    if (tokens[i] !== name || tokens[i + 1] !== '(') continue;
    // A definition: the parameter list closes and a `{` follows (not `;` or `,`).
    const close = matchForward(tokens, i + 1, '(', ')');
    if (close < 0 || tokens[close + 1] !== '{') continue;
    // Not a call inside an expression: the token before the name is a type word or `*`.
    const prev = tokens[i - 1];
    if (prev && !/^[A-Za-z_*]/.test(prev)) continue;
    const end = matchForward(tokens, close + 1, '{', '}');
    if (end < 0) continue;
    bodies.push(tokens.slice(close + 2, end));
    i = end;
  }
  return bodies;
}

export function matchForward(tokens, at, open, close) {
  let depth = 0;
  for (let i = at; i < tokens.length; i++) {
    if (tokens[i] === open) depth++;
    else if (tokens[i] === close && --depth === 0) return i;
  }
  return -1;
}

/**
 * Walks a function body and calls `visit(index, ctx)` for every token. ctx tells:
 * - conditional: the token runs only under a condition (inside an if/else/loop body,
 *   brace-less or not, or in a `?:` branch of its statement);
 * - parens: for each enclosing parenthesised group, the token before its `(`;
 * - caseLabel: the innermost `case` label of a switch (joined tokens), or null;
 * - statement: the tokens of the current statement before this one.
 */
export function walk(body, visit) {
  const blocks = []; // { conditional, caseLabel } per open brace
  const parens = []; // token before each open `(`
  let headClosed = false; // an if/for/while/else head ended; its body starts next
  let braceLess = 0; // brace-less conditional bodies open in this statement
  let statementStart = 0;
  let caseLabel = null;
  let ternary = false;
  for (let i = 0; i < body.length; i++) {
    const t = body[i];
    visit(i, {
      conditional: blocks.some((b) => b.conditional) || braceLess > 0 || ternary,
      parens: parens.slice(),
      caseLabel,
      statement: body.slice(statementStart, i),
    });
    if (t === '(') {
      parens.push(body[i - 1] ?? '');
    } else if (t === ')') {
      const before = parens.pop();
      if (parens.length === 0 && (before === 'if' || before === 'for' || before === 'while')) {
        if (body[i + 1] === '{') headClosed = true;
        else if (body[i + 1] !== ';') braceLess++;
      }
    } else if (t === 'else') {
      if (body[i + 1] === '{') headClosed = true;
      else if (body[i + 1] !== 'if') braceLess++;
    } else if (t === '{') {
      blocks.push({ conditional: headClosed || braceLess > 0, caseLabel });
      headClosed = false;
      braceLess = 0;
      statementStart = i + 1;
      ternary = false;
    } else if (t === '}') {
      const b = blocks.pop();
      caseLabel = b ? b.caseLabel : null;
      statementStart = i + 1;
      ternary = false;
      braceLess = 0;
    } else if (t === '?' && parens.length === 0) {
      ternary = true;
    } else if (t === ';' && parens.length === 0) {
      statementStart = i + 1;
      ternary = false;
      braceLess = 0;
    } else if ((t === 'case' || t === 'default') && parens.length === 0) {
      let j = i + 1;
      const label = [];
      while (j < body.length && body[j] !== ':') label.push(body[j++]);
      caseLabel = t === 'default' ? 'default' : label.join('');
      statementStart = j + 1;
      braceLess = 0;
    }
  }
}

/** Evaluates a small integer expression of literals, `<<`, `|`, parentheses and known names. */
export function evalInt(tokens, names = new Map()) {
  let i = 0;
  const peek = () => tokens[i];
  function primary() {
    const t = tokens[i++];
    if (t === '(') {
      const v = or();
      if (tokens[i++] !== ')') throw new Error('expected )');
      return v;
    }
    if (t === undefined) throw new Error('unexpected end');
    if ((t === 'BIT' || t === 'BIT_ULL') && tokens[i] === '(') {
      i++;
      const n = or();
      if (tokens[i++] !== ')') throw new Error('expected )');
      return 1n << n;
    }
    if (/^(0[xX][0-9a-fA-F]+|\d+)[uUlL]*$/.test(t)) return BigInt(t.replace(/[uUlL]+$/, ''));
    if (names.has(t)) return names.get(t);
    throw new Error(`unknown name ${t}`);
  }
  function mul() {
    let v = primary();
    while (peek() === '*') { i++; v *= primary(); }
    return v;
  }
  function add() {
    let v = mul();
    while (peek() === '+' || peek() === '-') v = tokens[i++] === '+' ? v + mul() : v - mul();
    return v;
  }
  function shift() {
    let v = add();
    while (peek() === '<<') { i++; v <<= add(); }
    return v;
  }
  function or() {
    let v = shift();
    while (peek() === '|') { i++; v |= shift(); }
    return v;
  }
  const v = or();
  if (i !== tokens.length) throw new Error('trailing tokens');
  return v;
}

/** `#define NAME value` lines (single-line values), comments removed. */
export function defines(src) {
  const out = new Map();
  const text = stripComments(src).replace(/\\\n/g, ' ');
  const re = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_][A-Za-z0-9_]*)(?![A-Za-z0-9_(])[ \t]*(.*)$/gm;
  let m;
  while ((m = re.exec(text))) out.set(m[1], m[2].trim());
  return out;
}
