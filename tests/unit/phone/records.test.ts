import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { recordAgentState } from '../../../src/host/agent-state';
import { recentCalls, recordCall } from '../../../src/host/calls';
import { openConsoleDb } from '../../../src/host/db/open';
import { tempDir } from '../../support/tmp';

let tmp: ReturnType<typeof tempDir>;
beforeEach(() => {
  tmp = tempDir();
});
afterEach(() => tmp.cleanup());

describe('the phone’s records in the console database', () => {
  it('a call keeps its quality figures, and they go to the server in the recordCall mutation', () => {
    const db = openConsoleDb(path.join(tmp.dir, 'c.db'));
    const quality = { mos: 4.3, rFactor: 88.1, jitterMs: 3.5, lossPct: 0.4, rttMs: 12 };
    const rec = recordCall(db, 'op-1', {
      direction: 'inbound',
      callerNumber: '13800138000',
      calleeNumber: '1001',
      startedAt: '2026-11-29T10:00:00.000+08:00',
      answeredAt: '2026-11-29T10:00:04.000+08:00',
      endedAt: '2026-11-29T10:03:00.000+08:00',
      outcome: 'answered',
      sipCallId: 'abc@pbx',
      quality,
    });
    expect(recentCalls(db, 'op-1', 5)[0]!.record.quality).toEqual(quality);
    const args = JSON.parse((db.prepare('SELECT args FROM outbox WHERE id = ?').get(rec.id) as { args: string }).args);
    expect(args.quality).toEqual(quality);
    db.close();
  });

  it('every agent state change is stored with its outbox entry, in one transaction', () => {
    const db = openConsoleDb(path.join(tmp.dir, 'c.db'));
    const c = recordAgentState(db, 'op-1', { state: 'not_ready', reason: '用餐', at: '2026-11-29T12:00:00.000+08:00', previousState: 'ready', previousMs: 65_000 });
    expect(db.prepare('SELECT state, reason, previous_state, previous_ms FROM agent_state_events').all()).toEqual([
      { state: 'not_ready', reason: '用餐', previous_state: 'ready', previous_ms: 65_000 },
    ]);
    expect(db.prepare('SELECT id, name, status FROM outbox').all()).toEqual([{ id: c.id, name: 'recordAgentState', status: 'pending' }]);
    expect(() => recordAgentState(db, 'op-1', { state: 'lunch' as never, at: 'x' })).toThrow();
    expect(db.prepare('SELECT count(*) AS n FROM outbox').get()).toEqual({ n: 1 });
    db.close();
  });
});
