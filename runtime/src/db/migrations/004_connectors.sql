-- Connectors: installed package versions (with their bundled code), per-team enablements,
-- and the record of every run.

-- One row per installed name@version. The tarball's integrity is recorded so the same version
-- can never silently change; the bundle is stored here so every worker runs the same code.
CREATE TABLE connector_packages (
  name          text NOT NULL,
  version       text NOT NULL,
  integrity     text NOT NULL,
  resolved      text,
  manifest      jsonb NOT NULL,
  bundle        text NOT NULL,
  bundle_sha256 text NOT NULL,
  installed_by  text NOT NULL,
  installed_at  timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (name, version)
);

-- Grants name an enablement by its id (destination_kind 'connector', destination = id).
-- The config is stored sealed (AES-256-GCM) whole; `config_public` is what the API shows,
-- with write-only (secret) fields masked. The package version is pinned: upgrade = change it.
CREATE TABLE connector_enablements (
  id             text PRIMARY KEY,
  team           text NOT NULL REFERENCES teams (slug) ON DELETE CASCADE,
  package        text NOT NULL,
  version        text NOT NULL,
  config_sealed  text NOT NULL,
  config_public  jsonb NOT NULL,
  flows          text[] NOT NULL,
  event_types    text[] NOT NULL,
  active         boolean NOT NULL DEFAULT true,
  limits         jsonb NOT NULL DEFAULT '{}',
  created_at     timestamptz NOT NULL DEFAULT now(),
  updated_at     timestamptz NOT NULL DEFAULT now(),
  -- Uninstall is refused while a version is in use.
  FOREIGN KEY (package, version) REFERENCES connector_packages (name, version) ON DELETE RESTRICT
);
CREATE INDEX connector_enablements_team ON connector_enablements (team) WHERE active;

CREATE TABLE connector_runs (
  id             text PRIMARY KEY,
  team           text NOT NULL,
  enablement_id  text NOT NULL REFERENCES connector_enablements (id) ON DELETE CASCADE,
  event_id       text,
  session_id     text NOT NULL,
  status         text NOT NULL CHECK (status IN ('queued', 'running', 'retrying', 'success', 'failed', 'error', 'skipped', 'dead')),
  dry_run        boolean NOT NULL DEFAULT false,
  attempts       int NOT NULL DEFAULT 0,
  result         text,
  error          text,
  limit_hit      text,
  skipped_paths  jsonb,
  duration_ms    real,
  cpu_ms         real,
  memory_bytes   bigint,
  requests       jsonb NOT NULL DEFAULT '[]',
  logs           jsonb NOT NULL DEFAULT '[]',
  package        text NOT NULL,
  version        text NOT NULL,
  next_attempt_at timestamptz,
  created_at     timestamptz NOT NULL,
  started_at     timestamptz,
  finished_at    timestamptz,
  -- A fanned-out event runs once per enablement, whatever replays the feed.
  UNIQUE (event_id, enablement_id)
);
CREATE INDEX connector_runs_team ON connector_runs (team, created_at DESC);
CREATE INDEX connector_runs_enablement ON connector_runs (enablement_id, created_at DESC);
CREATE INDEX connector_runs_status ON connector_runs (team, status);
