/**
 * The operator's (agent's) state, as the center counts it: 就绪 (ready),
 * 未就绪 with a reason, 振铃 (ringing), 通话中 (in a call) and 话后整理
 * (after-call work, a timer that returns the operator to ready and can be
 * extended). Pure reducer; the softphone feeds it the call events and asks
 * it whether to offer a call.
 */

export type AgentStatus = 'offline' | 'ready' | 'not_ready' | 'ringing' | 'in_call' | 'wrap_up';

export interface AgentConfig {
  /** Reasons an operator may give for not being ready. */
  notReadyReasons: string[];
  /** After-call work, seconds (0: straight back to the state chosen for after the call). */
  wrapUpSeconds: number;
  /** Seconds one "extend" adds. */
  wrapUpExtendSeconds: number;
}

export const defaultAgentConfig: AgentConfig = {
  notReadyReasons: ['小休', '用餐', '会议', '培训'],
  wrapUpSeconds: 30,
  wrapUpExtendSeconds: 30,
};

/** What the operator goes to once calls and after-call work are over. */
export type AfterCall = { status: 'ready' } | { status: 'not_ready'; reason: string };

export interface AgentState {
  status: AgentStatus;
  /** Not-ready reason, when status is not_ready. */
  reason: string | null;
  /** When the current status began (ISO). */
  since: string;
  /** When after-call work ends by itself (ISO), while status is wrap_up. */
  wrapUpEndsAt: string | null;
  /** Where the operator goes after the call / after-call work. */
  afterCall: AfterCall;
}

export type AgentEvent =
  | { type: 'login'; at: string }
  | { type: 'logout'; at: string }
  | { type: 'set_ready'; at: string }
  | { type: 'set_not_ready'; reason: string; at: string }
  /** The phone's calls changed: what is live now. `talked`: a call was answered since the last idle. */
  | { type: 'calls'; ringing: boolean; talking: boolean; talked: boolean; at: string }
  | { type: 'extend_wrap_up'; at: string }
  | { type: 'end_wrap_up'; at: string }
  | { type: 'tick'; at: string };

export const initialAgentState = (at: string): AgentState => ({ status: 'offline', reason: null, since: at, wrapUpEndsAt: null, afterCall: { status: 'ready' } });

const addSeconds = (iso: string, s: number) => new Date(Date.parse(iso) + s * 1000).toISOString();

function enter(state: AgentState, status: AgentStatus, at: string, reason: string | null = null, wrapUpEndsAt: string | null = null): AgentState {
  if (state.status === status && state.reason === reason && state.wrapUpEndsAt === wrapUpEndsAt) return state;
  return { ...state, status, reason, since: state.status === status && state.reason === reason ? state.since : at, wrapUpEndsAt };
}

function toAfterCall(state: AgentState, at: string): AgentState {
  const a = state.afterCall;
  const next = a.status === 'ready' ? enter(state, 'ready', at) : enter(state, 'not_ready', at, a.reason);
  return { ...next, afterCall: { status: 'ready' } };
}

export function agentTransition(state: AgentState, event: AgentEvent, config: AgentConfig = defaultAgentConfig): AgentState {
  const busy = state.status === 'ringing' || state.status === 'in_call';
  switch (event.type) {
    case 'login':
      return state.status === 'offline' ? enter(state, 'ready', event.at) : state;
    case 'logout':
      return { ...enter(state, 'offline', event.at), afterCall: { status: 'ready' } };
    case 'set_ready':
      if (state.status === 'offline') return state;
      if (busy) return { ...state, afterCall: { status: 'ready' } };
      return { ...enter(state, 'ready', event.at), afterCall: { status: 'ready' } };
    case 'set_not_ready': {
      if (state.status === 'offline' || !event.reason) return state;
      if (busy) return { ...state, afterCall: { status: 'not_ready', reason: event.reason } };
      return { ...enter(state, 'not_ready', event.at, event.reason), afterCall: { status: 'ready' } };
    }
    case 'calls': {
      if (state.status === 'offline') return state;
      if (event.talking) return enter(state, 'in_call', event.at);
      if (event.ringing) return state.status === 'in_call' ? state : enter(state, 'ringing', event.at);
      if (!busy) return state;
      // The last call is over.
      if (event.talked && config.wrapUpSeconds > 0) return enter(state, 'wrap_up', event.at, null, addSeconds(event.at, config.wrapUpSeconds));
      return toAfterCall(state, event.at);
    }
    case 'extend_wrap_up':
      if (state.status !== 'wrap_up' || !state.wrapUpEndsAt) return state;
      return { ...state, wrapUpEndsAt: addSeconds(state.wrapUpEndsAt, config.wrapUpExtendSeconds) };
    case 'end_wrap_up':
      return state.status === 'wrap_up' ? toAfterCall(state, event.at) : state;
    case 'tick':
      if (state.status === 'wrap_up' && state.wrapUpEndsAt && Date.parse(event.at) >= Date.parse(state.wrapUpEndsAt)) return toAfterCall(state, event.at);
      return state;
  }
}

/**
 * Whether a new call is offered to the operator. Ready: yes. Ringing or in a
 * call: yes, as a second line (call waiting). Not ready, after-call work,
 * offline: no — the softphone answers the INVITE with 486 Busy Here, which
 * the PBX or ACD treats as "try someone else".
 */
export function acceptsCalls(state: AgentState): boolean {
  return state.status === 'ready' || state.status === 'ringing' || state.status === 'in_call';
}

/** Milliseconds spent in the current state at `now`. */
export function timeInState(state: AgentState, now: number): number {
  return Math.max(0, now - Date.parse(state.since));
}
