-- The change log consoles pull from ("changes down"), who may see which
-- ticket, the full state of each ticket's workflow, and the knowledge base.

-- One row: the version of the last committed change. A writing transaction
-- takes its versions with UPDATE … RETURNING as its last step, so the row
-- lock orders commits exactly as versions (see src/server/changes.ts).
CREATE TABLE sync_head (
  id      integer PRIMARY KEY CHECK (id = 1),
  version bigint NOT NULL
);
INSERT INTO sync_head (id, version) VALUES (1, 0);

-- The newest state of each entity, at the version it last changed. Payloads
-- are whole snapshots, so an entity's older rows are deleted when it changes:
-- a console below them gets the newer row anyway.
CREATE TABLE changes (
  version    bigint PRIMARY KEY,
  scope      text NOT NULL CHECK (scope IN ('all', 'ticket')),
  ticket_id  uuid,
  entity     text NOT NULL,
  entity_id  text NOT NULL,
  op         text NOT NULL CHECK (op IN ('put', 'delete')),
  payload    jsonb NOT NULL,
  at         timestamptz NOT NULL DEFAULT now(),
  CHECK ((scope = 'ticket') = (ticket_id IS NOT NULL))
);
CREATE UNIQUE INDEX changes_entity ON changes (entity, entity_id);
CREATE INDEX changes_ticket ON changes (ticket_id, version) WHERE ticket_id IS NOT NULL;
CREATE INDEX changes_all ON changes (version) WHERE scope = 'all';

-- Operators pull the tickets they accepted or acted on.
CREATE TABLE ticket_participants (
  user_id   uuid NOT NULL REFERENCES users (id),
  ticket_id uuid NOT NULL REFERENCES tickets (id),
  PRIMARY KEY (user_id, ticket_id)
);

-- The whole workflow state (TicketFlow as JSON), beside the columns queries use.
ALTER TABLE tickets ADD COLUMN flow jsonb;

-- Knowledge-base articles as published by leads and admins; `version` counts edits.
CREATE TABLE kb_articles (
  source_id     text PRIMARY KEY,
  version       integer NOT NULL,
  status        text NOT NULL CHECK (status IN ('draft', 'published', 'retired')),
  title         text NOT NULL,
  answer_html   text NOT NULL,
  keywords      jsonb NOT NULL DEFAULT '[]',
  category      text NOT NULL DEFAULT '',
  unit          text NOT NULL DEFAULT '',
  contact_phone text NOT NULL DEFAULT '',
  valid_from    date,
  valid_to      date,
  updated_at    timestamptz NOT NULL DEFAULT now(),
  updated_by    uuid REFERENCES users (id)
);
