import { create } from 'zustand';
import type { UserInfo } from '../../../src/shared/auth';
import type { NewAgentStateChange } from '../../../src/shared/host-api';
import { defaultAgentConfig, initialAgentState, type AgentConfig, type AgentState } from '../../../src/phone/agent';
import type { DeviceChoice, DeviceList } from '../../../src/phone/audio';
import { initialPhoneState, type PhoneState } from '../../../src/phone/machine';
import { Softphone } from '../../../src/phone/softphone';
import { host } from '../host-client';

export interface PhoneSettings {
  agent: AgentConfig;
  autoAnswer: { enabled: boolean; delayMs: number };
  devices: DeviceChoice;
}

const SETTINGS_KEY = 'qingyu.phone';
export const defaultPhoneSettings: PhoneSettings = { agent: defaultAgentConfig, autoAnswer: { enabled: false, delayMs: 1500 }, devices: {} };

export function loadPhoneSettings(): PhoneSettings {
  try {
    const s = JSON.parse(localStorage.getItem(SETTINGS_KEY) ?? '{}') as Partial<PhoneSettings>;
    return {
      agent: { ...defaultAgentConfig, ...s.agent },
      autoAnswer: { ...defaultPhoneSettings.autoAnswer, ...s.autoAnswer },
      devices: { ...s.devices },
    };
  } catch {
    return defaultPhoneSettings;
  }
}

interface PhoneStore {
  phone: PhoneState;
  agent: AgentState;
  notice: string | null;
  devices: DeviceList;
  settings: PhoneSettings;
  lastError: string | null;
}

const initialStore = (): PhoneStore => ({
  phone: initialPhoneState,
  agent: initialAgentState(new Date().toISOString()),
  notice: null,
  devices: { mics: [], outputs: [] },
  settings: loadPhoneSettings(),
  lastError: null,
});

/**
 * The softphone's state for React, and the one Softphone of this console.
 *
 * Two stores with the same state: `usePhoneNow` (the phone bar) is updated at
 * once; `usePhone` (every other panel that follows the call: caller, ticket,
 * history) 150 ms later, and not while an answer is being negotiated. Rendering the
 * whole console synchronously inside sip.js's event handlers kept the main
 * thread busy for 60–200 ms on a 2-core machine, delaying the ringing on
 * screen and the 200 OK of an answer (see bench/suites/phone.ts).
 */
export const usePhoneNow = create<PhoneStore>(initialStore);
export const usePhone = create<PhoneStore>(initialStore);

let flushScheduled = false;
function setPhoneState(patch: Partial<PhoneStore>) {
  usePhoneNow.setState(patch);
  if (flushScheduled) return;
  flushScheduled = true;
  const flush = () => {
    // Not while a call's answer or offer is being built: its ICE and DTLS events need the main thread.
    if (usePhoneNow.getState().phone.calls.some((c) => c.phase === 'answering')) {
      setTimeout(flush, 100);
      return;
    }
    flushScheduled = false;
    usePhone.setState(usePhoneNow.getState());
  };
  setTimeout(flush, 150);
}

let phone: Softphone | null = null;
const agentQueue: NewAgentStateChange[] = [];

async function flushAgentQueue(report: (e: Error) => void) {
  while (agentQueue.length) {
    await host.call('agent.recordState', agentQueue[0]!).catch(report);
    agentQueue.shift();
  }
}

export function currentPhone(): Softphone | null {
  return phone;
}

/** Save settings; device choices apply at once, the rest from the next call (agent timers from the next login). */
export function updatePhoneSettings(patch: Partial<PhoneSettings>) {
  const settings = { ...usePhoneNow.getState().settings, ...patch };
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  setPhoneState({ settings });
  if (patch.devices) void phone?.chooseDevices(settings.devices);
  if (phone && patch.agent) Object.assign(phone.config, settings.agent);
  if (phone && patch.autoAnswer) phone.setAutoAnswer(settings.autoAnswer);
}

/**
 * Start the softphone for the logged-in operator; every finished call goes to
 * the host as a call record, every change of the operator's state as an agent
 * state change, then `onCallRecorded` runs (e.g. to refresh lists).
 */
export async function startPhone(user: UserInfo, onCallRecorded: () => void = () => {}) {
  await stopPhone();
  if (!user.sip) return;
  const settings = usePhoneNow.getState().settings;
  const report = (e: Error) => setPhoneState({ lastError: e.message });
  const p = new Softphone({
    account: user.sip,
    agent: settings.agent,
    autoAnswer: settings.autoAnswer,
    devices: settings.devices,
    onCallEnded: (record) => {
      host.call('calls.record', record).then(onCallRecorded).catch(report);
    },
    onAgentChange: (change) => {
      // Written a moment later, in order: the write and the sync it triggers re-render parts of the
      // console, which must not happen while a call is being answered. Each change keeps its own time.
      agentQueue.push(change);
      if (agentQueue.length === 1) setTimeout(() => void flushAgentQueue(report), 1000);
    },
  });
  phone = p;
  p.subscribe((s, a) => setPhoneState({ phone: s, agent: a, notice: p.notice, devices: p.devices.list }));
  // Diagnostics for IT staff and the end-to-end tests: read-only figures.
  (window as unknown as { qingyuDiagnostics: unknown }).qingyuDiagnostics = {
    audioStats: (id?: string) => phone?.audioStats(id) ?? null,
    micLevel: () => phone?.micLevel() ?? 0,
    state: () => ({ phone: phone?.state, agent: phone?.agent }),
  };
  await p.start();
}

export async function stopPhone() {
  const p = phone;
  phone = null;
  if (p) await p.stop();
  setPhoneState({ phone: initialPhoneState });
}
