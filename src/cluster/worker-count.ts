/** The number of processes to run for the `server.workers` setting (`auto`: one per core). */
export function workerCount(setting: number | 'auto', cores: number): number {
  return setting === 'auto' ? Math.max(1, cores) : setting;
}
