-- Event feeds: each consumer of the events table (webhook fan-out, connector fan-out, …)
-- keeps a cursor. Sequence order is not commit order, so a cursor on `seq` alone could skip
-- an event whose transaction commits late. Instead events are read in (tx, seq) order and only
-- from transactions older than every running one (pg_snapshot_xmin): anything that can still
-- appear later sorts after the cursor.
ALTER TABLE events ADD COLUMN tx xid8 NOT NULL DEFAULT pg_current_xact_id();
CREATE INDEX events_feed ON events (tx, seq);

CREATE TABLE event_cursors (
  consumer    text PRIMARY KEY,
  tx          xid8 NOT NULL DEFAULT '0',
  seq         bigint NOT NULL DEFAULT 0,
  updated_at  timestamptz NOT NULL DEFAULT now()
);

-- Wake-ups (NOTIFY switchboard_events) are sent by the application after commit, coalesced
-- (events/wake.ts), not by a trigger: a NOTIFY inside a transaction takes a database-wide lock
-- at commit and would serialise every ingest commit behind the others' WAL flushes.
