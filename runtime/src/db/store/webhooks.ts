import type { Queryable } from '../pool.ts';

// Webhooks, their deliveries and attempts. `scope` is the caller's team filter: a team slug
// (a team admin, or the worker acting for an event's team) or null for an admin seeing all.

export type WebhookRow = {
  id: string; team: string; url: string; description: string | null; event_types: string[]; flow: string;
  team_variables: Record<string, string>; config: Record<string, unknown> | null;
  secret_enc: string; previous_secret_enc: string | null; previous_expires_at: Date | null;
  enabled: boolean; disabled_reason: string | null; disabled_at: Date | null; failing_since: Date | null;
  created_by: string; created_at: Date; updated_at: Date;
};

export type NewWebhook = Pick<WebhookRow, 'id' | 'team' | 'url' | 'description' | 'event_types' | 'flow' | 'team_variables' | 'config' | 'secret_enc' | 'created_by'>;

export async function insertWebhook(q: Queryable, w: NewWebhook, now: Date) {
  const { rows } = await q.query<WebhookRow>(
    `INSERT INTO webhooks (id, team, url, description, event_types, flow, team_variables, config, secret_enc, created_by, created_at, updated_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $11) RETURNING *`,
    [w.id, w.team, w.url, w.description, w.event_types, w.flow, JSON.stringify(w.team_variables), w.config === null ? null : JSON.stringify(w.config), w.secret_enc, w.created_by, now],
  );
  return rows[0]!;
}

export async function getWebhook(q: Queryable, scope: string | null, id: string) {
  const { rows } = await q.query<WebhookRow>(`SELECT * FROM webhooks WHERE id = $1 AND ($2::text IS NULL OR team = $2)`, [id, scope]);
  return rows[0];
}

export async function listWebhooks(q: Queryable, scope: string | null, team?: string) {
  const { rows } = await q.query<WebhookRow>(
    `SELECT * FROM webhooks WHERE ($1::text IS NULL OR team = $1) AND ($2::text IS NULL OR team = $2) ORDER BY created_at, id`,
    [scope, team ?? null]);
  return rows;
}

export type WebhookPatch = Partial<Pick<WebhookRow, 'url' | 'description' | 'event_types' | 'flow' | 'team_variables' | 'config' | 'enabled'>>;

export async function updateWebhook(q: Queryable, scope: string | null, id: string, p: WebhookPatch, now: Date) {
  const { rows } = await q.query<WebhookRow>(
    `UPDATE webhooks SET
       url = coalesce($3, url), description = CASE WHEN $4 THEN $5 ELSE description END,
       event_types = coalesce($6, event_types), flow = coalesce($7, flow), team_variables = coalesce($8, team_variables),
       config = CASE WHEN $9 THEN $10::jsonb ELSE config END,
       -- Re-enabling is explicit and starts a fresh health record.
       enabled = coalesce($11, enabled),
       disabled_reason = CASE WHEN $11 THEN NULL WHEN $11 = false AND enabled THEN 'disabled by an operator' ELSE disabled_reason END,
       disabled_at = CASE WHEN $11 THEN NULL WHEN $11 = false AND enabled THEN $12 ELSE disabled_at END,
       failing_since = CASE WHEN $11 THEN NULL ELSE failing_since END,
       updated_at = $12
     WHERE id = $1 AND ($2::text IS NULL OR team = $2) RETURNING *`,
    [id, scope, p.url ?? null, 'description' in p, p.description ?? null, p.event_types ?? null, p.flow ?? null,
      p.team_variables ? JSON.stringify(p.team_variables) : null, 'config' in p, p.config == null ? null : JSON.stringify(p.config), p.enabled ?? null, now],
  );
  return rows[0];
}

export async function deleteWebhook(q: Queryable, scope: string | null, id: string) {
  const { rows } = await q.query<{ team: string }>(`DELETE FROM webhooks WHERE id = $1 AND ($2::text IS NULL OR team = $2) RETURNING team`, [id, scope]);
  if (rows[0]) await q.query(`DELETE FROM grants WHERE destination_kind = 'webhook' AND destination = $1 AND ($2 = '*' OR team = $2)`, [id, rows[0].team]);
  return rows.length > 0;
}

export async function rotateWebhookSecret(q: Queryable, scope: string | null, id: string, secretEnc: string, previousExpiresAt: Date, now: Date) {
  const { rows } = await q.query<WebhookRow>(
    `UPDATE webhooks SET previous_secret_enc = secret_enc, previous_expires_at = $4, secret_enc = $3, updated_at = $5
     WHERE id = $1 AND ($2::text IS NULL OR team = $2) RETURNING *`,
    [id, scope, secretEnc, previousExpiresAt, now]);
  return rows[0];
}

