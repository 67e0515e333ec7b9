import { create } from 'zustand';
import type { UserInfo } from '../../src/shared/auth';
import type { StoredCallRecord, SyncStatus } from '../../src/shared/host-api';
import { host } from './host-client';
import { startPhone, stopPhone } from './phone/phone-store';

interface ConsoleState {
  user: UserInfo | null;
  booting: boolean;
  hostUp: boolean;
  sync: SyncStatus | null;
  recentCalls: StoredCallRecord[];
  lastError: string | null;
  refreshCalls(): Promise<void>;
}

export const useConsole = create<ConsoleState>((set) => ({
  user: null,
  booting: true,
  hostUp: true,
  sync: null,
  recentCalls: [],
  lastError: null,
  refreshCalls: async () => {
    try {
      set({ recentCalls: await host.call('calls.recent', { limit: 50 }) });
    } catch {}
  },
}));

/** After login (or at boot with a stored session): load the operator's data and start the phone. */
export async function enterConsole(user: UserInfo) {
  useConsole.setState({ user, lastError: null });
  void useConsole.getState().refreshCalls();
  await startPhone(user, () => void useConsole.getState().refreshCalls());
}

export async function leaveConsole(reason: string | null = null) {
  await stopPhone();
  useConsole.setState({ user: null, lastError: reason });
}

export async function boot() {
  host.onEvent((event, payload) => {
    if (event === 'sync.status') {
      useConsole.setState({ sync: payload as SyncStatus });
      if (useConsole.getState().user) void useConsole.getState().refreshCalls();
    }
    if (event === 'session.expired') void leaveConsole((payload as { message: string }).message);
  });
  host.onConnection((up) => useConsole.setState({ hostUp: up }));
  try {
    const user = await host.call('session.current', {});
    const sync = await host.call('sync.status', {});
    useConsole.setState({ sync, booting: false });
    if (user) await enterConsole(user);
  } catch (e) {
    useConsole.setState({ booting: false, hostUp: false, lastError: (e as Error).message });
  }
}
