/**
 * Docker cannot run on our machines, so nothing builds the image or starts the compose file in
 * CI. These checks pin the facts that matter about them (no YAML parser is installed: plain
 * string checks), so a change elsewhere cannot make them silently wrong.
 */
import { describe, expect, it } from '@jest/globals';
import { existsSync, readFileSync } from 'node:fs';
import { ENV_BINDINGS } from '../../src/config/env-map.ts';

const read = (path: string): string =>
  readFileSync(new URL(`../../${path}`, import.meta.url), 'utf8');
const dockerfile = read('docker/Dockerfile');
const compose = read('docker/docker-compose.yml');
const envExample = read('docker/.env.example');
const dockerignore = read('.dockerignore');
const KNOWN_ENV = new Set(ENV_BINDINGS.map((binding) => binding.env));

/** Dockerfile instructions with line continuations joined and comments dropped. */
function instructions(text: string): string[] {
  return text
    .replace(/\\\n/g, ' ')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
}

/** The instructions of the last stage: what the image that runs is made of. */
function finalStage(text: string): string[] {
  const all = instructions(text);
  const lastFrom = all.map((line) => line.startsWith('FROM ')).lastIndexOf(true);
  return all.slice(lastFrom);
}

describe('docker/Dockerfile', () => {
  const runtime = finalStage(dockerfile);

  it('is multi-stage, on the official Node 24 image in every stage', () => {
    const froms = instructions(dockerfile).filter((line) => line.startsWith('FROM '));
    expect(froms.length).toBeGreaterThanOrEqual(2);
    for (const from of froms) expect(from).toMatch(/^FROM node:24-slim\b/);
  });

  it('installs production dependencies only in the final stage, without install scripts', () => {
    const installs = runtime.filter((line) => /\bnpm (ci|install)\b/.test(line));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toContain('npm ci --omit=dev --ignore-scripts');
  });

  it('runs as the unprivileged node user', () => {
    const users = runtime.filter((line) => line.startsWith('USER '));
    expect(users.at(-1)).toBe('USER node');
    // Nothing after the last USER switches back to root.
    expect(
      runtime.slice(runtime.lastIndexOf('USER node')).some((line) => /^USER (root|0)\b/.test(line)),
    ).toBe(false);
  });

  it('probes /healthz with node itself (the slim image has no curl)', () => {
    const healthcheck = runtime.find((line) => line.startsWith('HEALTHCHECK '));
    expect(healthcheck).toBeDefined();
    expect(healthcheck).toMatch(/CMD \["node", "-e", ".*fetch\(.*\/healthz/);
  });

  it('starts the server as production, listening on all interfaces on port 3000', () => {
    const env = runtime.filter((line) => line.startsWith('ENV ')).join(' ');
    expect(env).toMatch(/\bNODE_ENV=production\b/);
    expect(env).toMatch(/\bHOST=0\.0\.0\.0\b/);
    expect(runtime).toContain('EXPOSE 3000');
    expect(runtime.at(-1)).toBe('CMD ["node", "bin/portcullis.js", "serve"]');
  });

  it('copies only paths that exist, and everything the server reads at run time', () => {
    const copied = runtime
      .filter((line) => line.startsWith('COPY --from='))
      .map((line) => /\/app\/(\S+)/.exec(line)?.[1] ?? '');
    for (const path of copied)
      expect(existsSync(new URL(`../../${path}`, import.meta.url))).toBe(true);
    expect(copied).toEqual(expect.arrayContaining(['bin', 'src', 'views', 'public', 'config']));
  });

  it('sets only environment variables the configuration knows', () => {
    const names = runtime
      .filter((line) => line.startsWith('ENV '))
      .flatMap((line) => [...line.matchAll(/\b([A-Z][A-Z0-9_]*)=/g)].map((m) => m[1] ?? ''));
    expect(names.filter((name) => !KNOWN_ENV.has(name))).toEqual([]);
  });
});

describe('docker/docker-compose.yml', () => {
  it('runs MongoDB 7 as a single-node replica set that initiates itself', () => {
    expect(compose).toMatch(/image: mongo:7\b/);
    expect(compose).toMatch(/'--replSet', 'rs0'/);
    expect(compose).toMatch(
      /rs\.initiate\(\{ _id: 'rs0', members: \[\{ _id: 0, host: 'mongo:27017' \}\] \}\)/,
    );
    expect(compose).toMatch(/condition: service_healthy/);
  });

  it('points Portcullis at that replica set by the host its config names', () => {
    expect(compose).toContain('STORE: mongodb');
    expect(compose).toContain('MONGODB_URI: mongodb://mongo:27017/portcullis?replicaSet=rs0');
  });

  it('requires the issuer and the secrets instead of defaulting them', () => {
    for (const name of ['ISSUER', 'COOKIE_KEYS', 'CLIENT_SECRET_KEYS']) {
      expect(compose).toContain(`${name}: \${${name}:?`);
    }
  });

  it('passes only environment variables the configuration knows', () => {
    const environment = /\n {4}environment:\n((?: {6}.*\n)+)/.exec(compose)?.[1] ?? '';
    const names = [...environment.matchAll(/^ {6}([A-Z][A-Z0-9_]*):/gm)].map((m) => m[1] ?? '');
    expect(names).toEqual(
      expect.arrayContaining(['ISSUER', 'COOKIE_KEYS', 'STORE', 'MONGODB_URI']),
    );
    expect(names.filter((name) => !KNOWN_ENV.has(name))).toEqual([]);
  });

  it('does not publish the database port', () => {
    const mongo = compose.slice(compose.indexOf('  mongo:'), compose.indexOf('  portcullis:'));
    expect(mongo).not.toMatch(/\n {4}ports:/);
  });
});

describe('docker/.env.example and .dockerignore', () => {
  it('names the required settings with empty values, so no placeholder secret can be used', () => {
    for (const name of ['ISSUER', 'COOKIE_KEYS', 'CLIENT_SECRET_KEYS']) {
      expect(envExample).toMatch(new RegExp(`^${name}=$`, 'm'));
    }
  });

  it('lists only variables the compose file reads', () => {
    const names = [...envExample.matchAll(/^#? ?([A-Z][A-Z0-9_]*)=/gm)].map((m) => m[1] ?? '');
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(compose).toContain(`\${${name}:`);
  });

  it('keeps installed modules, local data, secrets and history out of the build context', () => {
    const ignored = dockerignore.split('\n').map((line) => line.trim());
    expect(ignored).toEqual(expect.arrayContaining(['node_modules', '.git', '.env', 'data']));
  });
});

describe("README's Docker quick start", () => {
  const readme = read('README.md');
  const section = readme.slice(readme.indexOf('### With Docker and MongoDB'));
  const commands = /```sh\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  // The `.env` it writes: the `NAME=value` words of its first printf (joined over `\` lines).
  const envLine =
    commands
      .replace(/\\\n/g, ' ')
      .split('\n')
      .find((line) => line.includes('> .env')) ?? '';
  const written = new Map(
    [...envLine.matchAll(/"?\b([A-Z][A-Z0-9_]*)=([^\s"]*)/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
  );

  it('writes every variable the compose file requires, and only ones it reads', () => {
    const required = [...compose.matchAll(/\$\{([A-Z][A-Z0-9_]*):\?/g)].map((m) => m[1] ?? '');
    expect(required.length).toBeGreaterThan(0);
    for (const name of required) expect(written.has(name)).toBe(true);
    for (const name of written.keys()) expect(compose).toContain(`\${${name}:`);
  });

  it('runs over plain http on localhost, which only development mode allows', () => {
    expect(written.get('ISSUER')).toBe('http://localhost:3000');
    expect(written.get('NODE_ENV')).toBe('development');
    expect(written.get('TRUST_PROXY')).toBe('false');
    expect(compose).toContain("'127.0.0.1:3000:3000'");
  });

  it('generates the secrets in the form the configuration checks', () => {
    expect(envLine).toContain('"COOKIE_KEYS=$(openssl rand -base64 48)"');
    expect(envLine).toContain('"CLIENT_SECRET_KEYS=$(openssl rand -base64 32)"');
  });

  it('runs from the compose file’s folder, so compose finds it and reads that .env', () => {
    expect(commands.split('\n')[0]).toBe('cd docker');
    expect(commands).toContain('docker compose up -d --build');
  });
});
