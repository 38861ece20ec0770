/**
 * Redis for the Redis-tier suites (issue 18): Debian's `redis-server`, started by the tests
 * themselves on a free loopback port (test/helpers/redis-server.ts), never as a system service.
 */
import { findOnPath } from '../helpers/find-on-path.ts';
import type { SetupStep } from './setup-step.ts';

const PACKAGE = 'redis-server';

export const redisStep: SetupStep = {
  name: 'redis',
  run({ packages, say }) {
    const found = findOnPath('redis-server');
    if (found !== undefined) return { status: 'ready', detail: found };
    const hint = `redis: not installed; install it with: ${packages.command([PACKAGE])}`;
    if (!packages.canInstall()) return { status: 'missing', line: hint };
    say(`redis: not installed; installing the Debian package ${PACKAGE}`);
    const installed = packages.install([PACKAGE]);
    if (!installed.ok) return { status: 'missing', line: `redis: ${installed.why}` };
    const after = findOnPath('redis-server');
    return after === undefined
      ? { status: 'missing', line: `redis: installed ${PACKAGE}, but no redis-server is on PATH` }
      : { status: 'ready', detail: after };
  },
};
