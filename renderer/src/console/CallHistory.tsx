import { Card, List, Tag, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { DialableNumber } from '../phone/DialableNumber';
import { useConsole } from '../store';
import { formatDuration } from './useElapsed';

const outcomeColor = { answered: 'green', missed: 'orange', rejected: 'default', failed: 'red' } as const;

export function CallHistory() {
  const { t } = useTranslation();
  const calls = useConsole((s) => s.recentCalls);
  return (
    <Card title={t('panels.history')} size="small" data-testid="call-history">
      <List
        size="small"
        dataSource={calls}
        locale={{ emptyText: t('history.empty') }}
        renderItem={({ record, synced }) => {
          const talk = record.answeredAt ? Math.round((Date.parse(record.endedAt) - Date.parse(record.answeredAt)) / 1000) : null;
          return (
            <List.Item data-testid="call-history-item" data-call-id={record.id} data-synced={synced}>
              <div style={{ display: 'flex', width: '100%', justifyContent: 'space-between', gap: 8 }}>
                <span>
                  {/* The citizen's number: the caller of an inbound call, the callee of an outbound one. */}
                  <DialableNumber number={record.direction === 'outbound' ? record.calleeNumber : record.callerNumber} />
                  <Tag style={{ marginLeft: 4 }}>{t(`history.${record.direction}`)}</Tag>
                  <br />
                  <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                    {new Date(record.startedAt).toLocaleString('zh-CN', { hour12: false })}
                    {talk !== null && ` · ${formatDuration(talk)}`}
                  </Typography.Text>
                </span>
                <span>
                  <Tag color={outcomeColor[record.outcome]}>{t(`call.outcome.${record.outcome}`)}</Tag>
                  <Tag color={synced ? 'blue' : 'orange'}>{synced ? t('history.synced') : t('history.unsynced')}</Tag>
                </span>
              </div>
            </List.Item>
          );
        }}
      />
    </Card>
  );
}
