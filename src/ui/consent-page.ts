import { clientBadge, type ClientInput } from './client-badge.ts';
import { isMessageKey } from './i18n/translate.ts';
import { interactionPath } from './interaction-path.ts';
import { layoutLocals, type PageContext } from './layout-locals.ts';
import { localise, type Localised } from './localise.ts';
import { optionalName } from './optional-name.ts';
import type { ConsentPageLocals, ConsentResource } from './template-contract.ts';

/** Which claims each scope releases (OIDC Core §5.4), keyed by scope. */
export type ScopeClaims = Readonly<Record<string, readonly string[]>>;

export interface ConsentPageInput extends PageContext {
  uid: string;
  csrfToken: string;
  client: ClientInput;
  /** Requested OpenID Connect scopes not yet granted (oidc-provider's `missingOIDCScope`). */
  scopes: readonly string[];
  /**
   * Requested API scopes not yet granted, per API (oidc-provider's `missingResourceScopes`), with
   * what the resource-server registry says about the API, when it knows it.
   */
  resources?: readonly ConsentResourceInput[] | undefined;
  /** Requested claims not yet granted (oidc-provider's `missingOIDCClaims`). */
  claims: readonly string[];
  /**
   * The provider's scope → claims table (src/oidc/scopes.ts `SCOPE_CLAIMS`), so a claim a
   * requested scope already covers is not listed twice. Passed in by the consent route because
   * which claims a scope releases is the provider's fact, and the UI layer imports no feature.
   */
  scopeClaims: ScopeClaims;
  accountName: string;
}

/** What the resource-server registry says about an API (its name, its scopes' descriptions). */
export interface ResourceDescription {
  readonly name: string;
  readonly scopes: readonly { readonly name: string; readonly description: string }[];
}

export interface ConsentResourceInput {
  /** The resource indicator the request named (RFC 8707 §2). */
  indicator: string;
  /** The scopes of this API the user has not granted yet. */
  scopes: readonly string[];
  /** Nothing when the registry does not know the API (removed since the request started). */
  description?: ResourceDescription | undefined;
}

/** Protocol claims that say nothing about the person (OpenID Connect Core 1.0 §2), never listed. */
const PROTOCOL_CLAIMS: ReadonlySet<string> = new Set([
  'sub',
  'sid',
  'iss',
  'aud',
  'exp',
  'iat',
  'auth_time',
  'nonce',
  'acr',
  'amr',
  'azp',
  'at_hash',
  'c_hash',
]);

/** Claims a standard scope already asks for (OIDC Core §5.4), so consent does not list them twice. */
function claimsOfScope(scope: string, table: ScopeClaims): readonly string[] {
  return Object.hasOwn(table, scope) ? (table[scope] ?? []) : [];
}

/** Plain words for a scope; unknown scopes are named as they are, in quotes. */
export function describeScope(scope: string, l: Pick<Localised, 't' | 'messages'>): string {
  const key = `scope.${scope}`;
  return isMessageKey(l.messages, key) ? l.t(key) : l.t('scope.unknown', { scope });
}

/** Plain words for a claim; unknown claims are named as they are, in quotes. */
export function describeClaim(claim: string, l: Pick<Localised, 't' | 'messages'>): string {
  const key = `claim.${claim}`;
  return isMessageKey(l.messages, key) ? l.t(key) : l.t('claim.unknown', { claim });
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values.map((value) => value.trim()).filter((value) => value !== ''))];
}

/**
 * An API as the consent page lists it: its registered name and each requested scope in the
 * words its registration gives. A scope without a description, or an API the registry does not
 * know, is named as it is (the template escapes it), never left out: the user must see all they
 * grant (ASVS 10.7.2).
 */
function consentResource(
  input: ConsentResourceInput,
  client: string,
  l: Localised,
): ConsentResource | undefined {
  const scopes = unique(input.scopes);
  if (scopes.length === 0) return undefined;
  const identifier = input.indicator;
  const name = optionalName(input.description?.name) ?? identifier;
  const described = new Map<string, string>();
  for (const scope of input.description?.scopes ?? []) {
    const text = scope.description.trim();
    if (text !== '') described.set(scope.name, text);
  }
  return {
    identifier,
    name,
    heading: l.t('consent.resourceHeading', { client, api: name }),
    scopes: scopes.map((scope) => ({
      name: scope,
      description: described.get(scope) ?? l.t('scope.unknown', { scope }),
    })),
  };
}

export function consentPage(input: ConsentPageInput): ConsentPageLocals {
  const l = localise(input.lang);
  const { t } = l;
  const client = clientBadge(input.client, t);
  const scopes = unique(input.scopes);
  const covered = new Set(scopes.flatMap((scope) => claimsOfScope(scope, input.scopeClaims)));
  const claims = unique(input.claims).filter(
    (claim) => !covered.has(claim) && !PROTOCOL_CLAIMS.has(claim),
  );
  return {
    layout: layoutLocals('consent', t('consent.title'), input, l),
    client,
    heading: t('consent.heading', { client: client.name }),
    signedInAs: t('consent.signedInAs', { account: input.accountName }),
    scopesHeading: t('consent.scopesHeading', { client: client.name }),
    scopes: scopes.map((name) => ({ name, description: describeScope(name, l) })),
    resources: (input.resources ?? []).flatMap(
      (resource) => consentResource(resource, client.name, l) ?? [],
    ),
    claimsHeading: t('consent.claimsHeading', { client: client.name }),
    claims: claims.map((name) => ({ name, description: describeClaim(name, l) })),
    trustNote: t('consent.trustNote', { client: client.name }),
    form: {
      action: interactionPath(input.uid, 'consent'),
      csrfToken: input.csrfToken,
      clientId: input.client.id,
    },
    allowLabel: t('consent.allow'),
    denyLabel: t('consent.deny'),
  };
}
