/**
 * Feature names in the machine's own edits: MT100 unknown, MT101 alias spelling,
 * MT102 edited twice, MT104 newer than the QEMU release; and MT103, a dependency
 * missing from the effective CPUID.
 */
import { compareVersions } from '../common/version';
import { featureWithLocation } from '../kb/describe';
import type { FixIntent } from '../common/diagnostic';
import type { Edit } from '../syntax/ast';
import type { MachineCheck } from './context';
import { maySuggest } from './budget';
import { dependencyCandidates } from './base-subsets';

export const checkFeatureNames: MachineCheck = (ctx, report) => {
  const { kb } = ctx;
  const qemu = ctx.qemu;
  // MT102: the same bit twice within one scope (global, or one `cpuid for` list).
  const seen = new Map<string, Edit>();
  for (const s of ctx.ref.decl.statements) {
    if (s.kind !== 'cpuid') continue;
    const scope = s.models.map((m) => m.text).sort().join(',');
    for (const edit of s.edits) {
      const word = edit.feature.text;
      const feature = kb.feature(word);
      if (!feature) {
        const suggestions = maySuggest(ctx.doc.tree, 'feature', edit.feature.start) ? kb.suggestFeature(word) : [];
        report({
          code: 'MT100',
          message: `unknown CPUID feature '${word}'${suggestions.length ? `; did you mean ${suggestions.map((x) => `'${x}'`).join(', ')}?` : ''}`,
          span: edit.feature,
          fixes: suggestions.map<FixIntent>((x, i) => ({ kind: 'replace', title: `Change to '${x}'`, span: edit.feature, text: x, preferred: i === 0 && suggestions.length === 1 })),
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
        const line = ctx.doc.lines.positionAt(earlier.start).line + 1;
        const conflict = earlier.sign !== edit.sign;
        report({
          code: 'MT102',
          message: conflict
            ? `${feature.name} is both ${earlier.sign === '+' ? 'whitelisted' : 'masked'} (line ${line}) and ${edit.sign === '+' ? 'whitelisted' : 'masked'} here in machine ${ctx.name}; the later edit wins`
            : `${feature.name} is ${edit.sign === '+' ? 'whitelisted' : 'masked'} twice in machine ${ctx.name} (first on line ${line})`,
          span: edit,
          fixes: [{ kind: 'remove', title: `Remove this ${edit.sign}${word}`, span: edit, preferred: !conflict }],
        });
      } else seen.set(key, edit);
      if (feature.qemuSince && compareVersions(qemu, feature.qemuSince) < 0) {
        report({
          code: 'MT104',
          message: `QEMU ${qemu} does not know ${featureWithLocation(feature)}: it first appeared in QEMU ${feature.qemuSince}`,
          span: edit.feature,
          fixes: [{ kind: 'set-qemu', title: `Raise qemu to ${feature.qemuSince}`, machine: ctx.name, version: feature.qemuSince, preferred: true }],
        });
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

export const checkDependencies: MachineCheck = (ctx, report) => {
  const reported = new Set<string>();
  for (const cpuid of ctx.views) {
    for (const bit of dependencyCandidates(cpuid, ctx.kb)) {
      for (const depName of bit.feature.dependsOn) {
        const dep = ctx.kb.feature(depName);
        if (!dep || cpuid.isEnabled(dep.name)) continue;
        const key = `${bit.feature.name}>${dep.name}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const masked = cpuid.masked(dep.name);
        // Point at what the author can change: their own mask of the dependency, else where the bit came from.
        const origin = masked && ctx.isOwn(masked.edit.origin) ? masked.edit.origin : bit.origin;
        const where = ctx.place(origin, `${bit.feature.name} comes from here`);
        report({
          code: 'MT103',
          message: `${featureWithLocation(bit.feature)} needs ${featureWithLocation(dep)}, which ${masked ? 'is masked' : 'is not enabled'} in machine ${ctx.name} for ${cpuid.modelName}`,
          ...where,
          fixes: [{ kind: 'whitelist', title: `Whitelist ${dep.name}`, machine: ctx.name, features: [dep.name], preferred: true }],
        });
      }
    }
  }
};
