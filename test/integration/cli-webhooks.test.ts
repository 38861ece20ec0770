import { PassThrough, Writable } from 'node:stream';
import { afterAll, describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/run-cli.ts';
import { createSqliteStore } from '../../src/storage/sqlite/create-sqlite-store.ts';
import { tempDir } from '../helpers/test-server.ts';

/** `portcullis webhook …` and `portcullis delivery …` (issue 17), in-process on a SQLite store. */

const data = tempDir('portcullis-cli-webhooks-');
afterAll(() => data.remove());

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const sink = (append: (s: string) => void) =>
    new Writable({
      write(chunk: Buffer | string, _e, done) {
        append(chunk.toString());
        done();
      },
    });
  const stdin = new PassThrough();
  stdin.end('');
  const code = await runCli(argv, {
    stdin,
    stdout: sink((s) => (stdout += s)),
    stderr: sink((s) => (stderr += s)),
    env: { STORE: 'sqlite', DATA_DIR: data.path, NODE_ENV: 'test' },
    isTTY: false,
  });
  return { code, stdout, stderr };
}

describe('the CLI and the admin API share one service layer (same audit trail)', () => {
  it('records a key rotation and an API change from the CLI as the admin API does', async () => {
    expect((await cli(['keys', 'rotate'])).code).toBe(0);
    expect((await cli(['keys', 'prune'])).code).toBe(0);
    const added = await cli([
      'api',
      'add',
      '--identifier',
      'https://cli-parity.example.com/api',
      '--name',
      'Parity',
      '--json',
    ]);
    expect(added.code).toBe(0);
    const audit = await cli(['audit', 'list', '--json']);
    const types = (JSON.parse(audit.stdout) as { items: { type: string; actor: string }[] }).items;
    expect(types.find((e) => e.type === 'admin.keys.rotated')?.actor).toMatch(/^cli/);
    expect(types.find((e) => e.type === 'admin.api.created')?.actor).toMatch(/^cli/);
  });
});

describe('portcullis webhook and delivery', () => {
  it('registers an endpoint with a secret shown once, lists it without the secret, and removes it', async () => {
    const added = await cli([
      'webhook',
      'add',
      'https://crm.example.com/hooks',
      '--event',
      'admin.user.*',
      '--event',
      'login.locked',
      '--json',
    ]);
    expect(added.code).toBe(0);
    const endpoint = JSON.parse(added.stdout) as { id: string; secret: string; events: string[] };
    expect(endpoint.secret).toMatch(/^whsec_/);
    expect(endpoint.events).toEqual(['admin.user.*', 'login.locked']);
    expect(added.stderr).toContain('shown only now');

    const listed = await cli(['webhook', 'list']);
    expect(listed.stdout).toContain(endpoint.id);
    expect(listed.stdout).not.toContain(endpoint.secret);

    const updated = await cli(['webhook', 'update', endpoint.id, '--disable', '--json']);
    expect(JSON.parse(updated.stdout)).toMatchObject({ disabled: true });
    const rotated = await cli(['webhook', 'rotate-secret', endpoint.id, '--json']);
    expect((JSON.parse(rotated.stdout) as { secret: string }).secret).not.toBe(endpoint.secret);

    // The audit trail names the CLI, as the API's names the admin client.
    const audit = await cli(['audit', 'list', '--json']);
    expect(audit.stdout).toContain('admin.webhook.created');
    expect(audit.stdout).toContain('admin.webhook.secret_rotated');

    expect((await cli(['webhook', 'remove', endpoint.id])).code).toBe(0);
    const again = await cli(['webhook', 'remove', endpoint.id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/not found|no such/i);
  });

  it('refuses a bad URL with the field named, and stores nothing', async () => {
    const bad = await cli(['webhook', 'add', 'ftp://x.example/', '--event', '*']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('url');
    const listed = await cli(['webhook', 'list', '--json']);
    expect((JSON.parse(listed.stdout) as { items: unknown[] }).items).toEqual([]);
  });

  it('lists dead letters and retries one', async () => {
    // A dead letter, made the way the worker makes one.
    const store = createSqliteStore({ file: `${data.path}/portcullis.db` });
    const id = `msg_${'1'.repeat(20)}`;
    await store.outbox.enqueue([
      {
        id,
        kind: 'webhook',
        url: 'https://crm.example.com/hooks',
        body: '{}',
        contentType: 'application/json',
        target: 'wh_test',
        topic: 'admin.user.created',
        availableAt: Date.now(),
      },
    ]);
    const [held] = await store.outbox.claim({ leaseMs: 60_000, limit: 1, id });
    await store.outbox.fail(id, held?.leaseId ?? '', {
      error: 'HTTP 500',
      status: 500,
      retryAt: undefined,
    });
    await store.close();

    const dead = await cli(['delivery', 'list', '--state', 'dead']);
    expect(dead.stdout).toContain(id);
    expect(dead.stdout).toContain('HTTP 500');
    expect((await cli(['delivery', 'list', '--state', 'nope'])).code).toBe(2);

    const retried = await cli(['delivery', 'retry', id]);
    expect(retried.code).toBe(0);
    const pending = await cli(['delivery', 'list', '--state', 'pending', '--json']);
    expect(JSON.parse(pending.stdout)).toMatchObject({
      items: [{ id, state: 'pending', attempts: 0 }],
    });
    expect((await cli(['delivery', 'retry', id])).code).toBe(1);
    expect((await cli(['delivery', 'remove', id])).code).toBe(0);
  });
});
