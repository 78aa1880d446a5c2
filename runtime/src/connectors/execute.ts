import type { PgBoss } from 'pg-boss';
import type { Clock } from '../clock.ts';
import type { Config } from '../config/env.ts';
import { parseDuration } from '../config/env.ts';
import { open } from '../crypto/secret-box.ts';
import type { Db } from '../db/pool.ts';
import { claimRunsWithContext, finishRuns, getBundle, type RunContext, type RunOutcome } from '../db/store/connectors.ts';
import { listSessionFiles } from '../db/store/files.ts';
import { createFileDownloadToken, fileDownloadUrl, fileUrlSecret } from '../files/download-token.ts';
import type { Logger } from '../log.ts';
import { resolveAllowedHosts } from '../sandbox/allowed-hosts.ts';
import type { Sandbox } from '../sandbox/pool.ts';
import type { SandboxResult } from '../sandbox/types.ts';
import { validateAgainst } from './json-schema.ts';
import { keyringFor } from './keyring.ts';
import { effectiveLimits } from './limits.ts';
import { enqueueRuns, type RunJob } from './queue.ts';

export type ExecuteDeps = { db: Db; clock: Clock; log: Logger; sandbox: Sandbox; boss: Pick<PgBoss, 'insert'>; config: Config };

export function retrySchedule(config: Pick<Config, 'CONNECTOR_RETRY_SCHEDULE'>): number[] {
  if (config.CONNECTOR_RETRY_SCHEDULE === 'none') return [];
  return config.CONNECTOR_RETRY_SCHEDULE.split(',').map((d) => parseDuration(d)!);
}

/** Bundles are immutable per name@version#integrity, so each process fetches each one once. */
const bundles = new Map<string, Promise<string>>();
function bundleFor(db: Db, ctx: RunContext): Promise<string> {
  const key = `${ctx.package}@${ctx.en_version}#${ctx.integrity}`;
  let p = bundles.get(key);
  if (!p) {
    p = getBundle(db, ctx.package, ctx.en_version).then((b) => {
      if (!b || b.integrity !== ctx.integrity) throw new Error(`bundle of ${key} not found`);
      return b.bundle;
    });
    p.catch(() => bundles.delete(key));
    if (bundles.size > 200) bundles.clear();
    bundles.set(key, p);
  }
  return p;
}

/**
 * The session's stored files as a sandbox sees them: name, type, size, hash and a short-lived
 * download link (never storage credentials), plus the host the link is on, to allow it.
 * Without SWITCHBOARD_PUBLIC_URL a worker cannot say where the API answers: no links then.
 */
async function sandboxFiles(d: ExecuteDeps, ctx: RunContext) {
  const rows = await listSessionFiles(d.db, ctx.team, ctx.session_id);
  const base = d.config.SWITCHBOARD_PUBLIC_URL;
  // Valid for the whole run, however long the connector may take.
  const expiresAt = new Date(d.clock.now().getTime() + Math.max(d.config.FILES_URL_TTL, d.config.CONNECTOR_MAX_WALL));
  const secret = fileUrlSecret(d.config.FILES_URL_SECRET);
  const files = rows.map((f) => ({
    id: f.id, name: f.name, contentType: f.content_type, size: f.size, sha256: f.sha256,
    ...(base ? { url: fileDownloadUrl(base, createFileDownloadToken({ team: ctx.team, sessionId: ctx.session_id, fileId: f.id, expiresAt }, secret)) } : {}),
  }));
  return { files, host: base && files.length > 0 ? new URL(base).host : undefined };
}

const empty = { result: null, error: null, limit_hit: null, skipped_paths: null, duration_ms: null, cpu_ms: null, memory_bytes: null, requests: [], logs: [], next_attempt_at: null };
type Decided = RunOutcome & { team: string; id: string; retryDelayMs?: number };