// ---- fan-out (inside the event feed's transaction) ----

export type FanoutContext = {
  webhooks: Pick<WebhookRow, 'id' | 'team' | 'event_types' | 'flow' | 'team_variables' | 'config'>[];
  variables: Map<string, Record<string, string>>;
  grants: { team: string; flow: string; destination: string }[];
};

/** Everything matching needs for a batch of events of these teams, in one round trip. */
export async function loadFanoutContext(q: Queryable, teams: string[]): Promise<FanoutContext> {
  const { rows } = await q.query<{ webhooks: FanoutContext['webhooks'] | null; variables: Record<string, Record<string, string>> | null; grants: FanoutContext['grants'] | null }>(
    `SELECT
       (SELECT json_agg(json_build_object('id', id, 'team', team, 'event_types', event_types, 'flow', flow, 'team_variables', team_variables, 'config', config))
          FROM webhooks WHERE enabled AND (team = ANY ($1) OR team = '*')) AS webhooks,
       (SELECT json_object_agg(slug, variables) FROM teams WHERE slug = ANY ($1)) AS variables,
       (SELECT json_agg(json_build_object('team', team, 'flow', flow, 'destination', destination))
          FROM grants WHERE team = ANY ($1) AND destination_kind = 'webhook') AS grants`,
    [teams]);
  const r = rows[0]!;
  return { webhooks: r.webhooks ?? [], variables: new Map(Object.entries(r.variables ?? {})), grants: r.grants ?? [] };
}

export type NewDelivery = { id: string; webhook_id: string; team: string; event_id: string; event_type: string; body: string };

export async function insertDeliveries(q: Queryable, rows: NewDelivery[], now: Date) {
  if (rows.length === 0) return;
  await q.query(
    `INSERT INTO webhook_deliveries (id, webhook_id, team, event_id, event_type, body, next_attempt_at, created_at, updated_at)
     SELECT id, webhook_id, team, event_id, event_type, body, $2, $2, $2 FROM jsonb_to_recordset($1::jsonb)
       AS x(id text, webhook_id text, team text, event_id text, event_type text, body text)
     ON CONFLICT (webhook_id, event_id) DO NOTHING`,
    [JSON.stringify(rows), now]);
}

// ---- the delivery loop ----

export type ClaimedDelivery = {
  id: string; webhook_id: string; team: string; event_id: string; body: string; attempts: number;
  url: string; secret_enc: string; previous_secret_enc: string | null; previous_expires_at: Date | null; failing_since: Date | null;
};

export type ClaimInput = {
  now: Date; leaseUntil: Date; limit: number; perEndpoint: number;
  /** Webhooks this process already has in flight, and how many each. */
  busy: Map<string, number>;
};

/**
 * Claims due deliveries under a lease, at most `perEndpoint` per webhook counting those this
 * process already holds. A row whose lease ran out (its worker died mid-send) is claimed
 * again, and its lost attempt is recorded as abandoned.
 */
export async function claimDue(q: Queryable, c: ClaimInput) {
  const busyIds = [...c.busy.keys()];
  // Per enabled webhook, its oldest due deliveries up to the room it has left: one index probe
  // each, so a saturated endpoint's backlog is never even read, let alone allowed to crowd out others.
  const { rows } = await q.query<ClaimedDelivery>(
    `WITH cand AS (
       SELECT x.id, x.prev_lock FROM webhooks w
       LEFT JOIN unnest($3::text[], $4::int[]) AS b(webhook_id, used) ON b.webhook_id = w.id
       CROSS JOIN LATERAL (
         SELECT d.id, d.locked_until AS prev_lock FROM webhook_deliveries d
         WHERE d.webhook_id = w.id AND d.status = 'pending' AND d.next_attempt_at <= $1 AND (d.locked_until IS NULL OR d.locked_until < $1)
         ORDER BY d.next_attempt_at LIMIT greatest($5::int - coalesce(b.used, 0), 0)
         FOR UPDATE SKIP LOCKED
       ) x
       WHERE w.enabled
       LIMIT $6
     ), picked AS (
       UPDATE webhook_deliveries d SET locked_until = $2, attempts = d.attempts + 1, updated_at = $1
       FROM cand r WHERE d.id = r.id
       RETURNING d.id, d.webhook_id, d.team, d.event_id, d.body, d.attempts, r.prev_lock
     ), abandoned AS (
       INSERT INTO webhook_attempts (delivery_id, webhook_id, team, attempt, started_at, duration_ms, outcome, error_class, error)
       SELECT id, webhook_id, team, attempts - 1, prev_lock, 0, 'abandoned', 'worker_lost', 'the worker holding this attempt stopped before recording its outcome'
       FROM picked WHERE prev_lock IS NOT NULL
     )
     SELECT p.id, p.webhook_id, p.team, p.event_id, p.body, p.attempts, w.url, w.secret_enc, w.previous_secret_enc, w.previous_expires_at, w.failing_since
     FROM picked p JOIN webhooks w ON w.id = p.webhook_id`,
    [c.now, c.leaseUntil, busyIds, busyIds.map((id) => c.busy.get(id)!), c.perEndpoint, c.limit]);
  return rows;
}

