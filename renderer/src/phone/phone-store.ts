import { create } from 'zustand';
import type { UserInfo } from '../../../src/shared/auth';
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

/** The softphone's state for React, and the one Softphone of this console. */
export const usePhone = create<PhoneStore>(() => ({
  phone: initialPhoneState,
  agent: initialAgentState(new Date().toISOString()),
  notice: null,
  devices: { mics: [], outputs: [] },
  settings: loadPhoneSettings(),
  lastError: null,
}));

let phone: Softphone | null = null;

export function currentPhone(): Softphone | null {
  return phone;
}

/** Save settings; device choices apply at once, the rest from the next call (agent timers from the next login). */
export function updatePhoneSettings(patch: Partial<PhoneSettings>) {
  const settings = { ...usePhone.getState().settings, ...patch };
  localStorage.setItem(SETTINGS_KEY, JSON.stringify(settings));
  usePhone.setState({ settings });
  if (patch.devices) void phone?.chooseDevices(settings.devices);
  if (phone && patch.agent) Object.assign(phone.config, settings.agent);
}

/**
 * Start the softphone for the logged-in operator; every finished call goes to
 * the host as a call record, every change of the operator's state as an agent
 * state change, then `onCallRecorded` runs (e.g. to refresh lists).
 */
export async function startPhone(user: UserInfo, onCallRecorded: () => void = () => {}) {
  await stopPhone();
  if (!user.sip) return;
  const settings = usePhone.getState().settings;
  const report = (e: Error) => usePhone.setState({ lastError: e.message });
  const p = new Softphone({
    account: user.sip,
    agent: settings.agent,
    autoAnswer: settings.autoAnswer,
    devices: settings.devices,
    onCallEnded: (record) => {
      host.call('calls.record', record).then(onCallRecorded).catch(report);
    },
    onAgentChange: (change) => {
      host.call('agent.recordState', change).catch(report);
    },
  });
  phone = p;
  p.subscribe((s, a) => usePhone.setState({ phone: s, agent: a, notice: p.notice, devices: p.devices.list }));
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
  usePhone.setState({ phone: initialPhoneState });
}
