/**
 * `mtype/benchStats`, only when the server runs with MTYPE_BENCH=1 (the benchmark
 * does): the server's own CPU time and memory, so `npm run bench` can report CPU
 * per edit and the heap behind the RSS. With `gc: true` and --expose-gc, a full
 * collection runs first, so the heap figure is what is really retained.
 */
import { getHeapSpaceStatistics } from 'node:v8';
import type { Connection } from 'vscode-languageserver';

export interface BenchStats {
  cpuUserMs: number;
  cpuSystemMs: number;
  rss: number;
  heapUsed: number;
  heapTotal: number;
  external: number;
  arrayBuffers: number;
  /** Bytes per V8 heap space (size, used). */
  spaces: Record<string, { size: number; used: number }>;
}

export function registerBenchStats(connection: Connection, env: NodeJS.ProcessEnv = process.env): void {
  if (env.MTYPE_BENCH !== '1') return;
  connection.onRequest('mtype/benchStats', (p: { gc?: boolean } | undefined): BenchStats => {
    const gc = (globalThis as { gc?: () => void }).gc;
    if (p?.gc && gc) gc();
    const cpu = process.cpuUsage();
    const mem = process.memoryUsage();
    return { cpuUserMs: cpu.user / 1000, cpuSystemMs: cpu.system / 1000, rss: mem.rss, heapUsed: mem.heapUsed, heapTotal: mem.heapTotal, external: mem.external, arrayBuffers: mem.arrayBuffers, spaces: Object.fromEntries(getHeapSpaceStatistics().map((s) => [s.space_name, { size: s.space_size, used: s.space_used_size }])) };
  });
}
