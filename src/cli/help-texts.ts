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
  user     add, list, show, update, disable and enable users, set passwords
  client   add, list, show, update and remove clients (applications and APIs), rotate secrets
  api      add, list, show, update and remove APIs (resource servers) clients get tokens for
  iat      create, list and revoke initial access tokens (RFC 7591 registration)
  audit    list the audit log of admin changes and other security events
  events   list security events: sign-ins, lockouts, logouts, revocations
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
  add <username>                   create a user
  list                             list users
  show <username|email>            show a user (never a password hash)
  update <username|email>          change a user's profile claims and email
  disable <username|email>         stop a user from signing in; end their sessions and tokens
  enable <username|email>          let a disabled user sign in again
  set-password <username|email>    set a new password; ends the user's sessions and tokens
  reset-password <username|email> the same as set-password (the admin API's name for it)

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

Disables a user: they cannot sign in, and their sessions, grants and tokens end at once.

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
echoed) when standard input is a terminal. Whoever is signed in as the user is signed out: their
sessions, grants and tokens end.

Options:
      --json              print the user as JSON
${COMMON}
`,

  'user reset-password': `Usage: portcullis user reset-password <username|email> [options]

The same as "portcullis user set-password" (POST /admin/v1/users/{id}/password in the admin API).

Options:
      --json              print the user as JSON
${COMMON}
`,

  'user show': `Usage: portcullis user show <username|email> [options]

Shows a user: id (the OIDC "sub"), username, email, status and profile claims. Never a password
hash.

Options:
      --json              print the user as JSON
${COMMON}
`,

  'user update': `Usage: portcullis user update <username|email> [options]

Changes a user's profile claims (OIDC Core §5.1) and email. Only what is given changes.

Options:
      --name <name>             the "name" claim
      --claim <claim>=<value>   set a profile claim, e.g. --claim given_name=Alice (repeatable)
      --unset-claim <claim>     remove a profile claim (repeatable)
      --email <address>         a new email address (unverified unless --email-verified)
      --remove-email            remove the email address
      --email-verified          mark the email address as verified
      --email-unverified        mark the email address as not verified
      --json                    print the user as JSON
${COMMON}

Examples:
  portcullis user update alice --name "Alice Example" --claim locale=en-GB
  portcullis user update alice --email alice@new.example.com --email-verified
`,

  client: `Usage: portcullis client <command> [options]

Commands:
  add                  register a client (an application that signs users in, or an API)
  list                 list clients
  show <id>            show a client's metadata (never its secret)
  update <id>          change a client's metadata (same rules as add)
  rotate-secret <id>   give a client a new secret; the old one stops working at once
  remove <id>          delete a client; its tokens stop working at once
  reencrypt            re-encrypt every stored client secret with the newest key

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
      --backchannel-logout-uri <uri>      where logout tokens are POSTed when a user signs out
                                          (OIDC Back-Channel Logout; https, or http on
                                          loopback outside production; no fragment)
      --backchannel-logout-session-required
                                          every logout token carries the session id (sid)
      --grant-type <type>                 authorization_code, refresh_token or client_credentials
                                          (repeatable; default: authorization_code refresh_token)
      --public                            a public client with no secret (browser apps; PKCE)
      --native                            a native app (RFC 8252): public, loopback http or
                                          private-use scheme redirect URIs allowed
      --auth-method <method>              client_secret_basic (default), client_secret_post,
                                          private_key_jwt or none
      --jwks <file>                       JWK set file with the public keys of a private_key_jwt
                                          client
      --jwks-uri <uri>                    https URL of that JWK set (instead of --jwks)
      --resource-server                   an API allowed to call the introspection endpoint
      --scope "<scopes>"                  scopes the client may request, e.g. "openid profile";
                                          "admin" (the admin API) only with client_credentials
                                          alone
      --logo-uri <uri>, --client-uri <uri>, --policy-uri <uri>, --tos-uri <uri>
                                          https links shown on the consent page
      --id-token-alg <alg>                ID token signing algorithm: one of KEY_ALGORITHMS
                                          (default RS256, the OpenID Connect default)
      --userinfo-alg <alg>                answer UserInfo as a JWT signed with <alg>
                                          (default: plain JSON)
      --id-token-claims <scopes|userinfo> claims of the granted scopes in the ID token
                                          (scopes), or only from UserInfo (userinfo)
      --contact <email>                   who is responsible for the client (repeatable)
      --json                              print the client (and its secret) as JSON
${COMMON}

Examples:
  portcullis client add --name "My app" --redirect-uri https://app.example.com/callback
  portcullis client add --name CLI --native --redirect-uri http://127.0.0.1/callback
  portcullis client add --name "Orders API" --grant-type client_credentials --resource-server
  portcullis client add --name ops --grant-type client_credentials --scope admin
