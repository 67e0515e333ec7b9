-- Tickets (工单) and their history, the daily ticket-number sequence, and
-- versioned reference data (units, categories, divisions, calendar years).
CREATE TABLE tickets (
  id               uuid PRIMARY KEY,
  number           text NOT NULL UNIQUE,
  call_id          text,
  caller_number    text,
  anonymous        boolean NOT NULL,
  caller_name      text,
  callback_phone   text,
  request_type     text NOT NULL,
  category_id      text NOT NULL,
  division_code    text NOT NULL,
  address          text,
  description      text NOT NULL,
  urgency          text NOT NULL,
  kb_article_ids   jsonb NOT NULL DEFAULT '[]',
  outcome          jsonb NOT NULL,
  status           text NOT NULL,
  assigned_unit_id text,
  due_at           timestamptz,
  due_provisional  boolean NOT NULL DEFAULT false,
  answer           text,
  accepted_at      timestamptz NOT NULL,
  accepted_by      uuid NOT NULL REFERENCES users (id),
  created_at       timestamptz NOT NULL DEFAULT now(),
  updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX tickets_callback_phone ON tickets (callback_phone, accepted_at DESC);
CREATE INDEX tickets_caller_number ON tickets (caller_number, accepted_at DESC);
CREATE INDEX tickets_accepted_by ON tickets (accepted_by, accepted_at DESC);
CREATE INDEX call_records_caller ON call_records (caller_number, started_at DESC);

CREATE TABLE ticket_events (
  id          bigserial PRIMARY KEY,
  ticket_id   uuid NOT NULL REFERENCES tickets (id),
  at          timestamptz NOT NULL,
  actor_id    uuid REFERENCES users (id),
  type        text NOT NULL,
  from_status text,
  to_status   text NOT NULL,
  detail      jsonb NOT NULL DEFAULT '{}'
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

-- One row per center day: the last number issued (12345-YYYYMMDD-NNNNNN).
CREATE TABLE ticket_number_seq (
  day  date PRIMARY KEY,
  last integer NOT NULL
);

CREATE TABLE reference_versions (
  version        serial PRIMARY KEY,
  district       jsonb NOT NULL,
  data           jsonb NOT NULL,
  divisions      jsonb NOT NULL,
  calendar_years jsonb NOT NULL DEFAULT '[]',
  created_at     timestamptz NOT NULL DEFAULT now(),
  created_by     uuid REFERENCES users (id)
);
