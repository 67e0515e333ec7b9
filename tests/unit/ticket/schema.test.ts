// The operator fills the ticket form during the call; what is wrong shows under its field, in Chinese.
import { describe, expect, it } from 'vitest';
import {
  checkTicketDraft,
  fieldErrors,
  formatTicketNumber,
  parseTicketNumber,
  Ticket,
  TicketDraft,
  type TicketDraftInput,
  TicketNumber,
} from '../../../src/shared/ticket/schema';

const draft: TicketDraftInput = {
  callerName: '王女士',
  callbackPhone: '+86 138-1234-5678',
  requestType: '投诉',
  categoryId: 'cxjs-wygl',
  divisionCode: '990101003',
  address: '东城街道幸福里小区5栋',
  description: '小区电梯停运两周，物业不予维修。',
  urgency: '一般',
  kbArticleIds: ['kb-1024'],
  outcome: { kind: 'dispatched', unitId: 'unit-zjj', deadline: { dueAt: '2026-03-16T18:00:00+08:00', provisional: false } },
};

describe('a complete draft', () => {
  it('passes, with the phone normalized and defaults filled', () => {
    const r = checkTicketDraft({ ...draft, urgency: undefined, kbArticleIds: undefined });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.draft.callbackPhone).toBe('13812345678');
    expect(r.draft.urgency).toBe('一般');
    expect(r.draft.kbArticleIds).toEqual([]);
    expect(r.draft.anonymous).toBe(false);
  });

  it('answered on the call needs the answer given', () => {
    expect(checkTicketDraft({ ...draft, outcome: { kind: 'closed_on_call', answer: '已告知办理地点和材料。' } }).ok).toBe(true);
    expect(checkTicketDraft({ ...draft, outcome: { kind: 'closed_on_call', answer: ' ' } })).toEqual({ ok: false, errors: { 'outcome.answer': '请填写答复内容' } });
  });

  it('an anonymous caller need not give a name or phone', () => {
    const r = checkTicketDraft({ ...draft, anonymous: true, callerName: undefined, callbackPhone: undefined });
    expect(r.ok).toBe(true);
  });
});

describe('what the form shows under each field', () => {
  it.each<[string, Partial<Record<keyof TicketDraftInput, unknown>>, string, string]>([
    ['no name and not anonymous', { callerName: '' }, 'callerName', '请填写来电人姓名，或勾选“匿名”'],
    ['no phone and not anonymous', { callbackPhone: undefined }, 'callbackPhone', '请填写回访电话，或勾选“匿名”'],
    ['a short mobile number', { callbackPhone: '1381234567' }, 'callbackPhone', '手机号码应为11位数字'],
    ['the hotline as callback number', { callbackPhone: '12345' }, 'callbackPhone', '12345 是服务号码，不能作为回访电话'],
    ['an unknown request type', { requestType: '表扬信' }, 'requestType', '请选择诉求类型（咨询、求助、投诉、举报、建议、表扬、其他）'],
    ['no category', { categoryId: '' }, 'categoryId', '请选择诉求分类'],
    ['a bad division code', { divisionCode: '99010' }, 'divisionCode', '行政区划代码应为6、9或12位数字'],
    ['no description', { description: '' }, 'description', '请填写诉求内容'],
    ['a description too long', { description: '电'.repeat(2001) }, 'description', '诉求内容不能超过2000字（当前2001字）'],
    ['an unknown urgency', { urgency: '加急' }, 'urgency', '请选择紧急程度（一般、紧急、特急）'],
    ['an empty KB id', { kbArticleIds: ['kb-1', ''] }, 'kbArticleIds.1', '知识库条目编号不能为空'],
    ['no outcome', { outcome: undefined }, 'outcome', '请选择处理方式：直接办结或派单'],
    ['dispatched without a unit', { outcome: { kind: 'dispatched', unitId: '', deadline: { dueAt: '2026-03-16T18:00:00+08:00', provisional: false } } }, 'outcome.unitId', '请选择承办单位'],
    ['dispatched with a bad due time', { outcome: { kind: 'dispatched', unitId: 'u', deadline: { dueAt: '下周一', provisional: false } } }, 'outcome.deadline.dueAt', '办理时限格式不正确'],
    ['an address too long', { address: '路'.repeat(201) }, 'address', '地址不能超过200字'],
  ])('%s', (_story, change, path, message) => {
    const r = checkTicketDraft({ ...draft, ...change });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    expect(r.errors[path]).toBe(message);
  });

  it('reports every broken field at once, including the caller rule', () => {
    const r = TicketDraft.safeParse({ ...draft, callerName: undefined, description: '', categoryId: '' });
    expect(r.success).toBe(false);
    expect(Object.keys(fieldErrors(r.error!)).sort()).toEqual(['callerName', 'categoryId', 'description']);
  });

  it('every message is Chinese', () => {
    const r = TicketDraft.safeParse({});
    for (const message of Object.values(fieldErrors(r.error!))) expect(message).toMatch(/[\u4e00-\u9fff]/);
  });
});

describe('ticket numbers', () => {
  it('are 12345-date-sequence, with the date in center time', () => {
    // 2026-11-28 16:30 UTC is already 2026-11-29 00:30 in Beijing
    expect(formatTicketNumber(new Date('2026-11-28T16:30:00Z'), 123)).toBe('12345-20261129-000123');
    expect(parseTicketNumber('12345-20261129-000123')).toEqual({ date: '2026-11-29', sequence: 123 });
  });

  it.each(['12345-20261129-123', '12345-20260230-000001', '12345-20261129-000000', '96345-20261129-000123', ''])('%j is not one', (s) => {
    expect(parseTicketNumber(s)).toBeNull();
    expect(TicketNumber.safeParse(s).success).toBe(false);
  });

  it('refuses an out-of-range sequence', () => {
    expect(() => formatTicketNumber(new Date(), 0)).toThrow();
    expect(() => formatTicketNumber(new Date(), 1_000_000)).toThrow();
  });
});

describe('a stored ticket', () => {
  it('is the draft plus identity and workflow state', () => {
    const t = Ticket.parse({
      ...draft,
      id: '0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b',
      number: '12345-20261129-000123',
      acceptedAt: '2026-11-29T10:00:00+08:00',
      acceptedBy: 'op-7',
      status: 'dispatched',
      assignedUnitId: 'unit-zjj',
      dueAt: '2026-12-04T18:00:00+08:00',
      updatedAt: '2026-11-29T10:02:00+08:00',
    });
    expect(t).toMatchObject({ status: 'dispatched', reworkCount: 0, dueProvisional: false, callbackPhone: '13812345678' });
  });

  it('may wait for its number until the first sync', () => {
    const r = Ticket.safeParse({ ...draft, id: '0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', number: null, acceptedAt: '2026-11-29T10:00:00+08:00', acceptedBy: 'op-7', status: 'accepted', updatedAt: '2026-11-29T10:00:00+08:00' });
    expect(r.success).toBe(true);
  });

  it('refuses an unknown status', () => {
    const r = Ticket.safeParse({ ...draft, id: '0193a1b2-7c3d-7e4f-8a9b-0c1d2e3f4a5b', number: null, acceptedAt: '2026-11-29T10:00:00+08:00', acceptedBy: 'op-7', status: 'lost', updatedAt: '2026-11-29T10:00:00+08:00' });
    expect(fieldErrors(r.error!).status).toBe('未知的工单状态');
  });
});
