import { Card, Layout } from 'antd';
import { useTranslation } from 'react-i18next';
import type { UserInfo } from '../../../src/shared/auth';
import { CallerPanel } from './CallerPanel';
import { CallHistory } from './CallHistory';
import { KbPanel } from '../kb/KbPanel';
import { PhoneBar } from '../phone/PhoneBar';

/** One window, three working areas: caller and history left, ticket middle, knowledge base right; the phone bar on top. */
export function ConsolePage({ user }: { user: UserInfo }) {
  const { t } = useTranslation();
  return (
    <Layout style={{ minHeight: '100vh' }}>
      <PhoneBar user={user} />
      <Layout.Content style={{ padding: 12, display: 'grid', gridTemplateColumns: '320px 1fr 380px', gap: 12, alignItems: 'start' }}>
        <div style={{ display: 'grid', gap: 12 }}>
          <CallerPanel />
          <CallHistory />
        </div>
        <Card title={t('panels.ticket')} size="small" data-testid="ticket-panel">
          <div style={{ color: '#8c8c8c', padding: '48px 0', textAlign: 'center' }}>{t('ticketPanel.placeholder')}</div>
        </Card>
        <KbPanel />
      </Layout.Content>
    </Layout>
  );
}
