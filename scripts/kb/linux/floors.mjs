// Turns per-release presence (which trees offer a bit, per vendor) into a dated floor.
// Pure functions, no I/O: scripts/kb/date-kernel.mjs feeds them and writes the result.
//
// A floor is pinned when the bit is present in release X's tree and every later tree,
// and absent in the tree of the release right before X. When the release before X has
// no tree, or X's tree is a stable point release standing in for X for a bit that stable
// lines get as a backport, the floor is only bracketed ("absent in W, present in X") and
// stays null. Presence in a point-release tree older than a later absence is a backport,
// not a floor; a withdrawal shows as absence in the newest trees (kvmUntil).

import { compareVersions } from '../compare-versions.mjs';

/**
 * @param {string[]} mainline every mainline release in order (trees or not)
 * @param {{release: string, present: boolean, pointRelease: boolean, tree: string}[]} obs
 *        observations in release order, one per tree
 * @param {{backported: boolean}} opts backported: stable lines carry this bit as a backport
 * @returns {{since: string|null, until: string|null, bracket: string|null, neverOffered: boolean,
 *            sinceTree: string|null, beforeTree: string|null, backportSeenIn: string[]}}
 */
export function datePresence(mainline, obs, opts = {}) {
  const result = { since: null, until: null, bracket: null, neverOffered: false, sinceTree: null, beforeTree: null, untilBracket: null, backportSeenIn: [] };
  const lastPresent = findLastIndex(obs, (o) => o.present);
  if (lastPresent < 0) {
    result.neverOffered = true;
    return result;
  }
  const lastAbsentBefore = findLastIndex(obs.slice(0, lastPresent), (o) => !o.present);
  for (let i = 0; i < lastAbsentBefore; i++) if (obs[i].present && obs[i].pointRelease) result.backportSeenIn.push(obs[i].release);
  result.backportSeenIn.sort(compareVersions);
  const first = obs[lastAbsentBefore + 1];
  result.sinceTree = first.tree;
  if (lastAbsentBefore < 0) {
    // Present in the oldest tree read: pinned only if that tree is the first release with
    // KVM_GET_SUPPORTED_CPUID (2.6.25), which is the oldest the knowledge base reads.
    if (first.release === mainline[0] && !first.pointRelease) result.since = first.release;
    else result.bracket = `present in ${first.release}, the oldest tree read`;
  } else {
    const before = obs[lastAbsentBefore];
    result.beforeTree = before.tree;
    const adjacent = mainline.indexOf(first.release) === mainline.indexOf(before.release) + 1;
    result.absentIn = before.release;
    result.presentIn = first.release;
    result.fromPointRelease = first.pointRelease;
    // Mainline had the bit at the latest by the first release whose tree is no point release.
    const confirmed = obs.slice(lastAbsentBefore + 1).find((o) => o.present && !o.pointRelease);
    result.upperBound = confirmed ? confirmed.release : obs[lastPresent].release;
    if (!adjacent) result.bracket = `absent in ${before.release}, present in ${first.release}${first.pointRelease ? ` (a ${first.tree} point-release tree)` : ''}`;
    else if (first.pointRelease && opts.backported) result.bracket = `absent in ${before.release}, present in the point-release tree of ${first.release} (could be a stable backport)`;
    else result.since = first.release;
  }
  if (lastPresent < obs.length - 1) {
    const gone = obs[lastPresent + 1];
    const last = obs[lastPresent];
    const adjacent = mainline.indexOf(gone.release) === mainline.indexOf(last.release) + 1;
    if (adjacent) result.until = last.release;
    else result.untilBracket = `present in ${last.release}, absent in ${gone.release}`;
  }
  return result;
}

function findLastIndex(list, pred) {
  for (let i = list.length - 1; i >= 0; i--) if (pred(list[i])) return i;
  return -1;
}

/** The later of two versions (null when either is unknown). */
export function later(a, b) {
  if (a === null || b === null) return null;
  return compareVersions(a, b) >= 0 ? a : b;
}
