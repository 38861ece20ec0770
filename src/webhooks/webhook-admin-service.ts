import { randomBytes } from 'node:crypto';
import type { z } from 'zod';
import type { AuditLog, Actor } from '../admin/audit-log.ts';
import { AppError } from '../errors/app-error.ts';
import type { WebhookEndpointRecord, WebhookEndpointStore } from '../storage/outbox-ports.ts';
import { webhookCreateSchema, webhookPatchSchema } from './webhook-schemas.ts';
import { generateWebhookSecret } from './webhook-signature.ts';

export interface WebhookView {
  id: string;
  url: string;
  events: string[];
  description: string;
  disabled: boolean;
  created_at: string;
  updated_at: string;
}

export type CreatedWebhook = WebhookView & { secret: string };

function view(record: WebhookEndpointRecord): WebhookView {
  return {
    id: record.id,
    url: record.url,
    events: [...record.events],
    description: record.description,
    disabled: record.disabled,
    created_at: new Date(record.createdAt).toISOString(),
    updated_at: new Date(record.updatedAt).toISOString(),
  };
}

function parse<T>(schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const details: Record<string, string> = {};
  for (const issue of result.error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys)
        details[key.slice(0, 64)] = 'is not a field this operation accepts';
    } else {
      details[issue.path.map(String).join('.') || 'body'] ??= issue.message;
    }
  }
  throw new AppError('invalid_input', details);
}

/**
 * The receiver's URL. https (RFC 9700 §2.6's reasoning holds for event data too); http only
 * outside production, for receivers on a developer's machine. Where it may resolve to is checked
 * at each delivery (the SSRF rules of src/outbox/delivery-http.ts), not here: a name can change.
 */
function checkUrl(value: string, allowHttp: boolean): string {
  if (!URL.canParse(value)) throw new AppError('invalid_input', { url: 'is not an absolute URL' });
  const parsed = new URL(value);
  if (parsed.protocol !== 'https:' && !(allowHttp && parsed.protocol === 'http:')) {
    throw new AppError('invalid_input', {
      url: allowHttp ? 'must be an https or http URL' : 'must be an https URL',
    });
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new AppError('invalid_input', { url: 'must not carry credentials' });
  }
  if (parsed.hash !== '' || value.includes('#')) {
    throw new AppError('invalid_input', { url: 'must not have a fragment' });
  }
  return parsed.href;
}

function checkId(id: string): void {
  if (typeof id !== 'string' || !/^wh_[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw new AppError('not_found', { webhook: 'no such webhook endpoint' });
  }
}

/**
 * Admins' webhook endpoints, for the admin API, the CLI and the console alike; every change is
 * recorded in the audit log (`admin.webhook.*`) with who made it. The secret is generated here
 * and shown once, on creation and rotation (ASVS 15.3.1: listings never return it).
 */
export function createWebhookAdminService(deps: {
  endpoints: WebhookEndpointStore;
  audit: Pick<AuditLog, 'record'>;
  allowHttp: boolean;
  now: () => number;
}) {
  const find = async (id: string): Promise<WebhookEndpointRecord> => {
    checkId(id);
    const record = await deps.endpoints.findById(id);
    if (record === undefined)
      throw new AppError('not_found', { webhook: 'no such webhook endpoint' });
    return record;
  };
  return {
    async list(options: { cursor?: string | undefined; limit: number }) {
      const page = await deps.endpoints.list(options);
      return { items: page.items.map(view), nextCursor: page.nextCursor };
    },

    async get(id: string): Promise<WebhookView> {
      return view(await find(id));
    },

    async create(input: unknown, who: Actor): Promise<CreatedWebhook> {
      const data = parse(webhookCreateSchema, input);
      const time = deps.now();
      const record: WebhookEndpointRecord = {
        id: `wh_${randomBytes(12).toString('base64url')}`,
        url: checkUrl(data.url, deps.allowHttp),
        events: [...new Set(data.events)],
        secret: generateWebhookSecret(),
        description: data.description ?? '',
        disabled: data.disabled ?? false,
        createdAt: time,
        updatedAt: time,
      };
      await deps.endpoints.create(record);
      await deps.audit.record(who, {
        type: 'admin.webhook.created',
        details: { id: record.id, url: record.url.slice(0, 200), events: record.events.join(' ') },
      });
      return { ...view(record), secret: record.secret };
    },

    async update(id: string, input: unknown, who: Actor): Promise<WebhookView> {
      await find(id);
      const data = parse(webhookPatchSchema, input ?? {});
      const patch = {
        ...(data.url === undefined ? {} : { url: checkUrl(data.url, deps.allowHttp) }),
        ...(data.events === undefined ? {} : { events: [...new Set(data.events)] }),
        ...(data.description === undefined ? {} : { description: data.description }),
        ...(data.disabled === undefined ? {} : { disabled: data.disabled }),
      };
      const updated = await deps.endpoints.update(id, patch, deps.now());
      if (updated === undefined)
        throw new AppError('not_found', { webhook: 'no such webhook endpoint' });
      await deps.audit.record(who, {
        type: 'admin.webhook.updated',
        details: { id, changed: Object.keys(patch).join(' ') },
      });
      return view(updated);
    },

    async rotateSecret(id: string, who: Actor): Promise<CreatedWebhook> {
      await find(id);
      const secret = generateWebhookSecret();
      const updated = await deps.endpoints.update(id, { secret }, deps.now());
      if (updated === undefined)
        throw new AppError('not_found', { webhook: 'no such webhook endpoint' });
      await deps.audit.record(who, { type: 'admin.webhook.secret_rotated', details: { id } });
      return { ...view(updated), secret };
    },

    async remove(id: string, who: Actor): Promise<void> {
      checkId(id);
      if (!(await deps.endpoints.remove(id))) {
        throw new AppError('not_found', { webhook: 'no such webhook endpoint' });
      }
      await deps.audit.record(who, { type: 'admin.webhook.deleted', details: { id } });
    },
  };
}

export type WebhookAdminService = ReturnType<typeof createWebhookAdminService>;
