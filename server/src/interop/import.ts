/**
 * `mtype import`: an outside configuration (a QEMU command line or a libvirt domain XML) as a
 * `.mtype` machine. This file picks the format and applies the caller's overrides; each format's
 * reader lives in its own room (qemu.ts, libvirt.ts).
 */
import type { KnowledgeBase } from '../kb/knowledge-base';
import { renderMtype, type ImportedMachine } from './imported';
import { importLibvirt } from './libvirt';
import { importQemu } from './qemu';

export type ImportFormat = 'qemu' | 'libvirt';

export interface ImportOptions {
  from?: ImportFormat;
  name?: string;
  qemu?: string;
}

/** XML starts with `<` once whitespace and `<!-- -->` / `#` comment lines are skipped; anything else is a command line. */
export function detectFormat(text: string): ImportFormat {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (;;) {
    while (i < text.length && /\s/.test(text[i])) i++;
    if (text[i] === '#') {
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    return text[i] === '<' ? 'libvirt' : 'qemu';
  }
}

/** `#` lines before the XML (a note an operator saved with it) become empty lines: positions stay. */
function blankLeadingComments(text: string): string {
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (/^\s*#/.test(lines[i])) lines[i] = '';
    else if (lines[i].trim() !== '') break;
  }
  return lines.join('\n');
}

/** Reads `text` and returns the machine, with known feature spellings made canonical. Throws ImportError. */
export function importMachine(text: string, kb: KnowledgeBase, options: ImportOptions = {}): ImportedMachine {
  const from = options.from ?? detectFormat(text);
  const m = from === 'libvirt' ? importLibvirt(blankLeadingComments(text), kb, { name: options.name, qemu: options.qemu }) : importQemu(text);
  if (options.name) m.name = options.name;
  if (options.qemu) m.qemu = options.qemu;
  // The .mtype language names bits canonically; an unknown name stays as written for the checker.
  m.edits = m.edits.map((e) => ({ name: kb.feature(e.name)?.name ?? e.name, on: e.on }));
  return m;
}

/** The `.mtype` text of an imported machine. */
export function importToMtype(text: string, kb: KnowledgeBase, options: ImportOptions = {}): string {
  return renderMtype(importMachine(text, kb, options));
}
