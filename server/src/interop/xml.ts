/**
 * A small, strict XML reader for libvirt domain XML: elements, attributes, text, comments,
 * CDATA, the XML declaration and processing instructions; the five predefined entities and
 * character references. No DTDs (libvirt writes none), no namespaces beyond keeping `a:b`
 * names as written. Malformed input is an `ImportError` at its 1-based line and column.
 * Several top-level elements are accepted (a fragment such as `<os/><cpu/>`).
 */
import { ImportError } from './imported';

export interface XmlElement {
  name: string;
  attributes: Map<string, string>;
  children: XmlElement[];
  /** The element's own text (not its children's), entities decoded. */
  text: string;
  line: number;
  column: number;
}

/** Nesting beyond this is not a domain XML; stopping keeps memory bounded on hostile input. */
const MAX_DEPTH = 256;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', apos: "'", quot: '"' };

export function parseXml(text: string): XmlElement[] {
  return new XmlReader(text).read();
}

class XmlReader {
  private pos = 0;
  private line = 1;
  private lineStart = 0;

  constructor(private readonly src: string) {}

  read(): XmlElement[] {
    const roots: XmlElement[] = [];
    const stack: XmlElement[] = [];
    if (this.src.charCodeAt(0) === 0xfeff) this.pos = 1; // byte-order mark
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c !== '<') {
        const start = this.here();
        const text = this.readText();
        if (stack.length) stack[stack.length - 1].text += text;
        else if (text.trim()) this.fail(start, `text outside an element: '${clip(text.trim())}'`);
        continue;
      }
      if (this.startsWith('<!--')) this.skipComment();
      else if (this.startsWith('<![CDATA[')) {
        const start = this.here();
        const data = this.readCdata();
        if (!stack.length) this.fail(start, 'CDATA outside an element');
        stack[stack.length - 1].text += data;
      } else if (this.startsWith('<?')) this.skipProcessingInstruction();
      else if (this.startsWith('<!')) this.fail(this.here(), 'DOCTYPE and other declarations are not supported in a domain XML');
      else if (this.startsWith('</')) {
        const at = this.here();
        this.advance(2);
        const name = this.readName('a closing tag name');
        this.skipSpace();
        this.expect('>', `'>' to end the closing tag </${name}`);
        const open = stack.pop();
        if (!open) this.fail(at, `closing tag </${name}> without an opening tag`);
        if (open.name !== name) this.fail(at, `closing tag </${name}> does not match <${open.name}> (line ${open.line}, column ${open.column})`);
      } else {
        const el = this.readStartTag();
        if (stack.length) stack[stack.length - 1].children.push(el.element);
        else roots.push(el.element);
        if (!el.selfClosing) {
          if (stack.length >= MAX_DEPTH) this.fail({ line: el.element.line, column: el.element.column }, `elements nested deeper than ${MAX_DEPTH}`);
          stack.push(el.element);
        }
      }
    }
    if (stack.length) {
      const open = stack[stack.length - 1];
      this.fail(this.here(), `end of input inside <${open.name}> (opened at line ${open.line}, column ${open.column})`);
    }
    if (!roots.length) this.fail(this.here(), 'no XML element in the input');
    return roots;
  }

  private readStartTag(): { element: XmlElement; selfClosing: boolean } {
    const at = this.here();
    this.advance(1);
    const name = this.readName('an element name after <');
    const element: XmlElement = { name, attributes: new Map(), children: [], text: '', line: at.line, column: at.column };
    for (;;) {
      const hadSpace = this.skipSpace();
      if (this.pos >= this.src.length) this.fail(this.here(), `end of input inside the tag <${name}`);
      if (this.startsWith('/>')) {
        this.advance(2);
        return { element, selfClosing: true };
      }
      if (this.src[this.pos] === '>') {
        this.advance(1);
        return { element, selfClosing: false };
      }
      if (!hadSpace) this.fail(this.here(), `expected a space, '>' or '/>' in the tag <${name}`);
      const attrAt = this.here();
      const attr = this.readName(`an attribute name, '>' or '/>' in the tag <${name}`);
      this.skipSpace();
      this.expect('=', `'=' after the attribute ${attr}`);
      this.skipSpace();
      const value = this.readAttributeValue(attr);
      if (element.attributes.has(attr)) this.fail(attrAt, `attribute ${attr} given twice in <${name}>`);
      element.attributes.set(attr, value);
    }
  }

  private readAttributeValue(attr: string): string {
    const quote = this.src[this.pos];
    if (quote !== '"' && quote !== "'") this.fail(this.here(), `expected a quoted value for the attribute ${attr}`);
    this.advance(1);
    let out = '';
    for (;;) {
      if (this.pos >= this.src.length) this.fail(this.here(), `end of input in the value of the attribute ${attr}`);
      const c = this.src[this.pos];
      if (c === quote) {
        this.advance(1);
        return out;
      }
      if (c === '<') this.fail(this.here(), `'<' in the value of the attribute ${attr}`);
      if (c === '&') out += this.readEntity();
      else {
        out += c;
        this.advance(1);
      }
    }
  }

  private readText(): string {
    let out = '';
    while (this.pos < this.src.length && this.src[this.pos] !== '<') {
      if (this.src[this.pos] === '&') out += this.readEntity();
      else {
        out += this.src[this.pos];
        this.advance(1);
      }
    }
    return out;
  }

  private readEntity(): string {
    const at = this.here();
    const end = this.src.indexOf(';', this.pos);
    if (end < 0 || end - this.pos > 12) this.fail(at, "'&' that starts no entity (write &amp;)");
    const body = this.src.slice(this.pos + 1, end);
    let value: string | undefined;
    if (body.startsWith('#x') || body.startsWith('#X')) value = codePoint(parseHex(body.slice(2)));
    else if (body.startsWith('#')) value = codePoint(parseDecimal(body.slice(1)));
    else value = ENTITIES[body];
    if (value === undefined) this.fail(at, `unknown entity &${body};`);
    this.advance(end + 1 - this.pos);
    return value;
  }

  private skipComment(): void {
    const at = this.here();
    const end = this.src.indexOf('-->', this.pos + 4);
    if (end < 0) this.fail(at, "comment without its closing '-->'");
    if (this.src.slice(this.pos + 4, end).includes('--')) this.fail(at, "'--' inside a comment");
    this.advance(end + 3 - this.pos);
  }

  private readCdata(): string {
    const at = this.here();
    const end = this.src.indexOf(']]>', this.pos);
    if (end < 0) this.fail(at, "CDATA section without its closing ']]>'");
    const data = this.src.slice(this.pos + 9, end);
    this.advance(end + 3 - this.pos);
    return data;
  }

  private skipProcessingInstruction(): void {
    const at = this.here();
    const end = this.src.indexOf('?>', this.pos + 2);
    if (end < 0) this.fail(at, "processing instruction without its closing '?>'");
    this.advance(end + 2 - this.pos);
  }

  private readName(what: string): string {
    const start = this.pos;
    while (this.pos < this.src.length && isNameChar(this.src[this.pos], this.pos === start)) this.pos++;
    if (this.pos === start) this.fail(this.here(), `expected ${what}`);
    return this.src.slice(start, this.pos);
  }

  /** Skips white space (counting lines); true when there was some. */
  private skipSpace(): boolean {
    const start = this.pos;
    while (this.pos < this.src.length) {
      const c = this.src[this.pos];
      if (c !== ' ' && c !== '\t' && c !== '\r' && c !== '\n') break;
      this.advance(1);
    }
    return this.pos > start;
  }

  private expect(c: string, what: string): void {
    if (this.src[this.pos] !== c) this.fail(this.here(), `expected ${what}`);
    this.advance(1);
  }

  private startsWith(s: string): boolean {
    return this.src.startsWith(s, this.pos);
  }

  private advance(n: number): void {
    const end = this.pos + n;
    for (; this.pos < end; this.pos++) {
      if (this.src[this.pos] === '\n') {
        this.line++;
        this.lineStart = this.pos + 1;
      }
    }
  }

  private here(): { line: number; column: number } {
    return { line: this.line, column: this.pos - this.lineStart + 1 };
  }

  private fail(at: { line: number; column: number }, message: string): never {
    throw new ImportError(at.line, at.column, message);
  }
}

