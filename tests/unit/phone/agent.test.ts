import { describe, expect, it } from 'vitest';
import { acceptsCalls, agentTransition, initialAgentState, timeInState, type AgentEvent, type AgentState } from '../../../src/phone/agent';

const at = (s: number) => new Date(Date.UTC(2026, 10, 29, 2, 0, s)).toISOString();
const cfg = { notReadyReasons: ['小休', '用餐'], wrapUpSeconds: 30, wrapUpExtendSeconds: 20 };
function run(events: AgentEvent[], from: AgentState = initialAgentState(at(0))) {
  return events.reduce((s, e) => agentTransition(s, e, cfg), from);
}
const ready = run([{ type: 'login', at: at(0) }]);
const ring = { type: 'calls', ringing: true, talking: false, talked: false } as const;
const talk = { type: 'calls', ringing: false, talking: true, talked: true } as const;
const idle = (talked: boolean) => ({ type: 'calls', ringing: false, talking: false, talked }) as const;

describe('the operator (agent) state machine', () => {
  it('logs in ready; not ready with a reason; ready again; time in state restarts at each change', () => {
    expect(ready).toMatchObject({ status: 'ready', since: at(0) });
    const away = run([{ type: 'set_not_ready', reason: '用餐', at: at(10) }], ready);
    expect(away).toMatchObject({ status: 'not_ready', reason: '用餐', since: at(10) });
    expect(timeInState(away, Date.parse(at(70)))).toBe(60_000);
    expect(run([{ type: 'set_ready', at: at(90) }], away)).toMatchObject({ status: 'ready', reason: null, since: at(90) });
  });

  it('a call: ringing → in call → after-call work with a timer that returns to ready; extend adds time', () => {
    const wrap = run([{ ...ring, at: at(1) }, { ...talk, at: at(3) }, { ...idle(true), at: at(60) }], ready);
    expect(wrap).toMatchObject({ status: 'wrap_up', wrapUpEndsAt: at(90) });
    const extended = run([{ type: 'extend_wrap_up', at: at(70) }], wrap);
    expect(extended.wrapUpEndsAt).toBe(at(110));
    expect(run([{ type: 'tick', at: at(100) }], extended).status).toBe('wrap_up');
    expect(run([{ type: 'tick', at: at(110) }], extended)).toMatchObject({ status: 'ready', since: at(110) });
    expect(run([{ type: 'end_wrap_up', at: at(65) }], wrap).status).toBe('ready');
  });

  it('a missed call (never talked) goes straight back to ready, with no after-call work', () => {
    expect(run([{ ...ring, at: at(1) }, { ...idle(false), at: at(9) }], ready).status).toBe('ready');
  });

  it('not ready chosen during a call applies after the after-call work', () => {
    const s = run([{ ...ring, at: at(1) }, { ...talk, at: at(2) }, { type: 'set_not_ready', reason: '小休', at: at(5) }], ready);
    expect(s.status).toBe('in_call');
    const after = run([{ ...idle(true), at: at(30) }, { type: 'tick', at: at(60) }], s);
    expect(after).toMatchObject({ status: 'not_ready', reason: '小休' });
  });

  it('calls are offered when ready or already on a call (call waiting), never when not ready, in after-call work or offline', () => {
    expect(acceptsCalls(ready)).toBe(true);
    expect(acceptsCalls(run([{ ...talk, at: at(1) }], ready))).toBe(true);
    expect(acceptsCalls(run([{ type: 'set_not_ready', reason: '小休', at: at(1) }], ready))).toBe(false);
    expect(acceptsCalls(run([{ ...talk, at: at(1) }, { ...idle(true), at: at(2) }], ready))).toBe(false);
    expect(acceptsCalls(initialAgentState(at(0)))).toBe(false);
  });

  it('no wrap-up configured: straight to the next state; logout is offline', () => {
    const s = [{ ...ring, at: at(1) }, { ...talk, at: at(2) }, { ...idle(true), at: at(3) }].reduce((st, e) => agentTransition(st, e as AgentEvent, { ...cfg, wrapUpSeconds: 0 }), ready);
    expect(s.status).toBe('ready');
    expect(run([{ type: 'logout', at: at(4) }], s).status).toBe('offline');
  });
});
