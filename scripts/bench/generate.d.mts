// Types for generate.mjs, so TypeScript tests can draw the seeded workloads.
export interface Rng {
  next(): number;
  int(lo: number, hi: number): number;
  pick<T>(list: readonly T[]): T;
  chance(p: number): boolean;
}
export type Vocabulary = Record<string, unknown>;
export function rng(seed: number): Rng;
export function vocabulary(kb: unknown, releases: unknown[]): Vocabulary;
export function bigFile(v: Vocabulary, options?: { seed?: number; lines?: number; family?: [number, number] }): { text: string; machines: number };
export function writeWorkspace(v: Vocabulary, dir: string, options?: { seed?: number; files?: number; perFile?: number }): { files: number; machines: number; bytes: number; lines: number };
export function deepChain(depth: number): string;
