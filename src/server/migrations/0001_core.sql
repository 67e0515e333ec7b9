-- Users, call records, the sync ledger and the audit log.

CREATE TABLE users (
  id            uuid PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  display_name  text NOT NULL,
  role          text NOT NULL CHECK (role IN ('operator', 'lead', 'admin')),
  password_hash text NOT NULL,                 -- argon2id, PHC string
  sip_extension text,                          -- NULL: no softphone for this account
  sip_password  text,
  disabled      boolean NOT NULL DEFAULT false,
  created_at    timestamptz NOT NULL DEFAULT now()
);

-- One call as the operator's console saw it; the id comes from the console (UUIDv7).
CREATE TABLE call_records (
  id            uuid PRIMARY KEY,
  direction     text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
  caller_number text NOT NULL,
  callee_number text NOT NULL DEFAULT '',
  operator_id   uuid NOT NULL REFERENCES users (id),
  started_at    timestamptz NOT NULL,
  answered_at   timestamptz,
  ended_at      timestamptz NOT NULL,
  outcome       text NOT NULL CHECK (outcome IN ('answered', 'missed', 'rejected', 'failed')),
  sip_call_id   text,
  received_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX call_records_operator_started ON call_records (operator_id, started_at DESC);

-- Every mutation id the server has applied, so a repeated push has no second effect.
CREATE TABLE applied_mutations (
  id         uuid PRIMARY KEY,
  user_id    uuid NOT NULL REFERENCES users (id),
  client_id  text NOT NULL,
  name       text NOT NULL,
  -- Only applied mutations are recorded: a rejected one wrote nothing, and the
  -- console drops it from its outbox with the reason it got back.
  status     text NOT NULL DEFAULT 'applied' CHECK (status IN ('applied')),
  applied_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX applied_mutations_user ON applied_mutations (user_id, applied_at);

-- No foreign key on user_id: the trail must outlive the account it names.
CREATE TABLE audit_log (
  id      bigserial PRIMARY KEY,
  at      timestamptz NOT NULL DEFAULT now(),
  user_id uuid,
  action  text NOT NULL,
  detail  jsonb NOT NULL DEFAULT '{}'::jsonb
);
CREATE INDEX audit_log_at ON audit_log (at);
