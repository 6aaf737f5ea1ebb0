/**
 * Feature names in the machine's own edits: MT100 unknown, MT101 alias spelling,
 * MT102 edited twice, MT104 newer than the QEMU release (MT103, a dependency missing
 * from the effective CPUID: checks/dependencies.ts).
 */
import { featureWithLocation } from '../kb/describe';
import { causeAt, type FixIntent } from '../common/diagnostic';
import type { Edit } from '../syntax/ast';
import type { MachineCheck } from './context';
import { setByRelease } from './release-names';
import type { EditTouch } from './reuse';
import { nameInRelease, spellingDates, type NameInRelease } from './release-names';
import type { FeatureRecord } from '../kb/types';
import type { Origin } from '../model/resolve';
import { mapped } from '../common/arrays';

export const checkFeatureNames: MachineCheck = (ctx, report) => {
  const { kb } = ctx;
  const qemu = ctx.qemu;
  // MT102: the same bit twice within one scope (global, or one `cpuid for` list).
  const seen = new Map<string, Edit>();
  // An own edit's origin names the cause of its MT104, which machines extending this one share.
  const ownEdits = new Map<Edit, Origin>();
  for (const e of ctx.machine.edits) if (ctx.isOwn(e.origin)) ownEdits.set(e.edit, e.origin);
  for (const s of ctx.ref.decl.statements) {
    if (s.kind !== 'cpuid') continue;
    const scope = mapped(s.models, (m) => m.text).sort().join(',');
    for (const edit of s.edits) {
      const word = edit.feature.text;
      const feature = kb.feature(word);
      if (!feature) {
        const suggestions = ctx.maySuggest('feature', edit.feature.start) ? kb.suggestFeature(word) : [];
        report({
          code: 'MT100',
          message: `unknown CPUID feature '${word}'${suggestions.length ? `; did you mean ${mapped(suggestions, (x) => `'${x}'`).join(', ')}?` : ''}`,
          span: edit.feature,
          fixes: mapped(suggestions, (x, i): FixIntent => ({ kind: 'replace', title: `Change to '${x}'`, span: edit.feature, text: x, preferred: i === 0 && suggestions.length === 1 })),
        });
        continue;
      }
      if (feature.name !== word) {
        report({
          code: 'MT101',
          message: `'${word}' is another spelling of ${featureWithLocation(feature)}; write '${feature.name}'`,
          span: edit.feature,
          fixes: [{ kind: 'replace', title: `Use the canonical name '${feature.name}'`, span: edit.feature, text: feature.name, preferred: true }],
        });
      }
      const key = `${scope}|${feature.name}`;
      const earlier = seen.get(key);
      if (earlier) {
        const conflict = earlier.sign !== edit.sign;
        const did = (sign: '+' | '-') => (sign === '+' ? 'whitelisted' : 'masked');
        report({
          code: 'MT102',
          message: conflict
            ? `${feature.name} is both ${did(earlier.sign)} and ${did(edit.sign)} here in machine ${ctx.name}; the later edit wins`
            : `${feature.name} is ${did(edit.sign)} twice in machine ${ctx.name}`,
          span: edit,
          related: [{ uri: ctx.doc.uri, span: { start: earlier.start, end: earlier.end }, message: `${feature.name} is first ${did(earlier.sign)} here` }],
          fixes: [{ kind: 'remove', title: `Remove this ${edit.sign}${word}`, span: edit, preferred: !conflict }],
        });
      } else seen.set(key, edit);
      const inRelease = nameInRelease(spellingDates(feature, word), qemu);
      if (!inRelease.known && !setByRelease(ctx, feature, word)) {
        // The promise is kept by dropping the machine's own edit; raising qemu changes the release.
        const fixes: FixIntent[] = [{ kind: 'remove', title: `Drop this ${edit.sign}${word}`, span: edit, preferred: true }];
        if (inRelease.why === 'not-yet') fixes.push({ kind: 'set-qemu', title: `Raise qemu to ${inRelease.since}`, machine: ctx.name, version: inRelease.since });
        const origin = ownEdits.get(edit);
        report({ code: 'MT104', message: releaseMessage(qemu, feature, word, inRelease), span: edit.feature, fixes, cause: causeAt(origin, `${edit.sign}${word}`) });
      }
      if (feature.deprecated) {
        report({
          code: 'MT400',
          message: `feature ${feature.name} is deprecated${typeof feature.deprecated === 'string' ? `: ${feature.deprecated}` : ''}`,
          span: edit.feature,
          tags: ['deprecated'],
        });
      }
    }
  }
};

