import type { Context } from 'hono';
import { z } from 'zod';
import type { EnablementRow, PackageRow, RunRow } from '../../../db/store/connectors.ts';
import type { AppEnv } from '../../context.ts';
import { ApiError } from '../../problem.ts';
import { slug, timestamp } from '../../schemas.ts';

// Connector shapes at the HTTP edge and the row → API presenters.

export const packageName = z.string().regex(/^(@[a-z0-9][a-z0-9._-]*\/)?[a-z0-9][a-z0-9._-]*$/, 'an npm package name').max(214);
export const exactVersion = z.string().regex(/^\d+\.\d+\.\d+(-[0-9A-Za-z.-]+)?$/, 'an exact version such as 1.2.3');

export const limitsSchema = z.object({
  memoryMb: z.number().int().min(8).optional(),
  wallMs: z.number().int().min(100).optional(),
  cpuMs: z.number().int().min(10).optional(),
  maxRequests: z.number().int().min(0).optional(),
}).meta({ id: 'ConnectorLimits', description: 'Per-run limits, capped by the operator maxima.' });

export const connectorPackageSchema = z.object({
  name: packageName, version: z.string(), integrity: z.string(), resolved: z.string().nullable(),
  manifest: z.object({
    manifestVersion: z.literal(1), entry: z.string(), description: z.string().optional(),
    configSchema: z.record(z.string(), z.unknown()).describe('JSON Schema of the config.'),
    allowedHosts: z.array(z.string()), requires: z.record(z.string(), z.unknown()).optional(),
  }),
  bundleSha256: z.string(), installedBy: z.string(), installedAt: timestamp, enablements: z.number().int().optional(),
}).meta({ id: 'ConnectorPackage' });

export const enablementSchema = z.object({
  id: z.string(), team: slug, package: packageName, version: z.string(),
  config: z.record(z.string(), z.unknown()).describe('The config with secret (write-only) fields masked.'),
  flows: z.array(slug), eventTypes: z.array(z.string()), active: z.boolean(), limits: limitsSchema,
  createdAt: timestamp, updatedAt: timestamp,
}).meta({ id: 'ConnectorEnablement' });

export const runStatus = z.enum(['queued', 'running', 'retrying', 'success', 'failed', 'error', 'skipped', 'dead']);
export const runSchema = z.object({
  id: z.string(), team: slug, enablementId: z.string(), eventId: z.string().nullable(), sessionId: z.string(), status: runStatus,
  dryRun: z.boolean(), attempts: z.number().int(), result: z.string().nullable().describe('The last attempt: success, failed or error.'),
  error: z.string().nullable(), limitHit: z.string().nullable(), skippedPaths: z.array(z.string()).nullable(),
  durationMs: z.number().nullable(), cpuMs: z.number().nullable(), memoryBytes: z.number().nullable(),
  requests: z.array(z.object({ method: z.string(), host: z.string(), path: z.string(), status: z.number().nullable(), durationMs: z.number(), error: z.string().optional(), dryRun: z.boolean().optional() })),
  logs: z.array(z.string()), package: z.string(), version: z.string(),
  nextAttemptAt: timestamp.nullable(), createdAt: timestamp, startedAt: timestamp.nullable(), finishedAt: timestamp.nullable(),
}).meta({ id: 'ConnectorRun' });

const iso = (d: Date | null) => (d ? d.toISOString() : null);

export const presentPackage = (p: PackageRow & { enablements?: number }) => ({
  name: p.name, version: p.version, integrity: p.integrity, resolved: p.resolved, manifest: p.manifest, bundleSha256: p.bundle_sha256,
  installedBy: p.installed_by, installedAt: p.installed_at.toISOString(), ...(p.enablements !== undefined ? { enablements: p.enablements } : {}),
});

export const presentEnablement = (e: EnablementRow) => ({
  id: e.id, team: e.team, package: e.package, version: e.version, config: e.config_public, flows: e.flows, eventTypes: e.event_types,
  active: e.active, limits: e.limits, createdAt: e.created_at.toISOString(), updatedAt: e.updated_at.toISOString(),
});

export const presentRun = (r: RunRow) => ({
  id: r.id, team: r.team, enablementId: r.enablement_id, eventId: r.event_id, sessionId: r.session_id, status: r.status, dryRun: r.dry_run,
  attempts: r.attempts, result: r.result, error: r.error, limitHit: r.limit_hit, skippedPaths: r.skipped_paths,
  durationMs: r.duration_ms, cpuMs: r.cpu_ms, memoryBytes: r.memory_bytes === null ? null : Number(r.memory_bytes),
  requests: r.requests as z.infer<typeof runSchema>['requests'], logs: r.logs, package: r.package, version: r.version,
  nextAttemptAt: iso(r.next_attempt_at), createdAt: r.created_at.toISOString(), startedAt: iso(r.started_at), finishedAt: iso(r.finished_at),
});

export function actorId(c: Context<AppEnv>): string {
  const a = c.var.actor;
  return 'id' in a ? a.id : 'unknown';
}

export function requireQueue(c: Context<AppEnv>) {
  const q = c.var.deps.queue;
  if (!q) throw new ApiError('not_ready', 'this process has no job queue; run the API with the workers (`switchboard start`)');
  return q;
}