export type AttemptResult = {
  delivery_id: string; webhook_id: string; team: string; attempt: number; started_at: Date; duration_ms: number;
  outcome: 'succeeded' | 'failed'; status: number | null; headers: Record<string, string> | null; body: string | null;
  error_class: string | null; error: string | null;
  /** The delivery's state after this attempt. */
  next_status: 'pending' | 'succeeded' | 'failed'; next_attempt_at: Date | null;
};

/**
 * Records a batch of attempts and moves their deliveries on, in one statement. A delivery
 * whose lease was lost and re-claimed elsewhere (attempts moved on) keeps the newer state.
 */
export async function recordAttempts(q: Queryable, results: AttemptResult[], now: Date) {
  if (results.length === 0) return;
  await q.query(
    `WITH r AS (
       SELECT * FROM jsonb_to_recordset($1::jsonb) AS x(delivery_id text, webhook_id text, team text, attempt int, started_at timestamptz,
         duration_ms int, outcome text, status int, headers jsonb, body text, error_class text, error text, next_status text, next_attempt_at timestamptz)
     ), a AS (
       INSERT INTO webhook_attempts (delivery_id, webhook_id, team, attempt, started_at, duration_ms, outcome, status, headers, body, error_class, error)
       SELECT delivery_id, webhook_id, team, attempt, started_at, duration_ms, outcome, status, headers, body, error_class, error FROM r
     )
     UPDATE webhook_deliveries d SET status = r.next_status, next_attempt_at = coalesce(r.next_attempt_at, d.next_attempt_at),
       locked_until = NULL, last_status = r.status, last_error = r.error, updated_at = $2,
       delivered_at = CASE WHEN r.next_status = 'succeeded' THEN r.started_at ELSE d.delivered_at END
     FROM r WHERE d.id = r.delivery_id AND d.attempts = r.attempt`,
    [JSON.stringify(results), now]);
}

/** Hands back claimed deliveries that were never attempted (a worker stopping). */
export async function releaseClaims(q: Queryable, claims: { id: string; attempt: number }[]) {
  await q.query(
    `UPDATE webhook_deliveries d SET locked_until = NULL, attempts = d.attempts - 1
     FROM jsonb_to_recordset($1::jsonb) AS c(id text, attempt int) WHERE d.id = c.id AND d.attempts = c.attempt`,
    [JSON.stringify(claims)]);
}

export async function markHealthy(q: Queryable, webhookIds: string[]) {
  if (webhookIds.length) await q.query(`UPDATE webhooks SET failing_since = NULL WHERE id = ANY ($1) AND failing_since IS NOT NULL`, [webhookIds]);
}

export async function markFailing(q: Queryable, webhookIds: string[], now: Date) {
  if (webhookIds.length) await q.query(`UPDATE webhooks SET failing_since = $2 WHERE id = ANY ($1) AND failing_since IS NULL`, [webhookIds, now]);
}

/**
 * Disables webhooks (410 Gone, or failing since before `failingBefore`) and raises a
 * `webhook.disabled` event for each, in the same statement: the event exists iff it happened.
 */
