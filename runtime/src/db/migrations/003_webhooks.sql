-- Webhooks: subscriptions, one delivery row per (event, webhook), and every attempt.
-- A webhook is a destination: events reach it only where grants(team, flow, 'webhook', id) exist.

CREATE TABLE webhooks (
  id                   text PRIMARY KEY,
  team                 text NOT NULL,               -- a team slug, or '*' for every team (operators only)
  url                  text NOT NULL,
  description          text,
  event_types          text[] NOT NULL,             -- globs: `session.*`
  flow                 text NOT NULL DEFAULT '*',   -- glob
  team_variables       jsonb NOT NULL DEFAULT '{}', -- key = value, all must hold
  config               jsonb,                       -- copied into every notification
  -- Encrypted, not hashed: we sign with them. During rotation both sign until the old expires.
  secret_enc           text NOT NULL,
  previous_secret_enc  text,
  previous_expires_at  timestamptz,
  enabled              boolean NOT NULL DEFAULT true,
  disabled_reason      text,
  disabled_at          timestamptz,
  failing_since        timestamptz,                 -- first failure of the current unbroken run
  created_by           text NOT NULL,
  created_at           timestamptz NOT NULL DEFAULT now(),
  updated_at           timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX webhooks_team ON webhooks (team) WHERE enabled;

-- The body is fixed at fan-out so every retry sends the same bytes under the same webhook-id.
CREATE TABLE webhook_deliveries (
  id               text PRIMARY KEY,               -- the `webhook-id` header
  webhook_id       text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  team             text NOT NULL,                  -- the event's team
  event_id         text NOT NULL,
  event_type       text NOT NULL,
  body             text NOT NULL,
  status           text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
  attempts         int NOT NULL DEFAULT 0,
  next_attempt_at  timestamptz NOT NULL,
  locked_until     timestamptz,                    -- lease of the worker sending it now
  last_status      int,
  last_error       text,
  created_at       timestamptz NOT NULL,
  updated_at       timestamptz NOT NULL,
  delivered_at     timestamptz,
  UNIQUE (webhook_id, event_id)
);
-- Claims walk enabled webhooks and take each one's oldest due deliveries from here.
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (webhook_id, next_attempt_at) WHERE status = 'pending';
CREATE INDEX webhook_deliveries_webhook ON webhook_deliveries (webhook_id, created_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_id);

CREATE TABLE webhook_attempts (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  delivery_id    text NOT NULL REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
  webhook_id     text NOT NULL,
  team           text NOT NULL,
  attempt        int NOT NULL,
  started_at     timestamptz NOT NULL,
  duration_ms    int NOT NULL,
  outcome        text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'abandoned')),
  status         int,
  headers        jsonb,
  body           text,                              -- first 4 KB of the response
  error_class    text,
  error          text
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempt);
CREATE INDEX webhook_attempts_webhook ON webhook_attempts (webhook_id, id);

-- Bulk replays run in the delivery worker, batch by batch, progress kept here.
CREATE TABLE webhook_replays (
  id           text PRIMARY KEY,
  webhook_id   text NOT NULL REFERENCES webhooks (id) ON DELETE CASCADE,
  team         text NOT NULL,
  since        timestamptz NOT NULL,
  status       text NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'running', 'done')),
  total        int NOT NULL DEFAULT 0,
  replayed     int NOT NULL DEFAULT 0,
  created_at   timestamptz NOT NULL,
  finished_at  timestamptz
);

-- Deliveries wake the senders at commit; retries due later are found by their timers or the poll.
CREATE FUNCTION notify_webhook_deliveries() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('switchboard_webhooks', '');
  RETURN NULL;
END $$;
CREATE TRIGGER webhook_deliveries_notify AFTER INSERT ON webhook_deliveries
  FOR EACH STATEMENT EXECUTE FUNCTION notify_webhook_deliveries();
CREATE TRIGGER webhook_replays_notify AFTER INSERT ON webhook_replays
  FOR EACH STATEMENT EXECUTE FUNCTION notify_webhook_deliveries();

-- The webhook feed starts where the feed is now: no webhook existed before this migration, and
-- every event from here on is fanned out even if no worker has started yet.
INSERT INTO event_cursors (consumer, tx, seq)
SELECT 'webhooks', coalesce(max(tx), '0'), coalesce(max(seq), 0) FROM events
ON CONFLICT (consumer) DO NOTHING;
