/**
 * Prints the CPU time (ms) of one argon2id verification with Portcullis's parameters, averaged
 * over `argv[2]` verifications: the floor of a sign-in. CPU time of every thread (the hashing
 * runs on libuv's pool), so it compares with the CPU a sign-in costs the server even on a busy
 * machine, where wall-clock time would include waiting for the core.
 */
import { hash, verify } from '@node-rs/argon2';

// src/accounts/password-hasher.ts: argon2id, OWASP minimum (m=19 MiB, t=2, p=1).
const OPTIONS = { algorithm: 2, memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;

const iterations = Math.max(1, Number(process.argv[2] ?? 20) || 20);
const hashed = await hash('calibration-password', OPTIONS);
await verify(hashed, 'calibration-password');
const before = process.cpuUsage();
for (let i = 0; i < iterations; i++) await verify(hashed, 'calibration-password');
const used = process.cpuUsage(before);
process.stdout.write(`${(used.user + used.system) / 1000 / iterations}\n`);
