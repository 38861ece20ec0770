import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { RssSample } from './bench-stats.ts';

/**
 * CPU and memory of a server process, read from Linux's /proc: CPU time is `utime + stime` of
 * /proc/<pid>/stat (in clock ticks), memory is `VmRSS` of /proc/<pid>/status (proc(5)).
 */

/** `utime` and `stime` (clock ticks) from a /proc/<pid>/stat line. */
export function parseProcStatTicks(text: string): number | undefined {
  // The command name (field 2) is in parentheses and may hold spaces or ')': fields are counted
  // after the last ')'. Field 3 (state) is the first one after it; utime and stime are 14 and 15.
  const close = text.lastIndexOf(')');
  if (close === -1) return undefined;
  const fields = text
    .slice(close + 2)
    .trim()
    .split(/\s+/);
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  return Number.isFinite(utime) && Number.isFinite(stime) ? utime + stime : undefined;
}

/** `VmRSS` in MB from a /proc/<pid>/status text. */
export function parseVmRssMb(text: string): number | undefined {
  const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(text);
  return match?.[1] === undefined ? undefined : Number(match[1]) / 1024;
}

let ticksPerSecond: number | undefined;

/** `getconf CLK_TCK` (100 on every Linux we know of, the fallback). */
export function clockTicksPerSecond(): number {
  if (ticksPerSecond === undefined) {
    try {
      const value = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim());
      ticksPerSecond = Number.isFinite(value) && value > 0 ? value : 100;
    } catch {
      ticksPerSecond = 100;
    }
  }
  return ticksPerSecond;
}

export function readCpuTicks(pid: number): number | undefined {
  try {
    return parseProcStatTicks(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return undefined;
  }
}

export function readRssMb(pid: number): number | undefined {
  try {
    return parseVmRssMb(readFileSync(`/proc/${pid}/status`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** Whether this machine has /proc to sample (Linux). */
export function canSampleProcesses(): boolean {
  return readCpuTicks(process.pid) !== undefined;
}

export interface ProcessWindow {
  /** Ends the window: CPU % over it (100 = one core), the highest RSS, and every RSS sample. */
  stop(): { cpuPercent: number; rssMaxMb: number; samples: RssSample[] };
}

/** Starts measuring `pid` now; RSS is sampled every `intervalMs` and once more at the end. */
export function watchProcess(pid: number, intervalMs = 1000): ProcessWindow {
  const startedAt = performance.now();
  const startTicks = readCpuTicks(pid);
  const samples: RssSample[] = [];
  const sample = () => {
    const mb = readRssMb(pid);
    if (mb !== undefined) samples.push({ t: (performance.now() - startedAt) / 1000, mb });
  };
  sample();
  const timer = setInterval(sample, intervalMs);
  return {
    stop() {
      clearInterval(timer);
      sample();
      const seconds = (performance.now() - startedAt) / 1000;
      const endTicks = readCpuTicks(pid);
      const cpuPercent =
        startTicks === undefined || endTicks === undefined || seconds <= 0
          ? Number.NaN
          : ((endTicks - startTicks) / clockTicksPerSecond() / seconds) * 100;
      return { cpuPercent, rssMaxMb: samples.reduce((max, s) => Math.max(max, s.mb), 0), samples };
    },
  };
}

/** This process's CPU (every thread) over a window, for the load generator's own column. */
export function watchSelf(): { stop(): number } {
  const startedAt = performance.now();
  const start = process.cpuUsage();
  return {
    stop() {
      const used = process.cpuUsage(start);
      const seconds = (performance.now() - startedAt) / 1000;
      return seconds > 0 ? ((used.user + used.system) / 1e6 / seconds) * 100 : Number.NaN;
    },
  };
}
