/**
 * The one catalogue of error codes Portcullis itself answers with (the provider's OAuth errors
 * keep their own RFC 6749 shape and are never rewrapped). Codes are stable: operators and
 * scripts match on them. `message` is what a person reads; 5xx messages never carry details.
 */
export const ERROR_CODES = {
  invalid_request: { status: 400, message: 'The request is not valid.' },
  invalid_input: { status: 400, message: 'Some fields are not valid.' },
  // RFC 7591 §3.2.2 names, so the admin API and dynamic registration can answer in that shape;
  // `details` names the metadata field and what is wrong with it.
  invalid_redirect_uri: { status: 400, message: 'One or more redirect URIs are not valid.' },
  invalid_client_metadata: { status: 400, message: 'Some client metadata is not valid.' },
  invalid_body: {
    status: 400,
    message: 'The request body could not be read (malformed form or JSON).',
  },
  csrf_failed: {
    status: 403,
    message: 'This form has expired or was not sent from this site. Go back and try again.',
  },
  interaction_mismatch: {
    status: 400,
    message:
      'This sign-in page does not belong to the sign-in in progress. Start again from the application.',
  },
  interaction_expired: {
    status: 400,
    message: 'This sign-in took too long and has expired. Start again from the application.',
  },
  not_found: { status: 404, message: 'Nothing was found at this address.' },
  method_not_allowed: { status: 405, message: 'This method is not allowed here.' },
  username_taken: { status: 409, message: 'That username is already in use.' },
  email_taken: { status: 409, message: 'That email address is already in use.' },
  resource_server_exists: {
    status: 409,
    message: 'An API with that identifier is already registered.',
  },
  // Roles, groups and attributes (issue 16, src/rbac).
  role_exists: { status: 409, message: 'A role with that name already exists.' },
  group_exists: { status: 409, message: 'A group with that name already exists.' },
  attribute_exists: { status: 409, message: 'An attribute with that name is already defined.' },
  unknown_role: { status: 400, message: 'The request names a role that does not exist.' },
  group_cycle: {
    status: 400,
    message: 'A group cannot contain itself, directly or through the groups inside it.',
  },
  protected_claim: {
    status: 400,
    message:
      'A protocol claim (sub, iss, aud, exp, nonce, ...) cannot be set or renamed by a mapping or an attribute.',
  },
  payload_too_large: { status: 413, message: 'The request body is too large.' },
  unsupported_media_type: {
    status: 415,
    message: 'The request body must be a form (application/x-www-form-urlencoded).',
  },
  misdirected_request: { status: 421, message: 'This server does not answer for that host name.' },
  // Brute-force limits (src/security): too many failed sign-ins from one network, and the
  // optional limit of concurrent sessions per user.
  too_many_attempts: {
    status: 429,
    message: 'Too many failed sign-ins from your network. Wait a few minutes and try again.',
  },
  session_limit_reached: {
    status: 409,
    message: 'You are signed in on too many devices. Sign out on one of them and try again.',
  },
  // Admin API (src/admin): bearer-token answers of RFC 6750 §3.1, and its JSON-only bodies.
  authentication_required: {
    status: 401,
    message: 'This API needs an admin access token (Authorization: Bearer <token>).',
  },
  invalid_token: {
    status: 401,
    message:
      'The access token is not valid: it is unknown, expired or revoked, or its client no longer exists.',
  },
  insufficient_scope: {
    status: 403,
    message: 'The access token does not grant the admin scope this operation needs.',
  },
  json_required: {
    status: 415,
    message: 'The request body must be JSON (Content-Type: application/json).',
  },
  no_client_secret: {
    status: 409,
    message: 'This client does not authenticate with a secret, so there is none to rotate.',
  },
  delivery_not_dead: {
    status: 409,
    message: 'Only a dead letter can be retried; this delivery is still pending.',
  },
  store_unavailable: {
    status: 503,
    message: 'The service is temporarily unavailable. Try again in a moment.',
  },
  internal_error: { status: 500, message: 'Something went wrong on our side.' },
} as const satisfies Record<string, { status: number; message: string }>;

export type ErrorCode = keyof typeof ERROR_CODES;
