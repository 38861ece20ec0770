import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { emailSchema, profileClaimsSchema, usernameSchema } from '../accounts/account-service.ts';
import { hashFormat } from '../accounts/legacy-password-hashes.ts';
import { normalizeLogin } from '../accounts/normalize-login.ts';
import type { Actor, AuditLog } from '../admin/audit-log.ts';
import { AppError } from '../errors/app-error.ts';
import type { AccountRecord, AccountStore } from '../storage/ports.ts';
import { StoreConflictError } from '../storage/ports.ts';
import {
  parseUserImport,
  type ImportFormat,
  type ImportProblem,
  type ImportRow,
} from './parse-user-import.ts';

export interface ImportReport {
  format: ImportFormat;
  dry_run: boolean;
  /** Users read from the file. */
  rows: number;
  /** Created by this run (0 on a dry run or when there were problems). */
  created: number;
  /** Already present with the same username (left as they are: re-runs change nothing). */
  skipped: number;
  /** Every bad row; when there is any, nothing was imported. */
  problems: ImportProblem[];
}

export const importRequestSchema = z
  .object({
    format: z
      .enum(['jsonl', 'csv'])
      .describe('JSON lines (one object per line) or CSV with a header row.'),
    content: z
      .string()
      .max(64 * 1024 * 1024)
      .describe('The file, as text (UTF-8).'),
    dry_run: z.boolean().optional().describe('Check every row and report; import nothing.'),
  })
  .strict();

const PROFILE_CLAIMS = Object.keys(profileClaimsSchema.shape);
const MAX_PROBLEMS = 1000;

const truthy = z
  .union([z.boolean(), z.enum(['true', 'false', '1', '0', 'yes', 'no', ''])])
  .transform((v) => v === true || v === 'true' || v === '1' || v === 'yes');

interface ValidRow {
  line: number;
  username: string;
  usernameNormalized: string;
  email: string | undefined;
  emailNormalized: string | undefined;
  emailVerified: boolean;
  passwordHash: string;
  disabled: boolean;
  claims: Record<string, unknown>;
}

function validate(row: ImportRow, problems: ImportProblem[]): ValidRow | undefined {
  const { line, fields } = row;
  const bad = (field: string, message: string) => {
    problems.push({ line, field, message });
  };
  const before = problems.length;
  // JSON lines carry profile claims in `claims`; CSV in columns named after them.
  const claimsIn: Record<string, unknown> =
    typeof fields.claims === 'object' && fields.claims !== null && !Array.isArray(fields.claims)
      ? { ...(fields.claims as Record<string, unknown>) }
      : {};
  if (
    fields.claims !== undefined &&
    Object.keys(claimsIn).length === 0 &&
    typeof fields.claims !== 'object'
  )
    bad('claims', 'must be an object of profile claims');
  for (const [key, value] of Object.entries(fields)) {
    if (
      ['username', 'email', 'email_verified', 'password_hash', 'disabled', 'claims'].includes(key)
    )
      continue;
    if (PROFILE_CLAIMS.includes(key)) claimsIn[key] = value;
    else bad(key.slice(0, 64), 'is not a field of an import row');
  }
  const username = usernameSchema.safeParse(fields.username);
  if (!username.success) bad('username', username.error.issues[0]?.message ?? 'is not valid');
  const email = fields.email === undefined ? undefined : emailSchema.safeParse(fields.email);
  if (email && !email.success) bad('email', 'expected an email address');
  const verified = truthy.safeParse(fields.email_verified ?? false);
  if (!verified.success) bad('email_verified', 'must be true or false');
  const disabled = truthy.safeParse(fields.disabled ?? false);
  if (!disabled.success) bad('disabled', 'must be true or false');
  const hash = fields.password_hash;
  if (typeof hash !== 'string' || hash === '') bad('password_hash', 'is required');
  else if (hashFormat(hash) === undefined)
    bad('password_hash', 'is not a bcrypt, PBKDF2, scrypt or argon2 hash in a known form');
  const claims = profileClaimsSchema.safeParse(claimsIn);
  if (!claims.success) {
    for (const issue of claims.error.issues) {
      if (issue.code === 'unrecognized_keys')
        for (const k of issue.keys) bad(k, 'is not a profile claim');
      else bad(issue.path.map(String).join('.') || 'claims', issue.message);
    }
  }
  if (problems.length > before || !username.success || !claims.success) return undefined;
  const emailValue = email?.success ? email.data : undefined;
  return {
    line,
    username: username.data,
    usernameNormalized: normalizeLogin(username.data),
    email: emailValue,
    emailNormalized: emailValue === undefined ? undefined : normalizeLogin(emailValue),
    emailVerified: verified.success ? verified.data : false,
    passwordHash: hash as string,
    disabled: disabled.success ? disabled.data : false,
    claims: claims.data,
  };
}

