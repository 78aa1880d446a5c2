import type { Queryable } from '../pool.ts';

export type PackageRow = {
  name: string; version: string; integrity: string; resolved: string | null; manifest: ConnectorManifest;
  bundle_sha256: string; installed_by: string; installed_at: Date;
};
export type ConnectorManifest = {
  manifestVersion: 1; entry: string; description?: string; configSchema: Record<string, unknown>; allowedHosts: string[]; requires?: Record<string, unknown>;
};
export type EnablementRow = {
  id: string; team: string; package: string; version: string; config_sealed: string; config_public: Record<string, unknown>;
  flows: string[]; event_types: string[]; active: boolean; limits: Record<string, number>; created_at: Date; updated_at: Date;
};
export type RunStatus = 'queued' | 'running' | 'retrying' | 'success' | 'failed' | 'error' | 'skipped' | 'dead';
export type RunRow = {
  id: string; team: string; enablement_id: string; event_id: string | null; session_id: string; status: RunStatus; dry_run: boolean;
  attempts: number; result: string | null; error: string | null; limit_hit: string | null; skipped_paths: string[] | null;
  duration_ms: number | null; cpu_ms: number | null; memory_bytes: number | null; requests: unknown[]; logs: string[];
  package: string; version: string; next_attempt_at: Date | null; created_at: Date; started_at: Date | null; finished_at: Date | null;
};

const PACKAGE_COLUMNS = 'name, version, integrity, resolved, manifest, bundle_sha256, installed_by, installed_at';

// Packages are operator-level (not tenant data): every team may enable an installed version.

export async function insertPackage(q: Queryable, p: Omit<PackageRow, 'installed_at'> & { bundle: string }) {
  const { rows } = await q.query<PackageRow>(
    `INSERT INTO connector_packages (name, version, integrity, resolved, manifest, bundle, bundle_sha256, installed_by)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (name, version) DO NOTHING RETURNING ${PACKAGE_COLUMNS}`,
    [p.name, p.version, p.integrity, p.resolved, JSON.stringify(p.manifest), p.bundle, p.bundle_sha256, p.installed_by],
  );
  return rows[0];
}

export async function getPackage(q: Queryable, name: string, version: string) {
  const { rows } = await q.query<PackageRow>(`SELECT ${PACKAGE_COLUMNS} FROM connector_packages WHERE name = $1 AND version = $2`, [name, version]);
  return rows[0];
}

export async function getBundle(q: Queryable, name: string, version: string) {
  const { rows } = await q.query<{ bundle: string; integrity: string }>(`SELECT bundle, integrity FROM connector_packages WHERE name = $1 AND version = $2`, [name, version]);
  return rows[0];
}

export async function listPackages(q: Queryable) {
  const { rows } = await q.query<PackageRow & { enablements: number }>(
    `SELECT ${PACKAGE_COLUMNS.split(', ').map((c) => `p.${c}`).join(', ')},
            (SELECT count(*) FROM connector_enablements e WHERE e.package = p.name AND e.version = p.version)::int AS enablements
     FROM connector_packages p ORDER BY p.name, p.installed_at`);
  return rows;
}

/** 'deleted', 'missing', or 'in_use' when an enablement pins the version. */
export async function deletePackage(q: Queryable, name: string, version: string): Promise<'deleted' | 'missing' | 'in_use'> {
  try {
    const { rowCount } = await q.query(`DELETE FROM connector_packages WHERE name = $1 AND version = $2`, [name, version]);
    return rowCount ? 'deleted' : 'missing';
  } catch (err) {
    if ((err as { code?: string }).code === '23503') return 'in_use';
    throw err;
  }
}

export async function insertEnablement(q: Queryable, e: Omit<EnablementRow, 'created_at' | 'updated_at'>) {
  const { rows } = await q.query<EnablementRow>(
    `INSERT INTO connector_enablements (id, team, package, version, config_sealed, config_public, flows, event_types, active, limits)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING *`,
    [e.id, e.team, e.package, e.version, e.config_sealed, JSON.stringify(e.config_public), e.flows, e.event_types, e.active, JSON.stringify(e.limits)],
  );
  return rows[0]!;
}

export async function getEnablement(q: Queryable, team: string, id: string) {
  const { rows } = await q.query<EnablementRow>(`SELECT * FROM connector_enablements WHERE team = $1 AND id = $2`, [team, id]);
  return rows[0];
}

export async function listEnablements(q: Queryable, team: string) {
  const { rows } = await q.query<EnablementRow>(`SELECT * FROM connector_enablements WHERE team = $1 ORDER BY created_at, id`, [team]);
  return rows;
}

