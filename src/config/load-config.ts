import { existsSync, readFileSync } from 'node:fs';
import { deepFreeze } from './deep-freeze.ts';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { z } from 'zod';
import { configSchema, crossFieldProblems, type Config } from './schema.ts';
import { ENV_BINDINGS, convertEnvValue, envNameFor } from './env-map.ts';

export const DEFAULT_CONFIG_DIR = fileURLToPath(new URL('../../config/', import.meta.url));

export type ConfigResult = { ok: true; config: Config } | { ok: false; errors: string[] };

type Tree = Record<string, unknown>;

function isTree(v: unknown): v is Tree {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Later sources win; arrays are replaced, not concatenated. */
function merge(base: Tree, over: Tree): Tree {
  const out: Tree = { ...base };
  for (const [k, v] of Object.entries(over)) {
    // Configuration files are ours, but refuse prototype keys anyway (ASVS 15.3.6).
    if (k === '__proto__' || k === 'constructor' || k === 'prototype') continue;
    const prev = out[k];
    out[k] = isTree(prev) && isTree(v) ? merge(prev, v) : v;
  }
  return out;
}

function setPath(tree: Tree, path: readonly string[], value: unknown): void {
  let node = tree;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (!isTree(next)) node[key] = {};
    node = node[key] as Tree;
  }
  const last = path[path.length - 1];
  if (last !== undefined) node[last] = value;
}

function readJson(file: string, errors: string[]): Tree {
  if (!existsSync(file)) return {};
  try {
    const parsed: unknown = JSON.parse(readFileSync(file, 'utf8'));
    if (!isTree(parsed)) {
      errors.push(`${file}: expected a JSON object`);
      return {};
    }
    return parsed;
  } catch (err) {
    errors.push(`${file}: not valid JSON (${(err as Error).message})`);
    return {};
  }
}

function describeIssue(issue: z.core.$ZodIssue, input: Tree): string {
  const path = issue.path.join('.');
  const env = envNameFor(issue.path);
  const where = env ? `${env} (${path})` : path || '(root)';
  let got = '';
  if (
    issue.code === 'invalid_type' ||
    issue.code === 'invalid_value' ||
    issue.code === 'invalid_format'
  ) {
    let node: unknown = input;
    for (const key of issue.path) node = isTree(node) ? node[key as string] : undefined;
    // Never echo secrets back: cookie keys are reported by position only.
    // The SMTP URL may hold the SMTP password.
    if (node !== undefined && !path.startsWith('secrets') && path !== 'email.smtpUrl')
      got = `, got ${JSON.stringify(node)}`;
  }
  if (issue.code === 'unrecognized_keys') {
    return `${where}: unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  }
  const message =
    issue.code === 'invalid_type'
      ? `expected ${issue.expected}`
      : issue.message.replace(/^Invalid (input|option): /, '');
  return `${where}: ${message}${got}`;
}

/**
 * Production with `trustProxy` but `trustedProxies` left at the default: the operator never said
 * which addresses their proxies have. Refused rather than guessed (issue 12 item 8): a default of
 * every private range let any client on a private network pick, through `X-Forwarded-For`, the
 * address that its rate limits and the audit log see (ASVS 15.3.4); loopback only is safe but
 * would quietly key every client behind a remote proxy on that proxy's address.
 */
function implicitTrustedProxies(
  tree: Tree,
  modeTree: Tree,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const server = (t: Tree): Tree => (isTree(t['server']) ? t['server'] : {});
  if (tree['env'] !== 'production' || server(tree)['trustProxy'] !== true) return false;
  const fromEnv = env['TRUSTED_PROXIES'] !== undefined && env['TRUSTED_PROXIES'] !== '';
  return !fromEnv && server(modeTree)['trustedProxies'] === undefined;
}

/**
 * Builds the configuration from `config/default.json`, `config/<NODE_ENV>.json` and the
 * environment, validates it once and freezes it. Returns every problem at once, so an operator
 * fixes them in one go instead of one per restart.
 */
export function loadConfig(
  env: Readonly<Record<string, string | undefined>>,
  configDir = DEFAULT_CONFIG_DIR,
): ConfigResult {
  const errors: string[] = [];
  const dir = resolve(configDir);
  const mode = env.NODE_ENV && env.NODE_ENV.length > 0 ? env.NODE_ENV : 'development';
  let tree = readJson(join(dir, 'default.json'), errors);
  const modeTree = /^[a-z]+$/.test(mode) ? readJson(join(dir, `${mode}.json`), errors) : {};
  tree = merge(tree, modeTree);
  tree = merge(tree, { env: mode });
  for (const binding of ENV_BINDINGS) {
    const raw = env[binding.env];
    if (raw === undefined || raw === '') continue;
    setPath(tree, binding.path, convertEnvValue(binding.kind, raw));
  }

  // A rule about where a value came from, which the merged tree no longer knows: see
  // implicitTrustedProxies.
  if (implicitTrustedProxies(tree, modeTree, env)) {
    errors.push(
      describeIssue(
        {
          code: 'custom',
          path: ['server', 'trustedProxies'],
          message:
            'required in production with TRUST_PROXY=true: the CIDR blocks of your load balancers, whose X-Forwarded-For is believed (the default trusts loopback only)',
          input: undefined,
        } as z.core.$ZodIssue,
        tree,
      ),
    );
  }

  const parsed = configSchema.safeParse(tree);
  if (!parsed.success) {
    errors.push(...parsed.error.issues.map((issue) => describeIssue(issue, tree)));
    // zod skips the cross-field rules when a key is invalid; check them on the raw tree so every
    // problem is reported at once.
    const reported = new Set(parsed.error.issues.map((issue) => issue.path.join('.')));
    for (const problem of crossFieldProblems(tree)) {
      if (reported.has(problem.path.join('.'))) continue;
      errors.push(
        describeIssue(
          {
            code: 'custom',
            path: problem.path,
            message: problem.message,
            input: undefined,
          } as z.core.$ZodIssue,
          tree,
        ),
      );
    }
  }
  if (errors.length > 0 || !parsed.success) return { ok: false, errors };

  const data = parsed.data;
  const config: Config = {
    ...data,
    server: {
      ...data.server,
      issuer: (data.server.issuer ?? `http://localhost:${data.server.port}`).replace(/\/$/, ''),
    },
  };
  return { ok: true, config: deepFreeze(config) };
}
