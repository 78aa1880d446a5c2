-- Websocket delivery (ActionCable protocol): browser tickets and acknowledged positions.

-- Short-lived, single-use tickets for browsers, which cannot send an Authorization header.
CREATE TABLE cable_tickets (
  ticket_hash    text PRIMARY KEY,
  credential_id  text NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
  expires_at     timestamptz NOT NULL,
  used_at        timestamptz
);

-- The last acknowledged event per credential and subscription name, as a feed position
-- (the same (tx, seq) order the event feeds use), so a consumer offline for an hour catches up.
CREATE TABLE cable_positions (
  credential_id  text NOT NULL REFERENCES credentials (id) ON DELETE CASCADE,
  name           text NOT NULL,
  tx             xid8 NOT NULL,
  seq            bigint NOT NULL,
  event_id       text,  -- null: the position where the subscription started, before any ack
  updated_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (credential_id, name)
);
