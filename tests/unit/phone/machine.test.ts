import { describe, expect, it } from 'vitest';
import { callOutcome, initialPhoneState, sipFailureMessage, transition, type PhoneEvent, type PhoneState } from '../../../src/phone/machine';

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

  it('a second call while on a call rings as call waiting without taking the focus; a third is refused (486)', () => {
    const talking = run([incoming, { type: 'answer', at: at(1) }, { type: 'established', at: at(1) }]).s;
    const { s, refused } = run([{ ...incoming, id: 'c2', remoteNumber: '13900000000' }, { ...incoming, id: 'c3', remoteNumber: '13700000000' }], talking);
    expect(refused).toEqual(['incoming']);
    expect(s.calls.map((c) => [c.id, c.phase])).toEqual([['c1', 'in_call'], ['c2', 'ringing']]);
    expect(s.call?.id).toBe('c1');
    // Answering the waiting call focuses it; when it ends the first call is the active one again.
    const answered = run([{ type: 'hold', id: 'c1', hold: true }, { type: 'hold_result', id: 'c1', hold: true, ok: true }, { type: 'answer', id: 'c2', at: at(5) }, { type: 'established', id: 'c2', at: at(5) }], s).s;
    expect(answered.call?.id).toBe('c2');
    const back = run([{ type: 'remote_ended', id: 'c2', at: at(9) }], answered).s;
    expect(back.calls.map((c) => c.id)).toEqual(['c1']);
    expect(back.call).toMatchObject({ id: 'c1', held: true });
  });

  it('hold only counts once the PBX accepted it: a refused hold leaves the call talking (SIP.js #685)', () => {
    const talking = run([incoming, { type: 'answer', at: at(1) }, { type: 'established', at: at(1) }]).s;
    const pending = run([{ type: 'hold', hold: true }], talking).s;
    expect(pending.call).toMatchObject({ held: false, holdPending: 'hold' });
    expect(transition(pending, { type: 'hold', hold: true }).ok).toBe(false);
    const refusedHold = run([{ type: 'hold_result', id: 'c1', hold: true, ok: false }], pending).s;
    expect(refusedHold.call).toMatchObject({ held: false, holdPending: null });
    const held = run([{ type: 'hold', hold: true }, { type: 'hold_result', id: 'c1', hold: true, ok: true }], talking).s;
    expect(held.call).toMatchObject({ held: true, holdPending: null });
    const resumed = run([{ type: 'hold', hold: false }, { type: 'hold_result', id: 'c1', hold: false, ok: true }], held).s;
    expect(resumed.call).toMatchObject({ held: false });
  });

  it('an outbound call dials, hears ringback, connects; a busy callee ends it as failed with the SIP code', () => {
    const dial: PhoneEvent = { type: 'dial', id: 'o1', remoteNumber: '13800138000', at: at(0) };
    const ok = run([dial, { type: 'progress' }, { type: 'established', at: at(4) }]).s;
    expect(ok.call).toMatchObject({ direction: 'outbound', phase: 'in_call', remoteRinging: true });
    const busy = run([dial, { type: 'answer_failed', reason: '对方忙', code: 486, at: at(1) }]).s;
    expect(busy.call).toMatchObject({ phase: 'ended', endReason: 'failed', failureCode: 486, error: '对方忙' });
    expect(callOutcome(busy.call!)).toBe('failed');
  });

  it('a consultation call needs the first call on hold; transfer ends the first call; a conference needs two talking calls', () => {
    const talking = run([incoming, { type: 'answer', at: at(1) }, { type: 'established', at: at(1) }]).s;
    const consult: PhoneEvent = { type: 'dial', id: 'k1', remoteNumber: '1003', consultFor: 'c1', at: at(2) };
    expect(transition(talking, consult).ok).toBe(true); // the caller is still "in_call" but this is a consultation for it
    const onHold = run([{ type: 'hold', hold: true }, { type: 'hold_result', id: 'c1', hold: true, ok: true }], talking).s;
    const both = run([consult, { type: 'established', id: 'k1', at: at(3) }], onHold).s;
    expect(both.call).toMatchObject({ id: 'k1', consultFor: 'c1', phase: 'in_call' });
    expect(transition(both, { type: 'dial', id: 'x', remoteNumber: '1', at: at(3) }).ok).toBe(false);
    const conf = run([{ type: 'conference', on: true }], both).s;
    expect(conf.conference).toBe(true);
    const transferred = run([{ type: 'transferred', id: 'c1', at: at(9) }, { type: 'hangup', id: 'k1', at: at(9) }], both).s;
    expect(transferred.call).toMatchObject({ id: 'k1', phase: 'ended' });
    expect(transition(talking, { type: 'conference', on: true }).ok).toBe(false);
  });

  it('mute is a flag of the call; an SIP status becomes a Chinese message', () => {
    const talking = run([incoming, { type: 'answer', at: at(1) }, { type: 'established', at: at(1) }, { type: 'mute', muted: true }]).s;
    expect(talking.call?.muted).toBe(true);
    expect(sipFailureMessage(486)).toBe('对方忙');
    expect(sipFailureMessage(404)).toBe('号码不存在');
    expect(sipFailureMessage(480)).toBe('对方暂时无法接通');
    expect(sipFailureMessage(488)).toContain('编码');
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
