import { Alert, Descriptions, Drawer, Input, List, Space, Tag, Timeline, Typography } from 'antd';
import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { DialableNumber } from '../phone/DialableNumber';
import { create } from 'zustand';
import type { TicketDetail, TicketEventItem, TicketListItem, TicketSearchResult } from '../../../src/shared/host-api-tickets';
import { formatInstantZh, maskPhone, TICKET_STATUS_LABELS, isOpenStatus } from '../../../src/shared/ticket/index';
import { REPEAT_CALL_EVENT } from '../../../src/shared/ticket-merge';
import { host } from '../host-client';

const useDrawer = create<{ open: boolean; detailId: string | null }>(() => ({ open: false, detailId: null }));

/** Open "my tickets / search", or straight at one ticket's detail. */
export function openTicketDrawer(detailId: string | null = null) {
  useDrawer.setState({ open: true, detailId });
}

/** What an event adds to its line in the history: a repeat call's (masked) number and what the caller said, a note's text. */
function eventExtra(e: TicketEventItem, callerLabel: string): string {
  const d = e.detail;
  if (e.type === REPEAT_CALL_EVENT) {
    const phone = typeof d.callerNumber === 'string' && d.callerNumber ? ` · ${callerLabel} ${maskPhone(d.callerNumber)}` : '';
    return `${phone}${typeof d.description === 'string' ? ` · “${d.description}”` : ''}`;
  }
  if (e.type === 'note' && typeof d.text === 'string') return ` · ${d.text}`;
  return '';
}

export function TicketRow({ t: ticket, onOpen, foundOn }: { t: TicketListItem; onOpen?: () => void; foundOn?: 'local' | 'server' }) {
  const { t } = useTranslation();
  return (
    <List.Item
      data-testid="ticket-row"
      data-ticket-id={ticket.id}
      data-found-on={foundOn}
      data-number={ticket.number ?? ''}
      onClick={onOpen}
      onKeyDown={(e) => e.key === 'Enter' && onOpen?.()}
      tabIndex={onOpen ? 0 : undefined}
      style={{ cursor: onOpen ? 'pointer' : undefined, display: 'block' }}
    >
      <Space size={4} wrap>
        <Typography.Text strong>{ticket.number ?? t('tickets.noNumber')}</Typography.Text>
        <Tag color={isOpenStatus(ticket.status) ? 'orange' : 'green'}>{TICKET_STATUS_LABELS[ticket.status]}</Tag>
        <Typography.Text type="secondary" style={{ fontSize: 12 }}>{formatInstantZh(new Date(ticket.acceptedAt))}</Typography.Text>
        {foundOn === 'server' && <Tag color="purple" data-testid="ticket-row-center">{t('tickets.fromCenter')}</Tag>}
      </Space>
      <div style={{ fontSize: 12 }}>
        {ticket.categoryPath}
        {ticket.phoneMasked && ` · ${ticket.phoneMasked}`}
        {ticket.assignedUnitName && ` · ${ticket.assignedUnitName}`}
      </div>
      <Typography.Paragraph ellipsis={{ rows: 2 }} style={{ marginBottom: 0, fontSize: 13 }}>
        {ticket.description}
      </Typography.Paragraph>
    </List.Item>
  );
}

