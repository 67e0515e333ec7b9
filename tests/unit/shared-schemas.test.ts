import { describe, expect, it } from 'vitest';
import { CallRecord } from '../../src/shared/call-record';
import { hostApi, HostRequest } from '../../src/shared/host-api';
import { PushRequest } from '../../src/shared/sync';

const good = {
  id: '01936f6e-8f1c-7cc3-9a4e-0d2b3c4d5e6f',
  direction: 'inbound',
  callerNumber: '13800138000',
  calleeNumber: '1001',
  operatorId: 'u-1',
  startedAt: '2026-11-29T10:00:00.000Z',
  answeredAt: '2026-11-29T10:00:05.000Z',
  endedAt: '2026-11-29T10:02:00.000Z',
  outcome: 'answered',
  sipCallId: 'abc@host',
};

describe('shared schemas', () => {
  it('accepts a well-formed call record', () => {
    expect(CallRecord.safeParse(good).success).toBe(true);
  });

  it.each([
    ['an end before the start', { endedAt: '2026-11-29T09:59:00.000Z' }],
    ['an answer before the start', { answeredAt: '2026-11-29T09:00:00.000Z' }],
    ['a non-UUID id', { id: '42' }],
    ['an empty caller number', { callerNumber: '' }],
    ['an unknown outcome', { outcome: 'teleported' }],
    ['a time without offset', { startedAt: '2026-11-29 10:00' }],
  ])('rejects a call record with %s', (_why, patch) => {
    expect(CallRecord.safeParse({ ...good, ...patch }).success).toBe(false);
  });

  it('caps a push batch and requires at least one mutation', () => {
    const m = { id: good.id, name: 'recordCall', args: good, createdAt: good.startedAt };
    expect(PushRequest.safeParse({ clientId: 'c', mutations: [m] }).success).toBe(true);
    expect(PushRequest.safeParse({ clientId: 'c', mutations: [] }).success).toBe(false);
    expect(PushRequest.safeParse({ clientId: 'c', mutations: Array(501).fill(m) }).success).toBe(false);
  });

  it('host requests carry exactly id, method and params', () => {
    expect(HostRequest.safeParse({ id: 1, method: 'app.info', params: {} }).success).toBe(true);
    expect(HostRequest.safeParse({ id: 1, method: 'app.info', params: {}, extra: 1 }).success).toBe(false);
    expect(HostRequest.safeParse({ id: '1', method: 'app.info' }).success).toBe(false);
  });

  it('every host method has a params and a result schema', () => {
    for (const [name, m] of Object.entries(hostApi)) {
      expect(m.params, name).toBeDefined();
      expect(m.result, name).toBeDefined();
    }
  });
});
