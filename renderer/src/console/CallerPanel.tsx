import { Card, Descriptions, Empty } from 'antd';
import { useTranslation } from 'react-i18next';
import { DialableNumber } from '../phone/DialableNumber';
import { usePhone } from '../phone/phone-store';

export function CallerPanel() {
  const { t } = useTranslation();
  const call = usePhone((s) => s.phone.call);
  return (
    <Card title={t('panels.caller')} size="small" data-testid="caller-panel">
      {call ? (
        <Descriptions column={1} size="small">
          <Descriptions.Item label={t('callerPanel.number')}>
            {call.remoteNumber && call.phase === 'ended' ? (
              <DialableNumber number={call.remoteNumber} label={<strong data-testid="caller-number" style={{ fontSize: 16 }}>{call.remoteNumber}</strong>} testId="caller-callback" />
            ) : (
              <strong data-testid="caller-number" style={{ fontSize: 16 }}>{call.remoteNumber || t('call.unknownCaller')}</strong>
            )}
          </Descriptions.Item>
          {call.remoteName && <Descriptions.Item label={t('callerPanel.name')}>{call.remoteName}</Descriptions.Item>}
          <Descriptions.Item label={t('callerPanel.started')}>{new Date(call.startedAt).toLocaleTimeString('zh-CN', { hour12: false })}</Descriptions.Item>
        </Descriptions>
      ) : (
        <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('callerPanel.noCall')} />
      )}
    </Card>
  );
}
