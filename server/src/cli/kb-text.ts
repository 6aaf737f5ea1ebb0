/** Plain-text rendering of a KB record for `mtype kb NAME`. */
import type { KbRecordJson } from '../services/kb-records';

const show = (v: unknown): string => (v === null || v === undefined ? 'unknown' : Array.isArray(v) ? (v.length ? v.join(', ') : '—') : String(v));

export function formatRecordText(r: KbRecordJson): string {
  const lines: string[] = [];
  if (r.kind === 'feature') {
    const where = r.leaf === null ? `MSR ${show(r.msrIndex)} bit ${r.bit}` : `CPUID ${r.leaf}${r.subleaf === null ? '' : '.' + r.subleaf} ${r.register?.toUpperCase()}[${r.bit}]`;
    lines.push(`feature ${r.name} — ${where}`, `  ${r.description}`);
    const vendors = r.kvmSinceByVendor ? Object.entries(r.kvmSinceByVendor).map(([v, since]) => `${v === 'intel' ? 'Intel' : 'AMD'} ${since}`).join(', ') : '';
    lines.push(
      `  aliases: ${show(r.aliases)}`,
      `  QEMU since: ${show(r.qemuSince)}${r.qemuUntil ? ` (removed in ${r.qemuUntil})` : ''}`,
      `  KVM: from Linux ${show(r.kvmSince)}${vendors ? ` (${vendors})` : ''}${r.kvmStable.length ? `, or ${r.kvmStable.join(' / ')} on those stable lines` : ''}${r.kvmUntil ? ` until ${r.kvmUntil}` : ''}`,
    );
    if (r.msrs.length) lines.push(`  MSRs: ${r.msrs.map((m) => `${m.name} (${m.index}, ${m.role}, migrated since QEMU ${show(m.migratedSince)})`).join('; ')}`);
    if (r.dependsOn.length) lines.push(`  needs: ${r.dependsOn.join(', ')}`);
    if (r.unmigratable) lines.push('  blocks live migration');
    if (r.deprecated) lines.push(`  deprecated${typeof r.deprecated === 'string' ? ': ' + r.deprecated : ''}`);
  } else if (r.kind === 'msr') {
    lines.push(`MSR ${r.name} — ${r.index} (${r.role})`, `  ${r.description}`);
    lines.push(`  aliases: ${show(r.aliases)}`, `  features: ${show(r.features)}`, `  migrated under KVM since QEMU ${show(r.migratedSince)}${r.vmstateSince && r.vmstateSince !== r.migratedSince ? ` (in the migration stream since ${r.vmstateSince}: enough under TCG)` : ''}${r.stateSharedWith ? ` (state shared with ${r.stateSharedWith})` : ''}`, `  KVM saves/restores it from Linux ${show(r.kvmSince)}`);
  } else {
    lines.push(`CPU model ${r.name}${r.aliases.length ? ` (also ${r.aliases.join(', ')})` : ''}`);
    lines.push(`  QEMU since: ${show(r.qemuSince)}${r.deprecated ? `; deprecated${typeof r.deprecated === 'string' ? ': ' + r.deprecated : ''}` : ''}`);
    lines.push(r.followsHost ? '  follows the host CPU' : `  ${r.features.length} features: ${r.features.join(' ')}`);
  }
  lines.push(`  sources: ${show(r.sources)}`);
  return lines.join('\n');
}