`,

  'client update': `Usage: portcullis client update <client_id> [options]

Changes a client's metadata. Only the options given change (the admin API's PATCH); with
--replace the options given are the whole metadata and anything left out takes its default
(PUT). The result must pass every rule "client add" applies. If the change gives the client a
secret it did not have (e.g. --auth-method client_secret_basic), it is shown only now.

Options:
      all the metadata options of "portcullis client add" (--name, --redirect-uri, ...)
      --unset <field>     remove an optional field, e.g. --unset logo_uri (repeatable)
      --replace           replace the whole metadata (needs --name)
      --json              print the client as JSON
${COMMON}

Examples:
  portcullis client update AbC123 --redirect-uri https://app.example.com/cb --unset logo_uri
  portcullis client update AbC123 --backchannel-logout-uri https://app.example.com/logout
  portcullis client update AbC123 --replace --name "Orders API" --grant-type client_credentials
`,

  'client rotate-secret': `Usage: portcullis client rotate-secret <client_id> [options]

Gives a client a new secret, shown only now; the old one stops working at once. Only for
clients that authenticate with a secret (client_secret_basic or client_secret_post).

Options:
      --json              print {"client_id": ..., "client_secret": ...} as JSON
${COMMON}
`,

  'client reencrypt': `Usage: portcullis client reencrypt [options]

Client secrets are stored encrypted (AES-256-GCM) with the first key of CLIENT_SECRET_KEYS.
To rotate that key: put a new key first in CLIENT_SECRET_KEYS (keep the old ones after it),
restart the servers, run this command, then remove the old keys. Secrets stored before
encryption are encrypted too.

Options:
      --json              print {"clients": ..., "reencrypted": ...} as JSON
