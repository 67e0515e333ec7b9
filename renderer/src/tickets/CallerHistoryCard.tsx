import { Alert, Card, List, Spin, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { formatInstantZh } from '../../../src/shared/ticket/index';
import { TicketRow, openTicketDrawer } from './TicketDrawer';
import { useTickets } from './ticket-store';
import './i18n-tickets';

/** The screen pop: the caller's earlier tickets and calls, and the repeat flag, shown while the phone rings. */
export function CallerHistoryCard() {
  const { t } = useTranslation();
  const history = useTickets((s) => s.history);
  if (!history) return null;
  const data = history.data;
  return (
    <Card
      size="small"
      title={t('tickets.history')}
      data-testid="caller-history"
      data-phone={history.phone}
      data-source={data?.source ?? 'none'}
      extra={history.loading ? <Spin size="small" /> : data ? <Typography.Text type="secondary" style={{ fontSize: 12 }}>{data.source === 'server' ? t('tickets.fromServer') : t('tickets.localOnly')}</Typography.Text> : null}
    >
      {data?.repeat.repeat && <Alert type="error" showIcon title={<span data-testid="repeat-flag">{t('tickets.repeat')}</span>} description={data.repeat.message} style={{ marginBottom: 8 }} />}
      {data && data.tickets.length === 0 && data.calls.length === 0 && <Typography.Text type="secondary">{t('tickets.historyEmpty')}</Typography.Text>}
      {data && data.tickets.length > 0 && (
        <List size="small" header={t('tickets.ticketsTitle')} dataSource={data.tickets.slice(0, 10)} renderItem={(it) => <TicketRow t={it} onOpen={() => openTicketDrawer(it.id)} />} data-testid="caller-history-tickets" />
      )}
      {data && data.calls.length > 0 && (
        <List
          size="small"
          header={t('tickets.calls')}
          dataSource={data.calls.slice(0, 5)}
          renderItem={(c) => (
            <List.Item data-testid="caller-history-call">
              {formatInstantZh(new Date(c.startedAt))} <Tag>{t(`call.outcome.${c.outcome}`, { defaultValue: c.outcome })}</Tag>
            </List.Item>
          )}
        />
      )}
    </Card>
  );
}
