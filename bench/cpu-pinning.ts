import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/**
 * Servers on one core, the load generator on another (taskset(1)), so they do not take each
 * other's CPU and each server's CPU column means "of one core". Only when taskset exists and
 * this process may use at least two cores; otherwise everything shares and the output says so.
 */

export interface Pinning {
  enabled: boolean;
  /** What the output says about it. */
  description: string;
  serverCpu: number | undefined;
  loadCpu: number | undefined;
  /** The command that starts a server process, pinned when enabled. */
  serverCommand(command: string, args: readonly string[]): { command: string; args: string[] };
  /** Moves a running process (every thread) to the server core, e.g. the database's. */
  pinToServerCpu(pid: number): void;
}

/** CPUs this process may run on, from `taskset -pc` ("pid 1's current affinity list: 0-1,3"). */
export function parseAffinityList(output: string): number[] {
  const list = output.slice(output.lastIndexOf(':') + 1).trim();
  const cpus: number[] = [];
  for (const part of list.split(',')) {
    const [from, to] = part.split('-').map((s) => Number(s.trim()));
    if (from === undefined || !Number.isInteger(from)) continue;
    const end = to !== undefined && Number.isInteger(to) ? to : from;
    for (let cpu = from; cpu <= end; cpu++) cpus.push(cpu);
  }
  return cpus;
}

function taskset(args: string[]): string {
  return execFileSync('taskset', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

function unpinned(description: string): Pinning {
  return {
    enabled: false,
    description,
    serverCpu: undefined,
    loadCpu: undefined,
    serverCommand: (command, args) => ({ command, args: [...args] }),
    pinToServerCpu: () => undefined,
  };
}

export function planPinning(wanted: boolean): Pinning {
  if (!wanted)
    return unpinned('not pinned (--no-pin): servers and load generator share every core');
  let cpus: number[];
  try {
    cpus = parseAffinityList(taskset(['-pc', String(process.pid)]));
  } catch {
    return unpinned(
      'not pinned: taskset is not available; servers and load generator share every core',
    );
  }
  const [serverCpu, loadCpu] = cpus;
  if (serverCpu === undefined || loadCpu === undefined) {
    return unpinned(
      `not pinned: only ${cpus.length} core available; servers and load generator share it`,
    );
  }
  // The load generator is this process: every thread it has, and every one it starts later.
  taskset(['-a', '-p', '-c', String(loadCpu), String(process.pid)]);
  return {
    enabled: true,
    description: `pinned with taskset: servers (and their database) on CPU ${serverCpu}, load generator on CPU ${loadCpu}`,
    serverCpu,
    loadCpu,
    serverCommand: (command, args) => ({
      command: 'taskset',
      args: ['-c', String(serverCpu), command, ...args],
    }),
    pinToServerCpu(pid) {
      taskset(['-a', '-p', '-c', String(serverCpu), String(pid)]);
    },
  };
}

/** Direct children of `pid` (from /proc), e.g. the database server a helper started. */
export function childPids(pid: number): number[] {
  try {
    const tasks = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8');
    return tasks
      .trim()
      .split(/\s+/)
      .filter((s) => s !== '')
      .map(Number);
  } catch {
    return [];
  }
}

/** The command line of a process, for finding which child is which. */
export function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').replace(/\0/g, ' ').trim();
  } catch {
    return '';
  }
}
