import type Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { AgentStateChange } from '../shared/call-record';
import type { NewAgentStateChange } from '../shared/host-api';
import { enqueueMutation } from './outbox';

/** Record one change of the operator's state and its outbox entry in one transaction. */
export function recordAgentState(db: Database.Database, operatorId: string, input: NewAgentStateChange): AgentStateChange {
  const change = AgentStateChange.parse({ ...input, id: uuidv7(), operatorId });
  db.transaction(() => {
    db.prepare(
      `INSERT INTO agent_state_events (id, operator_id, state, reason, at, previous_state, previous_ms)
       VALUES (@id, @operatorId, @state, @reason, @at, @previousState, @previousMs)`,
    ).run(change);
    enqueueMutation(db, operatorId, 'recordAgentState', change, change.id);
  })();
  return change;
}