export async function updateEnablement(q: Queryable, team: string, id: string, patch: Partial<Pick<EnablementRow, 'version' | 'config_sealed' | 'config_public' | 'flows' | 'event_types' | 'active' | 'limits'>>) {
  const { rows } = await q.query<EnablementRow>(
    `UPDATE connector_enablements SET
       version = coalesce($3, version), config_sealed = coalesce($4, config_sealed), config_public = coalesce($5, config_public),
       flows = coalesce($6, flows), event_types = coalesce($7, event_types), active = coalesce($8, active), limits = coalesce($9, limits),
       updated_at = now()
     WHERE team = $1 AND id = $2 RETURNING *`,
    [team, id, patch.version ?? null, patch.config_sealed ?? null, patch.config_public ? JSON.stringify(patch.config_public) : null,
      patch.flows ?? null, patch.event_types ?? null, patch.active ?? null, patch.limits ? JSON.stringify(patch.limits) : null],
  );
  return rows[0];
}

export async function deleteEnablement(q: Queryable, team: string, id: string) {
  const { rowCount } = await q.query(`DELETE FROM connector_enablements WHERE team = $1 AND id = $2`, [team, id]);
  return (rowCount ?? 0) > 0;
}

/**
 * Fan-out, inside the feed's transaction: one queued run per (event, active enablement of the
 * event's team whose flows and event types match and which the flow has granted). The unique
 * (event, enablement) key makes a replayed batch harmless. Each event brings its own team.
 */
export async function insertRunsForEvents(q: Queryable, eventSeqs: number[], newId: () => string, now: Date) {
  if (eventSeqs.length === 0) return [];
  const { rows: matches } = await q.query<{ event_id: string; team: string; session_id: string; enablement_id: string; package: string; version: string }>(
    `SELECT ev.id AS event_id, ev.team, ev.session_id, en.id AS enablement_id, en.package, en.version
     FROM events ev
     JOIN connector_enablements en ON en.team = ev.team AND en.active AND ev.flow = ANY (en.flows) AND ev.type = ANY (en.event_types)
     JOIN grants g ON g.team = ev.team AND g.flow = ev.flow AND g.destination_kind = 'connector' AND g.destination = en.id
     WHERE ev.seq = ANY ($1) AND ev.session_id IS NOT NULL
     ORDER BY ev.seq, en.id`,
    [eventSeqs],
  );
  if (matches.length === 0) return [];
  const ids = matches.map(() => newId());
  const { rows } = await q.query<{ id: string; team: string }>(
    `INSERT INTO connector_runs (id, team, enablement_id, event_id, session_id, status, package, version, created_at)
     SELECT id, team, en, ev, s, 'queued', p, v, $8
     FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::text[]) AS t(id, team, en, ev, s, p, v)
     ON CONFLICT (event_id, enablement_id) DO NOTHING
     RETURNING id, team`,
    [ids, matches.map((m) => m.team), matches.map((m) => m.enablement_id), matches.map((m) => m.event_id), matches.map((m) => m.session_id),
      matches.map((m) => m.package), matches.map((m) => m.version), now],
  );
  return rows;
}

export async function insertRun(q: Queryable, r: { id: string; team: string; enablementId: string; sessionId: string; dryRun: boolean; package: string; version: string; now: Date }) {
  const { rows } = await q.query<RunRow>(
    `INSERT INTO connector_runs (id, team, enablement_id, session_id, status, dry_run, package, version, created_at)
     VALUES ($1, $2, $3, $4, 'queued', $5, $6, $7, $8) RETURNING *`,
    [r.id, r.team, r.enablementId, r.sessionId, r.dryRun, r.package, r.version, r.now],
  );
  return rows[0]!;
}

export type RunOutcome = Pick<RunRow, 'status' | 'result' | 'error' | 'limit_hit' | 'skipped_paths' | 'duration_ms' | 'cpu_ms' | 'memory_bytes' | 'requests' | 'logs' | 'next_attempt_at'> & { package?: string; version?: string };

/** An operator's retry: a dead or finished run waits again, with a fresh attempt budget. */
export async function requeueRun(q: Queryable, team: string, id: string) {
  const { rows } = await q.query<RunRow>(
    `UPDATE connector_runs SET status = 'queued', attempts = 0, next_attempt_at = NULL
     WHERE team = $1 AND id = $2 AND status NOT IN ('queued', 'running', 'retrying') RETURNING *`,
    [team, id],
  );
  return rows[0];
}

export async function getRun(q: Queryable, team: string, id: string) {
  const { rows } = await q.query<RunRow>(`SELECT * FROM connector_runs WHERE team = $1 AND id = $2`, [team, id]);
  return rows[0];
}

