// Linux release numbers: the list of mainline releases the KB knows.

import { compareVersions } from '../compare-versions.mjs';

/**
 * Every mainline release from 2.6.25 (the first with KVM_GET_SUPPORTED_CPUID) to `newest`.
 * Linux numbers 2.6.x up to 2.6.39, then 3.0-3.19, 4.0-4.20, 5.0-5.19, 6.0-6.19, 7.x.
 */
export function mainlineReleases(newest) {
  const out = [];
  for (let x = 25; x <= 39; x++) out.push(`2.6.${x}`);
  const last = { 3: 19, 4: 20, 5: 19, 6: 19 };
  for (const major of [3, 4, 5, 6]) for (let y = 0; y <= last[major]; y++) out.push(`${major}.${y}`);
  const [nMajor, nMinor] = newest.split('.').map(Number);
  for (let major = 7; major <= nMajor; major++) for (let y = 0; y <= (major === nMajor ? nMinor : 19); y++) out.push(`${major}.${y}`);
  return out.filter((r) => compareVersions(r, newest) <= 0);
}