${COMMON}
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

  iat: `Usage: portcullis iat <command> [options]

Initial access tokens let a party register clients itself at the RFC 7591 registration
endpoint (/reg), under the same rules as "portcullis client add".

Commands:
  create        create a token (shown once)
  list          list unexpired tokens (never the tokens themselves)
  revoke <id>   revoke a token by its id

"portcullis iat <command> --help" shows each command's options.
`,

  'iat create': `Usage: portcullis iat create [options]

Creates an initial access token, shown only now. Whoever holds it can register clients at
/reg (RFC 7591) until it expires or its uses are spent, and manage each client it registered
with the registration access token answered (RFC 7592).

Options:
      --expires-in <time>    lifetime: seconds, or a number with s, m, h or d (default 1d,
                             at most 30d)
      --max-uses <n>         how many clients it may register (default: unlimited)
      --description <text>   what it is for, shown in listings
      --json                 print the token and its details as JSON
${COMMON}

Example:
  portcullis iat create --expires-in 1h --max-uses 1 --description "orders CI"
`,

  'iat list': `Usage: portcullis iat list [options]

Lists unexpired initial access tokens with their uses; the tokens themselves are never shown.

Options:
      --limit <n>         tokens per page, 1 to 100 (default 50)
      --cursor <cursor>   page to show, as printed after the previous page
      --json              print {"items": [...], "nextCursor": ...} as JSON
${COMMON}
`,

  'iat revoke': `Usage: portcullis iat revoke <id> [options]

Revokes an initial access token (by the id "iat list" shows): registrations with it fail from
now on. Clients it registered stay.

Options:
      --json              print {"id": ..., "revoked": true} as JSON
${COMMON}
`,

  events: `Usage: portcullis events <command> [options]

Commands:
  list     list security events, newest first

"portcullis events list --help" shows its options.
`,

  'events list': `Usage: portcullis events list [options]

Lists security events, newest first: sign-ins and failures, lockouts, logouts, consent, token
and grant revocations, refresh-token reuse, failed client authentication, back-channel logout
deliveries, and the admin changes of "portcullis audit list" (the same store). Events are
kept for events.retentionDays (EVENTS_RETENTION_DAYS). They never hold a password or token.

Options:
      --type <type>       only this type (login.failed), or a family (login.*)
      --user <login>      only events about this user: username, email or sub
      --client <id>       only events about this client
      --since <time>      only at or after this time: ISO 8601, or an age (30m, 24h, 7d)
      --limit <n>         events per page, 1 to 100 (default 50)
      --cursor <cursor>   page to show, as printed after the previous page
      --json              print {"items": [...], "nextCursor": ...} as JSON
${COMMON}
`,

  audit: `Usage: portcullis audit <command> [options]

Commands:
  list     list audit events, newest first

"portcullis audit list --help" shows its options.
`,

  'audit list': `Usage: portcullis audit list [options]

Lists the audit log, newest first: admin changes (types "admin.*", from the admin API and this
CLI, with the admin client or "cli:<user>" as actor), dynamic registrations ("registration.*")
and the other security events.

Options:
      --type <type>          only this type, e.g. admin.client.created
      --type-prefix <text>   only types starting with this, e.g. admin.
      --client-id <id>       only events about this client
      --subject <sub>        only events about this user
      --since <time>         only at or after this time (ISO 8601)
      --until <time>         only before this time (ISO 8601)
      --limit <n>            events per page, 1 to 100 (default 50)
      --cursor <cursor>      page to show, as printed after the previous page
      --json                 print {"items": [...], "nextCursor": ...} as JSON
${COMMON}
`,

  api: `Usage: portcullis api <command> [options]

APIs (resource servers, RFC 8707) that clients get access tokens for with resource=<identifier>.
Such a token's audience is that API alone and it carries only the API's scopes; it is an RFC 9068
JWT the API can verify itself, or an opaque token it introspects (docs/apis.md).

Commands:
  add            register an API
  list           list APIs
  show <api>     show an API (<api>: its id or its identifier)
  update <api>   change an API's name, scopes, token format, lifetime or clients
  remove <api>   delete an API; no new tokens for it, its tokens stop introspecting as active

"portcullis api <command> --help" shows each command's options.
`,

  'api add': `Usage: portcullis api add --identifier <uri> --name <name> [options]

Registers an API. Clients ask for its tokens with resource=<identifier>; a token's "aud" is the
identifier and it carries only scopes listed here. Changes reach running servers at once.

Options:
      --identifier <uri>                  absolute URI naming the API, e.g. https://api.example.com/orders
                                          (RFC 8707; no fragment; compared as an exact string; cannot change)
      --name <name>                       name shown to admins (required)
      --scope "<name> [description]"      a scope of the API and the text shown on the consent page
                                          (repeatable; the first space ends the name)
      --format jwt|opaque                 jwt (default): RFC 9068 tokens the API can verify itself or
                                          introspect; opaque: tokens the API must introspect
      --ttl <seconds>                     access-token lifetime (default: 300 for jwt, ttl.accessToken
                                          or ttl.clientCredentials for opaque)
      --alg <alg>                         JWT signing algorithm, one of keys.algorithms (default ES256)
      --introspection-client <client_id>  a client registered with --resource-server that speaks for
                                          the API at the introspection endpoint (repeatable)
      --grant "<client_id> [scopes]"      let a client with the client_credentials grant get tokens for
                                          the API, with these of its scopes (repeatable)
      --json                              print the API as JSON
${COMMON}

Examples:
  portcullis client add --name "Orders API" --grant-type client_credentials --resource-server
  portcullis api add --identifier https://api.example.com/orders --name Orders \
      --scope "orders:read Read your orders" --scope "orders:write Place orders" \
      --introspection-client <client_id of "Orders API">
`,

  'api list': `Usage: portcullis api list [options]

Lists APIs, ordered by identifier, one page at a time.

Options:
      --limit <n>         APIs per page, 1 to 100 (default 50)
      --cursor <cursor>   page to show, as printed after the previous page
      --json              print {"items": [...], "nextCursor": ...} as JSON
${COMMON}
`,

  'api show': `Usage: portcullis api show <api> [options]

Shows an API, by id or identifier.

Options:
      --json              print the API as JSON
${COMMON}
`,

  'api update': `Usage: portcullis api update <api> [options]

Changes an API (by id or identifier). Only the options given change; the result must pass every
rule "api add" applies. The identifier never changes: tokens already issued carry it. New tokens
follow the change at once; tokens already issued keep their scopes and lifetime.

Options:
      --name, --format, --ttl, --alg      as for "api add"
      --default-ttl                       go back to the default lifetime
      --scope "<name> [description]"      add a scope, or change its description (repeatable)
      --remove-scope <name>               remove a scope (repeatable)
      --introspection-client <client_id>  add an introspecting client (repeatable)
      --remove-introspection-client <id>  remove one; it can no longer introspect this API's tokens
      --grant "<client_id> [scopes]"      add or replace a client-credentials grant (repeatable)
      --revoke-grant <client_id>          remove a client's grant; it gets no new tokens for the API
      --json                              print the API as JSON
${COMMON}
`,

  'api remove': `Usage: portcullis api remove <api> [options]

Deletes an API (by id or identifier). New token requests for it are refused at once and its
tokens introspect as inactive; a JWT already issued still verifies locally until it expires
(at most its lifetime, 300 s by default).

Options:
      --json              print {"id": ..., "identifier": ..., "removed": true} as JSON
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