export async function listRuns(q: Queryable, f: { team: string; enablementId?: string; eventId?: string; sessionId?: string; status?: RunStatus; limit: number; before?: { at: Date; id: string } }) {
  const { rows } = await q.query<RunRow>(
    `SELECT * FROM connector_runs
     WHERE team = $1 AND ($2::text IS NULL OR enablement_id = $2) AND ($3::text IS NULL OR event_id = $3)
       AND ($4::text IS NULL OR status = $4) AND ($5::text IS NULL OR session_id = $5)
       AND ($6::timestamptz IS NULL OR (created_at, id) < ($6, $7::text))
     ORDER BY created_at DESC, id DESC LIMIT $8`,
    [f.team, f.enablementId ?? null, f.eventId ?? null, f.status ?? null, f.sessionId ?? null, f.before?.at ?? null, f.before?.id ?? null, f.limit],
  );
  return rows;
}

/**
 * The session a run may see: of the run's team, and only while the session's flow still
 * grants this enablement (a withdrawn grant stops deliveries already queued).
 */
export async function getSessionForConnector(q: Queryable, team: string, sessionId: string, enablementId: string) {
  const { rows } = await q.query<{ id: string; team: string; flow: string; payment_id: string | null; submitted_at: Date; data: unknown; files: unknown; purged_at: Date | null; granted: boolean }>(
    `SELECT s.id, s.team, s.flow, s.payment_id, s.submitted_at, s.data, s.files, s.purged_at,
            EXISTS (SELECT 1 FROM grants g WHERE g.team = s.team AND g.flow = s.flow AND g.destination_kind = 'connector' AND g.destination = $3) AS granted
     FROM sessions s WHERE s.team = $1 AND s.id = $2`,
    [team, sessionId, enablementId],
  );
  return rows[0];
}

export type RunContext = RunRow & {
  en_version: string; en_updated_at: Date; config_sealed: string; en_limits: Record<string, number>;
  manifest: ConnectorManifest; integrity: string;
  s_flow: string | null; s_payment_id: string | null; s_submitted_at: Date | null; s_data: unknown; s_files: unknown; s_purged_at: Date | null; s_exists: boolean; granted: boolean;
};

/**
 * Claims waiting runs (one more attempt each) and loads all they need in one round trip: the
 * enablement's current pin and sealed config, the package manifest, and the session of the
 * run's own team with whether its flow still grants this enablement. A run stuck in
 * `running` past `staleBefore` (its worker died) may be claimed again. Each key names its team.
 */
export async function claimRunsWithContext(q: Queryable, keys: { team: string; id: string }[], now: Date, staleBefore: Date) {
  const { rows } = await q.query<RunContext>(
    `WITH claimed AS (
       UPDATE connector_runs r SET status = 'running', attempts = attempts + 1, started_at = $2
       FROM jsonb_to_recordset($1::jsonb) AS k(team text, id text)
       WHERE r.team = k.team AND r.id = k.id AND (r.status IN ('queued', 'retrying') OR (r.status = 'running' AND r.started_at < $3))
       RETURNING r.*
     )
     SELECT c.*, en.version AS en_version, en.updated_at AS en_updated_at, en.config_sealed, en.limits AS en_limits,
            p.manifest, p.integrity,
            s.flow AS s_flow, s.payment_id AS s_payment_id, s.submitted_at AS s_submitted_at, s.data AS s_data, s.files AS s_files,
            s.purged_at AS s_purged_at, s.id IS NOT NULL AS s_exists,
            EXISTS (SELECT 1 FROM grants g WHERE g.team = c.team AND g.flow = s.flow AND g.destination_kind = 'connector' AND g.destination = c.enablement_id) AS granted
     FROM claimed c
     JOIN connector_enablements en ON en.team = c.team AND en.id = c.enablement_id
     JOIN connector_packages p ON p.name = en.package AND p.version = en.version
     LEFT JOIN sessions s ON s.team = c.team AND s.id = c.session_id`,
    [JSON.stringify(keys), now, staleBefore],
  );
  return rows;
}

/** Records many attempts in one statement; each row names its team. */
export async function finishRuns(q: Queryable, outcomes: (RunOutcome & { team: string; id: string })[], now: Date) {
  if (outcomes.length === 0) return;
  await q.query(
    `UPDATE connector_runs r SET status = u.status, result = u.result, error = u.error, limit_hit = u.limit_hit, skipped_paths = u.skipped_paths,
       duration_ms = u.duration_ms, cpu_ms = u.cpu_ms, memory_bytes = u.memory_bytes, requests = coalesce(u.requests, '[]'), logs = coalesce(u.logs, '[]'),
       next_attempt_at = u.next_attempt_at, finished_at = $2, package = coalesce(u.package, r.package), version = coalesce(u.version, r.version)
     FROM jsonb_to_recordset($1::jsonb) AS u(team text, id text, status text, result text, error text, limit_hit text, skipped_paths jsonb,
       duration_ms real, cpu_ms real, memory_bytes bigint, requests jsonb, logs jsonb, next_attempt_at timestamptz, package text, version text)
     WHERE r.team = u.team AND r.id = u.id`,
    [JSON.stringify(outcomes), now],
  );
}
