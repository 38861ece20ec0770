import { API_COMMANDS } from './api-commands.ts';
import { AUDIT_COMMANDS } from './audit-commands.ts';
import { CLIENT_COMMANDS } from './client-commands.ts';
import { COMMON_OPTIONS } from './command-spec.ts';
import { DB_COMMANDS } from './db-commands.ts';
import { EVENTS_COMMANDS } from './events-commands.ts';
import { IAT_COMMANDS } from './iat-commands.ts';
import { KEYS_COMMANDS } from './keys-commands.ts';
import type { TopLevel } from './render-help.ts';
import { serveCommand } from './serve-command.ts';
import { USER_COMMANDS } from './user-commands.ts';
import { ATTRIBUTE_COMMANDS } from './user-access-commands.ts';
import { GROUP_COMMANDS } from './group-commands.ts';
import { ROLE_COMMANDS } from './role-commands.ts';
import { WEBHOOK_COMMANDS } from './webhook-commands.ts';
import { DELIVERY_COMMANDS } from './delivery-commands.ts';

/**
 * Every command of `portcullis <noun> <verb>` and `portcullis serve`, in the order help and the
 * CLI reference list them: run-cli.ts dispatches on it, cli-reference.ts documents it.
 */
export const CLI: TopLevel = {
  description: [
    'Administers a Portcullis OpenID provider. Commands read the same configuration as the server (config/*.json and environment variables such as NODE_ENV, STORE, DATA_DIR, MONGODB_URI).',
  ],
  groups: [
    USER_COMMANDS,
    // Issue 16: roles, groups and custom attributes.
    ROLE_COMMANDS,
    GROUP_COMMANDS,
    ATTRIBUTE_COMMANDS,
    CLIENT_COMMANDS,
    API_COMMANDS,
    IAT_COMMANDS,
    AUDIT_COMMANDS,
    EVENTS_COMMANDS,
    KEYS_COMMANDS,
    DB_COMMANDS,
    WEBHOOK_COMMANDS,
    DELIVERY_COMMANDS,
  ],
  commands: [serveCommand],
  options: [
    [
      'help',
      {
        ...COMMON_OPTIONS.help,
        description: 'show this help; "portcullis <command> --help" shows a command\'s help',
      },
    ],
    ['version', { type: 'boolean', short: 'V', description: 'print the version' }],
    [
      'verbose',
      {
        ...COMMON_OPTIONS.verbose,
        description: `${COMMON_OPTIONS.verbose.description} (every command but serve)`,
      },
    ],
  ],
  notes: ['Exit codes: 0 success, 1 failure, 2 usage error, 78 configuration error.'],
};
