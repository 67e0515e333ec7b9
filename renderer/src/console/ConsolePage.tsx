import { Layout } from 'antd';
import { useEffect } from 'react';
import type { UserInfo } from '../../../src/shared/auth';
import { CallerPanel } from './CallerPanel';
import { CallHistory } from './CallHistory';
import { KbPanel } from '../kb/KbPanel';
import { PhoneBar } from '../phone/PhoneBar';
import { usePhone } from '../phone/phone-store';
import { useConsole } from '../store';
import { CallerHistoryCard } from '../tickets/CallerHistoryCard';
import { TicketForm } from '../tickets/TicketForm';
import { loadHistory, onIncomingCall, refreshFiled, startTickets } from '../tickets/ticket-store';

/** The screen pop: a new call on the phone shows its caller's history and (inbound) binds a ticket draft to it. */
function useScreenPop() {
  const callId = usePhone((s) => s.phone.call?.id ?? null);
  const remote = usePhone((s) => s.phone.call?.remoteNumber ?? '');
  const direction = usePhone((s) => s.phone.call?.direction ?? null);
  useEffect(() => {
    if (!callId) return;
    if (direction === 'inbound') onIncomingCall(callId, remote);
    else void loadHistory(remote);
  }, [callId, remote, direction]);
  const sync = useConsole((s) => s.sync);
  useEffect(() => {
    void refreshFiled();
  }, [sync]);
}

/** One window, three working areas: caller and history left, ticket middle, knowledge base right; the phone bar on top. */
export function ConsolePage({ user }: { user: UserInfo }) {
  useEffect(() => {
    void startTickets();
  }, [user.id]);
  useScreenPop();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <PhoneBar user={user} />
      <Layout.Content style={{ padding: 12, display: 'grid', gridTemplateColumns: '320px 1fr 380px', gap: 12, alignItems: 'start' }}>
        <div style={{ display: 'grid', gap: 12 }}>
          <CallerPanel />
          <CallerHistoryCard />
          <CallHistory />
        </div>
        <TicketForm />
        <KbPanel />
      </Layout.Content>
    </Layout>
  );
}