/**
 * `portcullis user import` and `POST /admin/v1/users/import`: users with the password hashes of
 * another system (docs/import.md), verified on first sign-in and rehashed to argon2id then
 * (password-hasher.ts). All or nothing: every row is checked first — fields, hash formats,
 * duplicates within the file, emails taken by other accounts — and if any is bad, nothing is
 * imported and every bad row is reported with its line. A user whose username exists already is
 * skipped, so running the same file again changes nothing. One audit entry per run.
 */
export function createUserImportService(deps: {
  accounts: AccountStore;
  audit: Pick<AuditLog, 'record'>;
  now: () => number;
}) {
  return {
    async run(input: unknown, who: Actor): Promise<ImportReport> {
      const parsed = importRequestSchema.safeParse(input);
      if (!parsed.success) {
        const details: Record<string, string> = {};
        for (const issue of parsed.error.issues) {
          if (issue.code === 'unrecognized_keys')
            for (const k of issue.keys)
              details[k.slice(0, 64)] = 'is not a field this operation accepts';
          else details[issue.path.map(String).join('.') || 'body'] ??= issue.message;
        }
        throw new AppError('invalid_input', details);
      }
      const { format, content } = parsed.data;
      const dryRun = parsed.data.dry_run ?? false;
      const { rows, problems } = parseUserImport(content, format);

      const valid: ValidRow[] = [];
      const seenLogins = new Map<string, number>();
      for (const row of rows) {
        const checked = validate(row, problems);
        if (checked === undefined) continue;
        const clash = (key: string, field: string) => {
          const first = seenLogins.get(key);
          if (first !== undefined) {
            problems.push({
              line: checked.line,
              field,
              message: `repeats the username or email of line ${String(first)}`,
            });
            return true;
          }
          seenLogins.set(key, checked.line);
          return false;
        };
        const a = clash(checked.usernameNormalized, 'username');
        const b = checked.emailNormalized !== undefined && clash(checked.emailNormalized, 'email');
        if (!a && !b) valid.push(checked);
      }

      // Against what is stored: existing usernames are skipped; an email (or a username) that
      // belongs to another account is a problem.
      const toCreate: ValidRow[] = [];
      let skipped = 0;
      for (const row of valid) {
        const existing = await deps.accounts.findByLogin(row.usernameNormalized);
        if (existing?.usernameNormalized === row.usernameNormalized) {
          skipped += 1;
          continue;
        }
        if (existing !== undefined) {
          problems.push({
            line: row.line,
            field: 'username',
            message: "is another account's email",
          });
          continue;
        }
        if (row.emailNormalized !== undefined) {
          const owner = await deps.accounts.findByLogin(row.emailNormalized);
          if (owner !== undefined) {
            problems.push({ line: row.line, field: 'email', message: 'is already in use' });
            continue;
          }
        }
        toCreate.push(row);
      }

      problems.sort((x, y) => x.line - y.line);
      const report: ImportReport = {
        format,
        dry_run: dryRun,
        rows:
          rows.length + new Set(problems.filter((p) => p.field === 'line').map((p) => p.line)).size,
        created: 0,
        skipped,
        problems: problems.slice(0, MAX_PROBLEMS),
      };
      if (dryRun || problems.length > 0) return report;

      for (const row of toCreate) {
        const time = deps.now();
        const record: AccountRecord = {
          id: randomUUID(),
          username: row.username,
          usernameNormalized: row.usernameNormalized,
          email: row.email,
          emailNormalized: row.emailNormalized,
          emailVerified: row.emailVerified,
          passwordHash: row.passwordHash,
          disabled: row.disabled,
          claims: row.claims,
          createdAt: time,
          updatedAt: time,
        };
        try {
          await deps.accounts.create(record);
          report.created += 1;
        } catch (err) {
          // Created meanwhile by someone else (a concurrent run): as good as skipped.
          if (!(err instanceof StoreConflictError)) throw err;
          report.skipped += 1;
        }
      }
      await deps.audit.record(who, {
        type: 'admin.users.imported',
        details: { format, rows: report.rows, created: report.created, skipped: report.skipped },
      });
      return report;
    },
  };
}

export type UserImportService = ReturnType<typeof createUserImportService>;

/** The answer of an import run (admin API), for the route table and the OpenAPI document. */
export const importReportSchema = z
  .object({
    format: z.enum(['jsonl', 'csv']),
    dry_run: z.boolean(),
    rows: z.number().int(),
    created: z.number().int(),
    skipped: z.number().int().describe('Users whose username existed already (left unchanged).'),
    problems: z
      .array(
        z
          .object({
            line: z.number().int().describe('1-based line of the file (0: the file as a whole).'),
            field: z.string(),
            message: z.string(),
          })
          .strict(),
      )
      .describe('Every bad row (at most 1000 listed); when there is any, nothing was imported.'),
  })
  .strict();
