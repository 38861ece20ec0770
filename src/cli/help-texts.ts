/**
 * Usage text of every command, printed by `--help` (on stdout) and after usage errors (on
 * stderr). The README's CLI reference is written from these.
 */

const COMMON = `  -h, --help              show this help
      --verbose           log to stderr at debug level`;

export const HELP = {
  top: `Usage: portcullis <command> [options]

Administers a Portcullis OpenID provider. Commands read the same configuration as the server
(config/*.json and environment variables such as NODE_ENV, STORE, DATA_DIR, MONGODB_URI).

Commands:
  user     add, list, disable and enable users, set passwords
  client   add, list, show and remove clients (applications and APIs)
  keys     list, rotate and prune signing keys
  db       migrate: bring the store's schema and indexes up to date
  serve    start the server

Options:
  -h, --help      show this help; "portcullis <command> --help" shows a command's help
  -V, --version   print the version
      --verbose   log to stderr at debug level

Exit codes: 0 success, 1 failure, 2 usage error, 78 configuration error.
`,

  user: `Usage: portcullis user <command> [options]

Commands:
  add <username>                 create a user
  list                           list users
  disable <username|email>       stop a user from signing in and refreshing tokens
  enable <username|email>        let a disabled user sign in again
  set-password <username|email>  set a new password

Passwords are read from standard input (first line) or prompted for, never taken from the
command line. "portcullis user <command> --help" shows each command's options.
`,

  'user add': `Usage: portcullis user add <username> [options]

Creates a user. The password is read from the first line of standard input, or prompted for
twice (not echoed) when standard input is a terminal. It is never taken from the command line,
where other users could read it in the process list and it would stay in shell history.

Options:
      --email <address>   email address (users may also sign in with it)
      --email-verified    mark the email address as verified
      --name <name>       full name (the "name" claim)
      --json              print the new user as JSON
${COMMON}
`,

  'user list': `Usage: portcullis user list [options]

Lists users, ordered by username, one page at a time.

Options:
      --limit <n>         users per page, 1 to 100 (default 50)
      --cursor <cursor>   page to show, as printed after the previous page
      --json              print {"items": [...], "nextCursor": ...} as JSON
${COMMON}
`,

  'user disable': `Usage: portcullis user disable <username|email> [options]

Disables a user: they cannot sign in, and their refresh tokens and userinfo stop working.

Options:
      --json              print the user as JSON
${COMMON}
`,

  'user enable': `Usage: portcullis user enable <username|email> [options]

Enables a disabled user again.

Options:
      --json              print the user as JSON
${COMMON}
`,

  'user set-password': `Usage: portcullis user set-password <username|email> [options]

Sets a user's password, read from the first line of standard input, or prompted for twice (not
echoed) when standard input is a terminal.

Options:
      --json              print the user as JSON
${COMMON}
`,

  client: `Usage: portcullis client <command> [options]

Commands:
  add           register a client (an application that signs users in, or an API)
  list          list clients
  show <id>     show a client's metadata (never its secret)
  remove <id>   delete a client; its tokens stop working at once

"portcullis client <command> --help" shows each command's options.
`,

  'client add': `Usage: portcullis client add --name <name> [options]

Registers a client. Its client_id and client_secret are generated, and the secret is shown
only now: store it safely, it cannot be shown again.

Options:
      --name <name>                       name shown to users on the consent page (required)
      --redirect-uri <uri>                where users return after signing in (repeatable;
                                          required with the authorization_code grant)
      --post-logout-redirect-uri <uri>    where users may return after signing out (repeatable)
      --grant-type <type>                 authorization_code, refresh_token or client_credentials
                                          (repeatable; default: authorization_code refresh_token)
      --public                            a public client with no secret (browser apps; PKCE)
      --native                            a native app (RFC 8252): public, loopback http or
                                          private-use scheme redirect URIs allowed
      --auth-method <method>              client_secret_basic (default), client_secret_post or none
      --resource-server                   an API allowed to call the introspection endpoint
      --scope "<scopes>"                  scopes the client may request, e.g. "openid profile"
      --logo-uri <uri>, --client-uri <uri>, --policy-uri <uri>, --tos-uri <uri>
                                          https links shown on the consent page
      --json                              print the client (and its secret) as JSON
${COMMON}

Examples:
  portcullis client add --name "My app" --redirect-uri https://app.example.com/callback
  portcullis client add --name CLI --native --redirect-uri http://127.0.0.1/callback
  portcullis client add --name "Orders API" --grant-type client_credentials --resource-server
`,

  'client list': `Usage: portcullis client list [options]

Lists clients, ordered by client_id, one page at a time. Secrets are never shown.

Options:
      --limit <n>         clients per page, 1 to 100 (default 50)
      --cursor <cursor>   page to show, as printed after the previous page
      --json              print {"items": [...], "nextCursor": ...} as JSON
${COMMON}
`,

  'client show': `Usage: portcullis client show <client_id> [options]

Shows a client's metadata. The secret is never shown.

Options:
      --json              print the metadata as JSON
${COMMON}
`,

  'client remove': `Usage: portcullis client remove <client_id> [options]

Deletes a client. Its sign-ins, tokens and client authentication stop working at once.

Options:
      --json              print {"client_id": ..., "removed": true} as JSON
${COMMON}
`,

  keys: `Usage: portcullis keys <command> [options]

Commands:
  list      list signing keys and their state (pending, active, retired, expired)
  rotate    start a zero-downtime rotation: new keys are published now and sign after
            keys.publishLeadSeconds; old keys stay published until their tokens expire
  prune     delete expired keys

"portcullis keys <command> --help" shows each command's options.
`,

  'keys list': `Usage: portcullis keys list [options]

Lists signing keys: pending (published, not signing yet), active (signing), retired
(published so tokens it signed still verify), expired (no longer published; "keys prune"
deletes it).

Options:
      --json              print the keys as JSON (never the private key)
${COMMON}
`,

  'keys rotate': `Usage: portcullis keys rotate [options]

Adds a new key per configured algorithm, published in the JWKS at once and signing after
keys.publishLeadSeconds, and retires the keys it replaces at that moment; they stay published
for the longest token lifetime, so tokens they signed keep verifying. Running servers pick the
new keys up within keys.reloadIntervalSeconds.

Options:
      --json              print what was added and retired as JSON
${COMMON}
`,

  'keys prune': `Usage: portcullis keys prune [options]

Deletes keys that are no longer published (nothing they signed can still be valid).

Options:
      --json              print the removed key ids as JSON
${COMMON}
`,

  db: `Usage: portcullis db <command> [options]

Commands:
  migrate   apply pending SQLite migrations, or create MongoDB indexes and backfills

"portcullis db migrate --help" shows its options.
`,

  'db migrate': `Usage: portcullis db migrate [options]

Brings the configured store up to date and exits: SQLite migrations, or MongoDB indexes (and the
sweep fallback notice where TTL indexes are unsupported). Idempotent; the server does the same at
start, so this is for deploy pipelines that prepare the database before new processes start.

Options:
      --json              print {"backend", "indexesCreated", "ttlIndexes"} as JSON
${COMMON}
`,

  serve: `Usage: portcullis serve [options]

Starts the server with the configuration from config/*.json and the environment.

Options:
${COMMON}
`,
} as const;

export type HelpTopic = keyof typeof HELP;
