import { z } from 'zod';

// Each process validates the configuration it uses, once, at start-up.
const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const ms = parseDuration(value);
      if (ms === undefined) {
        ctx.addIssue({ code: 'custom', message: `expected a duration such as 500ms, 30s, 5m, 24h or 30d, got "${value}"` });
        return z.NEVER;
      }
      return ms;
    });

const int = (fallback: number, min = 0) => z.coerce.number().int().min(min).default(fallback);

const list = (fallback: string) => z.string().default(fallback).transform((v) => v.split(',').map((s) => s.trim()).filter(Boolean));

const durations = (fallback: string) =>
  list(fallback).transform((items, ctx) => {
    const ms = items.map((item) => (item === '0' ? 0 : parseDuration(item)));
    const bad = items.find((_, i) => ms[i] === undefined);
    if (bad !== undefined || ms.length === 0) {
      ctx.addIssue({ code: 'custom', message: `expected a comma-separated list of durations such as 0,5s,5m, got "${bad ?? ''}"` });
      return z.NEVER;
    }
    return ms as number[];
  });

export const envSchema = z.object({
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  SWITCHBOARD_DATA_DIR: z.string().min(1).default('./.switchboard'),
  SWITCHBOARD_ENV: z.string().regex(/^[a-z][a-z0-9]{1,15}$/, 'lowercase letters and digits, 2 to 16 characters').default('development'),
  SWITCHBOARD_ADMIN_TOKEN: z.string().min(24, 'at least 24 characters').optional(),
  SWITCHBOARD_PUBLIC_URL: z.url().optional(),
  HOST: z.string().default('127.0.0.1'),
  PORT: int(8080, 0).pipe(z.number().max(65535)),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_SIZE: int(10, 1),
  MAX_SESSION_BYTES: int(5 * 1024 * 1024, 1024),
  RETENTION_AFTER_SUBMISSION: duration('30d'),
  RETENTION_AFTER_RETRIEVAL: duration('5d'),
  AUDIT_RETENTION: duration('365d'),
  SECRET_ROTATION_OVERLAP: duration('24h'),
  RATE_LIMIT_PER_SECOND: int(200, 1),
  RATE_LIMIT_BURST: int(400, 1),
  SHUTDOWN_GRACE: duration('15s'),
  // Secrets at rest: comma-separated `id:base64(32 bytes)`, the first current (unset: insecure dev key,
  // refused in production).
  SECRET_KEYS: z.string().regex(/^[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=(\s*,\s*[A-Za-z0-9_-]{1,32}:[A-Za-z0-9+/]{43}=)*$/, 'comma-separated id:base64 keys of 32 bytes (e.g. k1:$(openssl rand -base64 32))').optional(),
  // Connectors.
  CONNECTOR_REGISTRY: z.url().default('https://registry.npmjs.org/'),
  CONNECTOR_REGISTRY_TOKEN: z.string().optional(),
  CONNECTOR_ALLOWED_ADDRESSES: z.string().default('').describe('IPs or CIDRs connectors may reach despite the SSRF guard'),
  // Delays before each retry of a failed run; `none` for no retries.
  CONNECTOR_RETRY_SCHEDULE: z.string().default('10s,1m,5m,30m,2h').refine((v) => v === 'none' || v.split(',').every((d) => parseDuration(d) !== undefined), 'comma-separated durations (e.g. 10s,1m,5m) or none'),
  CONNECTOR_SANDBOX_PROCESSES: int(1, 1),
  CONNECTOR_CONCURRENCY: int(50, 1),
  CONNECTOR_MAX_MEMORY_MB: int(128, 8),
  CONNECTOR_MAX_WALL: duration('60s'),
  CONNECTOR_MAX_CPU: duration('30s'),
  WEBHOOK_RETRY_SCHEDULE: durations('0,5s,5m,30m,2h,5h,10h,10h'),
  WEBHOOK_TIMEOUT: duration('15s'),
  WEBHOOK_LEASE: duration('60s'),
  WEBHOOK_POLL: duration('1s'),
  WEBHOOK_MAX_IN_FLIGHT_PER_ENDPOINT: int(10, 1),
  WEBHOOK_CONCURRENCY: int(200, 1),
  WEBHOOK_DISABLE_AFTER: duration('5d'),
  /** CIDRs or host names that may resolve to private addresses (the SSRF guard refuses them otherwise). */
  WEBHOOK_ALLOW_PRIVATE: list(''),
  /** When set, the only ports webhook URLs may use. */
  WEBHOOK_ALLOWED_PORTS: list('').pipe(z.array(z.string().regex(/^\d{1,5}$/, 'expected port numbers').transform(Number).pipe(z.number().min(1).max(65535)))),
  CABLE_MAX_BUFFERED_BYTES: int(1024 * 1024, 1024),
  // Files (session attachments): see runtime/src/files/README.md.
  FILES_DRIVER: z.enum(['fs', 's3']).default('fs'),
  FILES_DIR: z.string().min(1).optional(),
  FILES_MAX_BYTES: int(100 * 1024 * 1024, 1),
  FILES_ALLOWED_TYPES: z.string().default('application/pdf,image/jpeg,image/png,image/gif,image/webp,image/tiff,image/heic,image/heif,text/plain,text/csv,application/json,application/zip,application/vnd.openxmlformats-officedocument.wordprocessingml.document,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet,application/msword,application/vnd.ms-excel,application/x-cfb,application/dxf,image/vnd.dxf,application/geo+json')
    .transform((v) => v.split(',').map((t) => t.trim().toLowerCase()).filter(Boolean)),
  FILES_DOWNLOAD: z.enum(['stream', 'redirect']).default('stream'),
  FILES_URL_TTL: duration('60s'),
  FILES_URL_SECRET: z.string().min(32, 'at least 32 characters').optional(),
  FILES_S3_BUCKET: z.string().min(3).optional(),
  FILES_S3_REGION: z.string().min(1).default('us-east-1'),
  FILES_S3_ENDPOINT: z.url().optional(),
  FILES_S3_ACCESS_KEY_ID: z.string().min(1).optional(),
  FILES_S3_SECRET_ACCESS_KEY: z.string().min(1).optional(),
  FILES_S3_FORCE_PATH_STYLE: z.stringbool().default(false),
  FILES_S3_SSE: z.enum(['none', 'AES256', 'aws:kms']).default('none'),
  FILES_S3_KMS_KEY_ID: z.string().min(1).optional(),
  FILES_REFERENCE_ENDPOINT: z.url().optional(),
}).superRefine((env, ctx) => {
  if (env.SWITCHBOARD_ENV === 'production' && !env.SECRET_KEYS) {
    ctx.addIssue({ code: 'custom', path: ['SECRET_KEYS'], message: 'required when SWITCHBOARD_ENV is production (secrets at rest are sealed with it)' });
  }
});

export type Config = z.infer<typeof envSchema>;

export class ConfigError extends Error {}

/** Parses the environment; a bad value throws one line naming the variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  // An empty variable means unset, as in most shells' `FOO= cmd`.
  const given = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ''));
  const result = envSchema.safeParse(given);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  throw new ConfigError(`invalid configuration: ${issue.path.join('.')}: ${issue.message}`);
}

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

export function parseDuration(value: string): number | undefined {
  const match = /^(\d+)(ms|s|m|h|d)$/.exec(value.trim());
  if (!match) return undefined;
  return Number(match[1]) * units[match[2]!]!;
}
