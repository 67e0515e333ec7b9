import { describe, expect, it } from 'vitest';
import { callOutcome, initialPhoneState, transition, type PhoneEvent, type PhoneState } from '../../../src/phone/machine';

const at = (s: number) => new Date(Date.UTC(2026, 10, 29, 2, 0, s)).toISOString();
const incoming: PhoneEvent = { type: 'incoming', id: 'c1', remoteNumber: '13800138000', remoteName: '', sipCallId: 'x@y', at: at(0) };

function run(events: PhoneEvent[], from: PhoneState = initialPhoneState) {
  let s = from;
  const refused: string[] = [];
  for (const e of events) {
    const t = transition(s, e);
    if (!t.ok) refused.push(e.type);
    s = t.state;
  }
  return { s, refused };
}

describe('the softphone state machine', () => {
  it('registers: unregistered → registering → registered', () => {
    const { s, refused } = run([{ type: 'register_start' }, { type: 'registered' }]);
    expect(s.registration).toBe('registered');
    expect(refused).toEqual([]);
  });

  it('never has two registrations in flight', () => {
    const { s, refused } = run([{ type: 'register_start' }, { type: 'register_start' }]);
    expect(s.registration).toBe('registering');
    expect(refused).toEqual(['register_start']);
  });

  it('a failed registration keeps its reason for the operator, and a new attempt clears it', () => {
    let { s } = run([{ type: 'register_start' }, { type: 'register_failed', reason: '注册失败（SIP 403）' }]);
    expect(s).toMatchObject({ registration: 'failed', registrationError: '注册失败（SIP 403）' });
    s = run([{ type: 'register_start' }], s).s;
    expect(s).toMatchObject({ registration: 'registering', registrationError: null });
  });

  it('an incoming call rings, is answered, established, and hung up by the caller', () => {
    const { s, refused } = run([{ type: 'registered' }, incoming, { type: 'answer', at: at(3) }, { type: 'established', at: at(4) }, { type: 'remote_ended', at: at(60) }]);
    expect(refused).toEqual([]);
    expect(s.call).toMatchObject({ phase: 'ended', answeredAt: at(4), endedAt: at(60), endReason: 'remote_hangup', remoteNumber: '13800138000' });
    expect(callOutcome(s.call!)).toBe('answered');
  });

  it('a caller who gives up while it rings is a missed call', () => {
    const { s } = run([incoming, { type: 'remote_ended', at: at(8) }]);
    expect(s.call?.endReason).toBe('caller_cancelled');
    expect(callOutcome(s.call!)).toBe('missed');
  });

  it('hanging up a ringing call declines it', () => {
    const { s } = run([incoming, { type: 'hangup', at: at(2) }]);
    expect(s.call?.endReason).toBe('rejected');
    expect(callOutcome(s.call!)).toBe('rejected');
  });

  it('an answer that fails (e.g. microphone denied) ends the call as failed with the reason', () => {
    const { s } = run([incoming, { type: 'answer', at: at(1) }, { type: 'answer_failed', reason: '无法使用麦克风', at: at(2) }]);
    expect(s.call).toMatchObject({ phase: 'ended', endReason: 'failed', error: '无法使用麦克风' });
    expect(callOutcome(s.call!)).toBe('failed');
  });

  it('a second call while on a call is refused (the PBX gets 486)', () => {
    const { s, refused } = run([incoming, { type: 'answer', at: at(1) }, { type: 'established', at: at(1) }, { ...incoming, id: 'c2', remoteNumber: '13900000000' }]);
    expect(refused).toEqual(['incoming']);
    expect(s.call?.id).toBe('c1');
  });

  it('refuses actions that make no sense in the current state', () => {
    const { refused } = run([{ type: 'answer', at: at(0) }, { type: 'hangup', at: at(0) }, { type: 'established', at: at(0) }, { type: 'reject', at: at(0) }]);
    expect(refused).toEqual(['answer', 'hangup', 'established', 'reject']);
  });

  it('an ended call can be cleared back to idle, a live one cannot', () => {
    const live = run([incoming]).s;
    expect(transition(live, { type: 'clear' }).ok).toBe(false);
    const ended = run([{ type: 'remote_ended', at: at(3) }], live).s;
    expect(transition(ended, { type: 'clear' }).state.call).toBeNull();
  });

  it('losing registration during a call keeps the call', () => {
    const { s } = run([{ type: 'registered' }, incoming, { type: 'answer', at: at(1) }, { type: 'established', at: at(1) }, { type: 'unregistered', reason: '连接断开' }]);
    expect(s.registration).toBe('unregistered');
    expect(s.call?.phase).toBe('in_call');
  });
});