export async function disableWebhooks(q: Queryable, d: { ids?: string[]; failingBefore?: Date; reason: string; now: Date; eventIds: () => string }) {
  const { rows } = await q.query<{ id: string; team: string }>(
    `UPDATE webhooks SET enabled = false, disabled_reason = $3, disabled_at = $4, updated_at = $4
     WHERE enabled AND (id = ANY ($1::text[]) OR ($2::timestamptz IS NOT NULL AND failing_since < $2)) RETURNING id, team`,
    [d.ids ?? [], d.failingBefore ?? null, d.reason, d.now]);
  for (const w of rows) {
    await q.query(
      `INSERT INTO events (id, type, team, payload, created_at) VALUES ($1, 'webhook.disabled', $2, $3, $4)`,
      [d.eventIds(), w.team, JSON.stringify({ id: w.id, team: w.team, reason: d.reason }), d.now]);
  }
  return rows;
}

// ---- operator views and actions ----

export type DeliveryRow = {
  id: string; webhook_id: string; team: string; event_id: string; event_type: string; status: string; attempts: number;
  next_attempt_at: Date; last_status: number | null; last_error: string | null; created_at: Date; delivered_at: Date | null;
};

export type AttemptRow = {
  id: number; delivery_id: string; webhook_id: string; team: string; attempt: number; started_at: Date; duration_ms: number;
  outcome: string; status: number | null; headers: Record<string, string> | null; body: string | null; error_class: string | null; error: string | null;
  event_id: string; event_type: string;
};

/** Attempts, newest first, for one webhook or one event (or both), optionally by outcome. */
export async function listAttempts(q: Queryable, scope: string | null, f: { webhookId?: string; eventId?: string; outcome?: string; before?: number; limit: number }) {
  const { rows } = await q.query<AttemptRow>(
    `SELECT a.*, d.event_id, d.event_type FROM webhook_attempts a
     JOIN webhook_deliveries d ON d.id = a.delivery_id JOIN webhooks w ON w.id = a.webhook_id
     WHERE ($1::text IS NULL OR w.team = $1) AND ($2::text IS NULL OR a.webhook_id = $2) AND ($3::text IS NULL OR d.event_id = $3)
       AND ($4::text IS NULL OR a.outcome = $4) AND ($5::bigint IS NULL OR a.id < $5)
     ORDER BY a.id DESC LIMIT $6`,
    [scope, f.webhookId ?? null, f.eventId ?? null, f.outcome ?? null, f.before ?? null, f.limit]);
  return rows;
}

export async function listDeliveries(q: Queryable, scope: string | null, f: { webhookId?: string; eventId?: string; status?: string; limit: number }) {
  const { rows } = await q.query<DeliveryRow>(
    `SELECT d.id, d.webhook_id, d.team, d.event_id, d.event_type, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at
     FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
     WHERE ($1::text IS NULL OR w.team = $1) AND ($2::text IS NULL OR d.webhook_id = $2) AND ($3::text IS NULL OR d.event_id = $3)
       AND ($4::text IS NULL OR d.status = $4)
     ORDER BY d.created_at DESC, d.id DESC LIMIT $5`,
    [scope, f.webhookId ?? null, f.eventId ?? null, f.status ?? null, f.limit]);
  return rows;
}

/** Puts one delivery back in the queue now, whatever its state; same webhook-id as before. */
export async function retryDelivery(q: Queryable, scope: string | null, id: string, now: Date) {
  const { rows } = await q.query<DeliveryRow>(
    // Due since its creation: due now for any worker, whatever clock the caller runs on.
    `UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = d.created_at, locked_until = NULL, updated_at = $3
     FROM webhooks w WHERE w.id = d.webhook_id AND d.id = $1 AND ($2::text IS NULL OR w.team = $2)
     RETURNING d.id, d.webhook_id, d.team, d.event_id, d.event_type, d.status, d.attempts, d.next_attempt_at, d.last_status, d.last_error, d.created_at, d.delivered_at`,
    [id, scope, now]);
  if (rows[0]) await q.query(`SELECT pg_notify('switchboard_webhooks', '')`);
  return rows[0];
}

export type ReplayRow = { id: string; webhook_id: string; team: string; since: Date; status: string; total: number; replayed: number; created_at: Date; finished_at: Date | null };

export async function insertReplay(q: Queryable, r: { id: string; webhook_id: string; team: string; since: Date }, now: Date) {
  const { rows } = await q.query<ReplayRow>(
    `INSERT INTO webhook_replays (id, webhook_id, team, since, total, created_at)
     SELECT $1, $2, $3, $4, (SELECT count(*) FROM webhook_deliveries WHERE webhook_id = $2 AND status = 'failed' AND created_at >= $4), $5
     RETURNING *`,
    [r.id, r.webhook_id, r.team, r.since, now]);
  return rows[0]!;
}