/** An inherited edit matters to MT104 only when its release rejects the name (whatever its sign: a first mask hides a later whitelist). */
export const inheritedNamesEditTouch: EditTouch = (e, ctx) => {
  const word = e.edit.feature.text;
  const feature = ctx.kb.feature(word);
  return !!feature && !nameInRelease(spellingDates(feature, word), ctx.qemu).known && !setByRelease(ctx, feature, word);
};

/** MT104 for edits the machine inherits: the base's names must exist in this machine's release too. */
export const checkInheritedFeatureNames: MachineCheck = (ctx, report) => {
  const qemu = ctx.qemu;
  const seen = new Set<string>();
  for (const e of ctx.machine.edits) {
    if (ctx.isOwn(e.origin)) continue;
    const word = e.edit.feature.text;
    const feature = ctx.kb.feature(word);
    if (!feature || seen.has(word)) continue;
    seen.add(word);
    // An inherited mask of a bit the release does not have yet changes nothing.
    if (e.edit.sign === '-') continue;
    const inRelease = nameInRelease(spellingDates(feature, word), qemu);
    if (inRelease.known || setByRelease(ctx, feature, word)) continue;
    const where = ctx.place(e.origin, `${e.edit.sign}${word} is inherited from here`, `${e.edit.sign}${word}`);
    report({
      code: 'MT104',
      message: `${ctx.name} inherits ${e.edit.sign}${word} from ${e.origin.machine}, but ${releaseMessage(qemu, feature, word, inRelease)}`,
      ...where,
      fixes: inRelease.why === 'not-yet' ? [{ kind: 'set-qemu', title: `Raise qemu to ${inRelease.since}`, machine: ctx.name, version: inRelease.since, preferred: true }] : [],
    });
  }
};

function releaseMessage(qemu: string, feature: FeatureRecord, word: string, r: Exclude<NameInRelease, { known: true }>): string {
  const what = word === feature.name ? featureWithLocation(feature) : `the spelling '${word}' of ${featureWithLocation(feature)}`;
  return r.why === 'not-yet'
    ? `QEMU ${qemu} does not know ${what}: it first appeared in QEMU ${r.since}`
    : `QEMU ${qemu} no longer knows ${what}: QEMU ${r.until} removed it`;
}

/** MT100/MT101 for the names of `host-kernel provides`. */
export const checkProvidedNames: MachineCheck = (ctx, report) => {
  const { kb } = ctx;
  for (const s of ctx.ref.decl.statements) {
    if (s.kind !== 'host-kernel-provides') continue;
    for (const name of s.features) {
      const feature = kb.feature(name.text);
      if (!feature) {
        const suggestions = ctx.maySuggest('feature', name.start) ? kb.suggestFeature(name.text) : [];
        report({
          code: 'MT100',
          message: `unknown CPUID feature '${name.text}'${suggestions.length ? `; did you mean ${mapped(suggestions, (x) => `'${x}'`).join(', ')}?` : ''}`,
          span: name,
          fixes: mapped(suggestions, (x, i): FixIntent => ({ kind: 'replace', title: `Change to '${x}'`, span: name, text: x, preferred: i === 0 && suggestions.length === 1 })),
        });
      } else if (feature.name !== name.text) {
        report({
          code: 'MT101',
          message: `'${name.text}' is another spelling of ${featureWithLocation(feature)}; write '${feature.name}'`,
          span: name,
          fixes: [{ kind: 'replace', title: `Use the canonical name '${feature.name}'`, span: name, text: feature.name, preferred: true }],
        });
      }
    }
  }
};
