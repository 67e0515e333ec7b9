import type Database from 'better-sqlite3';
import { v7 as uuidv7 } from 'uuid';
import { CallRecord } from '../shared/call-record';
import type { NewCallRecord, StoredCallRecord } from '../shared/host-api';
import { enqueueMutation } from './outbox';

/** Write a finished call and its outbox entry in one transaction. */
export function recordCall(db: Database.Database, operatorId: string, input: NewCallRecord): CallRecord {
  const record = CallRecord.parse({ ...input, id: uuidv7(), operatorId });
  db.transaction(() => {
    db.prepare(
      `INSERT INTO call_records (id, direction, caller_number, callee_number, operator_id, started_at, answered_at, ended_at, outcome, sip_call_id, quality)
       VALUES (@id, @direction, @callerNumber, @calleeNumber, @operatorId, @startedAt, @answeredAt, @endedAt, @outcome, @sipCallId, @quality)`,
    ).run({ ...record, quality: record.quality ? JSON.stringify(record.quality) : null });
    enqueueMutation(db, operatorId, 'recordCall', record, record.id);
  })();
  return record;
}

interface CallRow {
  id: string;
  direction: 'inbound' | 'outbound';
  caller_number: string;
  callee_number: string;
  operator_id: string;
  started_at: string;
  answered_at: string | null;
  ended_at: string;
  outcome: CallRecord['outcome'];
  sip_call_id: string | null;
  quality: string | null;
  outbox_status: string | null;
}

export function recentCalls(db: Database.Database, operatorId: string, limit: number): StoredCallRecord[] {
  const rows = db
    .prepare(
      `SELECT c.*, o.status AS outbox_status FROM call_records c LEFT JOIN outbox o ON o.id = c.id
       WHERE c.operator_id = ? ORDER BY c.started_at DESC LIMIT ?`,
    )
    .all(operatorId, limit) as CallRow[];
  return rows.map((r) => ({
    record: {
      id: r.id,
      direction: r.direction,
      callerNumber: r.caller_number,
      calleeNumber: r.callee_number,
      operatorId: r.operator_id,
      startedAt: r.started_at,
      answeredAt: r.answered_at,
      endedAt: r.ended_at,
      outcome: r.outcome,
      sipCallId: r.sip_call_id,
      ...(r.quality ? { quality: JSON.parse(r.quality) as CallRecord['quality'] } : {}),
    },
    synced: r.outbox_status === 'sent',
  }));
}
