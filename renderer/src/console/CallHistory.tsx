import { PhoneOutlined } from '@ant-design/icons';
import { Button, Card, List, Tag, Tooltip, Typography } from 'antd';
import { useTranslation } from 'react-i18next';
import { currentPhone } from '../phone/phone-store';
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
                  {(() => {
                    // The citizen's number: the caller of an inbound call, the callee of an outbound one. Click to dial.
                    const other = record.direction === 'outbound' ? record.calleeNumber : record.callerNumber;
                    return (
                      <Tooltip title={t('history.call')}>
                        <Button type="link" size="small" style={{ padding: 0, fontWeight: 600 }} icon={<PhoneOutlined />} onClick={() => void currentPhone()?.dial(other)} data-testid="click-to-dial" data-number={other}>
                          {other}
                        </Button>
                      </Tooltip>
                    );
                  })()}
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
