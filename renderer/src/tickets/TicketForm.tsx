import { Alert, Button, Card, Cascader, Checkbox, Descriptions, Form, Input, Modal, Radio, Select, Space, Tag, Tooltip, Typography, type ButtonProps, type SelectProps } from 'antd';
import { pinyin } from 'pinyin-pro';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { formatInstantZh, LINKAGE_TIER_LABELS, maskPhone, planDispatch, REQUEST_TYPE_OPTIONS, TICKET_STATUS_LABELS, URGENCIES } from '../../../src/shared/ticket/index';
import { useKbShared } from '../kb/kb-store';
import { loadShortcuts, useShortcuts } from '../shortcuts';
import { TicketDrawer, openTicketDrawer } from './TicketDrawer';
import { askMerge, cancelMerge, checkDuplicates, confirmMerge, discardDraft, flushDraft, newBlankDraft, setValues, submitTicket, useTickets, type TicketFormValues } from './ticket-store';
import './i18n-tickets';

const initialsOf = (s: string) => pinyin(s, { pattern: 'first', toneType: 'none', type: 'array' }).join('').toLowerCase();
const requestTypeOptions = REQUEST_TYPE_OPTIONS.map((o) => ({ value: o.value, label: o.label, search: `${o.label} ${initialsOf(o.label)} ${o.hint}` }));

