import { CloudOutlined, DisconnectOutlined, PhoneOutlined, QuestionCircleOutlined } from '@ant-design/icons';
import { Badge, Button, Layout, Modal, Space, Tag, Tooltip, Typography } from 'antd';
import { useCallback, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserInfo } from '../../../src/shared/auth';
import { defaultShortcuts, useShortcuts } from '../shortcuts';
import { formatDuration, useElapsed } from '../console/useElapsed';
import { host } from '../host-client';
import { leaveConsole, useConsole } from '../store';
import { currentPhone, usePhone } from './phone-store';

const registrationColor = { unregistered: 'default', registering: 'processing', registered: 'success', failed: 'error' } as const;

export function PhoneBar({ user }: { user: UserInfo }) {
  const { t } = useTranslation();
  const phone = usePhone((s) => s.phone);
  const sync = useConsole((s) => s.sync);
  const [help, setHelp] = useState(false);
  const call = phone.call;
  const talk = useElapsed(call?.answeredAt, call?.endedAt);

  const answer = useCallback(() => void currentPhone()?.answer(), []);
  const hangup = useCallback(() => {
    const p = currentPhone();
    if (!p) return;
    if (p.state.call?.phase === 'ended') p.clearEndedCall();
    else void p.hangup();
  }, []);
  const handlers = useMemo(() => ({ answer, hangup, help: () => setHelp((h) => !h) }), [answer, hangup]);
  useShortcuts(handlers);

  const logout = async () => {
    await host.call('session.logout', {});
    await leaveConsole();
  };

  return (
    <Layout.Header style={{ background: '#001d3d', height: 'auto', lineHeight: 1.4, padding: '8px 16px', display: 'flex', alignItems: 'center', gap: 16, flexWrap: 'wrap' }}>
      <Typography.Text strong style={{ color: '#fff', fontSize: 18 }}>
        晴雨 12345
      </Typography.Text>
      <Tag color={registrationColor[phone.registration]} data-testid="registration" data-state={phone.registration}>
        {t(`registration.${phone.registration}`)}
      </Tag>
      {phone.registrationError && <Typography.Text style={{ color: '#ffccc7' }} data-testid="registration-error">{phone.registrationError}</Typography.Text>}
      {!user.sip && <Typography.Text style={{ color: '#ffccc7' }}>{t('errors.noSip')}</Typography.Text>}

      <div style={{ flex: 1, display: 'flex', justifyContent: 'center' }} data-testid="call-area" data-phase={call?.phase ?? 'idle'}>
        {call?.phase === 'ringing' && (
          <Space size="middle" className="ringing">
            <Badge status="processing" color="#52c41a" />
            <Typography.Text style={{ color: '#fff', fontSize: 20 }} data-testid="incoming-number">
              {t('call.incoming')}：{call.remoteNumber || t('call.unknownCaller')}
            </Typography.Text>
            <Button type="primary" style={{ background: '#389e0d' }} icon={<PhoneOutlined />} onClick={answer} data-testid="answer">
              {t('call.answer')} ({defaultShortcuts.answer})
            </Button>
            <Button danger onClick={hangup} data-testid="reject">
              {t('call.reject')} ({defaultShortcuts.hangup})
            </Button>
          </Space>
        )}
        {(call?.phase === 'answering' || call?.phase === 'in_call') && (
          <Space size="middle">
            <Typography.Text style={{ color: '#fff', fontSize: 18 }} data-testid="in-call">
              {call.phase === 'in_call' ? t('call.inCall') : t('call.answering')}：{call.remoteNumber} {talk !== null && <span data-testid="call-timer">{formatDuration(talk)}</span>}
            </Typography.Text>
            <Button danger type="primary" onClick={hangup} data-testid="hangup">
              {t('call.hangup')} ({defaultShortcuts.hangup})
            </Button>
          </Space>
        )}
        {call?.phase === 'ended' && (
          <Typography.Text style={{ color: '#d9d9d9' }} data-testid="call-ended">
            {t('call.ended')}：{call.remoteNumber} {call.error && `（${call.error}）`}
          </Typography.Text>
        )}
      </div>

      <SyncIndicator sync={sync} />
      <Typography.Text style={{ color: '#fff' }} data-testid="operator-name">
        {user.displayName}（{user.username}）
      </Typography.Text>
      <Tooltip title={`${t('shortcuts.help')} (${defaultShortcuts.help})`}>
        <Button type="text" style={{ color: '#fff' }} icon={<QuestionCircleOutlined />} onClick={() => setHelp(true)} />
      </Tooltip>
      <Button size="small" onClick={logout}>
        {t('logout')}
      </Button>
      <Modal open={help} onCancel={() => setHelp(false)} footer={null} title={t('shortcuts.title')}>
        {(Object.entries(defaultShortcuts) as [keyof typeof defaultShortcuts, string][]).map(([action, key]) => (
          <div key={action} style={{ display: 'flex', justifyContent: 'space-between', padding: '4px 0' }}>
            <span>{t(`shortcuts.${action}`)}</span>
            <Tag>{key}</Tag>
          </div>
        ))}
      </Modal>
    </Layout.Header>
  );
}

function SyncIndicator({ sync }: { sync: ReturnType<typeof useConsole.getState>['sync'] }) {
  const { t } = useTranslation();
  if (!sync) return null;
  const last = sync.lastSyncAt ? t('sync.lastSync', { time: new Date(sync.lastSyncAt).toLocaleTimeString('zh-CN', { hour12: false }) }) : t('sync.never');
  return (
    <Tooltip title={[last, sync.lastError].filter(Boolean).join(' · ')}>
      <Space size={4} style={{ color: '#fff' }} data-testid="sync-status" data-online={sync.online} data-pending={sync.pending}>
        {sync.online ? <CloudOutlined style={{ color: '#95de64' }} /> : <DisconnectOutlined style={{ color: '#ff7875' }} />}
        <span>{sync.online ? t('sync.online') : t('sync.offline')}</span>
        {sync.pending > 0 && <Tag color="orange">{t('sync.pending', { count: sync.pending })}</Tag>}
        {sync.rejected > 0 && <Tag color="red">{t('sync.rejected', { count: sync.rejected })}</Tag>}
      </Space>
    </Tooltip>
  );
}
