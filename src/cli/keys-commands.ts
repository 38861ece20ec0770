import { createAuditLog } from '../admin/audit-log.ts';
import { createKeyAdminServices } from '../admin/key-admin-services.ts';
import type { Services } from '../open-services.ts';
import { cliActor } from './open-admin-services.ts';
import { defineCommand, type CommandGroup } from './command-spec.ts';
import { EXIT } from './exit-codes.ts';
import { keyState } from './key-state.ts';
import { withServices } from './with-services.ts';
import { formatTime, writeJson, writeLines, writeTable } from './write-output.ts';

/** The admin API's key operations, audited the same way (issue 17). */
function openKeys(services: Services) {
  return createKeyAdminServices({
    config: services.config,
    keys: services.store.keys,
    audit: createAuditLog({ events: services.store.events, now: services.now }),
    now: services.now,
  });
}

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
      // The admin API's operation (issue 17: one service layer, one audit trail).
      const result = await openKeys(services).rotate(cliActor());
      if (values.json) {
        writeJson(io, {
          added: result.added.map((k) => ({
            kid: k.kid,
            alg: k.alg,
            activatesAt: iso(k.activates_at),
          })),
          retired: result.retired.map((k) => ({
            kid: k.kid,
            alg: k.alg,
            retiredAt: iso(k.retired_at),
            expiresAt: iso(k.expires_at),
          })),
          reloadIntervalSeconds: config.keys.reloadIntervalSeconds,
        });
        return EXIT.ok;
      }
      writeLines(
        io,
        ...result.added.map(
          (k) =>
            `added ${k.alg} key ${k.kid}: published now, signs from ${formatTime(k.activates_at)}`,
        ),
        ...result.retired.map(
          (k) =>
            `retired ${k.alg} key ${k.kid}: signs until ${formatTime(k.retired_at)}, published until ${formatTime(k.expires_at)}`,
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
      const { removed } = await openKeys(services).prune(cliActor());
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
