/**
 * The softphone's explicit state machine. sip.js reports what happened; this
 * reducer alone decides what the phone's state becomes, so the UI can never
 * show a state the phone is not in (e.g. "on hold" after the hold re-INVITE
 * was refused, or "in call" after the call failed).
 * Pure: no sip.js, no DOM, unit-tested on its own.
 *
 * Lines: up to two calls offered to the operator at once (the second one is
 * "call waiting"), plus a consultation call the operator dials out of a call
 * (attended transfer, three-way conference).
 */
import type { CallQuality } from '../shared/call-record';

export type RegistrationPhase = 'unregistered' | 'registering' | 'registered' | 'failed';
/** ringing: inbound, not answered; dialing: outbound, not answered yet. */
export type CallPhase = 'ringing' | 'dialing' | 'answering' | 'in_call' | 'ended';
export type EndReason = 'local_hangup' | 'remote_hangup' | 'caller_cancelled' | 'rejected' | 'failed' | 'transferred';

export interface CallState {
  id: string;
  direction: 'inbound' | 'outbound';
  remoteNumber: string;
  remoteName: string;
  sipCallId: string | null;
  phase: CallPhase;
  startedAt: string;
  answeredAt: string | null;
  endedAt: string | null;
  endReason: EndReason | null;
  /** Why the call failed, for the operator (zh-CN). */
  error: string | null;
  /** SIP status of a failure (486, 404, …), when there was one. */
  failureCode: number | null;
  /** Outbound: the far end is ringing (180/183). */
  remoteRinging: boolean;
  held: boolean;
  /** A hold or resume re-INVITE is in flight; `held` changes only when it is accepted. */
  holdPending: 'hold' | 'resume' | null;
  muted: boolean;
  /** This call consults a third party on behalf of call `consultFor` (attended transfer / conference). */
  consultFor: string | null;
  /** Latest quality figures (indicator); the call record gets the whole call's. */
  quality: CallQuality | null;
}

export interface PhoneState {
  registration: RegistrationPhase;
  /** Why registration failed or was lost, for the operator (zh-CN). */
  registrationError: string | null;
  /** Every call on the phone, oldest first. */
  calls: CallState[];
  /** The call the operator is working on (shown, controlled by the keys). */
  activeId: string | null;
  /** The active call, or the last ended one until cleared; null when idle. */
  call: CallState | null;
  /** The two live calls are mixed into a three-way conference. */
  conference: boolean;
}

/** At most this many calls may be offered at once (line 1 + call waiting). */
export const MAX_OFFERED_CALLS = 2;

export type PhoneEvent =
  | { type: 'register_start' }
  | { type: 'registered' }
  | { type: 'unregistered'; reason?: string }
  | { type: 'register_failed'; reason: string }
  | { type: 'incoming'; id: string; remoteNumber: string; remoteName: string; sipCallId: string | null; at: string }
  | { type: 'dial'; id: string; remoteNumber: string; sipCallId?: string | null; consultFor?: string | null; at: string }
  | { type: 'progress'; id?: string }
  | { type: 'answer'; id?: string; at: string }
  | { type: 'established'; id?: string; at: string }
  | { type: 'answer_failed'; id?: string; reason: string; code?: number; at: string }
  | { type: 'reject'; id?: string; at: string }
  | { type: 'hangup'; id?: string; at: string }
  | { type: 'remote_ended'; id?: string; at: string }
  | { type: 'transferred'; id: string; at: string }
  | { type: 'hold'; id?: string; hold: boolean }
  | { type: 'hold_result'; id: string; hold: boolean; ok: boolean }
  | { type: 'mute'; id?: string; muted: boolean }
  | { type: 'focus'; id: string }
  | { type: 'conference'; on: boolean }
  | { type: 'quality'; id: string; quality: CallQuality }
  | { type: 'clear' };

export const initialPhoneState: PhoneState = { registration: 'unregistered', registrationError: null, calls: [], activeId: null, call: null, conference: false };

export type Transition = { ok: true; state: PhoneState } | { ok: false; state: PhoneState; reason: string };

export const isLive = (c: CallState) => c.phase !== 'ended';
export const liveCalls = (s: PhoneState) => s.calls.filter(isLive);

