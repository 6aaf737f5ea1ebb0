/**
 * Semantic tokens: colours that the TextMate grammar cannot know — whether a
 * feature is whitelisted, masked or unknown to the KB, whether a machine name is
 * a declaration or an inherited base, and what is deprecated.
 *
 * The legend is part of the extension's contract: package.json declares the
 * custom types (with superTypes) and modifiers, so only ever append to it.
 */
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { ParsedDocument } from '../model/document';
import type { Workspace } from '../model/workspace';
import type { Span } from '../common/text';
import type { MachineDecl } from '../syntax/ast';

export const TOKEN_TYPES = [
  'keyword',
  'class',
  'type',
  'variable',
  'number',
  'string',
  'property',
  'enumMember',
  'whitelistFeature',
  'maskFeature',
  'unknownFeature',
] as const;
export const TOKEN_MODIFIERS = ['declaration', 'inherited', 'deprecated'] as const;

export type TokenType = (typeof TOKEN_TYPES)[number];
export type TokenModifier = (typeof TOKEN_MODIFIERS)[number];

/** Custom token types and the standard type each refines (package.json `semanticTokenTypes`). */
export const CUSTOM_TOKEN_TYPES: Record<string, { superType: TokenType; description: string }> = {
  whitelistFeature: { superType: 'variable', description: 'A CPUID bit the machine whitelists (+bit).' },
  maskFeature: { superType: 'variable', description: 'A CPUID bit the machine masks (-bit).' },
  unknownFeature: { superType: 'variable', description: 'A feature name the knowledge base does not know.' },
};

export interface SemanticToken {
  line: number;
  character: number;
  length: number;
  type: TokenType;
  modifiers: TokenModifier[];
}

export function semanticTokens(doc: ParsedDocument, workspace: Workspace, kb: KnowledgeBase): SemanticToken[] {
  const out: SemanticToken[] = [];
  const push = (span: Span | undefined, type: TokenType, modifiers: TokenModifier[] = []) => {
    if (!span || span.end <= span.start) return;
    const start = doc.lines.positionAt(span.start);
    // Tokens never span lines; names and strings are single-line by the lexer.
    out.push({ line: start.line, character: start.character, length: span.end - span.start, type, modifiers });
  };
  const deprecatedMachine = (name: string) => !!workspace.lookup(name)?.decl.statements.some((s) => s.kind === 'deprecated');
  for (const m of doc.tree.machines) {
    push(m.keyword, 'keyword');
    if (m.name) push(m.name, 'class', isDeprecated(m) ? ['declaration', 'deprecated'] : ['declaration']);
    push(m.extendsKeyword, 'keyword');
    if (m.base) push(m.base, 'class', deprecatedMachine(m.base.text) ? ['inherited', 'deprecated'] : ['inherited']);
    for (const s of m.statements) {
      push(s.keyword, 'keyword');
      switch (s.kind) {
        case 'qemu':
          push(s.version, 'number');
          break;
        case 'host-kernel':
          push(s.min, 'number');
          push(s.max, 'number');
          break;
        case 'host-kernel-provides':
          push(s.provides, 'keyword');
          for (const name of s.features) {
            const f = kb.feature(name.text);
            push(name, f ? 'whitelistFeature' : 'unknownFeature', f?.deprecated ? ['deprecated'] : []);
          }
          break;
        case 'tsc-frequency':
          push(s.value, 'number');
          break;
        case 'accel':
          push(s.value, 'enumMember');
          break;
        case 'cpu':
          if (s.model) push(s.model, 'type', kb.model(s.model.text)?.deprecated ? ['deprecated'] : []);
          break;
        case 'cpuid':
          push(s.forKeyword, 'keyword');
          for (const model of s.models) push(model, 'type', kb.model(model.text)?.deprecated ? ['deprecated'] : []);
          for (const e of s.edits) {
            const f = kb.feature(e.feature.text);
            const type: TokenType = !f ? 'unknownFeature' : e.sign === '+' ? 'whitelistFeature' : 'maskFeature';
            push(e, type, f?.deprecated ? ['deprecated'] : []);
          }
          break;
        case 'migrate':
          for (const msr of s.msrs) push(msr, 'variable');
          break;
        case 'alias':
          push(s.name, 'class', ['declaration']);
          break;
        case 'deprecated':
          push(s.reason, 'string');
          break;
        case 'description':
          push(s.text, 'string');
          break;
        case 'compat':
          push(s.driver, 'property');
          push(s.property, 'property');
          if (s.value) push(s.value, 'value' in s.value ? 'string' : 'enumMember');
          break;
        case 'follows-host':
          break;
      }
    }
  }
  return out.sort((a, b) => a.line - b.line || a.character - b.character);
}

function isDeprecated(m: MachineDecl): boolean {
  return m.statements.some((s) => s.kind === 'deprecated');
}

/** LSP's relative encoding: 5 integers per token, positions relative to the previous token. */
export function encodeTokens(tokens: SemanticToken[]): number[] {
  const data: number[] = [];
  let line = 0;
  let character = 0;
  for (const t of tokens) {
    const dl = t.line - line;
    data.push(dl, dl === 0 ? t.character - character : t.character, t.length, TOKEN_TYPES.indexOf(t.type), t.modifiers.reduce((bits, m) => bits | (1 << TOKEN_MODIFIERS.indexOf(m)), 0));
    line = t.line;
    character = t.character;
  }
  return data;
}