export async function getReplay(q: Queryable, scope: string | null, webhookId: string, id: string) {
  const { rows } = await q.query<ReplayRow>(
    `SELECT * FROM webhook_replays WHERE id = $1 AND webhook_id = $2 AND ($3::text IS NULL OR team = $3)`, [id, webhookId, scope]);
  return rows[0];
}

/**
 * One batch of a replay, claimed so only one worker runs it at a time: re-queues up to
 * `batch` failed deliveries and counts them. Returns false when no replay had work.
 */
export async function runReplayBatch(q: Queryable, now: Date, batch: number) {
  const { rows } = await q.query<{ id: string; moved: number }>(
    `WITH r AS (
       SELECT id, webhook_id, since, created_at FROM webhook_replays WHERE status <> 'done' ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED
     ), moved AS (
       UPDATE webhook_deliveries d SET status = 'pending', next_attempt_at = $1, locked_until = NULL, updated_at = $1
       FROM r WHERE d.id IN (
         SELECT d2.id FROM webhook_deliveries d2, r r2 WHERE d2.webhook_id = r2.webhook_id AND d2.status = 'failed'
           AND d2.created_at >= r2.since AND d2.updated_at <= r2.created_at LIMIT $2)
       RETURNING d.id
     )
     UPDATE webhook_replays p SET replayed = p.replayed + (SELECT count(*) FROM moved),
       status = CASE WHEN (SELECT count(*) FROM moved) < $2 THEN 'done' ELSE 'running' END,
       finished_at = CASE WHEN (SELECT count(*) FROM moved) < $2 THEN $1 ELSE NULL END
     FROM r WHERE p.id = r.id RETURNING p.id, (SELECT count(*) FROM moved)::int AS moved`,
    [now, batch]);
  if (rows[0]?.moved) await q.query(`SELECT pg_notify('switchboard_webhooks', '')`);
  return rows.length > 0;
}

export type EventWithDeliveries = {
  seq: number; id: string; type: string; team: string; flow: string | null; session_id: string | null; created_at: Date;
  deliveries: { id: string; webhook_id: string; status: string; attempts: number; last_status: number | null }[];
};

/** Events, newest first, each with the state of its deliveries (to webhooks the caller may see). */
export async function listEventsWithDeliveries(q: Queryable, scope: string | null, f: { team?: string; type?: string; before?: number; limit: number }) {
  const { rows } = await q.query<EventWithDeliveries>(
    `SELECT e.seq, e.id, e.type, e.team, e.flow, e.session_id, e.created_at,
       coalesce((SELECT json_agg(json_build_object('id', d.id, 'webhook_id', d.webhook_id, 'status', d.status, 'attempts', d.attempts, 'last_status', d.last_status) ORDER BY d.id)
         FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
         WHERE d.event_id = e.id AND ($1::text IS NULL OR w.team = $1)), '[]') AS deliveries
     FROM events e
     WHERE ($1::text IS NULL OR e.team = $1) AND ($2::text IS NULL OR e.team = $2) AND ($3::text IS NULL OR e.type = $3) AND ($4::bigint IS NULL OR e.seq < $4)
     ORDER BY e.seq DESC LIMIT $5`,
    [scope, f.team ?? null, f.type ?? null, f.before ?? null, f.limit]);
  return rows;
}

/** A test-send: a delivery row of its own, already attempted, so it shows among the attempts. */
export async function insertTestDelivery(q: Queryable, d: NewDelivery, result: Omit<AttemptResult, 'delivery_id' | 'webhook_id' | 'team' | 'attempt' | 'next_status' | 'next_attempt_at'>, now: Date) {
  await q.query(
    `WITH d AS (
       INSERT INTO webhook_deliveries (id, webhook_id, team, event_id, event_type, body, status, attempts, next_attempt_at, last_status, last_error, created_at, updated_at, delivered_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 1, $8, $9, $10, $8, $8, CASE WHEN $7 = 'succeeded' THEN $8::timestamptz END) RETURNING id
     )
     INSERT INTO webhook_attempts (delivery_id, webhook_id, team, attempt, started_at, duration_ms, outcome, status, headers, body, error_class, error)
     SELECT id, $2, $3, 1, $11, $12, $13, $9, $14, $15, $16, $10 FROM d`,
    [d.id, d.webhook_id, d.team, d.event_id, d.event_type, d.body, result.outcome, now, result.status, result.error,
      result.started_at, result.duration_ms, result.outcome, result.headers ? JSON.stringify(result.headers) : null, result.body, result.error_class]);
}