/** Recompute the derived fields after a change of `calls`. */
function settle(state: PhoneState): PhoneState {
  let calls = state.calls;
  const live = calls.filter(isLive);
  // An ended call stays on screen only when it was the last one.
  if (live.length) calls = live;
  let activeId = state.activeId;
  if (!calls.some((c) => c.id === activeId && isLive(c))) {
    const next = live.find((c) => c.phase !== 'ringing') ?? live[0] ?? calls.at(-1);
    activeId = next?.id ?? null;
  }
  const call = calls.find((c) => c.id === activeId) ?? null;
  const conference = state.conference && live.filter((c) => c.phase === 'in_call').length >= 2;
  return { ...state, calls, activeId, call, conference };
}

function newCall(e: { id: string; remoteNumber: string; at: string }, direction: CallState['direction'], phase: CallPhase): CallState {
  return {
    id: e.id,
    direction,
    remoteNumber: e.remoteNumber,
    remoteName: '',
    sipCallId: null,
    phase,
    startedAt: e.at,
    answeredAt: null,
    endedAt: null,
    endReason: null,
    error: null,
    failureCode: null,
    remoteRinging: false,
    held: false,
    holdPending: null,
    muted: false,
    consultFor: null,
    quality: null,
  };
}

export function transition(state: PhoneState, event: PhoneEvent): Transition {
  const refuse = (reason: string): Transition => ({ ok: false, state, reason });
  const find = (id?: string) => state.calls.find((c) => c.id === (id ?? state.activeId));
  const update = (call: CallState, patch: Partial<CallState>, extra: Partial<PhoneState> = {}): Transition => ({
    ok: true,
    state: settle({ ...state, ...extra, calls: state.calls.map((c) => (c.id === call.id ? { ...c, ...patch } : c)) }),
  });
  const end = (call: CallState, at: string, endReason: EndReason, error: string | null = null, failureCode: number | null = null) =>
    update(call, { phase: 'ended', endedAt: at, endReason, error, failureCode, holdPending: null });

  switch (event.type) {
    case 'register_start':
      if (state.registration === 'registering') return refuse('a registration is already in flight');
      return { ok: true, state: { ...state, registration: 'registering', registrationError: null } };
    case 'registered':
      return { ok: true, state: { ...state, registration: 'registered', registrationError: null } };
    case 'unregistered':
      return { ok: true, state: { ...state, registration: 'unregistered', registrationError: event.reason ?? null } };
    case 'register_failed':
      return { ok: true, state: { ...state, registration: 'failed', registrationError: event.reason } };

    case 'incoming': {
      const live = liveCalls(state).filter((c) => !c.consultFor);
      if (live.length >= MAX_OFFERED_CALLS) return refuse('every line is busy');
      if (state.calls.some((c) => c.id === event.id)) return refuse('duplicate call id');
      const next = { ...newCall(event, 'inbound', 'ringing'), remoteName: event.remoteName, sipCallId: event.sipCallId };
      const calls = [...state.calls.filter(isLive), next];
      // A waiting call does not take the operator's focus from the call in progress.
      return { ok: true, state: settle({ ...state, calls, activeId: live.length ? state.activeId : next.id }) };
    }
    case 'dial': {
      const live = liveCalls(state);
      if (event.consultFor) {
        const parent = live.find((c) => c.id === event.consultFor);
        if (!parent || parent.phase !== 'in_call') return refuse('no call to consult for');
        if (live.some((c) => c.consultFor)) return refuse('already consulting');
      } else if (live.length >= MAX_OFFERED_CALLS) return refuse('every line is busy');
      if (live.some((c) => c.phase === 'ringing' || c.phase === 'dialing' || c.phase === 'answering')) return refuse('another call is being set up');
      if (live.some((c) => c.phase === 'in_call' && !c.held && c.id !== event.consultFor)) return refuse('put the current call on hold first');
      const next = { ...newCall(event, 'outbound', 'dialing'), sipCallId: event.sipCallId ?? null, consultFor: event.consultFor ?? null };
      return { ok: true, state: settle({ ...state, calls: [...state.calls.filter(isLive), next], activeId: next.id }) };
    }
    case 'progress': {
      const call = find(event.id);
      if (call?.phase !== 'dialing') return refuse('no call being dialled');
      return update(call, { remoteRinging: true });
    }
    case 'answer': {
      const call = find(event.id);
      if (call?.phase !== 'ringing') return refuse('no ringing call to answer');
      return update(call, { phase: 'answering' }, { activeId: call.id });
    }
    case 'established': {
      const call = find(event.id);
      if (call?.phase !== 'answering' && call?.phase !== 'ringing' && call?.phase !== 'dialing') return refuse('no call being set up');
      return update(call, { phase: 'in_call', answeredAt: event.at });
    }
    case 'answer_failed': {
      const call = find(event.id);
      if (call?.phase !== 'answering' && call?.phase !== 'ringing' && call?.phase !== 'dialing') return refuse('no call being set up');
      return end(call, event.at, 'failed', event.reason, event.code ?? null);
    }
    case 'reject': {
      const call = find(event.id);
      if (call?.phase !== 'ringing') return refuse('no ringing call to reject');
      return end(call, event.at, 'rejected');
    }
    case 'hangup': {
      const call = find(event.id);
      if (!call || call.phase === 'ended') return refuse('no call to hang up');
      return end(call, event.at, call.phase === 'ringing' ? 'rejected' : 'local_hangup');
    }
    case 'remote_ended': {
      const call = find(event.id);
      if (!call || call.phase === 'ended') return refuse('no call in progress');
      return end(call, event.at, call.phase === 'in_call' ? 'remote_hangup' : call.direction === 'outbound' ? 'failed' : 'caller_cancelled');
    }
    case 'transferred': {
      const call = find(event.id);
      if (!call || call.phase !== 'in_call') return refuse('no call to transfer');
      return end(call, event.at, 'transferred');
    }
    case 'hold': {
      const call = find(event.id);
      if (call?.phase !== 'in_call') return refuse('no call to hold');
      if (call.holdPending) return refuse('a hold or resume is already in flight');
      if (call.held === event.hold) return refuse(event.hold ? 'already on hold' : 'not on hold');
      return update(call, { holdPending: event.hold ? 'hold' : 'resume' });
    }
    case 'hold_result': {
      const call = find(event.id);
      if (!call || call.holdPending !== (event.hold ? 'hold' : 'resume')) return refuse('no such hold in flight');
      return update(call, { holdPending: null, held: event.ok ? event.hold : call.held });
    }
    case 'mute': {
      const call = find(event.id);
      if (!call || (call.phase !== 'in_call' && call.phase !== 'dialing' && call.phase !== 'answering')) return refuse('no call to mute');
      return update(call, { muted: event.muted });
    }
    case 'focus': {
      const call = find(event.id);
      if (!call || call.phase === 'ended') return refuse('no such call');
      return { ok: true, state: settle({ ...state, activeId: call.id }) };
    }
    case 'conference': {
      const talking = liveCalls(state).filter((c) => c.phase === 'in_call');
      if (event.on && talking.length < 2) return refuse('a conference needs two connected calls');
      if (!event.on && !state.conference) return refuse('no conference');
      return { ok: true, state: settle({ ...state, conference: event.on }) };
    }
    case 'quality': {
      const call = find(event.id);
      if (!call || call.phase === 'ended') return refuse('no such call');
      return update(call, { quality: event.quality });
    }
    case 'clear':
      if (liveCalls(state).length) return refuse('a call is still in progress');
      return { ok: true, state: { ...state, calls: [], activeId: null, call: null, conference: false } };
  }
}

