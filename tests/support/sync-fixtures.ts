import { v7 as uuidv7 } from 'uuid';
import type { Mutation } from '../../src/shared/sync';
import type { Ticket } from '../../src/shared/ticket/schema';

/** A ticket as a console files it; `closed` answers on the call, otherwise it is dispatched to 区住建局. */
export function filedTicket(acceptedBy: string, kind: 'closed' | 'dispatched' = 'dispatched', overrides: Partial<Ticket> = {}): Ticket {
  const at = new Date().toISOString();
  return {
    id: uuidv7(),
    number: null,
    callId: 'call-sync',
    anonymous: false,
    callerName: '陈女士',
    callbackPhone: '13800138000',
    requestType: kind === 'closed' ? '咨询' : '投诉',
    categoryId: '0101',
    divisionCode: '440105001',
    address: '某小区3栋',
    description: '小区电梯停运三天，物业不处理',
    urgency: '一般',
    kbArticleIds: [],
    outcome:
      kind === 'closed'
        ? { kind: 'closed_on_call', answer: '已告知物业报修电话' }
        : { kind: 'dispatched', unitId: 'unit-zjj', deadline: { dueAt: new Date(Date.now() + 5 * 86_400_000).toISOString(), provisional: false } },
    acceptedAt: at,
    acceptedBy,
    status: 'accepted',
    assignedUnitId: null,
    dueAt: null,
    dueProvisional: false,
    supervisionCount: 0,
    reworkCount: 0,
    updatedAt: at,
    ...overrides,
  } as Ticket;
}

export const mutation = (name: string, args: unknown, id: string = uuidv7()): Mutation => ({ id, name, args, createdAt: new Date().toISOString() });
export const createTicketM = (t: Ticket) => mutation('createTicket', { ticket: t, callerNumber: '13800138000' }, t.id);
export const changeM = (ticketId: string, event: Record<string, unknown>) => mutation('changeTicket', { ticketId, event: { at: new Date().toISOString(), ...event } });
export const noteM = (ticketId: string, text: string) => mutation('addTicketNote', { ticketId, at: new Date().toISOString(), text });

export function kbArticle(sourceId: string, title: string, status: 'published' | 'retired' = 'published') {
  return { sourceId, title, answerHtml: `<p>${title}的办理方法：请携带身份证到政务服务中心窗口办理。</p>`, keywords: [title], category: '政务服务', unit: '区政务服务中心', status };
}
