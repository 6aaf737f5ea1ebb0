/**
 * Version sanity: MT004 (a `qemu` that is no QEMU release the KB knows, or a host
 * kernel newer than any it knows) and MT005 (an empty host-kernel range). Only the
 * machine's own statements: an inherited one is reported where it is written.
 */
import { compareVersions, isVersion } from '../common/version';
import type { FixIntent } from '../common/diagnostic';
import type { Name } from '../syntax/ast';
import type { MachineCheck, MachineContext } from './context';
import type { Finding } from '../common/diagnostic';
import { kernelLine } from './kernel-facts';
import { mapped } from '../common/arrays';

export const checkVersions: MachineCheck = (ctx, report) => {
  for (const s of ctx.ref.decl.statements) {
    if (s.kind === 'qemu' && s.version) checkQemu(ctx, s.version, report);
    if (s.kind !== 'host-kernel') continue;
    for (const v of [s.min, s.max]) if (v) checkKernel(ctx, v, report);
    if (s.min && s.max && isVersion(s.min.text) && isVersion(s.max.text) && compareVersions(s.min.text, s.max.text) > 0) {
      report({
        code: 'MT005',
        message: `the host-kernel range ${s.min.text} .. ${s.max.text} of ${ctx.name} is empty: its first version is newer than its last`,
        span: { start: s.min.start, end: s.max.end },
        fixes: [{ kind: 'replace', title: `Swap the bounds: ${s.max.text} .. ${s.min.text}`, span: { start: s.min.start, end: s.max.end }, text: `${s.max.text} .. ${s.min.text}`, preferred: true }],
      });
    }
  }
};

function checkQemu(ctx: MachineContext, version: Name, report: (f: Finding) => void): void {
  const { kb } = ctx;
  const text = version.text;
  if (isVersion(text) && isRelease(ctx, text)) return;
  const newest = kb.newestRelease.version;
  const newer = isVersion(text) && compareVersions(text, newest) > 0;
  const { before, after } = isVersion(text) ? kb.releasesAround(text) : { before: undefined, after: undefined };
  const near = newer ? [newest] : [before?.version, after?.version].filter((v): v is string => !!v);
  // Never preferred: another release is another guest, not a narrower one, so fix-all must not pick it.
  const fixes: FixIntent[] = mapped(near, (v) => ({ kind: 'replace', title: `Change to ${v}`, span: version, text: v }));
  const mean = near.length ? `; did you mean ${near.join(' or ')}?` : '';
  report({
    code: 'MT004',
    message: !isVersion(text)
      ? `'${text}' is not a QEMU release (a version like 7.2)${mean}`
      : newer
        ? `QEMU ${text} is newer than any release the knowledge base knows (the newest is ${newest})${mean}`
        : `QEMU ${text} is no QEMU release the knowledge base knows${mean}`,
    span: version,
    fixes,
  });
}

/** A known release, or a stable point release of one (2.11.1 of 2.11). */
function isRelease(ctx: MachineContext, text: string): boolean {
  if (ctx.kb.release(text)) return true;
  const parts = text.split('.');
  return parts.length === 3 && !!ctx.kb.release(parts.slice(0, 2).join('.'));
}

function checkKernel(ctx: MachineContext, version: Name, report: (f: Finding) => void): void {
  const text = version.text;
  if (!isVersion(text)) {
    report({ code: 'MT004', message: `'${text}' is not a kernel version (a version like 5.10 or 4.19.43)`, span: version });
    return;
  }
  const newest = ctx.kb.newestKernel;
  // A point release of the newest known line (6.6.30 when 6.6 is the newest) is still known ground.
  if (newest && compareVersions(kernelLine(text), kernelLine(newest)) > 0) {
    report({ code: 'MT004', message: `Linux ${text} is newer than any kernel the knowledge base knows (the newest is ${newest}): its facts about that kernel would be guesses`, span: version });
  }
}