/** The call's outcome as the call record stores it. */
export function callOutcome(call: CallState): 'answered' | 'missed' | 'rejected' | 'failed' {
  if (call.answeredAt) return 'answered';
  switch (call.endReason) {
    case 'rejected':
      return 'rejected';
    case 'failed':
      return 'failed';
    case 'local_hangup':
      return call.direction === 'outbound' ? 'failed' : 'missed';
    default:
      return 'missed';
  }
}

/** A SIP failure status as the operator should read it (zh-CN). */
export function sipFailureMessage(code: number | undefined, reasonPhrase?: string): string {
  switch (code) {
    case 486:
    case 600:
      return '对方忙';
    case 480:
      return '对方暂时无法接通';
    case 408:
      return '无人接听';
    case 404:
    case 604:
      return '号码不存在';
    case 403:
    case 603:
      return '呼叫被拒绝';
    case 401:
    case 407:
      return '呼叫未获授权';
    case 487:
      return '呼叫已取消';
    case 488:
    case 415:
    case 606:
      return '语音编码不兼容，无法建立通话';
    case 500:
    case 502:
    case 503:
    case 504:
      return '电话服务器暂时不可用';
    default:
      return code ? `呼叫失败（SIP ${code}${reasonPhrase ? ` ${reasonPhrase}` : ''}）` : '呼叫失败';
  }
}
