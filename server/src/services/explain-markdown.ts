/** `explain` as Markdown, for the editor's "Explain machine type" preview. */
import { featureLocation } from '../kb/describe';
import type { KnowledgeBase } from '../kb/knowledge-base';
import type { Explanation } from './explain';

export function explanationMarkdown(e: Explanation, kb: KnowledgeBase): string {
  const out: string[] = [`# machine ${e.machine}`, ''];
  out.push('| | |', '|---|---|');
  out.push(`| QEMU | ${e.qemu} |`);
  out.push(`| Host kernels | ${e.hostKernel.min ? `≥ ${e.hostKernel.min}` : 'minimum unknown'}${e.hostKernel.max ? `, ≤ ${e.hostKernel.max}` : ''} |`);
  out.push(`| Accelerator | ${e.accel} |`);
  out.push(`| CPU model | ${e.cpu}${e.followsHost ? ' (follows the host)' : ''} |`);
  out.push('', `## Enabled bits (${e.features.length})`, '', '| feature | location | source |', '|---|---|---|');
  for (const f of e.features) {
    const rec = kb.feature(f.name);
    out.push(`| \`${f.name}\` | ${rec ? featureLocation(rec) : ''} | ${f.source} |`);
  }
  if (e.masked.length) out.push('', `## Masked (${e.masked.length})`, '', e.masked.map((m) => `\`${m.name}\``).join(', '));
  if (e.msrs.length) {
    out.push('', `## MSRs (${e.msrs.length})`, '', '| MSR | index | role | migrated | used by |', '|---|---|---|---|---|');
    for (const m of e.msrs) {
      const migrated = m.role !== 'state' ? 'nothing to migrate' : m.migrated === null ? 'unknown' : m.migrated ? 'yes' : '**NO**';
      out.push(`| \`${m.name}\` | \`${m.index}\` | ${m.role} | ${migrated} | ${m.features.join(', ')} |`);
    }
  }
  return out.join('\n') + '\n';
}