/** Whether the session may still go to this enablement and meets its requirements; then the sandbox. */
async function attempt(d: ExecuteDeps, ctx: RunContext, schedule: number[]): Promise<Decided> {
  const base = { ...empty, team: ctx.team, id: ctx.id, package: ctx.package, version: ctx.en_version };
  if (!ctx.s_exists) return { ...base, status: 'skipped', error: 'the session no longer exists' };
  if (!ctx.granted) return { ...base, status: 'skipped', error: `flow "${ctx.s_flow}" does not grant this connector` };
  if (ctx.s_purged_at) return { ...base, status: 'skipped', error: 'the session data was purged' };
  if (ctx.manifest.requires) {
    const issues = validateAgainst(ctx.manifest.requires, ctx.s_data ?? {});
    if (issues.length) return { ...base, status: 'skipped', skipped_paths: issues.map((i) => `${i.path}: ${i.message}`), error: 'the session does not satisfy the connector’s requirements' };
  }

  let result: SandboxResult;
  try {
    const config = JSON.parse(open(ctx.config_sealed, keyringFor(d.config.SECRET_KEYS))) as Record<string, unknown>;
    const code = await bundleFor(d.db, ctx);
    const stored = await sandboxFiles(d, ctx);
    result = await d.sandbox.run({
      bundle: { key: `${ctx.package}@${ctx.en_version}#${ctx.integrity}`, code },
      // Warm reuse only within one enablement and config revision: nothing crosses tenants.
      reuseKey: `${ctx.enablement_id}:${ctx.en_updated_at.getTime()}`,
      session: {
        id: ctx.session_id, team: ctx.team, flow: ctx.s_flow, paymentId: ctx.s_payment_id,
        submittedAt: ctx.s_submitted_at?.toISOString(), data: ctx.s_data ?? {},
        // The producer's file references as submitted, then the files stored with the session.
        files: [...((ctx.s_files as unknown[] | null) ?? []), ...stored.files],
      },
      config,
      allowedHosts: [...resolveAllowedHosts(ctx.manifest.allowedHosts, config), ...(stored.host ? [stored.host] : [])],
      limits: effectiveLimits(ctx.en_limits, d.config),
      dryRun: ctx.dry_run,
    });
  } catch (err) {
    result = { outcome: 'error', error: `runtime: ${(err as Error).message}`, durationMs: 0, cpuMs: 0, memoryBytes: 0, requests: [], logs: [], warm: false };
  }
  const measured = {
    ...base, result: result.outcome, error: result.error ?? null, limit_hit: result.limit ?? null, duration_ms: result.durationMs, cpu_ms: result.cpuMs,
    memory_bytes: result.memoryBytes, requests: result.requests, logs: result.logs,
  };
  if (result.outcome === 'success') return { ...measured, status: 'success' };
  if (ctx.dry_run) return { ...measured, status: result.outcome };
  if (ctx.attempts > schedule.length) return { ...measured, status: 'dead' };
  const delay = schedule[ctx.attempts - 1]!;
  return { ...measured, status: 'retrying', next_attempt_at: new Date(d.clock.now().getTime() + delay), retryDelayMs: delay };
}

/**
 * A batch of attempts: claim them (one query), run each in the sandbox concurrently, record
 * them all (one query) with the retry jobs in the same transaction. "failed" and errors are
 * retried on the configured schedule, then dead; "success" is final. Returns each status.
 */
export async function executeRuns(d: ExecuteDeps, jobs: RunJob[]): Promise<Map<string, RunOutcome['status']>> {
  const now = d.clock.now();
  const stale = new Date(now.getTime() - d.config.CONNECTOR_MAX_WALL - 60_000);
  const claimed = await claimRunsWithContext(d.db, jobs.map((j) => ({ team: j.team, id: j.runId })), now, stale);
  const schedule = retrySchedule(d.config);
  const decided = await Promise.all(claimed.map((ctx) => attempt(d, ctx, schedule)));
  const retries = decided.filter((o) => o.status === 'retrying');
  await d.db.tx(async (q) => {
    await finishRuns(q, decided.map(({ retryDelayMs: _, ...o }) => o), d.clock.now());
    // Grouped by delay so each group is one insert.
    const byDelay = new Map<number, RunJob[]>();
    for (const r of retries) byDelay.set(r.retryDelayMs!, [...(byDelay.get(r.retryDelayMs!) ?? []), { runId: r.id, team: r.team }]);
    for (const [delay, group] of byDelay) await enqueueRuns(d.boss, group, q, delay);
  });
  return new Map(decided.map((o) => [o.id, o.status]));
}

export async function executeRun(d: ExecuteDeps, job: RunJob) {
  return (await executeRuns(d, [job])).get(job.runId);
}
