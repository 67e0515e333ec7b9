-- Call quality measured by the console (E-model MOS, jitter, loss, RTT),
-- and every change of an operator's state (就绪, 未就绪 with its reason,
-- 振铃, 通话中, 话后整理) as the console recorded it.
ALTER TABLE call_records ADD COLUMN quality jsonb;

CREATE TABLE agent_state_events (
  id             uuid PRIMARY KEY,
  operator_id    uuid NOT NULL REFERENCES users (id),
  state          text NOT NULL CHECK (state IN ('offline', 'ready', 'not_ready', 'ringing', 'in_call', 'wrap_up')),
  reason         text,
  at             timestamptz NOT NULL,
  previous_state text,
  previous_ms    bigint,
  received_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX agent_state_events_operator_at ON agent_state_events (operator_id, at DESC);
