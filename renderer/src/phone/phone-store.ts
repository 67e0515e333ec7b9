import { create } from 'zustand';
import type { UserInfo } from '../../../src/shared/auth';
import { initialPhoneState, type PhoneState } from '../../../src/phone/machine';
import { Softphone } from '../../../src/phone/softphone';
import { host } from '../host-client';

/** The softphone's state for React, and the one Softphone of this console. */
export const usePhone = create<{ phone: PhoneState; lastError: string | null }>(() => ({ phone: initialPhoneState, lastError: null }));

let phone: Softphone | null = null;

export function currentPhone(): Softphone | null {
  return phone;
}

/**
 * Start the softphone for the logged-in operator; every finished call goes to
 * the host as a call record, then `onCallRecorded` runs (e.g. to refresh lists).
 */
export async function startPhone(user: UserInfo, onCallRecorded: () => void = () => {}) {
  await stopPhone();
  if (!user.sip) return;
  const remoteAudio = document.getElementById('remote-audio') as HTMLAudioElement | null;
  phone = new Softphone({
    account: user.sip,
    remoteAudio: remoteAudio ?? undefined,
    onCallEnded: (record) => {
      host
        .call('calls.record', record)
        .then(onCallRecorded)
        .catch((e: Error) => usePhone.setState({ lastError: e.message }));
    },
  });
  phone.subscribe((s) => usePhone.setState({ phone: s }));
  // Diagnostics for IT staff and the end-to-end tests: read-only audio counters.
  (window as unknown as { qingyuDiagnostics: unknown }).qingyuDiagnostics = { audioStats: () => phone?.audioStats() ?? null };
  await phone.start();
}

export async function stopPhone() {
  const p = phone;
  phone = null;
  if (p) await p.stop();
  usePhone.setState({ phone: initialPhoneState });
}
