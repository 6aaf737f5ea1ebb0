// One key order for feature records, shared by the generators that write features.json,
// so that each one's output is the same whichever ran last.
const ORDER = ['name', 'aliases', 'word', 'leaf', 'subleaf', 'register', 'bit', 'msrFeatureIndex', 'description', 'qemuSince', 'qemuUntil', 'aliasDates', 'nameSince', 'msrs', 'kvmSince', 'kvmSinceByVendor', 'kvmUntil', 'kvmStable', 'kvmAbsentIn', 'unmigratable', 'migrationBlocks', 'dependsOn', 'dependsOnInReleases', 'deprecated', 'notes', 'sources'];

export function orderFeature(rec) {
  const out = {};
  for (const k of ORDER) if (k in rec) out[k] = rec[k];
  for (const k of Object.keys(rec)) if (!(k in out)) out[k] = rec[k];
  return out;
}
