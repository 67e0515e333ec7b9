import { Button, Divider, Form, Input, InputNumber, Modal, Select, Space, Switch, Tag, Typography } from 'antd';
import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { defaultShortcuts, describeKey, parseKey, saveShortcuts, type ShortcutAction, type ShortcutMap } from '../shortcuts';
import { updatePhoneSettings, usePhoneNow } from './phone-store';

/** Devices, ringing, auto-answer, the operator-state options and the keyboard shortcuts. */
export function PhoneSettingsModal({ open, onClose, shortcuts, onShortcuts }: { open: boolean; onClose: () => void; shortcuts: ShortcutMap; onShortcuts: (m: ShortcutMap) => void }) {
  const { t } = useTranslation();
  const settings = usePhoneNow((s) => s.settings);
  const devices = usePhoneNow((s) => s.devices);
  const [recording, setRecording] = useState<ShortcutAction | null>(null);
  const mics = [{ value: '', label: t('phone.defaultDevice') }, ...devices.mics.map((d) => ({ value: d.id, label: d.label }))];
  const outs = [{ value: '', label: t('phone.defaultDevice') }, ...devices.outputs.map((d) => ({ value: d.id, label: d.label }))];
  const setKey = (action: ShortcutAction, key: string) => {
    if (!parseKey(key)) return;
    const next = { ...shortcuts };
    // One key, one action: a key taken from another action leaves that one on its default.
    for (const a of Object.keys(next) as ShortcutAction[]) if (a !== action && next[a] === key) next[a] = defaultShortcuts[a];
    next[action] = key;
    saveShortcuts(next);
    onShortcuts(next);
  };
  return (
    <Modal open={open} onCancel={onClose} footer={null} title={t('phone.settings')} width={640}>
      <Form layout="horizontal" labelCol={{ span: 7 }} size="small">
        <Form.Item label={t('phone.mic')}>
          <Select options={mics} value={settings.devices.micId ?? ''} onChange={(v) => updatePhoneSettings({ devices: { ...settings.devices, micId: v || null } })} data-testid="device-mic" />
        </Form.Item>
        <Form.Item label={t('phone.output')}>
          <Select options={outs} value={settings.devices.outputId ?? ''} onChange={(v) => updatePhoneSettings({ devices: { ...settings.devices, outputId: v || null } })} data-testid="device-output" />
        </Form.Item>
        <Form.Item label={t('phone.ringDevice')}>
          <Select options={outs} value={settings.devices.ringId ?? ''} onChange={(v) => updatePhoneSettings({ devices: { ...settings.devices, ringId: v || null } })} data-testid="device-ring" />
        </Form.Item>
        <Form.Item label={t('phone.autoAnswer')}>
          <Space>
            <Switch checked={settings.autoAnswer.enabled} onChange={(v) => updatePhoneSettings({ autoAnswer: { ...settings.autoAnswer, enabled: v } })} data-testid="auto-answer" />
            <InputNumber min={0} max={10_000} step={500} value={settings.autoAnswer.delayMs} addonAfter="ms" onChange={(v) => updatePhoneSettings({ autoAnswer: { ...settings.autoAnswer, delayMs: Number(v ?? 0) } })} />
          </Space>
        </Form.Item>
        <Form.Item label={t('agent.wrapUpSeconds')}>
          <InputNumber min={0} max={3600} value={settings.agent.wrapUpSeconds} addonAfter="s" onChange={(v) => updatePhoneSettings({ agent: { ...settings.agent, wrapUpSeconds: Number(v ?? 0) } })} data-testid="wrapup-seconds" />
        </Form.Item>
        <Form.Item label={t('agent.reasons')}>
          <Input
            defaultValue={settings.agent.notReadyReasons.join('，')}
            onBlur={(e) => {
              const reasons = e.target.value.split(/[,，、\s]+/).map((r) => r.trim()).filter(Boolean).slice(0, 12);
              if (reasons.length) updatePhoneSettings({ agent: { ...settings.agent, notReadyReasons: reasons } });
            }}
          />
        </Form.Item>
      </Form>
      <Divider style={{ margin: '8px 0' }}>{t('shortcuts.title')}</Divider>
      <Typography.Paragraph type="secondary" style={{ fontSize: 12 }}>
        {t('shortcuts.howTo')}
      </Typography.Paragraph>
      <div style={{ display: 'grid', gridTemplateColumns: '1fr 1fr', columnGap: 16 }}>
        {(Object.keys(shortcuts) as ShortcutAction[]).map((a) => (
          <div key={a} style={{ display: 'flex', justifyContent: 'space-between', alignItems: 'center', padding: '2px 0' }}>
            <span>{t(`shortcuts.${a}`)}</span>
            <Button
              size="small"
              onClick={() => setRecording(a)}
              onKeyDown={(e) => {
                if (recording !== a) return;
                e.preventDefault();
                e.stopPropagation();
                const key = describeKey(e);
                if (key === 'Escape') setRecording(null);
                else if (key && parseKey(key)) {
                  setKey(a, key);
                  setRecording(null);
                }
              }}
              data-testid={`shortcut-edit-${a}`}
            >
              {recording === a ? t('shortcuts.pressKey') : <Tag style={{ margin: 0 }}>{shortcuts[a]}</Tag>}
            </Button>
          </div>
        ))}
      </div>
      <Button
        size="small"
        style={{ marginTop: 8 }}
        onClick={() => {
          saveShortcuts({ ...defaultShortcuts });
          onShortcuts({ ...defaultShortcuts });
        }}
      >
        {t('shortcuts.reset')}
      </Button>
    </Modal>
  );
}
