import { create } from 'zustand';
import type { UserInfo } from '../../src/shared/auth';
import type { StoredCallRecord, SyncStatus } from '../../src/shared/host-api';
import { initialPhoneState, type PhoneState } from '../../src/phone/machine';
import { Softphone } from '../../src/phone/softphone';
import { host } from './host-client';

interface ConsoleState {
  user: UserInfo | null;
  booting: boolean;
  hostUp: boolean;
  phone: PhoneState;
  sync: SyncStatus | null;
  recentCalls: StoredCallRecord[];
  lastError: string | null;
  setUser(u: UserInfo | null): void;
  refreshCalls(): Promise<void>;
}

export const useConsole = create<ConsoleState>((set) => ({
  user: null,
  booting: true,
  hostUp: true,
  phone: initialPhoneState,
  sync: null,
  recentCalls: [],
  lastError: null,
  setUser: (user) => set({ user }),
  refreshCalls: async () => {
    try {
      set({ recentCalls: await host.call('calls.recent', { limit: 50 }) });
    } catch {}
  },
}));

let phone: Softphone | null = null;

export function currentPhone(): Softphone | null {
  return phone;
}

/** Start the softphone for the logged-in operator; every finished call goes to the host as a call record. */
export async function startPhone(user: UserInfo) {
  await stopPhone();
  if (!user.sip) return;
  const remoteAudio = document.getElementById('remote-audio') as HTMLAudioElement | null;
  phone = new Softphone({
    account: user.sip,
    remoteAudio: remoteAudio ?? undefined,
    onCallEnded: (record) => {
      host
        .call('calls.record', record)
        .then(() => useConsole.getState().refreshCalls())
        .catch((e: Error) => useConsole.setState({ lastError: e.message }));
    },
  });
  phone.subscribe((s) => useConsole.setState({ phone: s }));
  // Diagnostics for IT staff and the end-to-end tests: read-only audio counters.
  (window as unknown as { qingyuDiagnostics: unknown }).qingyuDiagnostics = { audioStats: () => phone?.audioStats() ?? null };
  await phone.start();
}

export async function stopPhone() {
  const p = phone;
  phone = null;
  if (p) await p.stop();
  useConsole.setState({ phone: initialPhoneState });
}

export async function boot() {
  host.onEvent((event, payload) => {
    if (event === 'sync.status') {
      useConsole.setState({ sync: payload as SyncStatus });
      if (useConsole.getState().user) void useConsole.getState().refreshCalls();
    }
    if (event === 'session.expired') {
      void stopPhone();
      useConsole.setState({ user: null, lastError: (payload as { message: string }).message });
    }
  });
  host.onConnection((up) => useConsole.setState({ hostUp: up }));
  try {
    const user = await host.call('session.current', {});
    const sync = await host.call('sync.status', {});
    useConsole.setState({ user, sync, booting: false });
    if (user) {
      void useConsole.getState().refreshCalls();
      await startPhone(user);
    }
  } catch (e) {
    useConsole.setState({ booting: false, hostUp: false, lastError: (e as Error).message });
  }
}