function isNameChar(c: string, first: boolean): boolean {
  const code = c.charCodeAt(0);
  const letter = (code >= 65 && code <= 90) || (code >= 97 && code <= 122) || c === '_' || c === ':' || code > 127;
  if (first) return letter;
  return letter || (code >= 48 && code <= 57) || c === '-' || c === '.';
}

function parseHex(s: string): number {
  if (!s.length || s.length > 6) return NaN;
  let n = 0;
  for (const c of s.toLowerCase()) {
    const d = '0123456789abcdef'.indexOf(c);
    if (d < 0) return NaN;
    n = n * 16 + d;
  }
  return n;
}

function parseDecimal(s: string): number {
  if (!s.length || s.length > 7) return NaN;
  let n = 0;
  for (const c of s) {
    const d = c.charCodeAt(0) - 48;
    if (d < 0 || d > 9) return NaN;
    n = n * 10 + d;
  }
  return n;
}

function codePoint(n: number): string | undefined {
  if (!Number.isFinite(n) || n === 0 || n > 0x10ffff || (n >= 0xd800 && n <= 0xdfff)) return undefined;
  return String.fromCodePoint(n);
}

function clip(s: string): string {
  return s.length > 30 ? s.slice(0, 30) + '…' : s;
}

/** The element's children of one name. */
export function childrenNamed(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/** The first child of one name. */
export function child(el: XmlElement, name: string): XmlElement | undefined {
  return el.children.find((c) => c.name === name);
}