/** The ticket form (middle column): every field reachable with Tab, selects with typing + Enter, Ctrl+Enter submits. */
export function TicketForm() {
  const { t } = useTranslation();
  const ref = useTickets((s) => s.ref);
  const draft = useTickets((s) => s.draft);
  const errors = useTickets((s) => s.errors);
  const formError = useTickets((s) => s.formError);
  const submitting = useTickets((s) => s.submitting);
  const filed = useTickets((s) => s.filed);
  const duplicates = useTickets((s) => s.duplicates);
  const merged = useTickets((s) => s.merged);
  const mergeTarget = useTickets((s) => s.mergeTarget);
  const merging = useTickets((s) => s.merging);
  const savedAt = useTickets((s) => s.savedAt);
  const otherDrafts = useTickets((s) => s.otherDrafts);
  const used = useKbShared((s) => s.used);
  const v = draft.values;
  const firstField = useRef<HTMLInputElement>(null);
  const formRef = useRef<HTMLDivElement>(null);
  const [categorySearch, setCategorySearch] = useState('');
  const [now, setNow] = useState(() => new Date());

  useEffect(() => {
    const timer = setInterval(() => setNow(new Date()), 30_000);
    return () => clearInterval(timer);
  }, []);

  // Articles the operator used from the knowledge base go into the ticket; the first one's text prefills an empty answer.
  useEffect(() => {
    const ids = used.map((u) => String(u.articleId));
    const current = useTickets.getState().draft.values;
    if (ids.length && ids.some((id) => !current.kbArticleIds.includes(id))) {
      const patch: Partial<TicketFormValues> = { kbArticleIds: [...new Set([...current.kbArticleIds, ...ids])] };
      if (!current.answer && used[0]) patch.answer = used[0].text.slice(0, 2000);
      setValues(patch);
    }
  }, [used]);

  const set = (patch: Partial<TicketFormValues>) => {
    setValues(patch);
    if ('description' in patch) useKbShared.getState().setTicketText(patch.description ?? '');
    if ('callbackPhone' in patch || 'categoryId' in patch || 'divisionCode' in patch || 'address' in patch) checkDuplicates();
  };

  useEffect(() => {
    checkDuplicates();
  }, [draft.id]);

  const shortcuts = useMemo(() => loadShortcuts(), []);
  const handlers = useMemo(
    () => ({
      submitTicket: () => void submitTicket().then((ok) => !ok && focusFirstError()),
      newTicket: () => firstField.current?.focus(),
      findTicket: () => openTicketDrawer(),
      // Repeat call: the first "merge into this ticket" button of the duplicates list takes the focus (Enter asks to merge).
      mergeTicket: () => formRef.current?.querySelector<HTMLButtonElement>('[data-testid=ticket-merge]:not([disabled])')?.focus(),
    }),
    [],
  );
  useShortcuts(shortcuts, handlers);

  const focusFirstError = () => {
    setTimeout(() => {
      const el = formRef.current?.querySelector<HTMLElement>('.ant-form-item-has-error input, .ant-form-item-has-error textarea');
      el?.focus();
    }, 0);
  };

  const categoryOptions = useMemo((): NonNullable<SelectProps['options']> => {
    if (!ref) return [];
    const q = categorySearch.trim();
    if (q) {
      return ref.reference
        .searchCategories(q, 30)
        .filter((h) => h.leaf)
        .map((h) => ({ value: h.category.id, label: h.path.join(' / ') }));
    }
    return ref.reference.data.categories.map((top) => ({
      label: top.name,
      title: top.name,
      options: (top.children ?? [top]).map((c) => ({ value: c.id, label: `${top.name} / ${c.name}` })),
    }));
  }, [ref, categorySearch]);

  const divisionOptions = useMemo(() => {
    if (!ref) return [];
    const divs = ref.current.bundle.divisions;
    return divs
      .filter((d) => d.level === 'district')
      .map((d) => ({ value: d.code, label: d.name, children: divs.filter((x) => x.parentCode === d.code).map((x) => ({ value: x.code, label: x.name })) }));
  }, [ref]);
  const divisionPath = useMemo(() => {
    if (!ref || !v.divisionCode) return undefined;
    const d = ref.current.bundle.divisions.find((x) => x.code === v.divisionCode);
    return d?.parentCode ? [d.parentCode, d.code] : d ? [d.code] : undefined;
  }, [ref, v.divisionCode]);

  const plan = useMemo(() => {
    if (!ref || !v.categoryId || v.outcomeKind !== 'dispatched') return null;
    return planDispatch(ref.reference, ref.calendar, { categoryId: v.categoryId, divisionCode: v.divisionCode ?? undefined, urgency: v.urgency, acceptedAt: now, unitId: v.unitId ?? undefined });
  }, [ref, v.categoryId, v.divisionCode, v.urgency, v.unitId, v.outcomeKind, now]);

  const unitOptions = useMemo(() => {
    if (!ref) return [];
    return ([1, 2] as const).map((tier) => ({
      label: LINKAGE_TIER_LABELS[tier],
      title: LINKAGE_TIER_LABELS[tier],
      options: ref.reference.data.units
        .filter((u) => u.tier === tier)
        .map((u) => ({ value: u.id, label: plan?.ok && plan.suggestedUnitId === u.id ? `${u.name}（${t('tickets.suggested')}）` : u.name, search: `${u.name} ${initialsOf(u.name)}` })),
    }));
  }, [ref, plan, t]);

  const item = (name: string) => ({ validateStatus: errors[name] ? ('error' as const) : undefined, help: errors[name] ? <span data-testid={`ticket-error-${name}`}>{errors[name]}</span> : undefined });
  const time = (iso: string) => new Date(iso).toLocaleTimeString('zh-CN', { hour12: false });

  return (
    <Card
      title={
        <Space>
          {t('panels.ticket')}
          {draft.callerNumber && <Tag color="blue">{t('tickets.boundTo', { number: draft.callerNumber })}</Tag>}
        </Space>
      }
      extra={
        <Space size={4}>
          <Button size="small" onClick={() => newBlankDraft()} data-testid="ticket-new">{t('tickets.newDraft')}</Button>
          <Button size="small" onClick={() => openTicketDrawer()} data-testid="ticket-find">{t('tickets.search')} ({shortcuts.findTicket})</Button>
        </Space>
      }
      size="small"
      data-testid="ticket-panel"
    >
      {ref?.current.source === 'default' && <Alert type="warning" showIcon title={t('tickets.defaultRef')} style={{ marginBottom: 8 }} data-testid="ticket-default-ref" />}
      {merged && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 8 }}
          data-testid="ticket-merged"
          data-ticket-id={merged.ticket.id}
          title={
            <span>
              {t('tickets.merged', { number: merged.ticket.number ?? t('tickets.noNumber') })}
              {merged.events.at(-1)?.detail.pending === true && t('tickets.mergedPending')}
              <Button type="link" size="small" onClick={() => openTicketDrawer(merged.ticket.id)} data-testid="ticket-merged-view">{t('tickets.view')}</Button>
            </span>
          }
        />
      )}
      {draft.restoredAt && <Alert type="info" showIcon title={t('tickets.restored', { time: time(draft.restoredAt) })} style={{ marginBottom: 8 }} data-testid="ticket-restored" />}
      {filed && (
        <Alert
          type="success"
          showIcon
          style={{ marginBottom: 8 }}
          data-testid="ticket-filed"
          data-number={filed.number ?? ''}
          title={
            <span>
              {t('tickets.filed')}：<strong data-testid="ticket-filed-number">{filed.number ?? t('tickets.numberPending')}</strong> · {TICKET_STATUS_LABELS[filed.status]}
              {filed.assignedUnitName && ` · ${filed.assignedUnitName}`}
              {filed.dueAt && ` · ${t('tickets.deadline')} ${formatInstantZh(new Date(filed.dueAt))}`}
            </span>
          }
        />
      )}
      <div ref={formRef} onBlurCapture={() => flushDraft()} data-testid="ticket-form" data-draft-id={draft.id}>
        <Form layout="horizontal" labelCol={{ flex: '88px' }} size="middle" colon={false} component="div">
          <Form.Item label={t('tickets.callerName')} required={!v.anonymous} {...item('callerName')} style={{ marginBottom: 8 }}>
            <Space.Compact style={{ width: '100%' }}>
              <Input ref={firstField as never} value={v.callerName} disabled={v.anonymous} maxLength={30} onChange={(e) => set({ callerName: e.target.value })} data-testid="ticket-caller-name" placeholder="如：张先生" />
              <Checkbox checked={v.anonymous} onChange={(e) => set({ anonymous: e.target.checked })} data-testid="ticket-anonymous" style={{ marginLeft: 12, alignSelf: 'center', whiteSpace: 'nowrap' }}>
                {t('tickets.anonymous')}
              </Checkbox>
            </Space.Compact>
          </Form.Item>
          <Form.Item label={t('tickets.callbackPhone')} required={!v.anonymous} {...item('callbackPhone')} style={{ marginBottom: 8 }}>
            <Input value={v.callbackPhone} onChange={(e) => set({ callbackPhone: e.target.value })} data-testid="ticket-callback-phone" placeholder="手机或带区号的固话" />
          </Form.Item>
          <Form.Item label={t('tickets.requestType')} required {...item('requestType')} style={{ marginBottom: 8 }}>
            <Select
              value={v.requestType}
              onChange={(requestType: string) => set({ requestType })}
              options={requestTypeOptions}
              showSearch={{ filterOption: (input, o) => (o?.search ?? '').toLowerCase().includes(input.toLowerCase()) }}
              data-testid="ticket-request-type"
              placeholder="咨询 / 求助 / 投诉…"
            />
          </Form.Item>
          <Form.Item label={t('tickets.category')} required {...item('categoryId')} style={{ marginBottom: 8 }}>
            <Select
              value={v.categoryId}
              onChange={(categoryId: string) => {
                set({ categoryId, unitId: null });
                setCategorySearch('');
              }}
              options={categoryOptions}
              showSearch={{ filterOption: false, searchValue: categorySearch, onSearch: setCategorySearch }}
              labelRender={(o) => (ref && o.value ? ref.reference.pathOf(String(o.value)).join(' / ') : o.label)}
              data-testid="ticket-category"
              placeholder={t('tickets.categoryPlaceholder')}
              listHeight={320}
            />
          </Form.Item>
          <Form.Item label={t('tickets.division')} required {...item('divisionCode')} style={{ marginBottom: 8 }}>
            <Space.Compact style={{ width: '100%' }}>
              <Cascader
                style={{ width: '45%' }}
                value={divisionPath}
                options={divisionOptions}
                changeOnSelect
                showSearch
                allowClear={false}
                onChange={(path) => set({ divisionCode: path?.length ? String(path[path.length - 1]) : null, unitId: null })}
                data-testid="ticket-division"
                placeholder={t('tickets.divisionPlaceholder')}
              />
              <Input style={{ width: '55%' }} value={v.address} maxLength={200} onChange={(e) => set({ address: e.target.value })} data-testid="ticket-address" placeholder={t('tickets.address')} />
            </Space.Compact>
          </Form.Item>
          {errors.address && <Typography.Text type="danger" data-testid="ticket-error-address">{errors.address}</Typography.Text>}
          <Form.Item label={t('tickets.description')} required {...item('description')} style={{ marginBottom: 8 }}>
            <Input.TextArea value={v.description} autoSize={{ minRows: 3, maxRows: 8 }} showCount maxLength={2000} onChange={(e) => set({ description: e.target.value })} data-testid="ticket-description" />
          </Form.Item>
          <Form.Item label={t('tickets.urgency')} {...item('urgency')} style={{ marginBottom: 8 }}>
            <Radio.Group value={v.urgency} onChange={(e) => set({ urgency: e.target.value })} data-testid="ticket-urgency" options={URGENCIES.map((u) => ({ value: u, label: u }))} />
          </Form.Item>
          {v.kbArticleIds.length > 0 && (
            <Form.Item label={t('tickets.kbUsed')} style={{ marginBottom: 8 }}>
              <Space wrap data-testid="ticket-kb">
                {v.kbArticleIds.map((id) => (
                  <Tag key={id} closable onClose={() => set({ kbArticleIds: v.kbArticleIds.filter((x) => x !== id) })}>
                    {used.find((u) => String(u.articleId) === id)?.title ?? `#${id}`}
                  </Tag>
                ))}
              </Space>
            </Form.Item>
          )}
          <Form.Item label={t('tickets.outcome')} {...item('outcome')} style={{ marginBottom: 8 }}>
            <Radio.Group
              value={v.outcomeKind}
              onChange={(e) => set({ outcomeKind: e.target.value })}
              data-testid="ticket-outcome"
              options={[
                { value: 'dispatched', label: t('tickets.dispatched') },
                { value: 'closed_on_call', label: t('tickets.closedOnCall') },
              ]}
            />
          </Form.Item>
          {v.outcomeKind === 'closed_on_call' ? (
            <Form.Item label={t('tickets.answer')} required {...item('outcome.answer')} style={{ marginBottom: 8 }}>
              <Input.TextArea value={v.answer} autoSize={{ minRows: 2, maxRows: 6 }} maxLength={2000} onChange={(e) => set({ answer: e.target.value })} data-testid="ticket-answer" />
            </Form.Item>
          ) : (
            <>
              <Form.Item label={t('tickets.unit')} required {...item('outcome.unitId')} style={{ marginBottom: 8 }}>
                <Select
                  value={v.unitId ?? (plan?.ok ? plan.suggestedUnitId : undefined)}
                  onChange={(unitId: string) => set({ unitId: plan?.ok && unitId === plan.suggestedUnitId ? null : unitId })}
                  options={unitOptions}
                  showSearch={{ filterOption: (input, o) => ((o as { search?: string })?.search ?? '').toLowerCase().includes(input.toLowerCase()) }}
                  data-testid="ticket-unit"
                  placeholder={t('tickets.unit')}
                />
              </Form.Item>
              <Form.Item label={t('tickets.deadline')} style={{ marginBottom: 8 }}>
                {plan?.ok ? (
                  <span data-testid="ticket-deadline" data-due-at={plan.dueAt.toISOString()}>
                    <Typography.Text strong>{formatInstantZh(plan.dueAt)}</Typography.Text>
                    {plan.provisional && <Tag color="orange" style={{ marginLeft: 8 }}>{t('tickets.provisional')}</Tag>}
                    <br />
                    <Typography.Text type="secondary" style={{ fontSize: 12 }}>{plan.explanation}</Typography.Text>
                  </span>
                ) : (
                  <Typography.Text type="secondary" data-testid="ticket-deadline">{plan ? plan.message : '—'}</Typography.Text>
                )}
              </Form.Item>
            </>
          )}
          {duplicates.length > 0 && (
            <Alert
              type="warning"
              showIcon
              style={{ marginBottom: 8 }}
              data-testid="ticket-duplicates"
              title={t('tickets.duplicates')}
              description={
                <div>
                  {duplicates.map((d) => (
                    <div key={d.ticket.id} data-testid="ticket-duplicate" data-reason={d.reason} data-ticket-id={d.ticket.id}>
                      {d.message}：{d.ticket.categoryPath} · {d.ticket.description.slice(0, 30)} ·{' '}
                      <Button type="link" size="small" onClick={() => openTicketDrawer(d.ticket.id)}>{t('tickets.view')}</Button>
                      <Tooltip title={d.cannotMerge ?? `${t('tickets.merge')} (${shortcuts.mergeTicket})`}>
                        <Button
                          size="small"
                          disabled={!!d.cannotMerge || merging}
                          onClick={() => !askMerge(d) && focusFirstError()}
                          data-testid="ticket-merge"
                          data-ticket-id={d.ticket.id}
                        >
                          {t('tickets.merge')}
                        </Button>
                      </Tooltip>
                      {d.cannotMerge && <Typography.Text type="secondary" style={{ fontSize: 12, display: 'block' }} data-testid="ticket-merge-blocked">{d.cannotMerge}</Typography.Text>}
                    </div>
                  ))}
                </div>
              }
            />
          )}
          {formError && <Alert type="error" showIcon title={formError} style={{ marginBottom: 8 }} data-testid="ticket-form-error" />}
          <Space style={{ width: '100%', justifyContent: 'space-between' }}>
            <Space>
              <Button type="primary" loading={submitting} onClick={() => void submitTicket().then((ok) => !ok && focusFirstError())} data-testid="ticket-submit">
                {t('tickets.submit')} ({shortcuts.submitTicket})
              </Button>
              <Button onClick={() => void discardDraft()} data-testid="ticket-discard">{t('tickets.discard')}</Button>
            </Space>
            <Typography.Text type="secondary" style={{ fontSize: 12 }} data-testid="ticket-saved">
              {savedAt && draft.dirty ? t('tickets.savedAt', { time: time(savedAt) }) : ''}
              {otherDrafts > 0 && ` · ${t('tickets.otherDrafts', { count: otherDrafts })}`}
              {ref && ref.current.source === 'server' && ` · ${t('tickets.refFrom', { district: ref.current.bundle.district.name, version: ref.current.bundle.version })}`}
            </Typography.Text>
          </Space>
        </Form>
      </div>
      <Modal
        open={!!mergeTarget}
        title={t('tickets.mergeTitle')}
        okText={t('tickets.mergeOk')}
        cancelText={t('tickets.mergeCancel')}
        confirmLoading={merging}
        onOk={() => void confirmMerge().then((ok) => !ok && focusFirstError())}
        onCancel={() => cancelMerge()}
        okButtonProps={{ autoFocus: true, 'data-testid': 'ticket-merge-ok' } as ButtonProps}
        cancelButtonProps={{ 'data-testid': 'ticket-merge-cancel' } as ButtonProps}
        destroyOnHidden
      >
        {mergeTarget && (
          <div data-testid="ticket-merge-confirm" data-ticket-id={mergeTarget.ticket.id}>
            <Typography.Paragraph>{t('tickets.mergeIntro')}</Typography.Paragraph>
            <Descriptions column={1} size="small" bordered>
              <Descriptions.Item label={t('tickets.mergeNumber')}>
                <strong data-testid="ticket-merge-number">{mergeTarget.ticket.number ?? t('tickets.noNumber')}</strong> · {TICKET_STATUS_LABELS[mergeTarget.ticket.status]}
              </Descriptions.Item>
              <Descriptions.Item label={t('tickets.mergeTicketDesc')}>{mergeTarget.ticket.categoryPath} · {mergeTarget.ticket.description.slice(0, 60)}</Descriptions.Item>
              <Descriptions.Item label={t('tickets.mergePhone')}>
                <span data-testid="ticket-merge-phone">{draft.callerNumber || v.callbackPhone ? maskPhone(draft.callerNumber || v.callbackPhone) : (mergeTarget.ticket.phoneMasked ?? '—')}</span>
              </Descriptions.Item>
              <Descriptions.Item label={t('tickets.mergeSaid')}>{v.description.trim().slice(0, 200)}</Descriptions.Item>
            </Descriptions>
          </div>
        )}
      </Modal>
      <TicketDrawer />
    </Card>
  );
}
