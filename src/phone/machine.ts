/**
 * The softphone's explicit state machine. sip.js reports what happened; this
 * reducer alone decides what the phone's state becomes, so the UI can never
 * show a state the phone is not in (e.g. "on a call" after the call failed).
 * Pure: no sip.js, no DOM, unit-tested on its own.
 */

export type RegistrationPhase = 'unregistered' | 'registering' | 'registered' | 'failed';
export type CallPhase = 'ringing' | 'answering' | 'in_call' | 'ended';
export type EndReason = 'local_hangup' | 'remote_hangup' | 'caller_cancelled' | 'rejected' | 'failed';

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
  error: string | null;
}

export interface PhoneState {
  registration: RegistrationPhase;
  /** Why registration failed or was lost, for the operator (zh-CN). */
  registrationError: string | null;
  call: CallState | null;
}

export type PhoneEvent =
  | { type: 'register_start' }
  | { type: 'registered' }
  | { type: 'unregistered'; reason?: string }
  | { type: 'register_failed'; reason: string }
  | { type: 'incoming'; id: string; remoteNumber: string; remoteName: string; sipCallId: string | null; at: string }
  | { type: 'answer'; at: string }
  | { type: 'established'; at: string }
  | { type: 'answer_failed'; reason: string; at: string }
  | { type: 'reject'; at: string }
  | { type: 'hangup'; at: string }
  | { type: 'remote_ended'; at: string }
  | { type: 'clear' };

export const initialPhoneState: PhoneState = { registration: 'unregistered', registrationError: null, call: null };

export type Transition = { ok: true; state: PhoneState } | { ok: false; state: PhoneState; reason: string };

function end(state: PhoneState, call: CallState, at: string, endReason: EndReason, error: string | null = null): Transition {
  return { ok: true, state: { ...state, call: { ...call, phase: 'ended', endedAt: at, endReason, error } } };
}

export function transition(state: PhoneState, event: PhoneEvent): Transition {
  const refuse = (reason: string): Transition => ({ ok: false, state, reason });
  const call = state.call;
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
      if (call && call.phase !== 'ended') return refuse('already on a call');
      const next: CallState = {
        id: event.id,
        direction: 'inbound',
        remoteNumber: event.remoteNumber,
        remoteName: event.remoteName,
        sipCallId: event.sipCallId,
        phase: 'ringing',
        startedAt: event.at,
        answeredAt: null,
        endedAt: null,
        endReason: null,
        error: null,
      };
      return { ok: true, state: { ...state, call: next } };
    }
    case 'answer':
      if (call?.phase !== 'ringing') return refuse('no ringing call to answer');
      return { ok: true, state: { ...state, call: { ...call, phase: 'answering' } } };
    case 'established':
      if (call?.phase !== 'answering' && call?.phase !== 'ringing') return refuse('no call being answered');
      return { ok: true, state: { ...state, call: { ...call, phase: 'in_call', answeredAt: event.at } } };
    case 'answer_failed':
      if (call?.phase !== 'answering' && call?.phase !== 'ringing') return refuse('no call being answered');
      return end(state, call, event.at, 'failed', event.reason);
    case 'reject':
      if (call?.phase !== 'ringing') return refuse('no ringing call to reject');
      return end(state, call, event.at, 'rejected');
    case 'hangup':
      if (!call || call.phase === 'ended') return refuse('no call to hang up');
      return end(state, call, event.at, call.phase === 'ringing' ? 'rejected' : 'local_hangup');
    case 'remote_ended':
      if (!call || call.phase === 'ended') return refuse('no call in progress');
      return end(state, call, event.at, call.phase === 'in_call' ? 'remote_hangup' : 'caller_cancelled');
    case 'clear':
      if (call && call.phase !== 'ended') return refuse('the call is still in progress');
      return { ok: true, state: { ...state, call: null } };
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
    default:
      return 'missed';
  }
}
