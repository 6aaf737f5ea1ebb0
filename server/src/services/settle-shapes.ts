/**
 * One small edit session, run once by the language server before it analyses the first
 * document the editor opens.
 *
 * The first edit of a document is the first time the syntax nodes' fields are written
 * after they were made: regions move (`start`), nodes are re-anchored (`$r`), folding
 * entries are replaced. V8 treats a field nobody has re-written as a constant, and code
 * optimized while opening a large file relies on that; the first keystroke then throws
 * away the optimized parser, placement and check code at once (one "code dependencies"
 * deoptimization of twenty-odd functions, seen with --trace-deopt), and the next ten to
 * twenty keystrokes run unoptimized. Doing those writes here, on a few lines and before
 * the first open document, costs 25–37 ms once and leaves nothing to throw away. (Not at
 * start: the checks and KB tables it builds cost a workspace that is only indexed ~7 MB.)
 *
 * The session uses its own Project, so nothing of it reaches a real workspace.
 */
import type { KnowledgeBase } from '../kb/knowledge-base';
import { Project } from './project';

const URI = 'mtype-warm-up:/settle.mtype';

// Two families, inheritance, per-model edits, migrate lists, comments and findings of
// several kinds, so that every kind of node and piece is moved and folded once.
const TEXT = `# settle
machine settle-a {
  qemu 2.6
  host-kernel >= 4.5
  cpu Opteron_G2-v1
  cpuid {
    +de
    +kvm-pv-eoi
    +kvm-pv-eoi
    -kvmclock   # a comment
    +svm
  }
  migrate {
    MSR_IA32_MC9_MISC
  }
}

machine settle-b extends settle-a {
  qemu 2.7
  host-kernel >= 3.10
  cpuid for Opteron_G2-v1 { +pae -fpu }
  cpuid +arat
}

machine settle-c {
  qemu 7.2
  cpu Skylake-Server
  cpuid +invtsc
}
`;

/** Runs the session; returns the number of findings after each analysis (for the tests). */
export function settleShapes(kb: KnowledgeBase): number[] {
  const project = new Project(kb, { inherited: 'once' });
  const counts: number[] = [];
  let version = 0;
  const analyse = (text: string) => {
    project.update(URI, text, ++version);
    counts.push(project.diagnosticsByMachine(URI).reduce((n, piece) => n + piece.diagnostics.length, 0));
  };
  analyse(TEXT);
  const inName = TEXT.indexOf('+de') + 2;
  const afterStatement = TEXT.indexOf('\n', TEXT.indexOf('+svm'));
  // Typing (offsets move), Enter (lines move), each undone, twice: the second time
  // meets the first one's nodes again.
  for (let round = 0; round < 2; round++) {
    for (const [at, typed] of [[inName, 'x'], [afterStatement, '\n']] as const) {
      analyse(TEXT.slice(0, at) + typed + TEXT.slice(at));
      analyse(TEXT);
    }
  }
  project.remove(URI);
  return counts;
}
