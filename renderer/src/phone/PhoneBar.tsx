import { AudioMutedOutlined, AudioOutlined, CloudOutlined, DisconnectOutlined, PauseCircleOutlined, PhoneOutlined, PlayCircleOutlined, QuestionCircleOutlined, SettingOutlined, SwapOutlined, TeamOutlined } from '@ant-design/icons';
import { Badge, Button, Dropdown, Input, Layout, Modal, Popover, Space, Tag, Tooltip, Typography, type InputRef } from 'antd';
import { memo, useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { UserInfo } from '../../../src/shared/auth';
import { liveCalls, type CallState } from '../../../src/phone/machine';
import { qualityGrade } from '../../../src/phone/quality';
import { loadShortcuts, useShortcuts, type ShortcutAction, type ShortcutMap } from '../shortcuts';
import { formatDuration, useElapsed } from '../console/useElapsed';
import { host } from '../host-client';
import { leaveConsole, useConsole } from '../store';
import { PhoneSettingsModal } from './PhoneSettings';
import { currentPhone, usePhoneNow } from './phone-store';

const registrationColor = { unregistered: 'default', registering: 'processing', registered: 'success', failed: 'error' } as const;
const agentColor = { offline: 'default', ready: 'green', not_ready: 'orange', ringing: 'blue', in_call: 'geekblue', wrap_up: 'purple' } as const;
const gradeColor = { good: '#52c41a', fair: '#fadb14', poor: '#fa8c16', bad: '#f5222d' } as const;
const white = { color: '#fff' };

export function PhoneBar({ user }: { user: UserInfo }) {
  const { t } = useTranslation();
  const phone = usePhoneNow((s) => s.phone);
  const notice = usePhoneNow((s) => s.notice);
  const sync = useConsole((s) => s.sync);
  const [help, setHelp] = useState(false);
  const [settings, setSettings] = useState(false);
  const [shortcuts, setShortcuts] = useState<ShortcutMap>(() => loadShortcuts());
  const [transferOpen, setTransferOpen] = useState(false);
  const [dtmfOpen, setDtmfOpen] = useState(false);
  const dialRef = useRef<InputRef>(null);
  const [dialNumber, setDialNumber] = useState('');
  const call = phone.call;
  const live = liveCalls(phone);
  const consultCall = live.find((c) => c.consultFor);
  const p = currentPhone;

  const hangup = useCallback(() => {
    const ph = p();
    if (!ph) return;
    if (ph.state.call?.phase === 'ended') ph.clearEndedCall();
    else void ph.hangup();
  }, [p]);
  const dial = useCallback(
    (n?: string) => {
      const num = (n ?? dialNumber).trim();
      if (!num) return dialRef.current?.focus();
      void p()?.dial(num);
      setDialNumber('');
    },
    [dialNumber, p],
  );
  const handlers = useMemo<Partial<Record<ShortcutAction, () => void>>>(
    () => ({
      answer: () => void p()?.answer(),
      hangup,
      dial: () => dialRef.current?.focus(),
      hold: () => p()?.toggleHold(),
      mute: () => p()?.toggleMute(),
      transfer: () => setTransferOpen((o) => !o),
      consult: () => setTransferOpen(true),
      conference: () => void p()?.conference(),
      completeTransfer: () => void p()?.completeTransfer(),
      cancelTransfer: () => void p()?.cancelTransfer(),
      swap: () => void p()?.swap(),
      dtmf: () => setDtmfOpen((o) => !o),
      redial: () => void p()?.redial(),
      ready: () => p()?.setReady(),
      notReady: () => p()?.setNotReady(p()?.config.notReadyReasons[0] ?? '小休'),
      extendWrapUp: () => p()?.extendWrapUp(),
      endWrapUp: () => p()?.endWrapUp(),
      settings: () => setSettings((o) => !o),
      help: () => setHelp((h) => !h),
    }),
    [hangup, p],
  );
  useShortcuts(shortcuts, handlers);

  const logout = async () => {
    await host.call('session.logout', {});
    await leaveConsole();
  };
  const k = (a: ShortcutAction) => shortcuts[a];

  return (
    <Layout.Header style={{ background: '#001d3d', height: 'auto', lineHeight: 1.4, padding: '6px 16px', display: 'flex', flexDirection: 'column', gap: 6 }}>
      <div style={{ display: 'flex', alignItems: 'center', gap: 12, flexWrap: 'wrap' }}>
      <Typography.Text strong style={{ color: '#fff', fontSize: 18 }}>
        晴雨 12345
      </Typography.Text>
      <Tag color={phone.registration !== 'registered' && phone.registrationError ? 'error' : registrationColor[phone.registration]} data-testid="registration" data-state={phone.registration} icon={phone.registration === 'registered' ? undefined : <DisconnectOutlined />}>
        {t(`registration.${phone.registration}`)}
      </Tag>
      {phone.registrationError && (
        <Typography.Text style={{ color: '#ffccc7', maxWidth: 280 }} ellipsis={{ tooltip: phone.registrationError }} data-testid="registration-error">
          {phone.registrationError}
        </Typography.Text>
      )}
      {!user.sip && <Typography.Text style={{ color: '#ffccc7' }}>{t('errors.noSip')}</Typography.Text>}
      <AgentControl shortcuts={shortcuts} />

      <div style={{ flex: 1 }} />
      <Space.Compact size="small">
        <Input
          ref={dialRef}
          style={{ width: 150 }}
          placeholder={`${t('phone.dialPlaceholder')} (${k('dial')})`}
          value={dialNumber}
          onChange={(e) => setDialNumber(e.target.value.replace(/[^0-9*#+]/g, ''))}
          onPressEnter={() => dial()}
          data-testid="dial-input"
        />
        <Button type="primary" icon={<PhoneOutlined />} onClick={() => dial()} data-testid="dial-button">
          {t('phone.dial')}
        </Button>
        <Tooltip title={`${t('phone.redial')} (${k('redial')})`}>
          <Button onClick={() => void p()?.redial()} data-testid="redial">
            {t('phone.redial')}
          </Button>
        </Tooltip>
      </Space.Compact>

      <SyncIndicator sync={sync} />
      <Typography.Text style={white} data-testid="operator-name">
        {user.displayName}（{user.username}）
      </Typography.Text>
      <Tooltip title={`${t('phone.settings')} (${k('settings')})`}>
        <Button type="text" style={white} icon={<SettingOutlined />} onClick={() => setSettings(true)} data-testid="settings-open" />
      </Tooltip>
      <Tooltip title={`${t('shortcuts.help')} (${k('help')})`}>
        <Button type="text" style={white} icon={<QuestionCircleOutlined />} onClick={() => setHelp(true)} data-testid="help-open" />
      </Tooltip>
      <Button size="small" onClick={logout}>
        {t('logout')}
      </Button>
      </div>
      <div style={{ display: 'flex', flexDirection: 'column', alignItems: 'center', gap: 4, minHeight: 36, justifyContent: 'center' }} data-testid="call-area" data-phase={call?.phase ?? 'idle'} data-conference={phone.conference}>
        {live.length > 1 && (
          <Space size={6} data-testid="lines">
            {live.map((c, i) => (
              <Tag
                key={c.id}
                color={c.id === phone.activeId ? 'blue' : c.phase === 'ringing' ? 'green' : 'default'}
                data-testid="line"
                data-call-id={c.id}
                data-phase={c.phase}
                data-held={c.held}
                style={{ cursor: 'pointer' }}
                onClick={() => c.phase === 'ringing' && void p()?.answer(c.id)}
              >
                {t('phone.line', { n: i + 1 })} {c.remoteNumber} · {c.consultFor ? t('phone.consulting') : t(`phone.phase.${c.phase}`)}
                {c.held ? ` · ${t('phone.held')}` : ''}
              </Tag>
            ))}
          </Space>
        )}
        <ActiveCall call={call} shortcuts={shortcuts} onHangup={hangup} waiting={live.find((c) => c.phase === 'ringing' && c.id !== call?.id) ?? null} />
        {call && (call.phase === 'in_call' || call.phase === 'dialing') && (
          <Space size={6} wrap>
            <Button size="small" icon={call.held ? <PlayCircleOutlined /> : <PauseCircleOutlined />} onClick={() => p()?.toggleHold()} loading={!!call.holdPending} data-testid="hold" data-held={call.held} disabled={call.phase !== 'in_call'}>
              {call.held ? t('phone.resume') : t('phone.hold')} ({k('hold')})
            </Button>
            <Button size="small" icon={call.muted ? <AudioMutedOutlined /> : <AudioOutlined />} onClick={() => p()?.toggleMute()} data-testid="mute" data-muted={call.muted} danger={call.muted}>
              {call.muted ? t('phone.unmute') : t('phone.mute')} ({k('mute')})
            </Button>
            <Popover open={dtmfOpen} onOpenChange={setDtmfOpen} trigger="click" content={<DtmfPad />}>
              <Button size="small" data-testid="dtmf-open">
                {t('phone.dtmf')} ({k('dtmf')})
              </Button>
            </Popover>
            {!consultCall && call.phase === 'in_call' && (
              <Popover open={transferOpen} onOpenChange={setTransferOpen} trigger="click" content={<TransferForm onDone={() => setTransferOpen(false)} />}>
                <Button size="small" icon={<SwapOutlined />} data-testid="transfer-open">
                  {t('phone.transfer')} ({k('transfer')})
                </Button>
              </Popover>
            )}
            {consultCall && (
              <>
                <Button size="small" type="primary" onClick={() => void p()?.completeTransfer()} data-testid="transfer-complete" disabled={consultCall.phase !== 'in_call'}>
                  {t('phone.completeTransfer')} ({k('completeTransfer')})
                </Button>
                <Button size="small" onClick={() => void p()?.cancelTransfer()} data-testid="transfer-cancel">
                  {t('phone.cancelTransfer')} ({k('cancelTransfer')})
                </Button>
              </>
            )}
            {live.filter((c) => c.phase === 'in_call').length === 2 && !phone.conference && (
              <Button size="small" icon={<TeamOutlined />} onClick={() => void p()?.conference()} data-testid="conference">
                {t('phone.conference')} ({k('conference')})
              </Button>
            )}
            {live.filter((c) => c.phase === 'in_call').length === 2 && !phone.conference && (
              <Button size="small" onClick={() => void p()?.swap()} data-testid="swap">
                {t('phone.swap')} ({k('swap')})
              </Button>
            )}
            {phone.conference && <Tag color="gold" data-testid="conference-on">{t('phone.inConference')}</Tag>}
            <MicLevel />
          </Space>
        )}
        {call && call.phase !== 'ended' && phone.registration !== 'registered' && (
          <Tag color="error" data-testid="link-down">
            {t('phone.linkDown')}
          </Tag>
        )}
        {notice && (
          <Typography.Text style={{ color: '#ffd591' }} data-testid="phone-notice">
            {notice}
          </Typography.Text>
        )}
      </div>

      {help && (
      <Modal open onCancel={() => setHelp(false)} footer={null} title={t('shortcuts.title')}>
        <div data-testid="shortcut-help">
          {(Object.entries(shortcuts) as [ShortcutAction, string][]).map(([action, key]) => (
            <div key={action} style={{ display: 'flex', justifyContent: 'space-between', padding: '3px 0' }} data-testid="shortcut-row" data-action={action}>
              <span>{t(`shortcuts.${action}`)}</span>
              <Tag>{key}</Tag>
            </div>
          ))}
        </div>
      </Modal>
      )}
      {settings && <PhoneSettingsModal open onClose={() => setSettings(false)} shortcuts={shortcuts} onShortcuts={setShortcuts} />}
    </Layout.Header>
  );
}

function ActiveCall({ call, shortcuts, onHangup, waiting }: { call: CallState | null; shortcuts: ShortcutMap; onHangup: () => void; waiting: CallState | null }) {
  const { t } = useTranslation();
  const talk = useElapsed(call?.answeredAt, call?.endedAt);
  if (!call) return <Typography.Text style={{ color: '#8c8c8c' }}>{t('call.idle')}</Typography.Text>;
  const ringing = call.phase === 'ringing' ? call : waiting;
  return (
    <Space size="middle" wrap>
      {ringing && (
        <Space size="middle" className="ringing">
          <Badge status="processing" color="#52c41a" />
          <Typography.Text style={{ color: '#fff', fontSize: 20 }} data-testid="incoming-number">
            {waiting ? t('phone.waiting') : t('call.incoming')}：{ringing.remoteNumber || t('call.unknownCaller')}
          </Typography.Text>
          <Button type="primary" style={{ background: '#389e0d' }} icon={<PhoneOutlined />} onClick={() => void currentPhone()?.answer(ringing.id)} data-testid="answer">
            {t('call.answer')} ({shortcuts.answer})
          </Button>
          <Button danger onClick={() => void currentPhone()?.hangup(ringing.id)} data-testid="reject">
            {t('call.reject')} ({shortcuts.hangup})
          </Button>
        </Space>
      )}
      {(call.phase === 'answering' || call.phase === 'in_call' || call.phase === 'dialing') && (
        <Space size="middle">
          <Typography.Text style={{ color: '#fff', fontSize: 18, whiteSpace: 'nowrap' }} data-testid="in-call" data-held={call.held}>
            {call.phase === 'in_call' ? (call.held ? t('phone.held') : call.consultFor ? t('phone.consulting') : t('call.inCall')) : call.phase === 'dialing' ? (call.remoteRinging ? t('phone.ringback') : t('phone.dialing')) : t('call.answering')}：
            {call.remoteNumber} {talk !== null && <span data-testid="call-timer">{formatDuration(talk)}</span>}
          </Typography.Text>
          {call.phase === 'in_call' && <QualityIndicator call={call} />}
          <Button danger type="primary" onClick={onHangup} data-testid="hangup">
            {t('call.hangup')} ({shortcuts.hangup})
          </Button>
        </Space>
      )}
      {call.phase === 'ended' && (
        <Typography.Text style={{ color: call.error ? '#ffa39e' : '#d9d9d9', fontSize: 16 }} data-testid="call-ended" data-code={call.failureCode ?? ''}>
          {t('call.ended')}：{call.remoteNumber} {call.error && `（${call.error}）`}
        </Typography.Text>
      )}
    </Space>
  );
}

function QualityIndicator({ call }: { call: CallState }) {
  const { t } = useTranslation();
  const q = call.quality;
  if (!q) return <Tag data-testid="quality" data-mos="">{t('phone.quality.measuring')}</Tag>;
  const grade = qualityGrade(q.mos);
  return (
    <Tooltip title={t('phone.quality.detail', { mos: q.mos.toFixed(2), r: q.rFactor.toFixed(0), jitter: q.jitterMs.toFixed(1), loss: q.lossPct.toFixed(1), rtt: q.rttMs.toFixed(0) })}>
      <Tag color={gradeColor[grade]} data-testid="quality" data-mos={q.mos} data-grade={grade} style={{ color: '#000' }}>
        {t(`phone.quality.${grade}`)} MOS {q.mos.toFixed(1)} · {t('phone.quality.short', { jitter: q.jitterMs.toFixed(0), loss: q.lossPct.toFixed(1), rtt: q.rttMs.toFixed(0) })}
      </Tag>
    </Tooltip>
  );
}

function MicLevel() {
  const [level, setLevel] = useState(0);
  useEffect(() => {
    const t = setInterval(() => setLevel(currentPhone()?.micLevel() ?? 0), 150);
    return () => clearInterval(t);
  }, []);
  return (
    <div data-testid="mic-level" data-level={level.toFixed(2)} title="麦克风音量" style={{ width: 60, height: 8, background: '#434343', borderRadius: 4, overflow: 'hidden' }}>
      <div style={{ width: `${Math.round(level * 100)}%`, height: '100%', background: '#73d13d', transition: 'width 120ms' }} />
    </div>
  );
}

function DtmfPad() {
  const { t } = useTranslation();
  const [info, setInfo] = useState(false);
  return (
    <div style={{ width: 168 }} data-testid="dtmf-pad">
      <div style={{ display: 'grid', gridTemplateColumns: 'repeat(3, 1fr)', gap: 4 }}>
        {'123456789*0#'.split('').map((d) => (
          <Button key={d} onClick={() => void currentPhone()?.sendDtmf(d, info ? 'info' : 'rfc4733')} data-testid={`dtmf-key-${d}`}>
            {d}
          </Button>
        ))}
      </div>
      <Button size="small" type="link" onClick={() => setInfo((v) => !v)} data-testid="dtmf-mode" data-mode={info ? 'info' : 'rfc4733'}>
        {info ? t('phone.dtmfInfo') : t('phone.dtmfRfc')}
      </Button>
    </div>
  );
}

function TransferForm({ onDone }: { onDone: () => void }) {
  const { t } = useTranslation();
  const [n, setN] = useState('');
  return (
    <Space direction="vertical" size={6}>
      <Input autoFocus placeholder={t('phone.transferTo')} value={n} onChange={(e) => setN(e.target.value.replace(/[^0-9*#+]/g, ''))} data-testid="transfer-input" />
      <Space>
        <Button
          type="primary"
          disabled={!n}
          onClick={() => {
            void currentPhone()?.blindTransfer(n);
            onDone();
          }}
          data-testid="transfer-blind"
        >
          {t('phone.blindTransfer')}
        </Button>
        <Button
          disabled={!n}
          onClick={() => {
            void currentPhone()?.consult(n);
            onDone();
          }}
          data-testid="transfer-consult"
        >
          {t('phone.consult')}
        </Button>
      </Space>
    </Space>
  );
}

const AgentControl = memo(function AgentControl({ shortcuts }: { shortcuts: ShortcutMap }) {
  const { t } = useTranslation();
  const agent = usePhoneNow((s) => s.agent);
  const reasons = usePhoneNow((s) => s.settings.agent.notReadyReasons);
  const inState = useElapsed(agent.since);
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(timer);
  }, []);
  const remaining = agent.wrapUpEndsAt ? Math.max(0, Math.ceil((Date.parse(agent.wrapUpEndsAt) - now) / 1000)) : null;
  const pending = agent.afterCall.status === 'not_ready' ? agent.afterCall.reason : null;
  return (
    <Space size={6}>
      <Tag color={agentColor[agent.status]} data-testid="agent-state" data-state={agent.status} data-reason={agent.reason ?? ''} style={{ fontSize: 14, padding: '2px 8px' }}>
        {t(`agent.${agent.status}`)}
        {agent.reason ? `（${agent.reason}）` : ''} <span data-testid="agent-timer">{formatDuration(inState ?? 0)}</span>
      </Tag>
      {agent.status === 'wrap_up' && remaining !== null && (
        <>
          <Typography.Text style={white} data-testid="wrapup-remaining">
            {t('agent.wrapUpLeft', { s: remaining })}
          </Typography.Text>
          <Button size="small" onClick={() => currentPhone()?.extendWrapUp()} data-testid="wrapup-extend">
            {t('agent.extend')} ({shortcuts.extendWrapUp})
          </Button>
          <Button size="small" onClick={() => currentPhone()?.endWrapUp()} data-testid="wrapup-end">
            {t('agent.endWrapUp')} ({shortcuts.endWrapUp})
          </Button>
        </>
      )}
      {(agent.status === 'not_ready' || agent.status === 'wrap_up') && (
        <Button size="small" type="primary" style={{ background: '#389e0d' }} onClick={() => currentPhone()?.setReady()} data-testid="agent-ready">
          {t('agent.setReady')} ({shortcuts.ready})
        </Button>
      )}
      {agent.status !== 'offline' && (
        <Dropdown
          trigger={['click']}
          menu={{
            items: reasons.map((r) => ({ key: r, label: <span data-testid={`not-ready-${r}`}>{r}</span> })),
            onClick: ({ key }) => currentPhone()?.setNotReady(key),
          }}
        >
          <Button size="small" data-testid="agent-not-ready">
            {t('agent.setNotReady')} ({shortcuts.notReady})
          </Button>
        </Dropdown>
      )}
      {pending && <Tag color="orange">{t('agent.after', { reason: pending })}</Tag>}
    </Space>
  );
});

const SyncIndicator = memo(function SyncIndicator({ sync }: { sync: ReturnType<typeof useConsole.getState>['sync'] }) {
  const { t } = useTranslation();
  if (!sync) return null;
  const last = sync.lastSyncAt ? t('sync.lastSync', { time: new Date(sync.lastSyncAt).toLocaleTimeString('zh-CN', { hour12: false }) }) : t('sync.never');
  return (
    <Tooltip
      title={
        <div data-testid="sync-details">
          <div>{[last, sync.lastError].filter(Boolean).join(' · ')}</div>
          {(sync.rejectedItems ?? []).map((r) => (
            <div key={r.id} data-testid="sync-rejected-item" style={{ marginTop: 6 }}>
              <div style={{ color: '#ff7875' }}>{r.message}</div>
              <div>{r.advice}</div>
            </div>
          ))}
        </div>
      }
    >
      <Space size={4} style={white} data-testid="sync-status" data-online={sync.online} data-pending={sync.pending}>
        {sync.online ? <CloudOutlined style={{ color: '#95de64' }} /> : <DisconnectOutlined style={{ color: '#ff7875' }} />}
        <span>{sync.online ? t('sync.online') : t('sync.offline')}</span>
        {sync.pending > 0 && <Tag color="orange">{t('sync.pending', { count: sync.pending })}</Tag>}
        {sync.rejected > 0 && <Tag color="red">{t('sync.rejected', { count: sync.rejected })}</Tag>}
      </Space>
    </Tooltip>
  );
});
