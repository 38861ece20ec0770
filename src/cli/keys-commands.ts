import {
  pruneExpiredKeys,
  rotateSigningKeys,
  type SigningAlgorithm,
} from '../oidc/signing-keys.ts';
import { defineCommand, type CommandGroup } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { keyState } from './key-state.ts';
import { withServices } from './with-services.ts';
import { formatTime, writeJson, writeLines, writeTable } from './write-output.ts';

function iso(epochMs: number | undefined): string | null {
  return epochMs === undefined ? null : new Date(epochMs).toISOString();
}

const keysList = defineCommand({
  name: 'keys list',
  summary: 'list signing keys and their state (pending, active, retired, expired)',
  description: [
    'Lists signing keys: pending (published, not signing yet), active (signing), retired (published so tokens it signed still verify), expired (no longer published; "keys prune" deletes it).',
  ],
  json: 'print the keys as JSON (never the private key)',
  run: async ({ values }, io) => {
    return withServices(io, values.verbose, async (services) => {
      const now = services.now();
      // Never the private JWK: only what an operator needs to follow a rotation.
      const keys = (await services.store.keys.list()).map((k) => ({
        kid: k.kid,
        alg: k.alg,
        state: keyState(k, now),
        createdAt: k.createdAt,
        activatesAt: k.activatesAt,
        retiresAt: k.retiredAt,
        expiresAt: k.expiresAt,
      }));
      if (values.json) {
        writeJson(
          io,
          keys.map((k) => ({
            ...k,
            createdAt: iso(k.createdAt),
            activatesAt: iso(k.activatesAt),
            retiresAt: iso(k.retiresAt),
            expiresAt: iso(k.expiresAt),
          })),
        );
        return EXIT.ok;
      }
      writeTable(
        io,
        ['KID', 'ALG', 'STATE', 'ACTIVATES', 'RETIRES', 'EXPIRES'],
        keys.map((k) => [
          k.kid,
          k.alg,
          k.state,
          formatTime(k.activatesAt),
          formatTime(k.retiresAt),
          formatTime(k.expiresAt),
        ]),
      );
      return EXIT.ok;
    });
  },
});

const keysRotate = defineCommand({
  name: 'keys rotate',
  summary:
    'start a zero-downtime rotation: new keys are published now and sign after keys.publishLeadSeconds; old keys stay published until their tokens expire',
  description: [
    'Adds a new key per configured algorithm, published in the JWKS at once and signing after keys.publishLeadSeconds, and retires the keys it replaces at that moment; they stay published for the longest token lifetime, so tokens they signed keep verifying. Running servers pick the new keys up within keys.reloadIntervalSeconds.',
  ],
  json: 'print what was added and retired as JSON',
  run: async ({ values }, io) => {
    return withServices(io, values.verbose, async (services) => {
      const { config } = services;
      // A retired key stays published as long as anything it signed may still be verified:
      // ID tokens and (JWT) access tokens. Refresh tokens are opaque, never signed.
      const maxTokenLifetimeSeconds = Math.max(
        config.ttl.idToken,
        config.ttl.accessToken,
        config.ttl.clientCredentials,
      );
      const result = await rotateSigningKeys(
        services.store.keys,
        {
          algorithms: config.keys.algorithms as SigningAlgorithm[],
          publishLeadSeconds: config.keys.publishLeadSeconds,
          maxTokenLifetimeSeconds,
        },
        services.now(),
      );
      if (values.json) {
        writeJson(io, {
          added: result.added.map((k) => ({ ...k, activatesAt: iso(k.activatesAt) })),
          retired: result.retired.map((k) => ({
            ...k,
            retiredAt: iso(k.retiredAt),
            expiresAt: iso(k.expiresAt),
          })),
          reloadIntervalSeconds: config.keys.reloadIntervalSeconds,
        });
        return EXIT.ok;
      }
      writeLines(
        io,
        ...result.added.map(
          (k) =>
            `added ${k.alg} key ${k.kid}: published now, signs from ${formatTime(k.activatesAt)}`,
        ),
        ...result.retired.map(
          (k) =>
            `retired ${k.alg} key ${k.kid}: signs until ${formatTime(k.retiredAt)}, published until ${formatTime(k.expiresAt)}`,
        ),
        `Running servers pick up the new keys within ${config.keys.reloadIntervalSeconds} s (keys.reloadIntervalSeconds).`,
        'Run "portcullis keys prune" after the retired keys expire to delete them.',
      );
      return EXIT.ok;
    });
  },
});

const keysPrune = defineCommand({
  name: 'keys prune',
  summary: 'delete expired keys',
  description: [
    'Deletes keys that are no longer published (nothing they signed can still be valid).',
  ],
  json: 'print the removed key ids as JSON',
  run: async ({ values }, io) => {
    return withServices(io, values.verbose, async (services) => {
      const removed = await pruneExpiredKeys(services.store.keys, services.now());
      if (values.json) writeJson(io, { removed });
      else if (removed.length === 0) writeLines(io, 'no expired keys');
      else writeLines(io, ...removed.map((kid) => `removed expired key ${kid}`));
      return EXIT.ok;
    });
  },
});

export const KEYS_COMMANDS: CommandGroup = {
  name: 'keys',
  summary: 'list, rotate and prune signing keys',
  commands: [keysList, keysRotate, keysPrune],
};
