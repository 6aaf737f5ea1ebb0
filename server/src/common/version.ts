/** Dotted release numbers ("2.6.32", "3.6", "10.0"): parsing and ordering. */

/** Parses are remembered (versions are few and compared constantly); bounded, since they come from user text. */
const parsed = new Map<string, readonly number[] | null>();

export function parseVersion(text: string): readonly number[] | undefined {
  const known = parsed.get(text);
  if (known !== undefined) return known ?? undefined;
  const value = /^\d+(\.\d+){0,3}$/.test(text) ? text.split('.').map(Number) : null;
  if (parsed.size >= 4096) parsed.clear();
  parsed.set(text, value);
  return value ?? undefined;
}

export function isVersion(text: string): boolean {
  return parseVersion(text) !== undefined;
}

/** Compares dotted versions numerically; missing parts count as 0 (3.6 == 3.6.0). */
export function compareVersions(a: string, b: string): number {
  if (a === b) return 0;
  const pa = parseVersion(a) ?? [];
  const pb = parseVersion(b) ?? [];
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}