export function TicketDrawer() {
  const { t } = useTranslation();
  const { open, detailId } = useDrawer();
  const [q, setQ] = useState('');
  const [items, setItems] = useState<TicketSearchResult['items']>([]);
  const [found, setFound] = useState<{ q: string; source: 'local' | 'server' | 'asking'; serverError: string | null } | null>(null);
  const [detail, setDetail] = useState<TicketDetail | null>(null);
  const [error, setError] = useState<string | null>(null);

  // Search: this console's cache at once, then the center's results after the local ones (or the reason it could not be asked).
  useEffect(() => {
    if (!open) return;
    const query = q.trim();
    let current = true;
    const timer = setTimeout(() => {
      setError(null);
      if (!query) {
        setFound(null);
        host.call('tickets.mine', { limit: 50 }).then((mine) => current && setItems(mine.map((m) => ({ ...m, foundOn: 'local' as const }))), (e: Error) => setError(e.message));
        return;
      }
      host.call('tickets.search', { q: query, limit: 50 }).then(
        (r) => {
          if (!current) return;
          setItems(r.items);
          setFound({ q: query, source: 'asking', serverError: null });
          return host.call('tickets.search', { q: query, limit: 50, remote: true }).then((all) => {
            if (!current) return;
            setItems(all.items);
            setFound({ q: query, source: all.source, serverError: all.serverError });
          });
        },
        (e: Error) => setError(e.message),
      );
    }, 250);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [open, q]);

  useEffect(() => {
    setDetail(null);
    if (detailId) host.call('tickets.get', { id: detailId }).then(setDetail, (e: Error) => setError(e.message));
  }, [detailId]);

  const syncTag = (s: TicketListItem['sync']) =>
    s === 'sent' ? <Tag color="blue">{t('tickets.syncSent')}</Tag> : s === 'pending' ? <Tag color="orange">{t('tickets.syncPending')}</Tag> : s === 'rejected' ? <Tag color="red">{t('tickets.syncRejected')}</Tag> : null;

  return (
    <Drawer open={open} onClose={() => useDrawer.setState({ open: false, detailId: null })} title={detail ? t('tickets.detail') : t('tickets.search')} size={560} data-testid="ticket-drawer" destroyOnHidden>
      {detail ? (
        <div data-testid="ticket-detail">
          <a onClick={() => useDrawer.setState({ detailId: null })}>← {t('tickets.search')}</a>
          <Descriptions column={1} size="small" bordered style={{ marginTop: 8 }}>
            <Descriptions.Item label="编号">{detail.ticket.number ?? t('tickets.noNumber')} {syncTag(detail.ticket.sync)}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.status')}>{TICKET_STATUS_LABELS[detail.ticket.status]}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.acceptedAt')}>{formatInstantZh(new Date(detail.ticket.acceptedAt))}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.category')}>{detail.ticket.requestType} · {detail.ticket.categoryPath}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.callbackPhone')}>{typeof detail.data?.callbackPhone === 'string' && detail.data.callbackPhone ? <DialableNumber number={detail.data.callbackPhone} testId="ticket-callback-dial" /> : (detail.ticket.phoneMasked ?? '—')}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.address')}>{detail.ticket.address ?? '—'}</Descriptions.Item>
            <Descriptions.Item label={t('tickets.description')}>{detail.ticket.description}</Descriptions.Item>
            {detail.ticket.assignedUnitName && <Descriptions.Item label={t('tickets.unit')}>{detail.ticket.assignedUnitName}</Descriptions.Item>}
            {detail.ticket.dueAt && <Descriptions.Item label={t('tickets.dueAt')}>{formatInstantZh(new Date(detail.ticket.dueAt))}</Descriptions.Item>}
            {detail.ticket.syncError && <Descriptions.Item label={t('tickets.syncRejected')}>{detail.ticket.syncError}</Descriptions.Item>}
          </Descriptions>
          <Typography.Title level={5} style={{ marginTop: 16 }}>{t('tickets.events')}</Typography.Title>
          <Timeline
            data-testid="ticket-events"
            items={detail.events.map((e) => ({
              content: (
                <span data-testid="ticket-event" data-type={e.type}>
                  <strong>{e.label}</strong> {formatInstantZh(new Date(e.at))}
                  {e.toStatus && ` → ${TICKET_STATUS_LABELS[e.toStatus as keyof typeof TICKET_STATUS_LABELS] ?? e.toStatus}`}
                  {typeof e.detail.number === 'string' && ` · ${e.detail.number}`}
                  {eventExtra(e, t('tickets.caller'))}
                </span>
              ),
            }))}
          />
        </div>
      ) : (
        <>
          <Input.Search autoFocus allowClear value={q} onChange={(e) => setQ(e.target.value)} placeholder={t('tickets.searchPlaceholder')} data-testid="ticket-search" />
          {error && <Typography.Text type="danger">{error}</Typography.Text>}
          <Typography.Text type="secondary" style={{ display: 'block', margin: '8px 0' }} data-testid="ticket-search-source" data-source={found?.source ?? 'mine'}>
            {q.trim() ? t('tickets.results') : t('tickets.mine')}
            {found && ` · ${t('tickets.foundLocal', { count: items.filter((i) => i.foundOn === 'local').length })}`}
            {found?.source === 'server' && ` · ${t('tickets.foundServer', { count: items.filter((i) => i.foundOn === 'server').length })}`}
            {found?.source === 'asking' && ` · ${t('tickets.searchingServer')}`}
          </Typography.Text>
          {found?.serverError && <Alert type="warning" showIcon style={{ marginBottom: 8 }} title={t('tickets.serverUnreachable', { error: found.serverError })} data-testid="ticket-search-offline" />}
          <List size="small" dataSource={items} locale={{ emptyText: t('tickets.none') }} renderItem={(it) => <TicketRow t={it} foundOn={it.foundOn} onOpen={() => useDrawer.setState({ detailId: it.id })} />} />
        </>
      )}
    </Drawer>
  );
}
