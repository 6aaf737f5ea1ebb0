/**
 * The .mtype lexer: one pass, no regular expressions on user text (no backtracking
 * risk), every token with its exact span. Line breaks are tokens because every
 * statement starts on its own line; comments are kept on the side for suppression
 * comments and layout-preserving edits.
 */
import type { Span } from '../common/text';

export type TokenKind =
  | 'word'
  | 'string'
  | '{'
  | '}'
  | '+'
  | '-'
  | ','
  | '='
  | '>='
  | '..'
  | 'newline'
  | 'invalid'
  | 'eof';

export interface Token extends Span {
  kind: TokenKind;
  /** The source text; for strings, the decoded value is in `value`. */
  text: string;
  /** Decoded string value (strings only). */
  value?: string;
  /** Set on a string that reached the end of the line without its closing quote. */
  unterminated?: boolean;
}

export interface Comment extends Span {
  /** Text after the '#', untrimmed. */
  body: string;
  /** True when nothing but whitespace precedes the comment on its line. */
  ownLine: boolean;
}

export interface LexResult {
  tokens: Token[];
  comments: Comment[];
}

function isWordStart(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
}

function isWordPart(c: number): boolean {
  return isWordStart(c) || c === 46 /* . */ || c === 45 /* - */;
}

/**
 * `text.slice(start, end)` that does not keep `text` alive. V8 makes a slice of 13
 * or more characters a view into the whole source, so a name or message that
 * outlives its document (in a cache) would keep every old version of the file in
 * memory; short slices are copies already. Concatenation forces a fresh flat string.
 */
function ownCopy(text: string, start: number, end: number): string {
  return end - start < 13 ? text.slice(start, end) : (' ' + text.slice(start, end)).slice(1);
}

/**
 * Lexes `text[from, to)` with offsets into the whole text. Tokens never span a line
 * break, so lexing a range that starts at a line start gives exactly the tokens a
 * whole-text lex gives there (the incremental parser relies on it).
 */
export function lex(text: string, from = 0, to = text.length): LexResult {
  const tokens: Token[] = [];
  const comments: Comment[] = [];
  const n = to;
  let i = from;
  let lineHasToken = false;
  const push = (kind: TokenKind, start: number, end: number, extra?: Partial<Token>) => {
    tokens.push({ kind, start, end, text: ownCopy(text, start, end), ...extra });
    lineHasToken = kind !== 'newline';
  };

  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === 32 || c === 9 || c === 0xfeff || c === 12 || c === 11) {
      i++;
    } else if (c === 10 || c === 13) {
      const start = i;
      i += c === 13 && text.charCodeAt(i + 1) === 10 ? 2 : 1;
      push('newline', start, i);
    } else if (c === 35 /* # */) {
      const start = i;
      while (i < n && text.charCodeAt(i) !== 10 && text.charCodeAt(i) !== 13) i++;
      comments.push({ start, end: i, body: ownCopy(text, start + 1, i), ownLine: !lineHasToken });
    } else if (isWordStart(c)) {
      const start = i;
      i++;
      while (i < n && isWordPart(text.charCodeAt(i))) {
        // "3.2..4.19": a word stops before '..' so ranges lex as VERSION '..' VERSION.
        if (text.charCodeAt(i) === 46 && text.charCodeAt(i + 1) === 46) break;
        i++;
      }
      push('word', start, i);
    } else if (c === 34 /* " */) {
      const start = i;
      i++;
      let value = '';
      let closed = false;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 10 || d === 13) break;
        if (d === 34) {
          closed = true;
          i++;
          break;
        }
        if (d === 92 /* \ */ && i + 1 < n && (text.charCodeAt(i + 1) === 34 || text.charCodeAt(i + 1) === 92)) {
          value += text[i + 1];
          i += 2;
          continue;
        }
        value += text[i];
        i++;
      }
      push('string', start, i, closed ? { value } : { value, unterminated: true });
    } else if (c === 46 /* . */ && text.charCodeAt(i + 1) === 46) {
      push('..', i, i + 2);
      i += 2;
    } else if (c === 62 /* > */ && text.charCodeAt(i + 1) === 61) {
      push('>=', i, i + 2);
      i += 2;
    } else if (c === 123 || c === 125 || c === 43 || c === 45 || c === 44 || c === 61) {
      push(text[i] as TokenKind, i, i + 1);
      i++;
    } else {
      // One invalid token per run of unexpected characters keeps diagnostics few.
      const start = i;
      const cp = text.codePointAt(i)!;
      i += cp > 0xffff ? 2 : 1;
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === 32 || d === 9 || d === 10 || d === 13 || d === 35 || isWordStart(d) || d === 34 || d === 123 || d === 125) break;
        if (d === 43 || d === 45 || d === 44 || d === 61) break;
        i++;
      }
      push('invalid', start, i);
    }
  }
  tokens.push({ kind: 'eof', start: n, end: n, text: '' });
  return { tokens, comments };
}
