/** Map helpers for the hot paths. */

/**
 * A copy of a map, made with `forEach`: `new Map(map)` goes through the iterator
 * protocol (an entry array and a result object per entry), and the maps of a chain of
 * machines are copied on every re-check.
 */
export function copyOf<K, V>(map: ReadonlyMap<K, V> | undefined): Map<K, V> {
  const copy = new Map<K, V>();
  map?.forEach((v, k) => copy.set(k, v));
  return copy;
}

/** The map that `outer` holds at `key`, made empty on first use (caches keyed by several objects in turn). */
export function innerMap<K, K2, V>(outer: Map<K, Map<K2, V>>, key: K): Map<K2, V> {
  let inner = outer.get(key);
  if (!inner) outer.set(key, (inner = new Map()));
  return inner;
}
