-- Foundation: teams, flows, grants, credentials, operator tokens, sessions, events, audit.
-- Every tenant table carries `team`; every query that reads tenant data filters on it.

CREATE TABLE teams (
  slug        text PRIMARY KEY,
  name        text NOT NULL,
  variables   jsonb NOT NULL DEFAULT '{}',
  created_at  timestamptz NOT NULL DEFAULT now(),
  updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE flows (
  team        text NOT NULL REFERENCES teams (slug) ON DELETE CASCADE,
  slug        text NOT NULL,
  name        text NOT NULL,
  created_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team, slug)
);

-- A flow's editors grant each destination explicitly; no row, no data.
CREATE TABLE grants (
  team              text NOT NULL,
  flow              text NOT NULL,
  destination_kind  text NOT NULL CHECK (destination_kind IN ('platform', 'webhook', 'connector')),
  destination       text NOT NULL,
  granted_by        text NOT NULL,
  created_at        timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (team, flow, destination_kind, destination),
  FOREIGN KEY (team, flow) REFERENCES flows (team, slug) ON DELETE CASCADE
);

-- Secrets are high-entropy random strings, so a SHA-256 digest is a sound one-way hash.
CREATE TABLE credentials (
  id                    text PRIMARY KEY,
  key                   text NOT NULL UNIQUE,
  kind                  text NOT NULL CHECK (kind IN ('producer', 'consumer')),
  platform              text NOT NULL,
  environment           text NOT NULL,
  teams                 text[] NOT NULL CHECK (cardinality(teams) >= 1),
  scopes                text[] NOT NULL,
  description           text,
  secret_hash           text NOT NULL,
  previous_secret_hash  text,
  previous_expires_at   timestamptz,
  created_at            timestamptz NOT NULL DEFAULT now(),
  rotated_at            timestamptz,
  revoked_at            timestamptz
);
CREATE INDEX credentials_teams ON credentials USING gin (teams);

CREATE TABLE operator_tokens (
  id          text PRIMARY KEY,
  role        text NOT NULL CHECK (role IN ('admin', 'team_admin')),
  team        text REFERENCES teams (slug) ON DELETE CASCADE,
  token_hash  text NOT NULL UNIQUE,
  description text,
  created_at  timestamptz NOT NULL DEFAULT now(),
  revoked_at  timestamptz,
  CHECK ((role = 'admin') = (team IS NULL))
);

-- Session data is nulled at purge; the row stays as a tombstone.
CREATE TABLE sessions (
  id                  text PRIMARY KEY,
  team                text NOT NULL REFERENCES teams (slug),
  flow                text NOT NULL,
  payment_id          text,
  data                jsonb,
  files               jsonb,
  producer            text NOT NULL,
  submitted_at        timestamptz NOT NULL,
  first_retrieved_at  timestamptz,
  purge_after         timestamptz NOT NULL,
  purged_at           timestamptz,
  FOREIGN KEY (team, flow) REFERENCES flows (team, slug)
);
CREATE INDEX sessions_listing ON sessions (team, submitted_at, id);
CREATE INDEX sessions_due ON sessions (purge_after) WHERE purged_at IS NULL;

-- Events are the outbox later deliveries (webhooks, connectors, websockets) read from.
CREATE TABLE events (
  seq         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  id          text NOT NULL UNIQUE,
  type        text NOT NULL,
  team        text NOT NULL,
  flow        text,
  session_id  text,
  payload     jsonb NOT NULL,
  created_at  timestamptz NOT NULL
);
CREATE INDEX events_team ON events (team, seq);

CREATE TABLE audit_log (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  at             timestamptz NOT NULL,
  request_id     text NOT NULL,
  actor_kind     text NOT NULL,
  actor_id       text,
  platform       text,
  team           text,
  method         text NOT NULL,
  route          text NOT NULL,
  path           text NOT NULL,
  session_id     text,
  status         int NOT NULL,
  code           text,
  client_address text
);
CREATE INDEX audit_log_team_at ON audit_log (team, at);
CREATE INDEX audit_log_at ON audit_log (at);

-- Append-only: rows are inserted, and deleted only by retention once past their age.
CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only';
END $$;
CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log
  FOR EACH ROW EXECUTE FUNCTION audit_log_append_only();
