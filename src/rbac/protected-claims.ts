/**
 * Claims no claim mapping and no custom attribute may set or rename (issue 16): the ones the
 * protocol computes and relying parties check. Overwriting them would let an admin's table forge
 * who a token is about (`sub`), who issued it and for whom (`iss`, `aud`, `azp`), when it is valid
 * (`exp`, `iat`, `nbf`, `auth_time`), how the user signed in (`acr`, `amr`), which request it
 * answers (`nonce`, `at_hash`, `c_hash`, `s_hash`, `sid`) or what it grants (`scope`,
 * `client_id`, `cnf`, `roles`, `groups`). Sources: OIDC Core §2 and §3.1.3.6, RFC 7519 §4.1,
 * RFC 9068 §2.2, RFC 7800 §3.1, RFC 8693 §4.
 */
export const PROTECTED_CLAIMS: ReadonlySet<string> = new Set([
  'sub',
  'iss',
  'aud',
  'exp',
  'iat',
  'nbf',
  'jti',
  'nonce',
  'acr',
  'amr',
  'azp',
  'auth_time',
  'at_hash',
  'c_hash',
  's_hash',
  'sid',
  'scope',
  'client_id',
  'cnf',
  'act',
  'may_act',
  'typ',
  'gid',
  'roles',
  'groups',
  'updated_at',
  'email_verified',
  'phone_number_verified',
]);
