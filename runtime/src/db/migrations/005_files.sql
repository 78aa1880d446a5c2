-- Session attachments. The bytes live in the configured storage under `storage_key`
-- (ours, never the uploader's file name); this row is the only way to reach them.
-- Purge: the session is tombstoned first (downloads answer 410 at once), then the retention
-- job deletes each object and sets `deleted_at`; rows with deleted_at NULL on a purged
-- session are the work left, so a crash mid-way simply resumes.
CREATE TABLE files (
  id            text PRIMARY KEY,
  team          text NOT NULL REFERENCES teams (slug),
  session_id    text NOT NULL REFERENCES sessions (id),
  name          text NOT NULL,
  content_type  text NOT NULL,
  size          bigint NOT NULL,
  sha256        text NOT NULL,
  storage_key   text NOT NULL UNIQUE,
  source        text NOT NULL CHECK (source IN ('upload', 'reference')),
  created_at    timestamptz NOT NULL,
  deleted_at    timestamptz
);
CREATE INDEX files_session ON files (team, session_id, created_at);
CREATE INDEX files_live ON files (session_id) WHERE deleted_at IS NULL;
